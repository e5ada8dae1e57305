//! `villagesim sensitivity`: which uncertain inputs drive the number of
//! villages that stay below the floor.
//!
//! **Outcome.** The headline of the brief: the number of villages below the
//! income floor in the headline year (the target year when it lies in the
//! horizon, else the final year) under one policy, the mean over the runs
//! (exact: a mean of integer counts, not read from a quantile sketch).
//! `--policy` names the policy; by default it is the last policy of the
//! file, unless that policy leaves the same number of villages below the
//! floor in every run (a top-up to the floor leaves none), when nothing can
//! move it: the analysis then reads the last policy under which the number
//! varies, and says so. The median and the mean of the final-year mean
//! village income are kept as secondary columns of `sensitivity.csv`.
//!
//! **Inputs.** Every uncertain value of the file's `[[villages]]` and
//! `[[interventions]]` entries: a distribution table or a range string
//! `"A to B"` ([`super::overrides::uncertain_inputs`]; village CSV files are
//! not searched), named in words ([`path_words`]).
//!
//! **Moving an input to its P10 and P90 ([`Treatment`]).**
//!
//! - An input drawn once per run (we do not know its true value) is
//!   *fixed* at its P10, then at its P90, in every run (`{ fixed = P10 }`,
//!   keeping its clamp; a value outside the parameter's domain is moved to
//!   the domain's edge, as the model clamps such draws).
//! - An input drawn per village, per year or per village-year is, by
//!   default, *shifted*, not fixed. Fixing it would give every village (and
//!   year) the same extreme draw at once, a world no county sees. Instead
//!   every village keeps drawing its own value from its own stream, and the
//!   distribution is moved ([`Param::shifted`]) by `z / sqrt(n)` of its
//!   standard deviations, `z = ∓1.2816`, where `n` is the number of draws
//!   the outcome averages: the villages drawing it (per village), the
//!   years it is drawn in (per year), or both multiplied (per
//!   village-year). The average of the `n` draws then sits at its own P10
//!   or P90: the first-order effect of the input on a county outcome. The
//!   clamp is kept. An input drawn per village by a single village is fixed
//!   (the average of one draw is that draw).
//! - `--per-village fix` ([`PerVillage::Fix`]) fixes every input, as
//!   earlier versions did: a per-village input is then the same for every
//!   village (and year), and its swing measures a shift of the whole
//!   distribution to its tail.
//!
//! `sensitivity.csv` records each input's treatment, the number of draws
//! averaged and the values used: the fixed value, or the mean of the
//! shifted distribution.
//!
//! **Tornado (swing).** The scenario is simulated with one input at its
//! P10, then at its P90, every other input as in the file, all on the same
//! seed and runs (common random numbers: the points differ only by the
//! input moved). The swing is the difference in villages below the floor.
//! Inputs are ranked by swing, ties broken by the swing of the exact mean
//! village income, then by their order in the file.
//!
//! **Rank correlations.** A Latin-hypercube design of `--samples` points
//! over all inputs at once: at point `k` input `i` sits at its quantile
//! `u = (pi_i(k) + 0.5) / K` (`pi_i` a random permutation from a fixed
//! seed, one per input), by the same treatment as the tornado (fixed at its
//! `u` quantile, or shifted by `Phi^-1(u) / sqrt(n)` sd). Each point is
//! simulated (same seed and runs); an input's rank correlation is
//! Spearman's rho between its position in the design and the outcome over
//! the points: near +1 or -1 when it carries the variation, near 0 when it
//! carries none, within about `±2/sqrt(K)` of sampling noise.
//!
//! **Speed.** Each point simulates only the analysed policy (the engine's
//! per-policy work is what a run spends its time on), on the thread count
//! given; the points are simulated one after the other, so the results are
//! the same for any thread count.
//!
//! Simulations: 1 (every policy, to choose the policy and name the inputs)
//! + 2 per input + `--samples`.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::overrides::{uncertain_inputs, Entry, UncertainInput};
use super::{policy_index, AnalysisError, Scenario, Settings};
pub use crate::charts::Treatment;
use crate::format::Lang;
use crate::model::param::{standard_normal_quantile, Param, Per};
use crate::model::Model;
use crate::summary::results::Results;
use crate::summary::words::path_words;

mod design;
mod text;
mod write;

pub use text::{csv, short_number, table, value_text, ValueUnit};
pub use write::write;

/// Points of the Latin-hypercube design by default.
pub const DEFAULT_SAMPLES: usize = 40;
/// Most design points: each is a whole simulation.
pub const MAX_SAMPLES: usize = 10_000;
const DESIGN_SEED: u64 = 0x1a71_2c0b;
/// The standard normal's 90th percentile: a shifted input moves by
/// `∓Z_P90 / sqrt(n)` of its standard deviations.
pub const Z_P90: f64 = 1.281_551_565_544_6;

/// How inputs drawn per village, per year or per village-year are moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PerVillage {
    /// Shift their distribution so the average of their draws sits at its
    /// P10 / P90 (the default).
    #[default]
    Shift,
    /// Fix them for every village and year at once.
    Fix,
}

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Policy whose outcome is analysed (default: the last whose outcome
    /// varies, see the module doc).
    pub policy: Option<String>,
    /// Points of the Latin-hypercube design (0: no rank correlations).
    pub samples: usize,
    pub per_village: PerVillage,
}

/// Simulations an analysis of `inputs` inputs with `samples` design points takes.
pub fn simulations(inputs: usize, samples: usize) -> usize {
    1 + 2 * inputs + samples
}

/// The outcome of one simulation of the analysed policy.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Villages below the floor in the headline year, mean over the runs.
    pub below_floor: f64,
    /// Its Monte Carlo standard error.
    pub below_floor_se: f64,
    /// Median and mean, over the runs, of the headline year's mean village
    /// income, yuan (the median from the quantile sketch, the mean exact).
    pub median_income: f64,
    pub mean_income: f64,
}

impl Outcome {
    fn of(r: &Results, policy: usize, year: i32) -> Outcome {
        let y = r.policies[policy]
            .years
            .iter()
            .find(|y| y.year == year)
            .expect("the headline year is simulated");
        Outcome {
            below_floor: y.below_floor.mean,
            below_floor_se: y.below_floor.se,
            median_income: y.mean_income_yuan.p50,
            mean_income: y.mean_income_yuan.mean,
        }
    }
}

/// One input's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputResult {
    pub name: String,
    /// The input in words, English then Chinese ("Support fund: return
    /// rate per year", "消薄基金的年回报率").
    pub words: [String; 2],
    /// Its path in the file (`interventions[0].return_rate_per_year`).
    pub path: String,
    pub per: Option<Per>,
    pub unit: ValueUnit,
    pub treatment: Treatment,
    /// The draws a shifted input's average is taken over (villages times
    /// years); `None` for a fixed input.
    pub draws: Option<u64>,
    /// The value used at the P10 / P90 end: the fixed value, or the mean of
    /// the shifted distribution.
    pub p10: f64,
    pub p90: f64,
    pub at_p10: Outcome,
    pub at_p90: Outcome,
    /// `|at_p90.below_floor - at_p10.below_floor|`, villages.
    pub swing: f64,
    /// Spearman's rho over the design (None without a design, or when the
    /// input or the outcome does not vary over it).
    pub rank_correlation: Option<f64>,
    /// 1 for the largest swing.
    pub rank: usize,
}

/// The last policy of the file, passed over because its outcome is the
/// same in every run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassedOver {
    /// Its name, English then Chinese.
    pub names: [String; 2],
    /// Villages below the floor under it, in every run.
    pub below_floor: f64,
}

/// A finished sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityResult {
    pub scenario_name: String,
    pub policy: String,
    /// The scenario's and the policy's names in Chinese (the English name
    /// where the scenario gives none).
    pub scenario_name_zh: String,
    pub policy_zh: String,
    pub passed_over: Option<PassedOver>,
    /// The year whose villages below the floor are counted.
    pub year: i32,
    pub floor_yuan: f64,
    pub runs: u64,
    pub seed: u64,
    pub samples: usize,
    pub per_village: PerVillage,
    /// Every input as in the file.
    pub baseline: Outcome,
    /// Sorted by swing, largest first.
    pub inputs: Vec<InputResult>,
}

impl SensitivityResult {
    pub fn scenario_label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.scenario_name,
            Lang::Zh => &self.scenario_name_zh,
        }
    }

    pub fn policy_label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.policy,
            Lang::Zh => &self.policy_zh,
        }
    }

    /// Simulations the analysis took.
    pub fn simulations(&self) -> usize {
        simulations(self.inputs.len(), self.samples)
    }
}

/// Spearman's rank correlation (average ranks for ties); None when either
/// side does not vary.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut out = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            let rank = (i + j) as f64 / 2.0 + 1.0;
            for &k in &idx[i..=j] {
                out[k] = rank;
            }
            i = j + 1;
        }
        out
    }
    if x.len() != y.len() || x.len() < 3 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// The year the outcome is counted in: the target year when it lies within
/// the simulated years, else the final year (as the brief's headline).
fn headline_year(r: &Results) -> i32 {
    r.target_year
        .filter(|y| (r.start_year..=r.final_year).contains(y))
        .unwrap_or(r.final_year)
}

/// The policy analysed: `name`, else the last policy whose villages below
/// the floor in `year` vary over the runs (else the last); and the last
/// policy when it was passed over.
fn choose_policy(r: &Results, name: Option<&str>, year: i32) -> Result<(usize, Option<PassedOver>), AnalysisError> {
    let last = policy_index(r, name)?;
    if name.is_some() {
        return Ok((last, None));
    }
    let below = |p: usize| Outcome::of(r, p, year);
    let varies = |p: usize| {
        let y = r.policies[p].years.iter().find(|y| y.year == year);
        y.is_some_and(|y| y.below_floor.max > y.below_floor.min)
    };
    if varies(last) {
        return Ok((last, None));
    }
    match (0..last).rev().find(|&p| varies(p)) {
        Some(p) => Ok((
            p,
            Some(PassedOver {
                names: [Lang::En, Lang::Zh].map(|l| r.policies[last].label(l).to_string()),
                below_floor: below(last).below_floor,
            }),
        )),
        None => Ok((last, None)),
    }
}

/// How `input` is moved and over how many draws its average is taken:
/// shifted when it is drawn more than once per run (by more than one
/// village, or in more than one year), unless `per_village` says fix.
fn treatment(input: &UncertainInput, model: &Model, per_village: PerVillage) -> (Treatment, Option<u64>) {
    let fixed = (Treatment::Fixed, None);
    let Some(per) = input.per.filter(|p| *p != Per::Run) else {
        return fixed;
    };
    if per_village == PerVillage::Fix {
        return fixed;
    }
    let (villages, years) = match &input.entry {
        Entry::Villages { label, .. } => {
            let key = crate::rng::key_of(&format!("villages:{label}"));
            let n = model.villages.iter().filter(|v| v.entry_key == key).count();
            (n, model.years)
        }
        Entry::Intervention { index, id } => {
            let iv = model
                .interventions
                .get(*index)
                .filter(|iv| id.as_ref().is_none_or(|id| *id == iv.id))
                .or_else(|| model.interventions.iter().find(|iv| id.as_ref() == Some(&iv.id)));
            let Some(iv) = iv else { return fixed };
            let active = (model.start_year..=model.final_year())
                .filter(|y| iv.active(*y))
                .count();
            (iv.villages.len(), active)
        }
    };
    let n = match per {
        Per::Run => 1,
        Per::Village => villages,
        Per::Year => years,
        Per::VillageYear => villages * years,
    };
    if n <= 1 {
        fixed
    } else {
        (Treatment::Shifted, Some(n as u64))
    }
}

/// Runs the analysis, calling `done` after each simulation.
///
/// # Errors
///
/// [`AnalysisError`] when `--samples` is out of range, the policy is not
/// in the file, or a simulated scenario is not valid.
pub fn run(
    scenario: &Scenario,
    settings: &Settings,
    options: &Options,
    done: &(dyn Fn() + Sync),
) -> Result<SensitivityResult, AnalysisError> {
    let n = uncertain_inputs(&scenario.text)?.len();
    let all = 0..points(n, options.samples);
    assemble(vec![run_points(scenario, settings, options, all, done)?])
}

/// The simulations of an analysis of `inputs` inputs with `samples` design
/// points, the baseline left out: what a share of the analysis
/// ([`run_points`]) is a range of.
pub fn points(inputs: usize, samples: usize) -> usize {
    if inputs == 0 {
        0
    } else {
        2 * inputs + samples
    }
}

/// A share of a sensitivity analysis's simulations, to be put together with
/// the others by [`assemble`].
///
/// The simulations are numbered from 0: input `i` at its P10 is `2 i` and
/// at its P90 `2 i + 1`, and design point `k` is `2 n + k` (`n` inputs).
/// Each is keyed only by its number, so a share gives the outcomes one
/// process would, whatever the share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPoints {
    /// The analysis with its inputs in the file's order and their outcomes
    /// not yet filled in: the same in every share (each simulates the
    /// baseline to choose the policy and the year).
    pub frame: SensitivityResult,
    /// Each input's position at each design point, `positions[i][k]` (see
    /// `Design::positions`).
    pub positions: Vec<Vec<f64>>,
    /// The first simulation held.
    pub first: usize,
    /// The outcomes of simulations `first..first + outcomes.len()`.
    pub outcomes: Vec<Outcome>,
}

/// Simulates the baseline, then simulations `simulations` of the analysis
/// (numbered as [`SensitivityPoints`] says), calling `done` after each.
///
/// # Errors
///
/// As [`run`]; also when `simulations` is not within `0..points(...)`.
pub fn run_points(
    scenario: &Scenario,
    settings: &Settings,
    options: &Options,
    simulations: std::ops::Range<usize>,
    done: &(dyn Fn() + Sync),
) -> Result<SensitivityPoints, AnalysisError> {
    if options.samples > MAX_SAMPLES {
        return Err(AnalysisError::Usage(format!(
            "--samples {} is out of range: use 0 to {MAX_SAMPLES} (each sample is a whole simulation)",
            options.samples
        )));
    }
    let inputs = uncertain_inputs(&scenario.text)?;
    let total = points(inputs.len(), options.samples);
    if simulations.end > total || simulations.start > simulations.end {
        return Err(AnalysisError::Usage(format!(
            "simulations {}..{} of an analysis of {total}",
            simulations.start, simulations.end
        )));
    }
    let base_model = scenario.model(&[], settings)?;
    let baseline = settings.simulate(&base_model)?;
    done();
    let year = headline_year(&baseline);
    let (policy, passed_over) = choose_policy(&baseline, options.policy.as_deref(), year)?;
    let treatments: Vec<(Treatment, Option<u64>)> = inputs
        .iter()
        .map(|i| treatment(i, &base_model, options.per_village))
        .collect();
    let design = design::Design {
        scenario,
        settings,
        inputs: &inputs,
        treatments: &treatments,
        policy,
        year,
        done,
    };
    let k = if inputs.is_empty() { 0 } else { options.samples };
    let mut results: Vec<InputResult> = (0..inputs.len()).map(|i| design.input_result(i)).collect();
    for r in &mut results {
        r.words = [Lang::En, Lang::Zh].map(|l| path_words(&baseline, &r.name, l));
    }
    let first = simulations.start;
    let outcomes = simulations
        .map(|j| design.simulation(j, k))
        .collect::<Result<Vec<_>, _>>()?;
    let p = &baseline.policies[policy];
    let frame = SensitivityResult {
        scenario_name: baseline.scenario_name.clone(),
        policy: p.name.clone(),
        scenario_name_zh: baseline.scenario_label(Lang::Zh).to_string(),
        policy_zh: p.label(Lang::Zh).to_string(),
        passed_over,
        year,
        floor_yuan: baseline.floor_yuan,
        runs: baseline.runs,
        seed: baseline.seed,
        samples: k,
        per_village: options.per_village,
        baseline: Outcome::of(&baseline, policy, year),
        inputs: results,
    };
    Ok(SensitivityPoints {
        frame,
        positions: design.positions(k),
        first,
        outcomes,
    })
}

/// The shares `parts` of one analysis as one share: their simulations in
/// order, which must follow one another.
///
/// # Errors
///
/// No parts, parts of different analyses, or simulations held twice or a
/// gap between the parts.
pub fn join(mut parts: Vec<SensitivityPoints>) -> Result<SensitivityPoints, AnalysisError> {
    parts.sort_by_key(|p| p.first);
    let mut parts = parts.into_iter();
    let mut whole = parts
        .next()
        .ok_or_else(|| AnalysisError::Usage("no sensitivity simulations to put together".into()))?;
    for part in parts {
        if part.frame != whole.frame || part.positions != whole.positions {
            return Err(AnalysisError::Usage(
                "the shares belong to different sensitivity analyses (their baselines or inputs differ)".into(),
            ));
        }
        let next = whole.first + whole.outcomes.len();
        if part.first != next {
            return Err(AnalysisError::Usage(format!(
                "the shares do not follow one another: one starts at simulation {} where {next} was next",
                part.first
            )));
        }
        whole.outcomes.extend(part.outcomes);
    }
    Ok(whole)
}

/// The analysis made of `parts`, shares of its simulations that together
/// hold each one once: each input's outcomes at its P10 and P90 and its
/// swing, the rank correlations over the design, and the ranking.
///
/// # Errors
///
/// As [`join`]; also when the parts do not hold every simulation.
pub fn assemble(parts: Vec<SensitivityPoints>) -> Result<SensitivityResult, AnalysisError> {
    let SensitivityPoints {
        frame: mut result,
        positions,
        first,
        outcomes,
    } = join(parts)?;
    let n = result.inputs.len();
    let total = points(n, result.samples);
    if first != 0 || outcomes.len() != total {
        return Err(AnalysisError::Usage(format!(
            "the shares hold simulations {first}..{} of the analysis's {total}",
            first + outcomes.len()
        )));
    }
    let design: Vec<f64> = outcomes[2 * n..].iter().map(|o| o.below_floor).collect();
    for (i, r) in result.inputs.iter_mut().enumerate() {
        r.at_p10 = outcomes[2 * i];
        r.at_p90 = outcomes[2 * i + 1];
        r.swing = (r.at_p90.below_floor - r.at_p10.below_floor).abs();
        if result.samples > 0 {
            r.rank_correlation = spearman(&positions[i], &design);
        }
    }
    rank(&mut result.inputs);
    Ok(result)
}

/// The quantile `u` of input `param` under `treatment`: the value to fix
/// it at, or the shift (in its standard deviations) that puts the average
/// of its `n` draws at its quantile `u`.
/// The change to the file that puts `input` at its quantile `u` as the
/// tornado puts it at its P10 (see the module doc): fixed there in every
/// run when it is drawn once per run, else its distribution shifted so
/// that the average of its draws sits there.
pub(crate) fn at_quantile(input: &UncertainInput, model: &Model, u: f64) -> super::Override {
    let t = treatment(input, model, PerVillage::Shift);
    design::change(input, setting(&input.param, t, u))
}

fn setting(param: &Param, treatment: (Treatment, Option<u64>), u: f64) -> design::Setting {
    match treatment {
        (Treatment::Shifted, Some(n)) => design::Setting::Shift(standard_normal_quantile(u) / (n as f64).sqrt()),
        _ => design::Setting::Fix(param.quantile(u)),
    }
}

/// Largest swing in villages first, ranks from 1; equal swings (common
/// when a count does not move) are ordered by the swing of the exact mean
/// village income, then by the order of the file (the sort is stable).
fn rank(results: &mut [InputResult]) {
    results.sort_by(|a, b| {
        let mean_swing = |r: &InputResult| (r.at_p90.mean_income - r.at_p10.mean_income).abs();
        b.swing
            .total_cmp(&a.swing)
            .then(mean_swing(b).total_cmp(&mean_swing(a)))
    });
    for (rank, r) in results.iter_mut().enumerate() {
        r.rank = rank + 1;
    }
}

/// The design's permutations: one per input, from a fixed seed.
fn strata(inputs: usize, k: usize) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(DESIGN_SEED);
    (0..inputs)
        .map(|_| {
            let mut p: Vec<usize> = (0..k).collect();
            p.shuffle(&mut rng);
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_ranks() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(spearman(&x, &[10.0, 20.0, 30.0, 100.0]), Some(1.0));
        assert_eq!(spearman(&x, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&x, &[1.0, 1.0, 1.0, 1.0]), None);
    }

    #[test]
    fn the_design_quantile_of_a_shifted_input_is_that_of_its_average() {
        let growth = Param {
            dist: crate::model::param::Dist::Normal { mean: 0.05, sd: 0.1 },
            min: None,
            max: None,
            per: Some(Per::VillageYear),
            schedule: None,
        };
        let design::Setting::Shift(s) = setting(&growth, (Treatment::Shifted, Some(64)), 0.9) else {
            panic!("shifted")
        };
        assert!((s - Z_P90 / 8.0).abs() < 1e-12, "{s}");
        let design::Setting::Fix(x) = setting(&growth, (Treatment::Fixed, None), 0.1) else {
            panic!("fixed")
        };
        assert!((x - (0.05 - 0.1 * Z_P90)).abs() < 1e-12, "{x}");
    }
}
