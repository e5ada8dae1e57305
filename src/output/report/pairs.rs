//! The lead of a `compare` report: each policy against the chosen
//! reference, run by run on common random numbers (the comparisons of
//! [`Results`], final year): how often it leaves fewer villages below the
//! floor, how often more, and how often it gives the higher mean village
//! income, with the mean differences and their intervals.

use super::view::{Block, Namer};
use super::words::quoted;
use crate::format::{count, odds, round_money, signed_money, with_interval, Ends, Lang};
use crate::summary::results::{PairResults, Results};

/// The pairs `(policy against reference, reference against policy)` with
/// `reference`, in the order of the policies.
fn pairs<'a>(r: &'a Results, reference: &str) -> Vec<(&'a PairResults, Option<&'a PairResults>)> {
    r.policies
        .iter()
        .filter(|p| p.name != reference)
        .filter_map(|p| {
            let there = r
                .comparisons
                .iter()
                .find(|c| c.policy == p.name && c.reference == reference)?;
            let back = r
                .comparisons
                .iter()
                .find(|c| c.policy == reference && c.reference == p.name);
            Some((there, back))
        })
        .collect()
}

/// `+2.5`, `-1`, `0`: a difference of village counts.
fn signed_count(x: f64, se: f64) -> String {
    let s = count(x, se);
    if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0' && c != '.') {
        format!("+{s}")
    } else {
        s
    }
}

/// Adds the lead and one item per pair; nothing when the results hold no
/// pair with `reference`.
pub(super) fn section(doc: &mut Vec<Block>, r: &Results, reference: &str, lang: Lang, l: &Namer) {
    let pairs = pairs(r, reference);
    if pairs.is_empty() {
        return;
    }
    let (year, runs) = (r.final_year, r.runs);
    let refn = quoted(lang, &l(reference));
    let fewer: Vec<String> = pairs
        .iter()
        .map(|(c, _)| {
            let name = quoted(lang, &l(&c.policy));
            match lang {
                Lang::En => format!("{name} {}", odds(lang, c.p_fewer_below_floor, runs)),
                Lang::Zh => format!("{name}{}使低于底线的村更少", odds(lang, c.p_fewer_below_floor, runs)),
            }
        })
        .collect();
    doc.push(Block::Lead(match lang {
        Lang::En => format!(
            "Compared run by run with {refn} in {year}, on the same random draws: fewer villages stay below the floor under {}.",
            fewer.join("; under ")
        ),
        Lang::Zh => format!(
            "{year}年与{refn}在相同随机抽样下逐次配对比较：{}。",
            fewer.join("；")
        ),
    }));
    let items = pairs
        .iter()
        .map(|(c, back)| (quoted(lang, &l(&c.policy)), pair_sentence(lang, c, *back, &refn, runs)))
        .collect();
    doc.push(Block::List(items));
}

/// One pair in words.
fn pair_sentence(lang: Lang, c: &PairResults, back: Option<&PairResults>, refn: &str, runs: u64) -> String {
    let d = &c.diff_villages_below_floor;
    let below = with_interval(lang, d.mean, d.p5, d.p95, Ends::Whole, |x| signed_count(x, d.se));
    let m = &c.diff_mean_village_income_yuan;
    let income = with_interval(lang, m.mean, m.p5, m.p95, Ends::Same, |x| {
        signed_money(lang, round_money(x, m.se))
    });
    let (fewer, higher) = (
        odds(lang, c.p_fewer_below_floor, runs),
        odds(lang, c.p_higher_income, runs),
    );
    let more = back.map(|b| odds(lang, b.p_fewer_below_floor, runs));
    match lang {
        Lang::En => {
            let more = more.map_or(String::new(), |m| format!(", more {m}"));
            format!(
                "against {refn}: fewer villages below the floor {fewer}{more}; villages below the floor {below} on average. Higher mean village income {higher}; the difference is {income} a village."
            )
        }
        Lang::Zh => {
            let more = more.map_or(String::new(), |m| format!("，{m}使其更多"));
            format!(
                "与{refn}相比：{fewer}使低于底线的村更少{more}；低于底线的村平均 {below} 个。{higher}使村均收入更高；差额为每村 {income}。"
            )
        }
    }
}
