//! The report of `villagesim sensitivity`: `report.html` and `report.md`
//! beside `sensitivity.csv`, laid out by the run report's own templates
//! (`templates/report.html`, `report.md`: the same styles, the same
//! embedded font, no script) from view blocks built here.
//!
//! It reads a plain [`SensitivityPage`] that `analysis::sensitivity`
//! builds (outputs know nothing of the analysis): a lead sentence stating
//! which inputs move the number of villages below the floor most and
//! between which counts, the tornado, a table of every input (in words,
//! its P10 and P90 in units, how it was moved, the villages below the
//! floor at each end, the swing and the rank correlation), how to read it,
//! and the scenario, seed, runs and version.

use super::view::{Block, Row};
use super::words::{quoted, words};
use super::{analysis_html, analysis_md};
use crate::charts::{DrawnPer, Treatment};
use crate::format::{grouped, money_sig, Lang};

/// One input of the report, largest swing first.
pub struct SensitivityRow {
    pub rank: usize,
    /// The input in words, in the report's language.
    pub input: String,
    pub per: Option<DrawnPer>,
    pub treatment: Treatment,
    /// Draws a shifted input's average is taken over.
    pub draws: Option<u64>,
    /// The values used at the P10 / P90 end, in units.
    pub p10: String,
    pub p90: String,
    /// Villages below the floor with the input there (mean over the runs).
    pub at_p10: f64,
    pub at_p90: f64,
    pub swing: f64,
    pub rank_correlation: Option<f64>,
}

/// What the sensitivity report says, every name in its language.
pub struct SensitivityPage<'a> {
    pub lang: Lang,
    pub version: &'a str,
    pub scenario: &'a str,
    pub scenario_file: &'a str,
    pub policy: &'a str,
    /// The last policy, passed over because the same number of villages
    /// (the figure) stays below the floor under it in every run.
    pub passed_over: Option<(&'a str, f64)>,
    pub year: i32,
    pub floor_yuan: f64,
    pub runs: u64,
    pub seed: u64,
    /// Points of the Latin-hypercube design (0: none).
    pub samples: usize,
    pub simulations: usize,
    /// `--per-village fix`: per-village inputs fixed for every village.
    pub per_village_fixed: bool,
    /// Villages below the floor with every input as in the file.
    pub baseline: f64,
    pub rows: Vec<SensitivityRow>,
    /// The tornado's title and its SVG text.
    pub tornado_title: String,
    pub tornado_svg: Option<String>,
}

/// A mean count of villages: one decimal.
fn villages(x: f64) -> String {
    grouped(x, 1)
}

fn swing(x: f64) -> String {
    if x > 0.0 && x < 0.05 {
        "<0.1".into()
    } else {
        villages(x)
    }
}

/// The inputs after the first that move the count, at most two, in words
/// with their range: "organic growth (21.3 to 26.0)".
fn next_inputs(p: &SensitivityPage) -> Vec<String> {
    p.rows
        .iter()
        .skip(1)
        .filter(|r| r.swing > 0.0)
        .take(2)
        .map(|r| {
            let (lo, hi) = (r.at_p10.min(r.at_p90), r.at_p10.max(r.at_p90));
            match p.lang {
                Lang::En => format!("{} ({} to {})", r.input, villages(lo), villages(hi)),
                Lang::Zh => format!("{}（{} 至 {} 个）", r.input, villages(lo), villages(hi)),
            }
        })
        .collect()
}

/// The lead: which input decides how many villages stay below the floor,
/// true of the figures in the table.
fn lead(p: &SensitivityPage) -> String {
    let (policy, year) = (quoted(p.lang, p.policy), p.year);
    let floor = money_sig(p.lang, p.floor_yuan);
    let base = villages(p.baseline);
    let first = match p.lang {
        Lang::En => format!(
            "Under {policy}, {base} villages stay below the floor of {floor} in {year} on average, with every input as in the file."
        ),
        Lang::Zh => format!("在{policy}下，各输入取文件中的值时，{year}年平均有 {base} 个村低于{floor}的底线。"),
    };
    let Some(top) = p.rows.first() else {
        return match p.lang {
            Lang::En => format!("{first} The scenario has no uncertain input to vary."),
            Lang::Zh => format!("{first}情景中没有可变动的不确定输入。"),
        };
    };
    if top.swing == 0.0 {
        return match p.lang {
            Lang::En => format!(
                "{first} None of its {} uncertain inputs changes that number between its P10 and its P90.",
                p.rows.len()
            ),
            Lang::Zh => format!(
                "{first}{} 个不确定输入在 P10 与 P90 之间变动时，这一村数都不变。",
                p.rows.len()
            ),
        };
    }
    let (lo, hi) = (top.at_p10.min(top.at_p90), top.at_p10.max(top.at_p90));
    let next = next_inputs(p);
    match p.lang {
        Lang::En => {
            let then = match next.as_slice() {
                [] => String::new(),
                [a] => format!(", then on {a}"),
                [a, b, ..] => format!(", then on {a} and {b}"),
            };
            format!(
                "{first} Whether {} or {} stay below it depends most on {}{then}.",
                villages(lo),
                villages(hi),
                top.input
            )
        }
        Lang::Zh => {
            let then = match next.as_slice() {
                [] => String::new(),
                [a] => format!("；其次是{a}"),
                [a, b, ..] => format!("；其次是{a}和{b}"),
            };
            format!(
                "{first}低于底线的是 {} 个还是 {} 个村，最取决于{}{then}。",
                villages(lo),
                villages(hi),
                top.input
            )
        }
    }
}

/// How a row's input was moved, in the table.
fn how(r: &SensitivityRow, lang: Lang) -> String {
    let per = match (r.per, lang) {
        (None, Lang::En) => "drawn once per run",
        (None, Lang::Zh) => "每次模拟抽取一次",
        (Some(DrawnPer::Village), Lang::En) => "drawn per village",
        (Some(DrawnPer::Village), Lang::Zh) => "每村抽取",
        (Some(DrawnPer::Year), Lang::En) => "drawn per year",
        (Some(DrawnPer::Year), Lang::Zh) => "每年抽取",
        (Some(DrawnPer::VillageYear), Lang::En) => "drawn per village-year",
        (Some(DrawnPer::VillageYear), Lang::Zh) => "每村每年抽取",
    };
    match (r.treatment, r.draws, lang) {
        (Treatment::Shifted, Some(n), Lang::En) => {
            format!(
                "{per}; shifted: the average of its {} draws at P10 / P90",
                grouped(n as f64, 0)
            )
        }
        (Treatment::Shifted, Some(n), Lang::Zh) => {
            format!("{per}；平移：其 {} 个取值的平均取 P10 / P90", grouped(n as f64, 0))
        }
        (_, _, Lang::En) if r.per.is_some() => format!("{per}; fixed for every one at once"),
        (_, _, Lang::Zh) if r.per.is_some() => format!("{per}；对全部统一固定"),
        (_, _, Lang::En) => format!("{per}; fixed in every run"),
        (_, _, Lang::Zh) => format!("{per}；每次模拟固定取值"),
    }
}

/// The fixed words of the sensitivity report.
struct SensitivityWords {
    title: &'static str,
    h_inputs: &'static str,
    h_reading: &'static str,
    h_provenance: &'static str,
    head: [&'static str; 8],
    fixed: &'static str,
    shifted: &'static str,
    shifted_but_fixed: &'static str,
    swing: &'static str,
    common: &'static str,
    no_design: &'static str,
    prov_policy: &'static str,
    prov_runs: &'static str,
    prov_simulations: &'static str,
    prov_samples: &'static str,
    prov_per_village: &'static str,
    per_village_shift: &'static str,
    per_village_fix: &'static str,
}

const EN: SensitivityWords = SensitivityWords {
    title: "what decides how many villages stay below the floor (sensitivity analysis)",
    h_inputs: "The uncertain inputs",
    h_reading: "How to read it",
    h_provenance: "Provenance",
    head: [
        "Rank",
        "Input",
        "How it was moved",
        "At P10",
        "At P90",
        "Villages below the floor at P10 / P90",
        "Swing (villages)",
        "Rank correlation",
    ],
    fixed: "An input drawn once per run (a value we do not know) is fixed at its 10th percentile (P10) in every run, then at its 90th (P90), the other inputs drawn as in the file.",
    shifted: "An input drawn per village, per year or per village-year is not fixed for every village at once: that would give all of them the same extreme draw, a county no one will see. Every village keeps drawing its own value, and the distribution is shifted, by 1.28 of its standard deviations divided by the square root of the number of draws, so that the average of its draws sits at its P10 and then at its P90 (within its clamp). Its bar is the first-order effect of that input on the county. The values shown for it are the means of the shifted distribution.",
    shifted_but_fixed: "This analysis was run with --per-village fix: inputs drawn per village, per year or per village-year were fixed for every village and year at once, so their bars show the whole distribution moved to its tail, more than any county is likely to see.",
    swing: "The swing is the difference between the villages below the floor at the two ends (means over the runs). It counts villages, so the weak villages' inputs weigh by what they do to the count, not by the incomes of the richest villages.",
    common: "Every simulation uses the same seed and the same runs (common random numbers): two bars differ by the input moved, not by the luck of the draw, so a swing well below the Monte Carlo error of each count (below_floor_se in sensitivity.csv) can still be read.",
    no_design: "No rank correlations were computed (--samples 0).",
    prov_policy: "Policy analysed",
    prov_runs: "Runs per simulation",
    prov_simulations: "Simulations",
    prov_samples: "Points of the Latin-hypercube design",
    prov_per_village: "Inputs drawn per village or year",
    per_village_shift: "shifted (the default)",
    per_village_fix: "fixed for every village at once (--per-village fix)",
};

const ZH: SensitivityWords = SensitivityWords {
    title: "哪些因素决定多少村仍低于底线（敏感性分析）",
    h_inputs: "不确定输入",
    h_reading: "如何解读",
    h_provenance: "来源信息",
    head: [
        "排名",
        "输入",
        "处理方式",
        "取 P10",
        "取 P90",
        "取 P10 / P90 时低于底线的村数",
        "变动幅度（村）",
        "秩相关系数",
    ],
    fixed: "每次模拟只抽取一次的输入（其真实值未知）在每次模拟中先固定为其第 10 百分位数（P10），再固定为第 90 百分位数（P90），其余输入按文件抽取。",
    shifted: "每村、每年或每村每年抽取的输入不对所有村统一固定：那样会让所有村同时取到同一个极端值，没有哪个县会出现这种情况。各村仍各自抽取取值，而整个分布平移其标准差的 1.28 倍除以取值个数的平方根，使其各取值的平均先位于 P10、再位于 P90（不超出其截断范围）。其条形表示该输入对全县的一阶影响，所列取值为平移后分布的均值。",
    shifted_but_fixed: "本次分析按命令行选项对每村、每年或每村每年抽取的输入统一固定取值，其条形表示整个分布移至尾部，超过任何县可能出现的情况。",
    swing: "变动幅度是两端低于底线村数（各次模拟的平均）之差。它按村计数，因此薄弱村的输入按其对村数的影响衡量，而不是按最富裕村的收入衡量。",
    common: "每次模拟使用相同的随机种子和相同的模拟（共同随机数）：两个条形的差别来自所变动的输入，而非抽样的运气，因此即使变动远小于各村数本身的蒙特卡洛误差（见 sensitivity.csv），也可以解读。",
    no_design: "未计算秩相关系数（设计点数为 0）。",
    prov_policy: "所分析的政策",
    prov_runs: "每次分析的模拟次数",
    prov_simulations: "分析次数",
    prov_samples: "拉丁超立方设计点数",
    prov_per_village: "每村或每年抽取的输入",
    per_village_shift: "整体平移（默认）",
    per_village_fix: "对所有村统一固定",
};

fn sensitivity_words(lang: Lang) -> &'static SensitivityWords {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The sentence on the rank correlations' noise.
fn rho_note(p: &SensitivityPage) -> String {
    let noise = format!("{:.2}", 2.0 / (p.samples.max(1) as f64).sqrt());
    match p.lang {
        Lang::En => format!(
            "The rank correlation comes from a Latin-hypercube design of {} points over all inputs at once: Spearman's correlation between an input's position in the design and the villages below the floor. Near +1 or -1 the input carries the variation, near 0 it carries none; its sampling noise is about ±2/√{} = ±{noise}, so a correlation closer to 0 than that cannot be told from none.",
            p.samples, p.samples
        ),
        Lang::Zh => format!(
            "秩相关系数来自对全部输入同时取值的 {} 点拉丁超立方设计：输入在设计中的位置与低于底线村数之间的斯皮尔曼秩相关。接近 +1 或 -1 表示该输入决定了变化，接近 0 表示没有影响；其抽样噪声约为 ±2/√{} = ±{noise}，绝对值小于此数的相关系数与 0 无法区分。",
            p.samples, p.samples
        ),
    }
}

/// The document as view blocks.
fn blocks(p: &SensitivityPage) -> Vec<Block> {
    let w = sensitivity_words(p.lang);
    let colon = words(p.lang).colon;
    let mut doc = vec![
        Block::Title(format!("{}{colon}{}", p.scenario, w.title)),
        Block::Lead(lead(p)),
    ];
    if let Some((name, n)) = p.passed_over {
        let leaves = match (p.lang, n == 0.0) {
            (Lang::En, true) => "leaves no village below the floor in any run".to_string(),
            (Lang::En, false) => format!("leaves {} villages below the floor in every run", villages(n)),
            (Lang::Zh, true) => "每次模拟都没有村低于底线".to_string(),
            (Lang::Zh, false) => format!("每次模拟都有 {} 个村低于底线", villages(n)),
        };
        doc.push(Block::Note(match p.lang {
            Lang::En => format!(
                "The last policy of the file, {}, {leaves}, which no input can change; this analysis reads {}, the last policy under which the number varies (--policy chooses another).",
                quoted(p.lang, name),
                quoted(p.lang, p.policy)
            ),
            Lang::Zh => format!(
                "文件中最后一项政策{}下{leaves}，没有输入能改变这一数字；本分析改看{}，即最后一项村数会变化的政策（可用命令行选项另选政策）。",
                quoted(p.lang, name),
                quoted(p.lang, p.policy)
            ),
        }));
    }
    if !p.rows.is_empty() {
        doc.push(Block::Chart {
            stem: "tornado".into(),
            title: p.tornado_title.clone(),
        });
        doc.push(Block::H2(w.h_inputs.into()));
        doc.push(Block::Table {
            head: w.head.iter().map(|h| h.to_string()).collect(),
            numeric: vec![true, false, false, true, true, true, true, true],
            rows: p
                .rows
                .iter()
                .map(|r| Row {
                    cells: vec![
                        r.rank.to_string(),
                        r.input.clone(),
                        how(r, p.lang),
                        r.p10.clone(),
                        r.p90.clone(),
                        format!("{} / {}", villages(r.at_p10), villages(r.at_p90)),
                        swing(r.swing),
                        r.rank_correlation.map_or("–".to_string(), |x| format!("{x:+.2}")),
                    ],
                    risk: false,
                })
                .collect(),
            class: "sensitivity",
        });
    }
    doc.push(Block::H2(w.h_reading.into()));
    doc.push(Block::P(w.fixed.into()));
    doc.push(Block::P(if p.per_village_fixed {
        w.shifted_but_fixed.into()
    } else {
        w.shifted.into()
    }));
    doc.push(Block::P(w.swing.into()));
    doc.push(Block::P(w.common.into()));
    doc.push(Block::P(if p.samples > 0 { rho_note(p) } else { w.no_design.into() }));
    let base = words(p.lang);
    doc.push(Block::H2(w.h_provenance.into()));
    doc.push(Block::KeyValues(vec![
        (base.prov_tool.into(), format!("villagesim {}", p.version)),
        (base.prov_scenario_file.into(), p.scenario_file.into()),
        (w.prov_policy.into(), p.policy.into()),
        (base.prov_seed.into(), p.seed.to_string()),
        (w.prov_runs.into(), grouped(p.runs as f64, 0)),
        (w.prov_simulations.into(), grouped(p.simulations as f64, 0)),
        (w.prov_samples.into(), p.samples.to_string()),
        (
            w.prov_per_village.into(),
            if p.per_village_fixed {
                w.per_village_fix.into()
            } else {
                w.per_village_shift.into()
            },
        ),
    ]));
    doc
}

/// `report.html` of a sensitivity analysis: self-contained (the tornado
/// inline, the page's font embedded), printable.
pub fn html(p: &SensitivityPage) -> String {
    let title = format!(
        "{}{}{}",
        p.scenario,
        words(p.lang).colon,
        sensitivity_words(p.lang).title
    );
    analysis_html(p.lang, p.version, title, blocks(p), "tornado", p.tornado_svg.as_ref())
}

/// `report.md` of a sensitivity analysis: the tornado as the PNG beside it.
pub fn markdown(p: &SensitivityPage) -> String {
    analysis_md(p.lang, blocks(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rank: usize, input: &str, at: (f64, f64)) -> SensitivityRow {
        SensitivityRow {
            rank,
            input: input.into(),
            per: Some(DrawnPer::VillageYear),
            treatment: Treatment::Shifted,
            draws: Some(548),
            p10: "7.1%".into(),
            p90: "8.9%".into(),
            at_p10: at.0,
            at_p90: at.1,
            swing: (at.1 - at.0).abs(),
            rank_correlation: Some(-0.45),
        }
    }

    fn page(lang: Lang, rows: Vec<SensitivityRow>) -> SensitivityPage<'static> {
        SensitivityPage {
            lang,
            version: "0.1.0",
            scenario: "County",
            scenario_file: "county.toml",
            policy: "package",
            passed_over: None,
            year: 2022,
            floor_yuan: 500_000.0,
            runs: 2000,
            seed: 1,
            samples: 40,
            simulations: 45,
            per_village_fixed: false,
            baseline: 23.7,
            rows,
            tornado_title: "t".into(),
            tornado_svg: None,
        }
    }

    #[test]
    fn the_lead_names_the_input_and_its_counts() {
        let rows = vec![
            row(1, "Village: organic growth", (26.0, 21.3)),
            row(2, "Weak: baseline operating income", (24.0, 23.0)),
            row(3, "Fund: return rate", (23.7, 23.7)),
        ];
        assert_eq!(
            lead(&page(Lang::En, rows)),
            "Under “package”, 23.7 villages stay below the floor of 500,000 yuan in 2022 on average, with every input as in the file. Whether 21.3 or 26.0 stay below it depends most on Village: organic growth, then on Weak: baseline operating income (23.0 to 24.0)."
        );
        let rows = vec![row(1, "村的自然增长率", (26.0, 21.3))];
        assert_eq!(
            lead(&page(Lang::Zh, rows)),
            "在“package”下，各输入取文件中的值时，2022年平均有 23.7 个村低于50万元的底线。低于底线的是 21.3 个还是 26.0 个村，最取决于村的自然增长率。"
        );
        let rows = vec![row(1, "a", (23.7, 23.7)), row(2, "b", (23.7, 23.7))];
        assert!(lead(&page(Lang::En, rows))
            .ends_with("None of its 2 uncertain inputs changes that number between its P10 and its P90."));
    }

    #[test]
    fn the_report_holds_the_table_and_the_treatment() {
        let md = markdown(&page(Lang::En, vec![row(1, "Village: organic growth", (26.0, 21.3))]));
        assert!(md.contains("| 1 | Village: organic growth | drawn per village-year; shifted: the average of its 548 draws at P10 / P90 | 7.1% | 8.9% | 26.0 / 21.3 | 4.7 | -0.45 |"), "{md}");
        assert!(md.contains("±2/√40 = ±0.32"), "{md}");
        let html = html(&page(Lang::Zh, vec![row(1, "村的自然增长率", (26.0, 21.3))]));
        assert!(
            html.contains("<html lang=\"zh-CN\">") && html.contains("@font-face"),
            "{html}"
        );
        assert!(!html.contains("<script"));
    }
}
