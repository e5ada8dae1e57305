//! The policy brief: `report.html` (self-contained: charts as inline SVG,
//! styles inline, no script, no external reference, printable on A4) and
//! `report.md` (the same content, charts as the files beside it).
//!
//! Both are rendered from one list of [`Block`]s built from [`Results`] and
//! the run's [`Manifest`] only, so `villagesim report OUTPUT_DIR` rebuilds
//! them from saved files. Every word of the report, in English and Chinese,
//! is in [`Words`] and the sentence builders next to it.

use std::fmt::Write as _;

use super::Manifest;
use crate::charts::{self, Labels};
use crate::format::{grouped, money, money_cell, ordinal, pct, pct_cell, signed_money, Lang};
use crate::summary::results::{PolicyResults, Results, VillageYear};

/// A village is "at risk" when its probability of ending below the floor is
/// at least this.
pub const AT_RISK: f64 = 0.2;

/// Most rows of a table of villages: beyond it the brief shows the villages
/// most at risk and says how many more are in `village_years.csv`.
pub const MAX_VILLAGE_ROWS: usize = 100;

// ---------------------------------------------------------------------------
// Words

/// The fixed words of the report, in one language.
struct Words {
    lang_attr: &'static str,
    brief: &'static str,
    h_question: &'static str,
    h_headline: &'static str,
    h_charts: &'static str,
    h_villages: &'static str,
    h_at_risk: &'static str,
    h_all_villages: &'static str,
    h_assumptions: &'static str,
    h_provenance: &'static str,
    policy: &'static str,
    measures: &'static str,
    description: &'static str,
    none: &'static str,
    counterfactual: &'static str,
    assumption_tag: &'static str,
    col_full_coverage: &'static str,
    col_mean_income: &'static str,
    col_interval: &'static str,
    col_below_floor: &'static str,
    col_public_money: &'static str,
    col_village: &'static str,
    col_group: &'static str,
    col_baseline: &'static str,
    col_risk: &'static str,
    risk_mark: &'static str,
    col_key: &'static str,
    col_line: &'static str,
    col_note: &'static str,
    default_line: &'static str,
    prov_tool: &'static str,
    prov_scenario_file: &'static str,
    prov_sha: &'static str,
    prov_seed: &'static str,
    prov_runs: &'static str,
    prov_threads: &'static str,
    prov_command: &'static str,
    prov_format: &'static str,
    prov_rebuild: &'static str,
    prov_quantiles: &'static str,
    no_flags: &'static str,
    colon: &'static str,
}

const EN: Words = Words {
    lang_attr: "en",
    brief: "Policy brief",
    h_question: "1. The question and the policies compared",
    h_headline: "2. Headline figures",
    h_charts: "3. Charts",
    h_villages: "4. Villages",
    h_at_risk: "Villages at risk",
    h_all_villages: "All villages",
    h_assumptions: "5. Assumptions",
    h_provenance: "6. Provenance",
    policy: "Policy",
    measures: "Measures",
    description: "Description",
    none: "none",
    counterfactual: "the counterfactual: organic growth only",
    assumption_tag: "assumption",
    col_full_coverage: "Every village at the floor",
    col_mean_income: "Mean village income, yuan",
    col_interval: "90% of runs",
    col_below_floor: "Villages below the floor",
    col_public_money: "Public money, yuan",
    col_village: "Village",
    col_group: "Township / group",
    col_baseline: "Baseline",
    col_risk: "Risk",
    risk_mark: "▲",
    col_key: "Where in the scenario",
    col_line: "Line",
    col_note: "Note",
    default_line: "default",
    prov_tool: "Tool and version",
    prov_scenario_file: "Scenario file",
    prov_sha: "Scenario SHA-256",
    prov_seed: "Seed",
    prov_runs: "Monte Carlo runs",
    prov_threads: "Threads (results do not depend on them)",
    prov_command: "Command",
    prov_format: "Results format",
    prov_rebuild: "Rebuild this brief from the saved results",
    prov_quantiles: "Quantile accuracy",
    no_flags: "The scenario file flags no value as an estimate or assumption.",
    colon: ": ",
};

const ZH: Words = Words {
    lang_attr: "zh-CN",
    brief: "政策简报",
    h_question: "一、问题与比较的政策",
    h_headline: "二、主要结论",
    h_charts: "三、图表",
    h_villages: "四、各村情况",
    h_at_risk: "风险村",
    h_all_villages: "全部村庄",
    h_assumptions: "五、假设与估计",
    h_provenance: "六、来源与可追溯信息",
    policy: "政策",
    measures: "措施",
    description: "说明",
    none: "无",
    counterfactual: "对照情形：仅自然增长",
    assumption_tag: "假设",
    col_full_coverage: "所有村达到底线",
    col_mean_income: "村均经营性收入（万元）",
    col_interval: "90% 模拟区间",
    col_below_floor: "低于底线的村庄数",
    col_public_money: "财政资金（万元）",
    col_village: "村",
    col_group: "乡镇／分组",
    col_baseline: "基期",
    col_risk: "风险",
    risk_mark: "▲",
    col_key: "情景文件中的位置",
    col_line: "行",
    col_note: "说明",
    default_line: "默认值",
    prov_tool: "工具及版本",
    prov_scenario_file: "情景文件",
    prov_sha: "情景文件 SHA-256",
    prov_seed: "随机种子",
    prov_runs: "蒙特卡洛模拟次数",
    prov_threads: "线程数（结果与之无关）",
    prov_command: "命令",
    prov_format: "结果文件格式版本",
    prov_rebuild: "由已保存的结果重建本简报",
    prov_quantiles: "分位数精度",
    no_flags: "情景文件未将任何数值标注为估计或假设。",
    colon: "：",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// How often, in plain words: "in 9 runs out of 10 (91.3%)".
fn odds(lang: Lang, p: f64, runs: u64) -> String {
    let k = (10.0 * p).round() as i64;
    let runs_s = grouped(runs as f64, 0);
    match lang {
        Lang::En => match p {
            p if p <= 0.0 => format!("in none of the {runs_s} runs"),
            p if p >= 1.0 => format!("in every one of the {runs_s} runs"),
            _ if k == 0 => format!("in fewer than 1 run in 10 ({})", pct(p)),
            _ if k == 10 => format!("in more than 9 runs out of 10 ({})", pct(p)),
            _ => format!("in {k} runs out of 10 ({})", pct(p)),
        },
        Lang::Zh => match p {
            p if p <= 0.0 => format!("在全部 {runs_s} 次模拟中无一次"),
            p if p >= 1.0 => format!("在全部 {runs_s} 次模拟中每次都"),
            _ if k == 0 => format!("每 10 次模拟中不到 1 次（{}）", pct(p)),
            _ if k == 10 => format!("每 10 次模拟中超过 9 次（{}）", pct(p)),
            _ => format!("每 10 次模拟中约有 {k} 次（{}）", pct(p)),
        },
    }
}

fn quoted(lang: Lang, s: &str) -> String {
    match lang {
        Lang::En => format!("“{s}”"),
        Lang::Zh => format!("“{s}”"),
    }
}

// ---------------------------------------------------------------------------
// The document, independent of its format

/// A table row; `risk` rows are marked.
struct Row {
    cells: Vec<String>,
    risk: bool,
}

enum Block {
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
}

/// Final-year entry of a village under a policy.
fn final_year(p: &PolicyResults, v: usize) -> Option<&VillageYear> {
    p.villages.get(v).and_then(|ys| ys.last())
}

/// The policy the village tables show: the one with the most measures (the
/// last such), "the package".
fn package(r: &Results) -> usize {
    r.policies
        .iter()
        .enumerate()
        .max_by_key(|(i, p)| (p.interventions.len(), *i))
        .map_or(0, |(i, _)| i)
}

fn name(l: &Labels, p: &PolicyResults) -> String {
    l.policy_name(&p.name)
}

fn build(r: &Results, m: &Manifest, lang: Lang) -> Vec<Block> {
    let w = words(lang);
    let l = Labels::new(lang);
    let mut doc = Vec::new();
    doc.push(Block::Title(format!("{}: {}", r.scenario_name, w.brief)));
    if let Some(d) = &r.description {
        doc.push(Block::Subtitle(d.clone()));
    }
    question(&mut doc, r, lang);
    headline(&mut doc, r, lang);
    doc.push(Block::H2(w.h_charts.into()));
    for c in charts::chart_files(r, lang) {
        doc.push(Block::Chart {
            stem: c.stem.into(),
            title: c.title,
        });
    }
    for (stem, title) in crate::charts::decision::decision_chart_files(r, lang) {
        doc.push(Block::Chart { stem, title });
    }
    villages(&mut doc, r, lang);
    assumptions(&mut doc, r, lang);
    provenance(&mut doc, r, m, lang);
    let _ = l;
    doc
}

fn question(doc: &mut Vec<Block>, r: &Results, lang: Lang) {
    let w = words(lang);
    let l = Labels::new(lang);
    doc.push(Block::H2(w.h_question.into()));
    let n = grouped(r.villages.len() as f64, 0);
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "If these policies are put in place from {}, how will the operating income of the {n} villages grow to {}, how sure can we be, and which villages stay behind? Every village should reach the floor of {} a year; villages under {} count as weak. Figures for {} are the baseline. Each policy is simulated {} times on the same random draws as the others, so differences between policies are measured run by run.",
            r.start_year,
            r.final_year,
            money(lang, r.floor_yuan),
            money(lang, r.weak_yuan),
            r.baseline_year,
            grouped(r.runs as f64, 0)
        ),
        Lang::Zh => format!(
            "如果从{}年起实施以下政策，这 {n} 个村的经营性收入到{}年会如何增长、把握有多大、哪些村会掉队？目标是每个村年经营性收入达到底线 {}；低于 {} 的村为薄弱村。{}年的数据为基期。每项政策模拟 {} 次，各政策使用相同的随机抽样，因此政策间的差异逐次配对比较。",
            r.start_year,
            r.final_year,
            money(lang, r.floor_yuan),
            money(lang, r.weak_yuan),
            r.baseline_year,
            grouped(r.runs as f64, 0)
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
                        format!("{} ({}){tag}", a.name, a.kind)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let description = if p.interventions.is_empty() {
                w.counterfactual.to_string()
            } else {
                p.description.clone().unwrap_or_default()
            };
            Row {
                cells: vec![name(&l, p), measures, description],
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

fn headline(doc: &mut Vec<Block>, r: &Results, lang: Lang) {
    let w = words(lang);
    let l = Labels::new(lang);
    doc.push(Block::H2(w.h_headline.into()));
    let reference = &r.policies[0];
    let p_all = |p: &PolicyResults| p.years.last().map_or(0.0, |y| y.all_above_floor.mean);
    let p_ref = p_all(reference);
    let k = package(r);
    let pk = &r.policies[k];
    let base_mean = reference.years.first().map_or(f64::NAN, |y| y.mean_income_yuan.mean);
    // The lead: the package against doing nothing.
    let floor = money(lang, r.floor_yuan);
    let lead = if k == 0 {
        match lang {
            Lang::En => format!(
                "Without any measure, every village reaches {floor} by {} {}.",
                r.final_year,
                odds(lang, p_ref, r.runs)
            ),
            Lang::Zh => format!(
                "不采取任何措施时，{}到{}年所有村均达到 {floor}。",
                odds(lang, p_ref, r.runs),
                r.final_year
            ),
        }
    } else {
        let pkn = quoted(lang, &name(&l, pk));
        match lang {
            Lang::En => {
                let mut o = odds(lang, p_all(pk), r.runs);
                o[..1].make_ascii_uppercase();
                format!(
                    "{o}, every village reaches {floor} by {} under {pkn}; without it, {}.",
                    r.final_year,
                    odds(lang, p_ref, r.runs).trim_start_matches("in ")
                )
            }
            Lang::Zh => format!(
                "在{pkn}下，{}到{}年所有村均达到 {floor}；不实施时为{}。",
                odds(lang, p_all(pk), r.runs),
                r.final_year,
                odds(lang, p_ref, r.runs).trim_start_matches('在')
            ),
        }
    };
    doc.push(Block::Lead(lead));
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "Mean village operating income was {} in {} (baseline). Figures below are for {}; ranges are those of 90% of the runs.",
            money(lang, base_mean),
            r.baseline_year,
            r.final_year
        ),
        Lang::Zh => format!(
            "{}年（基期）村均经营性收入为 {}。以下为{}年的数据；区间为 90% 的模拟结果所在范围。",
            r.baseline_year,
            money(lang, base_mean),
            r.final_year
        ),
    }));
    // The summary table.
    let rows = r
        .policies
        .iter()
        .filter_map(|p| {
            let last = p.years.last()?;
            let mi = &last.mean_income_yuan;
            let bf = &last.below_floor;
            let public: f64 = p.appraisals.iter().map(|a| a.public_money_yuan.mean).sum();
            Some(Row {
                cells: vec![
                    name(&l, p),
                    pct(last.all_above_floor.mean),
                    money_cell(lang, mi.mean),
                    format!("{} – {}", money_cell(lang, mi.p5), money_cell(lang, mi.p95)),
                    format!("{:.1}", bf.mean),
                    format!("{:.0} – {:.0}", bf.p5, bf.p95),
                    money_cell(lang, public),
                ],
                risk: false,
            })
        })
        .collect();
    let year = r.final_year;
    doc.push(Block::Table {
        head: vec![
            w.policy.into(),
            format!("{} ({year})", w.col_full_coverage),
            format!("{} ({year})", w.col_mean_income),
            w.col_interval.into(),
            format!("{} ({year})", w.col_below_floor),
            w.col_interval.into(),
            w.col_public_money.into(),
        ],
        numeric: vec![false, true, true, true, true, true, true],
        rows,
        class: "summary",
    });
    // One item per policy, in plain sentences.
    let mut items = Vec::new();
    for p in &r.policies {
        let Some(last) = p.years.last() else { continue };
        let mi = &last.mean_income_yuan;
        let bf = &last.below_floor;
        let mut s = match lang {
            Lang::En => format!(
                "every village at the floor by {} {}. Mean village income {} (90% of runs: {} to {}); {:.1} villages below the floor on average ({} to {}).",
                r.final_year,
                odds(lang, p_all(p), r.runs),
                money(lang, mi.mean),
                money(lang, mi.p5),
                money(lang, mi.p95),
                bf.mean,
                bf.p5.round(),
                bf.p95.round()
            ),
            Lang::Zh => format!(
                "{}到{}年所有村均达到底线。村均收入 {}（90% 的模拟在 {} 至 {} 之间）；低于底线的村平均 {:.1} 个（{} 至 {} 个）。",
                odds(lang, p_all(p), r.runs),
                r.final_year,
                money(lang, mi.mean),
                money(lang, mi.p5),
                money(lang, mi.p95),
                bf.mean,
                bf.p5.round(),
                bf.p95.round()
            ),
        };
        if let Some(c) = r
            .comparisons
            .iter()
            .find(|c| c.policy == p.name && c.reference == reference.name)
        {
            let d = &c.diff_mean_village_income_yuan;
            s += &match lang {
                Lang::En => format!(
                    " Run by run against no intervention: {} a village (90% interval {} to {}), higher in {} of runs; {:+.1} villages below the floor.",
                    signed_money(lang, d.mean),
                    signed_money(lang, d.p5),
                    signed_money(lang, d.p95),
                    pct(c.p_higher_income),
                    c.diff_villages_below_floor.mean
                ),
                Lang::Zh => format!(
                    "与无干预逐次配对比较：村均 {}（90% 区间 {} 至 {}），{} 的模拟中更高；低于底线的村 {:+.1} 个。",
                    signed_money(lang, d.mean),
                    signed_money(lang, d.p5),
                    signed_money(lang, d.p95),
                    pct(c.p_higher_income),
                    c.diff_villages_below_floor.mean
                ),
            };
        }
        if !p.coverage.is_empty() {
            let half = p.coverage.iter().find(|c| c.p_reached_by >= 0.5);
            s += &match (lang, half) {
                (Lang::En, Some(c)) => format!(" Full coverage is reached by {} in half the runs.", c.year),
                (Lang::En, None) => format!(" Full coverage is not reached by {} in half the runs.", r.final_year),
                (Lang::Zh, Some(c)) => format!("半数模拟在{}年前实现全覆盖。", c.year),
                (Lang::Zh, None) => format!("到{}年，实现全覆盖的模拟不足半数。", r.final_year),
            };
        }
        let public: f64 = p.appraisals.iter().map(|a| a.public_money_yuan.mean).sum();
        if public > 0.0 {
            s += &match lang {
                Lang::En => format!(" Public money over the horizon: {} on average.", money(lang, public)),
                Lang::Zh => format!("期内财政资金平均 {}。", money(lang, public)),
            };
        }
        items.push((name(&l, p), s));
    }
    doc.push(Block::List(items));
    backtest(doc, r, lang);
}

/// Where the scenario's `[backtest]` observation falls, one sentence for all policies.
fn backtest(doc: &mut Vec<Block>, r: &Results, lang: Lang) {
    let l = Labels::new(lang);
    let Some(b) = r.policies.iter().find_map(|p| p.backtest.as_ref()) else {
        return;
    };
    let sep = match lang {
        Lang::En => ", ",
        Lang::Zh => "，",
    };
    let mut s = match lang {
        Lang::En => format!("Backtest, {}: ", b.year),
        Lang::Zh => format!("回测（{}年）：", b.year),
    };
    if let Some(o) = b.observed_mean_village_income_yuan {
        let at: Vec<String> = r
            .policies
            .iter()
            .filter_map(|p| {
                let q = p.backtest.as_ref()?.percentile_of_observed_mean?;
                Some(match lang {
                    Lang::En => format!("{} under {}", ordinal(100.0 * q), quoted(lang, &name(&l, p))),
                    Lang::Zh => format!("{}下为第 {:.0} 百分位", quoted(lang, &name(&l, p)), 100.0 * q),
                })
            })
            .collect();
        s += &match lang {
            Lang::En => format!(
                "the observed mean village income of {} sits at these percentiles of the runs: {}.",
                money(lang, o),
                at.join(sep)
            ),
            Lang::Zh => format!("实际村均收入 {} 在模拟分布中的位置：{}。", money(lang, o), at.join(sep)),
        };
    }
    if let Some(full) = b.observed_full_coverage {
        let sim: Vec<String> = r
            .policies
            .iter()
            .filter_map(|p| {
                let pb = p.backtest.as_ref()?;
                Some(format!("{} {}", quoted(lang, &name(&l, p)), pct(pb.p_full_coverage)))
            })
            .collect();
        s += &match (lang, full) {
            (Lang::En, true) => {
                " Every village was observed at the floor; the runs give full coverage that year".to_string()
            }
            (Lang::En, false) => {
                " Not every village was observed at the floor; the runs give full coverage that year".to_string()
            }
            (Lang::Zh, true) => "当年实际所有村均达到底线；模拟中全覆盖的概率：".to_string(),
            (Lang::Zh, false) => "当年实际并非所有村均达到底线；模拟中全覆盖的概率：".to_string(),
        };
        s += &match lang {
            Lang::En => format!(" with probability {}.", sim.join(sep)),
            Lang::Zh => format!("{}。", sim.join(sep)),
        };
    }
    if let Some(src) = &b.source {
        s += &match lang {
            Lang::En => format!(" Source: {src}. The observation is not used to tune anything."),
            Lang::Zh => format!("来源：{src}。该观测值未用于调整任何参数。"),
        };
    }
    doc.push(Block::P(s));
}

fn villages(doc: &mut Vec<Block>, r: &Results, lang: Lang) {
    let w = words(lang);
    let l = Labels::new(lang);
    doc.push(Block::H2(w.h_villages.into()));
    let k = package(r);
    let pk = &r.policies[k];
    let reference = &r.policies[0];
    let at_risk_count = |p: &PolicyResults| {
        (0..r.villages.len())
            .filter(|&v| final_year(p, v).is_some_and(|y| y.p_below_floor >= AT_RISK))
            .count()
    };
    let counts: Vec<String> = r
        .policies
        .iter()
        .map(|p| format!("{} {}", name(&l, p), at_risk_count(p)))
        .collect();
    let pkn = quoted(lang, &name(&l, pk));
    let risk_pct = format!("{:.0}%", 100.0 * AT_RISK);
    doc.push(Block::P(match lang {
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
    }));
    let unit = match lang {
        Lang::En => "yuan",
        Lang::Zh => "万元",
    };
    let mut order: Vec<usize> = (0..r.villages.len()).collect();
    let key = |v: usize| final_year(pk, v).map_or((0.0, 0.0), |y| (y.p_below_floor, y.income_yuan.p50));
    order.sort_by(|&a, &b| {
        let (pa, ma) = key(a);
        let (pb, mb) = key(b);
        pb.total_cmp(&pa).then(ma.total_cmp(&mb)).then(a.cmp(&b))
    });
    let same = std::ptr::eq(pk, reference);
    let mut head = vec![
        w.col_risk.to_string(),
        w.col_village.to_string(),
        w.col_group.to_string(),
        format!("{} {} ({unit})", w.col_baseline, r.baseline_year),
        format!("P10 ({unit})"),
        format!("P50 ({unit})"),
        format!("P90 ({unit})"),
        match lang {
            Lang::En => format!("Below floor: {}", name(&l, pk)),
            Lang::Zh => format!("低于底线概率：{}", name(&l, pk)),
        },
    ];
    if !same {
        head.push(match lang {
            Lang::En => format!("Below floor: {}", name(&l, reference)),
            Lang::Zh => format!("低于底线概率：{}", name(&l, reference)),
        });
    }
    let mut numeric = vec![false, false, false, true, true, true, true, true];
    if !same {
        numeric.push(true);
    }
    // How many villages bear each name, counted once (not per row).
    let mut name_counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in &r.villages {
        *name_counts.entry(v.name.as_str()).or_default() += 1;
    }
    let unique_name = |n: &str| name_counts.get(n) == Some(&1);
    let row = |v: usize| {
        let info = &r.villages[v];
        let y = final_year(pk, v);
        let base = pk
            .villages
            .get(v)
            .and_then(|ys| ys.first())
            .map_or(f64::NAN, |y| y.income_yuan.mean);
        let risk = y.is_some_and(|y| y.p_below_floor >= AT_RISK);
        // The name alone when it identifies the village; else with its id.
        let label = if info.name == info.id || unique_name(&info.name) {
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
        if !same {
            cells.push(final_year(reference, v).map_or("–".into(), |y| pct_cell(y.p_below_floor)));
        }
        Row { cells, risk }
    };
    doc.push(Block::H3(w.h_at_risk.into()));
    let is_risky = |v: usize| final_year(pk, v).is_some_and(|y| y.p_below_floor >= AT_RISK);
    let n_risky = order.iter().filter(|&&v| is_risky(v)).count();
    let risky: Vec<Row> = order
        .iter()
        .copied()
        .filter(|&v| is_risky(v))
        .take(MAX_VILLAGE_ROWS)
        .map(row)
        .collect();
    if risky.is_empty() {
        doc.push(Block::P(match lang {
            Lang::En => format!("No village is at risk under {pkn}."),
            Lang::Zh => format!("在{pkn}下没有风险村。"),
        }));
    } else {
        doc.push(Block::Table {
            head: head.clone(),
            numeric: numeric.clone(),
            rows: risky,
            class: "villages",
        });
        if n_risky > MAX_VILLAGE_ROWS {
            doc.push(Block::Note(more_villages(lang, MAX_VILLAGE_ROWS, n_risky, true)));
        }
    }
    doc.push(Block::H3(w.h_all_villages.into()));
    doc.push(Block::Table {
        head,
        numeric,
        rows: order.iter().copied().take(MAX_VILLAGE_ROWS).map(row).collect(),
        class: "villages",
    });
    if order.len() > MAX_VILLAGE_ROWS {
        doc.push(Block::Note(more_villages(lang, MAX_VILLAGE_ROWS, order.len(), false)));
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

fn assumptions(doc: &mut Vec<Block>, r: &Results, lang: Lang) {
    let w = words(lang);
    let l = Labels::new(lang);
    doc.push(Block::H2(w.h_assumptions.into()));
    let mut flagged: Vec<(String, String)> = Vec::new();
    for p in &r.policies {
        for a in p.appraisals.iter().filter(|a| a.assumption) {
            let line = match lang {
                Lang::En => format!(
                    "{} ({}, in {}): its effect is an assumed uplift, not a measured one; figures that include it rest on that assumption.",
                    a.name,
                    a.kind,
                    quoted(lang, &name(&l, p))
                ),
                Lang::Zh => format!(
                    "{}（{}，见{}）：其效果为假设的提升幅度，并非实测；包含该措施的数据均以此假设为前提。",
                    a.name,
                    a.kind,
                    quoted(lang, &name(&l, p))
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
        doc.push(Block::P(match lang {
            Lang::En => format!(
                "Values the scenario file marks as estimates or assumptions ({}), and estimated defaults it relies on. Notes are quoted from the file.",
                r.assumptions.len()
            ),
            Lang::Zh => format!(
                "情景文件中标注为估计或假设的数值（共 {} 项），以及所依赖的估计默认值。说明摘自情景文件原文。",
                r.assumptions.len()
            ),
        }));
        doc.push(Block::Table {
            head: vec![w.col_key.into(), w.col_line.into(), w.col_note.into()],
            numeric: vec![false, true, false],
            rows: r
                .assumptions
                .iter()
                .map(|a| Row {
                    cells: vec![
                        a.key.clone(),
                        a.line.map_or(w.default_line.to_string(), |n| n.to_string()),
                        a.note.clone(),
                    ],
                    risk: false,
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

fn provenance(doc: &mut Vec<Block>, r: &Results, m: &Manifest, lang: Lang) {
    let w = words(lang);
    doc.push(Block::H2(w.h_provenance.into()));
    let command = m
        .command_line
        .iter()
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
        .join(" ");
    let rebuild = match lang {
        Lang::En => "villagesim report OUTPUT_DIR [--lang zh]".to_string(),
        Lang::Zh => "villagesim report 输出目录 --lang zh".to_string(),
    };
    doc.push(Block::KeyValues(vec![
        (w.prov_tool.into(), format!("{} {}", m.tool, m.version)),
        (w.prov_scenario_file.into(), m.scenario_file.clone()),
        (w.prov_sha.into(), m.scenario_sha256.clone()),
        (w.prov_seed.into(), m.seed.to_string()),
        (w.prov_runs.into(), grouped(m.runs as f64, 0)),
        (w.prov_threads.into(), m.threads.to_string()),
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
    ]));
}

// ---------------------------------------------------------------------------
// HTML

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: Arial, \"Liberation Sans\", \"Helvetica Neue\", Helvetica, \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif;
  font-size: 10.5pt; line-height: 1.45; color: #222; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
:lang(zh) body, body:lang(zh) { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", \"SimHei\", sans-serif; }
h1 { font-size: 18pt; margin: 0 0 2mm; line-height: 1.2; }
.subtitle { color: #555; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid #0072B2; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p, li { margin: 0 0 2mm; }
ul { padding-left: 5mm; margin: 0 0 3mm; }
li { margin-bottom: 2.5mm; }
.note { color: #555; font-size: 9pt; }
.lead { font-size: 12pt; font-weight: 600; border-left: 3px solid #0072B2; padding: 1mm 0 1mm 3mm; margin: 2mm 0 3mm; }
table.policies td:first-child, table.summary td:first-child { min-width: 30mm; font-weight: 600; }
table.policies td:last-child { width: 30%; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9pt; }
th, td { padding: 1mm 1.5mm; border-bottom: 0.5px solid #ccc; vertical-align: top; text-align: left; }
th { background: #f0f0f0; font-weight: 600; border-bottom: 1px solid #888; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.villages { font-size: 8pt; }
table.villages td, table.villages th { padding: 0.5mm 1.2mm; }
table.assumptions { font-size: 8pt; }
table.assumptions td:first-child { white-space: nowrap; font-family: monospace; font-size: 7.5pt; }
table.villages td:nth-child(-n+3), table.villages th:first-child { white-space: nowrap; }
tr.risk td { background: #fdeee4; font-weight: 600; }
td.mark { color: #D55E00; text-align: center; }
figure { margin: 3mm 0 6mm; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #555; margin-top: 1mm; }
table.kv th { width: 32%; background: none; border-bottom: 0.5px solid #ccc; font-weight: 600; }
table.kv td { word-break: break-all; font-family: monospace; font-size: 8.5pt; }
@media print { body { padding: 0; max-width: none; } h2 { margin-top: 5mm; } }
";

/// Prepares a chart's SVG for inline use: no XML declaration, no namespace
/// URL (HTML needs none), scalable by CSS through its `viewBox`.
fn inline_svg(svg: &str, title: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let body = svg[start..].replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    body.replacen("<svg", &format!("<svg role=\"img\" aria-label=\"{}\"", esc(title)), 1)
}

/// `report.html`: self-contained, printable on A4. `charts` holds each
/// chart's file stem and SVG text.
pub fn html(results: &Results, manifest: &Manifest, charts: &[(String, String)], lang: Lang) -> String {
    let w = words(lang);
    let doc = build(results, manifest, lang);
    let mut s = String::new();
    let title = format!("{}: {}", results.scenario_name, w.brief);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        w.lang_attr,
        esc(&manifest.tool),
        esc(&manifest.version),
        esc(&title)
    );
    for block in &doc {
        match block {
            Block::Title(t) => {
                let _ = writeln!(s, "<h1>{}</h1>", esc(t));
            }
            Block::Subtitle(t) => {
                let _ = writeln!(s, "<p class=\"subtitle\">{}</p>", esc(t));
            }
            Block::H2(t) => {
                let _ = writeln!(s, "<h2>{}</h2>", esc(t));
            }
            Block::H3(t) => {
                let _ = writeln!(s, "<h3>{}</h3>", esc(t));
            }
            Block::Lead(t) => {
                let _ = writeln!(s, "<p class=\"lead\">{}</p>", esc(t));
            }
            Block::P(t) => {
                let _ = writeln!(s, "<p>{}</p>", esc(t));
            }
            Block::Note(t) => {
                let _ = writeln!(s, "<p class=\"note\">{}</p>", esc(t));
            }
            Block::List(items) => {
                s += "<ul>\n";
                for (lead, text) in items {
                    let sep = if lead.is_empty() { "" } else { w.colon };
                    let _ = writeln!(s, "<li><strong>{}</strong>{sep}{}</li>", esc(lead), esc(text));
                }
                s += "</ul>\n";
            }
            Block::Table {
                head,
                numeric,
                rows,
                class,
            } => {
                let _ = writeln!(s, "<table class=\"{class}\">\n<thead><tr>");
                for (i, h) in head.iter().enumerate() {
                    let c = if numeric[i] { " class=\"n\"" } else { "" };
                    let _ = write!(s, "<th{c}>{}</th>", esc(h));
                }
                s += "</tr></thead>\n<tbody>\n";
                for row in rows {
                    s += if row.risk { "<tr class=\"risk\">" } else { "<tr>" };
                    for (i, cell) in row.cells.iter().enumerate() {
                        let c = if *class == "villages" && i == 0 {
                            " class=\"mark\""
                        } else if numeric.get(i).copied().unwrap_or(false) {
                            " class=\"n\""
                        } else {
                            ""
                        };
                        let _ = write!(s, "<td{c}>{}</td>", esc(cell));
                    }
                    s += "</tr>\n";
                }
                s += "</tbody>\n</table>\n";
            }
            Block::Chart { stem, title } => {
                let svg = charts.iter().find(|(st, _)| st == stem).map(|(_, svg)| svg.as_str());
                let _ = writeln!(s, "<figure id=\"chart-{}\">", esc(stem));
                match svg {
                    Some(svg) => s += &inline_svg(svg, title),
                    None => {
                        let _ = write!(s, "<p>{}</p>", esc(title));
                    }
                }
                let _ = writeln!(
                    s,
                    "\n<figcaption>{} (charts/{}.svg, charts/{}.png)</figcaption>\n</figure>",
                    esc(title),
                    esc(stem),
                    esc(stem)
                );
            }
            Block::KeyValues(kv) => {
                s += "<table class=\"kv\">\n<tbody>\n";
                for (k, v) in kv {
                    let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
                }
                s += "</tbody>\n</table>\n";
            }
        }
    }
    s += "</body>\n</html>\n";
    s
}

// ---------------------------------------------------------------------------
// Markdown

/// Escapes text for Markdown (inline and table cells): every character
/// Markdown or HTML gives a meaning (`<script>`, `&lt;`, emphasis, links,
/// code, table bars) is backslash-escaped, and line breaks and other control
/// characters become spaces, so user text can neither end its line (and
/// start raw HTML or a heading on the next) nor format the brief.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown code span in a table cell: no backtick (it would end
/// the span), bars escaped (GitHub tables), no line break.
fn md_code(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '`' => "'".to_string(),
            '|' => "\\|".to_string(),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// `report.md`: the same content as [`html`], charts as the PNG files in
/// `charts/` beside it.
pub fn markdown(results: &Results, manifest: &Manifest, lang: Lang) -> String {
    let w = words(lang);
    let doc = build(results, manifest, lang);
    let mut s = String::new();
    for block in &doc {
        match block {
            Block::Title(t) => {
                let _ = writeln!(s, "# {}\n", md(t));
            }
            Block::Subtitle(t) => {
                let _ = writeln!(s, "*{}*\n", md(t));
            }
            Block::H2(t) => {
                let _ = writeln!(s, "## {}\n", md(t));
            }
            Block::H3(t) => {
                let _ = writeln!(s, "### {}\n", md(t));
            }
            Block::Lead(t) => {
                let _ = writeln!(s, "**{}**\n", md(t));
            }
            Block::P(t) => {
                let _ = writeln!(s, "{}\n", md(t));
            }
            Block::Note(t) => {
                let _ = writeln!(s, "> {}\n", md(t));
            }
            Block::List(items) => {
                for (lead, text) in items {
                    if lead.is_empty() {
                        let _ = writeln!(s, "- {}", md(text));
                    } else {
                        let _ = writeln!(s, "- **{}**{}{}", md(lead), w.colon, md(text));
                    }
                }
                s += "\n";
            }
            Block::Table {
                head, numeric, rows, ..
            } => {
                let _ = writeln!(s, "| {} |", head.iter().map(|h| md(h)).collect::<Vec<_>>().join(" | "));
                let rule: Vec<&str> = numeric.iter().map(|&n| if n { "---:" } else { "---" }).collect();
                let _ = writeln!(s, "| {} |", rule.join(" | "));
                for row in rows {
                    let cells: Vec<String> = row
                        .cells
                        .iter()
                        .map(|c| {
                            if row.risk && !c.is_empty() {
                                format!("**{}**", md(c))
                            } else {
                                md(c)
                            }
                        })
                        .collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
                s += "\n";
            }
            Block::Chart { stem, title } => {
                let _ = writeln!(
                    s,
                    "![{}](charts/{stem}.png)\n\n*{}* ([SVG](charts/{stem}.svg))\n",
                    md(title),
                    md(title)
                );
            }
            Block::KeyValues(kv) => {
                s += "| | |\n| --- | --- |\n";
                for (k, v) in kv {
                    let _ = writeln!(s, "| {} | `{}` |", md(k), md_code(v));
                }
                s += "\n";
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_odds() {
        assert_eq!(odds(Lang::En, 0.913, 100), "in 9 runs out of 10 (91.3%)");
        assert_eq!(odds(Lang::En, 0.0, 1000), "in none of the 1,000 runs");
        assert_eq!(md("a|b*c"), "a\\|b\\*c");
        assert_eq!(md("<script>&amp;\r\n# x"), "\\<script\\>\\&amp;  \\# x");
        assert_eq!(md_code("a`b|c\nd"), "a'b\\|c d");
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
