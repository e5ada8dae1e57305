//! `cluster_purchase` (抱团购置): villages form companies, pool their equity
//! (plus an optional government grant and bank loan), buy standard
//! factories, shops or stores and lease them out.
//!
//! Source: the 16 villages of Zhili town (织里镇) formed 4 companies that
//! bought standard workshops in the children's wear industrial park, about
//! +150,000 yuan per village per year.
//!
//! # Companies, units and villages
//!
//! The `n` participating villages (in the order of `villages`) are split into
//! `C = companies` contiguous blocks, as evenly as possible (the first
//! `n mod C` companies get one village more). The floor area `A` is divided
//! into `U = units` lettable units of equal area `A / U`, split among the
//! companies the same way (company `c` owns `U_c` units, area share
//! `a_c = U_c / U`). Company `c` pays share `a_c` of the price, receives `a_c`
//! of the grant and bears `a_c` of the loan. Within a company, village `v`
//! holds equity share `w_v`: `1 / n_c` (equal, the default) or the
//! `equity_shares` given for it (the shares of each company's villages must
//! sum to 1; with one company, all shares sum to 1).
//!
//! # Capital (intervention start year, or each phase's year)
//!
//! ```text
//! price   P = price_per_m2_yuan * A            (or price_yuan)
//! equity  E = P - grant_yuan - loan.principal_yuan        (must be >= 0)
//! village v pays in  E_v = a_c * E * w_v
//! ```
//!
//! **Bought in stages.** With `purchase_phases = { y_1 = s_1, y_2 = s_2,
//! ... }` (shares summing to 1, years from `start_year` to `end_year`),
//! phase `p` buys share `s_p` of every unit's floor area in year `y_p`, at
//! the same price: it is paid from `s_p` of the equity, grant and loan
//! (`s_p E_v` paid in by village `v` in `y_p`), its own loan of
//! `s_p * principal` is drawn in `y_p` and repaid on the schedule from
//! there, and it is depreciated from `y_p`. In year `y` the share in place
//! is `q[y] = sum_{y_p <= y} s_p`: the rent of a let unit, the per-m2
//! costs and the value-based property tax are `q[y]` times those of the
//! whole; a unit is let or vacant as a whole. Each company remains one
//! borrower, owing the sum of its phases' loans. Every figure indexed by
//! loan year `k` below is, for a purchase in phases, the sum over the
//! phases bought by `y` of `s_p` times that figure at `k = y - y_p`:
//!
//! ```text
//! X[y] = sum_{p: y_p <= y} s_p X_whole(y - y_p)      X = dep_c, book_c, I, Pr, B, balance after
//! ```
//!
//! Growth counts from the intervention's `start_year`, also when it lies
//! before the horizon ([`super::sim::GrowthLevel`]): years before the
//! horizon are not drawn and grow at the first simulated year's draw.
//!
//! # Tenants: a Markov chain per unit
//!
//! Each unit `u` is *let* or *vacant* in each year, simulated from its own
//! random stream from the intervention's start year: the state in the start
//! year is `initially_let`; at the end of each year a let unit's tenant leaves
//! with probability `leave_probability_per_year`, a vacant unit is let with
//! probability `let_probability_per_year` (one uniform draw per unit and
//! year). A unit let in year `y` that was vacant in `y - 1` (or let in the
//! start year) starts a *new lease*: the first `m = rent_free_months` months
//! of it are rent-free. Long-run occupancy is `p_let / (p_let + p_leave)`.
//!
//! # Each company's accounts (calendar year `y`, loan year `k = y - start_year`)
//!
//! Each company is the seller: it pays VAT, surcharges, property tax and
//! enterprise income tax at the rates of `[accounting]` for year `y`
//! ([`super::finance::tax::TaxRules::year`]). Rents in the file include VAT.
//!
//! ```text
//! rent rate     r[y] = rent_per_m2_per_year_yuan[y] * prod_{k = start_year + 1 .. y} (1 + rent_growth[k])
//!                      * exp(sum_f b_f Z_f[y])
//! rent of u     S_u[y] = let_u[y] * q[y] * (A / U) * r[y] * (1 - new_lease_u[y] * m / 12)
//! company c     S_c = sum of S_u over its units                        (rent collected, VAT included)
//!               VAT_c = tax::vat(S_c, vat_rate_rent, exempt[y])       (0 when S_c <= exempt[y])
//!               R_c = S_c - VAT_c                                    (revenue)
//!               costs_c = a_c * q[y] * A * operating_cost_per_m2_per_year_yuan + operating_cost_share_of_rent * R_c
//!               surcharges_c = surcharge_rate[y] * VAT_c
//!               vacant_c = share of c's units not let in y            (a unit in its rent-free months is let)
//!               ptax_c = property_tax_rent_rate[y] * R_c + property_tax_value_rate[y] * a_c * q[y] * P * vacant_c
//!               dep_c = a_c * (P - grant) / L    for k < L = building_life_years, else 0   (no salvage)
//!               B_k = balance at the start of loan year k (the principal in year 0); I_k, Pr_k the schedule's
//!               fee_c = credit.fee(a_c * B_k)                        (guarantee fee, a cost of the company)
//!               CIT_c = income_tax_rate[y] * max(0, R_c - costs_c - surcharges_c - ptax_c - a_c I_k - dep_c - fee_c)
//!               C_c = R_c - costs_c - fee_c - surcharges_c - ptax_c - CIT_c      (cash for debt service)
//!               debt service paid (I'_c, Pr'_c) = credit::Borrower::year(a_c (I_k, Pr_k), a_c B_k, C_c, O_c, book_c)
//!               O_c = sum of the other operating income of c's villages; book_c = a_c P - dep_c * min(L, k + 1)
//!               result_c = R_c - costs_c - fee_c - surcharges_c - ptax_c - I'_c - CIT_c  (before depreciation)
//! village v     operating[v, y] = w_v * (result_c - dep_c - write-off_c)         (投资收益, the target line)
//!                                = w_v * the company's net profit = net income[v, y]
//!               net cash[v, y] = w_v * (result_c - Pr'_c) - [y = start_year] E_v + sale proceeds
//! ledger        revenue = sum R_c; costs = sum costs_c + fee_c; taxes = sum VAT + surcharges + ptax + CIT;
//!               depreciation = sum dep_c + write-offs; interest, principal = what was paid;
//!               public spent = grant (start year) + guarantee calls; public returned = guarantee fees
//! DSCR[y]     = sum_c C_c / sum_c a_c (I_k + Pr_k)   in years with debt service
//! ```
//!
//! The income tax base takes the scheduled interest `a_c I_k` (accrued,
//! even in a year of default when less is paid); there is no loss
//! carry-forward. The village's income is a dividend of a company that has
//! paid its own income tax, so the village pays none on it
//! ([`KindModel::village_income_taxed`], 企业所得税法 art. 26). It is the
//! company's net profit, after depreciation: a company cannot pay dividends
//! beyond its distributable profit (公司法 art. 210), so the cash its
//! depreciation does not cost is not investment income; it comes back to
//! the villages as cash (their depreciation line stays 0: the building is
//! the company's asset, not theirs).
//!
//! With no uncertainty, full occupancy, no loan and rent below the VAT
//! threshold in a relief year, each village of `n` equal villages in one
//! company earns `(A r - costs - ptax - dep - CIT) / n` on its target line.
//!
//! # Credit and default
//!
//! Each company with a share of the loan is one borrower of the `credit`
//! table ([`super::finance::credit`]): its reserve (`reserve_yuan` per
//! company) and `cover_share_of_other_income` of its villages' other income
//! cover a shortfall `a_c (I_k + Pr_k) - C_c`. When they do not, the company
//! defaults in year `y`: it pays what it can (interest first), the lenders
//! take the property (recovery `recovery_share * book_c`), the guarantee pays
//! `guarantee_share` of the loss (public money spent, `guarantee_calls_yuan`),
//! the bank loses the rest (`bank_loss_yuan`); the company writes off the
//! remaining book value `book_c` (a loss in its net profit, so in its
//! villages' investment income) and has no
//! more rent, taxes, depreciation or debt service. `Flows::loans` is the
//! number of companies with a loan, `loans_defaulted` how many defaulted,
//! `failed_in_year` the first year one did.
//!
//! Years before the horizon are not booked: their debt service is taken as
//! paid on schedule out of the rent (no default, the reserve untouched),
//! their depreciation counts towards the book value.
//!
//! # End of the venture (`end_year` inside the horizon, before its last year)
//!
//! ```text
//! at_end = "sell"   at the end of end_year each company sells at book_c (no gain or loss: property prices
//!                   are not modelled) and repays the balance a_c * balance_after_k from the proceeds, as
//!                   principal of end_year (due: a_c (I_k, Pr_k + balance_after_k), cash C_c + book_c);
//!                   the rest, book_c - balance, comes back to the villages: capital back = w_v * book_c,
//!                   principal share = w_v * a_c (Pr_k + balance_after_k). A shortfall of the proceeds
//!                   is covered by the credit table, else the company defaults (nothing left to seize).
//!                   No rent, no debt after.
//! at_end = "carry"  the venture stops after end_year (no rent, costs or taxes), the property is kept and
//!                   still depreciated; the debt service goes on by the schedule with C_c = -fee_c (no rent),
//!                   covered only by the other income and the reserve, so it can default.
//! ```
//!
//! # Residual value (bought inside the horizon, held at its end)
//!
//! ```text
//! residual = sum over the companies still holding the property of  book_c - a_c * balance owed
//! ```
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/cluster_purchase.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Parameters of the property (rent, costs, tenant probabilities) are the
//! same for every village: `per = "village"` or `"village-year"` is
//! rejected for them.

mod checks;
mod company;
mod tenancy;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use checks::{blocks, LoanSpec, MAX_UNITS};
pub(crate) use checks::{fixed_in, loan_terms, non_negative, shared_param, slot_shares};

use super::finance::credit::{self, Credit, CreditSpec};
use super::finance::{LoanTerms, LoanYear};
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Domain, Num, Param};
use crate::rng;
use checks::{companies_and_units, purchase_price, rent_free_months};

/// What becomes of the property when `end_year` ends the venture inside
/// the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AtEnd {
    /// Sold at book value at the end of `end_year`, the loan repaid.
    #[default]
    Sell,
    /// Kept: no more rent, the debt service goes on by the schedule.
    Carry,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/cluster_purchase.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Number of companies the villages form.
    pub companies: Option<i64>,
    /// Number of lettable units, each with its own tenant.
    pub units: Option<i64>,
    /// Floor area bought, m2.
    pub floor_area_m2: Num,
    /// Purchase price per m2, yuan (or give `price_yuan`).
    pub price_per_m2_yuan: Option<Num>,
    /// Total purchase price, yuan (or give `price_per_m2_yuan`).
    pub price_yuan: Option<Num>,
    /// Government grant towards the purchase, yuan.
    pub grant_yuan: Option<Num>,
    /// Bank loan towards the purchase.
    pub loan: Option<LoanSpec>,
    /// What stands behind the loan: reserve, other income, guarantee.
    pub credit: Option<CreditSpec>,
    /// Equity share of each village within its company.
    pub equity_shares: Option<BTreeMap<String, Num>>,
    /// Rent, yuan per m2 per year, VAT included.
    pub rent_per_m2_per_year_yuan: Param,
    /// Rent growth per year.
    pub rent_growth: Option<Param>,
    /// Loadings of the log rent on the common factors, e.g. { property = 0.1 }.
    #[serde(default)]
    pub loadings: BTreeMap<String, Num>,
    /// Probability a let unit's tenant leaves in a year.
    pub leave_probability_per_year: Option<Param>,
    /// Probability a vacant unit is let in a year.
    pub let_probability_per_year: Option<Param>,
    /// Whether the units are let in the start year.
    pub initially_let: Option<bool>,
    /// Rent-free months at the start of each new lease, 0 to 12.
    pub rent_free_months: Option<Num>,
    /// Operating costs borne by the owner, yuan per m2 per year.
    pub operating_cost_per_m2_per_year_yuan: Option<Param>,
    /// Operating costs as a share of rent excluding VAT.
    pub operating_cost_share_of_rent: Option<Param>,
    /// Years over which the building is depreciated, straight line.
    pub building_life_years: Option<i64>,
    /// "sell" (default) or "carry": the property when end_year ends the venture.
    pub at_end: Option<AtEnd>,
    /// Shares of the purchase bought in each year, e.g. `{ 2025 = "60%",
    /// 2027 = "40%" }`; all of it in `start_year` when absent.
    pub purchase_phases: Option<BTreeMap<String, Num>>,
}

/// A validated cluster purchase.
#[derive(Debug, Clone)]
pub struct ClusterPurchase {
    pub companies: usize,
    pub units: usize,
    pub floor_area_m2: f64,
    pub price_yuan: f64,
    pub grant_yuan: f64,
    pub loan: Option<LoanTerms>,
    /// The loan's schedule (empty without a loan).
    pub loan_schedule: Vec<LoanYear>,
    /// The terms behind the loan.
    pub credit: Credit,
    /// Village equity, yuan: price − grant − loan.
    pub equity_yuan: f64,
    /// Company of each slot.
    pub company_of_slot: Vec<usize>,
    /// Equity share of each slot within its company.
    pub share_of_slot: Vec<f64>,
    /// Company of each unit.
    pub company_of_unit: Vec<usize>,
    /// Area share of each company.
    pub area_share: Vec<f64>,
    /// Stream key of each unit's tenant chain.
    pub unit_keys: Vec<u64>,
    pub rent: Param,
    pub rent_growth: Param,
    pub loadings: Vec<(usize, f64)>,
    pub p_leave: Param,
    pub p_let: Param,
    pub initially_let: bool,
    pub rent_free_months: f64,
    pub cost_per_m2: Param,
    pub cost_share: Param,
    /// Depreciation life of the building, years.
    pub building_life_years: u32,
    pub at_end: AtEnd,
    /// `(year, share)` of the purchase bought in each year, in increasing
    /// years, shares summing to 1 (`[(start_year, 1)]` bought whole).
    pub phases: Vec<(i32, f64)>,
}

impl KindModel for ClusterPurchase {
    const KIND: &'static str = "cluster_purchase";
    const RECORDS: &'static str = include_str!("../kinds/cluster_purchase.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        let n = check.participants.len();
        let (companies, units) = companies_and_units(check, &spec, n);

        let floor_area_m2 = fixed_in(check, "floor_area_m2", spec.floor_area_m2, Domain::Quantity);
        if floor_area_m2 <= 0.0 && spec.floor_area_m2.0 <= 0.0 {
            check.fail("floor_area_m2", "the floor area must be above 0", None);
        }
        let price_yuan = purchase_price(check, &spec, floor_area_m2);
        let grant_yuan = spec.grant_yuan.map_or(0.0, |g| non_negative(check, "grant_yuan", g));
        let loan = spec.loan.as_ref().and_then(|l| loan_terms(check, "loan", l));
        let borrowed = loan.map_or(0.0, |l| l.principal_yuan);
        let equity_yuan = price_yuan - grant_yuan - borrowed;
        if equity_yuan < -1e-6 {
            check.fail(
                "grant_yuan",
                format!("grant ({grant_yuan}) plus loan ({borrowed}) exceed the price ({price_yuan})"),
                Some("the villages' equity is price - grant - loan and cannot be negative".into()),
            );
        }
        let credit = credit::read(check, "credit", spec.credit.as_ref());

        let company_of_slot = blocks(n, companies);
        let company_of_unit = blocks(units, companies);
        let mut area_share = vec![0.0; companies];
        for &c in &company_of_unit {
            area_share[c] += 1.0 / units as f64;
        }
        let share_of_slot = slot_shares(check, "equity_shares", &spec.equity_shares, &company_of_slot, companies);

        let rent = Self::param("rent_per_m2_per_year_yuan").read(check, &spec.rent_per_m2_per_year_yuan);
        let rent_growth = Self::param("rent_growth").read_or(check, &spec.rent_growth);
        let p_leave = Self::param("leave_probability_per_year").read_or(check, &spec.leave_probability_per_year);
        let p_let = Self::param("let_probability_per_year").read_or(check, &spec.let_probability_per_year);
        let cost_per_m2 = Self::param("operating_cost_per_m2_per_year_yuan")
            .read_or(check, &spec.operating_cost_per_m2_per_year_yuan);
        let cost_share = Self::param("operating_cost_share_of_rent").read_or(check, &spec.operating_cost_share_of_rent);
        for (field, p) in [
            ("rent_per_m2_per_year_yuan", &rent),
            ("rent_growth", &rent_growth),
            ("leave_probability_per_year", &p_leave),
            ("let_probability_per_year", &p_let),
            ("operating_cost_per_m2_per_year_yuan", &cost_per_m2),
            ("operating_cost_share_of_rent", &cost_share),
        ] {
            shared_param(check, field, p);
        }
        let life = Self::param("building_life_years");
        let building_life_years = life.clamp(life.whole_or(check, spec.building_life_years)) as u32;
        let rent_free_months = rent_free_months(check, &spec);
        ClusterPurchase {
            companies,
            units,
            floor_area_m2,
            price_yuan,
            grant_yuan,
            loan,
            loan_schedule: loan.map_or_else(Vec::new, |l| l.schedule()),
            credit,
            equity_yuan: equity_yuan.max(0.0),
            company_of_slot,
            share_of_slot,
            company_of_unit,
            area_share,
            unit_keys: (0..units).map(|u| rng::key_of(&format!("unit:{u}"))).collect(),
            rent,
            rent_growth,
            loadings: check.loadings("loadings", &spec.loadings),
            p_leave,
            p_let,
            initially_let: spec.initially_let.unwrap_or(true),
            rent_free_months,
            cost_per_m2,
            cost_share,
            building_life_years,
            at_end: spec.at_end.unwrap_or_default(),
            phases: super::phases::read(check, "purchase_phases", "the purchase", spec.purchase_phases.as_ref()),
        }
    }

    /// The companies' loan runs `term_years` from `start_year`; its years
    /// past the horizon are not projected (the companies' accounts hold the
    /// tenancies and the dividends together): the DSCR chart shows them as
    /// not simulated.
    fn loan_end_year(&self, iv: &Intervention) -> Option<i32> {
        let last = self.phases.last().map_or(iv.start_year, |&(year, _)| year);
        self.loan
            .filter(|l| l.principal_yuan > 0.0)
            .map(|l| last + l.term_years as i32 - 1)
    }

    fn years_in_words(&self, _iv: &Intervention, lang: crate::format::Lang) -> Vec<String> {
        if self.phases.len() < 2 {
            return Vec::new();
        }
        let phases = super::phases::in_words(&self.phases, lang, |share, zh| {
            let yuan = crate::format::thousands(share * self.price_yuan);
            format!("{yuan} {}", if zh { "元" } else { "yuan" })
        });
        vec![if lang == crate::format::Lang::Zh {
            format!("分期购置：{phases}")
        } else {
            format!("bought in phases: {phases}")
        }]
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        Some("the villages own one purchase jointly, bought in start_year: write one purchase for each year of joining")
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        company::simulate(self, iv, ctx, flows);
    }

    /// The villages receive dividends of companies that have paid their
    /// own income tax (exempt between resident enterprises, 企业所得税法
    /// art. 26): no income tax of the village on them.
    fn village_income_taxed(&self) -> bool {
        false
    }
}
