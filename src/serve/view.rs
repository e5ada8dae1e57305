//! What the page shows of a run: the brief's headline sentences, each
//! policy's headline figures (those of `summary.json`) and villages at
//! risk, and the main charts, in the page's language.

use serde::Serialize;

use crate::charts::{run_chart_svgs, ChartError};
use crate::format::Lang;
use crate::output::report::lead;
use crate::output::summary_json::{self, PolicySummary};
use crate::summary::results::Results;

/// The charts the page shows, by file stem.
pub const CHARTS: [&str; 2] = ["fan_mean_income", "below_floor"];

/// Villages at risk listed per policy (the count of all is given).
pub const AT_RISK_SHOWN: usize = 12;

/// One run's answer as the page shows it.
#[derive(Debug, Serialize)]
pub struct View {
    pub gen: u64,
    /// "quick" (the first runs) or "full" (every run).
    pub stage: &'static str,
    pub runs: u64,
    pub total_runs: u64,
    pub lang: &'static str,
    pub scenario: String,
    pub final_year: i32,
    /// The brief's lead sentence.
    pub lead: String,
    /// How precise a quick answer is, in words; empty for the full answer.
    pub precision: String,
    pub policies: Vec<PolicyView>,
    pub charts: Vec<ChartView>,
}

/// One policy's answer.
#[derive(Debug, Serialize)]
pub struct PolicyView {
    pub label: String,
    /// The terminal's one line for it.
    pub line: String,
    /// Its figures in `summary.json` (final year), with standard errors.
    pub summary: PolicySummary,
    /// Those figures in words, rounded as the brief rounds them.
    pub texts: Texts,
    /// The villages below the floor in the final year in at least
    /// [`AT_RISK`](crate::output::report::AT_RISK) of the runs, most at risk first: at most
    /// [`AT_RISK_SHOWN`] of them, of `at_risk_count`.
    pub at_risk: Vec<RiskRow>,
    pub at_risk_count: usize,
}

/// A policy's figures as the page prints them: each mean rounded to what
/// its Monte Carlo error supports ([`crate::format::count`],
/// [`crate::format::money_mc`]), then ± two standard errors.
#[derive(Debug, Serialize)]
pub struct Texts {
    pub below_floor: String,
    pub income: String,
    pub all_above: String,
}

impl Texts {
    fn of(s: &PolicySummary, lang: Lang) -> Texts {
        use crate::format::{count, money, money_mc, pct, round_sig};
        let (b, i) = (&s.expected_villages_below_floor, &s.mean_village_income_yuan);
        Texts {
            below_floor: format!("{} ± {}", count(b.mean, b.se), count(2.0 * b.se, b.se)),
            income: format!(
                "{} ± {}",
                money_mc(lang, i.mean, i.se),
                money(lang, round_sig(2.0 * i.se, 2))
            ),
            all_above: pct(s.p_all_above_floor.value),
        }
    }
}

/// A village at risk.
#[derive(Debug, Serialize)]
pub struct RiskRow {
    pub village: String,
    pub township: Option<String>,
    pub p_below_floor: f64,
    pub mean_income_yuan: f64,
    /// The mean income to three significant figures, and the chance, in
    /// words.
    pub income_text: String,
    pub chance_text: String,
}

/// A chart.
#[derive(Debug, Serialize)]
pub struct ChartView {
    pub stem: &'static str,
    pub title: String,
    pub svg: String,
}

/// The view of job `gen`'s results `r` at `stage`, of `total_runs`, in
/// `lang`.
///
/// # Errors
///
/// [`ChartError`] when a chart cannot be drawn.
pub fn view(gen: u64, stage: &'static str, r: &Results, total_runs: u64, lang: Lang) -> Result<View, ChartError> {
    let summary = summary_json::summary(r);
    let t_final = r.policies.first().map_or(0, |p| p.years.len().saturating_sub(1));
    let policies = r
        .policies
        .iter()
        .zip(summary.policies)
        .map(|(p, summary)| {
            let risk = crate::output::report::at_risk(p);
            let at_risk_count = risk.len();
            let at_risk = risk
                .into_iter()
                .take(AT_RISK_SHOWN)
                .map(|v| {
                    let y = &p.villages[v][t_final];
                    RiskRow {
                        village: r.villages[v].label(lang).to_string(),
                        township: r.villages[v].township_label(lang).map(str::to_string),
                        p_below_floor: y.p_below_floor,
                        mean_income_yuan: y.income_yuan.mean,
                        income_text: crate::format::money(lang, crate::format::round_sig(y.income_yuan.mean, 3)),
                        chance_text: crate::format::pct_cell(y.p_below_floor),
                    }
                })
                .collect();
            PolicyView {
                label: p.label(lang).to_string(),
                line: lead::policy_line(r, p, lang),
                texts: Texts::of(&summary, lang),
                summary,
                at_risk,
                at_risk_count,
            }
        })
        .collect();
    let charts = run_chart_svgs(r, &CHARTS, lang)?
        .into_iter()
        .map(|(file, svg)| ChartView {
            stem: file.stem,
            title: file.title,
            svg,
        })
        .collect();
    Ok(View {
        gen,
        stage,
        runs: r.runs,
        total_runs,
        lang: match lang {
            Lang::En => "en",
            Lang::Zh => "zh",
        },
        scenario: r.scenario_label(lang).to_string(),
        final_year: r.final_year,
        lead: lead::headline(r, lang),
        precision: precision(r, stage, total_runs, lang),
        policies,
        charts,
    })
}

/// "Quick answer from the first 200 of 4,000 runs: the villages below the
/// floor in 2030 carry a Monte Carlo error of up to ±0.4 ...": twice the
/// largest standard error of the policies' final-year villages below the
/// floor, for the quick stage.
fn precision(r: &Results, stage: &str, total: u64, lang: Lang) -> String {
    if stage != "quick" {
        return String::new();
    }
    let se = r
        .policies
        .iter()
        .filter_map(|p| p.years.last().map(|y| y.below_floor.se))
        .fold(0.0_f64, f64::max);
    let (runs, total) = (
        crate::format::thousands(r.runs as f64),
        crate::format::thousands(total as f64),
    );
    let pm = crate::format::round_sig(2.0 * se, 2);
    match lang {
        Lang::En => format!(
            "Quick answer from the first {runs} of {total} runs: the villages below the floor in {} carry a Monte Carlo error of up to ±{pm} (two standard errors, the largest of the policies). The full answer follows.",
            r.final_year
        ),
        Lang::Zh => format!(
            "快速结果：基于 {total} 次模拟中的前 {runs} 次；{}年低于底线村数的蒙特卡洛误差至多约 ±{pm}（两个标准误，取各政策中最大者）。完整结果随后给出。",
            r.final_year
        ),
    }
}
