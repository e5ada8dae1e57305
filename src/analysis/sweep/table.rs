//! `sweep.csv` and the lines printed after a sweep.

use super::{show, Outcome, SweepResult};
use crate::format::{count, pad_end, pct, Lang};
use crate::output::OutputError;
use crate::summary::results::Stat;

/// The metrics of `sweep.csv`, in order: the first three in the point's
/// year (the `year` column), the others over its horizon (`year` is then
/// its final year).
pub const METRICS: [&str; 7] = [
    "mean_village_income_yuan",
    "p_full_coverage",
    "villages_below_floor",
    "first_full_coverage_year_half_runs",
    "p_full_coverage_by_final_year",
    "fiscal_cost_yuan",
    "money_committed_yuan",
];

/// A metric's figures: its statistic, whether its quantiles are written,
/// and whether it is of the horizon.
fn figures(o: &Outcome, metric: &str) -> (Option<Stat>, bool, bool) {
    let value = |x: f64| Stat {
        mean: x,
        se: f64::NAN,
        ..Stat::default()
    };
    match metric {
        "mean_village_income_yuan" => (Some(o.mean_income), true, false),
        "p_full_coverage" => (Some(o.full_coverage), false, false),
        "villages_below_floor" => (Some(o.below_floor), true, false),
        "first_full_coverage_year_half_runs" => (o.coverage_year.map(|y| value(f64::from(y))), false, true),
        "p_full_coverage_by_final_year" => (Some(value(o.p_coverage_by_end)), false, true),
        "fiscal_cost_yuan" => (o.fiscal_cost, true, true),
        _ => (o.committed, true, true),
    }
}

/// `sweep.csv`: one row per point, policy and metric. `parameter_N` and
/// `policy` are the keys (the same in every language); `parameter_N_label`
/// and `policy_label` are their words in `lang`. An empty `mean` of
/// `first_full_coverage_year_half_runs`: not reached in half the runs
/// within the horizon.
pub fn csv(result: &SweepResult, lang: Lang) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "sweep.csv".into(),
        message: e.to_string(),
    };
    let zh = usize::from(lang == Lang::Zh);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    for (a, _) in result.axes.iter().enumerate() {
        header.push(format!("parameter_{}", a + 1));
        header.push(format!("parameter_{}_label", a + 1));
        header.push(format!("value_{}", a + 1));
    }
    header.extend(
        [
            "year",
            "policy",
            "policy_label",
            "metric",
            "mean",
            "se",
            "p5",
            "p50",
            "p95",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    w.write_record(&header).map_err(err)?;
    let num = |x: f64| if x.is_finite() { format!("{x}") } else { String::new() };
    let labels = if zh == 1 { &result.policies_zh } else { &result.policies };
    for (k, point) in result.points.iter().enumerate() {
        for ((p, label), o) in result.policies.iter().zip(labels).zip(&point.outcomes) {
            for metric in METRICS {
                let mut row = vec![k.to_string()];
                for ((axis, v), words) in result.axes.iter().zip(&point.values).zip(&result.axis_words) {
                    row.push(axis.path.text.clone());
                    row.push(words[zh].clone());
                    row.push(num(*v));
                }
                let (s, quantiles, horizon) = figures(o, metric);
                row.push(if horizon { point.final_year } else { point.year }.to_string());
                row.push(p.clone());
                row.push(label.clone());
                row.push(metric.to_string());
                let s = s.unwrap_or(Stat {
                    mean: f64::NAN,
                    se: f64::NAN,
                    ..Stat::default()
                });
                row.push(num(s.mean));
                row.push(num(s.se));
                for q in [s.p5, s.p50, s.p95] {
                    row.push(if quantiles { num(q) } else { String::new() });
                }
                w.write_record(&row).map_err(err)?;
            }
        }
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "sweep.csv".into(),
        message: e.to_string(),
    })
}

/// The lines printed after a sweep, in `lang`: per point and policy the
/// villages below the floor in the year of the outcomes and the chance of
/// full coverage by the final year; the parameters in words.
pub fn table(result: &SweepResult, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let floor = crate::format::money(lang, result.floor_yuan);
    let runs = crate::format::grouped(result.runs as f64, 0);
    let head = if zh {
        let year = result.year.map_or("末年".to_string(), |y| format!("{y}年"));
        format!(
            "{}：{year}低于底线（{floor}）的村数，括号内为到末年实现全覆盖的概率；每点模拟 {runs} 次（随机种子 {}）：",
            result.scenario_name_zh, result.seed
        )
    } else {
        let year = result.year.map_or("the final year".to_string(), |y| y.to_string());
        format!(
            "{}: villages below the floor of {floor} in {year}, in brackets the chance of full coverage by the final year; {runs} runs per point (seed {}):",
            result.scenario_name, result.seed
        )
    };
    let names: Vec<&str> = result.axis_words.iter().map(|w| w[usize::from(zh)].as_str()).collect();
    let (times, comma, semicolon) = if zh {
        (" × ", "，", "；")
    } else {
        (" x ", ", ", "; ")
    };
    let policies = if zh { &result.policies_zh } else { &result.policies };
    let shown: Vec<String> = result
        .points
        .iter()
        .map(|point| {
            let at: Vec<String> = result
                .axes
                .iter()
                .zip(&point.values)
                .map(|(a, v)| show(a, *v, lang))
                .collect();
            at.join(comma)
        })
        .collect();
    let width = shown
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(s.as_str()))
        .max()
        .unwrap_or(0)
        .max(16);
    let mut lines = vec![head, format!("  {}", names.join(times))];
    for (point, at) in result.points.iter().zip(shown) {
        let cells: Vec<String> = policies
            .iter()
            .zip(&point.outcomes)
            .map(|(p, o)| {
                let below = count(o.below_floor.mean, o.below_floor.se);
                let full = pct(o.p_coverage_by_end);
                if zh {
                    format!("{p}：{below}（{full}）")
                } else {
                    format!("{p}: {below} ({full})")
                }
            })
            .collect();
        lines.push(format!("  {} {}", pad_end(&at, width), cells.join(semicolon)));
    }
    lines
}
