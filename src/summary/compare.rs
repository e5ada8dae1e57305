//! Paired comparisons of policies on common random numbers.
//!
//! All policies of a run share its random numbers, so the difference between
//! two policies is measured run by run: for policies `a` and `b` and run `r`,
//!
//! ```text
//! d_income[r] = mean village income under a - under b   (final year)
//! d_below[r]  = villages below the floor under a - under b (final year)
//! P(a beats b) = share of runs with d_income > 0 (ties count for neither)
//! ```
//!
//! Every ordered pair is compared up to
//! [`MAX_PAIRWISE_POLICIES`] policies; beyond that (pairs grow with the
//! square of the policies) every policy is compared with "no intervention"
//! and with the chosen reference only, in both directions.
//!
//! The year full coverage is first reached (every village at or above
//! the floor) has its own distribution per policy, with the probability that
//! it is never reached within the horizon.

use super::accum::{CountTally, Moments, Tally, FEN_PER_YUAN};
use super::results::{CoverageYear, Decisions, PairResults, Stat};
use crate::limits::MAX_PAIRWISE_POLICIES;

/// What one run of one policy contributes to comparisons.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOutcome {
    /// Mean operating income per village in the final year, yuan.
    pub final_mean_yuan: f64,
    /// Villages below the floor in the final year.
    pub final_below_floor: usize,
    /// Villages below the floor in the target year (the final year when
    /// the scenario sets none inside the horizon).
    pub target_below_floor: usize,
    /// The Gini coefficient of village incomes in the final year.
    pub final_gini: f64,
    /// Index (0 = baseline year) of the first year with every village at or
    /// above the floor.
    pub coverage_year: Option<usize>,
    /// Operating income of all villages summed over the simulated years,
    /// yuan, and the same discounted to the start year.
    pub income_sum_yuan: f64,
    pub income_pv_yuan: f64,
    /// Public money spent by the policy's interventions, yuan, and its
    /// present value.
    pub public_yuan: f64,
    pub public_pv_yuan: f64,
    /// The fiscal cost of the policy's interventions (spent + implicit
    /// subsidy + expected loss on capital placed: `model::accounts`), yuan,
    /// and its present value at the public discount rate.
    pub fiscal_cost_yuan: f64,
    pub fiscal_cost_pv_yuan: f64,
    /// Operating income of all villages over the simulated years, each year
    /// at its end, discounted at the public discount rate.
    pub income_public_pv_yuan: f64,
    /// Bank loans drawn and village equity paid in, yuan.
    pub private_yuan: f64,
    /// Whether any village with a loan had a year of negative net cash flow
    /// after its investment year.
    pub negative_cash_with_loan: bool,
    /// Mean operating income per village (yuan) and villages below the
    /// floor in the `[backtest]` year (0 without one).
    pub backtest_mean_yuan: f64,
    pub backtest_below_floor: usize,
}

/// One policy's final-year figures in one run, all a paired comparison
/// needs of it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunFinal {
    /// Mean operating income per village in the final year, yuan.
    pub mean_yuan: f64,
    /// Villages below the floor in the final year.
    pub below_floor: usize,
}

impl RunFinal {
    pub fn of(o: &RunOutcome) -> RunFinal {
        RunFinal {
            mean_yuan: o.final_mean_yuan,
            below_floor: o.final_below_floor,
        }
    }
}

/// Decision metrics of one policy, accumulated over runs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Decision {
    public: Tally,
    public_pv: Tally,
    fiscal: Tally,
    fiscal_pv: Tally,
    private: Tally,
    added: Tally,
    added_pv: Tally,
    added_public_pv: Tally,
    negative_cash_with_loan: CountTally,
    within_budget: CountTally,
}

impl Decision {
    fn new() -> Self {
        let money = || Tally::new(FEN_PER_YUAN);
        Decision {
            public: money(),
            public_pv: money(),
            fiscal: money(),
            fiscal_pv: money(),
            private: money(),
            added: money(),
            added_pv: money(),
            added_public_pv: money(),
            negative_cash_with_loan: CountTally::new(1),
            within_budget: CountTally::new(1),
        }
    }

    fn merge(&mut self, o: &Decision) {
        for (a, b) in [
            (&mut self.public, &o.public),
            (&mut self.public_pv, &o.public_pv),
            (&mut self.fiscal, &o.fiscal),
            (&mut self.fiscal_pv, &o.fiscal_pv),
            (&mut self.private, &o.private),
            (&mut self.added, &o.added),
            (&mut self.added_pv, &o.added_pv),
            (&mut self.added_public_pv, &o.added_public_pv),
        ] {
            a.merge(b);
        }
        self.negative_cash_with_loan.merge(&o.negative_cash_with_loan);
        self.within_budget.merge(&o.within_budget);
    }

    fn finish(&self, budget_yuan: Option<f64>) -> Decisions {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        let public = self.public.moments.mean();
        let mean = |t: &Tally| t.moments.mean();
        Decisions {
            public_money_yuan: self.public.stat(),
            public_money_pv_yuan: self.public_pv.stat(),
            private_money_yuan: self.private.stat(),
            income_added_yuan: self.added.stat(),
            income_added_pv_yuan: self.added_pv.stat(),
            fiscal_cost_yuan: self.fiscal.stat(),
            fiscal_cost_pv_yuan: self.fiscal_pv.stat(),
            income_added_per_fiscal_yuan: ratio(mean(&self.added), mean(&self.fiscal)),
            income_added_pv_per_fiscal_pv_yuan: ratio(mean(&self.added_public_pv), mean(&self.fiscal_pv)),
            leverage: ratio(self.private.moments.mean(), public),
            p_negative_cash_with_loan: self.negative_cash_with_loan.stat().mean,
            p_within_budget: budget_yuan.map(|_| self.within_budget.stat().mean),
        }
    }
}

/// A statistic of `x + offset` turned back into one of `x`.
fn shifted(s: Stat, offset: f64) -> Stat {
    Stat {
        mean: s.mean - offset,
        min: s.min - offset,
        p5: s.p5 - offset,
        p10: s.p10 - offset,
        p25: s.p25 - offset,
        p50: s.p50 - offset,
        p75: s.p75 - offset,
        p90: s.p90 - offset,
        p95: s.p95 - offset,
        max: s.max - offset,
        ..s
    }
}

/// The ordered pairs `(a, b)` compared, grouped by `b`: every pair up to
/// [`MAX_PAIRWISE_POLICIES`] policies, otherwise each policy against policy 0
/// and against `reference`, both ways.
pub fn compared_pairs(policies: usize, reference: usize) -> Vec<(usize, usize)> {
    let all = policies <= MAX_PAIRWISE_POLICIES;
    let hub = |p: usize| p == 0 || p == reference;
    (0..policies)
        .flat_map(|b| (0..policies).map(move |a| (a, b)))
        .filter(|&(a, b)| a != b && (all || hub(a) || hub(b)))
        .collect()
}

/// Paired differences of one ordered pair of policies.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Pair {
    a: usize,
    b: usize,
    income: Tally,
    /// `below_a - below_b + villages`, so the exact histogram starts at 0.
    below: CountTally,
    a_higher_income: u64,
    a_fewer_below: u64,
}

/// Comparisons of every pair of policies, and the coverage year of each.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Comparisons {
    pairs: Vec<Pair>,
    /// Per policy: first full-coverage year index, `years + 1` for never.
    coverage: Vec<CountTally>,
    villages: usize,
    decisions: Vec<Decision>,
    budget_yuan: Option<f64>,
}

impl Comparisons {
    /// For `policies` policies over `span` reported years (baseline
    /// included); `reference` is compared with every policy when there are
    /// too many policies for every pair.
    pub fn new(policies: usize, reference: usize, span: usize, villages: usize, budget_yuan: Option<f64>) -> Self {
        let pairs = compared_pairs(policies, reference)
            .into_iter()
            .map(|(a, b)| Pair {
                a,
                b,
                income: Tally::new(FEN_PER_YUAN),
                below: CountTally::new(2 * villages),
                a_higher_income: 0,
                a_fewer_below: 0,
            })
            .collect();
        Comparisons {
            pairs,
            coverage: vec![CountTally::new(span); policies],
            villages,
            decisions: vec![Decision::new(); policies],
            budget_yuan,
        }
    }

    /// Records one run: `outcomes[p]` for every policy.
    pub fn record(&mut self, outcomes: &[RunOutcome], span: usize) {
        self.record_pairs(&|p| RunFinal::of(&outcomes[p]));
        for (tally, o) in self.coverage.iter_mut().zip(outcomes) {
            tally.add(o.coverage_year.unwrap_or(span));
        }
        let reference = outcomes[0];
        for (d, o) in self.decisions.iter_mut().zip(outcomes) {
            d.public.add(o.public_yuan);
            d.public_pv.add(o.public_pv_yuan);
            d.fiscal.add(o.fiscal_cost_yuan);
            d.fiscal_pv.add(o.fiscal_cost_pv_yuan);
            d.private.add(o.private_yuan);
            d.added.add(o.income_sum_yuan - reference.income_sum_yuan);
            d.added_pv.add(o.income_pv_yuan - reference.income_pv_yuan);
            d.added_public_pv
                .add(o.income_public_pv_yuan - reference.income_public_pv_yuan);
            d.negative_cash_with_loan.add(usize::from(o.negative_cash_with_loan));
            d.within_budget
                .add(usize::from(self.budget_yuan.is_none_or(|b| o.public_yuan <= b)));
        }
    }

    /// Records the paired differences alone of one run, from `finals(p)`,
    /// each policy's final-year figures in that run: what [`record`] does
    /// for the pairs, for runs whose policies were simulated apart (policy
    /// groups, see [`crate::engine::Partial::assemble`]).
    ///
    /// [`record`]: Comparisons::record
    pub fn record_pairs(&mut self, finals: &dyn Fn(usize) -> RunFinal) {
        for p in &mut self.pairs {
            let (a, b) = (finals(p.a), finals(p.b));
            p.income.add(a.mean_yuan - b.mean_yuan);
            p.below.add(a.below_floor + self.villages - b.below_floor);
            p.a_higher_income += u64::from(a.mean_yuan > b.mean_yuan);
            p.a_fewer_below += u64::from(a.below_floor < b.below_floor);
        }
    }

    /// Sets policy `p`'s coverage years and decision metrics to those of
    /// policy `q` of `other` (the same policy, aggregated over the same runs
    /// in a group of policies: both measure against policy 0, which every
    /// group holds).
    pub fn take_policy(&mut self, p: usize, other: &Comparisons, q: usize) {
        self.coverage[p] = other.coverage[q].clone();
        self.decisions[p] = other.decisions[q].clone();
    }

    pub fn merge(&mut self, other: &Comparisons) {
        for (p, q) in self.pairs.iter_mut().zip(&other.pairs) {
            p.income.merge(&q.income);
            p.below.merge(&q.below);
            p.a_higher_income += q.a_higher_income;
            p.a_fewer_below += q.a_fewer_below;
        }
        for (a, b) in self.coverage.iter_mut().zip(&other.coverage) {
            a.merge(b);
        }
        for (a, b) in self.decisions.iter_mut().zip(&other.decisions) {
            a.merge(b);
        }
    }

    /// Every pair, named by policy.
    pub fn pairs(&self, names: &[String], runs: u64) -> Vec<PairResults> {
        let runs = runs.max(1) as f64;
        self.pairs
            .iter()
            .map(|p| PairResults {
                policy: names[p.a].clone(),
                reference: names[p.b].clone(),
                diff_mean_village_income_yuan: p.income.stat(),
                diff_villages_below_floor: shifted(p.below.stat(), self.villages as f64),
                p_higher_income: p.a_higher_income as f64 / runs,
                p_fewer_below_floor: p.a_fewer_below as f64 / runs,
            })
            .collect()
    }

    /// The paired differences of every policy against policy `b`, as
    /// `(a, income, below)`: the moments of the final year's difference in
    /// mean village income (yuan) and in villages below the floor (shifted
    /// by a constant, which leaves its standard error as it is).
    pub fn against(&self, b: usize) -> impl Iterator<Item = (usize, &Moments, &Moments)> {
        self.pairs
            .iter()
            .filter(move |p| p.b == b)
            .map(|p| (p.a, &p.income.moments, p.below.moments()))
    }

    /// Distribution of the first full-coverage year of policy `p`.
    pub fn coverage(&self, p: usize, baseline_year: i32, span: usize) -> Vec<CoverageYear> {
        let counts = self.coverage[p].counts();
        let runs = counts.iter().sum::<u64>().max(1) as f64;
        let mut cumulative = 0.0;
        (0..span)
            .map(|y| {
                let share = counts[y] as f64 / runs;
                cumulative += share;
                CoverageYear {
                    year: baseline_year + y as i32,
                    p_first_reached: share,
                    p_reached_by: cumulative,
                }
            })
            .collect()
    }

    /// Decision metrics of policy `p` (income added against policy 0).
    pub fn decisions(&self, p: usize) -> Decisions {
        self.decisions[p].finish(self.budget_yuan)
    }

    /// Probability that policy `p` never reaches full coverage in the horizon.
    pub fn p_never(&self, p: usize, span: usize) -> f64 {
        let counts = self.coverage[p].counts();
        counts[span] as f64 / counts.iter().sum::<u64>().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_up_to_the_limit_then_against_the_references() {
        assert_eq!(
            compared_pairs(3, 0),
            vec![(1, 0), (2, 0), (0, 1), (2, 1), (0, 2), (1, 2)]
        );
        let n = MAX_PAIRWISE_POLICIES;
        assert_eq!(compared_pairs(n, 0).len(), n * (n - 1));
        // Beyond: each policy against 0, both ways.
        let p = n + 5;
        let pairs = compared_pairs(p, 0);
        assert_eq!(pairs.len(), 2 * (p - 1));
        assert!(pairs.iter().all(|&(a, b)| a == 0 || b == 0));
        // With another reference, against both.
        let pairs = compared_pairs(p, 3);
        assert_eq!(pairs.len(), p * (p - 1) - (p - 2) * (p - 3));
        assert!(pairs.iter().all(|&(a, b)| [a, b].iter().any(|x| *x == 0 || *x == 3)));
        assert!(pairs.contains(&(7, 3)) && pairs.contains(&(3, 7)) && pairs.contains(&(7, 0)));
    }
}
