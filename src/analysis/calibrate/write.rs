//! Writing a calibration: `calibration.csv` (every input's prior and
//! posterior), `calibrated_projection.csv` (the headline figures, prior
//! and posterior), the chart `charts/calibration.svg` and `.png`, and
//! `report.html` / `report.md`, staged and committed all or nothing.

use std::path::{Path, PathBuf};

use super::{CalibrateResult, Figure, InputPosterior, Observation, Z_CUT};
use crate::charts::{CalibrateChart, CalibrateRow};
use crate::format::{grouped, money_exact, money_sig, ordinal, pct, pct_cell, round_sig, Lang};
use crate::output::report::page::{AnalysisPage, PageTable};
use crate::output::OutputError;

/// Inputs whose posterior mean moves less than this many prior standard
/// deviations are not named as assumptions the observation needs.
const NOTABLE_SHIFT_SD: f64 = 0.1;

/// An input's value for people: three significant figures.
fn value(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return grouped(v, 0);
    }
    let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    grouped(round_sig(v, 3), decimals)
}

/// The observations in words.
fn observed(r: &CalibrateResult, lang: Lang) -> String {
    let parts: Vec<String> = (r.observations.iter())
        .map(|o| match (o, lang) {
            (Observation::Mean { yuan, .. }, Lang::En) => format!(
                "mean village income {} ± {}",
                money_exact(lang, *yuan),
                pct_cell(r.mean_error)
            ),
            (Observation::Mean { yuan, .. }, Lang::Zh) => {
                format!(
                    "村均经营性收入 {}（± {}）",
                    money_exact(lang, *yuan),
                    pct_cell(r.mean_error)
                )
            }
            (Observation::FullCoverage(true), Lang::En) => "every village at the floor".into(),
            (Observation::FullCoverage(true), Lang::Zh) => "所有村均达到底线".into(),
            (Observation::FullCoverage(false), Lang::En) => "not every village at the floor".into(),
            (Observation::FullCoverage(false), Lang::Zh) => "并非所有村都达到底线".into(),
            (Observation::BelowFloor(k), Lang::En) => format!("{k} villages below the floor"),
            (Observation::BelowFloor(k), Lang::Zh) => format!("{k} 个村低于底线"),
        })
        .collect();
    parts.join(if lang == Lang::En { ", " } else { "，" })
}

/// The input whose posterior moves most, when it moves notably.
fn top(r: &CalibrateResult) -> Option<&InputPosterior> {
    r.inputs.first().filter(|i| i.shift_sd.abs() >= NOTABLE_SHIFT_SD)
}

/// "X (must be) higher than assumed: its median moves from 0.05 to 0.08,
/// the prior's 92nd percentile".
fn shift_words(i: &InputPosterior, lang: Lang, must: bool) -> String {
    let pctile = i.prior_percentiles[1] * 100.0;
    let (a, b) = (value(i.prior.p50), value(i.posterior.p50));
    match lang {
        Lang::En => format!(
            "{}{} {} than assumed: its median moves from {a} to {b}, the prior's {} percentile",
            i.name,
            if must { " must be" } else { "" },
            if i.shift_sd > 0.0 { "higher" } else { "lower" },
            ordinal(pctile.round().clamp(0.0, 100.0))
        ),
        Lang::Zh => format!(
            "{}{}{}于假设：中位数由 {a} 变为 {b}，位于先验的第 {:.0} 百分位",
            i.name,
            if must { " 须" } else { " " },
            if i.shift_sd > 0.0 { "高" } else { "低" },
            pctile.round().clamp(0.0, 100.0)
        ),
    }
}

/// The message in one sentence, true of the CSV files and the chart.
pub fn sentence(r: &CalibrateResult, lang: Lang) -> String {
    let en = lang == Lang::En;
    let runs = grouped(r.runs as f64, 0);
    let policy = r.policy_label(lang);
    let obs = observed(r, lang);
    let year = r.year;
    let covered = r
        .projection
        .iter()
        .rev()
        .find(|p| p.figure == Figure::CoveredBy)
        .copied();
    match &r.nearest {
        None => {
            let head = if en {
                format!(
                    "Of {runs} runs of \"{policy}\", {} are consistent with what was observed in {year} ({obs}), an effective sample size of {}",
                    grouped(r.consistent as f64, 0),
                    grouped(r.ess, 0)
                )
            } else {
                format!(
                    "“{policy}”的 {runs} 次模拟中，有 {} 次与{year}年的观测（{obs}）一致，有效样本量 {}",
                    grouped(r.consistent as f64, 0),
                    grouped(r.ess, 0)
                )
            };
            let needs = match (top(r), en) {
                (Some(i), true) => format!(". For the observation to happen, {}", shift_words(i, lang, true)),
                (Some(i), false) => format!("。要出现观测结果，{}", shift_words(i, lang, true)),
                (None, true) => format!(
                    ". No input's posterior moves from its prior by {NOTABLE_SHIFT_SD} prior standard deviations or more"
                ),
                (None, false) => format!("。没有哪个输入的后验相对先验移动 {NOTABLE_SHIFT_SD} 个先验标准差以上"),
            };
            let tail = match (covered, en) {
                (Some(c), true) => format!(
                    "; re-weighted, the chance of full coverage by {} is {} (prior {}).",
                    c.year.unwrap_or(year),
                    pct(c.posterior),
                    pct(c.prior)
                ),
                (Some(c), false) => format!(
                    "；重新加权后，{}年前全部达到底线的概率为 {}（先验 {}）。",
                    c.year.unwrap_or(year),
                    pct(c.posterior),
                    pct(c.prior)
                ),
                (None, true) => ".".into(),
                (None, false) => "。".into(),
            };
            format!("{head}{needs}{tail}")
        }
        Some(near) => {
            let miss = match (near.count_miss, en) {
                (0, true) => format!(
                    "the nearest run's mean lies {} observation errors from the observed one (at most {Z_CUT} allowed)",
                    grouped(near.z.abs(), 1)
                ),
                (0, false) => format!(
                    "最接近的一次模拟的村均收入与观测相差 {} 个观测误差（允许至多 {Z_CUT} 个）",
                    grouped(near.z.abs(), 1)
                ),
                (k, true) => format!("the nearest run misses the count by {k} villages"),
                (k, false) => format!("最接近的一次模拟的村数相差 {k} 个"),
            };
            let k = grouped(near.runs as f64, 0);
            let needs = match (top(r), en) {
                (Some(i), true) => format!("The {k} runs that come nearest have {}.", shift_words(i, lang, false)),
                (Some(i), false) => format!("最接近的 {k} 次模拟中，{}。", shift_words(i, lang, false)),
                (None, true) => format!("The {k} runs that come nearest have every input near its prior."),
                (None, false) => format!("最接近的 {k} 次模拟中，各输入都接近其先验。"),
            };
            if en {
                format!("None of the {runs} runs of \"{policy}\" is consistent with what was observed in {year} ({obs}): {miss}. {needs}")
            } else {
                format!("“{policy}”的 {runs} 次模拟中，没有一次与{year}年的观测（{obs}）一致：{miss}。{needs}")
            }
        }
    }
}

/// How the runs were weighted, as the CSV files say it.
fn weighting(r: &CalibrateResult) -> &'static str {
    if r.nearest.is_some() {
        "nearest"
    } else {
        "posterior"
    }
}

fn encode(name: &str, w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, OutputError> {
    w.into_inner().map_err(|e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    })
}

fn err(name: &'static str) -> impl Fn(csv::Error) -> OutputError {
    move |e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    }
}

/// `calibration.csv`: one row per input, largest shift first.
///
/// Columns: `input`; `prior_` and `posterior_` `mean`, `sd`, `p10`, `p50`,
/// `p90`; `shift_sd` (the posterior mean's shift in prior sds);
/// `posterior_p50_prior_percentile`; `weighting` (`posterior`, or
/// `nearest` when no run is consistent and the nearest runs are
/// described); `runs`, `consistent_runs`, `ess`. Inputs drawn in only some
/// runs follow with `weighting` = `left_out` and empty figures.
///
/// # Errors
///
/// [`OutputError::Encode`] when the CSV cannot be written.
pub fn csv(r: &CalibrateResult) -> Result<Vec<u8>, OutputError> {
    const NAME: &str = "calibration.csv";
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["input".to_string()];
    for side in ["prior", "posterior"] {
        head.extend(["mean", "sd", "p10", "p50", "p90"].map(|s| format!("{side}_{s}")));
    }
    head.extend(
        [
            "shift_sd",
            "posterior_p50_prior_percentile",
            "weighting",
            "runs",
            "consistent_runs",
            "ess",
        ]
        .map(String::from),
    );
    w.write_record(&head).map_err(err(NAME))?;
    let tail = |weighting: &str| {
        [
            weighting.to_string(),
            r.runs.to_string(),
            r.consistent.to_string(),
            format!("{}", r.ess),
        ]
    };
    for i in &r.inputs {
        let mut row = vec![i.name.clone()];
        for s in [i.prior, i.posterior] {
            row.extend([s.mean, s.sd, s.p10, s.p50, s.p90].map(|v| format!("{v}")));
        }
        row.push(format!("{}", i.shift_sd));
        row.push(format!("{}", i.prior_percentiles[1]));
        row.extend(tail(weighting(r)));
        w.write_record(&row).map_err(err(NAME))?;
    }
    for (name, _) in &r.left_out {
        let mut row = vec![name.clone()];
        row.extend(std::iter::repeat_n(String::new(), 12));
        row.extend(tail("left_out"));
        w.write_record(&row).map_err(err(NAME))?;
    }
    encode(NAME, w)
}

/// `calibrated_projection.csv`: the policy's headline figures with the
/// prior's and the posterior's weights. Columns: `figure`
/// (`mean_income`, `villages_below_floor`, `p_full_coverage`,
/// `p_covered_by`: full coverage first reached in or before the year,
/// `fiscal_cost`: over the horizon), `year`, `prior`, `posterior`,
/// `weighting`.
///
/// # Errors
///
/// [`OutputError::Encode`] when the CSV cannot be written.
pub fn projection_csv(r: &CalibrateResult) -> Result<Vec<u8>, OutputError> {
    const NAME: &str = "calibrated_projection.csv";
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["figure", "year", "prior", "posterior", "weighting"])
        .map_err(err(NAME))?;
    for p in &r.projection {
        w.write_record([
            p.figure.name().to_string(),
            p.year.map_or(String::new(), |y| y.to_string()),
            format!("{}", p.prior),
            format!("{}", p.posterior),
            weighting(r).to_string(),
        ])
        .map_err(err(NAME))?;
    }
    encode(NAME, w)
}

/// "posterior" or "the nearest runs", in `lang`.
fn posterior_label(r: &CalibrateResult, lang: Lang) -> String {
    match (r.nearest.is_some(), lang) {
        (false, Lang::En) => "posterior".into(),
        (false, Lang::Zh) => "后验".into(),
        (true, Lang::En) => "the nearest runs".into(),
        (true, Lang::Zh) => "最接近的模拟".into(),
    }
}

fn chart_title(r: &CalibrateResult, lang: Lang) -> String {
    let year = r.year;
    match (r.nearest.is_some(), top(r), lang) {
        (false, Some(i), Lang::En) => format!("To match {year}, {} must be {} than assumed", i.name, higher(i, lang)),
        (false, Some(i), Lang::Zh) => format!("要与{year}年的观测一致，{} 须{}于假设", i.name, higher(i, lang)),
        (false, None, Lang::En) => format!("The runs that match {year} need no input far from its prior"),
        (false, None, Lang::Zh) => format!("与{year}年观测一致的模拟不需要任何输入偏离先验"),
        (true, _, Lang::En) => format!("No run matches {year}: where the nearest runs' inputs sit"),
        (true, _, Lang::Zh) => format!("没有一次模拟与{year}年的观测一致：最接近的模拟的输入"),
    }
}

fn higher(i: &InputPosterior, lang: Lang) -> &'static str {
    match (i.shift_sd > 0.0, lang) {
        (true, Lang::En) => "higher",
        (false, Lang::En) => "lower",
        (true, Lang::Zh) => "高",
        (false, Lang::Zh) => "低",
    }
}

fn chart(r: &CalibrateResult, lang: Lang) -> CalibrateChart {
    let runs = grouped(r.runs as f64, 0);
    CalibrateChart {
        lang,
        title: chart_title(r, lang),
        subtitle: match lang {
            Lang::En => format!(
                "{}, {}: {runs} runs weighted by the {} observations; effective sample size {}",
                r.scenario_label(lang),
                r.policy_label(lang),
                r.year,
                grouped(r.ess, 0)
            ),
            Lang::Zh => format!(
                "{}，{}：{runs} 次模拟按{}年观测加权；有效样本量 {}",
                r.scenario_label(lang),
                r.policy_label(lang),
                r.year,
                grouped(r.ess, 0)
            ),
        },
        posterior_label: posterior_label(r, lang),
        rows: (r.inputs.iter())
            .map(|i| CalibrateRow {
                name: i.name.clone(),
                percentiles: i.prior_percentiles,
            })
            .collect(),
    }
}

/// A projection figure's name and value in words.
fn figure_words(f: Figure, year: Option<i32>, lang: Lang) -> String {
    let y = year.map_or(String::new(), |y| y.to_string());
    match (f, lang) {
        (Figure::MeanIncome, Lang::En) => format!("Mean operating income per village, {y}"),
        (Figure::MeanIncome, Lang::Zh) => format!("{y}年村均经营性收入"),
        (Figure::BelowFloor, Lang::En) => format!("Villages below the floor, {y}"),
        (Figure::BelowFloor, Lang::Zh) => format!("{y}年低于底线的村数"),
        (Figure::FullCoverage, Lang::En) => format!("P(every village at the floor in {y})"),
        (Figure::FullCoverage, Lang::Zh) => format!("{y}年所有村均达到底线的概率"),
        (Figure::CoveredBy, Lang::En) => format!("P(full coverage first reached by {y})"),
        (Figure::CoveredBy, Lang::Zh) => format!("{y}年前（含）首次全部达到底线的概率"),
        (Figure::FiscalCost, Lang::En) => "Fiscal cost over the horizon".into(),
        (Figure::FiscalCost, Lang::Zh) => "规划期内的财政成本".into(),
    }
}

fn figure_value(f: Figure, lang: Lang, v: f64) -> String {
    match f {
        Figure::MeanIncome | Figure::FiscalCost => money_sig(lang, v),
        Figure::BelowFloor => grouped(v, 1),
        Figure::FullCoverage | Figure::CoveredBy => pct(v),
    }
}

fn page(r: &CalibrateResult, lang: Lang, chart_svg: Option<String>) -> AnalysisPage {
    let zh = lang == Lang::Zh;
    let post = posterior_label(r, lang);
    let post_head = crate::format::sentence_start(&post);
    let [(prior_mean, post_mean), (prior_below, post_below)] = r.fit;
    let mut fit_rows = Vec::new();
    for o in &r.observations {
        let (label, observed, prior, post) = match o {
            Observation::Mean { yuan, .. } => (
                if zh {
                    "村均经营性收入"
                } else {
                    "Mean village income"
                },
                money_exact(lang, *yuan),
                money_sig(lang, prior_mean.value),
                money_sig(lang, post_mean.value),
            ),
            Observation::FullCoverage(c) => (
                if zh {
                    "低于底线的村数"
                } else {
                    "Villages below the floor"
                },
                match (c, zh) {
                    (true, _) => "0".to_string(),
                    (false, false) => "at least 1".to_string(),
                    (false, true) => "至少 1".to_string(),
                },
                grouped(prior_below.value, 1),
                grouped(post_below.value, 1),
            ),
            Observation::BelowFloor(k) => (
                if zh {
                    "低于底线的村数"
                } else {
                    "Villages below the floor"
                },
                k.to_string(),
                grouped(prior_below.value, 1),
                grouped(post_below.value, 1),
            ),
        };
        fit_rows.push(vec![label.to_string(), observed, prior, post]);
    }
    let fit = PageTable {
        title: if zh {
            format!("{}年：观测与模拟", r.year)
        } else {
            format!("{}: observed and simulated", r.year)
        },
        head: vec![
            if zh { "观测" } else { "Observation" }.into(),
            if zh { "观测值" } else { "Observed" }.into(),
            if zh { "先验（平均）" } else { "Prior (mean)" }.into(),
            format!("{post_head}{}", if zh { "（平均）" } else { " (mean)" }),
        ],
        rows: fit_rows,
    };
    let inputs = PageTable {
        title: if zh {
            "各输入：先验与后验"
        } else {
            "Each input: prior and posterior"
        }
        .into(),
        head: vec![
            if zh { "输入" } else { "Input" }.into(),
            if zh { "先验中位数" } else { "Prior median" }.into(),
            format!("{post_head} {}", if zh { "中位数" } else { "median" }),
            format!("{post_head} P10–P90"),
            if zh {
                "移动（先验标准差）"
            } else {
                "Shift (prior sd)"
            }
            .into(),
            if zh {
                "位于先验百分位"
            } else {
                "Prior percentile"
            }
            .into(),
        ],
        rows: (r.inputs.iter())
            .map(|i| {
                vec![
                    i.name.clone(),
                    value(i.prior.p50),
                    value(i.posterior.p50),
                    format!("{} – {}", value(i.posterior.p10), value(i.posterior.p90)),
                    format!("{:+.2}", i.shift_sd),
                    format!("{:.0}", i.prior_percentiles[1] * 100.0),
                ]
            })
            .collect(),
    };
    let projection = PageTable {
        title: if zh {
            "重新加权的预测"
        } else {
            "The projection re-weighted"
        }
        .into(),
        head: vec![
            if zh { "指标" } else { "Figure" }.into(),
            if zh { "先验" } else { "Prior" }.into(),
            post_head,
        ],
        rows: (r.projection.iter())
            .map(|p| {
                vec![
                    figure_words(p.figure, p.year, lang),
                    figure_value(p.figure, lang, p.prior),
                    figure_value(p.figure, lang, p.posterior),
                ]
            })
            .collect(),
    };
    let mut notes = Vec::new();
    if let Some(source) = &r.source {
        notes.push(format!(
            "{}{}",
            if zh {
                "观测来源："
            } else {
                "Source of the observations: "
            },
            source[usize::from(zh)]
        ));
    }
    if r.nearest.is_some() {
        notes.push(if zh {
            "没有一次模拟与观测一致，因此上表的“最接近的模拟”不是后验：它们描述的是最接近观测的模拟需要怎样的假设。".into()
        } else {
            "No run is consistent with the observations, so \"the nearest runs\" above are not a posterior: they show what the runs that come nearest assume.".into()
        });
    } else if r.ess < 100.0 {
        notes.push(if zh {
            format!(
                "有效样本量只有 {}：后验的估计粗略，请增加模拟次数（--runs）。",
                grouped(r.ess, 0)
            )
        } else {
            format!(
                "The effective sample size is only {}: the posterior is rough; add runs (--runs).",
                grouped(r.ess, 0)
            )
        });
    }
    if !r.left_out.is_empty() {
        let list: Vec<&str> = r.left_out.iter().map(|(n, _)| n.as_str()).collect();
        notes.push(if zh {
            format!("未汇总：只在部分模拟中抽取的输入 {}。", list.join("、"))
        } else {
            format!("Not summarised: inputs drawn in only some runs, {}.", list.join(", "))
        });
    }
    let method = if zh {
        vec![
            format!("各次模拟是先验（情景文件中的分布）的抽样。一次模拟与观测“一致”是指：计数完全相符（全部达到底线即无村低于底线；给定低于底线的村数即恰好相等），且村均收入与观测值相差不超过 {Z_CUT} 个观测误差（观测误差为观测值的 {}）。一致的模拟按 exp(−z²/2) 加权（z 为以观测误差计的偏差），即截断于 3 个标准差的正态观测误差；这是带高斯核的近似贝叶斯计算（Beaumont、Zhang 与 Balding，2002，Genetics 162(4):2025–2035），未做回归校正。有效样本量 = (Σw)²/Σw²（Kish）。", pct_cell(r.mean_error)),
            "每个输入取每次模拟的运行层面值（与 run --samples 相同：按村或按年抽取的输入取其在规划期内的平均值）。先验为各次模拟的未加权分布，后验为加权分布；“移动”为后验均值减先验均值，以先验标准差计。没有一致的模拟时，按与观测的距离（先看村数之差，再看村均收入超出 3 个误差的部分）排序，描述最接近的 1%（至少 20 次）模拟，且明确说明这不是后验。".to_string(),
        ]
    } else {
        vec![
            format!("The runs are draws from the prior (the distributions of the scenario file). A run is consistent with the observations when its counts match exactly (no village below the floor for full coverage; exactly the number given for villages below the floor) and its mean village income lies within {Z_CUT} observation errors of the observed one (an error of {} of the observed mean). Consistent runs are weighted exp(-z²/2), z the miss in observation errors: a normal observation error truncated at 3 sd. This is approximate Bayesian computation with a Gaussian kernel (Beaumont, Zhang and Balding 2002, Genetics 162(4):2025-2035), without their regression adjustment. Effective sample size = (Σw)²/Σw² (Kish).", pct_cell(r.mean_error)),
            "Each input is its run-level value (as run --samples writes it: an input drawn per village or per year is the mean of its draws within the horizon). The prior is its unweighted distribution over the runs, the posterior its weighted one; the shift is the posterior mean less the prior mean, in prior standard deviations. When no run is consistent, the runs are ranked by their distance from the observations (the count's miss in villages first, then how far the mean lies beyond 3 errors) and the nearest 1% (at least 20) are described, and said not to be a posterior.".to_string(),
        ]
    };
    let command = format!(
        "villagesim calibrate {} --policy \"{}\" --mean-error {} --runs {} --seed {}",
        r.scenario_file,
        r.policy[0],
        crate::format::percent(r.mean_error, 1, 0.0),
        r.runs,
        r.seed
    );
    let page = AnalysisPage::new(
        lang,
        "calibration",
        if zh {
            format!("{}：与{}年观测的校准", r.scenario_label(lang), r.year)
        } else {
            format!(
                "{}: calibration to what was observed in {}",
                r.scenario_label(lang),
                r.year
            )
        },
        sentence(r, lang),
        chart_title(r, lang),
        chart_svg,
    );
    AnalysisPage {
        tables: vec![fit, inputs, projection],
        notes,
        method,
        ..page
    }
    .with_provenance(&r.scenario_file, command)
}

/// Writes `calibration.csv`, `calibrated_projection.csv`, the chart and
/// `report.html` / `report.md` of `r` into `dir`, all or nothing. Returns
/// the files written, relative to `dir`.
///
/// # Errors
///
/// [`OutputError`] when a file cannot be written; an earlier result in
/// `dir` is then left as it was.
pub fn write(r: &CalibrateResult, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, OutputError> {
    crate::analysis::write_analysis(
        dir,
        &[
            ("calibration.csv", csv(r)?),
            ("calibrated_projection.csv", projection_csv(r)?),
        ],
        |charts| crate::charts::write_calibration(&chart(r, lang), charts),
        |svg| page(r, lang, svg),
    )
}
