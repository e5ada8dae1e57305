//! Standard output, numbers and progress bars for the commands.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use villagesim::format::{odds, Lang};
use villagesim::output::report::lead;
use villagesim::output::summary_json;
use villagesim::summary::results::Results;

pub use villagesim::format::thousands;

/// 1234.5 -> "+1,235", -20 -> "-20".
pub fn signed(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", thousands(x))
    } else {
        thousands(x)
    }
}

/// A progress bar over `n` steps, shown only on a terminal and unless
/// `quiet`: `{spinner} WHAT POS/LEN [bar] ETA left`.
pub fn progress(n: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n);
    let template = format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{eta}} left");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A counter of `what`s done, for work whose total is not known in advance
/// (a search): hidden when quiet or not on a terminal.
pub fn spinner(quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} {what} {{pos}} ({{elapsed}})")) {
        bar.set_style(style);
    }
    bar
}

/// The progress bar of `run` and `compare`, over `runs` Monte Carlo runs.
pub fn runs_progress(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(runs);
    if let Ok(style) = ProgressStyle::with_template("{spinner} simulating {pos}/{len} runs [{bar:30}] {eta} left") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `s` padded with spaces to `width` columns of a terminal: CJK characters
/// take two columns, so padding by `char` count would break the columns.
pub fn pad(s: &str, width: usize) -> String {
    villagesim::format::pad_end(s, width)
}

/// The width of the name column: the widest name, at least 28 columns.
pub fn name_width<'a>(names: impl IntoIterator<Item = &'a str>) -> usize {
    names
        .into_iter()
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
        .max(28)
}

/// A percentage with one decimal: `12.3%`.
fn pc(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// What `run` and `compare` print once the outputs are written, in `lang`.
pub fn closing(results: &Results, out: &Path, seconds: f64, rate: f64, lang: Lang) -> Vec<String> {
    let summary = summary_json::summary(results);
    let zh = lang == Lang::Zh;
    let width = name_width(results.policies.iter().map(|p| p.label(lang)));
    let name = |i: usize| pad(results.policies[i].label(lang), width);
    let years = results.final_year - results.baseline_year;
    let mut lines = vec![if zh {
        format!(
            "{}：{} 次模拟 × {} 个村 × {years} 年，用时 {seconds:.2} 秒（每秒 {:.1} 百万村年）",
            results.scenario_label(lang),
            summary.runs,
            summary.villages,
            rate / 1e6
        )
    } else {
        format!(
            "{}: {} runs x {} villages x {years} years in {seconds:.2} s ({:.1} million village-years/s)",
            summary.scenario,
            summary.runs,
            summary.villages,
            rate / 1e6
        )
    }];
    lines.extend(villagesim::output::report::precision::sentence(results, lang));
    // The answer first: who stays below the floor, when coverage comes, at
    // what cost (the report's lead, one line a policy).
    lines.push(if zh {
        format!("低于底线（{} 元）的村、全覆盖与成本：", thousands(summary.floor_yuan))
    } else {
        format!(
            "Villages below the floor of {} yuan, full coverage and cost:",
            thousands(summary.floor_yuan)
        )
    });
    for (i, p) in results.policies.iter().enumerate() {
        lines.push(format!("  {} {}", name(i), lead::policy_line(results, p, lang)));
    }
    lines.push(if zh {
        format!(
            "{}年（底线 {} 元）：",
            summary.final_year,
            thousands(summary.floor_yuan)
        )
    } else {
        format!(
            "In {} (floor {} yuan):",
            summary.final_year,
            thousands(summary.floor_yuan)
        )
    });
    for (i, p) in summary.policies.iter().enumerate() {
        let m = &p.mean_village_income_yuan;
        let (all, below) = (&p.p_all_above_floor, p.expected_villages_below_floor.mean);
        lines.push(if zh {
            format!(
                "  {} 村均收入 {} 元（P5 {}，P95 {}；标准误 {}），所有村达到底线：{}，平均 {below:.1} 个村低于底线",
                name(i), thousands(m.mean), thousands(m.p5), thousands(m.p95), thousands(m.se), odds(lang, all.value, results.runs)
            )
        } else {
            format!(
                "  {} mean village income {} yuan (P5 {}, P95 {}; se {}), every village at the floor {}, {below:.1} villages below the floor on average",
                name(i), thousands(m.mean), thousands(m.p5), thousands(m.p95), thousands(m.se), odds(lang, all.value, results.runs)
            )
        });
    }
    lines.extend(decisions(results, &summary, lang, width));
    lines.extend(backtests(results, &summary, lang));
    for line in summary_json::advice(results, &summary.policies, lang) {
        lines.push(if zh {
            format!("提示：{line}")
        } else {
            format!("note: {line}")
        });
    }
    lines.push(if zh {
        format!("输出已写入 {}", out.display())
    } else {
        format!("Outputs written to {}", out.display())
    });
    lines
}

/// Public money, income added and coverage of each policy against no
/// intervention.
fn decisions(results: &Results, summary: &summary_json::Summary, lang: Lang, width: usize) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let (start, end) = (results.start_year, results.final_year);
    let mut lines = vec![if zh {
        format!("{start}–{end}年，与无干预相比：")
    } else {
        format!("Over {start}-{end}, against no intervention:")
    }];
    for (p, r) in summary.policies.iter().zip(&results.policies).skip(1) {
        let Some(d) = &p.decisions else { continue };
        let per_yuan = match (d.income_added_per_fiscal_yuan, zh) {
            (None, false) => "no fiscal cost".to_string(),
            (None, true) => "无财政成本".to_string(),
            (Some(x), false) => format!("{x:.2} yuan per yuan of fiscal cost"),
            (Some(x), true) => format!("每元财政成本带来 {x:.2} 元"),
        };
        let (public, fiscal, added) = (
            thousands(d.public_money_yuan.mean),
            thousands(d.fiscal_cost_yuan.mean),
            thousands(d.income_added_yuan.mean),
        );
        let name = pad(r.label(lang), width);
        let mut line = if zh {
            format!("  {name} 财政资金 {public} 元（财政成本 {fiscal} 元），新增收入 {added} 元（{per_yuan}）")
        } else {
            format!(
                "  {name} public money {public} yuan (fiscal cost {fiscal}), income added {added} yuan ({per_yuan})"
            )
        };
        if let Some(b) = d.p_within_budget {
            line += &if zh {
                format!("，不超预算的模拟占 {}", pc(b))
            } else {
                format!(", within budget in {} of runs", pc(b))
            };
        }
        if let (Some(q), Some(year)) = (p.p_full_coverage_in_target_year, summary.target_year) {
            line += &if zh {
                format!("，{year}年所有村达到底线的模拟占 {}", pc(q))
            } else {
                format!(", every village at the floor in {year} in {} of runs", pc(q))
            };
        }
        lines.push(line);
    }
    lines
}

/// Each backtest: where the observation sits in the simulated distribution.
fn backtests(results: &Results, summary: &summary_json::Summary, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let mut lines = Vec::new();
    for (p, r) in summary.policies.iter().zip(&results.policies) {
        let Some(b) = &p.backtest else { continue };
        let name = r.label(lang);
        let mut line = if zh {
            format!("  回测 {}年，“{name}”：", b.year)
        } else {
            format!("  backtest {} for \"{name}\":", b.year)
        };
        if let (Some(o), Some(q)) = (b.observed_mean_village_income_yuan, b.percentile_of_observed_mean) {
            line += &if zh {
                format!(
                    "实际村均收入 {} 元位于模拟分布第 {:.1} 百分位；",
                    thousands(o),
                    100.0 * q
                )
            } else {
                format!(
                    " observed mean {} yuan sits at the {:.1}th percentile;",
                    thousands(o),
                    100.0 * q
                )
            };
        }
        line += &if zh {
            format!(
                "所有村达到底线的概率 {}（标准误 {}）",
                pc(b.p_full_coverage),
                pc(b.p_full_coverage_se)
            )
        } else {
            format!(
                " P(every village at the floor) = {} (se {})",
                pc(b.p_full_coverage),
                pc(b.p_full_coverage_se)
            )
        };
        if b.observed_full_coverage == Some(true) {
            line += if zh { "，实际：是" } else { ", observed: yes" };
        }
        lines.push(line);
    }
    lines
}

/// Each policy against `reference`, run by run, and when full coverage is
/// first reached, in `lang`.
pub fn comparison(results: &Results, reference: &str, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let width = name_width(results.policies.iter().map(|p| p.label(lang)));
    let year = results.final_year;
    let reference_label = results.policy_label(reference, lang);
    let mut lines = vec![if zh {
        format!("\n{year}年，与“{reference_label}”逐次配对比较（共同随机数）：")
    } else {
        format!("\nAgainst \"{reference_label}\", run by run on common random numbers, in {year}:")
    }];
    for pair in results.comparisons.iter().filter(|c| c.reference == reference) {
        let d = &pair.diff_mean_village_income_yuan;
        let b = &pair.diff_villages_below_floor;
        let name = pad(results.policy_label(&pair.policy, lang), width);
        let (mean, p5, p95) = (signed(d.mean), signed(d.p5), signed(d.p95));
        let (higher, fewer) = (pc(pair.p_higher_income), pc(pair.p_fewer_below_floor));
        lines.push(if zh {
            format!(
                "  {name} 村均收入 {mean} 元（P5 {p5}，P95 {p95}；收入更高的模拟占 {higher}），低于底线的村 {:+.1} 个（更少的模拟占 {fewer}）",
                b.mean
            )
        } else {
            format!(
                "  {name} mean village income {mean} yuan (P5 {p5}, P95 {p95}; higher in {higher} of runs), villages below the floor {:+.1} (fewer in {fewer} of runs)",
                b.mean
            )
        });
    }
    lines.push(if zh {
        "首次实现全覆盖（所有村达到底线）：".to_string()
    } else {
        "Full coverage (every village at the floor) first reached:".to_string()
    });
    for p in &results.policies {
        let by_end = pc(p.coverage.last().map_or(0.0, |c| c.p_reached_by));
        let half = p.coverage.iter().find(|c| c.p_reached_by >= 0.5).map(|c| c.year);
        let never = pc(p.p_coverage_never);
        let name = pad(p.label(lang), width);
        lines.push(match (zh, half) {
            (false, None) => {
                format!("  {name} not in half the runs; by {year} in {by_end} of runs; never in the horizon in {never}")
            }
            (false, Some(y)) => format!(
                "  {name} by {y} in half the runs; by {year} in {by_end} of runs; never in the horizon in {never}"
            ),
            (true, None) => {
                format!("  {name} 半数模拟中未实现；{year}年前实现的模拟占 {by_end}；期内始终未实现的占 {never}")
            }
            (true, Some(y)) => {
                format!("  {name} 半数模拟中于{y}年前实现；{year}年前实现的模拟占 {by_end}；期内始终未实现的占 {never}")
            }
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        let names = ["no intervention", "强村光伏贷", "山海协作飞地 + 强村光伏贷"];
        let width = name_width(names);
        let cells: Vec<String> = names.iter().map(|n| format!("{}|", pad(n, width))).collect();
        let bar = |s: &str| unicode_width::UnicodeWidthStr::width(&s[..s.find('|').unwrap()]);
        assert!(cells.iter().all(|c| bar(c) == width), "{cells:?}");
        assert_eq!(pad("光伏", 6), "光伏  ");
        assert_eq!(name_width(["山海协作飞地 + 强村光伏贷 + 抱团购置标准厂房"]), 44);
    }
}
