//! Reproducibility and common random numbers.

mod common;

use common::{header, model, simulate, villagesim, write};

const SCENARIO: &str = r#"
[factors.economy]
persistence = 0.4

[[villages]]
group = "weak"
count = 12
operating_income = { triangular = { min = "12万", mode = "22万", max = "30万" } }
growth = { normal = { mean = 0.04, sd = 0.08 } }
loadings = { economy = 0.04 }

[[villages]]
id = "strong"
operating_income = "80万 to 120万"

[[interventions]]
id = "stream"
kind = "income_stream"
villages = { group = "weak", weakest = 6 }
amount = { normal = { mean = "10万", sd = "3万" } }
growth = "1% to 5%"

[[interventions]]
id = "one-village"
kind = "income_stream"
villages = ["weak-03"]
amount = "5万"

[[policies]]
name = "stream"
interventions = ["stream"]

[[policies]]
name = "stream + one"
interventions = ["stream", "one-village"]
"#;

#[test]
fn same_outputs_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.toml", &(header(6, 3_000) + SCENARIO));
    let outputs = [
        "summary.json",
        "portfolio_years.csv",
        "village_years.csv",
        "results.json",
        "village_years.bin",
    ];
    let mut runs = Vec::new();
    for (flag, env) in [("1", "1"), ("2", "2"), ("3", "1")] {
        let out = dir.path().join(format!("out-{flag}"));
        villagesim(dir.path())
            .env("RAYON_NUM_THREADS", env)
            .args([
                "run",
                file.to_str().unwrap(),
                "--quiet",
                "--threads",
                flag,
                "--out",
                out.to_str().unwrap(),
            ])
            .assert()
            .success();
        runs.push(outputs.map(|f| std::fs::read(out.join(f)).unwrap()));
    }
    assert_eq!(runs[0], runs[1], "1 and 2 threads differ");
    assert_eq!(runs[0], runs[2], "1 and 3 threads differ");
}

#[test]
fn policies_differ_only_where_an_intervention_acts() {
    let results = simulate(&model(&(header(6, 2_000) + SCENARIO)), 2);
    let (a, b) = (&results.policies[1], &results.policies[2]);
    let target = results.villages.iter().position(|v| v.id == "weak-03").unwrap();
    for (v, (ya, yb)) in a.villages.iter().zip(&b.villages).enumerate() {
        for (x, y) in ya.iter().zip(yb) {
            if v == target && x.year >= 2025 {
                // A fixed 50,000 on top: the mean moves by exactly that amount.
                assert!((y.income_yuan.mean - x.income_yuan.mean - 50_000.0).abs() < 1e-6);
                assert!((y.income_yuan.min - x.income_yuan.min - 50_000.0).abs() < 1e-6);
            } else {
                assert_eq!(x, y, "village {v} year {} changed", x.year);
            }
        }
    }
}

#[test]
fn adding_an_intervention_does_not_change_the_others_draws() {
    let extra = r#"
[[interventions]]
id = "extra"
kind = "income_stream"
villages = "all"
amount = { normal = { mean = "1万", sd = "1万" } }

[[policies]]
name = "extra"
interventions = ["extra"]
"#;
    let base = simulate(&model(&(header(5, 500) + SCENARIO)), 2);
    let more = simulate(&model(&(header(5, 500) + SCENARIO + extra)), 2);
    for p in 0..3 {
        assert_eq!(
            base.policies[p], more.policies[p],
            "policy {} changed",
            base.policies[p].name
        );
    }
}

#[test]
fn paired_differences_are_exact_on_common_random_numbers() {
    let extra = r#"
[[interventions]]
id = "fixed-to-one"
kind = "income_stream"
villages = ["strong"]
amount = "13万"

[[policies]]
name = "stream again"
interventions = ["stream"]

[[policies]]
name = "stream + fixed"
interventions = ["stream", "fixed-to-one"]
"#;
    let results = simulate(&model(&(header(5, 1_000) + SCENARIO + extra)), 2);
    let pair = |a: &str, b: &str| {
        results
            .comparisons
            .iter()
            .find(|c| c.policy == a && c.reference == b)
            .expect("the pair is compared")
            .clone()
    };
    // A policy against an identical one: exactly zero in every run.
    let same = pair("stream again", "stream");
    let d = same.diff_mean_village_income_yuan;
    assert_eq!((d.min, d.max, d.mean, d.sd), (0.0, 0.0, 0.0, 0.0));
    assert_eq!(same.p_higher_income, 0.0);
    // A fixed 130,000 to one of 13 villages: the mean moves by 10,000 in every run.
    let shifted = pair("stream + fixed", "stream");
    let d = shifted.diff_mean_village_income_yuan;
    assert!(
        (d.min - 10_000.0).abs() < 1e-6 && (d.max - 10_000.0).abs() < 1e-6,
        "{d:?}"
    );
    assert_eq!(shifted.p_higher_income, 1.0);
    // The coverage distribution sums to one with "never".
    for p in &results.policies {
        let total: f64 = p.coverage.iter().map(|c| c.p_first_reached).sum::<f64>() + p.p_coverage_never;
        assert!((total - 1.0).abs() < 1e-9);
    }
}
