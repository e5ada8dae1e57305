//! `villagesim sweep`: the headline outcomes over a grid of one or two
//! parameters.
//!
//! `--set PATH=FROM:TO:STEPS` sweeps the value at `PATH` over `STEPS` evenly
//! spaced values from `FROM` to `TO` (both ends included; units as in the
//! file: `"4%"`, `"150万"`); given twice, the grid is every pair of values.
//! `--set PATH=VALUE` fixes a value at every point. Each point is the
//! scenario with those values, simulated with the same seed and runs: the
//! points differ only by the parameters (common random numbers).
//!
//! Per point and policy, in the year the brief answers for (`[targets]
//! year` when simulated, else the final year, as in the run's lead): the
//! villages below the floor, the probability that every village is at or
//! above the floor and mean village income (each its mean, Monte Carlo
//! standard error and quantiles over the runs); over the horizon: the first
//! year of full coverage in half the runs, the chance of full coverage by
//! the final year, the fiscal cost and the money committed.
//!
//! [`write`] puts `sweep.csv` ([`table::csv`]), the charts and the sweep's
//! brief (`report.html`, `report.md`: [`brief`], rendered by
//! [`crate::output::report::sweep`]) into the output folder, all or nothing.

pub mod brief;
pub mod table;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::overrides::{NewValue, Override, Step, ValuePath};
use super::{AnalysisError, Scenario, Settings};
use crate::format::Lang;
use crate::model::units::parse_number;
use crate::model::Model;
use crate::output::report::lead;
use crate::output::{OutputError, Staging};
use crate::summary::results::{Results, Stat};
use crate::summary::words::path_words;

pub use table::{csv, table, METRICS};

/// Most values of one swept parameter.
pub const MAX_STEPS: usize = 200;

/// One swept parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub path: ValuePath,
    pub values: Vec<f64>,
    /// The range was given in percent: values are shown as percentages.
    pub percent: bool,
    /// The value is money (given in 万 or 亿, or a `_yuan`, `amount`,
    /// income or floor key): shown in yuan, 万元 in Chinese.
    pub money: bool,
}

/// What to sweep: one or two axes, and values fixed at every point.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    pub fixed: Vec<Override>,
    /// Each fixed value as it was given (`6%`, `150万`), for the brief.
    pub fixed_text: Vec<String>,
}

impl SweepSpec {
    /// Reads `PATH=FROM:TO:STEPS` and `PATH=VALUE` arguments.
    pub fn parse(args: &[String]) -> Result<SweepSpec, AnalysisError> {
        let mut spec = SweepSpec {
            axes: Vec::new(),
            fixed: Vec::new(),
            fixed_text: Vec::new(),
        };
        for arg in args {
            let usage = |why: String| AnalysisError::Usage(format!("--set {arg}: {why}"));
            let Some((path, rhs)) = arg.split_once('=') else {
                return Err(usage(
                    "write PATH=FROM:TO:STEPS (e.g. interventions.fund.return_rate_per_year=4%:10%:7) or PATH=VALUE"
                        .into(),
                ));
            };
            let path = ValuePath::parse(path)?;
            let parts: Vec<&str> = rhs.split(':').collect();
            match parts.as_slice() {
                [value] => {
                    spec.fixed.push(Override {
                        path,
                        value: NewValue::from_arg(value),
                    });
                    spec.fixed_text.push(value.trim().to_string());
                }
                [from, to, steps] => {
                    let from_v = parse_number(from).map_err(&usage)?;
                    let to_v = parse_number(to).map_err(&usage)?;
                    let steps: usize = steps
                        .trim()
                        .parse()
                        .ok()
                        .filter(|s| (1..=MAX_STEPS).contains(s))
                        .ok_or_else(|| usage(format!("STEPS must be a whole number from 1 to {MAX_STEPS}")))?;
                    let values = (0..steps)
                        .map(|i| {
                            if steps == 1 {
                                from_v
                            } else {
                                from_v + (to_v - from_v) * i as f64 / (steps - 1) as f64
                            }
                        })
                        .map(tidy)
                        .collect();
                    let money = is_money(&path.text, from, to);
                    spec.axes.push(Axis {
                        path,
                        values,
                        percent: from.contains('%') || to.contains('%'),
                        money,
                    });
                }
                _ => return Err(usage("write FROM:TO:STEPS with two colons, or a single VALUE".into())),
            }
        }
        match spec.axes.len() {
            0 => Err(AnalysisError::Usage(
                "nothing to sweep: give --set PATH=FROM:TO:STEPS for one or two parameters".into(),
            )),
            1 | 2 => Ok(spec),
            n => Err(AnalysisError::Usage(format!(
                "{n} parameters to sweep: a sweep takes one or two (fix others with --set PATH=VALUE)"
            ))),
        }
    }

    /// Number of points of the grid.
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// The values of each axis at point `k` (the first axis varies slowest).
    pub fn point(&self, k: usize) -> Vec<f64> {
        let mut rest = k;
        let mut out = vec![0.0; self.axes.len()];
        for (a, axis) in self.axes.iter().enumerate().rev() {
            out[a] = axis.values[rest % axis.values.len()];
            rest /= axis.values.len();
        }
        out
    }
}

/// Whether a swept value is money: given in 万 or 亿, or at a key that
/// holds yuan (`..._yuan`, `amount`, incomes, the floor, the weak line, the
/// budget).
pub(crate) fn is_money(path: &str, from: &str, to: &str) -> bool {
    const MONEY_KEYS: [&str; 6] = ["amount", "operating_income", "other_income", "floor", "weak", "budget"];
    let key = path.rsplit('.').next().unwrap_or(path).trim_matches('"');
    [from, to].iter().any(|t| t.contains(['万', '亿']))
        || key.ends_with("_yuan")
        || key.contains("_yuan_")
        || MONEY_KEYS.contains(&key)
}

/// `x` with at most 12 significant digits: 0.04 + 3 * 0.01 becomes 0.07.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// The headline outcomes of one policy at one point: in the point's
/// [`Point::year`], and over its horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Mean operating income per village, yuan.
    pub mean_income: Stat,
    /// 1 when every village is at or above the floor: the mean is the
    /// probability of full coverage.
    pub full_coverage: Stat,
    /// Villages below the floor.
    pub below_floor: Stat,
    /// The first year full coverage is reached in at least half the runs.
    pub coverage_year: Option<i32>,
    /// The probability that full coverage is reached by the final year.
    pub p_coverage_by_end: f64,
    /// The fiscal cost over the horizon, yuan.
    pub fiscal_cost: Option<Stat>,
    /// The money committed over the horizon (bank, village and public), yuan.
    pub committed: Option<Stat>,
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The value of each axis.
    pub values: Vec<f64>,
    /// The year of the outcomes (see [`crate::output::report::lead::target_year`]).
    pub year: i32,
    /// The point's final year.
    pub final_year: i32,
    /// One per policy, as in [`SweepResult::policies`].
    pub outcomes: Vec<Outcome>,
}

/// A finished sweep, or the points of a share of one ([`run_points`]),
/// to be joined with the others ([`join`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub scenario_name: String,
    /// How the scenario file was named (its path), for the brief.
    pub scenario_file: String,
    /// The year of the outcomes, when every point has the same (not when
    /// the sweep moves the horizon past the target year).
    pub year: Option<i32>,
    /// The final year, when every point has the same.
    pub final_year: Option<i32>,
    pub runs: u64,
    pub seed: u64,
    pub villages: usize,
    pub floor_yuan: f64,
    pub axes: Vec<Axis>,
    pub policies: Vec<String>,
    /// The scenario's and the policies' names in Chinese (the English
    /// name where the scenario gives none), and each axis in words,
    /// English then Chinese (see [`crate::summary::words::path_words`]).
    pub scenario_name_zh: String,
    pub policies_zh: Vec<String>,
    pub axis_words: Vec<[String; 2]>,
    /// The values fixed at every point: in words (English, Chinese) and as given.
    pub fixed: Vec<([String; 2], String)>,
    pub points: Vec<Point>,
}

fn outcomes(results: &Results, year: i32) -> Vec<Outcome> {
    results
        .policies
        .iter()
        .map(|p| {
            let y = p
                .years
                .iter()
                .find(|y| y.year == year)
                .or(p.years.last())
                .expect("a results year");
            Outcome {
                mean_income: y.mean_income_yuan,
                full_coverage: y.all_above_floor,
                below_floor: y.below_floor,
                coverage_year: lead::median_coverage_year(p),
                p_coverage_by_end: p.coverage.last().map_or(0.0, |c| c.p_reached_by),
                fiscal_cost: lead::fiscal_cost(p),
                committed: p.accounts.as_ref().map(|a| a.committed_yuan.total_yuan),
            }
        })
        .collect()
}

/// The policies whose outcomes the sweep's axes can change, when every
/// axis is a value of an intervention named by its id
/// (`interventions.<id>.…`): those with one of these interventions. Every
/// draw is keyed by its entity, so the other policies' runs are the same at
/// every point (a policy's outcomes depend on its own runs only). `None`
/// when an axis may move anything else (villages, factors, the horizon, an
/// intervention by position): every policy is simulated at every point.
fn moved_policies(model: &Model, axes: &[Axis]) -> Option<Vec<usize>> {
    let mut ids = Vec::new();
    for axis in axes {
        match axis.path.steps.as_slice() {
            [Step::Key(table), Step::Key(id), _, ..] if table == "interventions" => ids.push(id.as_str()),
            _ => return None,
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let touched: Vec<usize> = (0..model.interventions.len())
        .filter(|&i| ids.contains(&model.interventions[i].id.as_str()))
        .collect();
    if touched.len() < ids.len() {
        return None;
    }
    let moved: Vec<usize> = (0..model.policies.len())
        .filter(|&p| model.policies[p].interventions.iter().any(|i| touched.contains(i)))
        .collect();
    (!moved.is_empty()).then_some(moved)
}

/// Simulates every point of `spec`, calling `done` after each.
pub fn run(
    scenario: &Scenario,
    spec: &SweepSpec,
    settings: &Settings,
    done: &(dyn Fn() + Sync),
) -> Result<SweepResult, AnalysisError> {
    run_points(scenario, spec, settings, 0..spec.points(), done)
}

/// Simulates the points `points` of `spec` (numbered as
/// [`SweepSpec::point`]), calling `done` after each: every policy at the
/// first of them, then only the policies the axes move (see
/// [`moved_policies`]). Every draw is keyed by its entity, so the points
/// are exactly those of [`run`], whatever point a share starts at; [`join`]
/// puts the shares back together. `year` and `final_year` are those of
/// these points.
pub fn run_points(
    scenario: &Scenario,
    spec: &SweepSpec,
    settings: &Settings,
    points: Range<usize>,
    done: &(dyn Fn() + Sync),
) -> Result<SweepResult, AnalysisError> {
    if points.end > spec.points() || points.is_empty() {
        return Err(AnalysisError::Usage(format!(
            "points {}..{} of a sweep of {} points",
            points.start,
            points.end,
            spec.points()
        )));
    }
    let mut result: Option<SweepResult> = None;
    for k in points {
        let values = spec.point(k);
        let mut changes = spec.fixed.clone();
        changes.extend(spec.axes.iter().zip(&values).map(|(axis, v)| Override {
            path: axis.path.clone(),
            value: NewValue::Number(*v),
        }));
        let mut model = scenario.model(&changes, settings)?;
        let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
        // After the first point, only the policies the axes can change are
        // simulated again; the others' outcomes are those of the first point.
        let first = result.as_ref().and_then(|r| r.points.first());
        let again = first.and_then(|_| moved_policies(&model, &spec.axes));
        if let Some(again) = &again {
            model.policies = again.iter().map(|&p| model.policies[p].clone()).collect();
        }
        let results = settings.simulate(&model)?;
        let year = lead::target_year(&results);
        let simulated = outcomes(&results, year);
        let outcomes = match (&again, first) {
            (Some(again), Some(first)) => {
                let mut all = first.outcomes.clone();
                again.iter().zip(simulated).for_each(|(&p, o)| all[p] = o);
                all
            }
            _ => simulated,
        };
        let point = Point {
            values,
            year,
            final_year: results.final_year,
            outcomes,
        };
        match &mut result {
            None => {
                result = Some(SweepResult {
                    scenario_name: results.scenario_name.clone(),
                    scenario_file: scenario.label.clone(),
                    year: Some(year),
                    final_year: Some(results.final_year),
                    runs: results.runs,
                    seed: results.seed,
                    villages: results.villages.len(),
                    floor_yuan: results.floor_yuan,
                    axes: spec.axes.clone(),
                    policies: names,
                    scenario_name_zh: results.scenario_label(Lang::Zh).to_string(),
                    policies_zh: results.policies.iter().map(|p| p.label(Lang::Zh).to_string()).collect(),
                    axis_words: spec
                        .axes
                        .iter()
                        .map(|a| [Lang::En, Lang::Zh].map(|l| path_words(&results, &a.path.text, l)))
                        .collect(),
                    fixed: spec
                        .fixed
                        .iter()
                        .zip(&spec.fixed_text)
                        .map(|(o, text)| {
                            let words = [Lang::En, Lang::Zh].map(|l| path_words(&results, &o.path.text, l));
                            (words, text.clone())
                        })
                        .collect(),
                    points: vec![point],
                })
            }
            Some(r) => {
                if r.policies != names {
                    return Err(AnalysisError::Usage(format!(
                        "the policies differ between sweep points ({} vs {}): sweep values that do not rename or remove policies",
                        r.policies.join(", "),
                        names.join(", ")
                    )));
                }
                if r.final_year != Some(results.final_year) {
                    r.final_year = None;
                }
                if r.year != Some(year) {
                    r.year = None;
                }
                r.points.push(point);
            }
        }
        done();
    }
    result.ok_or_else(|| AnalysisError::Usage("the sweep has no points".into()))
}

/// The sweep made of `parts`, shares of its points in point order (see
/// [`run_points`]): the points one after the other, the year and final
/// year kept where every part has the same.
///
/// # Errors
///
/// No parts, or parts of different sweeps (scenario, runs, seed, axes,
/// policies or fixed values differ).
pub fn join(parts: Vec<SweepResult>) -> Result<SweepResult, AnalysisError> {
    let mut parts = parts.into_iter();
    let mut whole = parts
        .next()
        .ok_or_else(|| AnalysisError::Usage("no sweep points to join".into()))?;
    for part in parts {
        let same = part.runs == whole.runs
            && part.seed == whole.seed
            && part.axes == whole.axes
            && part.policies == whole.policies
            && part.fixed == whole.fixed;
        if !same {
            return Err(AnalysisError::Usage(
                "the points belong to different sweeps (runs, seed, axes, policies or fixed values differ)".into(),
            ));
        }
        if whole.year != part.year {
            whole.year = None;
        }
        if whole.final_year != part.final_year {
            whole.final_year = None;
        }
        whole.points.extend(part.points);
    }
    Ok(whole)
}

/// The policy the brief and the charts' titles speak of (and charted for
/// two parameters): `chosen` when given, else the policy whose villages
/// below the floor (then mean income) the sweep moves most: between the
/// first and the last value of one parameter, over the whole grid of two
/// (the last of equals).
pub fn focus(result: &SweepResult, chosen: Option<usize>) -> usize {
    let last = result.policies.len().saturating_sub(1);
    if let Some(p) = chosen {
        return p.min(last);
    }
    let (Some(a), Some(b)) = (result.points.first(), result.points.last()) else {
        return last;
    };
    let spread = |p: usize, f: fn(&Outcome) -> f64| {
        let (lo, hi) = result
            .points
            .iter()
            .map(|pt| f(&pt.outcomes[p]))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(x), h.max(x)));
        hi - lo
    };
    let change = |p: usize| {
        if result.axes.len() == 1 {
            let (x, y) = (&a.outcomes[p], &b.outcomes[p]);
            (
                (y.below_floor.mean - x.below_floor.mean).abs(),
                (y.mean_income.mean - x.mean_income.mean).abs(),
            )
        } else {
            (spread(p, |o| o.below_floor.mean), spread(p, |o| o.mean_income.mean))
        }
    };
    (0..result.policies.len())
        .max_by(|&i, &j| {
            let (ci, cj) = (change(i), change(j));
            ci.0.total_cmp(&cj.0).then(ci.1.total_cmp(&cj.1)).then(i.cmp(&j))
        })
        .unwrap_or(last)
}

/// Writes `sweep.csv`, the charts and the brief (`report.html`,
/// `report.md`) into `dir`, all or nothing, in `lang`. `policy` is the
/// policy charted for a two-parameter sweep and spoken of first (default:
/// see [`focus`]); `command_line` is recorded in the brief.
pub fn write(
    result: &SweepResult,
    policy: Option<usize>,
    dir: &Path,
    lang: Lang,
    command_line: &[String],
) -> Result<Vec<PathBuf>, OutputError> {
    let mut staging = Staging::new(dir)?;
    let table = csv(result, lang)?;
    let book = crate::output::workbook::tables_workbook(&[("Sweep", "参数扫描", &table)], lang)?;
    staging.write("sweep.csv", &table)?;
    staging.write(crate::output::workbook::WORKBOOK_FILE, &book)?;
    let policy = focus(result, policy);
    staging.replace_folder("charts");
    let charts = brief::write_charts(result, policy, staging.dir(), lang)?;
    let mut svgs = Vec::new();
    for chart in charts {
        staging.adopt(Path::new("charts").join(chart.name.file_name().unwrap_or_default()));
        if let Some(svg) = chart.svg.clone() {
            svgs.push((chart.stem(), svg));
        }
    }
    let brief = brief::brief(result, policy, lang, command_line, svgs);
    staging.write("report.html", crate::output::report::sweep::html(&brief).as_bytes())?;
    staging.write("report.md", crate::output::report::sweep::markdown(&brief).as_bytes())?;
    staging.commit()
}

/// A value of `axis` for people, in `lang`: `6%`, `3,500`, `500,000 yuan`
/// / `50万元`.
pub fn show(axis: &Axis, v: f64, lang: Lang) -> String {
    if axis.percent {
        let pct = tidy(v * 100.0);
        format!("{}%", crate::format::grouped_exact(pct))
    } else if axis.money {
        crate::format::money_exact(lang, v)
    } else {
        crate::format::grouped_exact(v)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        let spec = SweepSpec::parse(&["interventions.f.rate=4%:10%:7".into(), "scenario.years=5".into()]).unwrap();
        assert_eq!(spec.axes[0].values, [0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]);
        assert!(spec.axes[0].percent);
        assert_eq!(spec.fixed.len(), 1);
        let spec = SweepSpec::parse(&["a.b=1:2:2".into(), "c.d=150万:200万:3".into()]).unwrap();
        assert_eq!(spec.points(), 6);
        assert_eq!(spec.point(0), [1.0, 1_500_000.0]);
        assert_eq!(spec.point(4), [2.0, 1_750_000.0]);
        assert!(SweepSpec::parse(&["a.b=1:2".into()]).is_err());
        assert!(SweepSpec::parse(&["a.b=1:2:0".into()]).is_err());
        assert!(SweepSpec::parse(&["a.b=5".into()]).is_err());
        assert!(SweepSpec::parse(&["a.b".into()]).is_err());
    }

    /// A sweep of one intervention's value simulates again only the
    /// policies with that intervention, and every outcome is exactly what
    /// simulating every policy at that point gives.
    #[test]
    fn reused_policies_give_the_outcomes_of_a_full_simulation() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
        let scenario = Scenario::read(&file).unwrap();
        let spec = SweepSpec::parse(&["interventions.support-fund.return_rate_per_year=4%:8%:3".into()]).unwrap();
        let settings = Settings {
            runs: Some(40),
            threads: 2,
            ..Default::default()
        };
        let model = scenario.model(&[], &settings).unwrap();
        let moved = moved_policies(&model, &spec.axes).unwrap();
        let names: Vec<&str> = moved.iter().map(|&p| model.policies[p].name.as_str()).collect();
        assert_eq!(names, ["support fund", "all three"]);
        let swept = run(&scenario, &spec, &settings, &|| {}).unwrap();
        for (k, point) in swept.points.iter().enumerate() {
            let changes: Vec<Override> = (spec.axes.iter().zip(spec.point(k)))
                .map(|(axis, v)| Override {
                    path: axis.path.clone(),
                    value: NewValue::Number(v),
                })
                .collect();
            let full = settings
                .simulate(&scenario.model(&changes, &settings).unwrap())
                .unwrap();
            assert_eq!(point.outcomes, outcomes(&full, point.year), "point {k}");
        }
        // The swept value does move the policies simulated again.
        let last = swept.points.len() - 1;
        assert_ne!(swept.points[0].outcomes[2], swept.points[last].outcomes[2]);
        // An axis on anything but an intervention by id moves every policy.
        let spec = SweepSpec::parse(&["targets.floor=40万:50万:2".into()]).unwrap();
        assert_eq!(moved_policies(&model, &spec.axes), None);
    }
}
