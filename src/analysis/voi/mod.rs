//! `villagesim voi`: the value of information. Before choosing between the
//! policies of a scenario on a stated objective, which uncertainty is worth
//! resolving first?
//!
//! **Question.** The decision is the choice of one policy among those of
//! the file (or `--policies`); the objective ([`Objective`]) is a figure of
//! each run that the planner wants high (net income) or low (villages
//! below the floor), and the policy chosen without further information is
//! the one best on average over the runs. Perfect information on every
//! input would let the planner choose the best policy run by run; the
//! expected gain in the objective is the EVPI. Perfect information on one
//! input alone is worth its EVPPI: an input with a large EVPPI is worth
//! finding out before deciding (a survey, a pilot, a firm offer); one
//! with EVPPI near 0 is not, however much it moves the outcomes, because
//! it moves every policy alike or never enough to change the choice.
//!
//! **From one simulation.** The runs are simulated once, every policy on
//! the same random numbers, with the inputs each run drew noted as `run
//! --samples` notes them (`engine::samples`): one value per run and input,
//! the mean of its draws within the horizon for an input drawn per village
//! or per year (so the EVPPI of such an input is the value of learning its
//! average, not every village's draw). The estimators are in
//! [`estimate`]: EVPI as the mean regret over the runs, EVPPI by the
//! regression method of Strong, Oakley and Brennan (2014), each with a
//! standard error.
//!
//! An input noted in run 0 but not drawn in every run (an operator's rate
//! after a default that not every run has) is left out, and said so.

pub mod estimate;
mod write;

use rayon::prelude::*;

use super::{AnalysisError, Scenario, Settings};
use crate::engine::samples;
use crate::format::Lang;
use crate::rng::{combine, key_of};
use crate::summary::compare::RunOutcome;
pub use estimate::{Estimate, Fit, Partial};
pub use write::{csv, sentence, write};

/// The most runs a value-of-information analysis keeps (one number per
/// run, input and policy are held in memory for the regressions).
pub const MAX_VOI_RUNS: u64 = 1_000_000;

/// What the planner wants of the policy chosen, a figure of each run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// Fewest villages below the floor in the target year.
    #[default]
    BelowFloor,
    /// Every village at or above the floor in the target year (the
    /// probability of it, highest).
    FullCoverage,
    /// Highest mean operating income per village in the final year, yuan.
    MeanIncome,
    /// Highest net benefit: the villages' operating income over the
    /// horizon less the policy's fiscal cost, both as present values at
    /// the public discount rate, yuan.
    NetBenefit,
}

impl Objective {
    /// As `voi.csv` names it: `below_floor`, `full_coverage`,
    /// `mean_income`, `net_benefit`.
    pub fn name(self) -> &'static str {
        match self {
            Objective::BelowFloor => "below_floor",
            Objective::FullCoverage => "full_coverage",
            Objective::MeanIncome => "mean_income",
            Objective::NetBenefit => "net_benefit",
        }
    }

    /// The run's figure, in its natural units (villages, 0 or 1, yuan).
    pub fn figure(self, o: &RunOutcome) -> f64 {
        match self {
            Objective::BelowFloor => o.target_below_floor as f64,
            Objective::FullCoverage => f64::from(u8::from(o.target_below_floor == 0)),
            Objective::MeanIncome => o.final_mean_yuan,
            Objective::NetBenefit => o.income_public_pv_yuan - o.fiscal_cost_pv_yuan,
        }
    }

    /// Whether less of the figure is better.
    pub fn lower_is_better(self) -> bool {
        self == Objective::BelowFloor
    }

    /// The net benefit of a run: the figure, its sign turned where less is
    /// better.
    fn net_benefit(self, o: &RunOutcome) -> f64 {
        if self.lower_is_better() {
            -self.figure(o)
        } else {
            self.figure(o)
        }
    }

    pub fn is_money(self) -> bool {
        matches!(self, Objective::MeanIncome | Objective::NetBenefit)
    }

    pub fn is_probability(self) -> bool {
        self == Objective::FullCoverage
    }

    /// The year the figure is read in (`None`: over the horizon).
    fn year(self, target_year: i32, final_year: i32) -> Option<i32> {
        match self {
            Objective::BelowFloor | Objective::FullCoverage => Some(target_year),
            Objective::MeanIncome => Some(final_year),
            Objective::NetBenefit => None,
        }
    }

    /// The figure in words.
    pub fn words(self, lang: Lang, year: Option<i32>) -> String {
        let y = year.map_or(String::new(), |y| y.to_string());
        match (self, lang) {
            (Objective::BelowFloor, Lang::En) => format!("the number of villages below the floor in {y}"),
            (Objective::BelowFloor, Lang::Zh) => format!("{y}年低于底线的村数"),
            (Objective::FullCoverage, Lang::En) => {
                format!("the probability that every village is at the floor in {y}")
            }
            (Objective::FullCoverage, Lang::Zh) => format!("{y}年所有村均达到底线的概率"),
            (Objective::MeanIncome, Lang::En) => format!("the mean operating income per village in {y}"),
            (Objective::MeanIncome, Lang::Zh) => format!("{y}年村均经营性收入"),
            (Objective::NetBenefit, Lang::En) => {
                "the net benefit (operating income less fiscal cost, present values)".to_string()
            }
            (Objective::NetBenefit, Lang::Zh) => "净收益（经营性收入减财政成本，现值）".to_string(),
        }
    }
}

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct VoiSpec {
    pub objective: Objective,
    /// The policies chosen between (default: every policy of the file).
    pub policies: Option<Vec<String>>,
}

/// The value of perfect information on one input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InputValue {
    /// As `samples.csv` names it: `support-fund.return_rate_per_year`.
    pub name: String,
    pub partial: Partial,
}

/// A finished analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiResult {
    pub scenario_name: [String; 2],
    pub scenario_file: String,
    pub objective: Objective,
    /// The year the objective is read in (`None`: over the horizon).
    pub year: Option<i32>,
    pub runs: u64,
    pub seed: u64,
    /// The policies chosen between, English and Chinese names.
    pub policies: Vec<[String; 2]>,
    /// Each policy's figure, mean over the runs, with its standard error.
    pub means: Vec<Estimate>,
    /// The policy chosen without further information.
    pub best: usize,
    /// The share of runs in which each policy is the best.
    pub best_shares: Vec<f64>,
    pub evpi: Estimate,
    /// Largest EVPPI first.
    pub inputs: Vec<InputValue>,
    /// Inputs left out: drawn in only some runs (name, runs drawn).
    pub left_out: Vec<(String, u64)>,
}

impl VoiResult {
    pub fn scenario_label(&self, lang: Lang) -> &str {
        &self.scenario_name[usize::from(lang == Lang::Zh)]
    }

    pub fn policy_label(&self, d: usize, lang: Lang) -> &str {
        &self.policies[d][usize::from(lang == Lang::Zh)]
    }
}

/// Simulates `scenario` once and estimates the EVPI and every input's
/// EVPPI for the choice `spec` states. `done` is called as runs finish,
/// with the runs done.
///
/// # Errors
///
/// An unknown policy or fewer than two, more runs than [`MAX_VOI_RUNS`],
/// or a scenario that is not valid or cannot be simulated.
pub fn run(
    scenario: &Scenario,
    spec: &VoiSpec,
    settings: &Settings,
    done: &(dyn Fn(u64) + Sync),
) -> Result<VoiResult, AnalysisError> {
    let model = scenario.model(&[], settings)?;
    if model.runs > MAX_VOI_RUNS {
        return Err(AnalysisError::Usage(format!(
            "--runs {}: a value-of-information analysis keeps every run in memory; use at most {MAX_VOI_RUNS}",
            model.runs
        )));
    }
    let names: Vec<&str> = model.policies.iter().map(|p| p.name.as_str()).collect();
    let chosen: Vec<usize> = match &spec.policies {
        None => (0..names.len()).collect(),
        Some(list) => list
            .iter()
            .map(|n| {
                names.iter().position(|m| m == n).ok_or_else(|| {
                    AnalysisError::Usage(format!(
                        "--policies: no policy named \"{n}\"; policies: {}",
                        names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let mut unique = chosen.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() < chosen.len() {
        return Err(AnalysisError::Usage("--policies: a policy is named twice".into()));
    }
    if unique.len() < 2 {
        return Err(AnalysisError::Usage(
            "--policies: a decision needs at least two different policies to choose between".into(),
        ));
    }
    let columns = samples::columns(&model)?;
    let objective = spec.objective;
    let (results, runs) = settings.simulate_runs(&model, &columns, done, |outcomes| {
        chosen
            .iter()
            .map(|&p| objective.net_benefit(&outcomes[p]))
            .collect::<Vec<f64>>()
    })?;
    // nb[d][i]: decision d's net benefit in run i.
    let nb: Vec<Vec<f64>> = (0..chosen.len())
        .map(|d| runs.kept.iter().map(|r| r[d]).collect())
        .collect();
    let nb = &nb;
    let (evpi, best_shares) = estimate::evpi(nb);
    let best = estimate::best_on_average(nb);
    let (kept, left_out) = runs.drawn_inputs(&columns);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|e| AnalysisError::Usage(format!("cannot start {} threads: {e}", settings.threads)))?;
    let seed = model.seed;
    let mut inputs: Vec<InputValue> = pool.install(|| {
        kept.par_iter()
            .map(|(name, x)| InputValue {
                name: name.clone(),
                partial: estimate::evppi(x, nb, combine(seed, key_of(&format!("voi:{name}")))),
            })
            .collect()
    });
    // Largest first; the file's order among equals.
    inputs.sort_by(|a, b| b.partial.evppi.value.total_cmp(&a.partial.evppi.value));
    // The figure is the net benefit, its sign turned back where less is
    // better.
    let sign = if objective.lower_is_better() { -1.0 } else { 1.0 };
    let means = (nb.iter())
        .map(|v| {
            let e = estimate::mean_and_se(v);
            Estimate {
                // `+ 0.0` makes a mean of -0 read 0.
                value: sign * e.value + 0.0,
                se: e.se,
            }
        })
        .collect();
    let year = spec.objective.year(samples::target_year(&model), model.final_year());
    Ok(VoiResult {
        scenario_name: [Lang::En, Lang::Zh].map(|l| results.scenario_label(l).to_string()),
        scenario_file: scenario.label.clone(),
        objective: spec.objective,
        year,
        runs: model.runs,
        seed: model.seed,
        policies: chosen
            .iter()
            .map(|&p| [Lang::En, Lang::Zh].map(|l| results.policies[p].label(l).to_string()))
            .collect(),
        means,
        best,
        best_shares,
        evpi,
        inputs,
        left_out,
    })
}
