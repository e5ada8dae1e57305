//! The target group: the villages that start below the weak line (or, when
//! none does, below the floor) in the baseline year, and their income under
//! each policy. Mean village income is dominated by the rich villages; the
//! planner's question is about these.
//!
//! Computed from [`Results`] alone (the villages' own figures), so a saved
//! `results.json` gives the same group and figures:
//!
//! - `mean_yuan`: the mean over the group of each village's mean income,
//!   which is exactly the mean over runs of the group's mean income;
//! - `p5_yuan`, `p95_yuan`: the mean over the group of each village's own
//!   P5 and P95 over the runs: how far a typical member's income may fall
//!   or rise (not an interval of the group mean, which is narrower);
//! - `below_floor`: the expected number of group villages below the floor
//!   (the sum of their probabilities).

use super::results::Results;

/// The target group and its income by policy and year.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    /// Indices into [`Results::villages`].
    pub villages: Vec<usize>,
    /// The line that defines the group: the weak line, or the floor when no
    /// village starts below the weak line, yuan.
    pub line_yuan: f64,
    /// `policies[p]`: one entry per year of policy `p`'s villages.
    pub policies: Vec<Vec<TargetGroupYear>>,
}

/// The target group under one policy in one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetGroupYear {
    pub year: i32,
    pub mean_yuan: f64,
    pub p5_yuan: f64,
    pub p95_yuan: f64,
    pub below_floor: f64,
}

/// The villages below `line` in the baseline year (by their first year's
/// mean income under "no intervention").
fn below_at_baseline(r: &Results, line: f64) -> Vec<usize> {
    let Some(p) = r.policies.first() else {
        return Vec::new();
    };
    p.villages
        .iter()
        .enumerate()
        .filter(|(_, years)| {
            years
                .iter()
                .find(|y| y.year == r.baseline_year)
                .is_some_and(|y| y.income_yuan.mean < line)
        })
        .map(|(v, _)| v)
        .collect()
}

/// The target group of `r` (empty when every village starts at or above
/// the floor).
pub fn target_group(r: &Results) -> TargetGroup {
    let mut line_yuan = r.weak_yuan;
    let mut villages = below_at_baseline(r, r.weak_yuan);
    if villages.is_empty() {
        line_yuan = r.floor_yuan;
        villages = below_at_baseline(r, r.floor_yuan);
    }
    let policies = r
        .policies
        .iter()
        .map(|p| {
            let years = p.villages.first().map_or(0, Vec::len);
            (0..years)
                .filter_map(|t| {
                    let members: Vec<_> = villages.iter().filter_map(|&v| p.villages.get(v)?.get(t)).collect();
                    let first = members.first()?;
                    let k = members.len() as f64;
                    let avg = |f: &dyn Fn(&crate::summary::results::VillageYear) -> f64| {
                        members.iter().map(|y| f(y)).sum::<f64>() / k
                    };
                    Some(TargetGroupYear {
                        year: first.year,
                        mean_yuan: avg(&|y| y.income_yuan.mean),
                        p5_yuan: avg(&|y| y.income_yuan.p5),
                        p95_yuan: avg(&|y| y.income_yuan.p95),
                        below_floor: avg(&|y| y.p_below_floor) * k,
                    })
                })
                .collect()
        })
        .collect();
    TargetGroup {
        villages,
        line_yuan,
        policies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::sample_results;

    /// The sample's villages start at 300,000, 400,000 and 500,000 yuan:
    /// none below the weak line (300,000), two below the floor (500,000).
    #[test]
    fn the_villages_below_the_line_at_baseline() {
        let r = sample_results();
        let g = target_group(&r);
        assert_eq!(g.villages, vec![0, 1]);
        assert_eq!(g.line_yuan, 500_000.0);
        assert_eq!(g.policies.len(), 2);
        let y = g.policies[0][0];
        assert_eq!(y.year, 2021);
        assert_eq!(y.mean_yuan, 350_000.0);
        assert!(y.p5_yuan < y.mean_yuan && y.p95_yuan > y.mean_yuan);
        assert!((y.below_floor - 1.0).abs() < 1e-12);
    }
}
