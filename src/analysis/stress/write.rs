//! Writing a stress analysis: `stress.csv` (every stress and policy
//! against the unstressed run), the chart `charts/stress.svg` and `.png`,
//! and `report.html` / `report.md`, staged and committed all or nothing.

use std::path::{Path, PathBuf};

use super::{Case, CaseResult, PolicyFigures, StressResult, TAIL_SHARE};
use crate::analysis::solve::Z_95;
use crate::charts::{StressChart, StressRow, STRESS_MAX_ROWS};
use crate::format::{grouped, money_sig, pct, Lang};
use crate::output::report::page::{AnalysisPage, PageTable};
use crate::output::OutputError;

/// A change in villages: `+2.4`, `-0.3`, `0`.
fn change(v: f64) -> String {
    let s = grouped(v, 1);
    if v > 0.0 && s != "0.0" {
        format!("+{s}")
    } else {
        s
    }
}

/// The stress's name in quotes for a sentence.
fn quoted(c: &Case, lang: Lang) -> String {
    match lang {
        Lang::En => format!("\"{}\"", c.label(lang)),
        Lang::Zh => format!("“{}”", c.label(lang)),
    }
}

/// The message in one sentence, true of `stress.csv` and the chart.
pub fn sentence(r: &StressResult, lang: Lang) -> String {
    let en = lang == Lang::En;
    let (p, case, worst) = &r.holds_up;
    let policy = r.policy_label(*p, lang);
    let base = r.baseline[*p].below;
    let year = r.year;
    let runs = grouped(r.runs as f64, 0);
    let counted = match (en, r.named.len(), r.tails.len()) {
        (true, n, 0) => format!("{n} stresses of the file"),
        (true, n, t) => format!("{n} stresses of the file and {t} input tails"),
        (false, n, 0) => format!("文件中的 {n} 个压力情景"),
        (false, n, t) => format!("文件中的 {n} 个压力情景和 {t} 个输入尾部"),
    };
    let holds = match (case, en) {
        (None, true) => format!(
            "Under {counted} ({runs} runs each, the same random numbers), \"{policy}\" holds up best: no stress raises its {} villages below the floor in {year}",
            grouped(base, 1)
        ),
        (None, false) => format!(
            "在{counted}下（每个 {runs} 次模拟，随机数相同），“{policy}”最能经受压力：没有压力使其{year}年低于底线的村数（{} 个）增加",
            grouped(base, 1)
        ),
        (Some(c), true) => format!(
            "Under {counted} ({runs} runs each, the same random numbers), \"{policy}\" holds up best: at worst {} villages below the floor in {year} (unstressed {}), under {}",
            grouped(*worst, 1),
            grouped(base, 1),
            quoted(c, lang)
        ),
        (Some(c), false) => format!(
            "在{counted}下（每个 {runs} 次模拟，随机数相同），“{policy}”最能经受压力：{year}年低于底线的村数最多 {} 个（无压力时 {} 个），出现在{}下",
            grouped(*worst, 1),
            grouped(base, 1),
            quoted(c, lang)
        ),
    };
    let hurts = r.worst().filter(|w| w.damage() > 0.0).map(|w| {
        let q = (0..r.policies.len())
            .max_by(|a, b| {
                w.figures[*a]
                    .below_change
                    .value
                    .total_cmp(&w.figures[*b].below_change.value)
            })
            .expect("a policy");
        let f = &w.figures[q];
        if en {
            format!(
                ". The stress that hurts most is {}: {} villages below the floor (± {}) under \"{}\".",
                quoted(&w.case, lang),
                change(f.below_change.value),
                grouped(Z_95 * f.below_change.se, 1),
                r.policy_label(q, lang)
            )
        } else {
            format!(
                "。伤害最大的压力是{}：“{}”下低于底线的村数 {} 个（± {}）。",
                quoted(&w.case, lang),
                r.policy_label(q, lang),
                change(f.below_change.value),
                grouped(Z_95 * f.below_change.se, 1)
            )
        }
    });
    // What holding up costs: the largest rise of its fiscal cost.
    let cost = r
        .cases()
        .map(|c| (c, c.figures[*p].fiscal_cost - r.baseline[*p].fiscal_cost))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, d)| *d > 0.0)
        .map(|(c, d)| match lang {
            Lang::En => format!(
                ", at a fiscal cost up to {} higher (under {})",
                money_sig(lang, d),
                quoted(&c.case, lang)
            ),
            Lang::Zh => format!(
                "，财政成本最多增加 {}（{}下）",
                money_sig(lang, d),
                quoted(&c.case, lang)
            ),
        })
        .unwrap_or_default();
    hurts.map_or_else(
        || format!("{holds}{cost}{}", if en { "." } else { "。" }),
        |h| format!("{holds}{cost}{h}"),
    )
}

/// `stress.csv`: the unstressed run (`kind` = `baseline`), every stress of
/// the file (`named`) and every input tail (`tail`, most damaging first),
/// one row per policy.
///
/// Columns: `stress`, `kind`, `input` and `tail` (`low` / `high`, for a
/// tail), `policy`, `year`, `villages_below_floor` (mean over the runs) and
/// its `change` from the unstressed run with `change_se` (paired by run),
/// `p_full_coverage`, `mean_income_yuan` (final year) with its
/// `mean_income_change` and `mean_income_change_se`, `fiscal_cost_yuan`.
///
/// # Errors
///
/// [`OutputError::Encode`] when the CSV cannot be written.
pub fn csv(r: &StressResult) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "stress.csv".into(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "stress",
        "kind",
        "input",
        "tail",
        "policy",
        "year",
        "villages_below_floor",
        "change",
        "change_se",
        "p_full_coverage",
        "mean_income_yuan",
        "mean_income_change",
        "mean_income_change_se",
        "fiscal_cost_yuan",
    ])
    .map_err(err)?;
    let mut rows = |name: String, kind: &str, input: &str, tail: &str, figures: &[PolicyFigures]| {
        for (p, f) in figures.iter().enumerate() {
            w.write_record([
                name.clone(),
                kind.to_string(),
                input.to_string(),
                tail.to_string(),
                r.policies[p][0].clone(),
                r.year.to_string(),
                format!("{}", f.below),
                format!("{}", f.below_change.value),
                format!("{}", f.below_change.se),
                format!("{}", f.p_full),
                format!("{}", f.mean_income),
                format!("{}", f.mean_income_change.value),
                format!("{}", f.mean_income_change.se),
                format!("{}", f.fiscal_cost),
            ])
            .map_err(err)?;
        }
        Ok::<(), OutputError>(())
    };
    rows("unstressed".into(), "baseline", "", "", &r.baseline)?;
    for c in r.cases() {
        match &c.case {
            Case::Named { name, .. } => rows(name.clone(), "named", "", "", &c.figures)?,
            Case::Tail { input, high } => rows(
                c.case.label(Lang::En),
                "tail",
                input,
                if *high { "high" } else { "low" },
                &c.figures,
            )?,
        }
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "stress.csv".into(),
        message: e.to_string(),
    })
}

/// The stresses the chart shows: the file's, then the most damaging tails.
fn shown(r: &StressResult) -> Vec<&CaseResult> {
    r.cases().take(STRESS_MAX_ROWS).collect()
}

fn chart_title(r: &StressResult, lang: Lang) -> String {
    let (p, _, _) = &r.holds_up;
    let policy = r.policy_label(*p, lang);
    match lang {
        Lang::En => format!("\"{policy}\" holds up best under stress"),
        Lang::Zh => format!("“{policy}”最能经受压力"),
    }
}

fn chart(r: &StressResult, lang: Lang) -> StressChart {
    let rows: Vec<StressRow> = (shown(r).into_iter())
        .map(|c| StressRow {
            name: c.case.label(lang),
            changes: c.figures.iter().map(|f| f.below_change.value).collect(),
        })
        .collect();
    let total = r.named.len() + r.tails.len();
    StressChart {
        lang,
        title: chart_title(r, lang),
        subtitle: match lang {
            Lang::En => format!(
                "{}: each stress against the unstressed run, {} runs, the same random numbers",
                r.scenario_label(lang),
                grouped(r.runs as f64, 0)
            ),
            Lang::Zh => format!(
                "{}：各压力情景与无压力时比较，{} 次模拟，随机数相同",
                r.scenario_label(lang),
                grouped(r.runs as f64, 0)
            ),
        },
        x_label: match lang {
            Lang::En => format!("Change in villages below the floor in {} (mean over the runs)", r.year),
            Lang::Zh => format!("{}年低于底线的村数相对无压力时的变化（各次模拟的平均）", r.year),
        },
        policies: (0..r.policies.len())
            .map(|p| r.policy_label(p, lang).to_string())
            .collect(),
        more: total - rows.len(),
        rows,
    }
}

fn page(r: &StressResult, lang: Lang, chart_svg: Option<String>) -> AnalysisPage {
    let zh = lang == Lang::Zh;
    let head = |first: &str| {
        let mut h = vec![first.to_string()];
        h.extend((0..r.policies.len()).map(|p| r.policy_label(p, lang).to_string()));
        h
    };
    let cell = |f: &PolicyFigures| {
        if f.below_change.value == 0.0 {
            grouped(f.below, 1)
        } else {
            format!("{} ({})", grouped(f.below, 1), change(f.below_change.value))
        }
    };
    let mut rows = vec![{
        let mut row = vec![if zh { "无压力" } else { "Unstressed" }.to_string()];
        row.extend(r.baseline.iter().map(|f| grouped(f.below, 1)));
        row
    }];
    rows.extend(r.cases().map(|c| {
        let mut row = vec![c.case.label(lang)];
        row.extend(c.figures.iter().map(cell));
        row
    }));
    let below = PageTable {
        title: if zh {
            format!("{}年低于底线的村数（括号内为相对无压力时的变化）", r.year)
        } else {
            format!(
                "Villages below the floor in {} (in brackets: the change from the unstressed run)",
                r.year
            )
        },
        head: head(if zh { "压力情景" } else { "Stress" }),
        rows,
    };
    // A money figure of the file's stresses: each policy's value, and its
    // change from the unstressed run in brackets.
    let money_table = |title: String, value: &dyn Fn(&PolicyFigures) -> f64| {
        let mut rows = vec![{
            let mut row = vec![if zh { "无压力" } else { "Unstressed" }.to_string()];
            row.extend(r.baseline.iter().map(|f| money_sig(lang, value(f))));
            row
        }];
        rows.extend(r.named.iter().map(|c| {
            let mut row = vec![c.case.label(lang)];
            row.extend(c.figures.iter().zip(&r.baseline).map(|(f, b)| {
                let d = value(f) - value(b);
                if d == 0.0 {
                    // Untouched by the stress: the value alone.
                    return money_sig(lang, value(f));
                }
                format!(
                    "{} ({}{})",
                    money_sig(lang, value(f)),
                    if d > 0.0 { "+" } else { "" },
                    money_sig(lang, d)
                )
            }));
            row
        }));
        PageTable {
            title,
            head: head(if zh { "压力情景" } else { "Stress" }),
            rows,
        }
    };
    let income = money_table(
        if zh {
            format!("{}年村均经营性收入（文件中的压力情景）", r.final_year)
        } else {
            format!("Mean village income in {} under the file's stresses", r.final_year)
        },
        &|f| f.mean_income,
    );
    let cost = money_table(
        if zh {
            "规划期内的财政成本（文件中的压力情景）".to_string()
        } else {
            "Fiscal cost over the horizon under the file's stresses".to_string()
        },
        &|f| f.fiscal_cost,
    );
    let mut notes: Vec<String> = (r.named.iter())
        .filter_map(|c| match &c.case {
            Case::Named {
                name,
                description: Some(d),
            } => Some(format!("{name}{}{}", if zh { "：" } else { ": " }, d[usize::from(zh)])),
            _ => None,
        })
        .collect();
    notes.push(if zh {
        format!(
            "P(全部达到底线，{}年)：{}。",
            r.year,
            (0..r.policies.len())
                .map(|p| format!("{} {}", r.policy_label(p, lang), pct(r.baseline[p].p_full)))
                .collect::<Vec<_>>()
                .join("，")
        )
    } else {
        format!(
            "Unstressed P(every village at the floor in {}): {}.",
            r.year,
            (0..r.policies.len())
                .map(|p| format!("{} {}", r.policy_label(p, lang), pct(r.baseline[p].p_full)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let share = grouped(TAIL_SHARE * 100.0, 0);
    let method = if zh {
        vec![
            "每个压力情景与无压力的基准使用相同的种子和模拟次数（共同随机数），所有政策一并模拟；各政策的数字逐次模拟与其自身的无压力结果配对比较，变化为配对差的平均值，标准误为其标准误。".to_string(),
            format!("文件中的压力情景（[stress.NAME]）可以设定数值（set）、按比例缩放（scale，如 \"70%\" 即减少 30%）、把不确定输入固定在其分布的某个分位数（tail）、在指定年份把共同因子强制为某一值或分位数（factors，之后按 AR(1) 延续），或让扶持基金的运营方在指定年份违约（fail）。自动的输入尾部压力：每个不确定输入取其最低（最高）{share}% 的中间值，即 P2.5（P97.5），其他输入取文件中的值；按次抽取的输入固定于该值，按村或按年抽取的输入平移其分布，使其抽样平均值位于该值（与 sensitivity 相同）。"),
        ]
    } else {
        vec![
            "Every stress is simulated with every policy on the same seed and runs as the unstressed baseline (common random numbers), and each policy's figures are paired run by run with its own unstressed figures: a change is the mean of the paired differences, with its standard error.".to_string(),
            format!("A stress of the file ([stress.NAME]) may set values (set), multiply them (scale: \"70%\" is a cut of 30%), fix uncertain values at a quantile of their distribution (tail), force a common factor to a value or a quantile in some years (factors; the path carries on from it by its AR(1)), or make a support fund's operator default in a given year (fail). The automatic input tails put each uncertain input in the middle of its lowest (highest) {share}%, its P2.5 (P97.5), the others as in the file: an input drawn once per run is fixed there, one drawn per village or per year shifted so that the average of its draws sits there (as sensitivity does)."),
        ]
    };
    let page = AnalysisPage::new(
        lang,
        "stress",
        if zh {
            format!("{}：压力测试", r.scenario_label(lang))
        } else {
            format!("{}: stress tests", r.scenario_label(lang))
        },
        sentence(r, lang),
        chart_title(r, lang),
        chart_svg,
    );
    AnalysisPage {
        tables: vec![below, income, cost],
        notes,
        method,
        ..page
    }
    .with_provenance(
        &r.scenario_file,
        format!(
            "villagesim stress {}{} --runs {} --seed {}",
            r.scenario_file,
            if r.tails.is_empty() { " --no-tails" } else { "" },
            r.runs,
            r.seed
        ),
    )
}

/// Writes `stress.csv`, the chart and `report.html` / `report.md` of `r`
/// into `dir`, all or nothing. Returns the files written, relative to
/// `dir`.
///
/// # Errors
///
/// [`OutputError`] when a file cannot be written; an earlier result in
/// `dir` is then left as it was.
pub fn write(r: &StressResult, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, OutputError> {
    crate::analysis::write_analysis(
        dir,
        &[("stress.csv", csv(r)?)],
        |charts| crate::charts::write_stress(&chart(r, lang), charts),
        |svg| page(r, lang, svg),
    )
}
