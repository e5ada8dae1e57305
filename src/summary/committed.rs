//! The money a policy commits each year, per run: bank loans drawn, village
//! equity paid in and public money moved (spent plus placed), and their
//! total. Read from the interventions' ledgers (`model::flows::Ledger`),
//! beside the accounts ([`super::accounts`]).

use super::accum::{Tally, FEN_PER_YUAN};
use super::results::MoneyCommitted;
use crate::model::{Flows, Policy};

/// The parts of [`MoneyCommitted`], in its order.
const PARTS: usize = 4;

/// One policy's committed money by year, accumulated over runs.
#[derive(Debug, Clone)]
pub struct CommittedAggregates {
    /// `years[t][part]`.
    years: Vec<[Tally; PARTS]>,
}

impl CommittedAggregates {
    pub fn new(years: usize) -> Self {
        CommittedAggregates {
            years: vec![std::array::from_fn(|_| Tally::new(FEN_PER_YUAN)); years],
        }
    }

    /// Records one run of `policy` from its interventions' ledgers.
    pub fn record(&mut self, policy: &Policy, flows: &[Flows]) {
        for (t, tallies) in self.years.iter_mut().enumerate() {
            let (mut bank, mut village, mut public) = (0.0, 0.0, 0.0);
            for &i in &policy.interventions {
                if let Some(l) = flows[i].ledger.get(t) {
                    bank += l.loan_drawdown_yuan;
                    village += l.village_equity_yuan;
                    public += l.public_money_yuan();
                }
            }
            for (tally, x) in tallies.iter_mut().zip([bank, village, public, bank + village + public]) {
                tally.add(x);
            }
        }
    }

    pub fn merge(&mut self, other: &CommittedAggregates) {
        for (a, b) in self.years.iter_mut().zip(&other.years) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
    }

    /// Year `t`'s figures (all zero when the year was never recorded).
    pub fn finish(&self, t: usize) -> MoneyCommitted {
        let Some(p) = self.years.get(t) else {
            return MoneyCommitted::default();
        };
        MoneyCommitted {
            bank_loans_yuan: p[0].stat(),
            village_equity_yuan: p[1].stat(),
            public_money_yuan: p[2].stat(),
            total_yuan: p[3].stat(),
        }
    }
}
