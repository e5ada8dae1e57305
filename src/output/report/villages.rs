//! Section 5 of the report, the villages: those at risk first, by name;
//! a summary by township (or group); the full table after it, collapsible
//! in HTML.

use super::view::{final_year, package, Block, Namer, Row};
use super::words::{quoted, words};
use super::{AT_RISK, MAX_VILLAGE_ROWS};
use crate::format::{grouped, money, money_cell, pct_cell, Lang};
use crate::summary::results::{PolicyResults, Results, VillageYear};

fn name(l: &Namer, p: &PolicyResults) -> String {
    l(&p.name)
}

pub(super) fn section(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    let w = words(lang);
    doc.push(Block::H2(w.h_villages.into()));
    doc.push(Block::P(villages_intro(r, lang, l)));
    let table = VillageTable::new(r, lang, l);
    let pk = table.package;
    let order = super::risk_order(pk);
    doc.push(Block::H3(w.h_at_risk.into()));
    let at_risk = super::at_risk(pk);
    let n_risky = at_risk.len();
    let risky: Vec<Row> = at_risk
        .into_iter()
        .take(MAX_VILLAGE_ROWS)
        // Every row of this table is at risk: none is singled out.
        .map(|v| Row {
            risk: false,
            ..table.row(v)
        })
        .collect();
    if risky.is_empty() {
        let pkn = quoted(lang, &name(l, pk));
        doc.push(Block::P(match lang {
            Lang::En => format!("No village is at risk under {pkn}."),
            Lang::Zh => format!("在{pkn}下没有风险村。"),
        }));
    } else {
        doc.push(table.block(risky));
        if n_risky > MAX_VILLAGE_ROWS {
            doc.push(Block::Note(more_villages(lang, MAX_VILLAGE_ROWS, n_risky, true)));
        }
    }
    doc.push(Block::H3(by_place_heading(lang).into()));
    doc.push(by_place(r, pk, l, lang));
    let all = match lang {
        Lang::En => format!("{} ({})", w.h_all_villages, grouped(r.villages.len() as f64, 0)),
        Lang::Zh => format!("{}（{} 个）", w.h_all_villages, grouped(r.villages.len() as f64, 0)),
    };
    doc.push(Block::DetailsStart(all));
    doc.push(
        table.block(
            order
                .iter()
                .copied()
                .take(MAX_VILLAGE_ROWS)
                .map(|v| table.row(v))
                .collect(),
        ),
    );
    if order.len() > MAX_VILLAGE_ROWS {
        doc.push(Block::Note(more_villages(lang, MAX_VILLAGE_ROWS, order.len(), false)));
    }
    doc.push(Block::DetailsEnd);
}

fn by_place_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "By township or group",
        Lang::Zh => "按乡镇或分组汇总",
    }
}

/// Where a village is counted in the summary: its township, else its
/// group, else "other".
fn place(r: &Results, v: usize, lang: Lang) -> String {
    let info = &r.villages[v];
    info.township_label(lang)
        .or_else(|| info.group_label(lang))
        .map(str::to_string)
        .unwrap_or_else(|| {
            match lang {
                Lang::En => "other",
                Lang::Zh => "其他",
            }
            .to_string()
        })
}

/// One township (or group) in the summary.
struct Place {
    name: String,
    villages: usize,
    income_sum: f64,
    /// Expected villages below the floor (the sum of their chances) under
    /// the package, and under the reference when it differs.
    below: f64,
    below_reference: f64,
    at_risk: usize,
}

/// The summary by township (or group), final year, under the package: the
/// number of villages, their mean income, the expected number below the
/// floor and the villages at risk, with the expected number below the
/// floor under no intervention beside it; the places with the most
/// villages below the floor first.
fn by_place(r: &Results, pk: &PolicyResults, l: &Namer, lang: Lang) -> Block {
    let w = words(lang);
    let reference = Some(&r.policies[0]).filter(|p| !std::ptr::eq(*p, pk));
    let mut places: Vec<Place> = Vec::new();
    for v in 0..r.villages.len() {
        let key = place(r, v, lang);
        let (income, p) = final_year(pk, v).map_or((0.0, 0.0), |y| (y.income_yuan.mean, y.p_below_floor));
        let p_ref = reference
            .and_then(|q| final_year(q, v))
            .map_or(0.0, |y| y.p_below_floor);
        let i = places.iter().position(|e| e.name == key).unwrap_or_else(|| {
            places.push(Place {
                name: key,
                villages: 0,
                income_sum: 0.0,
                below: 0.0,
                below_reference: 0.0,
                at_risk: 0,
            });
            places.len() - 1
        });
        let row = &mut places[i];
        row.villages += 1;
        row.income_sum += income;
        row.below += p;
        row.below_reference += p_ref;
        row.at_risk += usize::from(p >= AT_RISK);
    }
    places.sort_by(|a, b| {
        (b.below, b.below_reference)
            .partial_cmp(&(a.below, a.below_reference))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.name.cmp(&b.name))
    });
    let unit = match lang {
        Lang::En => "yuan",
        Lang::Zh => "万元",
    };
    let year = r.final_year;
    let pkn = l(&pk.name);
    let mut head = match lang {
        Lang::En => vec![
            w.col_group.to_string(),
            "Villages".into(),
            format!("Mean income {year}, {unit}: {pkn}"),
            format!("Villages below the floor {year} (expected): {pkn}"),
            format!("Villages at risk: {pkn}"),
        ],
        Lang::Zh => vec![
            w.col_group.to_string(),
            "村数".into(),
            format!("{year}年村均收入（{unit}）：{pkn}"),
            format!("{year}年低于底线村数（期望）：{pkn}"),
            format!("风险村数：{pkn}"),
        ],
    };
    if let Some(q) = reference {
        head.push(match lang {
            Lang::En => format!("Villages below the floor {year} (expected): {}", l(&q.name)),
            Lang::Zh => format!("{year}年低于底线村数（期望）：{}", l(&q.name)),
        });
    }
    let rows = places
        .into_iter()
        .map(|p| {
            let mut cells = vec![
                p.name,
                p.villages.to_string(),
                money_cell(lang, p.income_sum / p.villages as f64),
                grouped(p.below, 1),
                p.at_risk.to_string(),
            ];
            if reference.is_some() {
                cells.push(grouped(p.below_reference, 1));
            }
            Row { cells, risk: false }
        })
        .collect();
    let mut numeric = vec![false, true, true, true, true];
    numeric.extend(reference.map(|_| true));
    Block::Table {
        head,
        numeric,
        rows,
        class: "places",
    }
}

/// What "at risk" means, which policy the tables show, and how many
/// villages are at risk under each policy.
fn villages_intro(r: &Results, lang: Lang, l: &Namer) -> String {
    let w = words(lang);
    let at_risk_count = |p: &PolicyResults| {
        (0..r.villages.len())
            .filter(|&v| final_year(p, v).is_some_and(|y| y.p_below_floor >= AT_RISK))
            .count()
    };
    let counts: Vec<String> = r
        .policies
        .iter()
        .map(|p| format!("{} {}", name(l, p), at_risk_count(p)))
        .collect();
    let pkn = quoted(lang, &name(l, &r.policies[package(r)]));
    let risk_pct = format!("{:.0}%", 100.0 * AT_RISK);
    match lang {
        Lang::En => format!(
            "A village is at risk (marked {}) when it ends {} below the floor of {} in {risk_pct} of runs or more. The tables show final-year ({}) operating income under {pkn}, the policy with the most measures: P10, P50 and P90 are the values 10%, 50% and 90% of runs stay under. Villages at risk under each policy: {}.",
            w.risk_mark,
            r.final_year,
            money(lang, r.floor_yuan),
            r.final_year,
            counts.join(", ")
        ),
        Lang::Zh => format!(
            "若某村在 {risk_pct} 及以上的模拟中{}年收入低于底线 {}，即视为风险村（标记 {}）。下表为{pkn}（措施最多的政策）下{}年的经营性收入：P10、P50、P90 分别为 10%、50%、90% 的模拟结果不超过的数值。各政策下的风险村数：{}。",
            r.final_year,
            money(lang, r.floor_yuan),
            w.risk_mark,
            r.final_year,
            counts.join("，")
        ),
    }
}

/// The village tables: final-year income under the package, the chance of
/// ending below the floor under it and (when it differs) under no
/// intervention.
struct VillageTable<'a> {
    r: &'a Results,
    lang: Lang,
    package: &'a PolicyResults,
    /// The reference policy, when it is not the package itself.
    reference: Option<&'a PolicyResults>,
    head: Vec<String>,
    /// How many villages bear each name, counted once (not per row).
    name_counts: std::collections::HashMap<&'a str, usize>,
}

impl<'a> VillageTable<'a> {
    fn new(r: &'a Results, lang: Lang, l: &Namer) -> Self {
        let w = words(lang);
        let package = &r.policies[package(r)];
        let reference = Some(&r.policies[0]).filter(|p| !std::ptr::eq(*p, package));
        let unit = match lang {
            Lang::En => "yuan",
            Lang::Zh => "万元",
        };
        let below = |p: &PolicyResults| match lang {
            Lang::En => format!("Below floor: {}", name(l, p)),
            Lang::Zh => format!("低于底线概率：{}", name(l, p)),
        };
        let mut head = vec![
            w.col_risk.to_string(),
            w.col_village.to_string(),
            w.col_group.to_string(),
            format!("{} {} ({unit})", w.col_baseline, r.baseline_year),
            format!("P10 ({unit})"),
            format!("P50 ({unit})"),
            format!("P90 ({unit})"),
            below(package),
        ];
        head.extend(reference.map(below));
        let mut name_counts = std::collections::HashMap::new();
        for v in &r.villages {
            *name_counts.entry(v.label(lang)).or_default() += 1;
        }
        VillageTable {
            r,
            lang,
            package,
            reference,
            head,
            name_counts,
        }
    }

    fn block(&self, rows: Vec<Row>) -> Block {
        let mut numeric = vec![false, false, false, true, true, true, true, true];
        if self.reference.is_some() {
            numeric.push(true);
        }
        Block::Table {
            head: self.head.clone(),
            numeric,
            rows,
            class: "villages",
        }
    }

    fn row(&self, v: usize) -> Row {
        let (r, lang, pk) = (self.r, self.lang, self.package);
        let w = words(lang);
        let info = &r.villages[v];
        let y = final_year(pk, v);
        let base = pk
            .villages
            .get(v)
            .and_then(|ys| ys.first())
            .map_or(f64::NAN, |y| y.income_yuan.mean);
        let risk = y.is_some_and(|y| y.p_below_floor >= AT_RISK);
        // The name alone when it identifies the village; else with its id.
        let name = info.label(lang);
        let label = if name == info.id || self.name_counts.get(name) == Some(&1) {
            name.to_string()
        } else {
            format!("{name} ({})", info.id)
        };
        let group = match (info.township_label(lang), info.group_label(lang)) {
            (Some(t), Some(g)) => format!("{t} / {g}"),
            (Some(t), None) => t.to_string(),
            (None, Some(g)) => g.to_string(),
            (None, None) => String::new(),
        };
        let q = |f: fn(&VillageYear) -> f64| y.map_or("–".to_string(), |y| money_cell(lang, f(y)));
        let mut cells = vec![
            if risk { w.risk_mark.to_string() } else { String::new() },
            label,
            group,
            money_cell(lang, base),
            q(|y| y.income_yuan.p10),
            q(|y| y.income_yuan.p50),
            q(|y| y.income_yuan.p90),
            y.map_or("–".into(), |y| pct_cell(y.p_below_floor)),
        ];
        if let Some(reference) = self.reference {
            cells.push(final_year(reference, v).map_or("–".into(), |y| pct_cell(y.p_below_floor)));
        }
        Row { cells, risk }
    }
}

/// The sentence under a village table cut to its first `shown` rows of
/// `total`: where the others are.
fn more_villages(lang: Lang, shown: usize, total: usize, at_risk: bool) -> String {
    let (shown_s, more) = (grouped(shown as f64, 0), grouped((total - shown) as f64, 0));
    match (lang, at_risk) {
        (Lang::En, true) => format!(
            "The {shown_s} villages most at risk are shown; the other {more} villages at risk are in village_years.csv."
        ),
        (Lang::En, false) => format!(
            "The {shown_s} villages most at risk are shown; the other {more} villages are in village_years.csv, with every year and policy."
        ),
        (Lang::Zh, true) => format!("上表列出风险最高的 {shown_s} 个村；其余 {more} 个风险村见 village_years.csv。"),
        (Lang::Zh, false) => {
            format!("上表列出风险最高的 {shown_s} 个村；其余 {more} 个村见 village_years.csv（含各年份、各政策）。")
        }
    }
}
