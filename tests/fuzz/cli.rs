//! The real binary on a handful of generated bad inputs: `validate`,
//! `run --runs 2 --out DIR` and `report DIR` each answer within the timeout
//! with exit code 0, 1 or 2 (never a panic's 101 or a signal), name the file
//! on failure, and a failing `run` leaves nothing in DIR.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::check::files_under;
use crate::harness::{failure_dir, seed};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Generated inputs: some from the grammar, some mutated bundled files, and
/// a few byte-level ones that are not UTF-8 at all.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut seed_bytes = [7u8; 32];
    seed_bytes[..8].copy_from_slice(&seed().to_le_bytes());
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let mut out = Vec::new();
    let grammar = crate::grammar::scenario();
    let mutated = crate::mutate::mutated();
    for i in 0..4 {
        let text = grammar.new_tree(&mut runner).expect("a case").current();
        out.push((format!("grammar-{i}"), text.into_bytes()));
        let text = mutated.new_tree(&mut runner).expect("a case").current();
        out.push((format!("mutated-{i}"), text.into_bytes()));
    }
    let mut bytes = include_bytes!("../../scenarios/quickstart.toml").to_vec();
    bytes[40] = 0xff;
    bytes.insert(200, 0xc3);
    out.push(("not-utf8".into(), bytes));
    out.push(("empty".into(), Vec::new()));
    out.push(("nul-bytes".into(), vec![0u8; 64]));
    out
}

struct Answer {
    code: Option<i32>,
    stderr: String,
}

fn villagesim(dir: &Path, args: &[&str]) -> Result<Answer, String> {
    let mut cmd = Command::cargo_bin("villagesim").expect("the binary builds");
    cmd.current_dir(dir)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .timeout(TIMEOUT);
    let started = std::time::Instant::now();
    match cmd.output() {
        Ok(output) if output.status.code().is_none() && started.elapsed() >= TIMEOUT => Err(format!(
            "`villagesim {}` was killed after {} s",
            args.join(" "),
            TIMEOUT.as_secs()
        )),
        Ok(output) => Ok(Answer {
            code: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }),
        Err(e) => Err(format!("`villagesim {}`: {e}", args.join(" "))),
    }
}

/// Checks one answer; returns the problems found.
fn judge(what: &str, answer: Result<Answer, String>, file: &str, problems: &mut Vec<String>) -> Option<i32> {
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            problems.push(format!(
                "{what}: no answer within {} s or not started: {e}",
                TIMEOUT.as_secs()
            ));
            return None;
        }
    };
    match answer.code {
        Some(0) => {}
        Some(1 | 2) => {
            if !answer.stderr.contains(file) {
                problems.push(format!(
                    "{what}: failed without naming {file}: {}",
                    answer.stderr.trim()
                ));
            }
            if answer.stderr.trim().is_empty() {
                problems.push(format!("{what}: failed with an empty message"));
            }
        }
        Some(code) => problems.push(format!("{what}: exit code {code}: {}", answer.stderr.trim())),
        None => problems.push(format!("{what}: killed by a signal: {}", answer.stderr.trim())),
    }
    answer.code
}

pub fn sample() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let mut problems = Vec::new();
    for (name, bytes) in inputs() {
        let dir = tmp.path().join(&name);
        std::fs::create_dir_all(&dir).expect("a case dir");
        std::fs::write(dir.join("case.toml"), &bytes).expect("write the case");
        let mut local = Vec::new();
        judge(
            &format!("{name}: validate"),
            villagesim(&dir, &["validate", "case.toml"]),
            "case.toml",
            &mut local,
        );
        let run = judge(
            &format!("{name}: run"),
            villagesim(&dir, &["run", "case.toml", "--runs", "2", "--out", "out", "--quiet"]),
            "case.toml",
            &mut local,
        );
        let left = files_under(&dir.join("out"));
        if run.is_some_and(|c| c != 0) && !left.is_empty() {
            local.push(format!("{name}: failed run left files: {left:?}"));
        }
        if run == Some(0) {
            // A damaged results folder for `report`: no policies at all.
            let results = dir.join("out/results.json");
            if let Ok(text) = std::fs::read_to_string(&results) {
                if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) {
                    value["policies"] = serde_json::json!([]);
                    let _ = std::fs::write(&results, value.to_string());
                    judge(
                        &format!("{name}: report without policies"),
                        villagesim(&dir, &["report", "out"]),
                        "results.json",
                        &mut local,
                    );
                }
            }
        }
        if !local.is_empty() {
            let saved = failure_dir().join(format!("cli-{name}.toml"));
            let _ = std::fs::create_dir_all(failure_dir());
            let _ = std::fs::write(&saved, &bytes);
            problems.extend(
                local
                    .into_iter()
                    .map(|p| format!("{p} (input saved as {})", saved.display())),
            );
        }
    }
    assert!(problems.is_empty(), "the binary on bad input:\n{}", problems.join("\n"));
}
