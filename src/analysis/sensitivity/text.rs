//! A sensitivity analysis in text: the values of its inputs in units,
//! `sensitivity.csv` and the lines printed on the terminal.

use super::{InputResult, PerVillage, SensitivityResult, Treatment};
use crate::format::{grouped, money_sig, pad_end, pad_start, Lang};
use crate::model::param::{Domain, Per};
use crate::output::OutputError;

/// How an input's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ValueUnit {
    /// Money: `"1,230,000 yuan"`, `"123万元"`.
    Yuan,
    /// Rates, shares, probabilities and log growth: `"5.0%"`.
    Percent,
    /// Anything else (areas, loadings, counts): `"0.04"`, `"2,670"`.
    Number,
}

impl ValueUnit {
    pub fn of(domain: Option<Domain>) -> ValueUnit {
        match domain {
            Some(Domain::Money | Domain::NonNegative) => ValueUnit::Yuan,
            Some(
                Domain::Probability | Domain::Rate | Domain::NonNegativeRate | Domain::DiscountRate | Domain::LogGrowth,
            ) => ValueUnit::Percent,
            _ => ValueUnit::Number,
        }
    }
}

/// An input's value for people, in its unit: `"123万元"`, `"-2.3%"`,
/// `"0.04"`. A log growth `g` is written as the percentage the file writes
/// it as (`0.05` is `"5%"` in a scenario file, about +5.1% a year).
pub fn value_text(unit: ValueUnit, lang: Lang, v: f64) -> String {
    match unit {
        ValueUnit::Yuan => money_sig(lang, v),
        ValueUnit::Percent => {
            let p = 100.0 * v;
            let decimals = if p.abs() >= 100.0 {
                0
            } else if p.abs() >= 1.0 || p == 0.0 {
                1
            } else {
                2
            };
            format!("{}%", grouped(p, decimals))
        }
        ValueUnit::Number => short_number(v),
    }
}

/// A number for people: `0.0512`, `125,000`.
pub fn short_number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v.abs() >= 1000.0 {
        return grouped(v, 0);
    }
    if v == 0.0 {
        return "0".into();
    }
    // Four significant digits, trailing zeros dropped.
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let t = format!("{v:.decimals$}");
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    };
    if t == "-0" {
        "0".into()
    } else {
        t
    }
}

/// A mean count of villages: one decimal.
pub(super) fn villages(x: f64) -> String {
    grouped(x, 1)
}

/// A swing in villages: one decimal, `"<0.1"` for one that is not 0 but
/// reads 0.0.
pub(super) fn swing_text(x: f64) -> String {
    if x > 0.0 && x < 0.05 {
        "<0.1".into()
    } else {
        villages(x)
    }
}

/// How often an input is drawn, in words.
pub(super) fn per_words(per: Option<Per>, lang: Lang) -> &'static str {
    match (per, lang) {
        (Some(Per::Village), Lang::En) => "per village",
        (Some(Per::Year), Lang::En) => "per year",
        (Some(Per::VillageYear), Lang::En) => "per village-year",
        (_, Lang::En) => "once per run",
        (Some(Per::Village), Lang::Zh) => "每村",
        (Some(Per::Year), Lang::Zh) => "每年",
        (Some(Per::VillageYear), Lang::Zh) => "每村每年",
        (_, Lang::Zh) => "每次模拟一次",
    }
}

/// How an input was moved, short: "shifted (per village-year, 548 draws)",
/// "fixed (once per run)".
pub(super) fn how(r: &InputResult, lang: Lang) -> String {
    let per = per_words(r.per, lang);
    match (r.treatment, r.draws, lang) {
        (Treatment::Shifted, Some(n), Lang::En) => format!("shifted ({per}, {} draws)", grouped(n as f64, 0)),
        (Treatment::Shifted, Some(n), Lang::Zh) => format!("平移（{per}，{} 个取值）", grouped(n as f64, 0)),
        (_, _, Lang::En) => format!("fixed ({per})"),
        (_, _, Lang::Zh) => format!("固定（{per}）"),
    }
}

/// `sensitivity.csv`: one row per input, largest swing first. `input` and
/// `policy` are in `lang`; the rest is the same in both languages.
pub fn csv(result: &SensitivityResult, lang: Lang) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "sensitivity.csv".into(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "input",
        "name",
        "path",
        "per",
        "treatment",
        "draws_averaged",
        "value_at_p10",
        "value_at_p90",
        "below_floor_at_p10",
        "below_floor_at_p90",
        "swing_villages",
        "below_floor_se_at_p10",
        "below_floor_se_at_p90",
        "rank_correlation",
        "median_income_at_p10_yuan",
        "median_income_at_p90_yuan",
        "mean_income_at_p10_yuan",
        "mean_income_at_p90_yuan",
        "policy",
        "year",
        "baseline_below_floor",
        "baseline_median_income_yuan",
        "baseline_mean_income_yuan",
    ])
    .map_err(err)?;
    let b = &result.baseline;
    for r in &result.inputs {
        w.write_record([
            r.rank.to_string(),
            r.words[usize::from(lang == Lang::Zh)].clone(),
            r.name.clone(),
            r.path.clone(),
            r.per.map_or(String::new(), |p| p.as_str().to_string()),
            r.treatment.as_str().to_string(),
            r.draws.map_or(String::new(), |n| n.to_string()),
            r.p10.to_string(),
            r.p90.to_string(),
            r.at_p10.below_floor.to_string(),
            r.at_p90.below_floor.to_string(),
            r.swing.to_string(),
            r.at_p10.below_floor_se.to_string(),
            r.at_p90.below_floor_se.to_string(),
            r.rank_correlation.map_or(String::new(), |x| format!("{x:.4}")),
            r.at_p10.median_income.to_string(),
            r.at_p90.median_income.to_string(),
            r.at_p10.mean_income.to_string(),
            r.at_p90.mean_income.to_string(),
            result.policy_label(lang).to_string(),
            result.year.to_string(),
            b.below_floor.to_string(),
            b.median_income.to_string(),
            b.mean_income.to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "sensitivity.csv".into(),
        message: e.to_string(),
    })
}

/// The lines printed after an analysis, in `lang`, columns padded by
/// display width (CJK characters take two columns).
pub fn table(result: &SensitivityResult, lang: Lang) -> Vec<String> {
    let floor = money_sig(lang, result.floor_yuan);
    let runs = grouped(result.runs as f64, 0);
    let baseline = villages(result.baseline.below_floor);
    let (scenario, policy, year, seed) = (
        result.scenario_label(lang),
        result.policy_label(lang),
        result.year,
        result.seed,
    );
    let mut lines = vec![match lang {
        Lang::En => format!(
            "{scenario}: villages below the floor of {floor} in {year} under \"{policy}\", mean of {runs} runs per simulation (seed {seed}): {baseline} with every input as in the file"
        ),
        Lang::Zh => format!(
            "{scenario}：“{policy}”下{year}年低于{floor}底线的村数，每次分析模拟 {runs} 次（随机种子 {seed}）的平均：各输入取文件中的值时为 {baseline} 个"
        ),
    }];
    if let Some(p) = &result.passed_over {
        let name = &p.names[usize::from(lang == Lang::Zh)];
        let n = villages(p.below_floor);
        lines.push(match (lang, p.below_floor == 0.0) {
            (Lang::En, true) => format!(
                "  (\"{name}\" leaves no village below the floor in any run, which no input can change; --policy chooses another)"
            ),
            (Lang::En, false) => format!(
                "  (\"{name}\" leaves {n} villages below the floor in every run, which no input can move; --policy chooses another)"
            ),
            (Lang::Zh, true) => format!("  （“{name}”下每次模拟都没有村低于底线，没有输入能改变它；可用 --policy 另选政策）"),
            (Lang::Zh, false) => format!("  （“{name}”下每次模拟都有 {n} 个村低于底线，没有输入能改变它；可用 --policy 另选政策）"),
        });
    }
    if result.inputs.is_empty() {
        lines.push(match lang {
            Lang::En => "  the file has no uncertain inputs (distribution tables or \"A to B\" ranges)".into(),
            Lang::Zh => "  文件中没有不确定的输入（分布表或“A to B”区间）".into(),
        });
        return lines;
    }
    let zh = usize::from(lang == Lang::Zh);
    let cells: Vec<[String; 6]> = result
        .inputs
        .iter()
        .map(|r| {
            [
                r.words[zh].clone(),
                how(r, lang),
                format!(
                    "{} .. {}",
                    super::value_text(r.unit, lang, r.p10),
                    super::value_text(r.unit, lang, r.p90)
                ),
                format!(
                    "{} .. {}",
                    villages(r.at_p10.below_floor),
                    villages(r.at_p90.below_floor)
                ),
                swing_text(r.swing),
                r.rank_correlation.map_or("–".to_string(), |x| format!("{x:+.2}")),
            ]
        })
        .collect();
    let head: [&str; 6] = match lang {
        Lang::En => ["input", "how moved", "P10 .. P90", "below floor", "swing", "rank rho"],
        Lang::Zh => ["输入", "处理方式", "P10 .. P90", "低于底线村数", "变动", "秩相关"],
    };
    let width = |c: usize| {
        cells
            .iter()
            .map(|row| unicode_width::UnicodeWidthStr::width(row[c].as_str()))
            .chain([unicode_width::UnicodeWidthStr::width(head[c])])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..6).map(width).collect();
    let rank_head = if lang == Lang::En { "rank" } else { "排名" };
    let line = |rank: &str, row: [&str; 6]| {
        format!(
            "  {}  {}  {}  {}  {}  {}  {}",
            pad_start(rank, 4),
            pad_end(row[0], widths[0]),
            pad_end(row[1], widths[1]),
            pad_start(row[2], widths[2]),
            pad_start(row[3], widths[3]),
            pad_start(row[4], widths[4]),
            pad_start(row[5], widths[5]),
        )
        .trim_end()
        .to_string()
    };
    lines.push(line(rank_head, head));
    for (r, row) in result.inputs.iter().zip(&cells) {
        let row: [&str; 6] = std::array::from_fn(|i| row[i].as_str());
        lines.push(line(&r.rank.to_string(), row));
    }
    lines.push(match lang {
        Lang::En => format!(
            "  below floor: villages below the floor in {year} with the input at its P10 .. P90, mean over the runs"
        ),
        Lang::Zh => format!("  低于底线村数：输入取 P10 .. P90 时{year}年低于底线的村数，各次模拟的平均"),
    });
    if result.per_village == PerVillage::Shift && result.inputs.iter().any(|r| r.treatment == Treatment::Shifted) {
        lines.push(match lang {
            Lang::En => "  shifted: every village keeps drawing its own value; the distribution moves so that the average of its draws sits at its P10 .. P90 (values: the mean of the moved distribution; --per-village fix fixes it for every village at once)".into(),
            Lang::Zh => "  平移：各村仍各自抽取取值，整体分布平移，使其各取值的平均位于 P10 .. P90（所列为平移后分布的均值；--per-village fix 则对所有村统一固定取值）".into(),
        });
    }
    if result.samples > 0 {
        lines.push(match lang {
            Lang::En => format!(
                "  rank rho: Spearman over a {}-point Latin-hypercube design of all inputs (noise about ±{:.2})",
                result.samples,
                2.0 / (result.samples as f64).sqrt()
            ),
            Lang::Zh => format!(
                "  秩相关：对全部输入的 {} 点拉丁超立方设计计算的斯皮尔曼秩相关系数（噪声约 ±{:.2}）",
                result.samples,
                2.0 / (result.samples as f64).sqrt()
            ),
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(0.051234), "0.05123");
        assert_eq!(short_number(125_000.4), "125,000");
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(0.0), "0");
    }

    #[test]
    fn values_in_units() {
        assert_eq!(value_text(ValueUnit::Percent, Lang::En, -0.022_524), "-2.3%");
        assert_eq!(value_text(ValueUnit::Percent, Lang::Zh, 0.182_524), "18.3%");
        assert_eq!(value_text(ValueUnit::Percent, Lang::En, 0.0042), "0.42%");
        assert_eq!(value_text(ValueUnit::Yuan, Lang::En, 2_157_458.6), "2,160,000 yuan");
        assert_eq!(value_text(ValueUnit::Yuan, Lang::Zh, 2_157_458.6), "216万元");
        assert_eq!(value_text(ValueUnit::Number, Lang::En, 0.04), "0.04");
        assert_eq!(ValueUnit::of(Some(Domain::LogGrowth)), ValueUnit::Percent);
        assert_eq!(ValueUnit::of(Some(Domain::NonNegative)), ValueUnit::Yuan);
        assert_eq!(ValueUnit::of(None), ValueUnit::Number);
        assert_eq!(swing_text(0.02), "<0.1");
        assert_eq!(swing_text(0.0), "0.0");
    }
}
