//! Writing a search: `solve.csv` (every value simulated), the chart
//! `charts/solve.svg` and `.png`, and `report.html` / `report.md` (the
//! answer in a sentence, the chart, the points and the method), staged and committed
//! all or nothing.

use std::path::{Path, PathBuf};

use super::{Answer, Evaluation, Find, SolveResult, Z_95};
use crate::charts::{SolveChart, SolvePoint};
use crate::format::{grouped, grouped_exact, money_sig, round_sig, Lang};
use crate::output::report::page::{AnalysisPage, PageTable};
use crate::output::OutputError;

/// A value of the varied parameter for people, rounded to a tenth of the
/// power of ten at or below the search's tolerance: `7.438%`, `100,800
/// yuan` / `10.08万元`, `12`.
pub fn show_value(r: &SolveResult, lang: Lang, v: f64) -> String {
    show_to(r, lang, v, 10f64.powf(r.tolerance.log10().floor() - 1.0))
}

/// The search's tolerance for people, to three significant figures.
fn show_tolerance(r: &SolveResult, lang: Lang) -> String {
    show_to(r, lang, r.tolerance, 10f64.powf(r.tolerance.log10().floor() - 2.0))
}

/// `v` rounded to a multiple of `step`, in the value's units.
fn show_to(r: &SolveResult, lang: Lang, v: f64, step: f64) -> String {
    let rounded = if step.is_finite() && step > 0.0 {
        round_sig((v / step).round() * step, 12)
    } else {
        v
    };
    if r.whole {
        grouped(v, 0)
    } else if r.range_text.contains('%') {
        format!("{}%", grouped_exact(round_sig(rounded * 100.0, 12)))
    } else if crate::analysis::sweep::is_money(&r.path, &r.range_text, "") {
        crate::format::money_exact(lang, rounded)
    } else {
        grouped_exact(rounded)
    }
}

/// A figure's estimate for people: a probability in percent, money, or a
/// count with one decimal.
pub fn show_figure(r: &SolveResult, lang: Lang, v: f64) -> String {
    let f = r.target.figure;
    if f.is_probability() {
        crate::format::pct(v)
    } else if f.needs_runs() {
        grouped(v, 2)
    } else if f.is_money() {
        money_sig(lang, v)
    } else {
        grouped(v, 1)
    }
}

/// The target in words: "the villages below the floor in 2027 are at most
/// 5".
fn target_words(r: &SolveResult, lang: Lang) -> String {
    use super::Comparison::*;
    let t = &r.target;
    let figure = t.figure.words(lang, r.year);
    let v = &t.threshold_text;
    match lang {
        Lang::En => {
            let op = match t.comparison {
                AtLeast => "is at least",
                AtMost => "is at most",
                Above => "is above",
                Below => "is below",
            };
            format!("{figure} {op} {v}")
        }
        Lang::Zh => {
            let op = match t.comparison {
                AtLeast => "不低于",
                AtMost => "不超过",
                Above => "高于",
                Below => "低于",
            };
            format!("{figure}{op}{v}")
        }
    }
}

/// The answer in one sentence, true of `solve.csv` and the chart.
pub fn sentence(r: &SolveResult, lang: Lang) -> String {
    let target = target_words(r, lang);
    let policy = r.policy_label(lang);
    let path = &r.path;
    let v = |x: f64| show_value(r, lang, x);
    let (lo, hi) = (v(r.lo), v(r.hi));
    let runs = grouped(r.runs as f64, 0);
    let (smallest, zh_end) = match r.find {
        Find::Smallest => ("smallest", "最小"),
        Find::Largest => ("largest", "最大"),
    };
    match (&r.answer, lang) {
        (Answer::Found { value, low, high }, Lang::En) => {
            let interval = match (low, high) {
                (Some(a), Some(b)) if a == b => String::new(),
                (Some(a), Some(b)) => format!(
                    "; allowing for Monte Carlo error (95%), it lies between {} and {}",
                    v(*a),
                    v(*b)
                ),
                (None, Some(b)) => format!(
                    "; allowing for Monte Carlo error (95%), it lies between {lo} (the end of the range searched) and {}",
                    v(*b)
                ),
                (Some(a), None) => format!(
                    "; allowing for Monte Carlo error (95%), it lies between {} and {hi} (the end of the range searched), or beyond",
                    v(*a)
                ),
                (None, None) => "; Monte Carlo error is too large to narrow it within the range searched: add runs".into(),
            };
            format!(
                "Under \"{policy}\", {target} from {path} = {} on: the {smallest} value of {lo} to {hi} at which it holds (to within {}){interval} ({runs} runs per value, the same random numbers for every value).",
                v(*value),
                show_tolerance(r, lang),
            )
        }
        (Answer::Found { value, low, high }, Lang::Zh) => {
            let interval = match (low, high) {
                (Some(a), Some(b)) if a == b => String::new(),
                (a, b) => format!(
                    "；计入蒙特卡洛误差（95%），该值介于 {} 与 {} 之间",
                    a.map_or(format!("{lo}（搜索范围端点）"), v),
                    b.map_or(format!("{hi}（搜索范围端点）"), v)
                ),
            };
            format!(
                "在“{policy}”下，{path} = {} 时{target}：这是 {lo} 至 {hi} 中满足目标的{zh_end}值（精度 {}）{interval}（每个取值 {runs} 次模拟，随机数相同）。",
                v(*value),
                show_tolerance(r, lang),
            )
        }
        (Answer::AlreadyMet { value }, Lang::En) => format!(
            "Under \"{policy}\", {target} already at {path} = {}, the {} end of the range searched ({lo} to {hi}): widen the range to find the {smallest} value ({runs} runs per value).",
            v(*value),
            if r.find == Find::Smallest { "low" } else { "high" }
        ),
        (Answer::AlreadyMet { value }, Lang::Zh) => format!(
            "在“{policy}”下，{path} = {}（搜索范围 {lo} 至 {hi} 的端点）时已{target}：请放宽范围以求{zh_end}值（每个取值 {runs} 次模拟）。",
            v(*value)
        ),
        (Answer::Unreachable { nearest }, Lang::En) => format!(
            "Under \"{policy}\", the target ({target}) is not reached anywhere in {path} = {lo} to {hi}: nearest at {} ({}) ({runs} runs per value).",
            v(nearest.value),
            show_figure(r, lang, nearest.estimate.value)
        ),
        (Answer::Unreachable { nearest }, Lang::Zh) => format!(
            "在“{policy}”下，{path} 取 {lo} 至 {hi} 时均达不到目标（{target}）：最接近的是 {}（{}）（每个取值 {runs} 次模拟）。",
            v(nearest.value),
            show_figure(r, lang, nearest.estimate.value)
        ),
    }
}

/// `solve.csv`: one row per value simulated, in value order.
///
/// Columns: `value` (the parameter's value), `estimate` and `se` (the
/// figure's mean over the runs and its Monte Carlo standard error),
/// `holds`, `surely_holds`, `surely_fails` (see the module doc of
/// `analysis::solve`), `answer` (`true` on the answer's row).
///
/// # Errors
///
/// [`OutputError::Encode`] when the CSV cannot be written.
pub fn csv(r: &SolveResult) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "solve.csv".into(),
        message: e.to_string(),
    };
    let answer = match r.answer {
        Answer::Found { value, .. } | Answer::AlreadyMet { value } => Some(value),
        Answer::Unreachable { .. } => None,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "parameter",
        "value",
        "policy",
        "figure",
        "year",
        "estimate",
        "se",
        "target",
        "holds",
        "surely_holds",
        "surely_fails",
        "answer",
    ])
    .map_err(err)?;
    let year = r.year.map_or(String::new(), |y| y.to_string());
    for e in &r.evaluations {
        w.write_record([
            r.path.clone(),
            number(e.value),
            r.policy.clone(),
            r.target.figure.name().to_string(),
            year.clone(),
            number(e.estimate.value),
            number(e.estimate.se),
            r.target.text.clone(),
            e.holds.to_string(),
            e.surely_holds.to_string(),
            e.surely_fails.to_string(),
            (Some(e.value) == answer).to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "solve.csv".into(),
        message: e.to_string(),
    })
}

/// A number as the CSV holds it: the shortest text that reads back the
/// same.
fn number(x: f64) -> String {
    format!("{x}")
}

/// The chart's view of the search.
fn chart(r: &SolveResult, lang: Lang) -> SolveChart {
    let answer = match r.answer {
        Answer::Found { value, .. } | Answer::AlreadyMet { value } => Some(value),
        Answer::Unreachable { .. } => None,
    };
    let (low, high) = match r.answer {
        Answer::Found { low, high, .. } => (low, high),
        _ => (None, None),
    };
    SolveChart {
        lang,
        title: sentence_title(r, lang),
        subtitle: match lang {
            Lang::En => format!(
                "{}, {}: each point one simulation of {} runs; bars ±{Z_95:.2} standard errors",
                r.scenario_label(lang),
                r.policy_label(lang),
                grouped(r.runs as f64, 0)
            ),
            Lang::Zh => format!(
                "{}，{}：每个点为一次 {} 次模拟；误差线为 ±{Z_95:.2} 个标准误",
                r.scenario_label(lang),
                r.policy_label(lang),
                grouped(r.runs as f64, 0)
            ),
        },
        x_label: r.path.clone(),
        y_label: crate::format::sentence_start(&r.target.figure.words(lang, r.year)),
        threshold: r.target.threshold,
        probability: r.target.figure.is_probability(),
        points: r
            .evaluations
            .iter()
            .map(|e: &Evaluation| SolvePoint {
                x: e.value,
                y: e.estimate.value,
                half_width: Z_95 * e.estimate.se,
                holds: e.holds,
            })
            .collect(),
        answer,
        interval: (low.unwrap_or(r.lo), high.unwrap_or(r.hi)),
        show_x: Box::new({
            let r = r.clone();
            move |v| show_value(&r, lang, v)
        }),
    }
}

/// The chart's title: the answer, short.
fn sentence_title(r: &SolveResult, lang: Lang) -> String {
    let v = |x: f64| show_value(r, lang, x);
    let target = &r.target.text;
    // The last two steps of the path name the value well enough for a title.
    let steps: Vec<&str> = r.path.rsplitn(3, '.').collect();
    let short = if steps.len() == 3 {
        format!("{}.{}", steps[1], steps[0])
    } else {
        r.path.clone()
    };
    let r = &SolveResult {
        path: short,
        ..r.clone()
    };
    match (&r.answer, lang) {
        (Answer::Found { value, .. }, Lang::En) => format!("{target} from {} = {} on", r.path, v(*value)),
        (Answer::Found { value, .. }, Lang::Zh) => format!("{} = {} 起 {target}", r.path, v(*value)),
        (Answer::AlreadyMet { value }, Lang::En) => format!("{target} already at {} = {}", r.path, v(*value)),
        (Answer::AlreadyMet { value }, Lang::Zh) => format!("{} = {} 时已满足 {target}", r.path, v(*value)),
        (Answer::Unreachable { .. }, Lang::En) => {
            format!("{target} is not reached for {} in {} to {}", r.path, v(r.lo), v(r.hi))
        }
        (Answer::Unreachable { .. }, Lang::Zh) => {
            format!("{} 取 {} 至 {} 时均达不到 {target}", r.path, v(r.lo), v(r.hi))
        }
    }
}

/// The report's page: the sentence, the chart, the points, the method and
/// how to make it again, in `lang`.
fn page(r: &SolveResult, lang: Lang, chart_title: String, chart_svg: Option<String>) -> AnalysisPage {
    let zh = lang == Lang::Zh;
    let rows = r
        .evaluations
        .iter()
        .map(|e| {
            let verdict = match (e.surely_holds, e.holds, e.surely_fails, zh) {
                (true, _, _, false) => "yes, allowing for Monte Carlo error",
                (true, _, _, true) => "是（计入蒙特卡洛误差）",
                (false, true, _, false) => "yes (within Monte Carlo error)",
                (false, true, _, true) => "是（在蒙特卡洛误差之内）",
                (_, false, true, false) => "no, allowing for Monte Carlo error",
                (_, false, true, true) => "否（计入蒙特卡洛误差）",
                (_, false, false, false) => "no (within Monte Carlo error)",
                (_, false, false, true) => "否（在蒙特卡洛误差之内）",
            };
            vec![
                show_value(r, lang, e.value),
                show_figure(r, lang, e.estimate.value),
                show_figure(r, lang, e.estimate.se),
                verdict.to_string(),
            ]
        })
        .collect();
    let command = format!(
        "villagesim solve {} --target \"{}\" --vary {}={} --find {}{} --runs {} --seed {}",
        r.scenario_file,
        r.target.text,
        r.path,
        r.range_text,
        match r.find {
            Find::Smallest => "smallest",
            Find::Largest => "largest",
        },
        r.explicit_tolerance
            .as_ref()
            .map_or(String::new(), |t| format!(" --tolerance {t}")),
        r.runs,
        r.seed,
    );
    let command = format!("{command} --policy \"{}\"", r.policy);
    let page = AnalysisPage::new(
        lang,
        "solve",
        if zh {
            format!("{}：求解 {}", r.scenario_label(lang), r.target.text)
        } else {
            format!("{}: solving for {}", r.scenario_label(lang), r.target.text)
        },
        sentence(r, lang),
        chart_title,
        chart_svg,
    );
    let method = vec![if zh {
        "每个取值以相同的种子和模拟次数（共同随机数）模拟一次，只保留所分析的政策。先模拟搜索范围两端；再二分查找估计值满足目标的边界，直至精度；另两次二分查找“计入误差仍满足”（估计值向不利方向移动 1.96 个标准误）和“计入误差仍不满足”的边界，给出区间。假设目标只在一个临界值的一侧成立；solve.csv 列出每个取值，可据此检查。"
    } else {
        "Every value is simulated once with the same seed and runs (common random numbers), only the policy analysed kept. The two ends of the range are simulated first; then a bisection finds where the estimate starts to meet the target, to the tolerance; two more find where it meets it even 1.96 standard errors to the wrong side, and where it misses it even 1.96 standard errors to the right side: the interval. The search assumes the target holds on one side of a single crossing; solve.csv lists every value simulated, so that this can be checked."
    }
    .to_string()];
    let values = PageTable {
        title: if zh {
            "模拟的每个取值"
        } else {
            "Every value simulated"
        }
        .into(),
        head: if zh {
            ["取值", "估计", "标准误", "满足目标"]
        } else {
            ["Value", "Estimate", "Standard error", "Meets the target"]
        }
        .map(String::from)
        .to_vec(),
        rows,
    };
    let mut page = AnalysisPage {
        tables: vec![values],
        method,
        ..page
    }
    .with_provenance(&r.scenario_file, command);
    page.provenance.push((
        if zh { "模拟的取值" } else { "Values simulated" }.into(),
        r.evaluations.len().to_string(),
    ));
    page
}

/// Writes `solve.csv`, the chart and `report.html` / `report.md` of `r` into `dir`, all or
/// nothing. Returns the files written, relative to `dir`.
///
/// # Errors
///
/// [`OutputError`] when a file cannot be written; an earlier result in
/// `dir` is then left as it was.
pub fn write(r: &SolveResult, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, OutputError> {
    let table = csv(r)?;
    let book = crate::output::workbook::tables_workbook(&[("Solve", "求解", &table)], lang)?;
    crate::analysis::write_analysis(
        dir,
        &[("solve.csv", table), (crate::output::workbook::WORKBOOK_FILE, book)],
        |charts| crate::charts::write_solve(&chart(r, lang), charts),
        |svg| page(r, lang, sentence_title(r, lang), svg),
    )
}
