//! The backtest judged: for each observed value of the scenario's
//! `[backtest]`, whether the model reproduces it, in one sentence ("The
//! model puts the observed full coverage in 2020 in 0 of 10,000 runs: it
//! does not reproduce it.").
//!
//! An observed event is reproduced when at least 5% of the runs produce it;
//! an observed mean village income when it lies within the central 90% of
//! the runs (between their 5th and 95th percentiles).

use super::view::Namer;
use super::words::quoted;
use crate::format::{grouped, money, ordinal, Lang};
use crate::summary::results::{PolicyBacktest, Results};

/// Share of runs under which an observed event counts as not reproduced.
pub const REPRODUCED: f64 = 0.05;

/// The backtest's sentences, one per observation (policies with the same
/// figure said together); `None` without a `[backtest]`.
pub(super) fn sentence(r: &Results, lang: Lang, l: &Namer) -> Option<String> {
    let tested: Vec<(String, &PolicyBacktest)> = r
        .policies
        .iter()
        .filter_map(|p| Some((quoted(lang, &l(&p.name)), p.backtest.as_ref()?)))
        .collect();
    let first = tested.first()?.1;
    let year = first.year;
    let mut s = match lang {
        Lang::En => format!("Backtest, {year}:"),
        Lang::Zh => format!("回测（{year}年）："),
    };
    if let Some(full) = first.observed_full_coverage {
        let runs = r.runs;
        let count = |b: &PolicyBacktest| {
            let p = if full {
                b.p_full_coverage
            } else {
                1.0 - b.p_full_coverage
            };
            (p * runs as f64).round() as u64
        };
        for (who, k) in grouped_by(&tested, count, lang) {
            s += &coverage_sentence(lang, full, year, k, runs, &who);
        }
    }
    if let Some(observed) = first.observed_mean_village_income_yuan {
        let pct = |b: &PolicyBacktest| b.percentile_of_observed_mean.map(|q| (1000.0 * q).round() as u64);
        for (who, q) in grouped_by(&tested, pct, lang) {
            if let Some(q) = q {
                s += &income_sentence(lang, observed, year, q as f64 / 1000.0, &who);
            }
        }
    }
    if let Some(src) = first.source_label(lang) {
        s += &match lang {
            Lang::En => format!(" Source: {src}. The observation is not used to tune anything."),
            Lang::Zh => format!("来源：{src}。该观测值未用于调整任何参数。"),
        };
    }
    Some(s)
}

/// The policies grouped by an equal figure, in order: "under every policy"
/// when all share it, else "under “A” and “B”".
fn grouped_by<T: PartialEq + Copy>(
    tested: &[(String, &PolicyBacktest)],
    f: impl Fn(&PolicyBacktest) -> T,
    lang: Lang,
) -> Vec<(String, T)> {
    let mut groups: Vec<(Vec<&str>, T)> = Vec::new();
    for (name, b) in tested {
        let x = f(b);
        match groups.iter_mut().find(|(_, y)| *y == x) {
            Some((names, _)) => names.push(name),
            None => groups.push((vec![name], x)),
        }
    }
    if groups.len() == 1 {
        let every = match lang {
            Lang::En if tested.len() > 1 => "under every policy".to_string(),
            Lang::Zh if tested.len() > 1 => "在各项政策下".to_string(),
            Lang::En => format!("under {}", tested[0].0),
            Lang::Zh => format!("在{}下", tested[0].0),
        };
        return vec![(every, groups[0].1)];
    }
    groups
        .into_iter()
        .map(|(names, x)| {
            let who = match lang {
                Lang::En => format!("under {}", and_list(&names)),
                Lang::Zh => format!("在{}下", names.join("、")),
            };
            (who, x)
        })
        .collect()
}

/// "“a”, “b” and “c”".
fn and_list(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// "The model puts the observed full coverage in 2020 in 0 of 10,000 runs
/// under every policy: it does not reproduce it."
fn coverage_sentence(lang: Lang, full: bool, year: i32, k: u64, runs: u64, who: &str) -> String {
    let (k_s, runs_s) = (grouped(k as f64, 0), grouped(runs as f64, 0));
    let reproduced = (k as f64) >= REPRODUCED * runs as f64;
    match lang {
        Lang::En => {
            let what = if full {
                "the observed full coverage (every village at the floor)"
            } else {
                "the observed shortfall (not every village at the floor)"
            };
            let verdict = match (reproduced, k) {
                (true, _) => "it reproduces it",
                (false, 0) => "it does not reproduce it",
                (false, _) => "it hardly reproduces it",
            };
            format!(" The model puts {what} in {year} in {k_s} of {runs_s} runs {who}: {verdict}.")
        }
        Lang::Zh => {
            let what = if full {
                "实际观测到的全覆盖（所有村达到底线）"
            } else {
                "实际观测到的未全覆盖（并非所有村达到底线）"
            };
            let verdict = match (reproduced, k) {
                (true, _) => "模型再现了这一观测",
                (false, 0) => "模型未能再现这一观测",
                (false, _) => "模型几乎未能再现这一观测",
            };
            let verb = if reproduced { "出现在" } else { "仅出现在" };
            format!("{who}，{year}年{what}{verb} {runs_s} 次模拟中的 {k_s} 次：{verdict}。")
        }
    }
}

/// "The observed mean village income of 1,371,000 yuan in 2020 lies at the
/// 40th percentile of the runs under every policy: the model reproduces it."
fn income_sentence(lang: Lang, observed: f64, year: i32, q: f64, who: &str) -> String {
    let o = money(lang, observed);
    let inside = (REPRODUCED..=1.0 - REPRODUCED).contains(&q);
    match lang {
        Lang::En => {
            let place = match q {
                q if q <= 0.0 => "below every run".to_string(),
                q if q >= 1.0 => "at or above every run".to_string(),
                q => format!("at the {} percentile of the runs", ordinal(100.0 * q)),
            };
            let verdict = if inside {
                "within the central 90% of the runs, the model reproduces it"
            } else {
                "outside the central 90% of the runs, the model does not reproduce it"
            };
            format!(" The observed mean village income of {o} in {year} lies {place} {who}: {verdict}.")
        }
        Lang::Zh => {
            let place = match q {
                q if q <= 0.0 => "低于所有模拟结果".to_string(),
                q if q >= 1.0 => "不低于所有模拟结果".to_string(),
                q => format!("位于模拟分布的第 {:.0} 百分位", 100.0 * q),
            };
            let verdict = if inside {
                "在 90% 模拟区间之内，模型再现了这一观测"
            } else {
                "在 90% 模拟区间之外，模型未能再现这一观测"
            };
            format!("{who}，{year}年实际村均收入 {o} {place}：{verdict}。")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backtest_is_judged() {
        assert_eq!(
            coverage_sentence(Lang::En, true, 2020, 0, 10_000, "under every policy"),
            " The model puts the observed full coverage (every village at the floor) in 2020 in 0 of 10,000 runs under every policy: it does not reproduce it."
        );
        assert_eq!(
            coverage_sentence(Lang::Zh, true, 2020, 0, 10_000, "在各项政策下"),
            "在各项政策下，2020年实际观测到的全覆盖（所有村达到底线）仅出现在 10,000 次模拟中的 0 次：模型未能再现这一观测。"
        );
        assert!(coverage_sentence(Lang::En, true, 2020, 499, 10_000, "").ends_with("it hardly reproduces it."));
        assert!(coverage_sentence(Lang::En, true, 2020, 500, 10_000, "").ends_with("it reproduces it."));
        assert_eq!(
            income_sentence(Lang::En, 1_371_000.0, 2020, 0.4, "under “a”"),
            " The observed mean village income of 1,371,000 yuan in 2020 lies at the 40th percentile of the runs under “a”: within the central 90% of the runs, the model reproduces it."
        );
        assert!(income_sentence(Lang::Zh, 1_371_000.0, 2020, 1.0, "")
            .contains("不低于所有模拟结果：在 90% 模拟区间之外，模型未能再现这一观测"));
    }
}
