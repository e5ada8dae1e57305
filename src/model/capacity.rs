//! `capacity` (人才/能力): first secretaries (驻村第一书记), training of
//! village cadres, returnee entrepreneurs. Their effect is not measured in
//! the source documents, so it is an explicit, uncertain ASSUMPTION (reports
//! flag it): an uplift on the targeted villages' organic growth or on the
//! returns of their other interventions, at a yearly cost.
//!
//! For each participating village `v` and active year `y` (from
//! `start_year` to `end_year`), with `u[v, y]` the drawn `uplift`:
//!
//! ```text
//! target = "growth":  growth_uplift[v, y] = u[v, y]
//!     organic[v, y] is multiplied by exp(sum_{k <= y} growth_uplift[v, k])
//!     (added log growth per year; the level gained stays after end_year)
//! target = "returns": return_uplift[v, y] = u[v, y]
//!     the operating income of v's other interventions in the same policy
//!     is multiplied by (1 + return_uplift[v, y]) where it is a gain; a loss
//!     is left as it is, and contractual returns (support_fund) and
//!     transfers are not uplifted: a top_up, a PV subsidy, a guarantee
//!     top-up paid by government ([`uplifted`], `KindModel::managed`,
//!     `Flows::note_transfer`)
//! cost[v, y] = cost_per_year_yuan[v, y]
//!     paid_by = "government": public money; the village's income is unchanged
//!     paid_by = "village":    a cost of v (its costs line; net income and net cash fall by
//!                             cost[v, y]); its operating income (the target line) is unchanged
//! ```
//!
//! The engine applies the uplifts (this kind only writes them); outside
//! active years they are 0. The uplift may be zero or negative (a drawn
//! value of 0 says "no effect"), which is how the assumption's uncertainty
//! should be expressed, e.g. `uplift = { triangular = { min = 0, mode =
//! 0.005, max = 0.02 } }`.
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/capacity.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Capital: none. Ledger: `costs_yuan` = the yearly cost; also
//! `public_money_yuan` when the government pays.

use serde::Deserialize;

use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Domain, Param, Per};

/// Operating income `income`, of which `transfer` is a transfer (a
/// subsidy, a guarantee top-up paid by someone else), earned at `costs` of
/// the village's own, under a return uplift of `factor` (`1 + return_uplift`):
/// the uplift scales the managed margin, what management can change,
///
/// ```text
/// margin = income - transfer - costs
/// income' = income + (factor - 1) * margin    when margin > 0, else income
/// ```
///
/// so a loss is left as it is (better management does not make a loss
/// larger), a transfer is never scaled, and a gross line is not scaled as if
/// its costs came free.
///
/// # Examples
///
/// ```
/// use villagesim::model::capacity::uplifted;
/// assert!((uplifted(100.0, 0.0, 0.0, 1.1) - 110.0).abs() < 1e-9);
/// // Revenue of 100 at costs of 60: 10% more margin is 4 more.
/// assert!((uplifted(100.0, 0.0, 60.0, 1.1) - 104.0).abs() < 1e-9);
/// assert_eq!(uplifted(-100.0, 0.0, 0.0, 1.1), -100.0);
/// assert_eq!(uplifted(100.0, 100.0, 0.0, 1.1), 100.0);
/// ```
pub fn uplifted(income: f64, transfer: f64, costs: f64, factor: f64) -> f64 {
    let margin = income - transfer - costs;
    if margin > 0.0 && factor != 1.0 {
        income + (factor - 1.0) * margin
    } else {
        income
    }
}

/// What the uplift applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Added log growth per year of the village's organic operating income.
    Growth,
    /// Relative uplift of the operating income of the village's other interventions.
    Returns,
}

/// Who pays the yearly cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaidBy {
    /// Public money; the village's income is unchanged.
    #[default]
    Government,
    /// The village: an operating cost (lower net income and net cash; the
    /// target line is unchanged).
    Village,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/capacity.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// "growth" (added log growth of organic income) or "returns" (relative uplift of other interventions' income).
    pub target: Target,
    /// The uplift per active year; may be zero.
    pub uplift: Param,
    /// Cost per participating village per year, yuan.
    pub cost_per_year_yuan: Option<Param>,
    /// Who pays the cost: "government" or "village".
    #[serde(default)]
    pub paid_by: PaidBy,
}

/// A validated capacity measure.
#[derive(Debug, Clone)]
pub struct Capacity {
    pub target: Target,
    pub uplift: Param,
    pub cost_per_year_yuan: Param,
    pub paid_by: PaidBy,
}

impl KindModel for Capacity {
    const KIND: &'static str = "capacity";
    const RECORDS: &'static str = include_str!("kinds/capacity.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        Capacity {
            target: spec.target,
            uplift: check.param(
                "uplift",
                &spec.uplift,
                match spec.target {
                    Target::Growth => Domain::LogGrowth,
                    Target::Returns => Domain::Rate,
                },
            ),
            cost_per_year_yuan: Self::param("cost_per_year_yuan").read_or(check, &spec.cost_per_year_yuan),
            paid_by: spec.paid_by,
        }
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let vs = &iv.villages;
        let uplift = ctx.draw(&self.uplift, Per::Run, iv.key, "uplift", vs);
        let cost = ctx.draw(&self.cost_per_year_yuan, Per::Run, iv.key, "cost_per_year_yuan", vs);
        let years = ctx.years;
        flows.enable_uplift(vs.len());
        for slot in 0..vs.len() {
            for t in 0..years {
                if !iv.active_for(slot, ctx.start_year + t as i32) {
                    continue;
                }
                let u = uplift.at(slot, t);
                match self.target {
                    Target::Growth => flows.growth_uplift[slot * years + t] = u,
                    Target::Returns => flows.return_uplift[slot * years + t] = u,
                }
                let c = cost.at(slot, t);
                flows.ledger[t].costs_yuan += c;
                match self.paid_by {
                    PaidBy::Government => flows.ledger[t].public_spent_yuan += c,
                    PaidBy::Village => flows.add_cost(slot, t, c),
                }
            }
        }
    }

    fn is_assumption(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::intervention_flows;
    use crate::model::Kind;

    const TEST: crate::model::testing::OneKind = crate::model::testing::OneKind {
        kind: "capacity",
        id: "secretaries",
        seed: 5,
        extra: "",
    };

    #[test]
    fn growth_uplift_in_active_years_only_and_government_cost() {
        let m = TEST.model(
            3,
            5,
            1,
            "target = \"growth\"\nuplift = 0.01\ncost_per_year_yuan = \"3万\"\nstart_year = 2026\nend_year = 2028",
        );
        assert!(m.interventions[0].kind.is_assumption());
        assert!(matches!(m.interventions[0].kind, Kind::Capacity(_)));
        let f = intervention_flows(&m, 0, 0);
        assert_eq!(f.growth_uplift.len(), 15);
        assert_eq!(f.return_uplift, vec![0.0; 15]);
        for slot in 0..3 {
            assert_eq!(&f.growth_uplift[slot * 5..slot * 5 + 5], &[0.0, 0.01, 0.01, 0.01, 0.0]);
            assert_eq!(f.operating(slot), &[0.0; 5]);
            assert_eq!(f.net_cash(slot), &[0.0; 5]);
        }
        let public: Vec<f64> = f.ledger.iter().map(|l| l.public_money_yuan()).collect();
        assert_eq!(public, vec![0.0, 90_000.0, 90_000.0, 90_000.0, 0.0]);
        assert!(f.ledger.iter().zip(&public).all(|(l, p)| l.costs_yuan == *p));
    }

    #[test]
    fn returns_uplift_per_village_and_village_pays() {
        let m = TEST.model(
            4,
            3,
            20,
            "target = \"returns\"\nuplift = { uniform = { min = 0, max = 0.1 }, per = \"village\" }\ncost_per_year_yuan = 5000\npaid_by = \"village\"",
        );
        for run in 0..20 {
            let f = intervention_flows(&m, 0, run);
            assert_eq!(f.growth_uplift, vec![0.0; 12]);
            for slot in 0..4 {
                let u = &f.return_uplift[slot * 3..slot * 3 + 3];
                assert!(u[0] > 0.0 && u[0] < 0.1 && u.iter().all(|x| *x == u[0]));
                // A cost of the village, not negative operating income.
                assert_eq!(f.operating(slot), &[0.0; 3]);
                assert_eq!(&f.costs_yuan[slot * 3..slot * 3 + 3], &[5000.0; 3]);
                assert_eq!(f.net_cash(slot), &[-5000.0; 3]);
            }
            // Per village: the villages differ.
            assert_ne!(f.return_uplift[0], f.return_uplift[3]);
            assert!(f
                .ledger
                .iter()
                .all(|l| l.costs_yuan == 20_000.0 && l.public_money_yuan() == 0.0));
        }
        // Per run (the default): one value shared by every village, varying across runs.
        let m = TEST.model(2, 2, 2, "target = \"growth\"\nuplift = \"0% to 2%\"");
        let a = intervention_flows(&m, 0, 0).growth_uplift;
        let b = intervention_flows(&m, 0, 1).growth_uplift;
        assert!(a.iter().all(|x| *x == a[0]) && a[0] != b[0]);
    }

    #[test]
    fn validation_errors_are_located() {
        let err = TEST.invalid(1, 2, 1, "target = \"profit\"\nuplift = 0.01");
        assert!(err.errors[0].to_string().contains("target"), "{}", err.plain());
        let err = TEST
            .invalid(1, 2, 1, "target = \"returns\"\nuplift = -2\ncost_per_year_yuan = -1")
            .plain();
        assert!(
            err.contains("interventions[0].uplift") && err.contains("interventions[0].cost_per_year_yuan"),
            "{err}"
        );
        let err = TEST.invalid(1, 2, 1, "uplift = 0.01");
        assert!(err.errors[0].to_string().contains("target"), "{}", err.plain());
    }

    #[test]
    fn runs_through_the_engine() {
        let m = TEST.model(
            3,
            4,
            50,
            "target = \"growth\"\nuplift = \"0% to 1%\"\ncost_per_year_yuan = 20000",
        );
        let r = crate::model::testing::run(&m);
        assert_eq!(r.policies.len(), 2);
    }
}
