//! The document as plain view blocks built from [`Results`]: every figure
//! already formatted (through [`crate::format`]), nothing escaped; the
//! templates lay the blocks out as HTML or Markdown.

use super::words::{quoted, words};
use super::Manifest;
use crate::format::{grouped, money, Lang};
use crate::summary::names::kind_label;
use crate::summary::results::{Assumption, PolicyResults, Results, VillageYear};

/// A table row; `risk` rows are marked.
pub(super) struct Row {
    pub(super) cells: Vec<String>,
    pub(super) risk: bool,
}

pub(super) enum Block {
    Title(String),
    Subtitle(String),
    H2(String),
    H3(String),
    /// The one sentence to read if nothing else.
    Lead(String),
    P(String),
    Note(String),
    /// Items with a bold lead (a policy's name) and their text.
    List(Vec<(String, String)>),
    /// `numeric[i]`: column i is right-aligned.
    Table {
        head: Vec<String>,
        numeric: Vec<bool>,
        rows: Vec<Row>,
        class: &'static str,
    },
    Chart {
        stem: String,
        title: String,
    },
    KeyValues(Vec<(String, String)>),
    /// A part the reader opens (HTML `<details>`), with its summary line,
    /// up to the next [`Block::DetailsEnd`].
    DetailsStart(String),
    DetailsEnd,
}

/// Final-year entry of a village under a policy.
pub(super) fn final_year(p: &PolicyResults, v: usize) -> Option<&VillageYear> {
    p.villages.get(v).and_then(|ys| ys.last())
}

/// The policy the village tables show: the one with the most measures (the
/// last such), "the package".
pub(super) fn package(r: &Results) -> usize {
    r.policies
        .iter()
        .enumerate()
        .max_by_key(|(i, p)| (p.interventions.len(), *i))
        .map_or(0, |(i, _)| i)
}

/// A policy's display name, as the charts give it (see [`super::Charts`]).
pub(super) type Namer = dyn Fn(&str) -> String;

fn name(l: &Namer, p: &PolicyResults) -> String {
    l(&p.name)
}

/// The whole document; `charts` holds the charts' file stems and titles, in
/// order, and the policies' names (from [`super::figures`], the one place
/// that knows the chart code).
pub(super) fn build(r: &Results, m: &Manifest, lang: Lang, charts: super::Charts) -> Vec<Block> {
    let compare = r.reference.as_deref();
    let w = words(lang);
    let mut doc = Vec::new();
    doc.push(Block::Title(format!(
        "{}{}{}",
        r.scenario_label(lang),
        w.colon,
        w.brief
    )));
    if let Some(d) = r.description_label(lang) {
        doc.push(Block::Subtitle(d.to_string()));
    }
    question(&mut doc, r, lang, &*charts.policy_name);
    headline(&mut doc, r, lang, &*charts.policy_name, compare);
    doc.push(Block::H2(w.h_charts.into()));
    for (stem, title) in charts.figures {
        doc.push(Block::Chart { stem, title });
    }
    super::accounts::section(&mut doc, r, lang, &*charts.policy_name);
    super::villages::section(&mut doc, r, lang, &*charts.policy_name);
    assumptions(&mut doc, r, lang, &*charts.policy_name);
    provenance(&mut doc, r, m, lang);
    doc
}

fn question(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    let w = words(lang);
    doc.push(Block::H2(w.h_question.into()));
    let n = grouped(r.villages.len() as f64, 0);
    let (start, end, base) = (r.start_year, r.final_year, r.baseline_year);
    let (floor, weak) = (money(lang, r.floor_yuan), money(lang, r.weak_yuan));
    let runs = grouped(r.runs as f64, 0);
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "If these policies are put in place from {start}, how will the operating income of the {n} villages grow to {end}, how sure can we be, and which villages stay behind? Every village should reach the floor of {floor} a year; villages under {weak} count as weak. Figures for {base} are the baseline. Each policy is simulated {runs} times on the same random draws as the others, so differences between policies are measured run by run."
        ),
        Lang::Zh => format!(
            "如果从{start}年起实施以下政策，这 {n} 个村的经营性收入到{end}年会如何增长、把握有多大、哪些村会掉队？目标是每个村年经营性收入达到底线 {floor}；低于 {weak} 的村为薄弱村。{base}年的数据为基期。每项政策模拟 {runs} 次，各政策使用相同的随机抽样，因此政策间的差异逐次配对比较。"
        ),
    }));
    let rows = r
        .policies
        .iter()
        .map(|p| {
            let measures = if p.appraisals.is_empty() && p.interventions.is_empty() {
                w.none.to_string()
            } else if p.appraisals.is_empty() {
                p.interventions.join(", ")
            } else {
                p.appraisals
                    .iter()
                    .map(|a| {
                        let tag = if a.assumption {
                            format!(" [{}]", w.assumption_tag)
                        } else {
                            String::new()
                        };
                        match lang {
                            Lang::En => format!("{} ({}){tag}", a.name, a.kind),
                            Lang::Zh => format!("{}（{}）{tag}", a.label(lang), kind_label(&a.kind, lang)),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let description = if p.interventions.is_empty() {
                w.counterfactual.to_string()
            } else {
                p.description_label(lang).unwrap_or_default().to_string()
            };
            Row {
                cells: vec![name(l, p), measures, description],
                risk: false,
            }
        })
        .collect();
    doc.push(Block::Table {
        head: vec![w.policy.into(), w.measures.into(), w.description.into()],
        numeric: vec![false, false, false],
        rows,
        class: "policies",
    });
}

/// The headline: the baseline, then the answer to the question
/// ([`super::lead`]); a `compare` report leads with its pairs
/// ([`super::pairs`]).
fn headline(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer, compare: Option<&str>) {
    let w = words(lang);
    doc.push(Block::H2(w.h_headline.into()));
    if let Some(reference) = compare {
        super::pairs::section(doc, r, reference, lang, l);
    }
    let base_mean = r.policies[0]
        .years
        .first()
        .map_or(f64::NAN, |y| y.mean_income_yuan.mean);
    let year = super::lead::target_year(r);
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "Mean village operating income was {} in {} (baseline). Figures below are for {year} unless stated; ranges are those of 90% of the runs; costs are over the whole horizon ({}–{}).",
            money(lang, base_mean),
            r.baseline_year,
            r.start_year,
            r.final_year
        ),
        Lang::Zh => format!(
            "{}年（基期）村均经营性收入为 {}。除注明外，以下为{year}年的数据；区间为 90% 的模拟结果所在范围；成本为整个期间（{}–{}年）的合计。",
            r.baseline_year,
            money(lang, base_mean),
            r.start_year,
            r.final_year
        ),
    }));
    super::lead::section(doc, r, lang, l, compare.is_none());
}

/// The flagged values grouped by their note (English and Chinese), in the
/// order each note first appears.
fn assumption_groups(all: &[Assumption]) -> Vec<Vec<&Assumption>> {
    let mut groups: Vec<Vec<&Assumption>> = Vec::new();
    for a in all {
        match groups
            .iter_mut()
            .find(|g| g[0].note == a.note && g[0].note_zh == a.note_zh)
        {
            Some(group) => group.push(a),
            None => groups.push(vec![a]),
        }
    }
    groups
}

fn assumptions(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    let w = words(lang);
    doc.push(Block::H2(w.h_assumptions.into()));
    let mut flagged: Vec<(String, String)> = Vec::new();
    for p in &r.policies {
        for a in p.appraisals.iter().filter(|a| a.assumption) {
            let line = match lang {
                Lang::En => format!(
                    "{} ({}, in {}): its effect is an assumed uplift, not a measured one; figures that include it rest on that assumption.",
                    a.label(lang),
                    kind_label(&a.kind, lang),
                    quoted(lang, &name(l, p))
                ),
                Lang::Zh => format!(
                    "{}（{}，见{}）：其效果为假设的提升幅度，并非实测；包含该措施的数据均以此假设为前提。",
                    a.label(lang),
                    kind_label(&a.kind, lang),
                    quoted(lang, &name(l, p))
                ),
            };
            if !flagged.iter().any(|(_, l)| *l == line) {
                flagged.push((String::new(), line));
            }
        }
    }
    if !flagged.is_empty() {
        doc.push(Block::List(flagged));
    }
    if r.assumptions.is_empty() {
        doc.push(Block::P(w.no_flags.into()));
    } else {
        let groups = assumption_groups(&r.assumptions);
        doc.push(Block::P(match lang {
            Lang::En => format!(
                "Values the scenario file marks as estimates or assumptions ({}), and estimated defaults it relies on, in {} rows: values that share a note are listed together. Notes are quoted from the file.",
                r.assumptions.len(),
                groups.len()
            ),
            Lang::Zh => format!(
                "情景文件中标注为估计或假设的数值（共 {} 项），以及所依赖的估计默认值，按说明合并为 {} 行。说明摘自情景文件的中文注释；仅有英文注释的，原文见英文报告。",
                r.assumptions.len(),
                groups.len()
            ),
        }));
        let key = |a: &Assumption| match lang {
            Lang::En => a.key.clone(),
            Lang::Zh => crate::summary::words::path_words(r, &a.key, lang),
        };
        let separator = match lang {
            Lang::En => "; ",
            Lang::Zh => "；",
        };
        doc.push(Block::Table {
            head: vec![w.col_key.into(), w.col_line.into(), w.col_note.into()],
            numeric: vec![false, true, false],
            rows: groups
                .iter()
                .map(|group| {
                    let first = group[0];
                    let keys: Vec<String> = group.iter().map(|a| key(a)).collect();
                    let mut lines: Vec<String> = Vec::new();
                    for a in group {
                        let line = a.line.map_or(w.default_line.to_string(), |n| n.to_string());
                        if !lines.contains(&line) {
                            lines.push(line);
                        }
                    }
                    Row {
                        cells: vec![
                            keys.join(separator),
                            lines.join(", "),
                            match (lang, &first.note_zh) {
                                (Lang::En, _) => first.note.clone(),
                                (Lang::Zh, Some(zh)) => zh.clone(),
                                (Lang::Zh, None) => "文件注释将此值标为估计或假设（注释原文为英文）".to_string(),
                            },
                        ],
                        risk: false,
                    }
                })
                .collect(),
            class: "assumptions",
        });
    }
    doc.push(Block::Note(match lang {
        Lang::En => format!(
            "Intervals are ranges of the Monte Carlo runs (P5–P95 unless stated), that is uncertainty about the future under the scenario's assumptions, not sampling error; means carry a Monte Carlo standard error (summary.json). Money is nominal yuan; the discount rate is {:.1}%.",
            100.0 * r.discount_rate
        ),
        Lang::Zh => format!(
            "区间为蒙特卡洛模拟结果的范围（未注明时为 P5–P95），反映在情景假设下对未来的不确定性，而非抽样误差；均值的蒙特卡洛标准误见 summary.json。金额为名义人民币；贴现率 {:.1}%。",
            100.0 * r.discount_rate
        ),
    }));
}

/// A recorded command line as one could type it again: the program as
/// `villagesim`, arguments with spaces (or empty) in quotes.
pub(super) fn command_text(args: &[String]) -> String {
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                "villagesim".to_string()
            } else if a.is_empty() || a.contains(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn provenance(doc: &mut Vec<Block>, r: &Results, m: &Manifest, lang: Lang) {
    let w = words(lang);
    doc.push(Block::H2(w.h_provenance.into()));
    let command = command_text(if m.result_command.is_empty() {
        &m.command_line
    } else {
        &m.result_command
    });
    let rebuild = match lang {
        Lang::En => "villagesim report OUTPUT_DIR [--lang zh]".to_string(),
        Lang::Zh => "villagesim report 输出目录 --lang zh".to_string(),
    };
    let rows = vec![
        (w.prov_tool.into(), format!("{} {}", m.tool, m.version)),
        (w.prov_scenario_file.into(), m.scenario_file.clone()),
        (w.prov_sha.into(), m.scenario_sha256.clone()),
        (w.prov_seed.into(), m.seed.to_string()),
        (w.prov_runs.into(), grouped(m.runs as f64, 0)),
        (w.prov_command.into(), command),
        (w.prov_format.into(), r.format_version.to_string()),
        (
            w.prov_quantiles.into(),
            match lang {
                Lang::En => format!("relative error at most {:.2}%", 100.0 * r.quantile_relative_error),
                Lang::Zh => format!("相对误差不超过 {:.2}%", 100.0 * r.quantile_relative_error),
            },
        ),
        (w.prov_rebuild.into(), rebuild),
    ];
    doc.push(Block::KeyValues(rows));
    if let Some(sentence) = super::precision::sentence(r, lang) {
        doc.push(Block::P(format!("{}{}{sentence}", w.prov_precision, w.colon)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(key: &str, line: usize, note: &str) -> Assumption {
        Assumption {
            key: key.into(),
            line: Some(line),
            note: note.into(),
            note_zh: None,
        }
    }

    /// Values that share a note make one row, in the order the notes first
    /// appear; a note with a different Chinese version is another row.
    #[test]
    fn assumptions_that_share_a_note_are_grouped() {
        let mut zh = flag("d", 9, "estimate");
        zh.note_zh = Some("估计".into());
        let all = [
            flag("a", 3, "estimate"),
            flag("b", 5, "from the report"),
            flag("c", 7, "estimate"),
            zh,
        ];
        let groups = assumption_groups(&all);
        let keys: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|a| a.key.as_str()).collect())
            .collect();
        assert_eq!(keys, [vec!["a", "c"], vec!["b"], vec!["d"]]);
    }
}
