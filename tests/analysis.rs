//! Sweeps and sensitivity analysis: common random numbers across points,
//! exact linearity in a fund's rate, the input that carries the variance
//! ranked first, bad paths, and both commands end to end.

mod common;

use std::path::Path;

use common::{header, villagesim, write};
use predicates::str::contains;
use villagesim::analysis::sensitivity::{self, Options};
use villagesim::analysis::sweep::{self, SweepSpec};
use villagesim::analysis::{AnalysisError, Scenario, Settings};

/// Ten villages with uncertain incomes and growth, a support fund of 1000万
/// (no default hazard), and an income stream in no policy.
fn fund_scenario() -> String {
    header(5, 300)
        + r#"
[factors.economy]
persistence = 0.3

[[villages]]
group = "weak"
count = 10
operating_income = "20万 to 45万"
growth = { normal = { mean = 0.03, sd = 0.06 } }
loadings = { economy = 0.05 }

[[interventions]]
id = "support-fund"
kind = "support_fund"
villages = { group = "weak" }
government_capital_yuan = "500万"
village_capital_yuan = "500万"
return_rate_per_year = "6%"

[[interventions]]
id = "unused"
kind = "income_stream"
villages = { group = "weak" }
amount = "3万 to 8万"

[[policies]]
name = "fund"
interventions = ["support-fund"]
"#
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_text("test.toml", text, Path::new("."))
}

fn settings() -> Settings {
    Settings {
        runs: None,
        seed: None,
        threads: 2,
        ..Default::default()
    }
}

fn sweep_of(text: &str, set: &[&str]) -> sweep::SweepResult {
    let spec = SweepSpec::parse(&set.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    sweep::run(&scenario(text), &spec, &settings(), &|| {}).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_parameter_outside_every_policy_changes_nothing() {
    let result = sweep_of(&fund_scenario(), &["interventions.unused.amount=1万:50万:5"]);
    assert_eq!(result.points.len(), 5);
    let first = &result.points[0].outcomes;
    assert!(first[1].mean_income.se > 0.0, "the outcome is uncertain");
    for point in &result.points[1..] {
        // Exact equality: every point runs on the same random numbers.
        assert_eq!(&point.outcomes, first);
    }
}

#[test]
fn income_is_linear_in_the_fund_rate() {
    let result = sweep_of(
        &fund_scenario(),
        &["interventions.support-fund.return_rate_per_year=4%:10%:7"],
    );
    let rates: Vec<f64> = result.points.iter().map(|p| p.values[0]).collect();
    assert_eq!(rates, [0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10]);
    let fund = result.policies.iter().position(|p| p == "fund").unwrap();
    let income: Vec<f64> = result
        .points
        .iter()
        .map(|p| p.outcomes[fund].mean_income.mean)
        .collect();
    let level = income[0];
    for w in income.windows(3) {
        let second = w[2] - 2.0 * w[1] + w[0];
        assert!(second.abs() <= 1e-9 * level, "second difference {second} in {income:?}");
    }
    // The pool of 1000万 shared by 10 villages: 10,000 yuan a village per point.
    let slope = (income[6] - income[0]) / 6.0;
    assert!((slope - 10_000.0).abs() < 1e-6, "{slope}");
    // The counterfactual does not move.
    let none: Vec<f64> = result.points.iter().map(|p| p.outcomes[0].mean_income.mean).collect();
    assert!(none.iter().all(|x| *x == none[0]));
}

#[test]
fn the_input_carrying_the_variance_ranks_first() {
    let text = header(3, 400)
        + r#"
[[villages]]
group = "g"
count = 5
operating_income = "30万"

[[interventions]]
id = "tiny"
kind = "income_stream"
villages = "all"
amount = { range = "100 to 110", per = "run" }

[[interventions]]
id = "big"
kind = "income_stream"
villages = "all"
amount = { range = "5万 to 50万", per = "run" }

[[policies]]
name = "both"
interventions = ["tiny", "big"]
"#;
    let options = Options {
        policy: None,
        samples: 20,
        ..Default::default()
    };
    let result = sensitivity::run(&scenario(&text), &settings(), &options, &|| {}).unwrap();
    assert_eq!(result.policy, "both");
    let names: Vec<&str> = result.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["big.amount", "tiny.amount"]);
    let big = &result.inputs[0];
    assert_eq!(big.rank, 1);
    assert_eq!(big.per, Some(villagesim::model::param::Per::Run));
    // P10 and P90 of the lognormal with 90% interval 5万..50万.
    let (mu, sigma) = (
        (50_000f64.ln() + 500_000f64.ln()) / 2.0,
        (10f64).ln() / (2.0 * 1.644_853_626_951_472),
    );
    assert!((big.p10 - (mu - 1.281_551_565_545 * sigma).exp()).abs() < 1e-3 * big.p10);
    assert!((big.p90 - (mu + 1.281_551_565_545 * sigma).exp()).abs() < 1e-3 * big.p90);
    // With the amount fixed, every run gives each village 30万 + amount (+ ~105):
    // below the floor of 50万 at the P10 (about 9.9万), above it at the P90 (about 25万).
    assert_eq!(big.at_p10.below_floor, 5.0);
    assert_eq!(big.at_p90.below_floor, 0.0);
    assert_eq!(big.swing, 5.0);
    assert!((big.at_p90.mean_income - (300_000.0 + big.p90)).abs() < 200.0);
    assert_eq!(result.inputs[1].swing, 0.0);
    assert!(big.rank_correlation.unwrap() < -0.8, "{:?}", big.rank_correlation);
    let tiny = result.inputs[1].rank_correlation.unwrap_or(0.0);
    assert!(tiny.abs() < 0.6, "{tiny}");
}

#[test]
fn a_bad_path_is_a_clear_error() {
    let spec = SweepSpec::parse(&["interventions.suport-fund.return_rate_per_year=4%:10%:2".to_string()]).unwrap();
    let e = sweep::run(&scenario(&fund_scenario()), &spec, &settings(), &|| {}).unwrap_err();
    assert!(matches!(e, AnalysisError::Path { .. }), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains("interventions.suport-fund.return_rate_per_year"),
        "{message}"
    );
    assert!(message.contains("support-fund, unused"), "{message}");

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "county.toml", &fund_scenario());
    villagesim(dir.path())
        .args([
            "sweep",
            "county.toml",
            "--set",
            "interventions.support-fund.rate=4%:10%:3",
        ])
        .assert()
        .failure()
        .code(1)
        .stderr(contains("unknown field `rate`"))
        .stderr(contains("return_rate_per_year"));
    villagesim(dir.path())
        .args(["sweep", "county.toml", "--set", "scenari.years=3:5:3"])
        .assert()
        .failure()
        .code(2)
        .stderr(contains("scenari.years"))
        .stderr(contains("scenario, targets"));
    villagesim(dir.path())
        .args(["sensitivity", "county.toml", "--policy", "nope"])
        .assert()
        .failure()
        .code(2)
        .stderr(contains("no policy named"));
}

#[test]
fn both_commands_write_csv_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "county.toml", &fund_scenario());
    villagesim(dir.path())
        .args([
            "sweep",
            "county.toml",
            "--set",
            "interventions.support-fund.return_rate_per_year=4%:10%:3",
            "--set",
            "scenario.years=3:5:2",
            "--runs",
            "100",
        ])
        .assert()
        .success()
        .stdout(contains("Outputs written to output/test/sweep"));
    let out = dir.path().join("output/test/sweep");
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.starts_with(
        "point,parameter_1,parameter_1_label,value_1,parameter_2,parameter_2_label,value_2,year,policy,policy_label,metric,mean,se,p5,p50,p95\n"
    ));
    // 6 points x 2 policies x 7 metrics.
    assert_eq!(csv.lines().count(), 1 + 6 * 2 * 7);
    let mut files = vec![
        "sweep.csv".to_string(),
        "report.html".to_string(),
        "report.md".to_string(),
    ];
    for stem in ["sweep_mean_income", "sweep_full_coverage", "sweep_below_floor"] {
        for ext in ["svg", "png"] {
            files.push(format!("charts/{stem}.{ext}"));
        }
    }
    for f in &files {
        let len = std::fs::metadata(out.join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "{f}: {len} bytes");
    }

    villagesim(dir.path())
        .args([
            "sensitivity",
            "county.toml",
            "--runs",
            "100",
            "--samples",
            "8",
            "--out",
            "sens",
        ])
        .assert()
        .success()
        .stdout(contains("weak: baseline operating income"))
        .stdout(contains("Outputs written to sens"));
    let out = dir.path().join("sens");
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(csv.starts_with("rank,input,name,path,per,treatment,draws_averaged,value_at_p10,value_at_p90,below_floor_at_p10,below_floor_at_p90,swing_villages,"));
    // Three uncertain inputs: two of the villages and the unused stream's amount
    // (in no policy: no swing, ranked last); the fund has none (its rate is fixed).
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[2].starts_with("3,") && rows[2].contains("unused.amount") && rows[2].contains(",0,"),
        "{csv}"
    );
    for ext in ["svg", "png"] {
        let len = std::fs::metadata(out.join(format!("charts/tornado.{ext}")))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 1000, "tornado.{ext}: {len} bytes");
    }
    // No staging folder is left behind.
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn absurd_sample_counts_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("scenarios/quickstart.toml");
    let assert = common::villagesim(dir.path())
        .args([
            "sensitivity",
            file.to_str().unwrap(),
            "--samples",
            "1000000000",
            "--quiet",
        ])
        .args(["--out", dir.path().join("out").to_str().unwrap()])
        .assert()
        .failure()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("use 0 to 10000"), "{stderr}");
}
