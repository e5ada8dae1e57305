//! A sweep split by point (`sweep --points I/K`) and merged gives the
//! outputs of one sweep, byte for byte (sweep.csv, the charts, the brief);
//! `merge` refuses points shards that do not make one sweep, naming the
//! files.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{flat, says, villagesim};

const RUNS: &str = "200";
/// Five points of one intervention's value: after the first point of a
/// share only the policies with the support fund are simulated again, so
/// a share not holding point 0 must give the others' outcomes exactly.
const RATE: &str = "interventions.support-fund.return_rate_per_year=4%:9%:5";

/// Every file under `dir`, by path relative to `dir`.
fn outputs(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
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
    assert!(a.len() >= 9, "{} holds {} files", expected.display(), a.len());
    assert!(a.contains_key(Path::new("sweep.csv")) && a.contains_key(Path::new("report.html")));
    let names: Vec<_> = a.keys().collect();
    assert_eq!(names, b.keys().collect::<Vec<_>>(), "different files");
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{} differs from the single sweep's", name.display());
    }
}

/// The scenario copied into `dir`, so that its relative paths hold.
fn scenario(dir: &Path) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml")).unwrap();
    common::write(dir, "quickstart.toml", &text);
}

fn sweep_args<'a>(sets: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sweep", "quickstart.toml", "--runs", RUNS, "--quiet", "--threads", "2"];
    for set in sets {
        args.extend(["--set", set]);
    }
    args.extend(extra);
    args
}

/// The points shards of `k` shares, simulated in reverse order, into `into`.
fn shares(dir: &Path, sets: &[&str], k: u64, into: &str, extra: &[&str]) -> Vec<PathBuf> {
    for i in (0..k).rev() {
        let spec = format!("{i}/{k}");
        let mut args = sweep_args(sets, extra);
        args.extend(["--points", &spec, "--out", into]);
        villagesim(dir).args(&args).assert().success();
    }
    (0..k)
        .map(|i| dir.join(into).join(format!("points-{i}-of-{k}.vpoints")))
        .collect()
}

fn merge(dir: &Path, files: &[PathBuf], extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = villagesim(dir);
    cmd.arg("merge").args(files).args(extra).arg("--quiet");
    cmd.assert()
}

fn single(dir: &Path, sets: &[&str], extra: &[&str], out: &str) {
    let mut args = sweep_args(sets, extra);
    args.extend(["--out", out]);
    villagesim(dir).args(&args).assert().success();
}

#[test]
fn points_merged_equal_one_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    single(dir, &[RATE], &[], "single");
    for k in [1, 2, 3] {
        let mut files = shares(dir, &[RATE], k, &format!("p{k}"), &[]);
        files.reverse();
        let out = format!("merged{k}");
        merge(dir, &files, &["--out", &out]).success();
        assert_same_outputs(&dir.join("single"), &dir.join(&out));
        eprintln!("{k} shares merged: the outputs of one sweep");
    }
    // The brief states the one sweep command that makes these results.
    let brief = std::fs::read_to_string(dir.join("merged3/report.md")).unwrap();
    assert!(
        brief.contains(&format!(
            "villagesim sweep quickstart.toml --set {RATE} --runs 200 --seed 2025"
        )),
        "{brief}"
    );
    // A tree: shares 0-1 of 3 merged into one points shard, then with share 2.
    let files = shares(dir, &[RATE], 3, "tree", &[]);
    merge(dir, &files[..2], &["--shard-out", "tree/a.vpoints"]).success();
    merge(
        dir,
        &[files[2].clone(), dir.join("tree/a.vpoints")],
        &["--out", "merged-tree"],
    )
    .success();
    assert_same_outputs(&dir.join("single"), &dir.join("merged-tree"));
}

/// Two parameters, a policy named and a Chinese brief: still the outputs
/// of one sweep.
#[test]
fn a_grid_of_two_parameters_in_chinese_merges_into_one_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    let sets = [
        "targets.floor=40万:60万:3",
        "interventions.support-fund.return_rate_per_year=4%:8%:2",
    ];
    let extra = ["--policy", "support fund", "--lang", "zh"];
    single(dir, &sets, &extra, "single");
    let files = shares(dir, &sets, 4, "p4", &extra);
    merge(dir, &files, &["--out", "merged", "--lang", "zh"]).success();
    assert_same_outputs(&dir.join("single"), &dir.join("merged"));
}

#[test]
fn merge_refuses_points_that_do_not_make_one_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    let files = shares(dir, &[RATE], 3, "p3", &[]);
    let text = |a: &assert_cmd::assert::Assert| flat(&String::from_utf8_lossy(&a.get_output().stderr));

    // A missing range, named with the files beside it.
    let e = text(&merge(dir, &[files[0].clone(), files[2].clone()], &["--out", "x"]).failure());
    assert!(says(&e, "points 1-2 are missing"), "{e}");
    assert!(
        says(&e, "points-0-of-3.vpoints") && says(&e, "points-2-of-3.vpoints"),
        "{e}"
    );
    assert!(!dir.join("x").exists(), "a refused merge wrote outputs");
    let e = text(&merge(dir, &files[..2], &["--out", "x"]).failure());
    assert!(says(&e, "points 3-4 are missing (after"), "{e}");
    assert!(says(&e, "p3/points-1-of-3.vpoints); the analysis has 5 points"), "{e}");

    // An overlap: share 0 of 2 holds points 0-1, which share 1 of 3 (1-2) overlaps.
    let other = shares(dir, &[RATE], 2, "p2", &[]);
    let e = text(&merge(dir, &[files[1].clone(), other[0].clone(), files[2].clone()], &[]).failure());
    assert!(says(&e, "point 1 is in both"), "{e}");
    assert!(
        says(&e, "points-0-of-2.vpoints") && says(&e, "points-1-of-3.vpoints"),
        "{e}"
    );

    // Another seed, other arguments, another scenario.
    let seed = shares(dir, &[RATE], 3, "seed", &["--seed", "6"]);
    let e = text(&merge(dir, &[files[0].clone(), seed[1].clone(), files[2].clone()], &[]).failure());
    assert!(
        says(&e, "seeds differ: 2025 against 6") && says(&e, "seed/points-1-of-3.vpoints"),
        "{e}"
    );
    let policy = shares(dir, &[RATE], 3, "policy", &["--policy", "all three"]);
    let e = text(&merge(dir, &[files[0].clone(), policy[1].clone(), files[2].clone()], &[]).failure());
    assert!(says(&e, "arguments differ"), "{e}");
    let edited = std::fs::read_to_string(dir.join("quickstart.toml")).unwrap() + "\n# edited\n";
    common::write(dir, "quickstart.toml", &edited);
    let changed = shares(dir, &[RATE], 3, "edited", &[]);
    let e = text(&merge(dir, &[files[0].clone(), changed[1].clone(), files[2].clone()], &[]).failure());
    assert!(says(&e, "scenarios (SHA-256 of the file) differ"), "{e}");

    // Truncated, corrupted, a run shard among points shards, not a shard.
    let bytes = std::fs::read(&files[1]).unwrap();
    let cut = dir.join("cut.vpoints");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = text(&merge(dir, &[files[0].clone(), cut, files[2].clone()], &[]).failure());
    assert!(says(&e, "cut.vpoints: truncated"), "{e}");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let bad = dir.join("bad.vpoints");
    std::fs::write(&bad, &flipped).unwrap();
    let e = text(&merge(dir, &[files[0].clone(), bad, files[2].clone()], &[]).failure());
    assert!(says(&e, "bad.vpoints: corrupted: the checksum does not match"), "{e}");
    let e = text(&merge(dir, &[files[0].clone(), dir.join("quickstart.toml")], &[]).failure());
    assert!(says(&e, "quickstart.toml: not a villagesim points shard file"), "{e}");
    let mut newer = bytes;
    newer[8] = 99;
    let newer_path = dir.join("newer.vpoints");
    std::fs::write(&newer_path, &newer).unwrap();
    let e = text(&merge(dir, &[files[0].clone(), newer_path], &[]).failure());
    assert!(says(&e, "points shard format version 99"), "{e}");
}

#[test]
fn bad_points_specs_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    for (spec, message) in [
        ("5/5", "--points 5/5: I = 5 is not below K = 5"),
        ("1", "no '/'"),
        ("0/0", "K must be at least 1"),
        ("auto/4", "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"),
        (
            "0/6",
            "6 shares of a sweep of 5 points would leave some empty; use at most 5",
        ),
    ] {
        let a = villagesim(dir)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .args([
                "sweep",
                "quickstart.toml",
                "--runs",
                RUNS,
                "--set",
                RATE,
                "--points",
                spec,
            ])
            .assert()
            .code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(says(&e, message), "--points {spec}: {e}");
    }
    let a = villagesim(dir)
        .args([
            "sweep",
            "quickstart.toml",
            "--set",
            RATE,
            "--points",
            "0/2",
            "--policy",
            "nope",
        ])
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(says(&e, "no policy named \"nope\""), "{e}");
    // auto/K reads the scheduler's index; the default folder is the sweep's.
    villagesim(dir)
        .env("JOB_COMPLETION_INDEX", "1")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .args([
            "sweep",
            "quickstart.toml",
            "--runs",
            RUNS,
            "--quiet",
            "--set",
            RATE,
            "--points",
            "auto/2",
        ])
        .assert()
        .success();
    assert!(dir
        .join("output/quickstart-county/sweep/points/points-1-of-2.vpoints")
        .is_file());
}

fn sensitivity_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "sensitivity",
        "quickstart.toml",
        "--runs",
        RUNS,
        "--samples",
        "8",
        "--quiet",
        "--threads",
        "2",
    ];
    args.extend(extra);
    args
}

/// The points shards of `k` shares of the sensitivity analysis, simulated
/// in reverse order, into `into`.
fn sensitivity_shares(dir: &Path, k: u64, into: &str, extra: &[&str]) -> Vec<PathBuf> {
    for i in (0..k).rev() {
        let spec = format!("{i}/{k}");
        let mut args = sensitivity_args(extra);
        args.extend(["--points", &spec, "--out", into]);
        villagesim(dir).args(&args).assert().success();
    }
    (0..k)
        .map(|i| dir.join(into).join(format!("points-{i}-of-{k}.vpoints")))
        .collect()
}

/// A sensitivity analysis split by simulation: the tornado's simulations
/// and the design points, each share also simulating the baseline, merged
/// into the outputs of one analysis (sensitivity.csv, the tornado, the
/// brief), in English and in Chinese, also as a tree.
#[test]
fn sensitivity_simulations_merged_equal_one_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    let mut args = sensitivity_args(&[]);
    args.extend(["--out", "single"]);
    villagesim(dir).args(&args).assert().success();
    assert!(dir.join("single/sensitivity.csv").is_file());
    for k in [1, 3, 7] {
        let files = sensitivity_shares(dir, k, &format!("s{k}"), &[]);
        let out = format!("merged{k}");
        merge(dir, &files, &["--out", &out]).success();
        assert_same_sensitivity(&dir.join("single"), &dir.join(&out));
    }
    // A tree: shares 1-2 of 3 into one points shard, then with share 0.
    let files = sensitivity_shares(dir, 3, "tree", &[]);
    merge(dir, &files[1..], &["--shard-out", "tree/b.vpoints"]).success();
    merge(
        dir,
        &[dir.join("tree/b.vpoints"), files[0].clone()],
        &["--out", "merged-tree"],
    )
    .success();
    assert_same_sensitivity(&dir.join("single"), &dir.join("merged-tree"));
    // In Chinese, with the per-village inputs fixed and a policy named.
    let extra = ["--per-village", "fix", "--policy", "support fund", "--lang", "zh"];
    let mut args = sensitivity_args(&extra);
    args.extend(["--out", "single-zh"]);
    villagesim(dir).args(&args).assert().success();
    let files = sensitivity_shares(dir, 4, "zh", &extra);
    merge(dir, &files, &["--out", "merged-zh", "--lang", "zh"]).success();
    assert_same_sensitivity(&dir.join("single-zh"), &dir.join("merged-zh"));
}

fn assert_same_sensitivity(expected: &Path, found: &Path) {
    let (a, b) = (outputs(expected), outputs(found));
    assert!(a.contains_key(Path::new("sensitivity.csv")) && a.contains_key(Path::new("report.html")));
    assert!(a.len() >= 5, "{} holds {} files", expected.display(), a.len());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "different files"
    );
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{} differs from the single analysis's",
            name.display()
        );
    }
}

#[test]
fn merge_refuses_sensitivity_shares_that_do_not_make_one_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scenario(dir);
    let files = sensitivity_shares(dir, 3, "s3", &[]);
    let text = |a: &assert_cmd::assert::Assert| flat(&String::from_utf8_lossy(&a.get_output().stderr));
    // quickstart has 10 uncertain inputs: 20 tornado simulations and 8 design points.
    let e = text(&merge(dir, &files[..2], &["--out", "x"]).failure());
    assert!(
        says(&e, "simulations 18-27 are missing (after") && says(&e, "the analysis has 28 simulations"),
        "{e}"
    );
    assert!(!dir.join("x").exists(), "a refused merge wrote outputs");
    let other = sensitivity_shares(dir, 3, "fixed", &["--per-village", "fix"]);
    let e = text(&merge(dir, &[files[0].clone(), other[1].clone(), files[2].clone()], &[]).failure());
    assert!(
        says(&e, "arguments differ") && says(&e, "fixed/points-1-of-3.vpoints"),
        "{e}"
    );
    // A sweep's points are not a sensitivity analysis's.
    let sweep = shares(dir, &[RATE], 2, "sweep", &[]);
    let e = text(&merge(dir, &[files[0].clone(), sweep[1].clone()], &[]).failure());
    assert!(says(&e, "analyses differ: sensitivity against sweep"), "{e}");
    // Too many shares.
    let a = villagesim(dir)
        .args(["sensitivity", "quickstart.toml", "--samples", "8", "--points", "0/29"])
        .assert()
        .code(2);
    let e = flat(&String::from_utf8_lossy(&a.get_output().stderr));
    assert!(
        says(
            &e,
            "29 shares of a sensitivity analysis of 28 simulations would leave some empty; use at most 28"
        ),
        "{e}"
    );
}
