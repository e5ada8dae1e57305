//! The command line end to end: init, validate, run, and what a run writes.

mod common;

use common::villagesim;
use predicates::str::contains;

#[test]
fn init_then_validate_then_run() {
    let dir = tempfile::tempdir().unwrap();
    villagesim(dir.path()).args(["init", "mine.toml"]).assert().success();
    villagesim(dir.path())
        .args(["init", "mine.toml"])
        .assert()
        .failure()
        .stderr(contains("--force"));
    villagesim(dir.path())
        .args(["validate", "mine.toml"])
        .assert()
        .success()
        .stdout(contains("valid"))
        .stdout(contains("villages: 12"))
        .stdout(contains("policies: 3"));
    villagesim(dir.path())
        .args(["run", "mine.toml", "--runs", "200", "--seed", "3"])
        .assert()
        .success()
        .stdout(contains("no intervention"))
        .stdout(contains("Outputs written to output/my-county"));
    let out = dir.path().join("output/my-county");
    for file in [
        "manifest.json",
        "summary.json",
        "portfolio_years.csv",
        "village_years.csv",
        "results.json",
        "village_years.bin",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    for chart in ["fan_mean_income", "below_floor", "final_distribution"] {
        for ext in ["svg", "png"] {
            let path = out.join(format!("charts/{chart}.{ext}"));
            assert!(
                std::fs::metadata(&path).map(|m| m.len() > 1000).unwrap_or(false),
                "{} missing",
                path.display()
            );
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["runs"], 200);
    assert_eq!(manifest["seed"], 3);
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let first = &summary["policies"][0];
    assert_eq!(first["name"], "no intervention");
    assert!(first["mean_village_income_yuan"]["se"].as_f64().unwrap() > 0.0);
    assert!(first["p_all_above_floor"]["se"].is_number());
    let header = std::fs::read_to_string(out.join("village_years.csv")).unwrap();
    assert!(header.starts_with("policy,village_id,village_name,township,year,mean_yuan,p5_yuan,p25_yuan,p50_yuan,p75_yuan,p95_yuan,p_below_floor"));
}

#[test]
fn bundled_quickstart_validates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    villagesim(root)
        .args(["validate", "scenarios/quickstart.toml"])
        .assert()
        .success()
        .stdout(contains("valid"));
}

/// The README shows the first lines `run scenarios/quickstart.toml`
/// prints, as it prints them: the policies' villages below the floor,
/// full coverage and costs.
#[test]
fn the_readme_shows_what_the_quickstart_prints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let block = readme
        .split("```text\n")
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.starts_with("Villages below the floor"))
        .expect("a block of the quickstart's first printed lines");
    let out = tempfile::tempdir().unwrap();
    let run = villagesim(root)
        .args(["run", "scenarios/quickstart.toml", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    let printed: Vec<&str> = stdout.lines().skip(1).take(block.lines().count()).collect();
    assert_eq!(printed, block.lines().collect::<Vec<_>>(), "{stdout}");
}

#[test]
fn help_shows_examples() {
    villagesim(std::path::Path::new("."))
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Examples:"));
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    villagesim(dir.path()).args(["init", "s.toml"]).assert().success();
    villagesim(dir.path())
        .args(["run", "s.toml", "--runs", "0"])
        .assert()
        .code(2)
        .stderr(contains("--runs 0"));
    villagesim(dir.path())
        .args(["run", "missing.toml"])
        .assert()
        .failure()
        .stderr(contains("cannot read scenario file"));
}

#[test]
fn every_bundled_scenario_validates_and_runs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        seen += 1;
        villagesim(root)
            .arg("validate")
            .arg(&path)
            .assert()
            .success()
            .stdout(contains("valid"));
        let dir = out.path().join(path.file_stem().unwrap());
        villagesim(root)
            .arg("run")
            .arg(&path)
            .args(["--runs", "64", "--quiet", "--out", dir.to_str().unwrap()])
            .assert()
            .success();
        assert!(dir.join("summary.json").is_file());
    }
    assert!(seen >= 3, "only {seen} bundled scenarios");
}

#[test]
fn compare_prints_paired_differences() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let out = out.path().to_str().unwrap();
    villagesim(root)
        .args(["compare", "scenarios/quickstart.toml", "--runs", "200", "--out", out])
        .assert()
        .success()
        .stdout(contains("Against \"no intervention\", run by run"))
        .stdout(contains("all three"));
    villagesim(root)
        .args([
            "compare",
            "scenarios/quickstart.toml",
            "--reference",
            "nope",
            "--out",
            out,
        ])
        .assert()
        .failure()
        .stderr(contains("no policy named \"nope\""));
}

#[test]
fn the_bundled_scenarios_use_every_kind() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = std::collections::BTreeSet::new();
    for file in ["wuxing-2018.toml", "huining-2025.toml", "quickstart.toml"] {
        let model = villagesim::scenario::load(&root.join("scenarios").join(file)).expect("valid");
        used.extend(model.interventions.iter().map(|iv| iv.kind.name()));
    }
    for kind in villagesim::model::kinds() {
        assert!(used.contains(kind), "no bundled scenario uses `{kind}`");
    }
}

#[test]
fn compare_several_files_over_the_same_villages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let quickstart = std::fs::read_to_string(root.join("scenarios/quickstart.toml")).unwrap();
    std::fs::write(dir.path().join("a.toml"), &quickstart).unwrap();
    // b gives the weak villages larger photovoltaic stations; four tickets is the same.
    let b = quickstart.replace("capacity_kw = 500 ", "capacity_kw = 600 ");
    assert_ne!(b, quickstart);
    std::fs::write(dir.path().join("b.toml"), b).unwrap();
    villagesim(dir.path())
        .args(["compare", "a.toml", "b.toml", "--runs", "300", "--out", "out"])
        .assert()
        .success()
        .stdout(contains("b: photovoltaic loans"));
    let csv = std::fs::read_to_string(dir.path().join("out/comparisons.csv")).unwrap();
    // The same policy in both files draws the same numbers: exactly zero difference.
    let same = csv
        .lines()
        .find(|l| l.starts_with("b: four tickets,a: four tickets,") && l.contains("diff_mean_village_income"))
        .expect("the pair is compared");
    let fields: Vec<&str> = same.split(',').collect();
    assert_eq!(&fields[5..12], &["0.00"; 7], "{same}");
    // The policy the edit touches does differ.
    let changed = csv
        .lines()
        .find(|l| {
            l.starts_with("b: photovoltaic loans,a: photovoltaic loans,") && l.contains("diff_mean_village_income")
        })
        .expect("the pair is compared");
    let fields: Vec<&str> = changed.split(',').collect();
    assert_ne!(&fields[5..12], &["0.00"; 7], "{changed}");
    // Different villages cannot be compared.
    std::fs::write(dir.path().join("c.toml"), quickstart.replace("count = 6", "count = 7")).unwrap();
    villagesim(dir.path())
        .args(["compare", "a.toml", "c.toml", "--runs", "10", "--out", "out2"])
        .assert()
        .failure()
        .stderr(contains("differ in their villages"));
}

/// `--central` fixes every uncertain value at its mean (the expected
/// income), `--central=median` at its median: for a lognormal income with
/// mean 500,000 and sd 300,000 the median is 500,000 / sqrt(1.36). The
/// same holds for an intervention's parameters: a lognormal stream of mean
/// 100,000 and sd 60,000 adds its median, 100,000 / sqrt(1.36).
#[test]
fn central_is_the_mean_unless_the_median_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}[[villages]]\nid = \"a\"\noperating_income = {{ lognormal = {{ mean = 500000, sd = 300000 }} }}\ngrowth = 0\n\n[[interventions]]\nid = \"s\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = {{ lognormal = {{ mean = 100000, sd = 60000 }} }}\n",
        common::header(1, 5)
    );
    common::write(dir.path(), "c.toml", &text);
    let income = |flag: &str, out: &str| {
        villagesim(dir.path())
            .args(["run", "c.toml", flag, "--out", out, "--quiet"])
            .assert()
            .success();
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(out).join("summary.json")).unwrap()).unwrap();
        let mean = |policy: usize| {
            summary["policies"][policy]["mean_village_income_yuan"]["mean"]
                .as_f64()
                .unwrap()
        };
        (mean(0), mean(1) - mean(0))
    };
    let (mean, mean_added) = income("--central", "mean");
    let (median, median_added) = income("--central=median", "median");
    assert!((mean - 500_000.0).abs() < 1e-6, "{mean}");
    assert!((median - 500_000.0 / 1.36f64.sqrt()).abs() < 1e-6, "{median}");
    assert!((mean_added - 100_000.0).abs() < 1e-6, "{mean_added}");
    assert!(
        (median_added - 100_000.0 / 1.36f64.sqrt()).abs() < 1e-6,
        "{median_added}"
    );
}

/// `explain` covers the kinds and the two tables a kind refers to.
#[test]
fn explain_prints_kinds_and_the_accounting_and_credit_tables() {
    let dir = tempfile::tempdir().unwrap();
    villagesim(dir.path())
        .args(["explain", "credit"])
        .assert()
        .success()
        .stdout(contains("guarantee_share"))
        .stdout(contains("国办发〔2019〕6号"));
    villagesim(dir.path())
        .args(["explain", "accounting"])
        .assert()
        .success()
        .stdout(contains("vat_exempt_sales_per_year_yuan"))
        .stdout(contains("reliefs_until_year"));
    villagesim(dir.path())
        .args(["explain", "pv_loan"])
        .assert()
        .success()
        .stdout(contains("station_life_years"))
        .stdout(contains("credit"));
    villagesim(dir.path())
        .args(["explain", "credt"])
        .assert()
        .failure()
        .stderr(contains("credit"));
}
