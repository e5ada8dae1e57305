//! Golden outputs: every file the bundled scenarios produce at a small run
//! count, byte for byte, so a restructuring that should keep behaviour can
//! prove it did.
//!
//! Each case runs the real binary in a scratch folder (relative paths, fixed
//! threads) and compares the SHA-256 of every output file with
//! `tests/golden/<case>.sha256`. Only the manifest's timings and peak memory,
//! and the binary's own path, are set aside: they differ from run to run.
//!
//! When an output changes on purpose, rewrite the digests with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and commit them in a commit of
//! their own that says why. On a mismatch the actual outputs are kept under
//! `target/golden-actual/<case>/` for inspection.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// One golden case: a name, the bundled scenario, the commands to run in
/// order (each a list of arguments) and the folder whose files are compared.
struct Case {
    name: &'static str,
    scenario: &'static str,
    commands: Vec<Vec<&'static str>>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "quickstart",
            scenario: "quickstart.toml",
            commands: vec![vec![
                "run",
                "quickstart.toml",
                "--runs",
                "40",
                "--out",
                "out",
                "--quiet",
                "--threads",
                "2",
            ]],
        },
        Case {
            name: "quickstart-report-zh",
            scenario: "quickstart.toml",
            commands: vec![
                vec![
                    "run",
                    "quickstart.toml",
                    "--runs",
                    "30",
                    "--out",
                    "out",
                    "--quiet",
                    "--threads",
                    "2",
                ],
                vec!["report", "out", "--lang", "zh"],
            ],
        },
        Case {
            name: "wuxing",
            scenario: "wuxing-2018.toml",
            commands: vec![vec![
                "run",
                "wuxing-2018.toml",
                "--runs",
                "40",
                "--out",
                "out",
                "--quiet",
                "--threads",
                "2",
            ]],
        },
        Case {
            name: "huining-zh",
            scenario: "huining-2025.toml",
            commands: vec![vec![
                "run",
                "huining-2025.toml",
                "--runs",
                "30",
                "--out",
                "out",
                "--quiet",
                "--threads",
                "2",
                "--lang",
                "zh",
            ]],
        },
        Case {
            name: "quickstart-sweep",
            scenario: "quickstart.toml",
            commands: vec![vec![
                "sweep",
                "quickstart.toml",
                "--set",
                "targets.floor=40万:60万:3",
                "--runs",
                "20",
                "--out",
                "out",
                "--quiet",
                "--threads",
                "2",
            ]],
        },
        Case {
            name: "quickstart-sensitivity",
            scenario: "quickstart.toml",
            commands: vec![vec![
                "sensitivity",
                "quickstart.toml",
                "--samples",
                "8",
                "--runs",
                "20",
                "--out",
                "out",
                "--quiet",
                "--threads",
                "2",
            ]],
        },
    ]
}

/// The manifest without what differs from run to run.
fn normalised_manifest(bytes: &[u8]) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).expect("manifest.json is JSON");
    if let Some(map) = value.as_object_mut() {
        for volatile in ["wall_time_seconds", "village_years_per_second", "peak_memory_mb"] {
            map.remove(volatile);
        }
        if let Some(first) = map.get_mut("command_line").and_then(|c| c.get_mut(0)) {
            *first = serde_json::Value::String("villagesim".into());
        }
    }
    serde_json::to_vec_pretty(&value).expect("encode")
}

/// `relative path -> sha256` of every file under `dir`.
fn digests(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, at: &Path, into: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(at)
            .expect("read the output folder")
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, into);
                continue;
            }
            let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let mut bytes = std::fs::read(&path).expect("read an output");
            if name.ends_with("manifest.json") {
                bytes = normalised_manifest(&bytes);
            }
            let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            into.insert(name, digest);
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn listing(digests: &BTreeMap<String, String>) -> String {
    digests.iter().map(|(name, d)| format!("{d}  {name}\n")).collect()
}

fn golden_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{case}.sha256"))
}

fn run_case(case: &Case) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("scenarios").join(case.scenario),
        dir.path().join(case.scenario),
    )
    .unwrap();
    for args in &case.commands {
        let output = common::villagesim(dir.path())
            .args(args)
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "{}: `villagesim {}` failed: {}",
            case.name,
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let out = dir.path().join("out");
    let found = digests(&out);
    let expected = std::fs::read_to_string(golden_path(case.name)).unwrap_or_default();
    if listing(&found) != expected && std::env::var_os("UPDATE_GOLDEN").is_none() {
        let keep = root.join("target/golden-actual").join(case.name);
        let _ = std::fs::remove_dir_all(&keep);
        copy_dir(&out, &keep);
    }
    found
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn bundled_scenarios_give_the_golden_outputs() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut problems = Vec::new();
    for case in cases() {
        let found = run_case(&case);
        let path = golden_path(case.name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, listing(&found)).unwrap();
            continue;
        }
        let expected: BTreeMap<String, String> = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once("  ").map(|(d, n)| (n.to_string(), d.to_string())))
            .collect();
        let changed: Vec<String> = found
            .keys()
            .chain(expected.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|name| found.get(*name) != expected.get(*name))
            .map(|name| match (expected.contains_key(name), found.contains_key(name)) {
                (false, _) => format!("{name} (new)"),
                (_, false) => format!("{name} (missing)"),
                _ => format!("{name} (changed)"),
            })
            .collect();
        if !changed.is_empty() {
            problems.push(format!(
                "{}: {} (actual outputs in target/golden-actual/{})",
                case.name,
                changed.join(", "),
                case.name
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "outputs differ from the golden files (UPDATE_GOLDEN=1 rewrites them, in a commit that says why):\n{}",
        problems.join("\n")
    );
}
