//! `villagesim solve`: the smallest (or largest) value of one parameter
//! for which a target holds, with the Monte Carlo error of the answer.
//!
//! **Question.** `--target` states a headline figure of one policy and a
//! threshold ([`Target`], e.g. `villages_below_floor[2027] <= 5`);
//! `--vary PATH=LO:HI` names one value of the scenario (as `sweep --set`
//! does: a rate, a rent, an amount, a budget, a count) and the range to
//! search; `--find smallest` (the default) asks for the smallest value in
//! `LO..HI` at which the target holds, `--find largest` for the largest.
//!
//! **Assumption.** The target holds on one side of a single crossing: for
//! `smallest`, it fails below some value `x*` and holds above it (more
//! money, a higher rate, more villages reached help); for `largest` the
//! reverse (a rent cut, a cost). The search does not check this between the
//! points it evaluates; `solve.csv` lists every point, so a reader can.
//!
//! **Every candidate on common random numbers.** Each value is simulated
//! with the same seed and runs, only the policy analysed kept (its draws
//! are keyed by entity, so they are those it has among all the policies);
//! two candidates differ only by the value changed.
//!
//! **Search.** Let `m(x)` be the figure's estimate at `x` (mean over the
//! runs), `s(x)` its Monte Carlo standard error and `d(x)` the margin, `m(x)
//! - threshold` for `>=` and `>` (`threshold - m(x)` for `<=` and `<`).
//!
//! 1. `LO` and `HI` are evaluated. For `smallest`: when the target already
//!    holds at `LO` the answer is `LO` ("already met"); when it fails at
//!    `HI` it cannot be reached in the range, and the point nearest to it
//!    is reported. (For `largest`, the same with `LO` and `HI` swapped.)
//! 2. Bisection on "the estimate meets the target" between the last point
//!    that fails and the first that holds, until they are at most
//!    `--tolerance` apart (default `(HI - LO) / 256`: 8 halvings; 1 for a
//!    parameter the file gives as a whole number, which is searched over
//!    whole numbers). The answer is the first point found to hold.
//! 3. The interval: two more bisections, to the same tolerance, for the
//!    crossing of "surely holds", `d(x) - z s(x) >= 0`, above the answer and
//!    of "might hold", `d(x) + z s(x) >= 0`, below it, `z = 1.96`. Below
//!    the lower end the target fails even allowing for Monte Carlo error
//!    (two-sided 95%, pointwise), above the upper end it holds even
//!    allowing for it; where the range ends first, the interval is open at
//!    that end and says so. With no uncertainty in the scenario (`s = 0`)
//!    the interval is the answer's bracket. More runs narrow it.
//!
//! Evaluations are cached: a value is simulated at most once.

pub mod target;
mod write;

use super::overrides::{NewValue, Override, ValuePath};
use super::{AnalysisError, Scenario, Settings};
use crate::format::Lang;
use crate::model::units::parse_number;
use crate::model::Model;
use crate::summary::results::Results;
pub use target::{Comparison, Estimate, Figure, Target};
pub use write::{csv, sentence, write};

/// The normal quantile of a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;
/// Halvings of the range by default: the default tolerance is the range
/// over `2^8`.
pub const DEFAULT_HALVINGS: u32 = 8;
/// Most simulations a search may take (three bisections of at most 60
/// halvings each, the two ends, and room).
const MAX_EVALUATIONS: usize = 200;

/// Which end of the values meeting the target is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Find {
    #[default]
    Smallest,
    Largest,
}

/// What to solve.
#[derive(Debug, Clone)]
pub struct SolveSpec {
    pub target: Target,
    pub path: ValuePath,
    /// The range searched, `lo < hi`.
    pub lo: f64,
    pub hi: f64,
    pub find: Find,
    /// The policy whose figure is read (default: the last of the file).
    pub policy: Option<String>,
    /// How close the answer's bracket must be (default: see the module doc).
    pub tolerance: Option<f64>,
    /// `LO:HI` as given, for the brief (`4%:12%`).
    pub range_text: String,
    /// `--tolerance` as given.
    pub tolerance_text: Option<String>,
}

impl SolveSpec {
    /// Reads `--vary PATH=LO:HI` and the rest.
    ///
    /// # Errors
    ///
    /// [`AnalysisError::Usage`] or [`AnalysisError::Path`] saying what is
    /// wrong and what would be valid.
    pub fn parse(
        target: &str,
        vary: &str,
        find: Find,
        policy: Option<String>,
        tolerance: Option<&str>,
    ) -> Result<SolveSpec, AnalysisError> {
        let usage = |why: String| AnalysisError::Usage(format!("--vary {vary}: {why}"));
        let target = Target::parse(target)?;
        let (path, range) = vary
            .split_once('=')
            .ok_or_else(|| usage("write PATH=LO:HI (e.g. interventions.fund.return_rate_per_year=2%:12%)".into()))?;
        let path = ValuePath::parse(path)?;
        let (lo, hi) = range
            .split_once(':')
            .ok_or_else(|| usage("write the range as LO:HI, two numbers with one colon".into()))?;
        let lo_v = parse_number(lo).map_err(&usage)?;
        let hi_v = parse_number(hi).map_err(&usage)?;
        if !(lo_v.is_finite() && hi_v.is_finite()) || lo_v >= hi_v {
            return Err(usage(format!("LO ({lo}) must be below HI ({hi})")));
        }
        let tolerance_text = tolerance;
        let tolerance = match tolerance {
            None => None,
            Some(t) => {
                let v = parse_number(t).map_err(|e| AnalysisError::Usage(format!("--tolerance {t}: {e}")))?;
                if !(v > 0.0 && v < hi_v - lo_v) {
                    return Err(AnalysisError::Usage(format!(
                        "--tolerance {t}: it must be above 0 and below the range searched ({})",
                        hi_v - lo_v
                    )));
                }
                Some(v)
            }
        };
        Ok(SolveSpec {
            target,
            path,
            lo: lo_v,
            hi: hi_v,
            find,
            policy,
            tolerance,
            range_text: range.trim().to_string(),
            tolerance_text: tolerance_text.map(|t| t.trim().to_string()),
        })
    }
}

/// One simulated value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub value: f64,
    pub estimate: Estimate,
    /// The estimate meets the target.
    pub holds: bool,
    /// It meets it even `z` standard errors to the wrong side.
    pub surely_holds: bool,
    /// It misses it even `z` standard errors to the right side.
    pub surely_fails: bool,
}

/// The outcome of the search.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The target holds from `value` on (for `smallest`; up to it for
    /// `largest`).
    Found {
        value: f64,
        /// Where the target might begin to hold, and where it surely holds
        /// (in value order); `None` where the range ends first.
        low: Option<f64>,
        high: Option<f64>,
    },
    /// The target already holds at the end the search starts from (`LO`
    /// for `smallest`, `HI` for `largest`).
    AlreadyMet { value: f64 },
    /// It does not hold anywhere in the range: the nearest point.
    Unreachable { nearest: Evaluation },
}

/// A finished search.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveResult {
    pub scenario_name: String,
    pub scenario_name_zh: String,
    pub scenario_file: String,
    pub policy: String,
    pub policy_zh: String,
    pub target: Target,
    /// The year the figure was read in (`None` over the horizon).
    pub year: Option<i32>,
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    pub range_text: String,
    pub find: Find,
    /// Searched over whole numbers.
    pub whole: bool,
    pub tolerance: f64,
    /// `--tolerance` as given, if it was.
    pub explicit_tolerance: Option<String>,
    pub runs: u64,
    pub seed: u64,
    /// Every value simulated, in value order.
    pub evaluations: Vec<Evaluation>,
    pub answer: Answer,
}

impl SolveResult {
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
}

/// The simulations of one search: the scenario with the value changed,
/// only the analysed policy kept, each value simulated once.
struct Search<'a> {
    scenario: &'a Scenario,
    settings: &'a Settings,
    spec: &'a SolveSpec,
    policy: usize,
    whole: bool,
    cache: Vec<Evaluation>,
    /// What the result reports of the simulations, from the first.
    meta: Option<Meta>,
    done: &'a (dyn Fn() + Sync),
}

/// The scenario's and the policy's names (English, Chinese), the runs, the
/// seed and the figure's year, as the simulations had them.
struct Meta {
    scenario: [String; 2],
    policy: [String; 2],
    runs: u64,
    seed: u64,
    year: Option<i32>,
}

impl Search<'_> {
    fn model(&self, value: f64) -> Result<Model, AnalysisError> {
        let change = Override {
            path: self.spec.path.clone(),
            value: NewValue::Number(value),
        };
        let mut model = self.scenario.model(&[change], self.settings)?;
        let policy = model.policies.swap_remove(self.policy);
        // A figure against "no intervention" keeps it first.
        model.policies = if self.spec.target.figure.needs_runs() {
            vec![model.policies.swap_remove(0), policy]
        } else {
            vec![policy]
        };
        Ok(model)
    }

    /// Simulates `model` and estimates the target's figure under the
    /// analysed policy (the last of `model`).
    fn estimate(&self, model: &Model) -> Result<(Results, Estimate), AnalysisError> {
        let t = &self.spec.target;
        if !t.figure.needs_runs() {
            let results = self.settings.simulate(model)?;
            let estimate = t.estimate(&results, 0)?;
            return Ok((results, estimate));
        }
        // Every run's operating income added against "no intervention" and
        // fiscal cost, present values at the public discount rate.
        let columns = crate::summary::samples::SampleColumns::default();
        let (results, runs) = self.settings.simulate_runs(model, &columns, &|_| {}, |o| {
            (
                o[1].income_public_pv_yuan - o[0].income_public_pv_yuan,
                o[1].fiscal_cost_pv_yuan,
            )
        })?;
        let estimate = t.estimate_runs(&runs.kept, &model.policies[1].name)?;
        Ok((results, estimate))
    }

    /// The evaluation at `value`, simulated unless it was before.
    fn at(&mut self, value: f64) -> Result<Evaluation, AnalysisError> {
        if let Some(e) = self.cache.iter().find(|e| e.value == value) {
            return Ok(*e);
        }
        if self.cache.len() >= MAX_EVALUATIONS {
            return Err(AnalysisError::Usage(format!(
                "the search took more than {MAX_EVALUATIONS} simulations: give a larger --tolerance"
            )));
        }
        let (results, estimate) = self.estimate(&self.model(value)?)?;
        if self.meta.is_none() {
            let p = results.policies.last().expect("the analysed policy");
            self.meta = Some(Meta {
                scenario: [Lang::En, Lang::Zh].map(|l| results.scenario_label(l).to_string()),
                policy: [Lang::En, Lang::Zh].map(|l| p.label(l).to_string()),
                runs: results.runs,
                seed: results.seed,
                year: self.spec.target.year_in(&results)?,
            });
        }
        (self.done)();
        let t = &self.spec.target;
        let e = Evaluation {
            value,
            estimate,
            holds: t.holds(estimate.value),
            surely_holds: t.holds(estimate.value - Z_95 * estimate.se * sign(t)),
            surely_fails: !t.holds(estimate.value + Z_95 * estimate.se * sign(t)),
        };
        self.cache.push(e);
        Ok(e)
    }

    /// The midpoint of `a` and `b` (whole when searching whole numbers);
    /// `None` when they are within `tolerance` (or adjacent whole numbers).
    fn between(&self, a: f64, b: f64, tolerance: f64) -> Option<f64> {
        if (b - a).abs() <= tolerance {
            return None;
        }
        let mid = if self.whole {
            ((a + b) / 2.0).floor()
        } else {
            a + (b - a) / 2.0
        };
        (mid != a && mid != b).then_some(mid)
    }

    /// Bisection between `bad` (where `pred` is false) and `good` (where it
    /// is true): the last pair, as (bad, good).
    fn bisect(
        &mut self,
        mut bad: f64,
        mut good: f64,
        tolerance: f64,
        pred: fn(&Evaluation) -> bool,
    ) -> Result<(f64, f64), AnalysisError> {
        while let Some(mid) = self.between(bad, good, tolerance) {
            if pred(&self.at(mid)?) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        Ok((bad, good))
    }
}

impl Search<'_> {
    /// The tightest bracket the evaluations so far give for the crossing
    /// of `pred` between `from` (where it is false) and `to` (where it is
    /// true): the evaluated point nearest `from` where it is true, and the
    /// one nearest that where it is false, on the `from` side.
    fn bracket(&self, from: f64, to: f64, pred: fn(&Evaluation) -> bool) -> (f64, f64) {
        let toward = |x: f64| (x - from) * (to - from).signum();
        let span = toward(to);
        let between = |e: &&Evaluation| (0.0..=span).contains(&toward(e.value));
        let good = self
            .cache
            .iter()
            .filter(between)
            .filter(|e| pred(e))
            .map(|e| e.value)
            .min_by(|a, b| toward(*a).total_cmp(&toward(*b)))
            .unwrap_or(to);
        let bad = self
            .cache
            .iter()
            .filter(between)
            .filter(|e| !pred(e) && toward(e.value) < toward(good))
            .map(|e| e.value)
            .max_by(|a, b| toward(*a).total_cmp(&toward(*b)))
            .unwrap_or(from);
        (bad, good)
    }
}

/// Whether the value at the path takes only whole numbers (a count of
/// villages, of years): the scenario is not valid with a fraction there,
/// while it is with a whole number. Checked by building the model, not by
/// simulating it.
fn takes_whole_numbers(scenario: &Scenario, spec: &SolveSpec, settings: &Settings) -> Result<bool, AnalysisError> {
    let with = |v: f64| {
        let change = Override {
            path: spec.path.clone(),
            value: NewValue::Number(v),
        };
        scenario.model(&[change], settings)
    };
    let whole = spec.lo.ceil();
    let fraction = if whole.floor() + 0.5 < spec.hi {
        whole + 0.5
    } else {
        (spec.lo + spec.hi) / 2.0
    };
    if with(fraction).is_ok() {
        return Ok(false);
    }
    // A fraction is refused: a whole number of the range must be taken
    // (else the error, which names the field, is the scenario's).
    if whole <= spec.hi.floor() {
        with(whole)?;
        return Ok(true);
    }
    with(fraction).map(|_| false)
}

/// +1 when a larger figure meets the target, -1 when a smaller one does.
fn sign(t: &Target) -> f64 {
    if t.margin(1.0) > t.margin(0.0) {
        1.0
    } else {
        -1.0
    }
}

/// Runs the search (see the module doc), calling `done` after each
/// simulation.
///
/// # Errors
///
/// A bad path, value or policy, a year the scenario does not simulate, or
/// a scenario that is not valid with a value of the range.
pub fn run(
    scenario: &Scenario,
    spec: &SolveSpec,
    settings: &Settings,
    done: &(dyn Fn() + Sync),
) -> Result<SolveResult, AnalysisError> {
    let base = scenario.model(&[], settings)?;
    let names: Vec<String> = base.policies.iter().map(|p| p.name.clone()).collect();
    let policy = match &spec.policy {
        Some(name) => names.iter().position(|n| n == name).ok_or_else(|| {
            AnalysisError::Usage(format!("no policy named \"{name}\"; policies: {}", names.join(", ")))
        })?,
        None => names.len() - 1,
    };
    if spec.target.figure.needs_runs() && policy == 0 {
        return Err(AnalysisError::Usage(format!(
            "--target \"{}\" compares a policy with \"{}\": name another policy with --policy",
            spec.target.text, names[0]
        )));
    }
    let whole = takes_whole_numbers(scenario, spec, settings)?;
    let (lo, hi) = if whole {
        (spec.lo.ceil(), spec.hi.floor())
    } else {
        (spec.lo, spec.hi)
    };
    if whole && lo >= hi {
        return Err(AnalysisError::Usage(format!(
            "--vary {}={}: the file gives a whole number here, and the range holds no two whole numbers",
            spec.path.text, spec.range_text
        )));
    }
    let tolerance = spec
        .tolerance
        .unwrap_or((hi - lo) / f64::from(1u32 << DEFAULT_HALVINGS))
        .max(if whole { 1.0 } else { 0.0 });
    let mut search = Search {
        scenario,
        settings,
        spec,
        policy,
        whole,
        cache: Vec::new(),
        meta: None,
        done,
    };
    // `start` is where the search starts from: LO for the smallest value,
    // HI for the largest; `end` the other end.
    let (start, end) = match spec.find {
        Find::Smallest => (lo, hi),
        Find::Largest => (hi, lo),
    };
    let at_start = search.at(start)?;
    let at_end = search.at(end)?;
    let answer = if at_start.holds {
        Answer::AlreadyMet { value: start }
    } else if !at_end.holds {
        let t = &spec.target;
        let nearest = *search
            .cache
            .iter()
            .max_by(|a, b| t.margin(a.estimate.value).total_cmp(&t.margin(b.estimate.value)))
            .expect("two evaluations");
        Answer::Unreachable { nearest }
    } else {
        let (_, value) = search.bisect(start, end, tolerance, |e| e.holds)?;
        let sure = if search.at(value)?.surely_holds {
            Some(value)
        } else if at_end.surely_holds {
            let (bad, good) = search.bracket(value, end, |e| e.surely_holds);
            Some(search.bisect(bad, good, tolerance, |e| e.surely_holds)?.1)
        } else {
            None
        };
        let might = if at_start.surely_fails {
            let (bad, good) = search.bracket(value, start, |e| e.surely_fails);
            Some(search.bisect(bad, good, tolerance, |e| e.surely_fails)?.1)
        } else {
            None
        };
        // In value order: for `smallest` the might-hold end is below.
        let (low, high) = match spec.find {
            Find::Smallest => (might, sure),
            Find::Largest => (sure, might),
        };
        Answer::Found { value, low, high }
    };
    let meta = search.meta.take().expect("the ends were simulated");
    let mut evaluations = search.cache;
    evaluations.sort_by(|a, b| a.value.total_cmp(&b.value));
    Ok(SolveResult {
        scenario_name: meta.scenario[0].clone(),
        scenario_name_zh: meta.scenario[1].clone(),
        scenario_file: scenario.label.clone(),
        policy: meta.policy[0].clone(),
        policy_zh: meta.policy[1].clone(),
        target: spec.target.clone(),
        year: meta.year,
        path: spec.path.text.clone(),
        lo,
        hi,
        range_text: spec.range_text.clone(),
        find: spec.find,
        whole,
        tolerance,
        explicit_tolerance: spec.tolerance_text.clone(),
        runs: meta.runs,
        seed: meta.seed,
        evaluations,
        answer,
    })
}
