//! The sentence that says where a `run --precision` stopped and how
//! precise its figures are, for the report's provenance and the terminal.

use crate::format::{grouped, Lang};
use crate::summary::precision::{Measured, Precision};
use crate::summary::results::Results;

/// A standard error in words: a percentage of the figure for a relative
/// one, the probability's own units otherwise.
fn se_text(m: &Measured) -> String {
    if !m.se.is_finite() {
        return "∞".to_string();
    }
    if m.figure.relative() {
        format!("{:.2}%", 100.0 * m.se)
    } else {
        format!("{:.4}", m.se)
    }
}

fn target_text(relative: bool, target: f64) -> String {
    if relative {
        format!("{}%", 100.0 * target)
    } else {
        format!("{target}")
    }
}

/// The figure, its policy (and reference) and year, with its standard
/// error and the target it is held to.
fn figure_text(r: &Results, m: &Measured, target: Option<f64>, lang: Lang) -> String {
    let name = |p: &str| r.policy_label(p, lang).to_string();
    let of = match (&m.reference, lang) {
        (Some(b), Lang::En) => format!("between “{}” and “{}”", name(&m.policy), name(b)),
        (Some(b), Lang::Zh) => format!("“{}”与“{}”", name(&m.policy), name(b)),
        (None, Lang::En) => format!("under “{}”", name(&m.policy)),
        (None, Lang::Zh) => format!("“{}”", name(&m.policy)),
    };
    let target = target.map(|t| target_text(m.figure.relative(), t));
    let relative = m.figure.relative();
    match lang {
        Lang::En => format!(
            "{} {of} in {}, standard error {}{}{}",
            m.figure.words(lang),
            m.year,
            se_text(m),
            if relative { " of the mean" } else { "" },
            target.map_or(String::new(), |t| format!(" (target {t})"))
        ),
        Lang::Zh => format!(
            "{}年{of}的{}，标准误{}{}{}",
            m.year,
            m.figure.words(lang),
            if relative { "为均值的 " } else { " " },
            se_text(m),
            target.map_or(String::new(), |t| format!("（目标 {t}）"))
        ),
    }
}

/// Where the run stopped and its least precise figures; `None` for a run
/// of a fixed number of runs.
pub fn sentence(r: &Results, lang: Lang) -> Option<String> {
    let p: &Precision = r.precision.as_ref()?;
    let spec = p.targets.spec();
    let (runs, max, every) = (
        grouped(p.runs as f64, 0),
        grouped(p.max_runs as f64, 0),
        grouped(p.check_every as f64, 0),
    );
    let figures: Vec<String> = [
        (p.worst_mean.as_ref(), p.targets.mean),
        (p.worst_prob.as_ref(), p.targets.prob),
    ]
    .into_iter()
    .filter_map(|(m, t)| m.map(|m| figure_text(r, m, t, lang)))
    .collect();
    Some(match lang {
        Lang::En => {
            let stop = if p.met {
                format!("Stopped at {runs} runs, the first check (every {every} runs) at which every precision target held (--precision {spec}, at most {max} runs)")
            } else {
                format!("Stopped at {runs} runs, the most allowed (--max-runs {max}), before every precision target held (--precision {spec}, checked every {every} runs)")
            };
            format!("{stop}; the least precise figures: {}.", figures.join("; "))
        }
        Lang::Zh => {
            let stop = if p.met {
                format!("模拟在 {runs} 次时停止：这是首次（每 {every} 次检查一次）所有精度目标均达到（--precision {spec}，最多 {max} 次）")
            } else {
                format!("模拟在允许的最多次数 {runs} 次时停止（--max-runs {max}），精度目标未全部达到（--precision {spec}，每 {every} 次检查一次）")
            };
            format!("{stop}；精度最低的数据：{}。", figures.join("；"))
        }
    })
}
