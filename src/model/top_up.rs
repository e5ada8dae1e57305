//! `top_up`: a targeted top-up (兜底补差), how districts usually secure "full
//! coverage": from its start year the district pays each of its villages
//! that would fall below a target its shortfall, up to a cap per village
//! and within a yearly budget, as public money. It lets a planner cost
//! "full coverage by guarantee" against the other measures.
//!
//! For each participating village `v` and active year `y`, after every other
//! intervention of the policy (and any `capacity` uplift):
//!
//! ```text
//! before[v, y] = the village's operating income in y under the policy, without the top-up
//! short[v, y]  = max(0, target_yuan - before[v, y])
//! due[v, y]    = min(short[v, y], cap_per_village_yuan)
//! paid[v, y]   = due[v, y] * min(1, budget_per_year_yuan / sum_u due[u, y])   (pro rata when the budget binds)
//! income[v, y] = before[v, y] + paid[v, y]                   (booked_as = "investment-income")
//! public money spent[y] = sum_v paid[v, y]
//! ```
//!
//! How the villages book it (`booked_as`):
//!
//! ```text
//! "subsidy" (default):           subsidy income[v, y]   += paid[v, y]   (net income and net cash only:
//!                                 the target line, and so coverage, are unchanged)
//! "investment-income":           operating income[v, y] += paid[v, y]   (the target line, net cash;
//!                                 a transfer, which a capacity uplift leaves alone)
//! ```
//!
//! Public money paid to a village is subsidy income (补助收入), which the
//! accounting rules for rural collective economic organisations
//! (财会〔2023〕14号) keep off the target line: by default the village is
//! still counted below the floor, but keeps the money. Where the district
//! pays the top-up as a guaranteed return (保底收益) through a fund or a
//! state company in which the villages hold a stake, the villages book it
//! as investment income (投资收益), on the line targets are judged on: say
//! so with `booked_as = "investment-income"` (how "full coverage by
//! guarantee" is usually secured, and how the Wuxing scenario tests it). Either way it is public money spent by the district in the year
//! paid. A floor reached through a top-up is secured, not earned. It depends on
//! the other measures of its policy, so the engine pays it per policy, last
//! ([`TopUp::pay`]); two top-ups in one policy are paid in the order of the
//! file, the second seeing the first. The parameters, their units, defaults
//! and sources are declared once, in `src/model/kinds/top_up.toml`.

use serde::Deserialize;

use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param};

/// How the villages book the top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BookedAs {
    /// A guaranteed return (保底收益) paid through a fund or a company:
    /// investment income, on the target line.
    InvestmentIncome,
    /// Subsidy income (补助收入): in net income and cash, not on the target
    /// line (the default: public money paid to a village).
    #[default]
    Subsidy,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/top_up.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Operating income each village is lifted to, yuan a year.
    pub target_yuan: Option<Num>,
    /// Most paid to one village in a year, yuan.
    pub cap_per_village_yuan: Option<Num>,
    /// Most paid to all the villages together in a year, yuan.
    pub budget_per_year_yuan: Option<Num>,
    /// "investment-income" or "subsidy": the line the villages book it on.
    pub booked_as: Option<BookedAs>,
}

/// A validated top-up.
#[derive(Debug, Clone)]
pub struct TopUp {
    /// `None`: the scenario's floor.
    pub target_yuan: Option<f64>,
    /// Infinite when unlimited.
    pub cap_per_village_yuan: f64,
    /// Infinite when unlimited.
    pub budget_per_year_yuan: f64,
    pub booked_as: BookedAs,
}

/// An amount of money the file gives for `field`, checked against its record.
fn amount(check: &mut KindCheck, field: &str, value: Num) -> f64 {
    TopUp::param(field)
        .read(check, &Param::fixed(value.0))
        .as_fixed()
        .unwrap_or(0.0)
}

/// A limit: the amount given, or infinity when the file leaves it out.
fn limit(check: &mut KindCheck, field: &str, value: Option<Num>) -> f64 {
    value.map_or(f64::INFINITY, |n| amount(check, field, n))
}

impl KindModel for TopUp {
    const KIND: &'static str = "top_up";
    const RECORDS: &'static str = include_str!("kinds/top_up.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        TopUp {
            target_yuan: spec.target_yuan.map(|n| amount(check, "target_yuan", n)),
            cap_per_village_yuan: limit(check, "cap_per_village_yuan", spec.cap_per_village_yuan),
            budget_per_year_yuan: limit(check, "budget_per_year_yuan", spec.budget_per_year_yuan),
            booked_as: spec.booked_as.unwrap_or_default(),
        }
    }

    /// A transfer: no `capacity` uplift applies to it.
    fn managed(&self) -> bool {
        false
    }

    /// Nothing before the policy's other measures are known: see [`TopUp::pay`].
    fn simulate(&self, _iv: &Intervention, _ctx: &SimCtx, _flows: &mut Flows) {}
}

impl TopUp {
    /// Pays the top-up of one policy in one run. `incomes[(t + 1) * n + v]`
    /// is village `v`'s operating income in simulated year `t` under the
    /// policy (`n` villages, row 0 the baseline year); the payments are
    /// written into `flows` (already reset) as public money spent and, by
    /// `booked_as`, as operating income (added to `incomes` too) or as
    /// subsidy income (not added to `incomes`), and net cash.
    pub fn pay(
        &self,
        iv: &Intervention,
        start_year: i32,
        floor_yuan: f64,
        n: usize,
        incomes: &mut [f64],
        flows: &mut Flows,
    ) {
        let target = self.target_yuan.unwrap_or(floor_yuan);
        for t in 0..flows.years() {
            if !iv.active(start_year + t as i32) {
                continue;
            }
            let row = (t + 1) * n;
            let due = |income: f64| (target - income).max(0.0).min(self.cap_per_village_yuan);
            let total: f64 = iv.villages.iter().map(|&v| due(incomes[row + v])).sum();
            if total <= 0.0 {
                continue;
            }
            let share = (self.budget_per_year_yuan / total).min(1.0);
            for (slot, &v) in iv.villages.iter().enumerate() {
                let before = incomes[row + v];
                let paid = due(before) * share;
                if paid > 0.0 {
                    flows.ledger[t].public_spent_yuan += paid;
                    if self.booked_as == BookedAs::Subsidy {
                        // Subsidy income: net income and cash, not the
                        // target line, so the village stays below it.
                        flows.add_subsidy(slot, t, paid);
                        continue;
                    }
                    // A whole shortfall paid lands exactly on the target
                    // (before + (target - before) may round below it).
                    incomes[row + v] = if paid == target - before { target } else { before + paid };
                    flows.add_income(slot, t, paid);
                    flows.note_transfer(slot, t, paid);
                    flows.ledger[t].revenue_yuan += paid;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    const TEST: crate::model::testing::OneKind = crate::model::testing::OneKind {
        kind: "top_up",
        id: "guarantee",
        seed: 1,
        extra: "",
    };

    #[test]
    fn limits_below_zero_are_refused_where_they_stand() {
        let err = TEST
            .invalid(2, 2, 1, "cap_per_village_yuan = -1\nbudget_per_year_yuan = \"-5万\"")
            .plain();
        assert!(
            err.contains("interventions[0].cap_per_village_yuan")
                && err.contains("interventions[0].budget_per_year_yuan"),
            "{err}"
        );
        let err = TEST.invalid(2, 2, 1, "target = 500000").plain();
        assert!(err.contains("target"), "{err}");
    }

    fn top_up(m: &crate::model::Model) -> &super::TopUp {
        match &m.interventions[0].kind {
            crate::model::Kind::TopUp(t) => t,
            _ => panic!("a top-up"),
        }
    }

    /// Two villages at 100,000 and 450,000 against the 500,000 floor, capped
    /// at 300,000: booked as subsidy, the 300,000 and 50,000 paid leave
    /// the target line where it was and add exactly their payment to net
    /// income and cash; as investment income they lift the target line.
    #[test]
    fn a_top_up_booked_as_subsidy_leaves_the_target_line_alone() {
        let m = TEST.model(2, 1, 1, "cap_per_village_yuan = 300000\nbooked_as = \"subsidy\"");
        let iv = &m.interventions[0];
        let mut flows = crate::model::Flows::default();
        flows.reset(2, 0, 1);
        let mut incomes = vec![100_000.0, 450_000.0, 100_000.0, 450_000.0];
        top_up(&m).pay(iv, 2025, 500_000.0, 2, &mut incomes, &mut flows);
        assert_eq!(incomes, [100_000.0, 450_000.0, 100_000.0, 450_000.0]);
        for (slot, paid) in [(0, 300_000.0), (1, 50_000.0)] {
            assert_eq!(flows.operating(slot), [0.0]);
            assert_eq!(flows.subsidies(slot), [paid]);
            assert_eq!(flows.net_income(slot, 0), paid);
            assert_eq!(flows.net_cash(slot), [paid]);
            assert_eq!(flows.transfers(slot), [0.0]);
        }
        assert_eq!(flows.ledger[0].public_spent_yuan, 350_000.0);
        assert_eq!(flows.ledger[0].revenue_yuan, 0.0);
        // Subsidy is the default.
        let m = TEST.model(2, 1, 1, "cap_per_village_yuan = 300000");
        assert_eq!(top_up(&m).booked_as, super::BookedAs::Subsidy);
        // As investment income: the same money on the target line.
        let m = TEST.model(
            2,
            1,
            1,
            "cap_per_village_yuan = 300000\nbooked_as = \"investment-income\"",
        );
        flows.reset(2, 0, 1);
        let mut incomes = vec![100_000.0, 450_000.0, 100_000.0, 450_000.0];
        top_up(&m).pay(&m.interventions[0], 2025, 500_000.0, 2, &mut incomes, &mut flows);
        assert_eq!(incomes[2..], [400_000.0, 500_000.0]);
        assert_eq!(flows.operating(0), [300_000.0]);
        assert_eq!(flows.subsidies(0), [0.0]);
        assert_eq!(flows.transfers(1), [50_000.0]);
        assert_eq!(flows.ledger[0].public_spent_yuan, 350_000.0);
    }

    /// Through the engine: booked as subsidy, a policy's incomes and
    /// coverage are those of no intervention; its public money is the
    /// whole shortfall.
    #[test]
    fn through_the_engine_subsidy_does_not_lift_coverage() {
        let m = TEST.model(3, 2, 1, "booked_as = \"subsidy\"");
        let r = crate::model::testing::run(&m);
        let (none, with) = (&r.policies[0], &r.policies[1]);
        for (a, b) in none.years.iter().zip(&with.years) {
            assert_eq!(a.mean_income_yuan.mean, b.mean_income_yuan.mean);
            assert_eq!(a.below_floor.mean, b.below_floor.mean);
        }
    }

    #[test]
    fn unset_limits_are_unlimited_and_the_target_is_the_floor() {
        let m = TEST.model(2, 2, 1, "");
        let crate::model::Kind::TopUp(t) = &m.interventions[0].kind else {
            panic!("a top-up")
        };
        assert_eq!(t.target_yuan, None);
        assert!(t.cap_per_village_yuan.is_infinite() && t.budget_per_year_yuan.is_infinite());
    }
}
