//! The sweep's brief as view blocks: title, the lead and one item per
//! policy, the charts, the table of points, how to read it, provenance.

use super::super::view::{command_text, Block, Row};
use super::{lead, policy_sentences, SweepBrief, MAX_ROWS};
use crate::format::{count, grouped, interval, money_cell, pct_cell, Ends, Lang};

/// The sweep's fixed words.
pub(super) struct Words {
    pub(super) lang_attr: &'static str,
    pub(super) colon: &'static str,
    h_shows: &'static str,
    h_charts: &'static str,
    h_points: &'static str,
    h_read: &'static str,
    h_provenance: &'static str,
}

const EN: Words = Words {
    lang_attr: "en",
    colon: ": ",
    h_shows: "1. What the sweep shows",
    h_charts: "2. Charts",
    h_points: "3. The points",
    h_read: "4. How to read it",
    h_provenance: "5. Provenance",
};

const ZH: Words = Words {
    lang_attr: "zh-CN",
    colon: "：",
    h_shows: "一、主要结论",
    h_charts: "二、图表",
    h_points: "三、各点结果",
    h_read: "四、阅读说明",
    h_provenance: "五、来源与可追溯信息",
};

pub(super) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The brief's title.
pub(super) fn title(b: &SweepBrief) -> String {
    let params: Vec<&str> = b.axes.iter().map(|a| a.words.as_str()).collect();
    match b.lang {
        Lang::En => format!("{}: what changes with {}", b.scenario_name, params.join(" and ")),
        Lang::Zh => format!("{}：{}变化的影响", b.scenario_name, params.join("与")),
    }
}

/// The whole document.
pub(super) fn build(b: &SweepBrief) -> Vec<Block> {
    let w = words(b.lang);
    let mut doc = vec![Block::Title(title(b))];
    let ranges: Vec<String> = b
        .axes
        .iter()
        .map(|a| {
            let (first, last) = (&a.shown[0], &a.shown[a.shown.len() - 1]);
            match b.lang {
                Lang::En => format!("{} from {first} to {last} ({} values)", a.words, a.values.len()),
                Lang::Zh => format!("{}从 {first} 到 {last}（{} 个取值）", a.words, a.values.len()),
            }
        })
        .collect();
    let runs = grouped(b.runs as f64, 0);
    doc.push(Block::Subtitle(match b.lang {
        Lang::En => format!(
            "Sweep of {}; {} villages; {runs} runs per point, on the same random numbers at every point.",
            ranges.join(" and "),
            b.villages
        ),
        Lang::Zh => format!(
            "{}；{} 个村；每点模拟 {runs} 次，各点使用相同的随机数。",
            ranges.join("；"),
            b.villages
        ),
    }));
    doc.push(Block::H2(w.h_shows.into()));
    doc.push(Block::Lead(lead(b)));
    let items: Vec<(String, String)> = (0..b.policies.len())
        .filter(|&p| p != b.focus)
        .map(|p| (b.policies[p].clone(), policy_sentences(b, p)))
        .collect();
    if !items.is_empty() {
        doc.push(Block::List(items));
    }
    doc.push(Block::H2(w.h_charts.into()));
    for c in &b.charts {
        doc.push(Block::Chart {
            stem: c.stem.clone(),
            title: c.title.clone(),
        });
    }
    doc.push(Block::H2(w.h_points.into()));
    points_table(&mut doc, b);
    doc.push(Block::H2(w.h_read.into()));
    how_to_read(&mut doc, b);
    doc.push(Block::H2(w.h_provenance.into()));
    provenance(&mut doc, b);
    doc
}

/// The rows of the table: (point, policy), at most [`MAX_ROWS`].
fn rows(b: &SweepBrief) -> (Vec<(usize, usize)>, bool) {
    let mut policies: Vec<usize> = if b.axes.len() > 1 {
        vec![b.focus]
    } else {
        (0..b.policies.len()).collect()
    };
    if b.points.len() * policies.len() > MAX_ROWS {
        policies = vec![b.focus];
    }
    let step = b.points.len().div_ceil(MAX_ROWS).max(1);
    let ks: Vec<usize> = (0..b.points.len())
        .filter(|k| k % step == 0 || *k == b.points.len() - 1)
        .collect();
    let all = step == 1 && policies.len() == b.policies.len();
    (
        ks.iter().flat_map(|&k| policies.iter().map(move |&p| (k, p))).collect(),
        all,
    )
}

fn points_table(doc: &mut Vec<Block>, b: &SweepBrief) {
    let (rows, all) = rows(b);
    let unit = b.t("yuan", "万元");
    let mut head: Vec<String> = b.axes.iter().map(|a| a.words.clone()).collect();
    let one_policy = b.axes.len() > 1 || rows.iter().all(|&(_, p)| p == b.focus);
    if !one_policy {
        head.push(b.t("Policy", "政策").into());
    }
    let yw = b.year_words();
    head.extend(match b.lang {
        Lang::En => [
            format!("Villages below the floor {yw} (90% of runs)"),
            "Full coverage by the final year (share of runs)".into(),
            "Full coverage in half the runs by".into(),
            format!("Fiscal cost, {unit}"),
            format!("Mean village income {yw}, {unit}"),
        ],
        Lang::Zh => [
            format!("{yw}低于底线村数（90% 区间）"),
            "到末年实现全覆盖的模拟占比".into(),
            "半数模拟实现全覆盖的年份".into(),
            format!("财政成本（{unit}）"),
            format!("{yw}村均收入（{unit}）"),
        ],
    });
    let cell = |x: f64| money_cell(b.lang, crate::format::round_money(x, 0.0));
    let table_rows = rows
        .iter()
        .map(|&(k, p)| {
            let point = &b.points[k];
            let o = &point.outcomes[p];
            let mut cells: Vec<String> = b.axes.iter().zip(&point.at).map(|(a, &i)| a.shown[i].clone()).collect();
            if !one_policy {
                cells.push(b.policies[p].clone());
            }
            let s = &o.below_floor;
            let (m, range) = interval(s.mean, s.p5, s.p95, Ends::Whole, |x| count(x, s.se));
            cells.push(range.map_or(m.clone(), |(lo, hi)| format!("{m} ({lo}–{hi})")));
            cells.push(pct_cell(o.p_coverage_by_end));
            cells.push(o.coverage_year.map_or_else(
                || match b.lang {
                    Lang::En => format!("after {}", point.final_year),
                    Lang::Zh => format!("{}年后", point.final_year),
                },
                |y| y.to_string(),
            ));
            cells.push(o.fiscal_cost.map_or("–".into(), |c| cell(c.mean)));
            cells.push(cell(crate::format::round_money(o.mean_income.mean, o.mean_income.se)));
            Row {
                cells,
                risk: p == b.focus && !one_policy,
            }
        })
        .collect();
    let n = head.len();
    let mut numeric = vec![true; n];
    if !one_policy {
        numeric[b.axes.len()] = false;
    }
    doc.push(Block::Table {
        head,
        numeric,
        rows: table_rows,
        class: "sweep",
    });
    let policy = b.policy(b.focus);
    let (shown, total) = (
        rows.len() / if one_policy { 1 } else { b.policies.len() },
        b.points.len(),
    );
    let note = match (all, one_policy, b.lang) {
        (true, false, Lang::En) => {
            format!("Rows of {policy}, the policy the lead speaks of, are shaded. Every figure is in sweep.csv.")
        }
        (true, false, Lang::Zh) => format!("底色行为{policy}（结论所述政策）。全部数据见 sweep.csv。"),
        (_, _, Lang::En) if shown == total => {
            format!("The table shows {policy} at every point; every policy is in sweep.csv.")
        }
        (_, _, Lang::Zh) if shown == total => format!("表中为{policy}在各点的结果；全部政策见 sweep.csv。"),
        (_, _, Lang::En) => format!(
            "The table shows {policy} at {} of the {} points; every point and policy is in sweep.csv.",
            grouped(shown as f64, 0),
            grouped(total as f64, 0)
        ),
        (_, _, Lang::Zh) => format!(
            "表中为{policy}在 {} 个点（共 {} 个）的结果；全部点和政策见 sweep.csv。",
            grouped(shown as f64, 0),
            grouped(total as f64, 0)
        ),
    };
    doc.push(Block::Note(note));
}

fn how_to_read(doc: &mut Vec<Block>, b: &SweepBrief) {
    let runs = grouped(b.runs as f64, 0);
    let seed = b.seed;
    let mut items = vec![(
        String::new(),
        match b.lang {
            Lang::En => format!(
                "Each point is the scenario with the swept values changed and nothing else, simulated {runs} times with seed {seed}. Every point uses the same random numbers (common random numbers): the same draws of every village's income, growth and shocks. A difference between two points is therefore the effect of the parameter, not of chance, and the lines are steadier than the bands around them suggest."
            ),
            Lang::Zh => format!(
                "每个点即把扫描参数改为所示取值、其余不变的情景，以随机种子 {seed} 模拟 {runs} 次。各点使用相同的随机数（共同随机数）：每个村的收入、增长和冲击抽样都相同。因此两点之间的差异来自参数本身而非随机性，曲线比其周围的区间带所显示的更为稳定。"
            ),
        },
    )];
    items.push((
        String::new(),
        match b.lang {
            Lang::En => "Ranges are those of 90% of the runs (P5 to P95): the uncertainty about the future under the scenario's assumptions. The chance of full coverage is the share of runs in which every village is at the floor; its band in the chart is ± 2 standard errors.".to_string(),
            Lang::Zh => "区间为 90% 的模拟结果所在范围（P5 至 P95），反映在情景假设下对未来的不确定性。全覆盖概率为所有村均达到底线的模拟所占比例，图中其区间带为 ± 2 倍标准误。".to_string(),
        },
    ));
    items.push((
        String::new(),
        match b.lang {
            Lang::En => "Counts of villages are means over the runs, given to the decimals their Monte Carlo error supports; money is nominal, rounded to three significant figures or to its Monte Carlo error.".to_string(),
            Lang::Zh => "村数为各次模拟的平均值，保留其蒙特卡洛误差所支持的小数位；金额为名义值，按三位有效数字或其蒙特卡洛误差取整。".to_string(),
        },
    ));
    if !b.fixed.is_empty() {
        let fixed: Vec<String> = b
            .fixed
            .iter()
            .map(|(words, value)| match b.lang {
                Lang::En => format!("{words} = {value}"),
                Lang::Zh => format!("{words}为 {value}"),
            })
            .collect();
        items.push((
            String::new(),
            match b.lang {
                Lang::En => format!("Fixed at every point: {}.", fixed.join("; ")),
                Lang::Zh => format!("各点固定取值：{}。", fixed.join("；")),
            },
        ));
    }
    doc.push(Block::List(items));
}

fn provenance(doc: &mut Vec<Block>, b: &SweepBrief) {
    let command = command_text(&b.command_line);
    let kv = match b.lang {
        Lang::En => vec![
            ("Tool and version", format!("{} {}", b.tool, b.version)),
            ("Scenario file", b.scenario_file.clone()),
            ("Seed", b.seed.to_string()),
            ("Monte Carlo runs per point", grouped(b.runs as f64, 0)),
            ("Points", grouped(b.points.len() as f64, 0)),
            ("Command", command),
            ("Data", "sweep.csv".to_string()),
        ],
        Lang::Zh => vec![
            ("工具及版本", format!("{} {}", b.tool, b.version)),
            ("情景文件", b.scenario_file.clone()),
            ("随机种子", b.seed.to_string()),
            ("每点蒙特卡洛模拟次数", grouped(b.runs as f64, 0)),
            ("点数", grouped(b.points.len() as f64, 0)),
            ("命令", command),
            ("数据", "sweep.csv".to_string()),
        ],
    };
    doc.push(Block::KeyValues(
        kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    ));
}
