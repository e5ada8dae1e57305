//! A job split into shards and merged gives the outputs of one run, byte for
//! byte (manifest.json apart, which records how and where it ran); `merge`
//! refuses shards that do not make one job, naming the files.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{flat, says, villagesim};

const RUNS: &str = "600";

/// Every file under `dir` (but manifest.json and shard files), by path
/// relative to `dir`.
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
    let names: Vec<_> = a.keys().collect();
    assert_eq!(names, b.keys().collect::<Vec<_>>(), "different files");
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{} differs from the single run's", name.display());
    }
}

/// The scenario copied into `dir`, so that its relative paths hold.
fn scenario(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml")).unwrap();
    common::write(dir, "quickstart.toml", &text)
}

fn shard(dir: &Path, spec: &str, into: &str, extra: &[&str]) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_villagesim"));
    cmd.current_dir(dir)
        .args(["run", "quickstart.toml", "--runs", RUNS, "--quiet", "--shard", spec])
        .args(["--out", into])
        .args(if extra.contains(&"--seed") {
            &[][..]
        } else {
            &["--seed", "5"][..]
        })
        .args(extra)
        .stdout(std::process::Stdio::null());
    cmd.spawn().unwrap()
}

fn shards(dir: &Path, k: u64, into: &str) -> Vec<PathBuf> {
    // Some at once, in reverse order: the split does not depend on it.
    let mut children: Vec<_> = (0..k)
        .rev()
        .map(|i| shard(dir, &format!("{i}/{k}"), into, &[]))
        .collect();
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    (0..k)
        .map(|i| dir.join(into).join(format!("shard-{i}-of-{k}.vshard")))
        .collect()
}

fn merge(dir: &Path, files: &[PathBuf], extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = villagesim(dir);
    cmd.arg("merge").args(files).args(extra).arg("--quiet");
    cmd.assert()
}

#[test]
fn shards_merged_equal_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    villagesim(dir)
        .args([
            "run",
            "quickstart.toml",
            "--runs",
            RUNS,
            "--seed",
            "5",
            "--quiet",
            "--out",
            "single",
        ])
        .assert()
        .success();
    for k in [1, 3, 8] {
        let files = shards(dir, k, &format!("s{k}"));
        let out = format!("merged{k}");
        merge(dir, &files, &["--out", &out, "--threads", "1"]).success();
        assert_same_outputs(&dir.join("single"), &dir.join(&out));
        eprintln!("{k} shards merged: the same outputs as one run");
    }
    // A tree: shards 0-2 and 3-7 of 8 merged into two shards, then those.
    let files = shards(dir, 8, "tree");
    merge(dir, &files[..3], &["--shard-out", "tree/a.vshard"]).success();
    merge(dir, &files[3..], &["--shard-out", "tree/b.vshard"]).success();
    let halves = [dir.join("tree/b.vshard"), dir.join("tree/a.vshard")];
    merge(dir, &halves, &["--out", "merged-tree"]).success();
    assert_same_outputs(&dir.join("single"), &dir.join("merged-tree"));
    // The report states the one command that makes these results.
    let report = std::fs::read_to_string(dir.join("merged-tree/report.md")).unwrap();
    assert!(
        report.contains("villagesim run quickstart.toml --runs 600 --seed 5"),
        "{report}"
    );
}

#[test]
fn merge_refuses_shards_that_do_not_make_one_job() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    let files = shards(dir, 3, "s3");
    let text = |a: &assert_cmd::assert::Assert| flat(&String::from_utf8_lossy(&a.get_output().stderr));

    // A missing range, named with the files beside it.
    let a = merge(dir, &[files[0].clone(), files[2].clone()], &["--out", "x"]).failure();
    let e = text(&a);
    assert!(says(&e, "runs 200-399 are missing"), "{e}");
    assert!(
        says(&e, "shard-0-of-3.vshard") && says(&e, "shard-2-of-3.vshard"),
        "{e}"
    );
    assert!(!dir.join("x").exists(), "a refused merge wrote outputs");

    // An overlap: shard 0 of 2 holds runs 0-299, which shard 1 of 3 overlaps.
    assert!(shard(dir, "0/2", "s2", &[]).wait().unwrap().success());
    let other = dir.join("s2/shard-0-of-2.vshard");
    let e = text(&merge(dir, &[files[1].clone(), other.clone(), files[2].clone()], &[]).failure());
    assert!(says(&e, "runs 200-299 are in both"), "{e}");
    assert!(
        says(&e, "shard-0-of-2.vshard") && says(&e, "shard-1-of-3.vshard"),
        "{e}"
    );

    // Another seed, another scenario, another run count.
    assert!(shard(dir, "1/3", "seed", &["--seed", "6"]).wait().unwrap().success());
    let e = text(
        &merge(
            dir,
            &[files[0].clone(), dir.join("seed/shard-1-of-3.vshard"), files[2].clone()],
            &[],
        )
        .failure(),
    );
    assert!(
        says(&e, "seeds differ: 5 against 6") && says(&e, "seed/shard-1-of-3.vshard"),
        "{e}"
    );
    let edited = std::fs::read_to_string(dir.join("quickstart.toml")).unwrap() + "\n# edited\n";
    common::write(dir, "quickstart.toml", &edited);
    assert!(shard(dir, "1/3", "edited", &[]).wait().unwrap().success());
    let e = text(&merge(dir, &[files[0].clone(), dir.join("edited/shard-1-of-3.vshard")], &[]).failure());
    assert!(says(&e, "scenarios (SHA-256 of the file) differ"), "{e}");

    // Truncated, corrupted, not a shard at all.
    let bytes = std::fs::read(&files[1]).unwrap();
    let cut = common::write(dir, "cut.vshard", "");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = text(&merge(dir, &[files[0].clone(), cut, files[2].clone()], &[]).failure());
    assert!(says(&e, "cut.vshard: truncated"), "{e}");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let bad = dir.join("bad.vshard");
    std::fs::write(&bad, &flipped).unwrap();
    let e = text(&merge(dir, &[files[0].clone(), bad, files[2].clone()], &[]).failure());
    assert!(says(&e, "bad.vshard: corrupted: the checksum does not match"), "{e}");
    let e = text(&merge(dir, &[dir.join("quickstart.toml")], &[]).failure());
    assert!(says(&e, "quickstart.toml: not a villagesim shard file"), "{e}");
    let mut newer = bytes;
    newer[8] = 99;
    let newer_path = dir.join("newer.vshard");
    std::fs::write(&newer_path, &newer).unwrap();
    let e = text(&merge(dir, &[newer_path], &[]).failure());
    assert!(says(&e, "shard format version 99"), "{e}");
}

#[test]
fn bad_shard_specs_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    for (spec, message) in [
        ("3/3", "I = 3 is not below K = 3"),
        ("1", "no '/'"),
        ("a/3", "I is not a whole number"),
        ("0/0", "K must be at least 1"),
        ("auto/4", "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"),
        ("0/601", "use at most 600 shards"),
    ] {
        let a = villagesim(dir)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .args(["run", "quickstart.toml", "--runs", RUNS, "--shard", spec])
            .assert()
            .failure();
        let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(says(&e, message), "--shard {spec}: {e}");
    }
    // auto/K reads the scheduler's index.
    villagesim(dir)
        .env("SLURM_ARRAY_TASK_ID", "2")
        .args([
            "run",
            "quickstart.toml",
            "--runs",
            RUNS,
            "--quiet",
            "--shard",
            "auto/4",
            "--out",
            "auto",
        ])
        .assert()
        .success();
    assert!(dir.join("auto/shard-2-of-4.vshard").is_file());
}
