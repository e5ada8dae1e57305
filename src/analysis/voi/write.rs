//! Writing a value-of-information analysis: `voi.csv` (the EVPI and every
//! input's EVPPI), the chart `charts/voi.svg` and `.png`, and `report.html`
//! / `report.md` (the message in a sentence, the chart, the tables and the
//! method), staged and committed all or nothing.

use std::path::{Path, PathBuf};

use super::{Fit, InputValue, Objective, VoiResult};
use crate::analysis::solve::Z_95;
use crate::charts::{VoiBar, VoiChart};
use crate::format::{grouped, money_sig, pct_cell, round_sig, Lang};
use crate::output::report::page::{AnalysisPage, PageTable};
use crate::output::OutputError;

/// A gain in the objective for people: villages or percentage points to
/// two significant figures below 10 (`0.42`, `0.0031`), one decimal above;
/// money to three significant figures.
fn gain(o: Objective, lang: Lang, v: f64) -> String {
    let short = |x: f64| {
        if x == 0.0 || !x.is_finite() {
            grouped(x, 0)
        } else if x.abs() < 10.0 {
            let decimals = (1 - x.abs().log10().floor() as i32).max(0) as usize;
            grouped(round_sig(x, 2), decimals)
        } else {
            grouped(x, 1)
        }
    };
    match o {
        Objective::BelowFloor => short(v),
        Objective::FullCoverage => short(v * 100.0),
        Objective::MeanIncome | Objective::NetBenefit => money_sig(lang, v),
    }
}

/// A gain with its meaning: "0.42 fewer villages below the floor".
fn gain_words(o: Objective, lang: Lang, v: f64) -> String {
    let g = gain(o, lang, v);
    match (o, lang) {
        (Objective::BelowFloor, Lang::En) => format!("{g} fewer villages below the floor"),
        (Objective::BelowFloor, Lang::Zh) => format!("低于底线的村平均减少 {g} 个"),
        (Objective::FullCoverage, Lang::En) => format!("{g} percentage points more chance of full coverage"),
        (Objective::FullCoverage, Lang::Zh) => format!("全部达到底线的概率提高 {g} 个百分点"),
        (Objective::MeanIncome, Lang::En) => format!("{g} more mean income per village"),
        (Objective::MeanIncome, Lang::Zh) => format!("村均收入增加 {g}"),
        (Objective::NetBenefit, Lang::En) => format!("{g} more net benefit"),
        (Objective::NetBenefit, Lang::Zh) => format!("净收益增加 {g}"),
    }
}

/// A policy's figure for people.
fn figure(o: Objective, lang: Lang, v: f64) -> String {
    match o {
        Objective::BelowFloor => grouped(v, 1),
        Objective::FullCoverage => crate::format::pct(v),
        Objective::MeanIncome | Objective::NetBenefit => money_sig(lang, v),
    }
}

/// The gain's unit, for the chart's axis and the tables' headers.
fn unit(o: Objective, lang: Lang) -> &'static str {
    match (o, lang) {
        (Objective::BelowFloor, Lang::En) => "villages below the floor avoided",
        (Objective::BelowFloor, Lang::Zh) => "减少的低于底线村数",
        (Objective::FullCoverage, Lang::En) => "percentage points of P(full coverage)",
        (Objective::FullCoverage, Lang::Zh) => "全部达标概率（百分点）",
        (Objective::MeanIncome, _) | (Objective::NetBenefit, _) => "",
    }
}

/// The unit of [`crate::format::money_sig_cell`]: yuan, 万元.
fn money_unit(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "yuan",
        Lang::Zh => "万元",
    }
}

/// Whether an estimate is more than 1.96 standard errors above 0.
fn clearly_positive(value: f64, se: f64) -> bool {
    value > Z_95 * se && value > 0.0
}

/// The input worth most, when it is worth more than its error.
fn top(r: &VoiResult) -> Option<&InputValue> {
    r.inputs
        .first()
        .filter(|i| clearly_positive(i.partial.evppi.value, i.partial.evppi.se))
}

/// "0.42 fewer villages (± 0.05)", with full-width brackets in Chinese.
fn with_error(lang: Lang, value: String, half_width: String) -> String {
    match lang {
        Lang::En => format!("{value} (± {half_width})"),
        Lang::Zh => format!("{value}（± {half_width}）"),
    }
}

/// The message in one sentence, true of `voi.csv` and the chart.
pub fn sentence(r: &VoiResult, lang: Lang) -> String {
    let o = r.objective;
    let what = o.words(lang, r.year);
    let best = r.policy_label(r.best, lang);
    let mean = figure(o, lang, r.means[r.best].value);
    let k = r.policies.len();
    let runs = grouped(r.runs as f64, 0);
    let (evpi, hw) = (r.evpi.value, Z_95 * r.evpi.se);
    let en = lang == Lang::En;
    let start = if en {
        format!("Choosing among {k} policies on {what}, \"{best}\" is best on average ({mean})")
    } else {
        format!("以{what}在 {k} 项政策中选择，平均而言“{best}”最好（{mean}）")
    };
    if evpi <= 0.0 {
        return if en {
            format!(
                "{start}, and best in every one of the {runs} runs: no information would change the choice (EVPI 0)."
            )
        } else {
            format!("{start}，且在全部 {runs} 次模拟中都最好：任何信息都不会改变选择（EVPI 为 0）。")
        };
    }
    let evpi_text = with_error(lang, gain_words(o, lang, evpi), gain(o, lang, hw));
    if !clearly_positive(evpi, r.evpi.se) {
        return if en {
            format!("{start}; perfect information on every input would be worth {evpi_text}, which {runs} runs cannot tell from nothing (EVPI).")
        } else {
            format!("{start}；掌握全部输入的完全信息价值为{evpi_text}，{runs} 次模拟无法将其与零区分（EVPI）。")
        };
    }
    let Some(t) = top(r) else {
        return if en {
            format!("{start}; perfect information on every input would be worth {evpi_text} (EVPI), but no single input learned alone is worth more than its Monte Carlo error: the value lies in the inputs together ({runs} runs).")
        } else {
            format!("{start}；掌握全部输入的完全信息价值为{evpi_text}（EVPI），但单独查明任何一个输入的价值都不超过其蒙特卡洛误差：价值在于各输入的组合（{runs} 次模拟）。")
        };
    };
    let p = &t.partial;
    let share = pct_cell(p.evppi.value / evpi);
    let switch = pct_cell(p.switch_share);
    let evppi_text = with_error(
        lang,
        gain_words(o, lang, p.evppi.value),
        gain(o, lang, Z_95 * p.evppi.se),
    );
    if en {
        format!(
            "{start}. Perfect information on every input would be worth {evpi_text} (EVPI); the input most worth resolving before deciding is {}, worth {evppi_text} alone, {share} of the EVPI: knowing it would change the choice in {switch} of runs ({runs} runs).",
            t.name
        )
    } else {
        format!(
            "{start}。掌握全部输入的完全信息价值为{evpi_text}（EVPI）；决策前最值得查明的是 {}，单独查明价值为{evppi_text}，占 EVPI 的 {share}：查明后 {switch} 的模拟会改变选择（{runs} 次模拟）。",
            t.name
        )
    }
}

/// `voi.csv`: the EVPI (`scope` = `all`), then every input's EVPPI
/// (`scope` = `one`), largest first.
///
/// Columns: `scope`, `input`, `value` and `se` (the gain in the objective,
/// in its units: villages, probability, yuan), `share_of_evpi`,
/// `switch_share` (the share of runs in which the information changes the
/// choice), `fit` (see `analysis::voi::estimate`), then `objective`,
/// `year`, `chosen_policy` and `runs`. Inputs drawn in only some runs
/// follow with `scope` = `left_out` and empty figures.
///
/// # Errors
///
/// [`OutputError::Encode`] when the CSV cannot be written.
pub fn csv(r: &VoiResult) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "voi.csv".into(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scope",
        "input",
        "value",
        "se",
        "share_of_evpi",
        "switch_share",
        "fit",
        "objective",
        "year",
        "chosen_policy",
        "runs",
    ])
    .map_err(err)?;
    let year = r.year.map_or(String::new(), |y| y.to_string());
    let tail = [
        r.objective.name().to_string(),
        year,
        r.policies[r.best][0].clone(),
        r.runs.to_string(),
    ];
    let share = |v: f64| {
        if r.evpi.value > 0.0 {
            format!("{}", v / r.evpi.value)
        } else {
            String::new()
        }
    };
    let mut row = |head: [String; 7]| w.write_record(head.iter().chain(&tail)).map_err(err);
    row([
        "all".into(),
        String::new(),
        format!("{}", r.evpi.value),
        format!("{}", r.evpi.se),
        share(r.evpi.value),
        format!("{}", 1.0 - r.best_shares[r.best]),
        String::new(),
    ])?;
    for i in &r.inputs {
        let p = &i.partial;
        row([
            "one".into(),
            i.name.clone(),
            format!("{}", p.evppi.value),
            format!("{}", p.evppi.se),
            share(p.evppi.value),
            format!("{}", p.switch_share),
            p.fit.label(),
        ])?;
    }
    for (name, _) in &r.left_out {
        row([
            "left_out".into(),
            name.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "voi.csv".into(),
        message: e.to_string(),
    })
}

/// The chart's title: the message, short.
fn chart_title(r: &VoiResult, lang: Lang) -> String {
    match (top(r), lang) {
        (Some(t), Lang::En) => format!("Worth most to learn before choosing: {}", t.name),
        (Some(t), Lang::Zh) => format!("决策前最值得查明的是 {}", t.name),
        (None, Lang::En) => "No single input is clearly worth learning before choosing".into(),
        (None, Lang::Zh) => "没有哪个输入明显值得在决策前单独查明".into(),
    }
}

/// The chart's view.
fn chart(r: &VoiResult, lang: Lang) -> VoiChart {
    let o = r.objective;
    let runs = grouped(r.runs as f64, 0);
    let what = o.words(lang, r.year);
    let k = r.policies.len();
    let u = unit(o, lang);
    VoiChart {
        lang,
        title: chart_title(r, lang),
        subtitle: match lang {
            Lang::En => format!(
                "{}: {k} policies compared on {what}; {runs} runs; bars ±{Z_95:.2} SE",
                r.scenario_label(lang)
            ),
            Lang::Zh => format!(
                "{}：以{what}比较 {k} 项政策；{runs} 次模拟；误差线 ±{Z_95:.2} 个标准误",
                r.scenario_label(lang)
            ),
        },
        x_label: {
            let u = if o.is_money() { money_unit(lang) } else { u };
            match lang {
                Lang::En => format!("Expected value of perfect information ({u})"),
                Lang::Zh => format!("完全信息的期望价值（{u}）"),
            }
        },
        evpi: r.evpi.value,
        bars: (r.inputs.iter())
            .map(|i| VoiBar {
                name: i.name.clone(),
                value: i.partial.evppi.value,
                half_width: Z_95 * i.partial.evppi.se,
            })
            .collect(),
        show: Box::new(move |v| gain(o, lang, v)),
        tick: Box::new(move |v| {
            if o.is_money() {
                crate::format::money_sig_cell(lang, v)
            } else {
                gain(o, lang, v)
            }
        }),
    }
}

/// The fit in words, for the table.
fn fit_words(fit: Fit, lang: Lang) -> String {
    match (fit, lang) {
        (Fit::Constant, Lang::En) => "constant".into(),
        (Fit::Constant, Lang::Zh) => "常数".into(),
        (Fit::Levels(k), Lang::En) => format!("{k} values"),
        (Fit::Levels(k), Lang::Zh) => format!("{k} 个取值"),
        (Fit::Pieces(k), Lang::En) => format!("{k} linear pieces"),
        (Fit::Pieces(k), Lang::Zh) => format!("{k} 段线性"),
    }
}

/// The report's page, in `lang`.
fn page(r: &VoiResult, lang: Lang, chart_svg: Option<String>) -> AnalysisPage {
    let zh = lang == Lang::Zh;
    let o = r.objective;
    let g = |v: f64| gain(o, lang, v);
    let share = |v: f64| {
        if r.evpi.value > 0.0 {
            pct_cell(v / r.evpi.value)
        } else {
            "–".into()
        }
    };
    let mut input_rows = vec![vec![
        if zh {
            "全部输入（EVPI）"
        } else {
            "Every input (EVPI)"
        }
        .to_string(),
        g(r.evpi.value),
        g(Z_95 * r.evpi.se),
        share(r.evpi.value),
        pct_cell(1.0 - r.best_shares[r.best]),
        String::new(),
    ]];
    input_rows.extend(r.inputs.iter().map(|i| {
        let p = &i.partial;
        vec![
            i.name.clone(),
            g(p.evppi.value),
            g(Z_95 * p.evppi.se),
            share(p.evppi.value),
            pct_cell(p.switch_share),
            fit_words(p.fit, lang),
        ]
    }));
    let u = unit(o, lang);
    let value_head = match (zh, u.is_empty()) {
        (false, true) => "Value of perfect information".to_string(),
        (false, false) => format!("Value ({u})"),
        (true, true) => "完全信息价值".to_string(),
        (true, false) => format!("价值（{u}）"),
    };
    let inputs = PageTable {
        title: if zh {
            "各输入的信息价值"
        } else {
            "The value of learning each input"
        }
        .into(),
        head: vec![
            if zh { "输入" } else { "Input" }.into(),
            value_head,
            "± 1.96 SE".into(),
            if zh { "占 EVPI" } else { "Share of EVPI" }.into(),
            if zh {
                "改变选择的模拟占比"
            } else {
                "Choice changes in"
            }
            .into(),
            if zh { "拟合" } else { "Fit" }.into(),
        ],
        rows: input_rows,
    };
    let policies = PageTable {
        title: if zh {
            "所比较的政策"
        } else {
            "The policies chosen between"
        }
        .into(),
        head: vec![
            if zh { "政策" } else { "Policy" }.into(),
            crate::format::sentence_start(&o.words(lang, r.year)),
            "± 1.96 SE".into(),
            if zh { "为最优的模拟占比" } else { "Best in" }.into(),
        ],
        rows: (0..r.policies.len())
            .map(|d| {
                let mark = if d == r.best {
                    if zh {
                        "（平均最优）"
                    } else {
                        " (best on average)"
                    }
                } else {
                    ""
                };
                vec![
                    format!("{}{mark}", r.policy_label(d, lang)),
                    figure(o, lang, r.means[d].value),
                    figure(o, lang, Z_95 * r.means[d].se),
                    pct_cell(r.best_shares[d]),
                ]
            })
            .collect(),
    };
    let mut notes = Vec::new();
    if !r.left_out.is_empty() {
        let list: Vec<String> = (r.left_out.iter())
            .map(|(n, k)| {
                if zh {
                    format!("{n}（{k} 次）")
                } else {
                    format!("{n} ({k} runs)")
                }
            })
            .collect();
        notes.push(if zh {
            format!("未计算：只在部分模拟中抽取的输入 {}。", list.join("、"))
        } else {
            format!(
                "Not estimated: inputs drawn in only some of the runs, {}.",
                list.join(", ")
            )
        });
    }
    let method = if zh {
        vec![
            "情景只模拟一次，所有政策使用相同的随机数；每次模拟记下其抽取的各不确定输入（与 run --samples 相同：按村或按年抽取的输入记其在规划期内的平均值，因此其信息价值是查明该平均值的价值）。不再获取信息时，选择各次模拟平均目标值最好的政策。".to_string(),
            "EVPI（完全信息的期望价值）= 各次模拟中最优政策的目标值减去平均最优政策的目标值，再取平均；标准误为该差值的标准差除以模拟次数的平方根。".to_string(),
            "EVPPI（单个输入的完全信息期望价值）用 Strong、Oakley 与 Brennan（2014，Medical Decision Making 34(3):311–326）的回归法估计：把各政策相对于平均最优政策的净收益差回归到该输入上（输入取值不超过 12 个且平均每个取值至少 5 次模拟时按取值分组求均值；否则对输入的秩做连续分段线性回归，段数为模拟次数的立方根，2 至 8 段），EVPPI 为各次模拟中拟合值正部的最大值的平均。标准误合并回归系数的抽样误差（200 次系数抽样）与样本误差。该估计因拟合噪声略偏高，不影响决策的输入的估计值在约两个标准误之内接近 0。".to_string(),
        ]
    } else {
        vec![
            "The scenario is simulated once, every policy on the same random numbers, and each run notes the uncertain inputs it drew (as run --samples does: an input drawn per village or per year is noted as the mean of its draws within the horizon, so its value of information is that of learning this mean). Without further information, the policy with the best mean over the runs is chosen.".to_string(),
            "EVPI (the expected value of perfect information): the mean over the runs of the best policy's figure in that run less the figure of the policy best on average; its standard error is that of a mean over the runs.".to_string(),
            "EVPPI (the expected value of perfect information on one input) is estimated by the regression method of Strong, Oakley and Brennan (2014, Medical Decision Making 34(3):311-326): each policy's net benefit less that of the policy best on average is regressed on the input (one mean per value for an input with at most 12 values and at least 5 runs per value; otherwise a continuous piecewise-linear function of the input's rank, with the cube root of the runs as pieces, 2 to 8), and the EVPPI is the mean over the runs of the largest positive fitted difference. Its standard error joins the regression's (200 draws of the coefficients) and the sample's. The estimate is biased upwards by the noise of the fit: an input that cannot change the decision gets a value within about two standard errors of 0.".to_string(),
        ]
    };
    let command = format!(
        "villagesim voi {} --objective {} --policies \"{}\" --runs {} --seed {}",
        r.scenario_file,
        o.name().replace('_', "-"),
        r.policies.iter().map(|p| p[0].as_str()).collect::<Vec<_>>().join(","),
        r.runs,
        r.seed
    );
    let page = AnalysisPage::new(
        lang,
        "voi",
        if zh {
            format!("{}：决策前值得查明什么", r.scenario_label(lang))
        } else {
            format!("{}: what is worth finding out before deciding", r.scenario_label(lang))
        },
        sentence(r, lang),
        chart_title(r, lang),
        chart_svg,
    );
    AnalysisPage {
        tables: vec![inputs, policies],
        notes,
        method,
        ..page
    }
    .with_provenance(&r.scenario_file, command)
}

/// Writes `voi.csv`, the chart and `report.html` / `report.md` of `r` into
/// `dir`, all or nothing. Returns the files written, relative to `dir`.
///
/// # Errors
///
/// [`OutputError`] when a file cannot be written; an earlier result in
/// `dir` is then left as it was.
pub fn write(r: &VoiResult, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, OutputError> {
    crate::analysis::write_analysis(
        dir,
        &[("voi.csv", csv(r)?)],
        |charts| crate::charts::write_voi(&chart(r, lang), charts),
        |svg| page(r, lang, svg),
    )
}
