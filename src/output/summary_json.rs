//! `summary.json`: the headline figures per policy, each mean and
//! probability with its Monte Carlo standard error, and advice on the number
//! of runs.

use serde::Serialize;

use crate::format::Lang;
use crate::summary::results::{PolicyResults, Results};

/// A mean with its Monte Carlo standard error and quantiles.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Headline {
    pub mean: f64,
    pub se: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// A probability with its Monte Carlo standard error.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Probability {
    pub value: f64,
    pub se: f64,
}

/// Headline figures of one policy in the final year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PolicySummary {
    pub name: String,
    pub interventions: Vec<String>,
    /// Mean operating income per village, yuan.
    pub mean_village_income_yuan: Headline,
    /// Probability that every village is at or above the floor.
    pub p_all_above_floor: Probability,
    pub expected_villages_below_weak: Headline,
    pub expected_villages_below_floor: Headline,
    /// Where the scenario's `[backtest]` observation falls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backtest: Option<crate::summary::results::PolicyBacktest>,
    /// Costs, value for public money and risks over the horizon.
    pub decisions: Option<crate::summary::results::Decisions>,
    /// Probability that every village is at the floor in `[targets] year`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_full_coverage_in_target_year: Option<f64>,
}

/// The whole `summary.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub final_year: i32,
    pub runs: u64,
    pub seed: u64,
    pub villages: usize,
    pub floor_yuan: f64,
    pub weak_yuan: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_yuan: Option<f64>,
    pub quantile_relative_error: f64,
    pub policies: Vec<PolicySummary>,
    /// Plain-language warnings, e.g. that more runs are needed.
    pub advice: Vec<String>,
}

fn policy(p: &PolicyResults, target_year: Option<i32>) -> PolicySummary {
    let last = p.years.last().expect("a results year");
    let headline = |s: &crate::summary::results::Stat| Headline {
        mean: s.mean,
        se: s.se,
        p5: s.p5,
        p50: s.p50,
        p95: s.p95,
    };
    PolicySummary {
        name: p.name.clone(),
        interventions: p.interventions.clone(),
        mean_village_income_yuan: headline(&last.mean_income_yuan),
        p_all_above_floor: Probability {
            value: last.all_above_floor.mean,
            se: last.all_above_floor.se,
        },
        expected_villages_below_weak: headline(&last.below_weak),
        expected_villages_below_floor: headline(&last.below_floor),
        backtest: p.backtest.clone(),
        decisions: p.decisions.clone(),
        p_full_coverage_in_target_year: target_year
            .and_then(|year| p.years.iter().find(|y| y.year == year))
            .map(|y| y.all_above_floor.mean),
    }
}

/// Runs needed for the Monte Carlo error to be small against the gaps
/// between policies. Differences are paired (common random numbers), so the
/// standard error of a difference is that of the run-by-run differences:
/// a gap should be at least 4 of them. Gaps below 0.1% of mean income, or
/// below 1 percentage point of probability, are treated as no difference.
///
/// In `lang`: summary.json holds the English; the terminal prints the
/// language of `--lang`.
pub fn advice(results: &Results, policies: &[PolicySummary], lang: Lang) -> Vec<String> {
    let name = |n: &str| results.policy_label(n, lang).to_string();
    let mut advice = Vec::new();
    let mut needed: f64 = 0.0;
    let scale = policies
        .first()
        .map_or(1.0, |p| p.mean_village_income_yuan.mean.abs().max(1.0));
    for pair in &results.comparisons {
        let d = &pair.diff_mean_village_income_yuan;
        let gap = d.mean.abs();
        if gap > 1e-3 * scale && d.se > 0.0 && 4.0 * d.se > gap {
            needed = needed.max(results.runs as f64 * (4.0 * d.se / gap).powi(2));
            let (a, b) = (name(&pair.policy), name(&pair.reference));
            advice.push(match lang {
                Lang::En => format!(
                    "mean village income: \"{a}\" and \"{b}\" differ by {gap:.0} yuan with a paired standard error of {:.0}; the runs may not separate them",
                    d.se
                ),
                Lang::Zh => format!(
                    "村均收入：“{a}”与“{b}”相差 {gap:.0} 元，配对标准误为 {:.0} 元；模拟次数可能不足以区分两者",
                    d.se
                ),
            });
        }
    }
    for (i, a) in policies.iter().enumerate() {
        for b in &policies[i + 1..] {
            let (pa, pb) = (&a.p_all_above_floor, &b.p_all_above_floor);
            let (gap, se) = ((pa.value - pb.value).abs(), (pa.se * pa.se + pb.se * pb.se).sqrt());
            if gap >= 0.01 && se > 0.0 && 4.0 * se > gap {
                needed = needed.max(results.runs as f64 * (4.0 * se / gap).powi(2));
                let (a, b) = (name(&a.name), name(&b.name));
                advice.push(match lang {
                    Lang::En => format!(
                        "probability of full coverage: \"{a}\" and \"{b}\" differ by {gap:.3} with a standard error of {se:.3}; the runs may not separate them"
                    ),
                    Lang::Zh => format!(
                        "全覆盖概率：“{a}”与“{b}”相差 {gap:.3}，标准误为 {se:.3}；模拟次数可能不足以区分两者"
                    ),
                });
            }
        }
    }
    if needed > 0.0 {
        let suggestion = (needed.ceil() as u64)
            .next_power_of_two()
            .min(crate::limits::MAX_RUNS as u64);
        advice.push(match lang {
            Lang::En => format!("consider --runs {suggestion} (now {})", results.runs),
            Lang::Zh => format!("建议使用 --runs {suggestion}（当前为 {}）", results.runs),
        });
    }
    advice
}

/// Builds the summary of `results`.
pub fn summary(results: &Results) -> Summary {
    let policies: Vec<PolicySummary> = results
        .policies
        .iter()
        .map(|p| policy(p, results.target_year))
        .collect();
    Summary {
        scenario: results.scenario_name.clone(),
        final_year: results.final_year,
        runs: results.runs,
        seed: results.seed,
        villages: results.villages.len(),
        floor_yuan: results.floor_yuan,
        weak_yuan: results.weak_yuan,
        target_year: results.target_year,
        budget_yuan: results.budget_yuan,
        quantile_relative_error: results.quantile_relative_error,
        advice: advice(results, &policies, Lang::En),
        policies,
    }
}
