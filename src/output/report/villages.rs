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
    let mut order: Vec<usize> = (0..r.villages.len()).collect();
    let key = |v: usize| final_year(pk, v).map_or((0.0, 0.0), |y| (y.p_below_floor, y.income_yuan.p50));
    order.sort_by(|&a, &b| {
        let (pa, ma) = key(a);
        let (pb, mb) = key(b);
        pb.total_cmp(&pa).then(ma.total_cmp(&mb)).then(a.cmp(&b))
    });
    doc.push(Block::H3(w.h_at_risk.into()));
    let is_risky = |v: usize| final_year(pk, v).is_some_and(|y| y.p_below_floor >= AT_RISK);
    let n_risky = order.iter().filter(|&&v| is_risky(v)).count();
    let risky: Vec<Row> = order
        .iter()
        .copied()
        .filter(|&v| is_risky(v))
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
    doc.push(by_place(r, pk, lang));
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
    info.township.clone().or_else(|| info.group.clone()).unwrap_or_else(|| {
        match lang {
            Lang::En => "other",
            Lang::Zh => "其他",
        }
        .to_string()
    })
}

/// The summary by township (or group) under the package, final year: the
/// number of villages, their mean income, the expected number below the
/// floor (the sum of their chances) and the villages at risk; the places
/// with the most villages below the floor first.
fn by_place(r: &Results, pk: &PolicyResults, lang: Lang) -> Block {
    let w = words(lang);
    // (place, villages, sum of mean incomes, expected below, at risk)
    let mut places: Vec<(String, usize, f64, f64, usize)> = Vec::new();
    for v in 0..r.villages.len() {
        let key = place(r, v, lang);
        let (income, p) = final_year(pk, v).map_or((0.0, 0.0), |y| (y.income_yuan.mean, y.p_below_floor));
        let row = match places.iter().position(|e| e.0 == key) {
            Some(i) => &mut places[i],
            None => {
                places.push((key, 0, 0.0, 0.0, 0));
                places.last_mut().expect("just pushed")
            }
        };
        row.1 += 1;
        row.2 += income;
        row.3 += p;
        row.4 += usize::from(p >= AT_RISK);
    }
    places.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(&b.0)));
    let unit = match lang {
        Lang::En => "yuan",
        Lang::Zh => "万元",
    };
    let year = r.final_year;
    let head = match lang {
        Lang::En => vec![
            w.col_group.to_string(),
            "Villages".into(),
            format!("Mean income {year}, {unit}"),
            format!("Villages below the floor {year} (expected)"),
            "Villages at risk".into(),
        ],
        Lang::Zh => vec![
            w.col_group.to_string(),
            "村数".into(),
            format!("{year}年村均收入（{unit}）"),
            format!("{year}年低于底线村数（期望）"),
            "风险村数".into(),
        ],
    };
    let rows = places
        .into_iter()
        .map(|(key, n, income, below, risky)| Row {
            cells: vec![
                key,
                n.to_string(),
                money_cell(lang, income / n as f64),
                grouped(below, 1),
                risky.to_string(),
            ],
            risk: false,
        })
        .collect();
    Block::Table {
        head,
        numeric: vec![false, true, true, true, true],
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
            *name_counts.entry(v.name.as_str()).or_default() += 1;
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
        let label = if info.name == info.id || self.name_counts.get(info.name.as_str()) == Some(&1) {
            info.name.clone()
        } else {
            format!("{} ({})", info.name, info.id)
        };
        let group = match (&info.township, &info.group) {
            (Some(t), Some(g)) => format!("{t} / {g}"),
            (Some(t), None) => t.clone(),
            (None, Some(g)) => g.clone(),
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
