//! The accounts a county finance bureau signs: the scenario's `[accounting]`
//! rules and the equations that turn each intervention's lines
//! ([`super::Flows`]) into a policy's accounts, its true public cost and who
//! gains.
//!
//! # A village's accounts under a policy (village `v`, simulated year `t`)
//!
//! Summed over the policy's interventions `i` (lines of `super::flows`):
//!
//! ```text
//! operating[v, t]  = sum_i uplifted(operating_i, transfer_i, costs_i, u[v, t])   the target line (经营性收入)
//! gain[v, t]       = operating[v, t] - sum_i operating_i                 what a capacity uplift adds
//! pre-tax[v, t]    = sum_i net income_i[v, t] + gain[v, t]
//! taxable[v, t]    = sum over i with village_income_taxed of net income_i[v, t] + gain[v, t]
//! income tax[v, t] = rate[y] * max(0, taxable[v, t])     rate of calendar year y (finance::tax)
//! net income[v, t] = pre-tax[v, t] - income tax[v, t]
//! net cash[v, t]   = sum_i net cash_i[v, t] + gain[v, t] - income tax[v, t]
//! ```
//!
//! The income tax is the collective's enterprise income tax on what its own
//! interventions earn in the year (no carrying of losses between years: an
//! estimate that overstates the tax of a village with loss years). Dividends
//! of companies that paid their own tax (`cluster_purchase`) and the
//! cooperatives' agricultural income are not taxed again.
//!
//! # True public cost (per run, over the horizon)
//!
//! With the ledger of each intervention (`super::Ledger`) and the public
//! discount rate `rho`, flows placed like the appraisal's (capital placed at
//! the start of its year, time `t`; everything else at its end, `t + 1`;
//! capital still placed at the end of the horizon, time `T = years`):
//!
//! ```text
//! spent          = sum_t public_spent[t]              (grants, subsidies, top-ups, guarantee calls)
//! placed         = sum_t public_placed[t]             (capital at risk: not spent)
//! returned       = sum_t public_returned[t] + public_residual
//! expected loss  = placed - returned                  (its mean over runs is the expected loss)
//! implicit       = sum_t implicit_subsidy[t]
//! fiscal cost    = spent + implicit + placed - returned
//! fiscal cost PV = sum_t [ placed[t] (1+rho)^-t + (spent + implicit - returned)[t] (1+rho)^-(t+1) ]
//!                  - public_residual (1+rho)^-T
//! ```
//!
//! A host district's money (`host_public_yuan`) is another jurisdiction's:
//! it has its own column and is not in the fiscal cost.
//!
//! # Who gains (per run, summed over the horizon)
//!
//! ```text
//! collective     = sum_{v,t} net income[v, t]                     (after depreciation, taxes, interest)
//! farmers        = sum_t farmers[t]                               (wages, members' shares)
//! bank           = sum_t interest[t] - bank loss[t]
//! partners       = sum_{b,t} external[b, t]                       (beneficiaries outside the villages)
//! public purse   = sum_t taxes[t] + sum_{v,t} income tax[v, t] - fiscal cost
//! host district  = - sum_t host_public[t]
//! added value    = collective + farmers + bank + partners + public purse + host district
//! ```
//!
//! Transfers (a subsidy, a top-up, a guarantee call) are a gain of one party
//! and a cost of another and cancel in the added value; what is left is the
//! value the interventions create, net of depreciation, and how it is
//! shared.

use super::finance::tax::TaxRules;
use super::params::ParamSpec;

/// The scenario's `[accounting]` rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accounting {
    /// Rate at which public money is discounted, per year.
    pub public_discount_rate: f64,
    /// The taxes on sales, rent, property and the collective's income, by
    /// year.
    pub tax: TaxRules,
}

impl Default for Accounting {
    fn default() -> Self {
        let n = |name: &str| record(name).number();
        Accounting {
            public_discount_rate: n("public_discount_rate"),
            tax: TaxRules {
                vat_rate_sales: n("vat_rate_sales"),
                vat_rate_sales_after_reliefs: n("vat_rate_sales_after_reliefs"),
                vat_rate_rent: n("vat_rate_rent"),
                vat_exempt_sales_per_year_yuan: n("vat_exempt_sales_per_year_yuan"),
                vat_surcharge_rate: n("vat_surcharge_rate"),
                property_tax_rent_rate: n("property_tax_rent_rate"),
                property_tax_value_rate: n("property_tax_value_rate"),
                property_value_deduction: n("property_value_deduction"),
                six_taxes_relief_share: n("six_taxes_relief_share"),
                income_tax_rate: n("income_tax_rate"),
                income_tax_rate_after_reliefs: n("income_tax_rate_after_reliefs"),
                reliefs_from_year: n("reliefs_from_year") as i32,
                reliefs_until_year: n("reliefs_until_year") as i32,
            },
        }
    }
}

/// The records of the `[accounting]` keys: default, unit and source.
pub const RECORDS: &str = include_str!("accounting.toml");

/// The description and records of the `[accounting]` keys, for the docs.
pub fn doc() -> &'static super::doc::KindDoc {
    super::doc::records("accounting", RECORDS)
}

/// The record of `[accounting]` key `name`.
pub fn record(name: &str) -> &'static ParamSpec {
    super::params::get(doc().params, name)
}

/// The collective's income tax on `taxable_yuan` of a year: nothing on a
/// loss.
pub fn income_tax_yuan(rate: f64, taxable_yuan: f64) -> f64 {
    rate * taxable_yuan.max(0.0)
}

/// The discount factor of time `time` (years from the start of the
/// horizon) at rate `rate`.
pub fn discount(rate: f64, time: usize) -> f64 {
    (1.0 + rate).powi(-(time as i32))
}

/// The fiscal cost of one intervention's flows in one run, undiscounted and
/// discounted at `rho` (see the module doc).
pub fn fiscal_cost(flows: &super::Flows, rho: f64) -> (f64, f64) {
    let mut cost = -flows.public_residual_yuan;
    let mut pv = -flows.public_residual_yuan * discount(rho, flows.years());
    for (t, l) in flows.ledger.iter().enumerate() {
        cost += l.fiscal_cost_yuan();
        pv += l.public_placed_yuan * discount(rho, t)
            + (l.public_spent_yuan + l.implicit_subsidy_yuan - l.public_returned_yuan) * discount(rho, t + 1);
    }
    (cost, pv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Flows;

    #[test]
    fn defaults_come_from_the_records() {
        let a = Accounting::default();
        assert_eq!(a.public_discount_rate, 0.08);
        assert_eq!(a.tax.income_tax_rate, 0.05);
        assert_eq!(a.tax.reliefs_until_year, 2027);
    }

    #[test]
    fn income_tax_is_nothing_on_a_loss() {
        assert_eq!(income_tax_yuan(0.05, 100_000.0), 5_000.0);
        assert_eq!(income_tax_yuan(0.05, -100_000.0), 0.0);
    }

    /// Capital of 1,000 placed at the start of year 0 and 900 returned at
    /// the end of year 1, a grant of 100 in year 0, an implicit subsidy of 10
    /// a year: cost 100 + 20 + 100 = 220; at 10%, PV = 1000 - 900/1.21 +
    /// 100/1.1 + 10/1.1 + 10/1.21.
    #[test]
    fn fiscal_cost_places_capital_at_the_start_and_the_rest_at_the_end() {
        let mut f = Flows::default();
        f.reset(1, 0, 2);
        f.ledger[0].public_placed_yuan = 1_000.0;
        f.ledger[0].public_spent_yuan = 100.0;
        f.ledger[0].implicit_subsidy_yuan = 10.0;
        f.ledger[1].implicit_subsidy_yuan = 10.0;
        f.ledger[1].public_returned_yuan = 900.0;
        let (cost, pv) = fiscal_cost(&f, 0.1);
        assert!((cost - 220.0).abs() < 1e-9);
        let expected = 1_000.0 - 900.0 / 1.21 + 110.0 / 1.1 + 10.0 / 1.21;
        assert!((pv - expected).abs() < 1e-9, "{pv} vs {expected}");
        // Capital still placed at the horizon counts back at time T.
        f.ledger[1].public_returned_yuan = 0.0;
        f.public_residual_yuan = 900.0;
        let (cost2, pv2) = fiscal_cost(&f, 0.1);
        assert!((cost2 - 220.0).abs() < 1e-9);
        assert!((pv2 - expected).abs() < 1e-9);
    }
}
