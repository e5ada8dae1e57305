//! `villagesim stress`: a stress that puts an input in its tail, or scales
//! it, gives the results of the scenario edited to that value; the
//! unstressed baseline is the plain run; a forced factor gives its closed
//! form; a forced operator default stops the fund's returns; the automatic
//! tails and the files written; clear refusals.

mod common;

use common::{header, says, villagesim, write};
use villagesim::analysis::stress::{self, Case, StressSpec};
use villagesim::analysis::{Scenario, Settings};

/// One village at 40万 a year, no growth except `0.1 Z` from the economy
/// factor (no memory), and a stream of `U(5万, 15万)` a year from 2025,
/// drawn once per run. `extra` is appended (stresses).
fn scenario(runs: u32, extra: &str) -> String {
    header(3, runs)
        + r#"
[factors.economy]
persistence = 0

[[villages]]
id = "a"
operating_income = "40万"
loadings = { economy = 0.1 }

[[interventions]]
id = "stream"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = { uniform = ["5万", "15万"], per = "run" }

[[policies]]
name = "stream"
interventions = ["stream"]
"# + extra
}

fn settings() -> Settings {
    Settings {
        threads: 2,
        ..Default::default()
    }
}

fn analyse(text: &str, tails: bool) -> stress::StressResult {
    let s = Scenario::from_text("s.toml", text, std::path::Path::new("."));
    stress::run(&s, &StressSpec { tails }, &settings(), &|| {}).unwrap()
}

/// Final-year mean income and villages below the floor of each policy in
/// a plain simulation of `text`.
fn plain(text: &str) -> Vec<(f64, f64)> {
    let s = Scenario::from_text("s.toml", text, std::path::Path::new("."));
    let m = s.model(&[], &settings()).unwrap();
    let r = settings().simulate(&m).unwrap();
    r.policies
        .iter()
        .map(|p| {
            let last = p.years.last().unwrap();
            (last.mean_income_yuan.mean, last.below_floor.mean)
        })
        .collect()
}

fn named<'a>(r: &'a stress::StressResult, name: &str) -> &'a stress::CaseResult {
    r.named
        .iter()
        .find(|c| matches!(&c.case, Case::Named { name: n, .. } if n == name))
        .unwrap()
}

#[test]
fn a_tail_or_a_scale_gives_the_scenario_edited_to_that_value_and_the_baseline_is_the_plain_run() {
    let text = scenario(
        400,
        r#"
[stress.low-stream]
tail = { "interventions.stream.amount" = "5%" }

[stress.stream-cut]
scale = { "interventions.stream.amount" = "70%" }
"#,
    );
    let r = analyse(&text, false);
    // The baseline is the plain run (whose sums of money are exact to the
    // fen).
    let base = plain(&text);
    for (p, f) in r.baseline.iter().enumerate() {
        assert!((f.mean_income - base[p].0).abs() < 0.01, "{f:?} {base:?}");
        assert!((f.below - base[p].1).abs() < 1e-9);
        assert_eq!(f.below_change.value, 0.0);
    }
    // P5 of U(5万, 15万) is 5.5万: the scenario edited to that value.
    let edited = plain(&text.replace(
        r#"amount = { uniform = ["5万", "15万"], per = "run" }"#,
        r#"amount = "5.5万""#,
    ));
    let low = named(&r, "low-stream");
    for (p, f) in low.figures.iter().enumerate() {
        assert!((f.mean_income - edited[p].0).abs() < 0.01, "{f:?} {edited:?}");
        assert!((f.below - edited[p].1).abs() < 1e-9);
    }
    // A cut of 30%: U(3.5万, 10.5万), the same draws times 0.7.
    let edited = plain(&text.replace(
        r#"amount = { uniform = ["5万", "15万"], per = "run" }"#,
        r#"amount = { uniform = ["3.5万", "10.5万"], per = "run" }"#,
    ));
    let cut = named(&r, "stream-cut");
    let f = &cut.figures[1];
    assert!((f.mean_income - edited[1].0).abs() < 0.01, "{f:?} {edited:?}");
    // Paired by run: the change is -30% of each run's stream, so its mean
    // is -0.3 times the baseline's mean stream (income less the village's).
    let stream_mean = r.baseline[1].mean_income - r.baseline[0].mean_income;
    assert!(
        (f.mean_income_change.value + 0.3 * stream_mean).abs() < 1e-3,
        "{f:?} {stream_mean}"
    );
    // "no intervention" is untouched by either stress.
    assert_eq!(cut.figures[0].mean_income_change.value, 0.0);
}

#[test]
fn a_forced_factor_gives_its_closed_form() {
    // Z = -1 in 2025-2027: the village earns 40万 · exp(-0.1 · 3) in 2027
    // in every run, whatever the factor would have drawn.
    let text = scenario(
        200,
        r#"
[stress.recession]
factors = { economy = { value = -1.0, from = 2025, to = 2027 } }
"#,
    );
    let r = analyse(&text, false);
    let f = &named(&r, "recession").figures[0];
    let expected = 400_000.0 * (-0.3f64).exp();
    assert!((f.mean_income - expected).abs() < 1e-6, "{f:?} {expected}");
    // A tail: the factor at its 5% quantile for one year only.
    let text = scenario(
        200,
        "\n[stress.dip]\nfactors = { economy = { tail = \"5%\", from = 2027 } }\n",
    );
    let r = analyse(&text, false);
    assert!(named(&r, "dip").figures[0].mean_income_change.value < 0.0);
}

#[test]
fn a_forced_default_stops_the_funds_returns() {
    let text = header(3, 200)
        + r#"
[[villages]]
id = "a"
operating_income = "40万"

[[interventions]]
id = "fund"
kind = "support_fund"
villages = ["a"]
start_year = 2025
government_capital_yuan = "100万"
village_capital_yuan = "0"
return_rate_per_year = "10%"
default_hazard_per_year = 0

[[policies]]
name = "fund"
interventions = ["fund"]

[stress.default]
description = "the operator defaults in 2026"
fail = { fund = 2026 }
"#;
    let r = analyse(&text, false);
    // Unstressed: 40万 + 10万 a year, above the floor.
    assert!(
        (r.baseline[1].mean_income - 500_000.0).abs() < 1e-6,
        "{:?}",
        r.baseline[1]
    );
    // Defaulted in 2026: no return in 2027, the village at its own 40万.
    let f = &named(&r, "default").figures[1];
    assert!((f.mean_income - 400_000.0).abs() < 1e-6, "{f:?}");
    assert_eq!(f.below, 1.0);
    assert_eq!(f.below_change.value, 1.0);
}

#[test]
fn the_command_writes_every_stress_and_the_tails_and_says_which_policy_holds_up() {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario(
        300,
        "\n[stress.stream-cut]\ndescription = \"the stream cut by 30%\"\nscale = { \"interventions.stream.amount\" = \"70%\" }\n",
    );
    write(dir.path(), "s.toml", &text);
    let out = villagesim(dir.path())
        .args(["stress", "s.toml", "--out", "st"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        says(&stdout, "Under 1 stresses of the file and 2 input tails"),
        "{stdout}"
    );
    assert!(says(&stdout, "holds up best"), "{stdout}");
    let csv = std::fs::read_to_string(dir.path().join("st/stress.csv")).unwrap();
    assert!(csv.starts_with("stress,kind,input,tail,policy,year,villages_below_floor,change,change_se"));
    assert!(csv.contains("unstressed,baseline,,,stream,"), "{csv}");
    assert!(csv.contains("stream-cut,named,,,stream,"), "{csv}");
    assert!(csv.contains(",tail,stream.amount,low,stream,"), "{csv}");
    assert!(csv.contains(",tail,stream.amount,high,stream,"), "{csv}");
    for f in ["charts/stress.svg", "charts/stress.png", "report.html", "report.md"] {
        assert!(dir.path().join("st").join(f).exists(), "{f}");
    }
    let md = std::fs::read_to_string(dir.path().join("st/report.md")).unwrap();
    assert!(md.contains("the stream cut by 30%"), "{md}");
    villagesim(dir.path())
        .args(["stress", "s.toml", "--out", "zh", "--lang", "zh", "-q", "--no-tails"])
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("zh/report.md")).unwrap();
    assert!(md.contains("压力测试"), "{md}");
    assert!(!md.contains("最低 5%"), "{md}");
}

#[test]
fn bad_stresses_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for (stress, what) in [
        ("[stress.x]\n", "forces nothing"),
        (
            "[stress.x]\nfactors = { weather = { value = -1, from = 2025 } }\n",
            "no factor named `weather`",
        ),
        (
            "[stress.x]\nfactors = { economy = { value = -1, from = 2031 } }\n",
            "2031 is out of range",
        ),
        (
            "[stress.x]\nfail = { stream = 2026 }\n",
            "`stream` cannot be made to fail",
        ),
        (
            "[stress.x]\nscale = { \"interventions.stream.amount\" = \"-10%\" }\n",
            "not above 0",
        ),
        (
            "[stress.x]\nset = { \"interventions.nope.amount\" = 5 }\n",
            "(in [stress.x])",
        ),
        (
            "[stress.x]\ntail = { \"interventions.stream.start_year\" = \"5%\" }\n",
            "only an uncertain value",
        ),
    ] {
        write(dir.path(), "s.toml", &scenario(50, &format!("\n{stress}")));
        let out = villagesim(dir.path())
            .args(["stress", "s.toml", "--out", "o", "-q"])
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(says(&stderr, what), "{stress}: {stderr}");
        assert!(!dir.path().join("o/stress.csv").exists());
    }
}
