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
//! Per point and policy, in the final year: mean village income (mean, its
//! Monte Carlo standard error, P5, P50, P95 over the runs), the probability
//! that every village is at or above the floor (with its standard error) and
//! the expected number of villages below the floor (mean, se, P5, P50, P95).

use std::path::{Path, PathBuf};

use super::overrides::{NewValue, Override, ValuePath};
use super::{AnalysisError, Scenario, Settings};
use crate::format::Lang;
use crate::model::units::parse_number;
use crate::output::{OutputError, Staging};
use crate::summary::results::{Results, Stat};
use crate::summary::words::path_words;

/// Most values of one swept parameter.
pub const MAX_STEPS: usize = 200;

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub path: ValuePath,
    pub values: Vec<f64>,
    /// The range was given in percent: values are shown as percentages.
    pub percent: bool,
}

/// What to sweep: one or two axes, and values fixed at every point.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    pub fixed: Vec<Override>,
}

impl SweepSpec {
    /// Reads `PATH=FROM:TO:STEPS` and `PATH=VALUE` arguments.
    pub fn parse(args: &[String]) -> Result<SweepSpec, AnalysisError> {
        let mut spec = SweepSpec {
            axes: Vec::new(),
            fixed: Vec::new(),
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
                [value] => spec.fixed.push(Override {
                    path,
                    value: NewValue::from_arg(value),
                }),
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
                    spec.axes.push(Axis {
                        path,
                        values,
                        percent: from.contains('%') || to.contains('%'),
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

/// `x` with at most 12 significant digits: 0.04 + 3 * 0.01 becomes 0.07.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// The headline outcomes of one policy at one point, final year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Mean operating income per village, yuan.
    pub mean_income: Stat,
    /// 1 when every village is at or above the floor: the mean is the
    /// probability of full coverage.
    pub full_coverage: Stat,
    /// Villages below the floor.
    pub below_floor: Stat,
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The value of each axis.
    pub values: Vec<f64>,
    /// One per policy, as in [`SweepResult::policies`].
    pub outcomes: Vec<Outcome>,
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    pub scenario_name: String,
    /// The final year, when every point has the same (not when the sweep
    /// changes the horizon).
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
    pub points: Vec<Point>,
}

fn outcomes(results: &Results) -> Vec<Outcome> {
    results
        .policies
        .iter()
        .map(|p| {
            let last = p.years.last().expect("a results year");
            Outcome {
                mean_income: last.mean_income_yuan,
                full_coverage: last.all_above_floor,
                below_floor: last.below_floor,
            }
        })
        .collect()
}

/// Simulates every point of `spec`, calling `done` after each.
pub fn run(
    scenario: &Scenario,
    spec: &SweepSpec,
    settings: &Settings,
    done: &(dyn Fn() + Sync),
) -> Result<SweepResult, AnalysisError> {
    let mut result: Option<SweepResult> = None;
    for k in 0..spec.points() {
        let values = spec.point(k);
        let mut changes = spec.fixed.clone();
        changes.extend(spec.axes.iter().zip(&values).map(|(axis, v)| Override {
            path: axis.path.clone(),
            value: NewValue::Number(*v),
        }));
        let model = scenario.model(&changes, settings)?;
        let results = settings.simulate(&model)?;
        let names: Vec<String> = results.policies.iter().map(|p| p.name.clone()).collect();
        let point = Point {
            values,
            outcomes: outcomes(&results),
        };
        match &mut result {
            None => {
                result = Some(SweepResult {
                    scenario_name: results.scenario_name.clone(),
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
                r.points.push(point);
            }
        }
        done();
    }
    result.ok_or_else(|| AnalysisError::Usage("the sweep has no points".into()))
}

/// The metrics of `sweep.csv`, in order.
pub const METRICS: [&str; 3] = ["mean_village_income_yuan", "p_full_coverage", "villages_below_floor"];

/// `sweep.csv`: one row per point, policy and metric.
pub fn csv(result: &SweepResult) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "sweep.csv".into(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    for (a, _) in result.axes.iter().enumerate() {
        header.push(format!("parameter_{}", a + 1));
        header.push(format!("value_{}", a + 1));
    }
    header.extend(
        ["policy", "metric", "mean", "se", "p5", "p50", "p95"]
            .iter()
            .map(|s| s.to_string()),
    );
    w.write_record(&header).map_err(err)?;
    let num = |x: f64| if x.is_finite() { format!("{x}") } else { String::new() };
    for (k, point) in result.points.iter().enumerate() {
        for (p, o) in result.policies.iter().zip(&point.outcomes) {
            for metric in METRICS {
                let mut row = vec![k.to_string()];
                for (axis, v) in result.axes.iter().zip(&point.values) {
                    row.push(axis.path.text.clone());
                    row.push(num(*v));
                }
                row.push(p.clone());
                row.push(metric.to_string());
                let (s, quantiles) = match metric {
                    "mean_village_income_yuan" => (&o.mean_income, true),
                    "p_full_coverage" => (&o.full_coverage, false),
                    _ => (&o.below_floor, true),
                };
                row.push(num(s.mean));
                row.push(num(s.se));
                for q in [s.p5, s.p50, s.p95] {
                    row.push(if quantiles { num(q) } else { String::new() });
                }
                w.write_record(&row).map_err(err)?;
            }
        }
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "sweep.csv".into(),
        message: e.to_string(),
    })
}

/// Writes `sweep.csv` and the charts into `dir`, all or nothing. `policy`
/// is the policy charted for a two-parameter sweep (default: the last).
pub fn write(
    result: &SweepResult,
    policy: Option<usize>,
    dir: &Path,
    lang: crate::format::Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut staging = Staging::new(dir)?;
    staging.write("sweep.csv", &csv(result)?)?;
    let policy = policy.unwrap_or(result.policies.len().saturating_sub(1));
    for name in write_charts(result, policy, staging.dir(), lang)? {
        staging.adopt(name);
    }
    staging.commit()
}

/// Writes the charts of `result` into `dir/charts`; returns their names
/// relative to `dir`. `policy` is the policy charted for two parameters.
fn write_charts(
    result: &SweepResult,
    policy: usize,
    dir: &Path,
    lang: crate::format::Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    use crate::charts::{SweepAxis, SweepInput, SweepOutcome, SweepPoint};
    let shows: Vec<_> = result.axes.iter().map(|a| move |v: f64| show(a, v)).collect();
    let zh = lang == crate::format::Lang::Zh;
    let input = SweepInput {
        scenario_name: if zh {
            &result.scenario_name_zh
        } else {
            &result.scenario_name
        },
        final_year: result.final_year,
        runs: result.runs,
        floor_yuan: result.floor_yuan,
        axes: result
            .axes
            .iter()
            .zip(&shows)
            .zip(&result.axis_words)
            .map(|((a, show), words)| SweepAxis {
                path: &a.path.text,
                label: &words[usize::from(zh)],
                values: &a.values,
                show,
            })
            .collect(),
        policies: if zh { &result.policies_zh } else { &result.policies },
        points: result
            .points
            .iter()
            .map(|p| SweepPoint {
                values: p.values.clone(),
                outcomes: p
                    .outcomes
                    .iter()
                    .map(|o| SweepOutcome {
                        mean_income: o.mean_income,
                        full_coverage: o.full_coverage,
                        below_floor: o.below_floor,
                    })
                    .collect(),
            })
            .collect(),
    };
    super::write_charts(dir, |charts| {
        crate::charts::write_sweep_charts(&input, policy, charts, lang)
    })
}

/// A value of `axis` for people: `6%`, `3,500`.
pub fn show(axis: &Axis, v: f64) -> String {
    if axis.percent {
        let pct = tidy(v * 100.0);
        format!("{}%", crate::format::grouped_exact(pct))
    } else {
        crate::format::grouped_exact(v)
    }
}

/// The lines printed after a sweep: final-year mean village income per
/// point and policy, in `lang`.
pub fn table(result: &SweepResult, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let head = if zh {
        let year = result.final_year.map_or("末年".to_string(), |y| format!("{y}年"));
        format!(
            "{}：{year}村均收入（元），每点模拟 {} 次（随机种子 {}）：",
            result.scenario_name_zh, result.runs, result.seed
        )
    } else {
        let year = result
            .final_year
            .map_or("final-year".to_string(), |y| format!("final-year ({y})"));
        format!(
            "{}: {year} mean village income, yuan, {} runs per point (seed {}):",
            result.scenario_name, result.runs, result.seed
        )
    };
    let names: Vec<&str> = if zh {
        result.axis_words.iter().map(|w| w[1].as_str()).collect()
    } else {
        result.axes.iter().map(|a| a.path.text.as_str()).collect()
    };
    let (times, comma, semicolon) = if zh {
        (" × ", "，", "；")
    } else {
        (" x ", ", ", "; ")
    };
    let policies = if zh { &result.policies_zh } else { &result.policies };
    let mut lines = vec![head, format!("  {}", names.join(times))];
    for point in &result.points {
        let at: Vec<String> = result
            .axes
            .iter()
            .zip(&point.values)
            .map(|(a, v)| show(a, *v))
            .collect();
        let cells: Vec<String> = policies
            .iter()
            .zip(&point.outcomes)
            .map(|(p, o)| {
                let income = crate::format::thousands(o.mean_income.mean);
                let full = 100.0 * o.full_coverage.mean;
                if zh {
                    format!("{p}：{income}（全覆盖概率 {full:.1}%）")
                } else {
                    format!("{p}: {income} (P(full coverage) {full:.1}%)")
                }
            })
            .collect();
        lines.push(format!("  {:<16} {}", at.join(comma), cells.join(semicolon)));
    }
    lines
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
}
