//! `villagesim calibrate`: which runs agree with what was observed, which
//! assumptions they need, and the projection they give.
//!
//! **Observations.** `[backtest]` states, for one simulated year, any of:
//! the mean operating income per village (`mean_village_income`, with an
//! observation error `mean_village_income_error`, a share of it, default
//! 5%: an estimate, see `model::DEFAULT_MEAN_ERROR`), whether every village
//! reached the floor (`full_coverage`), and how many villages stayed below
//! it (`villages_below_floor`). They are compared with the runs of the
//! policy carried out (`[backtest] policy`, `--policy`, else the last).
//!
//! **Weights** (approximate Bayesian computation with a Gaussian kernel,
//! as in Beaumont, Zhang and Balding (2002), "Approximate Bayesian
//! computation in population genetics", *Genetics* 162(4), 2025–2035,
//! without their regression adjustment). The runs are draws from the
//! prior (the distributions of the file). Run `i` is **consistent** when
//! its counts match exactly (no village below the floor for `full_coverage
//! = true`, at least one for `false`, exactly `k` for `villages_below_floor
//! = k`) and its mean lies within [`Z_CUT`] observation errors of the
//! observed one, `|z_i| <= 3`, `z_i = (m_i - m_obs) / (e · m_obs)`. Its
//! weight is
//!
//! ```text
//! w_i = exp(-z_i² / 2)   if run i is consistent,   0 otherwise
//! ```
//!
//! (a normal observation error of the mean, truncated at 3 sd; `w_i = 1`
//! for every consistent run without a mean observation). The posterior of
//! anything a run yields is the weighted distribution over the runs; its
//! precision is that of the **effective sample size** `ESS = (Σ w)² / Σ
//! w²` (Kish): as many unweighted runs would estimate a mean as precisely.
//!
//! **Inputs.** Each run-level input (`run --samples`: an input drawn per
//! village or per year as the mean of its draws within the horizon) is
//! summarised by its prior (unweighted) and posterior (weighted) mean,
//! P10, P50 and P90, its shift in prior standard deviations, and where the
//! posterior median sits among the prior's values (its prior percentile):
//! an input whose posterior sits far from its prior is an assumption that
//! must hold for the observation to happen.
//!
//! **No consistent run.** Then the tool says so and ranks the runs by
//! their distance from the observations (the count's miss in villages
//! first, then how far the mean lies beyond 3 errors) and describes the
//! nearest [`NEAREST_SHARE`] of them (at least [`NEAREST_MIN`]), equally
//! weighted, as "the runs that come nearest", not as a posterior.
//!
//! **Projection.** The policy's headline figures (the backtest year's, the
//! target year's and the final year's; the fiscal cost; the probability of
//! full coverage first reached by each year) with the prior's and the
//! posterior's weights.

mod write;

use super::voi::Estimate;
use super::{AnalysisError, Scenario, Settings};
use crate::engine::samples;
use crate::format::Lang;
use crate::summary::compare::RunOutcome;
pub use write::{csv, projection_csv, sentence, write};

/// A run is consistent only within this many observation errors of the
/// observed mean.
pub const Z_CUT: f64 = 3.0;
/// With no consistent run, the share of runs described as the nearest...
pub const NEAREST_SHARE: f64 = 0.01;
/// ...and at least this many.
pub const NEAREST_MIN: usize = 20;
/// The most runs a calibration keeps in memory.
pub const MAX_CALIBRATE_RUNS: u64 = 1_000_000;

/// What to calibrate.
#[derive(Debug, Clone, Default)]
pub struct CalibrateSpec {
    /// The policy carried out (default: `[backtest] policy`, else the last).
    pub policy: Option<String>,
    /// The observation error of the mean, a share of it (default: the
    /// file's, else 5%).
    pub mean_error: Option<f64>,
}

/// One observation of `[backtest]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation {
    /// Mean operating income per village, yuan, with its error (sd, yuan).
    Mean {
        yuan: f64,
        error_yuan: f64,
    },
    FullCoverage(bool),
    BelowFloor(usize),
}

impl Observation {
    /// How far run `o` is from a count observation, in villages (0 for
    /// the mean).
    fn count_miss(self, o: &RunOutcome) -> usize {
        let below = o.backtest_below_floor;
        match self {
            Observation::Mean { .. } => 0,
            Observation::FullCoverage(true) => below,
            Observation::FullCoverage(false) => usize::from(below == 0),
            Observation::BelowFloor(k) => below.abs_diff(k),
        }
    }

    /// `z` of the run's mean (0 for a count).
    fn z(self, o: &RunOutcome) -> f64 {
        match self {
            Observation::Mean { yuan, error_yuan } => (o.backtest_mean_yuan - yuan) / error_yuan,
            _ => 0.0,
        }
    }
}

/// A distribution over the runs, prior or posterior.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Summary {
    pub mean: f64,
    pub sd: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// One input's prior and posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct InputPosterior {
    pub name: String,
    pub prior: Summary,
    pub posterior: Summary,
    /// `(posterior mean - prior mean) / prior sd` (0 for a constant input).
    pub shift_sd: f64,
    /// Where the posterior's P10, P50 and P90 sit among the prior's
    /// values: the share of the runs at or below each.
    pub prior_percentiles: [f64; 3],
}

/// A headline figure of the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    MeanIncome,
    BelowFloor,
    /// P(every village at or above the floor in the year).
    FullCoverage,
    /// P(full coverage first reached in or before the year).
    CoveredBy,
    /// Over the horizon, yuan.
    FiscalCost,
}

impl Figure {
    pub fn name(self) -> &'static str {
        match self {
            Figure::MeanIncome => "mean_income",
            Figure::BelowFloor => "villages_below_floor",
            Figure::FullCoverage => "p_full_coverage",
            Figure::CoveredBy => "p_covered_by",
            Figure::FiscalCost => "fiscal_cost",
        }
    }
}

/// One figure of the projection, prior and posterior.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectionRow {
    pub figure: Figure,
    pub year: Option<i32>,
    pub prior: f64,
    pub posterior: f64,
}

/// The runs that come nearest when none is consistent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// How many are described.
    pub runs: usize,
    /// The nearest run's miss of the counts, villages, and its mean's `z`.
    pub count_miss: usize,
    pub z: f64,
}

/// A finished calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrateResult {
    pub scenario_name: [String; 2],
    pub scenario_file: String,
    pub policy: [String; 2],
    /// The backtest year.
    pub year: i32,
    pub runs: u64,
    pub seed: u64,
    pub observations: Vec<Observation>,
    /// The observation error of the mean, a share of it.
    pub mean_error: f64,
    /// Runs with a weight above 0.
    pub consistent: usize,
    pub ess: f64,
    /// `Some` when no run is consistent.
    pub nearest: Option<Nearest>,
    /// Largest shift first.
    pub inputs: Vec<InputPosterior>,
    /// Inputs drawn in only some runs (name, runs drawn), not summarised.
    pub left_out: Vec<(String, u64)>,
    pub projection: Vec<ProjectionRow>,
    /// The backtest year's mean income and villages below the floor,
    /// prior and posterior, each a mean with its standard error.
    pub fit: [(Estimate, Estimate); 2],
    pub source: Option<[String; 2]>,
}

impl CalibrateResult {
    pub fn scenario_label(&self, lang: Lang) -> &str {
        &self.scenario_name[usize::from(lang == Lang::Zh)]
    }

    pub fn policy_label(&self, lang: Lang) -> &str {
        &self.policy[usize::from(lang == Lang::Zh)]
    }
}

/// Simulates the policy carried out and weighs its runs by the
/// observations of `[backtest]`. `done` is called as runs finish.
///
/// # Errors
///
/// A file without `[backtest]` observations, an unknown policy, more runs
/// than [`MAX_CALIBRATE_RUNS`], or a scenario that cannot be simulated.
pub fn run(
    scenario: &Scenario,
    spec: &CalibrateSpec,
    settings: &Settings,
    done: &(dyn Fn(u64) + Sync),
) -> Result<CalibrateResult, AnalysisError> {
    let mut model = scenario.model(&[], settings)?;
    let Some(backtest) = model.backtest.clone() else {
        return Err(AnalysisError::Usage(format!(
            "{} has no [backtest] table: give the year observed and what was observed, e.g.\n[backtest]\nyear = 2020\nmean_village_income = \"137.1万\"\nfull_coverage = true",
            scenario.label
        )));
    };
    if model.runs > MAX_CALIBRATE_RUNS {
        return Err(AnalysisError::Usage(format!(
            "--runs {}: a calibration keeps every run in memory; use at most {MAX_CALIBRATE_RUNS}",
            model.runs
        )));
    }
    let mean_error = spec.mean_error.unwrap_or(backtest.mean_error_share);
    if !(mean_error > 0.0 && mean_error <= 1.0) {
        return Err(AnalysisError::Usage(format!(
            "--mean-error: {mean_error} is out of range; give a share of the observed mean above 0 and at most 100%, e.g. 5%"
        )));
    }
    let mut observations = Vec::new();
    if let Some(m) = backtest.mean_village_income_yuan {
        observations.push(Observation::Mean {
            yuan: m,
            error_yuan: (mean_error * m).max(1.0),
        });
    }
    if let Some(c) = backtest.full_coverage {
        observations.push(Observation::FullCoverage(c));
    }
    if let Some(k) = backtest.villages_below_floor {
        observations.push(Observation::BelowFloor(k));
    }
    if observations.is_empty() {
        return Err(AnalysisError::Usage(format!(
            "[backtest] of {} observes nothing: give mean_village_income, full_coverage or villages_below_floor",
            scenario.label
        )));
    }
    let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
    let wanted = spec.policy.clone().or(backtest.policy.clone());
    let p = match &wanted {
        Some(name) => names.iter().position(|n| n == name).ok_or_else(|| {
            AnalysisError::Usage(format!(
                "no policy named \"{name}\"; policies: {}",
                names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            ))
        })?,
        None => names.len() - 1,
    };
    let policy = model.policies.swap_remove(p);
    model.policies = vec![policy];
    let columns = samples::columns(&model)?;
    let (results, runs) = settings.simulate_runs(&model, &columns, done, |outcomes| outcomes[0])?;
    let outcomes = &runs.kept;
    let n = outcomes.len();
    let mut weights: Vec<f64> = (outcomes.iter())
        .map(|o| {
            let consistent = observations
                .iter()
                .all(|ob| ob.count_miss(o) == 0 && ob.z(o).abs() <= Z_CUT);
            let z2: f64 = observations.iter().map(|ob| ob.z(o).powi(2)).sum();
            if consistent {
                (-z2 / 2.0).exp()
            } else {
                0.0
            }
        })
        .collect();
    let consistent = weights.iter().filter(|w| **w > 0.0).count();
    let nearest = if consistent == 0 {
        // Nearest first: the counts' miss, then the mean's excess over Z_CUT.
        let distance = |o: &RunOutcome| {
            let miss: usize = observations.iter().map(|ob| ob.count_miss(o)).sum();
            let excess: f64 = observations.iter().map(|ob| (ob.z(o).abs() - Z_CUT).max(0.0)).sum();
            (miss, excess)
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|a, b| {
            let (da, db) = (distance(&outcomes[*a]), distance(&outcomes[*b]));
            da.0.cmp(&db.0).then(da.1.total_cmp(&db.1))
        });
        let k = ((n as f64 * NEAREST_SHARE).ceil() as usize).max(NEAREST_MIN).min(n);
        for &i in &order[..k] {
            weights[i] = 1.0;
        }
        let first = &outcomes[order[0]];
        Some(Nearest {
            runs: k,
            count_miss: distance(first).0,
            z: observations
                .iter()
                .map(|ob| ob.z(first))
                .find(|z| *z != 0.0)
                .unwrap_or(0.0),
        })
    } else {
        None
    };
    let total: f64 = weights.iter().sum();
    let ess = total * total / weights.iter().map(|w| w * w).sum::<f64>();
    let ones = vec![1.0; n];
    let (drawn, left_out) = runs.drawn_inputs(&columns);
    let mut inputs = Vec::new();
    for (name, x) in drawn {
        let prior = summary(x, &ones);
        let posterior = summary(x, &weights);
        let percentile = |q: f64| x.iter().filter(|v| **v <= q).count() as f64 / n as f64;
        inputs.push(InputPosterior {
            name,
            prior,
            posterior,
            shift_sd: if prior.sd > 0.0 {
                (posterior.mean - prior.mean) / prior.sd
            } else {
                0.0
            },
            prior_percentiles: [posterior.p10, posterior.p50, posterior.p90].map(percentile),
        });
    }
    inputs.sort_by(|a, b| b.shift_sd.abs().total_cmp(&a.shift_sd.abs()));
    let figure = |f: &dyn Fn(&RunOutcome) -> f64| {
        let values: Vec<f64> = outcomes.iter().map(f).collect();
        (weighted_mean(&values, &ones), weighted_mean(&values, &weights))
    };
    let baseline = model.baseline_year();
    let target = samples::target_year(&model);
    let final_year = model.final_year();
    let mut projection = Vec::new();
    let mut row = |figure: Figure, year: Option<i32>, (prior, posterior): (f64, f64)| {
        projection.push(ProjectionRow {
            figure,
            year,
            prior,
            posterior,
        });
    };
    row(Figure::MeanIncome, Some(final_year), figure(&|o| o.final_mean_yuan));
    if target != final_year {
        row(
            Figure::BelowFloor,
            Some(target),
            figure(&|o| o.target_below_floor as f64),
        );
        row(
            Figure::FullCoverage,
            Some(target),
            figure(&|o| f64::from(u8::from(o.target_below_floor == 0))),
        );
    }
    row(
        Figure::BelowFloor,
        Some(final_year),
        figure(&|o| o.final_below_floor as f64),
    );
    row(
        Figure::FullCoverage,
        Some(final_year),
        figure(&|o| f64::from(u8::from(o.final_below_floor == 0))),
    );
    for year in model.start_year..=final_year {
        let index = (year - baseline) as usize;
        row(
            Figure::CoveredBy,
            Some(year),
            figure(&|o| f64::from(u8::from(o.coverage_year.is_some_and(|c| c <= index)))),
        );
    }
    row(Figure::FiscalCost, None, figure(&|o| o.fiscal_cost_yuan));
    let fit_of = |f: &dyn Fn(&RunOutcome) -> f64| {
        let values: Vec<f64> = outcomes.iter().map(f).collect();
        (weighted_estimate(&values, &ones), weighted_estimate(&values, &weights))
    };
    let fit = [
        fit_of(&|o| o.backtest_mean_yuan),
        fit_of(&|o| o.backtest_below_floor as f64),
    ];
    let p = &results.policies[0];
    Ok(CalibrateResult {
        scenario_name: [Lang::En, Lang::Zh].map(|l| results.scenario_label(l).to_string()),
        scenario_file: scenario.label.clone(),
        policy: [Lang::En, Lang::Zh].map(|l| p.label(l).to_string()),
        year: backtest.year,
        runs: model.runs,
        seed: model.seed,
        observations,
        mean_error,
        consistent,
        ess,
        nearest,
        inputs,
        left_out,
        projection,
        fit,
        source: backtest.source.clone().map(|s| {
            let zh = backtest.source_zh.clone().unwrap_or_else(|| s.clone());
            [s, zh]
        }),
    })
}

fn weighted_mean(x: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total
}

/// A weighted mean with its standard error, `sd / sqrt(ESS)`.
fn weighted_estimate(x: &[f64], w: &[f64]) -> Estimate {
    let s = summary(x, w);
    let total: f64 = w.iter().sum();
    let ess = total * total / w.iter().map(|w| w * w).sum::<f64>();
    Estimate {
        value: s.mean,
        se: s.sd / ess.sqrt(),
    }
}

/// The weighted mean, sd and quantiles of `x` (weights `w`, not all 0).
/// A quantile `q` is the smallest value whose cumulative weight reaches
/// `q` of the total.
fn summary(x: &[f64], w: &[f64]) -> Summary {
    let total: f64 = w.iter().sum();
    let mean = weighted_mean(x, w);
    let var = x.iter().zip(w).map(|(x, w)| w * (x - mean) * (x - mean)).sum::<f64>() / total;
    let mut order: Vec<usize> = (0..x.len()).filter(|i| w[*i] > 0.0).collect();
    order.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
    let quantile = |q: f64| {
        let mut cum = 0.0;
        for &i in &order {
            cum += w[i];
            if cum >= q * total * (1.0 - 1e-12) {
                return x[i];
            }
        }
        order.last().map_or(f64::NAN, |i| x[*i])
    };
    Summary {
        mean,
        sd: var.sqrt(),
        p10: quantile(0.1),
        p50: quantile(0.5),
        p90: quantile(0.9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_and_moments() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let s = summary(&x, &[1.0; 4]);
        assert_eq!((s.mean, s.p10, s.p50, s.p90), (2.5, 1.0, 2.0, 4.0));
        // All weight on 3 and 4 equally.
        let s = summary(&x, &[0.0, 0.0, 1.0, 1.0]);
        assert_eq!((s.mean, s.sd, s.p50), (3.5, 0.5, 3.0));
        let e = weighted_estimate(&x, &[0.0, 0.0, 1.0, 1.0]);
        assert!((e.se - 0.5 / 2f64.sqrt()).abs() < 1e-12);
    }
}
