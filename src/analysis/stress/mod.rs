//! `villagesim stress`: which policy holds up when things go badly.
//!
//! **Stresses.** Each `[stress.NAME]` of the file (`model::stress`): values
//! set (`set`), multiplied (`scale`: a rent cut of 30% is `"70%"`) or fixed
//! at a quantile of their distribution (`tail`), common factors forced to a
//! value or a quantile in some years (`factors`: the AR(1) path takes the
//! value in those years and carries on from it), and support funds whose
//! operator defaults in a given year and at no other (`fail`). Then, unless
//! `--no-tails`, one automatic stress per uncertain input and tail: the
//! input put at the middle of its lowest 5% (its P2.5) and of its highest
//! 5% (its P97.5), the others as in the file. An input drawn once per run
//! is fixed there; one drawn per village or per year is shifted so that
//! the average of its draws sits there (as `sensitivity` moves inputs to
//! their P10 and P90, see `analysis::sensitivity`): fixing every village
//! at once at its own extreme would be a world no county sees.
//!
//! **Comparison.** Every stress is simulated with every policy on the same
//! seed and runs as the unstressed baseline (common random numbers: a
//! stress changes only what it forces), and each policy's figures are
//! compared with its own unstressed figures run by run: the change in
//! villages below the floor in the target year (else the final year) and
//! in the final year's mean village income, each a mean of paired
//! differences with its standard error. The baseline is the plain run.
//!
//! **Which policy holds up.** The policy whose worst case over the named
//! stresses and the tails (the most villages below the floor, mean over
//! the runs) is the fewest; the stress that hurts most is the one with the
//! largest increase for any policy.

mod write;

use super::overrides::{uncertain_inputs, NewValue, Override, ValuePath};
use super::voi::Estimate;
use super::{AnalysisError, Scenario, Settings};
use crate::engine::samples;
use crate::format::Lang;
use crate::model::stress::{Stress, StressValue};
use crate::model::Model;
use crate::summary::compare::RunOutcome;
use crate::summary::samples::SampleColumns;
pub use write::{csv, sentence, write};

/// The share of each tail of the automatic stresses.
pub const TAIL_SHARE: f64 = 0.05;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct StressSpec {
    /// Add the automatic one-input tail stresses.
    pub tails: bool,
}

impl Default for StressSpec {
    fn default() -> Self {
        StressSpec { tails: true }
    }
}

/// What a stress is.
#[derive(Debug, Clone, PartialEq)]
pub enum Case {
    /// The file's `[stress.NAME]`.
    Named {
        name: String,
        description: Option<[String; 2]>,
    },
    /// An uncertain input in its lowest (or highest) 5%.
    Tail { input: String, high: bool },
}

impl Case {
    /// Its name: the stress's, or "INPUT: lowest 5%".
    pub fn label(&self, lang: Lang) -> String {
        match (self, lang) {
            (Case::Named { name, .. }, _) => name.clone(),
            (Case::Tail { input, high }, Lang::En) => {
                format!("{input}: {} 5%", if *high { "highest" } else { "lowest" })
            }
            (Case::Tail { input, high }, Lang::Zh) => {
                format!("{input}：{} 5%", if *high { "最高" } else { "最低" })
            }
        }
    }
}

/// One policy's figures under one stress.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyFigures {
    /// Villages below the floor in the year, mean over the runs.
    pub below: f64,
    /// Its change from the unstressed run, paired by run.
    pub below_change: Estimate,
    /// P(every village at the floor in the year).
    pub p_full: f64,
    /// Mean village income in the final year, yuan, and its paired change.
    pub mean_income: f64,
    pub mean_income_change: Estimate,
    /// Fiscal cost over the horizon, yuan, mean over the runs.
    pub fiscal_cost: f64,
}

/// A stress and every policy's figures under it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub case: Case,
    /// In the policies' order.
    pub figures: Vec<PolicyFigures>,
}

impl CaseResult {
    /// The largest increase in villages below the floor for any policy.
    pub fn damage(&self) -> f64 {
        self.figures
            .iter()
            .map(|f| f.below_change.value)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// A finished stress analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct StressResult {
    pub scenario_name: [String; 2],
    pub scenario_file: String,
    pub runs: u64,
    pub seed: u64,
    /// The year villages below the floor are counted in.
    pub year: i32,
    pub final_year: i32,
    pub policies: Vec<[String; 2]>,
    pub baseline: Vec<PolicyFigures>,
    /// The file's stresses, by name.
    pub named: Vec<CaseResult>,
    /// The automatic tails, most damaging first.
    pub tails: Vec<CaseResult>,
    /// The policy with the fewest villages below the floor in its worst
    /// case, that case (`None`: the unstressed run) and the count.
    pub holds_up: (usize, Option<Case>, f64),
}

impl StressResult {
    pub fn scenario_label(&self, lang: Lang) -> &str {
        &self.scenario_name[usize::from(lang == Lang::Zh)]
    }

    pub fn policy_label(&self, p: usize, lang: Lang) -> &str {
        &self.policies[p][usize::from(lang == Lang::Zh)]
    }

    /// Every stress, the named first.
    pub fn cases(&self) -> impl Iterator<Item = &CaseResult> {
        self.named.iter().chain(&self.tails)
    }

    /// The stress that hurts most (largest increase for any policy).
    pub fn worst(&self) -> Option<&CaseResult> {
        self.cases().max_by(|a, b| a.damage().total_cmp(&b.damage()))
    }
}

/// The changes a named stress makes to the file's text.
fn overrides(stress: &Stress) -> Result<Vec<Override>, AnalysisError> {
    let path =
        |p: &str| ValuePath::parse(p).map_err(|e| AnalysisError::Usage(format!("[stress.{}]: {e}", stress.name)));
    let mut out = Vec::new();
    for (p, v) in &stress.set {
        out.push(Override {
            path: path(p)?,
            value: match v {
                StressValue::Number(x) => NewValue::Number(*x),
                StressValue::Text(t) => NewValue::from_arg(t),
            },
        });
    }
    for (p, k) in &stress.scale {
        out.push(Override {
            path: path(p)?,
            value: NewValue::Scaled(*k),
        });
    }
    for (p, q) in &stress.tail {
        out.push(Override {
            path: path(p)?,
            value: NewValue::AtQuantile(*q),
        });
    }
    Ok(out)
}

/// Simulates `model` and returns its results and every run's outcomes.
fn simulate(
    model: &Model,
    settings: &Settings,
) -> Result<(crate::summary::results::Results, Vec<Vec<RunOutcome>>), AnalysisError> {
    let (results, runs) = settings.simulate_runs(model, &SampleColumns::default(), &|_| {}, <[RunOutcome]>::to_vec)?;
    Ok((results, runs.kept))
}

/// Each policy's figures in `runs`, paired with `base` run by run.
fn figures(runs: &[Vec<RunOutcome>], base: &[Vec<RunOutcome>], policies: usize) -> Vec<PolicyFigures> {
    let n = runs.len().max(1) as f64;
    (0..policies)
        .map(|p| {
            let col = |f: &dyn Fn(&RunOutcome) -> f64| -> Vec<f64> { runs.iter().map(|r| f(&r[p])).collect() };
            let diff = |f: &dyn Fn(&RunOutcome) -> f64| -> Vec<f64> {
                runs.iter().zip(base).map(|(r, b)| f(&r[p]) - f(&b[p])).collect()
            };
            let below = |o: &RunOutcome| o.target_below_floor as f64;
            let income = |o: &RunOutcome| o.final_mean_yuan;
            PolicyFigures {
                below: col(&below).iter().sum::<f64>() / n,
                below_change: super::voi::estimate::mean_and_se(&diff(&below)),
                p_full: col(&|o| f64::from(u8::from(o.target_below_floor == 0)))
                    .iter()
                    .sum::<f64>()
                    / n,
                mean_income: col(&income).iter().sum::<f64>() / n,
                mean_income_change: super::voi::estimate::mean_and_se(&diff(&income)),
                fiscal_cost: col(&|o| o.fiscal_cost_yuan).iter().sum::<f64>() / n,
            }
        })
        .collect()
}

/// The number of simulations `run` makes for `scenario`.
///
/// # Errors
///
/// As [`run`], for a file that cannot be read.
pub fn simulations(scenario: &Scenario, spec: &StressSpec, settings: &Settings) -> Result<usize, AnalysisError> {
    let model = scenario.model(&[], settings)?;
    let tails = if spec.tails {
        2 * uncertain_inputs(&scenario.text)?.len()
    } else {
        0
    };
    Ok(1 + model.stresses.len() + tails)
}

/// Runs every stress against the unstressed baseline, calling `done` after
/// each simulation.
///
/// # Errors
///
/// A file with no stress to run (no `[stress.NAME]` and `--no-tails`, or no
/// uncertain input), a bad path in a stress, or a scenario that cannot be
/// simulated.
pub fn run(
    scenario: &Scenario,
    spec: &StressSpec,
    settings: &Settings,
    done: &(dyn Fn() + Sync),
) -> Result<StressResult, AnalysisError> {
    let model = scenario.model(&[], settings)?;
    let inputs = if spec.tails {
        uncertain_inputs(&scenario.text)?
    } else {
        Vec::new()
    };
    if model.stresses.is_empty() && inputs.is_empty() {
        return Err(AnalysisError::Usage(format!(
            "{} has no stress to run: add a [stress.NAME] table (e.g. [stress.rent-cut] scale = {{ \"interventions.ID.rent_per_m2_per_year_yuan\" = \"70%\" }}){}",
            scenario.label,
            if spec.tails {
                ", or an uncertain value for the automatic tails"
            } else {
                ", or drop --no-tails"
            }
        )));
    }
    let k = model.policies.len();
    let (results, base) = simulate(&model, settings)?;
    done();
    let baseline = figures(&base, &base, k);
    let mut named = Vec::new();
    for stress in &model.stresses {
        let changes = overrides(stress)?;
        let mut m = scenario.model(&changes, settings).map_err(|e| match e {
            AnalysisError::Path { path, message } => AnalysisError::Path {
                path: format!("{path} (in [stress.{}])", stress.name),
                message,
            },
            e => e,
        })?;
        stress.force(&mut m);
        let (_, runs) = simulate(&m, settings)?;
        done();
        named.push(CaseResult {
            case: Case::Named {
                name: stress.name.clone(),
                description: stress.description.clone().map(|d| {
                    let zh = stress.description_zh.clone().unwrap_or_else(|| d.clone());
                    [d, zh]
                }),
            },
            figures: figures(&runs, &base, k),
        });
    }
    let mut tails = Vec::new();
    for input in &inputs {
        for high in [false, true] {
            let u = if high { 1.0 - TAIL_SHARE / 2.0 } else { TAIL_SHARE / 2.0 };
            let change = super::sensitivity::at_quantile(input, &model, u);
            let m = scenario.model(&[change], settings)?;
            let (_, runs) = simulate(&m, settings)?;
            done();
            tails.push(CaseResult {
                case: Case::Tail {
                    input: input.name.clone(),
                    high,
                },
                figures: figures(&runs, &base, k),
            });
        }
    }
    // Most damaging first; the file's order among equals.
    tails.sort_by(|a, b| b.damage().total_cmp(&a.damage()));
    let worst_case = |p: usize| {
        named
            .iter()
            .chain(&tails)
            .map(|c| (Some(c.case.clone()), c.figures[p].below))
            .fold((None, baseline[p].below), |a, b| if b.1 > a.1 { b } else { a })
    };
    let holds_up = (0..k)
        .map(|p| {
            let (case, below) = worst_case(p);
            (p, case, below)
        })
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .expect("a policy");
    Ok(StressResult {
        scenario_name: [Lang::En, Lang::Zh].map(|l| results.scenario_label(l).to_string()),
        scenario_file: scenario.label.clone(),
        runs: model.runs,
        seed: model.seed,
        year: samples::target_year(&model),
        final_year: model.final_year(),
        policies: (results.policies.iter())
            .map(|p| [Lang::En, Lang::Zh].map(|l| p.label(l).to_string()))
            .collect(),
        baseline,
        named,
        tails,
        holds_up,
    })
}
