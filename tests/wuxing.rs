//! The bundled Wuxing scenario reproduces the report's figures.

mod common;

use std::path::Path;

use villagesim::model::Model;
use villagesim::scenario::{load_with, ReadOptions};
use villagesim::summary::results::{InterventionResults, Results};

fn wuxing(central: bool, runs: u64) -> (Model, Results) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/wuxing-2018.toml");
    let mut model = load_with(
        &path,
        ReadOptions {
            central: central.then_some(villagesim::scenario::Central::Mean),
        },
    )
    .expect("the scenario is valid");
    model.runs = runs;
    let results = common::simulate(&model, 2);
    (model, results)
}

fn alone<'a>(results: &'a Results, policy: &str) -> &'a InterventionResults {
    let p = results
        .policies
        .iter()
        .find(|p| p.name == policy)
        .expect("the policy exists");
    &p.appraisals[0]
}

fn within(value: f64, target: f64, share: f64) -> bool {
    (value - target).abs() <= share * target
}

#[test]
fn the_23_underdeveloped_villages_start_below_300_000() {
    let (model, results) = wuxing(false, 300);
    let weak: Vec<usize> = (0..model.villages.len())
        .filter(|&v| matches!(model.villages[v].group.as_deref(), Some("zhili-weak" | "weak")))
        .collect();
    assert_eq!(weak.len(), 23);
    for &v in &weak {
        assert!(model.villages[v].operating_income.support().1 < 300_000.0);
        let baseline = &results.policies[0].villages[v][0];
        assert_eq!(baseline.year, 2018);
        assert!(baseline.income_yuan.max < 300_000.0, "{}", model.villages[v].id);
    }
    // And the other villages start at or above it: 23 weak villages exactly.
    let base = &results.policies[0].years[0];
    assert_eq!((base.below_weak.min, base.below_weak.max), (23.0, 23.0));
}

#[test]
fn each_measure_alone_reproduces_the_report_without_uncertainty() {
    let (_, results) = wuxing(true, 400);
    // Cluster purchase: about 150,000 yuan a village a year, read as what
    // each village receives from its company (net cash, 2020-22, after the
    // purchase year); on the target line, after the companies'
    // depreciation, the villages' investment income is about nothing.
    let cluster = alone(&results, "cluster purchase");
    let received: f64 = cluster.years[1..].iter().map(|y| y.net_cash_yuan.mean).sum::<f64>() / (16.0 * 3.0);
    assert!(within(received, 150_000.0, 0.05), "cluster: {received}");
    let per_village = cluster
        .income_per_village_year_yuan
        .as_ref()
        .expect("villages take part")
        .mean;
    assert!(per_village.abs() < 20_000.0, "cluster, target line: {per_village}");
    // Support fund: 2.691 million yuan a year to 33 villages.
    let fund = alone(&results, "support fund");
    assert_eq!(fund.villages, 33);
    let first_year = fund.years[0].operating_income_yuan.mean;
    assert!(within(first_year, 2_691_000.0, 0.05), "fund: {first_year}");
    // Mountain-sea workshop: about 1 million yuan a year to Chongtou Town,
    // outside the simulated villages.
    let workshop = alone(&results, "mountain-sea workshop");
    assert_eq!(workshop.external.len(), 1);
    let y2021 = workshop.external[0].income_yuan[2].mean;
    assert!(within(y2021, 1_000_000.0, 0.05), "workshop: {y2021}");
    assert_eq!(workshop.villages, 0);
}

#[test]
fn the_backtest_is_reported_for_every_policy() {
    let (_, results) = wuxing(false, 300);
    for p in &results.policies {
        let b = p.backtest.as_ref().expect("backtest");
        assert_eq!(b.year, 2020);
        let q = b.percentile_of_observed_mean.expect("percentile");
        assert!((0.0..=1.0).contains(&q));
    }
}
