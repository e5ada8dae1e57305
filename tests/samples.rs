//! `run --samples`: one row per run and policy with the inputs the run drew
//! and the policy's outcomes; exact on a closed-form case, the same for any
//! thread count, the results unchanged by it, the aggregates' means
//! recovered from it, and clear refusals.

mod common;

use common::{header, model, says, villagesim, write};
use villagesim::engine::{self, samples, RunOptions};
use villagesim::summary::samples::{RunSample, SampleSink};

/// One village at 40万 a year, no growth, and a stream of 5万 to 15万 a
/// year from 2025 (drawn once per run): in every year from 2025 the
/// village earns exactly 40万 plus the amount, and is below the 50万 floor
/// exactly when the amount is under 10万.
fn one_stream(runs: u32) -> String {
    header(3, runs)
        + r#"
[[villages]]
id = "a"
operating_income = "40万"

[[interventions]]
id = "stream"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = { uniform = ["5万", "15万"], per = "run" }

[[policies]]
name = "stream"
interventions = ["stream"]
"#
}

struct Rows(Vec<RunSample>);

impl SampleSink for Rows {
    fn take(&mut self, samples: &[RunSample]) -> Result<(), String> {
        self.0.extend_from_slice(samples);
        Ok(())
    }
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(str::to_string).collect();
    let rows = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    (header, rows)
}

#[test]
fn each_row_holds_the_drawn_input_and_its_exact_outcome() {
    let m = model(&one_stream(200));
    let columns = samples::columns(&m).unwrap();
    let names: Vec<&str> = columns.inputs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["stream.amount"]);
    let mut rows = Rows(Vec::new());
    let options = RunOptions {
        threads: 2,
        ..Default::default()
    };
    let results = engine::simulate_sampled(&m, options, &|_| {}, Some((&columns, &mut rows))).unwrap();
    let rows = rows.0;
    assert_eq!(
        rows.iter().map(|r| r.run).collect::<Vec<_>>(),
        (0..200).collect::<Vec<_>>()
    );
    let mut sum = 0.0;
    for r in &rows {
        let amount = r.inputs[0].unwrap();
        assert!((50_000.0..=150_000.0).contains(&amount), "{amount}");
        let [none, stream] = &r.outcomes[..] else {
            panic!("two policies")
        };
        assert_eq!(none.final_mean_yuan, 400_000.0);
        assert_eq!(none.final_below_floor, 1);
        assert!((stream.final_mean_yuan - (400_000.0 + amount)).abs() < 1e-6, "{amount}");
        assert_eq!(stream.final_below_floor, usize::from(amount < 100_000.0));
        assert_eq!(stream.coverage_year, (amount >= 100_000.0).then_some(1));
        sum += stream.final_mean_yuan;
    }
    // The rows add up to the aggregates.
    let last = results.policies[1].years.last().unwrap();
    assert!((sum / 200.0 - last.mean_income_yuan.mean).abs() < 0.01);
    // Sampling changes nothing: the results equal a plain simulation's.
    let plain = common::simulate(&m, 1);
    assert_eq!(
        serde_json::to_string(&plain).unwrap(),
        serde_json::to_string(&results).unwrap()
    );
}

#[test]
fn samples_csv_is_the_same_for_any_thread_count_and_the_outputs_do_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let quickstart = std::fs::read_to_string("scenarios/quickstart.toml").unwrap();
    write(dir.path(), "q.toml", &quickstart);
    for (out, threads, samples) in [("one", "1", true), ("two", "2", true), ("plain", "2", false)] {
        let mut cmd = villagesim(dir.path());
        cmd.args([
            "run",
            "q.toml",
            "--runs",
            "300",
            "--out",
            out,
            "--threads",
            threads,
            "--quiet",
        ]);
        if samples {
            cmd.arg("--samples");
        }
        cmd.assert().success();
    }
    let read = |out: &str, f: &str| std::fs::read(dir.path().join(out).join(f)).unwrap();
    assert_eq!(read("one", "samples.csv"), read("two", "samples.csv"));
    for f in [
        "results.json",
        "village_years.bin",
        "portfolio_years.csv",
        "village_years.csv",
        "report.md",
    ] {
        assert_eq!(read("one", f), read("plain", f), "{f}");
    }
    assert!(!dir.path().join("plain/samples.csv").exists());
    let manifest = String::from_utf8(read("one", "manifest.json")).unwrap();
    assert!(manifest.contains("\"samples.csv\""), "{manifest}");

    // One row per run and policy, in run order; the inputs as the file names them.
    let (head, rows) = csv_rows(&String::from_utf8(read("one", "samples.csv")).unwrap());
    assert_eq!(rows.len(), 300 * 5);
    for name in [
        "run",
        "policy",
        "factors.economy",
        "villages.weak.operating_income",
        "support-fund.return_rate_per_year",
        "pv-loans.capex_per_kw_yuan",
        "mean_income_2030_yuan",
        "villages_below_floor_2030",
        "first_full_coverage_year",
        "fiscal_cost_yuan",
    ] {
        assert!(head.iter().any(|h| h == name), "{name}: {head:?}");
    }
    assert_eq!(rows[0][0], "0");
    assert_eq!(rows[0][1], "no intervention");
    assert_eq!(rows[5][0], "1");
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    // A fund's return rate, "5% to 7%" (a 90% interval), reset every three
    // years: the mean of its two periods' rates, centred on 6% (the
    // standard error of the mean of 300 runs is 0.025 points).
    let rate = col("support-fund.return_rate_per_year");
    let rates: Vec<f64> = (rows.iter().filter(|r| r[1] == "no intervention"))
        .map(|r| r[rate].parse().unwrap())
        .collect();
    let mean_rate = rates.iter().sum::<f64>() / rates.len() as f64;
    assert!((mean_rate - 0.06).abs() < 0.001, "{mean_rate}");
    // The same input in every policy's row of a run.
    assert!(rows.chunks(5).all(|run| run.iter().all(|r| r[rate] == run[0][rate])));
    // The mean of a row's outcome is the aggregate's mean (to the fen).
    let income = col("mean_income_2030_yuan");
    let fund: Vec<f64> = (rows.iter().filter(|r| r[1] == "support fund"))
        .map(|r| r[income].parse().unwrap())
        .collect();
    let mean = fund.iter().sum::<f64>() / fund.len() as f64;
    let portfolio = String::from_utf8(read("one", "portfolio_years.csv")).unwrap();
    let line = portfolio
        .lines()
        .find(|l| l.starts_with("support fund,2030,mean_village_income,"))
        .unwrap();
    let aggregate: f64 = line.split(',').nth(4).unwrap().parse().unwrap();
    assert!((mean - aggregate).abs() < 0.01, "{mean} vs {aggregate}");

    // A later run without --samples into the folder removes the old file:
    // it would not be of the new results.
    villagesim(dir.path())
        .args(["run", "q.toml", "--runs", "200", "--out", "one", "--quiet"])
        .assert()
        .success();
    assert!(!dir.path().join("one/samples.csv").exists());
}

#[test]
fn samples_follow_a_run_that_stops_when_precise_enough() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.toml", &one_stream(100));
    villagesim(dir.path())
        .args([
            "run",
            "s.toml",
            "--precision",
            "mean=5%",
            "--max-runs",
            "3000",
            "--samples",
            "--out",
            "out",
            "--quiet",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("out/samples.csv")).unwrap();
    let (_, rows) = csv_rows(&text);
    let summary = std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap();
    let runs: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let runs = runs["runs"].as_u64().unwrap();
    assert_eq!(rows.len() as u64, runs * 2);
}

#[test]
fn samples_refuse_shards_and_resume_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.toml", &one_stream(10));
    let a = villagesim(dir.path())
        .args(["run", "s.toml", "--shard", "0/2", "--samples"])
        .assert()
        .failure();
    let said = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(says(&said, "--samples") && says(&said, "--shard 0/2"), "{said}");
    let a = villagesim(dir.path())
        .args(["run", "s.toml", "--resume", "--samples", "--out", "out"])
        .assert()
        .failure();
    let said = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(says(&said, "--samples does not go with --resume"), "{said}");
    assert!(!dir.path().join("out").exists());
}
