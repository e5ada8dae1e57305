//! `villagesim voi`: the value of information on a constructed two-policy
//! choice whose EVPI and EVPPIs have a closed form; an input that cannot
//! change the choice is worth nothing; the same figures for any thread
//! count; the files written; clear refusals.

mod common;

use common::{header, says, villagesim, write};
use villagesim::analysis::voi::{self, Objective, VoiSpec};
use villagesim::analysis::{Scenario, Settings};

/// One village at 40万 a year, no growth. "fixed" pays it a certain 8万 a
/// year; "risky" pays `X ~ U(0, 20万)`, drawn once per run (mean 10万, so
/// "risky" is better on average). Both also pay the same `C ~ U(0, 10万)`
/// ("common", drawn once per run, the same in both by common random
/// numbers), which moves both policies alike and so cannot change the
/// choice.
///
/// On mean income in the final year: `NB_fixed - NB_risky = 8万 - X`, so
/// `EVPI = EVPPI(X) = E[max(0, 8万 - X)] = (8万)² / (2 · 20万) = 16,000
/// yuan`, and `EVPPI(C) = 0`. Knowing X changes the choice when `X < 8万`:
/// in 40% of runs.
fn choice(runs: u32) -> String {
    header(3, runs)
        + r#"
[[villages]]
id = "a"
operating_income = "40万"

[[interventions]]
id = "fixed"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = "8万"

[[interventions]]
id = "risky"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = { uniform = ["0", "20万"], per = "run" }

[[interventions]]
id = "common"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = { uniform = ["0", "10万"], per = "run" }

[[policies]]
name = "fixed"
interventions = ["fixed", "common"]

[[policies]]
name = "risky"
interventions = ["risky", "common"]
"#
}

fn analyse(runs: u32, threads: usize) -> voi::VoiResult {
    let scenario = Scenario::from_text("choice.toml", &choice(runs), std::path::Path::new("."));
    let spec = VoiSpec {
        objective: Objective::MeanIncome,
        policies: Some(vec!["fixed".into(), "risky".into()]),
    };
    let settings = Settings {
        runs: Some(u64::from(runs)),
        threads,
        ..Default::default()
    };
    voi::run(&scenario, &spec, &settings, &|_| {}).unwrap()
}

#[test]
fn the_decisive_input_carries_the_closed_form_value_and_the_other_none() {
    let r = analyse(4_000, 2);
    assert_eq!(r.policies[r.best][0], "risky");
    assert!((r.evpi.value - 16_000.0).abs() <= 1.96 * r.evpi.se, "EVPI {:?}", r.evpi);
    assert!(r.evpi.se > 0.0 && r.evpi.se < 1_000.0, "{:?}", r.evpi);
    let by_name = |n: &str| r.inputs.iter().find(|i| i.name == n).unwrap().partial;
    let x = by_name("risky.amount");
    assert!(
        (x.evppi.value - 16_000.0).abs() <= 1.96 * x.evppi.se,
        "EVPPI(X) {:?}",
        x.evppi
    );
    assert!((x.switch_share - 0.4).abs() < 0.03, "{x:?}");
    let c = by_name("common.amount");
    assert!(
        c.evppi.value.abs() <= 1.96 * c.evppi.se.max(1e-9),
        "EVPPI(C) {:?}",
        c.evppi
    );
    assert_eq!(c.switch_share, 0.0);
    // Ranked: the decisive input first.
    assert_eq!(r.inputs[0].name, "risky.amount");
    // The means are those of the closed form: 48万 and 50万 plus E[C] = 5万.
    assert!((r.means[0].value - 530_000.0).abs() < 3.0 * r.means[0].se + 1.0);
    assert!((r.means[1].value - 550_000.0).abs() < 3.0 * r.means[1].se + 1.0);
}

#[test]
fn the_figures_are_the_same_for_any_thread_count() {
    let one = analyse(500, 1);
    let two = analyse(500, 2);
    assert_eq!(one, two);
}

#[test]
fn a_policy_that_dominates_in_every_run_leaves_nothing_to_learn() {
    // "fixed" plus 20万 beats "risky" in every run.
    let text = choice(300).replace("amount = \"8万\"", "amount = \"21万\"");
    let scenario = Scenario::from_text("choice.toml", &text, std::path::Path::new("."));
    let spec = VoiSpec {
        objective: Objective::MeanIncome,
        policies: None,
    };
    let r = voi::run(&scenario, &spec, &Settings::default(), &|_| {}).unwrap();
    assert_eq!(r.policies[r.best][0], "fixed");
    assert_eq!(r.evpi.value, 0.0);
    assert!(r.inputs.iter().all(|i| i.partial.evppi.value == 0.0));
    assert!(voi::sentence(&r, villagesim::format::Lang::En).contains("no information would change the choice"));
}

#[test]
fn the_command_writes_the_table_chart_and_report_and_says_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "choice.toml", &choice(1_000));
    let out = villagesim(dir.path())
        .args([
            "voi",
            "choice.toml",
            "--objective",
            "mean-income",
            "--policies",
            "fixed,risky",
            "--out",
            "voi",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        says(
            &stdout,
            "the input most worth resolving before deciding is risky.amount"
        ),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(dir.path().join("voi/voi.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("scope,input,value,se,share_of_evpi,switch_share,fit,objective"));
    assert!(lines[1].starts_with("all,,"), "{csv}");
    assert!(lines[2].starts_with("one,risky.amount,"), "{csv}");
    assert!(lines.iter().any(|l| l.starts_with("one,common.amount,0,")), "{csv}");
    for f in ["charts/voi.svg", "charts/voi.png", "report.html", "report.md"] {
        let len = std::fs::metadata(dir.path().join("voi").join(f)).unwrap().len();
        assert!(len > 500, "{f}: {len} bytes");
    }
    let md = std::fs::read_to_string(dir.path().join("voi/report.md")).unwrap();
    assert!(md.contains("Strong, Oakley and Brennan"), "{md}");
    assert!(
        md.contains("villagesim voi choice.toml --objective mean-income"),
        "{md}"
    );
    // In Chinese too.
    villagesim(dir.path())
        .args([
            "voi",
            "choice.toml",
            "--policies",
            "fixed,risky",
            "--lang",
            "zh",
            "--out",
            "zh",
            "-q",
        ])
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("zh/report.md")).unwrap();
    assert!(md.contains("决策前值得查明什么"), "{md}");
}

#[test]
fn bad_requests_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "choice.toml", &choice(100));
    for (args, what) in [
        (vec!["--policies", "fixed,nope"], "no policy named \"nope\""),
        (vec!["--policies", "fixed"], "at least two different policies"),
        (vec!["--policies", "fixed,fixed"], "named twice"),
        (vec!["--objective", "happiness"], "invalid value 'happiness'"),
    ] {
        let out = villagesim(dir.path())
            .args(["voi", "choice.toml", "--out", "o", "-q"])
            .args(&args)
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(says(&stderr, what), "{args:?}: {stderr}");
        assert!(!dir.path().join("o/voi.csv").exists());
    }
}
