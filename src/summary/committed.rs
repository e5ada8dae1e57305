//! The money a policy commits each year, per run: bank loans drawn, village
//! equity paid in and public money moved (spent plus placed), and their
//! total, by year and over the whole horizon. Read from the interventions'
//! ledgers (`model::flows::Ledger`), beside the accounts
//! ([`super::accounts`]).
//!
//! The horizon's total is a quantity of each run (the run's years summed),
//! tallied like any other: its mean is the sum of the years' means, and its
//! quantiles are those of the runs' totals, so the brief can give it with
//! its 90% interval.

use super::accum::{Tally, FEN_PER_YUAN};
use super::results::MoneyCommitted;
use crate::model::{Flows, Policy};

/// The parts of [`MoneyCommitted`], in its order.
const PARTS: usize = 4;

/// One policy's committed money by year, accumulated over runs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CommittedAggregates {
    /// `years[t][part]`.
    years: Vec<[Tally; PARTS]>,
    /// Each run's sum over the years, `[part]`.
    horizon: [Tally; PARTS],
}

impl CommittedAggregates {
    pub fn new(years: usize) -> Self {
        CommittedAggregates {
            years: vec![std::array::from_fn(|_| Tally::new(FEN_PER_YUAN)); years],
            horizon: std::array::from_fn(|_| Tally::new(FEN_PER_YUAN)),
        }
    }

    /// Records one run of `policy` from its interventions' ledgers.
    pub fn record(&mut self, policy: &Policy, flows: &[Flows]) {
        let mut run = [0.0; PARTS];
        for (t, tallies) in self.years.iter_mut().enumerate() {
            let (mut bank, mut village, mut public) = (0.0, 0.0, 0.0);
            for &i in &policy.interventions {
                if let Some(l) = flows[i].ledger.get(t) {
                    bank += l.loan_drawdown_yuan;
                    village += l.village_equity_yuan;
                    public += l.public_money_yuan();
                }
            }
            let parts = [bank, village, public, bank + village + public];
            for ((tally, sum), x) in tallies.iter_mut().zip(&mut run).zip(parts) {
                tally.add(x);
                *sum += x;
            }
        }
        self.horizon.iter_mut().zip(run).for_each(|(tally, x)| tally.add(x));
    }

    pub fn merge(&mut self, other: &CommittedAggregates) {
        for (a, b) in self.years.iter_mut().zip(&other.years) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        self.horizon
            .iter_mut()
            .zip(&other.horizon)
            .for_each(|(x, y)| x.merge(y));
    }

    /// Year `t`'s figures (all zero when the year was never recorded).
    pub fn finish(&self, t: usize) -> MoneyCommitted {
        self.years.get(t).map_or_else(MoneyCommitted::default, parts)
    }

    /// The horizon's figures: each run's total over the years.
    pub fn finish_horizon(&self) -> MoneyCommitted {
        parts(&self.horizon)
    }
}

/// The four tallies as [`MoneyCommitted`].
fn parts(p: &[Tally; PARTS]) -> MoneyCommitted {
    MoneyCommitted {
        bank_loans_yuan: p[0].stat(),
        village_equity_yuan: p[1].stat(),
        public_money_yuan: p[2].stat(),
        total_yuan: p[3].stat(),
    }
}
