//! The bundled Huining County 2025 scenario: it validates, runs, and its
//! baseline reproduces the report's aggregates (see docs/calibration.md (Huining section)).

use std::path::Path;

use villagesim::engine::{self, RunOptions};
use villagesim::model::param::{Dist, Param};
use villagesim::model::Model;

/// Report: 98.9221 million yuan operating income.
const OPERATING_YUAN: f64 = 98_922_100.0;
/// Report: 3.1856 million yuan other income.
const OTHER_REPORTED_YUAN: f64 = 3_185_600.0;
/// Unitemised residual: 283 x 371,600 - 98,922,100 - 3,185,600, carried in
/// other income (reconciliation in the scenario file and the calibration doc).
const RESIDUAL_YUAN: f64 = 283.0 * 371_600.0 - OPERATING_YUAN - OTHER_REPORTED_YUAN;
/// Report: 371,600 yuan per village on average.
const MEAN_TOTAL_YUAN: f64 = 371_600.0;
/// Derived: 105 M / 371,600 = 282.6.
const VILLAGES: usize = 283;

fn load() -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huining-2025.toml");
    villagesim::scenario::load(&path).unwrap_or_else(|e| panic!("the Huining scenario loads: {e}"))
}

fn within(actual: f64, target: f64, rel: f64) -> bool {
    ((actual - target) / target).abs() <= rel
}

/// Exact expected value of a baseline draw (ignoring clamps, which the
/// scenario does not use on baselines).
fn exact_mean(p: &Param) -> f64 {
    assert!(p.min.is_none() && p.max.is_none(), "no clamp on baselines");
    match &p.dist {
        Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
        _ => p.central(),
    }
}

#[test]
fn baseline_reproduces_the_report() {
    let model = load();
    assert_eq!(model.villages.len(), VILLAGES);
    assert_eq!(
        (model.baseline_year(), model.start_year, model.final_year()),
        (2025, 2026, 2031)
    );
    assert_eq!((model.floor_yuan, model.weak_yuan), (100_000.0, 50_000.0));
    let operating: f64 = model.villages.iter().map(|v| v.operating_income.central()).sum();
    let other: f64 = model.villages.iter().map(|v| v.other_income.central()).sum();
    assert!(within(operating, OPERATING_YUAN, 0.01), "operating {operating}");
    assert!(
        within(other, OTHER_REPORTED_YUAN + RESIDUAL_YUAN, 0.01),
        "other income {other} should carry the reported 3.1856 M and the {RESIDUAL_YUAN} residual"
    );
    let mean_total = (operating + other) / VILLAGES as f64;
    assert!(within(mean_total, MEAN_TOTAL_YUAN, 0.01), "mean total {mean_total}");
    // The county total rounds to the report's "105 million".
    assert!(within(operating + other, 105.0e6, 0.01));
    // Right skew: the median village is well below the mean.
    let mut centrals: Vec<f64> = model.villages.iter().map(|v| v.operating_income.central()).collect();
    centrals.sort_by(f64::total_cmp);
    assert!(centrals[VILLAGES / 2] < 0.7 * operating / VILLAGES as f64);
    // Every policy the scenario names, after "no intervention".
    let names: Vec<&str> = model.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names[0], "no intervention");
    assert_eq!(names.len(), 6);
}

#[test]
fn scenario_runs_and_simulated_baseline_matches() {
    let mut model = load();
    model.runs = 200;
    let results = engine::simulate(
        &model,
        RunOptions {
            threads: 2,
            ..Default::default()
        },
        &|_| {},
    )
    .expect("the scenario runs");
    assert_eq!(results.policies.len(), model.policies.len());
    let exact: f64 = model
        .villages
        .iter()
        .map(|v| exact_mean(&v.operating_income))
        .sum::<f64>()
        / VILLAGES as f64;
    for policy in &results.policies {
        let base = &policy.years[0];
        assert_eq!(base.year, 2025);
        let m = base.mean_income_yuan;
        // Monte Carlo error (4 standard errors) + 2%.
        assert!(
            (m.mean - exact).abs() <= 4.0 * m.se + 0.02 * exact,
            "{}: simulated baseline mean {} vs exact {exact} (se {})",
            policy.name,
            m.mean,
            m.se
        );
        // Total income (operating + other) per village: the report's 371,600
        // yuan within 1% (other income is fixed per village, so only the
        // operating draws vary).
        let total = base.mean_total_income_yuan;
        assert!(
            within(total.mean, 371_600.0, 0.01 + 4.0 * total.se / 371_600.0),
            "{}: simulated baseline mean total income {}",
            policy.name,
            total.mean
        );
        assert!(within(base.other_income_total_yuan.mean, 6_240_700.0, 0.01));
        // No policy acts on the baseline year: 78 villages below the floor, 31 below the weak line.
        assert_eq!((base.below_floor.mean, base.below_weak.mean), (78.0, 31.0));
    }
    // Every measure adds income: each policy's final mean is at least the counterfactual's.
    let last = |p: usize| results.policies[p].years.last().unwrap().mean_income_yuan.mean;
    for p in 1..results.policies.len() {
        assert!(last(p) >= last(0), "{}", results.policies[p].name);
    }
}
