//! A job split by policy group (`run --shard I/K --policies A,B`), each
//! group in shards of its own, merged: the outputs of one run byte for byte
//! (manifest.json apart), the paired comparisons across groups included;
//! `merge` refuses groups that do not make the job.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{says, villagesim};

const RUNS: &str = "300";

/// Every file under `dir` but manifest.json, by path relative to it.
fn outputs(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().unwrap() != "manifest.json" {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same_outputs(expected: &Path, found: &Path) {
    let (a, b) = (outputs(expected), outputs(found));
    assert!(a.len() > 10, "{} holds {} files", expected.display(), a.len());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "different files"
    );
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{} differs from the single run's", name.display());
    }
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// The single run of `file` into `dir/one`, and its policies' names.
fn one_run(dir: &Path, file: &Path) -> (PathBuf, Vec<String>) {
    let out = dir.join("one");
    villagesim(dir)
        .arg("run")
        .arg(file)
        .args(["--runs", RUNS, "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let results: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let names = results["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    (out, names)
}

/// Shards `0..k` of the group `names` into `dir/shards`; their paths.
fn group_shards(dir: &Path, file: &Path, names: &[String], k: u64) -> Vec<PathBuf> {
    let before: Vec<PathBuf> = list(&dir.join("shards"));
    for i in (0..k).rev() {
        villagesim(dir)
            .arg("run")
            .arg(file)
            .args(["--runs", RUNS, "--quiet", "--shard", &format!("{i}/{k}")])
            .args(["--policies", &names.join(","), "--out", "shards"])
            .assert()
            .success();
    }
    let mut new: Vec<PathBuf> = list(&dir.join("shards"))
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    new.sort();
    assert_eq!(new.len() as u64, k, "{new:?}");
    new
}

fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

fn merge(dir: &Path, files: &[PathBuf], extra: &[&str]) -> assert_cmd::assert::Assert {
    villagesim(dir)
        .arg("merge")
        .args(files)
        .args(extra)
        .arg("--quiet")
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn groups_merged_equal_one_run_in_every_bundled_scenario() {
    for file in ["quickstart.toml", "huining-2025.toml", "wuxing-2018.toml"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let file = scenario(file);
        let (one, names) = one_run(dir, &file);
        assert!(names.len() >= 4, "{names:?}");
        // The policies beyond the reference in two groups, the second also
        // naming the reference (which every group holds anyway).
        let rest = &names[1..];
        let (a, b) = rest.split_at(rest.len() / 2);
        let mut b = b.to_vec();
        b.insert(0, names[0].clone());
        let mut files = group_shards(dir, &file, a, 2);
        files.extend(group_shards(dir, &file, &b, 3));
        files.reverse();
        merge(dir, &files, &["--out", "merged"]).success();
        assert_same_outputs(&one, &dir.join("merged"));

        // In a tree: each group's shards into one, then the groups.
        let (first, second) = files.split_at(3);
        merge(dir, first, &["--shard-out", "b.vshard"]).success();
        merge(dir, second, &["--shard-out", "a.vshard"]).success();
        merge(dir, &[dir.join("a.vshard"), dir.join("b.vshard")], &["--out", "tree"]).success();
        assert_same_outputs(&one, &dir.join("tree"));
    }
}

#[test]
fn merge_refuses_groups_that_do_not_make_the_job() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = scenario("quickstart.toml");
    let (_, names) = one_run(dir, &file);
    let a = group_shards(dir, &file, &names[1..3], 1);
    let b = group_shards(dir, &file, &names[3..], 1);
    // A group missing.
    let e = stderr(&merge(dir, &a, &["--out", "m"]).code(2));
    assert!(says(&e, &format!("no shard holds \"{}\"", names[3])), "{e}");
    assert!(says(&e, &format!("--policies {}", names[3..].join(","))), "{e}");
    // A policy in two groups.
    let c = group_shards(dir, &file, &names[2..4], 1);
    let e = stderr(&merge(dir, &[a[0].clone(), b[0].clone(), c[0].clone()], &["--out", "m"]).code(2));
    assert!(says(&e, &format!("policy \"{}\" is in two groups", names[2])), "{e}");
    // A group with runs missing.
    villagesim(dir)
        .arg("run")
        .arg(&file)
        .args([
            "--runs",
            RUNS,
            "--quiet",
            "--shard",
            "0/2",
            "--policies",
            &names[3..].join(","),
            "--out",
            "half",
        ])
        .assert()
        .success();
    let half = list(&dir.join("half"));
    let e = stderr(&merge(dir, &[a[0].clone(), half[0].clone()], &["--out", "m"]).code(2));
    assert!(says(&e, "runs 150-299 are missing"), "{e}");
    // Groups beside a shard of every policy.
    villagesim(dir)
        .arg("run")
        .arg(&file)
        .args(["--runs", RUNS, "--quiet", "--shard", "0/1", "--out", "whole"])
        .assert()
        .success();
    let e = stderr(
        &merge(
            dir,
            &[a[0].clone(), dir.join("whole/shard-0-of-1.vshard")],
            &["--out", "m"],
        )
        .code(2),
    );
    assert!(
        says(&e, "holds every policy") && says(&e, "merge shards of one kind"),
        "{e}"
    );
    assert!(!dir.join("m").exists());
    // Bad --policies.
    let e = villagesim(dir)
        .arg("run")
        .arg(&file)
        .args(["--shard", "0/1", "--policies", "nope", "--quiet"])
        .assert()
        .code(2);
    assert!(
        says(&stderr(&e), "no policy named \"nope\"; the policies are:"),
        "{}",
        stderr(&e)
    );
    let e = villagesim(dir)
        .arg("run")
        .arg(&file)
        .args(["--policies", &names[1], "--quiet"])
        .assert()
        .code(2);
    assert!(says(&stderr(&e), "give --shard I/K too"), "{}", stderr(&e));
}

/// The megabytes of "estimated peak memory X MB" in `validate`'s output.
fn estimate_mb(out: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(out);
    let line = text
        .lines()
        .find(|l| l.contains("estimated peak memory"))
        .expect("an estimate");
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "memory").unwrap();
    let value: f64 = words[at + 1].parse().unwrap();
    match words[at + 2] {
        "MB" => value,
        "GB" => value * 1000.0,
        "KB" => value / 1000.0,
        unit => panic!("unit {unit}"),
    }
}

#[test]
fn validate_estimates_the_memory_of_a_group_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = scenario("huining-2025.toml");
    let (_, names) = one_run(dir, &file);
    let whole = villagesim(dir)
        .arg("validate")
        .arg(&file)
        .args(["--threads", "2"])
        .assert()
        .success();
    let group = villagesim(dir)
        .arg("validate")
        .arg(&file)
        .args(["--threads", "2", "--policies", &names[1]])
        .assert()
        .success()
        .stdout(predicates::str::contains(format!(
            "for a shard of the policies {}, {}",
            names[0], names[1]
        )));
    let (whole, group) = (
        estimate_mb(&whole.get_output().stdout),
        estimate_mb(&group.get_output().stdout),
    );
    // Two of the policies, and the base every task has.
    assert!(
        group < 0.7 * whole && group > whole * 2.0 / names.len() as f64 * 0.5,
        "{group} of {whole}"
    );
    let e = villagesim(dir)
        .arg("validate")
        .arg(&file)
        .args(["--policies", "nope"])
        .assert()
        .code(2);
    assert!(says(&stderr(&e), "no policy named \"nope\""));
}
