//! Section 2 of the report, the answer to the planner's question, per
//! policy: how many villages stay below the floor in the target year and
//! which (by township), when full coverage is reached, the public cost and
//! the money committed, the cost per village lifted, and what the villages
//! keep beside the target line; then the backtest, judged. Every phrase of
//! chance is [`crate::format::odds`]; every interval
//! [`crate::format::with_interval`].

use super::view::{Block, Namer, Row};
use super::words::{quoted, words};
use super::AT_RISK;
use crate::format::{count, money, money_mc, odds, round_money, with_interval, Ends, Lang};
use crate::summary::results::{PolicyResults, Results, Stat};

/// Most villages the lead names per policy; the others are in section 5.
pub const MAX_NAMED: usize = 12;

/// The year the lead answers for: `[targets] year` when it is simulated,
/// else the final year.
pub fn target_year(r: &Results) -> i32 {
    r.target_year
        .filter(|y| (r.start_year..=r.final_year).contains(y))
        .unwrap_or(r.final_year)
}

/// Villages below the floor under `p` in `year`, over the runs.
fn below(r: &Results, p: &PolicyResults, year: i32) -> Option<Stat> {
    p.years.get((year - r.baseline_year) as usize).map(|y| y.below_floor)
}

/// Villages lifted above the floor by `p` in `year`, against "no
/// intervention" (the first policy): the difference of the mean counts.
pub fn lifted(r: &Results, p: &PolicyResults, year: i32) -> f64 {
    match (below(r, &r.policies[0], year), below(r, p, year)) {
        (Some(a), Some(b)) => a.mean - b.mean,
        _ => 0.0,
    }
}

/// A bound on the standard error of [`lifted`]: the two counts' errors
/// added in quadrature (the paired difference's is smaller).
fn lifted_se(r: &Results, p: &PolicyResults, year: i32) -> f64 {
    match (below(r, &r.policies[0], year), below(r, p, year)) {
        (Some(a), Some(b)) => a.se.hypot(b.se),
        _ => 0.0,
    }
}

/// The fiscal cost of `p` over the horizon: mean and standard error.
pub fn fiscal_cost(p: &PolicyResults) -> Option<Stat> {
    p.decisions
        .as_ref()
        .map(|d| d.fiscal_cost_yuan)
        .or_else(|| p.accounts.as_ref().map(|a| a.public_cost.fiscal_cost_yuan))
}

/// The fiscal cost per village lifted above the floor, when at least one
/// village is lifted on average.
pub fn cost_per_village_lifted(r: &Results, p: &PolicyResults, year: i32) -> Option<f64> {
    let n = lifted(r, p, year);
    (n >= 1.0).then(|| fiscal_cost(p).map(|c| c.mean / n)).flatten()
}

/// The first year full coverage is reached in at least half the runs.
pub fn median_coverage_year(p: &PolicyResults) -> Option<i32> {
    p.coverage.iter().find(|c| c.p_reached_by >= 0.5).map(|c| c.year)
}

/// A policy's answer in one line for the terminal: villages below the
/// floor in the target year with their interval, when full coverage is
/// reached, and (with measures) the fiscal cost and the cost per village
/// lifted: "10.4 villages below the floor in 2030 (90% of runs: 4 to 17);
/// full coverage in none of the 1,000 runs; fiscal cost 0 yuan".
pub fn policy_line(r: &Results, p: &PolicyResults, lang: Lang) -> String {
    let year = target_year(r);
    let (n, range) = below_text(r, p, year, lang);
    let end = r.final_year;
    let by_end = p.coverage.last().map_or(0.0, |c| c.p_reached_by);
    let coverage = match (median_coverage_year(p), lang) {
        (Some(y), Lang::En) => format!("full coverage by {y} in half the runs"),
        (Some(y), Lang::Zh) => format!("半数模拟到{y}年已实现全覆盖"),
        (None, Lang::En) => format!("full coverage by {end} {}", odds(lang, by_end, r.runs)),
        (None, Lang::Zh) => format!("到{end}年{}实现全覆盖", odds(lang, by_end, r.runs)),
    };
    let mut s = match lang {
        Lang::En => format!("{n} villages below the floor in {year}{range}; {coverage}"),
        Lang::Zh => format!("{year}年 {n} 个村低于底线{range}；{coverage}"),
    };
    if !p.interventions.is_empty() {
        if let Some(f) = fiscal_cost(p) {
            let cost = money_mc(lang, f.mean, f.se);
            s += &match lang {
                Lang::En => format!("; fiscal cost {cost}"),
                Lang::Zh => format!("；财政成本 {cost}"),
            };
        }
        if let Some(c) = cost_per_village_lifted(r, p, year).filter(|c| *c > 0.0) {
            let c = money(lang, crate::format::round_sig(c, 2));
            s += &match lang {
                Lang::En => format!(", {c} per village lifted"),
                Lang::Zh => format!("，每个达标村 {c}"),
            };
        }
    }
    s
}

/// The brief's lead sentence: the policy that leaves the fewest villages
/// below the floor in the target year, against doing nothing, with
/// policies named as the brief names them.
pub fn headline(r: &Results, lang: Lang) -> String {
    let charts = super::figures(r, lang);
    lead(r, lang, &*charts.policy_name)
}

/// The section: the lead sentence, the summary table, one item per policy
/// and the backtest.
/// `with_lead`: false when another lead (a `compare` report's pairs) is
/// already given.
pub(super) fn section(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer, with_lead: bool) {
    if with_lead {
        doc.push(Block::Lead(lead(r, lang, l)));
    }
    doc.push(summary_table(r, lang, l));
    let items = r
        .policies
        .iter()
        .map(|p| (l(&p.name), policy_item(r, p, lang)))
        .collect();
    doc.push(Block::List(items));
    if let Some(s) = super::backtest::sentence(r, lang, l) {
        doc.push(Block::P(s));
    }
}

/// "Without any measure, 14 villages stay below 50万元 in 2022 (90% of runs:
/// 11 to 17); under “package”, 2.3 (0 to 5)": the policy that leaves the
/// fewest below the floor against doing nothing.
fn lead(r: &Results, lang: Lang, l: &Namer) -> String {
    let year = target_year(r);
    let floor = money(lang, r.floor_yuan);
    let (none, none_range) = below_text(r, &r.policies[0], year, lang);
    let best = r
        .policies
        .iter()
        .skip(1)
        .filter_map(|p| Some((p, below(r, p, year)?.mean)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        None => match lang {
            Lang::En => {
                format!("Without any measure, {none} villages stay below the floor of {floor} in {year}{none_range}.")
            }
            Lang::Zh => format!("不采取任何措施时，{year}年有 {none} 个村低于底线 {floor}{none_range}。"),
        },
        Some((p, _)) => {
            let name = quoted(lang, &l(&p.name));
            let (under, range) = below_text(r, p, year, lang);
            match lang {
                Lang::En => format!(
                    "In {year}, {under} villages stay below the floor of {floor} under {name}, the policy that leaves the fewest{range}; without any measure, {none}{none_range}."
                ),
                Lang::Zh => format!("{year}年，在{name}（低于底线村数最少的政策）下有 {under} 个村低于底线 {floor}{range}；不采取任何措施时为 {none} 个{none_range}。"),
            }
        }
    }
}

/// Villages below the floor in `year`: the mean, and its interval as a
/// suffix for the end of the clause (empty when it is a single value).
fn below_text(r: &Results, p: &PolicyResults, year: i32, lang: Lang) -> (String, String) {
    let Some(s) = below(r, p, year) else {
        return ("–".into(), String::new());
    };
    match crate::format::interval(s.mean, s.p5, s.p95, Ends::Whole, |x| count(x, s.se)) {
        (m, None) => (m, String::new()),
        (m, Some((lo, hi))) => match lang {
            Lang::En => (m, format!(" (90% of runs: {lo} to {hi})")),
            Lang::Zh => (m, format!("（90% 的模拟在 {lo} 至 {hi} 个之间）")),
        },
    }
}

/// One policy in plain sentences.
fn policy_item(r: &Results, p: &PolicyResults, lang: Lang) -> String {
    let year = target_year(r);
    let floor = money(lang, r.floor_yuan);
    let mut s = match below(r, p, year) {
        Some(b) if b.max <= 0.0 => match lang {
            Lang::En => format!("no village is below the floor of {floor} in {year}, in any run."),
            Lang::Zh => format!("{year}年在任何一次模拟中都没有村低于底线 {floor}。"),
        },
        _ => {
            let (n, range) = below_text(r, p, year, lang);
            match lang {
                Lang::En => format!("{n} villages stay below the floor of {floor} in {year}{range}."),
                Lang::Zh => format!("{year}年有 {n} 个村低于底线 {floor}{range}。"),
            }
        }
    };
    s += &which_villages(r, p, year, lang);
    s += &coverage(r, p, lang);
    if !p.interventions.is_empty() {
        s += &costs(r, p, year, lang);
        s += &kept(r, p, year, lang);
    }
    s
}

/// The villages most often below the floor, grouped by township (or
/// group), the most often below first, with their probability.
fn which_villages(r: &Results, p: &PolicyResults, year: i32, lang: Lang) -> String {
    let t = (year - r.baseline_year) as usize;
    let mut at_risk: Vec<(usize, f64)> = (0..r.villages.len())
        .filter_map(|v| Some((v, p.villages.get(v)?.get(t)?.p_below_floor)))
        .filter(|&(_, q)| q >= AT_RISK)
        .collect();
    if at_risk.is_empty() {
        return String::new();
    }
    at_risk.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let total = at_risk.len();
    at_risk.truncate(MAX_NAMED);
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (v, q) in at_risk {
        let info = &r.villages[v];
        let place = info
            .township_label(lang)
            .or_else(|| info.group_label(lang))
            .unwrap_or_default()
            .to_string();
        let entry = format!("{} ({})", info.label(lang), crate::format::pct_cell(q));
        match groups.iter_mut().find(|(g, _)| *g == place) {
            Some((_, names)) => names.push(entry),
            None => groups.push((place, vec![entry])),
        }
    }
    let sep = match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    };
    let listed: Vec<String> = groups
        .into_iter()
        .map(|(g, names)| match (g.is_empty(), lang) {
            (true, _) => names.join(sep),
            (false, Lang::En) => format!("{g}: {}", names.join(sep)),
            (false, Lang::Zh) => format!("{g}：{}", names.join(sep)),
        })
        .collect();
    let more = total.saturating_sub(MAX_NAMED);
    let risk = format!("{:.0}%", 100.0 * AT_RISK);
    match lang {
        Lang::En => {
            let tail = if more > 0 {
                format!("; and {more} more (section 5)")
            } else {
                String::new()
            };
            format!(
                " Below the floor in at least {risk} of runs (chance in brackets): {}{tail}.",
                listed.join("; ")
            )
        }
        Lang::Zh => {
            let tail = if more > 0 {
                format!("；另有 {more} 个（见第五部分）")
            } else {
                String::new()
            };
            format!(
                "至少 {risk} 的模拟中低于底线的村（括号内为概率）：{}{tail}。",
                listed.join("；")
            )
        }
    }
}

/// When full coverage is reached: the median first year, or in what share
/// of runs it is reached by the horizon, or in none.
fn coverage(r: &Results, p: &PolicyResults, lang: Lang) -> String {
    let end = r.final_year;
    let by_end = p.coverage.last().map_or(0.0, |c| c.p_reached_by);
    match (median_coverage_year(p), lang) {
        (Some(y), Lang::En) => format!(
            " Every village is at the floor by {y} in at least half the runs (the median first year of full coverage); by {end}, {}.",
            odds(lang, by_end, r.runs)
        ),
        (Some(y), Lang::Zh) => format!(
            "半数及以上的模拟到{y}年已实现所有村达到底线（全覆盖首年的中位数）；到{end}年，{}实现全覆盖。",
            odds(lang, by_end, r.runs)
        ),
        (None, Lang::En) if by_end > 0.0 => format!(
            " Full coverage (every village at the floor) is reached by {end} {}, less than half.",
            odds(lang, by_end, r.runs)
        ),
        (None, Lang::Zh) if by_end > 0.0 => {
            format!("到{end}年{}实现全覆盖（所有村达到底线），不足半数。", odds(lang, by_end, r.runs))
        }
        (None, Lang::En) => format!(
            " Full coverage (every village at the floor) is reached in none of the {} runs within the horizon ({end}).",
            crate::format::grouped(r.runs as f64, 0)
        ),
        (None, Lang::Zh) => format!(
            "期内（至{end}年）{}实现全覆盖（所有村达到底线）。",
            odds(lang, 0.0, r.runs)
        ),
    }
}

/// The public cost, the money committed and the cost per village lifted.
fn costs(r: &Results, p: &PolicyResults, year: i32, lang: Lang) -> String {
    let mut s = String::new();
    if let Some(f) = fiscal_cost(p) {
        let cost = money_mc(lang, f.mean, f.se);
        s += &match lang {
            Lang::En => format!(" Public cost (fiscal cost over the horizon, section 4): {cost}."),
            Lang::Zh => format!("财政成本（期内，见第四部分）：{cost}。"),
        };
    }
    if let Some(c) = p.accounts.as_ref().map(|a| &a.committed_yuan) {
        s += &committed(lang, c);
        if let Some(d) = p.decisions.as_ref().filter(|_| c.bank_loans_yuan.max > 0.0) {
            let o = odds(lang, d.p_negative_cash_with_loan, r.runs);
            s += &match lang {
                Lang::En => {
                    format!(" A village with a loan has a year of negative net cash after its investment year {o}.")
                }
                Lang::Zh => format!("有贷款的村在投资年之后出现净现金为负的年份：{o}。"),
            };
        }
    }
    let n = count(lifted(r, p, year), lifted_se(r, p, year));
    let free = fiscal_cost(p).is_some_and(|c| c.mean == 0.0);
    s += &match (cost_per_village_lifted(r, p, year), lang) {
        (Some(_), Lang::En) if free => format!(
            " It lifts {} villages above the floor in {year} against no intervention, at no public cost.",
            n
        ),
        (Some(_), Lang::Zh) if free => format!("与无干预相比，{year}年使 {} 个村达到底线，不产生财政成本。", n),
        (Some(c), Lang::En) => format!(
            " It lifts {} villages above the floor in {year} against no intervention: {} of public cost per village lifted.",
            n,
            money(lang, crate::format::round_sig(c, 2))
        ),
        (Some(c), Lang::Zh) => format!(
            "与无干预相比，{year}年使 {} 个村达到底线：每个达标村的财政成本 {}。",
            n,
            money(lang, crate::format::round_sig(c, 2))
        ),
        (None, Lang::En) => format!(" It lifts fewer than one village above the floor in {year} on average against no intervention."),
        (None, Lang::Zh) => format!("与无干预相比，{year}年平均达到底线的村不足 1 个。"),
    };
    s
}

/// The money committed over the horizon: the total with its 90% interval
/// of runs, and its non-zero parts (means).
fn committed(lang: Lang, c: &crate::summary::results::MoneyCommitted) -> String {
    let m = |x: &Stat| money_mc(lang, x.mean, x.se);
    let names: [(&str, &str, &Stat); 3] = [
        ("bank loans", "银行贷款", &c.bank_loans_yuan),
        ("village equity", "村集体出资", &c.village_equity_yuan),
        ("public money moved", "动用财政资金", &c.public_money_yuan),
    ];
    let parts: Vec<String> = names
        .iter()
        .filter(|(_, _, x)| x.mean != 0.0)
        .map(|(en, zh, x)| match lang {
            Lang::En => format!("{en} {}", m(x)),
            Lang::Zh => format!("{zh} {}", m(x)),
        })
        .collect();
    let t = &c.total_yuan;
    let total = with_interval(lang, t.mean, t.p5, t.p95, Ends::Same, |x| money_mc(lang, x, t.se));
    match (parts.is_empty(), lang) {
        (true, Lang::En) => " It commits no bank, village or public money.".into(),
        (true, Lang::Zh) => "不动用银行贷款、村集体出资或财政资金。".into(),
        (false, Lang::En) => format!(
            " Money committed over the horizon: {total} in all, of which {}.",
            parts.join(", ")
        ),
        (false, Lang::Zh) => format!("期内投入资金合计 {total}，其中{}。", parts.join("，")),
    }
}

/// The target line the measures add in `year`, beside what the villages
/// keep: net income and net cash after debt service.
fn kept(r: &Results, p: &PolicyResults, year: i32, lang: Lang) -> String {
    let Some(y) = p
        .accounts
        .as_ref()
        .and_then(|a| a.years.get((year - r.start_year) as usize))
    else {
        return String::new();
    };
    let m = |s: &Stat| money_mc(lang, s.mean, s.se);
    let (op, net, cash) = (m(&y.operating_yuan), m(&y.net_income_yuan), m(&y.net_cash_yuan));
    match lang {
        Lang::En => format!(
            " In {year} the measures add {op} to the official operating income (the target line); the villages' net income is {net}, their net cash after debt service {cash}."
        ),
        Lang::Zh => format!(
            "{year}年各项措施使考核口径的经营性收入增加 {op}；村集体净收益为 {net}，还本付息后净现金为 {cash}。"
        ),
    }
}

/// The summary table: per policy, villages below the floor in the target
/// year, the first year of full coverage, the fiscal cost, the money
/// committed and the cost per village lifted.
fn summary_table(r: &Results, lang: Lang, l: &Namer) -> Block {
    let w = words(lang);
    let year = target_year(r);
    let unit = match lang {
        Lang::En => "yuan",
        Lang::Zh => "万元",
    };
    let cell = |x: f64| match lang {
        Lang::En => crate::format::grouped(round_money(x, 0.0), 0),
        Lang::Zh => crate::format::wan(round_money(x, 0.0)),
    };
    let rows = r
        .policies
        .iter()
        .map(|p| {
            let below = below(r, p, year).map_or("–".into(), |s| {
                let (m, range) = crate::format::interval(s.mean, s.p5, s.p95, Ends::Whole, |x| count(x, s.se));
                range.map_or(m.clone(), |(lo, hi)| format!("{m} ({lo}–{hi})"))
            });
            let reached = median_coverage_year(p).map_or_else(
                || match lang {
                    Lang::En => format!("after {}", r.final_year),
                    Lang::Zh => format!("{}年后", r.final_year),
                },
                |y| y.to_string(),
            );
            let with_measures = !p.interventions.is_empty();
            let or_dash = |x: Option<f64>| x.filter(|_| with_measures).map_or("–".into(), cell);
            Row {
                cells: vec![
                    l(&p.name),
                    below,
                    reached,
                    or_dash(fiscal_cost(p).map(|c| c.mean)),
                    or_dash(p.accounts.as_ref().map(|a| a.committed_yuan.total_yuan.mean)),
                    // Rounded as the sentences round it (2 significant figures).
                    or_dash(cost_per_village_lifted(r, p, year).map(|c| crate::format::round_sig(c, 2))),
                ],
                risk: false,
            }
        })
        .collect();
    let head = match lang {
        Lang::En => vec![
            w.policy.to_string(),
            format!("Villages below the floor, {year} (90% of runs)"),
            "Full coverage by (half the runs)".into(),
            format!("Public cost, {unit}"),
            format!("Money committed, {unit}"),
            format!("Public cost per village lifted, {unit}"),
        ],
        Lang::Zh => vec![
            w.policy.to_string(),
            format!("{year}年低于底线村数（90% 区间）"),
            "半数模拟实现全覆盖的年份".into(),
            format!("财政成本（{unit}）"),
            format!("投入资金合计（{unit}）"),
            format!("每个达标村的财政成本（{unit}）"),
        ],
    };
    Block::Table {
        head,
        numeric: vec![false, true, true, true, true, true],
        rows,
        class: "summary",
    }
}
