//! `run --precision`, `--checkpoint-every` and `--resume` end to end: a run
//! that stops by itself stops at the same run count on any number of
//! threads and equals a run of that many runs; a resumed run equals an
//! uninterrupted one.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{says, villagesim};
use predicates::str::contains;

fn quickstart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml")
}

/// Every file under `dir`, by path relative to it.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, at: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                into.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// The files of `dir` but `skip`.
fn files_but(dir: &Path, skip: &[&str]) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = snapshot(dir);
    files.retain(|p, _| !skip.iter().any(|s| p == Path::new(s)));
    files
}

fn results_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

fn assert_same(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in a {
        assert!(bytes == &b[path], "{} differs", path.display());
    }
}

/// Targets the quickstart scenario meets after a few thousand runs.
const SPEC: &str = "mean=1%,prob=0.01";

#[test]
fn precision_stops_at_the_same_runs_on_any_threads_and_equals_a_fixed_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = quickstart();
    let mut stops = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        villagesim(dir.path())
            .arg("run")
            .arg(&file)
            .args([
                "--precision",
                SPEC,
                "--max-runs",
                "20000",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success()
            .stdout(contains("at which every precision target held"));
        let results = results_json(&out);
        let precision = &results["precision"];
        assert_eq!(precision["met"], true);
        let runs = precision["runs"].as_u64().unwrap();
        assert_eq!(results["runs"].as_u64(), Some(runs));
        assert_eq!(runs % 1000, 0);
        assert!(runs < 20000);
        stops.push((runs, out));
    }
    assert_eq!(stops[0].0, stops[1].0, "the stop depends on the threads");
    let (runs, with_precision) = &stops[0];
    assert_same(
        &files_but(with_precision, &["manifest.json"]),
        &files_but(&stops[1].1, &["manifest.json"]),
    );

    let plain = dir.path().join("plain");
    villagesim(dir.path())
        .arg("run")
        .arg(&file)
        .args(["--runs", &runs.to_string(), "--quiet", "--out"])
        .arg(&plain)
        .assert()
        .success();
    // The data files are the same; results.json differs by its precision alone.
    let skip = ["manifest.json", "report.html", "report.md", "results.json"];
    assert_same(&files_but(with_precision, &skip), &files_but(&plain, &skip));
    let mut a = results_json(with_precision);
    a.as_object_mut().unwrap().remove("precision");
    assert!(a == results_json(&plain), "results.json differs beyond its precision");
    // The brief says where it stopped and how to make it again.
    let report = std::fs::read_to_string(with_precision.join("report.md")).unwrap();
    assert!(
        report.contains(&format!(
            "Stopped at {} runs",
            villagesim::format::grouped(*runs as f64, 0)
        )),
        "{report}"
    );
    assert!(report.contains(&format!("--precision {SPEC}")));
    assert!(report.contains("--max-runs 20000"));
    assert!(!std::fs::read_to_string(plain.join("report.md"))
        .unwrap()
        .contains("Stopped at"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(with_precision.join("manifest.json")).unwrap()).unwrap();
    let command: Vec<&str> = manifest["result_command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        command.ends_with(&["--precision", SPEC, "--max-runs", "20000"]),
        "{command:?}"
    );
}

#[test]
fn a_target_out_of_reach_stops_at_max_runs_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    villagesim(dir.path())
        .arg("run")
        .arg(quickstart())
        .args(["--precision", "prob=0.0001", "--max-runs", "1500", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("Stopped at 1,500 runs, the most allowed (--max-runs 1,500)"))
        .stdout(contains("(target 0.0001)"));
    let results = results_json(&out);
    assert_eq!(results["runs"], 1500);
    assert_eq!(results["precision"]["met"], false);
    assert!(std::fs::read_to_string(out.join("report.md"))
        .unwrap()
        .contains("the most allowed"));
}

#[test]
fn bad_specifications_and_combinations_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (args, message) in [
        (vec!["--precision", "mean=1%,sd=2"], "bad part \"sd=2\""),
        (vec!["--precision", "prob=2"], "not between 0 and 1"),
        (vec!["--max-runs", "100"], "--max-runs goes with --precision"),
        (
            vec!["--precision", "--runs", "10", "--max-runs", "100"],
            "--runs and --max-runs",
        ),
        (
            vec!["--precision", "--max-runs", "20000", "--shard", "0/8"],
            "a shard is one block of 1000 runs",
        ),
        (
            vec!["--checkpoint-every", "500", "--shard", "0/2"],
            "does not go with --checkpoint-every",
        ),
        (vec!["--resume"], "no checkpoint at"),
    ] {
        villagesim(dir.path())
            .arg("run")
            .arg(quickstart())
            .args(&args)
            .args(["--quiet", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(predicates::function::function(move |e: &str| says(e, message)));
    }
}

fn shard(dir: &Path, block: u64) {
    villagesim(dir)
        .arg("run")
        .arg(quickstart())
        .args([
            "--precision",
            SPEC,
            "--max-runs",
            "20000",
            "--shard",
            &format!("{block}/20"),
        ])
        .args(["--quiet", "--out", "shards"])
        .assert()
        .success();
}

fn block(dir: &Path, b: u64) -> PathBuf {
    dir.join(format!("shards/shard-{b}-of-20.vshard"))
}

#[test]
fn shards_of_blocks_merged_stop_where_one_process_stops() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let one = d.join("one");
    villagesim(d)
        .arg("run")
        .arg(quickstart())
        .args(["--precision", SPEC, "--max-runs", "20000", "--quiet", "--out"])
        .arg(&one)
        .assert()
        .success();
    let stop = results_json(&one)["precision"]["runs"].as_u64().unwrap() / 1000;
    assert!(stop >= 2, "the test needs a stop after two blocks or more, not {stop}");
    // Blocks written in reverse order, two past the stop.
    for b in (0..stop + 2).rev() {
        shard(d, b);
    }
    // Too few blocks: exit code 3, naming the blocks to run next.
    let few: Vec<PathBuf> = (0..stop - 1).map(|b| block(d, b)).collect();
    let e = villagesim(d)
        .arg("merge")
        .args(&few)
        .args(["--quiet", "--out", "few"])
        .assert()
        .code(3);
    let e = String::from_utf8_lossy(&e.get_output().stderr).into_owned();
    assert!(
        says(&e, &format!("do not all hold at {} runs", (stop - 1) * 1000)),
        "{e}"
    );
    assert!(says(&e, &format!("--shard {}/20 onwards", stop - 1)), "{e}");
    assert!(!d.join("few").exists());
    // Every block given: the ones past the stop are left out.
    let all: Vec<PathBuf> = (0..stop + 2).rev().map(|b| block(d, b)).collect();
    villagesim(d)
        .arg("merge")
        .args(&all)
        .args(["--out", "merged"])
        .assert()
        .success()
        .stdout(contains(format!("the targets hold at {} runs", stop * 1000)))
        .stdout(contains(block(d, stop + 1).display().to_string()));
    assert_same(
        &files_but(&one, &["manifest.json"]),
        &files_but(&d.join("merged"), &["manifest.json"]),
    );
    // In a tree: the first blocks into one shard, then the rest.
    villagesim(d)
        .arg("merge")
        .args(&few)
        .args(["--quiet", "--shard-out", "first.vshard"])
        .assert()
        .success();
    let mut rest = vec![d.join("first.vshard")];
    rest.extend((stop - 1..stop + 1).map(|b| block(d, b)));
    villagesim(d)
        .arg("merge")
        .args(&rest)
        .args(["--quiet", "--out", "tree"])
        .assert()
        .success();
    assert_same(
        &files_but(&one, &["manifest.json"]),
        &files_but(&d.join("tree"), &["manifest.json"]),
    );
    // A merge of blocks not from run 0 cannot know where to stop.
    let late = [block(d, 1), block(d, 2)];
    let e = villagesim(d)
        .arg("merge")
        .args(late)
        .args(["--quiet", "--out", "late"])
        .assert()
        .code(2);
    assert!(says(
        &String::from_utf8_lossy(&e.get_output().stderr),
        "no shard holds run 0"
    ));
}

/// The quickstart scenario with `runs` runs and 400 middling villages: some
/// seconds of simulation, long enough to be killed half way.
fn slow(dir: &Path, runs: u32) -> PathBuf {
    let text = std::fs::read_to_string(quickstart()).unwrap();
    let text = text
        .replace("count = 14", "count = 400")
        .replace("runs = 5000", &format!("runs = {runs}"));
    assert!(text.contains("count = 400"));
    common::write(dir, "slow.toml", &text)
}

fn run_slow(dir: &Path, file: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("villagesim"));
    cmd.current_dir(dir)
        .arg("run")
        .arg(file)
        .args(["--quiet", "--threads", "2", "--checkpoint-every", "500", "--out"])
        .arg(out)
        .args(extra)
        .stdin(Stdio::null());
    cmd
}

#[test]
fn resume_after_a_kill_equals_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = slow(dir.path(), 3000);
    let out = dir.path().join("out");
    let checkpoint = dir.path().join("out.checkpoint.vshard");
    let mut child = run_slow(dir.path(), &file, &out, &[]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !checkpoint.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first checkpoint"
        );
        assert!(Instant::now() < deadline, "no checkpoint within the deadline");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !out.join("results.json").exists(),
        "the run finished before it was killed"
    );
    // Run again without --resume: refused, the checkpoint kept.
    let again = run_slow(dir.path(), &file, &out, &[]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(says(
        &String::from_utf8_lossy(&again.stderr),
        "add --resume to continue it"
    ));
    assert!(checkpoint.exists(), "a refused run removed the checkpoint");
    let status = run_slow(dir.path(), &file, &out, &["--resume"]).status().unwrap();
    assert!(status.success());
    assert!(!checkpoint.exists(), "the checkpoint is left after the outputs");

    let whole = dir.path().join("whole");
    let status = run_slow(dir.path(), &file, &whole, &[]).status().unwrap();
    assert!(status.success());
    assert_same(
        &files_but(&out, &["manifest.json"]),
        &files_but(&whole, &["manifest.json"]),
    );
}

#[test]
fn resume_refuses_the_checkpoint_of_another_seed() {
    let dir = tempfile::tempdir().unwrap();
    let file = slow(dir.path(), 1000);
    let out = dir.path().join("out");
    let checkpoint = dir.path().join("out.checkpoint.vshard");
    // A checkpoint of seed 1: merge writes one shard file of the runs given.
    villagesim(dir.path())
        .arg("run")
        .arg(&file)
        .args(["--shard", "0/2", "--seed", "1", "--quiet", "--out"])
        .arg(dir.path().join("shards"))
        .assert()
        .success();
    std::fs::rename(dir.path().join("shards/shard-0-of-2.vshard"), &checkpoint).unwrap();
    villagesim(dir.path())
        .arg("run")
        .arg(&file)
        .args(["--resume", "--seed", "2", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::function::function(|e: &str| {
            says(e, "out.checkpoint.vshard") && says(e, "seeds differ: 1 against 2")
        }));
    assert!(checkpoint.exists(), "a refused checkpoint is kept");
}
