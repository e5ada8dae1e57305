//! What a sweep hands its charts ([`crate::charts::SweepInput`]) and its
//! brief ([`crate::output::report::sweep::SweepBrief`]): plain inputs in
//! the output's language, built from a [`SweepResult`].

use std::path::Path;

use super::{show, SweepResult};
use crate::charts::{SweepAxis, SweepInput, SweepOutcome, SweepPoint, WrittenChart};
use crate::format::Lang;
use crate::output::report::sweep::{BriefAxis, BriefChart, BriefOutcome, BriefPoint, SweepBrief};
use crate::output::OutputError;

/// Writes the charts of `result` into `dir/charts`, in `lang`; returns
/// them with their SVG text. `policy`: see [`super::focus`].
pub fn write_charts(
    result: &SweepResult,
    policy: usize,
    dir: &Path,
    lang: Lang,
) -> Result<Vec<WrittenChart>, OutputError> {
    let shows: Vec<_> = result.axes.iter().map(|a| move |v: f64| show(a, v, lang)).collect();
    let input = chart_input(result, lang, &shows);
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(crate::output::atomic::io_error(&charts))?;
    crate::charts::write_sweep_charts(&input, policy, &charts, lang).map_err(|e| OutputError::Chart {
        path: charts.display().to_string(),
        message: e.to_string(),
    })
}

/// The charts' input; `shows[a]` writes a value of axis `a`.
fn chart_input<'a>(result: &'a SweepResult, lang: Lang, shows: &'a [impl Fn(f64) -> String]) -> SweepInput<'a> {
    let zh = lang == Lang::Zh;
    SweepInput {
        scenario_name: if zh {
            &result.scenario_name_zh
        } else {
            &result.scenario_name
        },
        final_year: result.year,
        runs: result.runs,
        floor_yuan: (!floor_swept(result)).then_some(result.floor_yuan),
        axes: result
            .axes
            .iter()
            .zip(shows)
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
    }
}

/// Whether the sweep moves the floor (`targets.floor`).
fn floor_swept(result: &SweepResult) -> bool {
    result.axes.iter().any(|a| a.path.text.trim() == "targets.floor")
}

/// The brief's input, in `lang`: `policy` the policy spoken of first,
/// `svgs` the charts' SVG text by file stem.
pub fn brief(
    result: &SweepResult,
    policy: usize,
    lang: Lang,
    command_line: &[String],
    svgs: Vec<(String, String)>,
) -> SweepBrief {
    let zh = usize::from(lang == Lang::Zh);
    let shows: Vec<_> = result.axes.iter().map(|a| move |v: f64| show(a, v, lang)).collect();
    let titles = crate::charts::sweep_titles(&chart_input(result, lang, &shows), policy, lang);
    let charts = titles
        .into_iter()
        .map(|(stem, title)| BriefChart {
            svg: svgs.iter().find(|(s, _)| *s == stem).map(|(_, svg)| svg.clone()),
            stem,
            title,
        })
        .collect();
    SweepBrief {
        lang,
        tool: "villagesim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario_name: [&result.scenario_name, &result.scenario_name_zh][zh].clone(),
        scenario_file: result.scenario_file.clone(),
        command_line: command_line.to_vec(),
        runs: result.runs,
        seed: result.seed,
        villages: result.villages,
        floor_yuan: (!floor_swept(result)).then_some(result.floor_yuan),
        year: result.year,
        axes: result
            .axes
            .iter()
            .zip(&result.axis_words)
            .map(|(a, words)| BriefAxis {
                words: words[zh].clone(),
                values: a.values.clone(),
                shown: a.values.iter().map(|v| show(a, *v, lang)).collect(),
            })
            .collect(),
        fixed: result.fixed.iter().map(|(w, v)| (w[zh].clone(), v.clone())).collect(),
        policies: [&result.policies, &result.policies_zh][zh].clone(),
        focus: policy,
        points: result
            .points
            .iter()
            .map(|p| BriefPoint {
                at: result
                    .axes
                    .iter()
                    .zip(&p.values)
                    .map(|(a, v)| a.values.iter().position(|x| x == v).unwrap_or(0))
                    .collect(),
                year: p.year,
                final_year: p.final_year,
                outcomes: p
                    .outcomes
                    .iter()
                    .map(|o| BriefOutcome {
                        below_floor: o.below_floor,
                        full_coverage: o.full_coverage,
                        mean_income: o.mean_income,
                        coverage_year: o.coverage_year,
                        p_coverage_by_end: o.p_coverage_by_end,
                        fiscal_cost: o.fiscal_cost,
                    })
                    .collect(),
            })
            .collect(),
        charts,
    }
}
