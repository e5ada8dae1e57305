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
//! income[v, y] = before[v, y] + paid[v, y]
//! public money[y] = sum_v paid[v, y]
//! ```
//!
//! The top-up is counted in the village's income on which the floor is
//! judged, and is public money of the district in the same year. In the
//! collective's accounts a transfer is subsidy income (补助收入), which the
//! accounting rules keep out of operating income (经营收入): until the tool
//! reports the accounts' lines separately (issue 11, item 5), read a policy
//! that reaches the floor through a top-up as "secured by a guarantee", not
//! as "earned". It depends on
//! the other measures of its policy, so the engine pays it per policy, last
//! ([`TopUp::pay`]); two top-ups in one policy are paid in the order of the
//! file, the second seeing the first. The parameters, their units, defaults
//! and sources are declared once, in `src/model/kinds/top_up.toml`.

use serde::Deserialize;

use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param};

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
    /// added to it and written into `flows` (already reset), as operating
    /// income, net cash and public money.
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
                    // A whole shortfall paid lands exactly on the target
                    // (before + (target - before) may round below it).
                    incomes[row + v] = if paid == target - before { target } else { before + paid };
                    flows.add_income(slot, t, paid);
                    flows.note_transfer(slot, t, paid);
                    flows.ledger[t].revenue_yuan += paid;
                    flows.ledger[t].public_spent_yuan += paid;
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
