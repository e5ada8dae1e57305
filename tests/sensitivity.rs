//! `villagesim sensitivity`: the outcome is the number of villages below the
//! floor; inputs drawn per village are shifted (or, with `--per-village
//! fix`, fixed) and the CSV says which; the policy whose count never varies
//! is passed over; the report is written with the rest, all or nothing; the
//! outputs do not depend on the thread count.

mod common;

use std::path::Path;

use common::{header, villagesim, write};
use villagesim::analysis::sensitivity::{self, Options, PerVillage, Treatment, Z_P90};
use villagesim::analysis::{Scenario, Settings};

/// Eight villages at 40万 that grow by N(0.05, 0.06) a village-year; a
/// stream of `amount` a village (drawn once per run) lifts them towards
/// the floor of 50万; a top-up to the floor in the last policy.
fn county(amount: &str) -> String {
    header(3, 200)
        + &format!(
            r#"
[[villages]]
group = "weak"
count = 8
operating_income = "40万"
growth = {{ normal = {{ mean = 0.05, sd = 0.06 }} }}

[[interventions]]
id = "stream"
kind = "income_stream"
villages = "all"
amount = {{ range = "{amount}", per = "run" }}

[[interventions]]
id = "top-up"
kind = "top_up"
villages = "all"
booked_as = "investment-income"

[[policies]]
name = "stream"
interventions = ["stream"]

[[policies]]
name = "stream + top-up"
interventions = ["stream", "top-up"]
"#
        )
}

fn run(text: &str, per_village: PerVillage, threads: usize) -> sensitivity::SensitivityResult {
    let settings = Settings {
        threads,
        ..Default::default()
    };
    let options = Options {
        policy: None,
        samples: 6,
        per_village,
    };
    let scenario = Scenario::from_text("county.toml", text, Path::new("."));
    sensitivity::run(&scenario, &settings, &options, &|| {}).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_outcome_is_villages_below_the_floor_and_growth_is_shifted() {
    let r = run(&county("1万 to 3万"), PerVillage::Shift, 2);
    // The top-up leaves no village below the floor in any run: passed over.
    assert_eq!(r.policy, "stream");
    let passed = r.passed_over.as_ref().expect("the top-up policy is passed over");
    assert_eq!(passed.names[0], "stream + top-up");
    assert_eq!(passed.below_floor, 0.0);
    assert_eq!(r.year, 2027);
    let names: Vec<&str> = r.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let growth = r.inputs.iter().find(|i| i.name == "villages.weak.growth").unwrap();
    // Drawn per village-year by 8 villages over 3 years: shifted by
    // 1.2816 / sqrt(24) of its sd, the mean of N(0.05, 0.06) moved exactly so.
    assert_eq!(growth.treatment, Treatment::Shifted);
    assert_eq!(growth.draws, Some(24));
    let step = Z_P90 * 0.06 / 24f64.sqrt();
    assert!((growth.p10 - (0.05 - step)).abs() < 1e-12, "{}", growth.p10);
    assert!((growth.p90 - (0.05 + step)).abs() < 1e-12, "{}", growth.p90);
    // Faster growth leaves fewer villages below the floor; counts are means
    // of whole villages over 200 runs.
    assert!(growth.at_p10.below_floor > growth.at_p90.below_floor, "{growth:?}");
    assert!((0.0..=8.0).contains(&growth.at_p90.below_floor));
    assert_eq!((growth.at_p10.below_floor * 200.0).fract(), 0.0);
    assert_eq!(growth.swing, growth.at_p10.below_floor - growth.at_p90.below_floor);
    // The stream's amount is drawn once per run: fixed at its P10 and P90.
    let amount = r.inputs.iter().find(|i| i.name == "stream.amount").unwrap();
    assert_eq!(amount.treatment, Treatment::Fixed);
    assert_eq!(amount.draws, None);
    // Ranked by swing, from 1.
    assert!(r.inputs[0].swing >= r.inputs[1].swing);
    assert_eq!((r.inputs[0].rank, r.inputs[1].rank), (1, 2));
}

#[test]
fn with_per_village_fix_growth_is_fixed_for_every_village() {
    let shifted = run(&county("1万 to 3万"), PerVillage::Shift, 1);
    let fixed = run(&county("1万 to 3万"), PerVillage::Fix, 1);
    let g = |r: &sensitivity::SensitivityResult| r.inputs.iter().find(|i| i.name == "villages.weak.growth").cloned();
    let (s, f) = (g(&shifted).unwrap(), g(&fixed).unwrap());
    assert_eq!(f.treatment, Treatment::Fixed);
    assert_eq!(f.draws, None);
    // Fixed at the P10 / P90 of one draw, farther out than the average's.
    assert!((f.p10 - (0.05 - Z_P90 * 0.06)).abs() < 1e-12, "{}", f.p10);
    assert!(f.p10 < s.p10 && f.p90 > s.p90);
    // Every village at 0.05 + 1.28 * 0.06 = +12.7% a year for 3 years
    // reaches 40万 * exp(0.381) = 58.6万 plus the stream: none stays below.
    assert_eq!(f.at_p90.below_floor, 0.0);
    // The baseline does not depend on the treatment.
    assert_eq!(shifted.baseline, fixed.baseline);
}

#[test]
fn an_input_of_no_analysed_policy_moves_nothing() {
    // The analysed policy simulated alone gives the same figures as among
    // all the policies: an input outside it leaves the baseline exactly.
    let text = county("1万 to 3万").replace(
        "[[policies]]\nname = \"stream\"",
        "[[interventions]]\nid = \"unused\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = { range = \"1万 to 9万\", per = \"run\" }\n\n[[policies]]\nname = \"stream\"",
    );
    let r = run(&text, PerVillage::Shift, 2);
    let unused = r.inputs.iter().find(|i| i.name == "unused.amount").unwrap();
    assert_eq!(unused.at_p10, r.baseline);
    assert_eq!(unused.at_p90, r.baseline);
    assert_eq!(unused.swing, 0.0);
    assert_eq!(unused.rank, r.inputs.len());
}

/// Every file under `dir`, relative path and bytes, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let name = entry.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        out.push((name, std::fs::read(&entry).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_command_writes_csv_chart_and_report_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "county.toml", &county("1万 to 3万"));
    for (threads, out) in [("1", "one"), ("2", "two")] {
        villagesim(dir.path())
            .args([
                "sensitivity",
                "county.toml",
                "--runs",
                "100",
                "--samples",
                "5",
                "--quiet",
            ])
            .args(["--threads", threads, "--out", out])
            .assert()
            .success();
    }
    let one = files(&dir.path().join("one"));
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "charts/tornado.png",
            "charts/tornado.svg",
            "report.html",
            "report.md",
            "sensitivity.csv"
        ]
    );
    assert_eq!(
        one,
        files(&dir.path().join("two")),
        "outputs differ between 1 and 2 threads"
    );
    let text = |name: &str| String::from_utf8(one.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap();
    let csv = text("sensitivity.csv");
    let growth = csv.lines().find(|l| l.contains("villages.weak.growth")).unwrap();
    assert!(growth.contains(",village-year,shifted,24,"), "{growth}");
    let amount = csv.lines().find(|l| l.contains("stream.amount")).unwrap();
    assert!(amount.contains(",run,fixed,,"), "{amount}");
    let html = text("report.html");
    assert!(html.contains("<svg role=\"img\""), "the tornado is inline");
    assert!(html.contains("@font-face") && !html.contains("<script"));
    let md = text("report.md");
    assert!(md.contains("Whether "), "{md}");
    assert!(
        md.contains(
            "| weak: organic growth | drawn per village-year; shifted: the average of its 24 draws at P10 / P90 |"
        ),
        "{md}"
    );
    assert!(md.contains("![") && md.contains("charts/tornado.png"), "{md}");
    assert!(
        md.contains("“stream + top-up”, leaves no village below the floor in any run"),
        "{md}"
    );

    // With --per-village fix the CSV and the report say so.
    villagesim(dir.path())
        .args([
            "sensitivity",
            "county.toml",
            "--runs",
            "50",
            "--samples",
            "0",
            "--quiet",
        ])
        .args(["--per-village", "fix", "--out", "fix"])
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("fix/sensitivity.csv")).unwrap();
    let growth = csv.lines().find(|l| l.contains("villages.weak.growth")).unwrap();
    assert!(growth.contains(",village-year,fixed,,"), "{growth}");
    let md = std::fs::read_to_string(dir.path().join("fix/report.md")).unwrap();
    assert!(md.contains("--per-village fix"), "{md}");
}

#[test]
fn a_failed_analysis_leaves_the_previous_outputs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "county.toml", &county("1万 to 3万"));
    villagesim(dir.path())
        .args([
            "sensitivity",
            "county.toml",
            "--runs",
            "20",
            "--samples",
            "0",
            "--quiet",
            "--out",
            "out",
        ])
        .assert()
        .success();
    let before = files(&dir.path().join("out"));
    villagesim(dir.path())
        .args([
            "sensitivity",
            "county.toml",
            "--policy",
            "nope",
            "--quiet",
            "--out",
            "out",
        ])
        .assert()
        .failure()
        .code(2);
    assert_eq!(files(&dir.path().join("out")), before);
}
