//! `villagesim calibrate`: on a constructed case where one input decides
//! the observed outcome, the posterior concentrates around the value that
//! produces it; an impossible observation is said to have no consistent
//! run; a count observation cuts the posterior exactly; clear refusals.

mod common;

use common::{header, says, villagesim, write};
use villagesim::analysis::calibrate::{self, CalibrateSpec, Figure};
use villagesim::analysis::{Scenario, Settings};

/// One village at 40万 a year, no growth, and a stream of `X ~ U(0, 20万)`
/// a year from 2025, drawn once per run: in 2026 the village earns exactly
/// 40万 + X, and is below the 50万 floor exactly when X < 10万.
fn stream(runs: u32, backtest: &str) -> String {
    header(3, runs)
        + backtest
        + r#"

[[villages]]
id = "a"
operating_income = "40万"

[[interventions]]
id = "stream"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = { uniform = ["0", "20万"], per = "run" }

[[policies]]
name = "stream"
interventions = ["stream"]
"#
}

fn calibrated(text: &str, runs: u64) -> calibrate::CalibrateResult {
    let scenario = Scenario::from_text("stream.toml", text, std::path::Path::new("."));
    let settings = Settings {
        runs: Some(runs),
        threads: 2,
        ..Default::default()
    };
    calibrate::run(&scenario, &CalibrateSpec::default(), &settings, &|_| {}).unwrap()
}

#[test]
fn the_posterior_concentrates_on_the_value_that_produces_the_observation() {
    // Observed: 52万 with an error of 1% (5,200 yuan), so X ≈ 12万.
    let text = stream(
        4_000,
        "[backtest]\nyear = 2026\nmean_village_income = \"52万\"\nmean_village_income_error = \"1%\"\n",
    );
    let r = calibrated(&text, 4_000);
    assert!(r.nearest.is_none());
    let x = &r.inputs[0];
    assert_eq!(x.name, "stream.amount");
    // Prior U(0, 20万): mean 10万, sd 57,735; posterior about N(12万, 5,200)
    // truncated at 3 sd.
    assert!((x.prior.mean - 100_000.0).abs() < 3_000.0, "{:?}", x.prior);
    assert!((x.posterior.mean - 120_000.0).abs() < 1_000.0, "{:?}", x.posterior);
    assert!(
        x.posterior.sd > 3_500.0 && x.posterior.sd < 6_000.0,
        "{:?}",
        x.posterior
    );
    assert!(x.posterior.p10 > 110_000.0 && x.posterior.p90 < 130_000.0);
    assert!(x.shift_sd > 0.3, "{x:?}");
    // 15.6% of the prior's runs lie within 3 errors (±15,600 of 12万);
    // the Gaussian weights leave an ESS below that count.
    let share = r.consistent as f64 / 4_000.0;
    assert!((share - 0.156).abs() < 0.03, "{share}");
    assert!(
        r.ess > 0.5 * r.consistent as f64 && r.ess < r.consistent as f64,
        "{}",
        r.ess
    );
    // The projection re-weighted: the final year's mean is 40万 + X.
    let mean = r.projection.iter().find(|p| p.figure == Figure::MeanIncome).unwrap();
    assert!((mean.posterior - 520_000.0).abs() < 1_000.0, "{mean:?}");
    assert!((mean.prior - 500_000.0).abs() < 3_000.0, "{mean:?}");
    // The backtest year's fit.
    assert!((r.fit[0].1.value - 520_000.0).abs() < 1_000.0);
    let en = calibrate::sentence(&r, villagesim::format::Lang::En);
    assert!(
        says(
            &en,
            "For the observation to happen, stream.amount must be higher than assumed"
        ),
        "{en}"
    );
}

#[test]
fn a_count_observation_cuts_the_posterior_exactly() {
    // Full coverage in 2026 happens exactly when X >= 10万.
    let text = stream(2_000, "[backtest]\nyear = 2026\nfull_coverage = true\n");
    let r = calibrated(&text, 2_000);
    let x = &r.inputs[0];
    assert!(x.posterior.p10 >= 100_000.0, "{:?}", x.posterior);
    assert!((x.posterior.mean - 150_000.0).abs() < 3_000.0, "{:?}", x.posterior);
    // Equal weights: the ESS is the number of consistent runs.
    assert!((r.ess - r.consistent as f64).abs() < 1e-6);
    assert!((r.consistent as f64 / 2_000.0 - 0.5).abs() < 0.04);
    let covered = r.projection.iter().find(|p| p.figure == Figure::FullCoverage).unwrap();
    assert_eq!(covered.posterior, 1.0);
    // Exactly k villages below: the one village below means X < 10万.
    let text = stream(2_000, "[backtest]\nyear = 2026\nvillages_below_floor = 1\n");
    let r = calibrated(&text, 2_000);
    assert!(r.inputs[0].posterior.p90 < 100_000.0);
}

#[test]
fn an_impossible_observation_has_no_consistent_run_and_the_nearest_are_described() {
    let text = stream(
        1_000,
        "[backtest]\nyear = 2026\nmean_village_income = \"100万\"\nmean_village_income_error = \"1%\"\n",
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stream.toml", &text);
    let out = villagesim(dir.path())
        .args(["calibrate", "stream.toml", "--out", "cal"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        says(
            &stdout,
            "None of the 1,000 runs of \"stream\" is consistent with what was observed in 2026"
        ),
        "{stdout}"
    );
    assert!(
        says(
            &stdout,
            "The 20 runs that come nearest have stream.amount higher than assumed"
        ),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(dir.path().join("cal/calibration.csv")).unwrap();
    assert!(csv.lines().nth(1).unwrap().contains(",nearest,1000,0,"), "{csv}");
    for f in [
        "calibrated_projection.csv",
        "charts/calibration.svg",
        "charts/calibration.png",
        "report.html",
        "report.md",
    ] {
        assert!(dir.path().join("cal").join(f).exists(), "{f}");
    }
    let md = std::fs::read_to_string(dir.path().join("cal/report.md")).unwrap();
    assert!(md.contains("are not a posterior"), "{md}");
    // The nearest runs are those with the largest X: all above 19万.
    let r = calibrated(&text, 1_000);
    assert!(r.inputs[0].posterior.p10 > 190_000.0, "{:?}", r.inputs[0].posterior);
}

#[test]
fn the_report_is_written_in_chinese() {
    let text = stream(500, "[backtest]\nyear = 2026\nfull_coverage = true\n");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stream.toml", &text);
    villagesim(dir.path())
        .args(["calibrate", "stream.toml", "--out", "cal", "--lang", "zh", "-q"])
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("cal/report.md")).unwrap();
    assert!(md.contains("与2026年观测的校准"), "{md}");
    assert!(md.contains("有效样本量"), "{md}");
}

#[test]
fn bad_backtests_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for (backtest, args, what) in [
        ("", vec![], "has no [backtest] table"),
        ("[backtest]\nyear = 2026\n", vec![], "observes nothing"),
        (
            "[backtest]\nyear = 2026\nfull_coverage = true\nvillages_below_floor = 1\n",
            vec![],
            "contradicts full_coverage = true",
        ),
        (
            "[backtest]\nyear = 2026\nfull_coverage = true\npolicy = \"nope\"\n",
            vec![],
            "no policy named \"nope\"",
        ),
        (
            "[backtest]\nyear = 2026\nfull_coverage = true\n",
            vec!["--policy", "nope"],
            "no policy named \"nope\"",
        ),
        (
            "[backtest]\nyear = 2026\nmean_village_income = \"50万\"\nmean_village_income_error = \"0%\"\n",
            vec![],
            "must be above 0",
        ),
        (
            "[backtest]\nyear = 2026\nmean_village_income = \"50万\"\n",
            vec!["--mean-error", "lots"],
            "--mean-error lots",
        ),
    ] {
        write(dir.path(), "s.toml", &stream(50, backtest));
        let out = villagesim(dir.path())
            .args(["calibrate", "s.toml", "--out", "o", "-q"])
            .args(&args)
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(says(&stderr, what), "{backtest} {args:?}: {stderr}");
        assert!(!dir.path().join("o/calibration.csv").exists());
    }
}
