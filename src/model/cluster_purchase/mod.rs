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
//! # Capital (intervention start year)
//!
//! ```text
//! price   P = price_per_m2_yuan * A            (or price_yuan)
//! equity  E = P - grant_yuan - loan.principal_yuan        (must be >= 0)
//! village v pays in  E_v = a_c * E * w_v
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
//! # Yearly accounts (years `y` with the intervention active)
//!
//! ```text
//! rent rate     r[y] = rent_per_m2_per_year_yuan[y] * prod_{k = start_year + 1 .. y} (1 + rent_growth[k])
//!                      * exp(sum_f b_f Z_f[y])
//! rent of u     R_u[y] = let_u[y] * (A / U) * r[y] * (1 - new_lease_u[y] * m / 12)
//! company c     R_c = sum of R_u over its units
//!               costs_c = a_c * A * operating_cost_per_m2_per_year_yuan + operating_cost_share_of_rent * R_c
//!               taxes_c = (property_tax_share_of_rent + other_tax_share_of_rent) * R_c
//!               I_c = a_c * I_k,  Pr_c = a_c * Pr_k   (loan year k = y - start_year, finance::LoanTerms)
//!               profit_c = R_c - costs_c - taxes_c - I_c
//! village v     operating income[v, y] = w_v * profit_c             (投资收益)
//!               net cash[v, y] = w_v * (profit_c - Pr_c) - [y = start_year] E_v
//! DSCR[y]     = sum_c (R_c - costs_c - taxes_c) / (I_k + Pr_k)   in years with debt service
//! ```
//!
//! With no uncertainty, full occupancy and no loan, each village of `n`
//! equal villages earns `(A r - costs - taxes) / n` a year.
//!
//! Debt service is recorded in active years only: if `end_year` ends the
//! intervention before the loan is repaid, the remaining balance is not
//! modelled (leave `end_year` out or set it after the loan's term).
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/cluster_purchase.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Parameters of the property (rent, costs, taxes, tenant probabilities) are
//! the same for every village: `per = "village"` or `"village-year"` is
//! rejected for them.

use std::collections::BTreeMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::finance::{self, LoanTerms, LoanYear, Repayment};
use super::sim::Drawn;
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::limits::MAX_YUAN;
use crate::model::param::{Domain, Num, Param, Per};
use crate::rng;

/// A bank loan: the terms of [`LoanTerms`].
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanSpec {
    /// Amount borrowed in the start year, yuan.
    pub principal_yuan: Num,
    /// Interest rate per year.
    pub rate_per_year: Num,
    /// Term in years, 1 to 100.
    pub term_years: i64,
    /// Interest-only years at the start of the term (default 0).
    pub grace_years: Option<i64>,
    /// "annuity" (default), "equal-principal" or "bullet".
    pub repayment: Option<Repayment>,
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
    /// Equity share of each village within its company.
    pub equity_shares: Option<BTreeMap<String, Num>>,
    /// Rent, yuan per m2 per year.
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
    /// Operating costs as a share of rent.
    pub operating_cost_share_of_rent: Option<Param>,
    /// Property tax as a share of rent.
    pub property_tax_share_of_rent: Option<Param>,
    /// Other taxes as a share of rent.
    pub other_tax_share_of_rent: Option<Param>,
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
    pub property_tax: Param,
    pub other_tax: Param,
}

/// Largest number of units accepted.
pub const MAX_UNITS: i64 = 100_000;

/// Splits `n` items into `k` contiguous blocks as evenly as possible (the
/// first `n mod k` blocks one larger): the block of each item.
pub fn blocks(n: usize, k: usize) -> Vec<usize> {
    let k = k.max(1);
    let (base, extra) = (n / k, n % k);
    (0..k)
        .flat_map(|c| std::iter::repeat_n(c, base + usize::from(c < extra)))
        .collect()
}

/// Rejects village-level draws for a parameter of the whole property.
pub(crate) fn shared_param(check: &mut KindCheck, field: &str, param: &Param) {
    if matches!(param.per, Some(Per::Village | Per::VillageYear)) {
        check.fail(
            field,
            "this parameter is the same for every village of the intervention: it cannot be drawn per village",
            Some("use per = \"run\" or per = \"year\"".into()),
        );
    }
}

/// A checked non-negative amount of money, yuan.
pub(crate) fn non_negative(check: &mut KindCheck, field: &str, value: Num) -> f64 {
    fixed_in(check, field, value, Domain::NonNegative)
}

/// A checked constant in `domain` (0 when it is not).
pub(crate) fn fixed_in(check: &mut KindCheck, field: &str, value: Num, domain: Domain) -> f64 {
    let p = check.param(field, &Param::fixed(value.0), domain);
    let (lo, hi) = domain.bounds();
    p.as_fixed().filter(|x| (lo..=hi).contains(x)).unwrap_or(0.0)
}

/// Validates a loan table into [`LoanTerms`].
pub(crate) fn loan_terms(check: &mut KindCheck, field: &str, spec: &LoanSpec) -> Option<LoanTerms> {
    let ok_term = check.int_in(
        &format!("{field}.term_years"),
        spec.term_years,
        1,
        finance::MAX_TERM_YEARS as i64,
    );
    let grace = spec.grace_years.unwrap_or(0);
    let ok_grace = check.int_in(
        &format!("{field}.grace_years"),
        grace,
        0,
        finance::MAX_TERM_YEARS as i64,
    );
    if !(ok_term && ok_grace) {
        return None;
    }
    let repayment = spec.repayment.unwrap_or(Repayment::Annuity);
    let principal = non_negative(check, &format!("{field}.principal_yuan"), spec.principal_yuan);
    if !(0.0..=MAX_YUAN).contains(&spec.principal_yuan.0) {
        return None;
    }
    match LoanTerms::new(
        principal,
        spec.rate_per_year.0,
        spec.term_years as u32,
        grace as u32,
        repayment,
    ) {
        Ok(terms) => Some(terms),
        Err(e) => {
            check.fail(field, e.to_string(), None);
            None
        }
    }
}

/// Equity shares of the participants, by slot: equal within each company,
/// or as given (each company's shares summing to 1).
pub(crate) fn slot_shares(
    check: &mut KindCheck,
    field: &str,
    given: &Option<BTreeMap<String, Num>>,
    company_of_slot: &[usize],
    companies: usize,
) -> Vec<f64> {
    let n = company_of_slot.len();
    let mut size = vec![0usize; companies];
    for &c in company_of_slot {
        size[c] += 1;
    }
    let equal: Vec<f64> = company_of_slot.iter().map(|&c| 1.0 / size[c] as f64).collect();
    let Some(given) = given else {
        return equal;
    };
    let ids: Vec<String> = check
        .participants
        .iter()
        .map(|&v| check.villages[v].id.clone())
        .collect();
    let mut shares = vec![f64::NAN; n];
    let mut ok = true;
    let slot_of = check.slots();
    for (id, share) in given {
        match slot_of.get(id.as_str()).copied() {
            Some(slot) => shares[slot] = share.0,
            None => {
                ok = false;
                check.fail(
                    &format!("{field}.{id}"),
                    format!("village `{id}` does not take part in this intervention"),
                    Some(format!(
                        "give shares for the intervention's villages: {}",
                        ids.join(", ")
                    )),
                );
            }
        }
    }
    let missing: Vec<&str> = (0..n)
        .filter(|&s| shares[s].is_nan())
        .map(|s| ids[s].as_str())
        .collect();
    if !missing.is_empty() {
        check.fail(
            field,
            format!("no share given for {}", missing.join(", ")),
            Some("give a share for every participating village, or leave equity_shares out for equal shares".into()),
        );
        return equal;
    }
    if companies == 1 {
        ok &= check.shares(field, &shares);
    } else {
        for c in 0..companies {
            let members: Vec<usize> = (0..n).filter(|&s| company_of_slot[s] == c).collect();
            let in_c: Vec<f64> = members.iter().map(|&s| shares[s]).collect();
            let sum: f64 = in_c.iter().sum();
            if !(in_c.iter().all(|s| (0.0..=1.0).contains(s)) && (sum - 1.0).abs() <= 1e-6) {
                ok = false;
                let names: Vec<&str> = members.iter().map(|&s| ids[s].as_str()).collect();
                check.fail(
                    field,
                    format!(
                        "the shares of company {} ({}) sum to {sum}; within each company they must each be between 0 and 1 and sum to 1",
                        c + 1,
                        names.join(", ")
                    ),
                    Some("villages are split into companies in the order of `villages`, as evenly as possible".into()),
                );
            }
        }
    }
    if ok {
        shares
    } else {
        equal
    }
}

/// `(companies, units)`: at least one company and at most one per village;
/// at least one unit per company.
fn companies_and_units(check: &mut KindCheck, spec: &Spec, n: usize) -> (usize, usize) {
    let companies = spec.companies.unwrap_or(1);
    check.int_in("companies", companies, 1, n.max(1) as i64);
    let companies = companies.clamp(1, n.max(1) as i64) as usize;
    let units = spec.units.unwrap_or(companies as i64);
    check.int_in("units", units, companies as i64, MAX_UNITS.max(companies as i64));
    let units = units.clamp(companies as i64, MAX_UNITS.max(companies as i64)) as usize;
    (companies, units)
}

/// The purchase price, yuan: from `price_per_m2_yuan` x area or
/// `price_yuan`, exactly one of them.
fn purchase_price(check: &mut KindCheck, spec: &Spec, floor_area_m2: f64) -> f64 {
    match (spec.price_per_m2_yuan, spec.price_yuan) {
        (Some(p), None) => {
            let price = non_negative(check, "price_per_m2_yuan", p) * floor_area_m2;
            if price > MAX_YUAN {
                check.fail(
                    "price_per_m2_yuan",
                    format!(
                        "price_per_m2_yuan * floor_area_m2 = {} yuan: expected {}",
                        crate::model::param::show(price),
                        Domain::NonNegative.describe()
                    ),
                    None,
                );
            }
            price
        }
        (None, Some(p)) => non_negative(check, "price_yuan", p),
        _ => {
            check.fail(
                "price_yuan",
                "give exactly one of `price_per_m2_yuan` and `price_yuan`",
                Some("e.g. price_per_m2_yuan = 3000 or price_yuan = \"1200万\"".into()),
            );
            0.0
        }
    }
}

/// Rent-free months per new lease, from 0 to 12 (clamped after a refusal).
fn rent_free_months(check: &mut KindCheck, spec: &Spec) -> f64 {
    let rent_free_months = spec.rent_free_months.map_or(0.0, |m| m.0);
    if !(0.0..=12.0).contains(&rent_free_months) {
        check.fail(
            "rent_free_months",
            format!("{rent_free_months} is out of range"),
            Some("rent-free months per new lease, from 0 to 12".into()),
        );
    }
    rent_free_months.clamp(0.0, 12.0)
}

impl KindModel for ClusterPurchase {
    const KIND: &'static str = "cluster_purchase";
    const RECORDS: &'static str = include_str!("kinds/cluster_purchase.toml");
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
        let property_tax = Self::param("property_tax_share_of_rent").read_or(check, &spec.property_tax_share_of_rent);
        let other_tax = Self::param("other_tax_share_of_rent").read_or(check, &spec.other_tax_share_of_rent);
        for (field, p) in [
            ("rent_per_m2_per_year_yuan", &rent),
            ("rent_growth", &rent_growth),
            ("leave_probability_per_year", &p_leave),
            ("let_probability_per_year", &p_let),
            ("operating_cost_per_m2_per_year_yuan", &cost_per_m2),
            ("operating_cost_share_of_rent", &cost_share),
            ("property_tax_share_of_rent", &property_tax),
            ("other_tax_share_of_rent", &other_tax),
        ] {
            shared_param(check, field, p);
        }
        let rent_free_months = rent_free_months(check, &spec);
        ClusterPurchase {
            companies,
            units,
            floor_area_m2,
            price_yuan,
            grant_yuan,
            loan,
            loan_schedule: loan.map_or_else(Vec::new, |l| l.schedule()),
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
            property_tax,
            other_tax,
        }
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let draw = |p: &Param, name: &str| ctx.draw(p, Per::Run, iv.key, name, &iv.villages);
        let rent = draw(&self.rent, "rent_per_m2_per_year_yuan");
        let growth = draw(&self.rent_growth, "rent_growth");
        let p_leave = draw(&self.p_leave, "leave_probability_per_year");
        let p_let = draw(&self.p_let, "let_probability_per_year");
        let costs = CostDraws {
            per_m2: draw(&self.cost_per_m2, "operating_cost_per_m2_per_year_yuan"),
            share: draw(&self.cost_share, "operating_cost_share_of_rent"),
            property_tax: draw(&self.property_tax, "property_tax_share_of_rent"),
            other_tax: draw(&self.other_tax, "other_tax_share_of_rent"),
        };
        let mut tenancy = Tenancy {
            tenants: self
                .unit_keys
                .iter()
                .map(|&k| ctx.stream(rng::combine(iv.key, k), "tenant"))
                .collect(),
            let_now: vec![self.initially_let; self.units],
            new_lease: vec![self.initially_let; self.units],
        };
        let mut company_rent = vec![0.0; self.companies];
        // Each company's (profit after interest, principal) of the year.
        let mut profits = vec![(0.0, 0.0); self.companies];
        let final_year = ctx.start_year + ctx.years as i32 - 1;
        let mut level = 1.0;

        for year in iv.start_year..=final_year {
            if !iv.active(year) {
                break;
            }
            let in_horizon = year >= ctx.start_year;
            let t = (year - ctx.start_year).max(0) as usize;
            // Rent grows from the purchase year, before the horizon too
            // (pre-horizon years at the first simulated year's draw).
            if year > iv.start_year {
                level *= 1.0 + growth.at(0, t);
            }
            // The tenants of this year, then the transitions to the next.
            let rate = if in_horizon {
                let shock: f64 = self.loadings.iter().map(|&(f, b)| b * ctx.factors[f][t]).sum();
                let factor = if self.loadings.is_empty() { 1.0 } else { shock.exp() };
                rent.at(0, t) * level * factor
            } else {
                0.0
            };
            let (leave, relet) = if in_horizon {
                (p_leave.at(0, t), p_let.at(0, t))
            } else {
                (p_leave.at(0, 0), p_let.at(0, 0))
            };
            tenancy.year(self, rate, leave, relet, &mut company_rent);
            if in_horizon {
                self.book_year(iv, flows, (year, t), &company_rent, &costs, &mut profits);
            }
        }
        // Residual value: the property at its purchase price (no
        // appreciation assumed) less the loan still owed, when bought inside
        // the horizon and still held at its end.
        if iv.start_year >= ctx.start_year && iv.start_year <= final_year && iv.active(final_year) {
            let k = (final_year - iv.start_year) as usize;
            let owed = self.loan_schedule.get(k).map_or(0.0, |y| y.balance_after_yuan);
            flows.residual_value_yuan = self.price_yuan - owed;
        }
    }
}

/// One run's draws of the owner's costs and taxes.
struct CostDraws {
    per_m2: Drawn,
    share: Drawn,
    property_tax: Drawn,
    other_tax: Drawn,
}

/// The units' tenancy: each unit's chain of tenants, whether it is let and
/// whether its lease is new this year (a new lease starts rent-free).
struct Tenancy {
    tenants: Vec<ChaCha8Rng>,
    let_now: Vec<bool>,
    new_lease: Vec<bool>,
}

impl Tenancy {
    /// Adds the rent each company collects this year at `rate` yuan per m2
    /// into `company_rent` (reset first), then moves each unit to next
    /// year: a let unit's tenant leaves with `leave`, a vacant unit is let
    /// with `relet`.
    fn year(&mut self, cp: &ClusterPurchase, rate: f64, leave: f64, relet: f64, company_rent: &mut [f64]) {
        let unit_area = cp.floor_area_m2 / cp.units as f64;
        let rent_free = cp.rent_free_months / 12.0;
        company_rent.iter_mut().for_each(|r| *r = 0.0);
        for u in 0..cp.units {
            if self.let_now[u] {
                let free = if self.new_lease[u] { rent_free } else { 0.0 };
                company_rent[cp.company_of_unit[u]] += unit_area * rate * (1.0 - free);
            }
            self.new_lease[u] = false;
            let x: f64 = self.tenants[u].random();
            if self.let_now[u] {
                if x < leave {
                    self.let_now[u] = false;
                }
            } else if x < relet {
                self.let_now[u] = true;
                self.new_lease[u] = true;
            }
        }
    }
}

impl ClusterPurchase {
    /// Books simulated year `t` (calendar `year`): each company's rent,
    /// costs, taxes and debt service; the purchase in the start year; each
    /// village's share of its company's profit and cash.
    fn book_year(
        &self,
        iv: &Intervention,
        flows: &mut Flows,
        (year, t): (i32, usize),
        company_rent: &[f64],
        draws: &CostDraws,
        profits: &mut [(f64, f64)],
    ) {
        let loan_year = self
            .loan_schedule
            .get((year - iv.start_year) as usize)
            .copied()
            .unwrap_or_default();
        let ledger = &mut flows.ledger[t];
        if year == iv.start_year {
            ledger.village_equity_yuan += self.equity_yuan;
            ledger.public_spent_yuan += self.grant_yuan;
            ledger.loan_drawdown_yuan += self.loan.map_or(0.0, |l| l.principal_yuan);
        }
        let mut available = 0.0;
        for c in 0..self.companies {
            let a = self.area_share[c];
            let r = company_rent[c];
            let costs = a * self.floor_area_m2 * draws.per_m2.at(0, t) + draws.share.at(0, t) * r;
            let taxes = (draws.property_tax.at(0, t) + draws.other_tax.at(0, t)) * r;
            let interest = a * loan_year.interest_yuan;
            let principal = a * loan_year.principal_yuan;
            ledger.revenue_yuan += r;
            ledger.costs_yuan += costs + taxes;
            available += r - costs - taxes;
            profits[c] = (r - costs - taxes - interest, principal);
        }
        ledger.interest_yuan += loan_year.interest_yuan;
        ledger.principal_yuan += loan_year.principal_yuan;
        if let Some(d) = finance::dscr(available, loan_year.payment_yuan()) {
            ledger.dscr = Some(d);
        }
        for slot in 0..iv.villages.len() {
            let c = self.company_of_slot[slot];
            let w = self.share_of_slot[slot];
            let (profit, principal) = profits[c];
            flows.add_income(slot, t, w * profit);
            let mut cash = -w * principal;
            if year == iv.start_year {
                cash -= self.area_share[c] * self.equity_yuan * w;
            }
            flows.add_cash(slot, t, cash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::model::Model;

    fn scenario(villages: usize, years: usize, runs: usize, own: &str) -> String {
        format!(
            r#"
[scenario]
name = "t"
start_year = 2020
years = {years}
runs = {runs}
seed = 7

[targets]
floor = "50万"

[factors.property]
persistence = 0.5

[[villages]]
group = "z"
count = {villages}
operating_income = "20万"

[[interventions]]
id = "cluster"
kind = "cluster_purchase"
villages = "all"
{own}
"#
        )
    }

    fn model(villages: usize, years: usize, runs: usize, own: &str) -> Model {
        let text = scenario(villages, years, runs, own);
        crate::scenario::parse("test.toml", &text, std::path::Path::new(".")).unwrap()
    }

    fn error(own: &str) -> String {
        let text = scenario(16, 5, 10, own);
        crate::scenario::parse("test.toml", &text, std::path::Path::new("."))
            .unwrap_err()
            .errors[0]
            .to_string()
    }

    #[test]
    fn full_occupancy_profit_is_shared_equally() {
        let m = model(
            16,
            5,
            3,
            r#"companies = 4
units = 8
floor_area_m2 = 20000
price_per_m2_yuan = 3000
rent_per_m2_per_year_yuan = 150
leave_probability_per_year = 0
operating_cost_per_m2_per_year_yuan = 5
operating_cost_share_of_rent = 0.02
property_tax_share_of_rent = 0.12
other_tax_share_of_rent = 0.05"#,
        );
        let (area, rent) = (20_000.0, 150.0);
        let gross = area * rent;
        let costs = area * 5.0 + 0.02 * gross;
        let tax = 0.17 * gross;
        let expected = (gross - costs - tax) / 16.0;
        for run in 0..3 {
            let f = engine::intervention_flows(&m, 0, run);
            for slot in 0..16 {
                for t in 0..5 {
                    assert!(
                        (f.operating(slot)[t] - expected).abs() < 1e-6,
                        "{}",
                        f.operating(slot)[t]
                    );
                }
                // Equity: the whole price, shared equally, in the start year.
                let equity = area * 3000.0 / 16.0;
                assert!((f.net_cash(slot)[0] - (expected - equity)).abs() < 1e-6);
                assert!((f.net_cash(slot)[1] - expected).abs() < 1e-6);
            }
            assert!((f.ledger[0].revenue_yuan - gross).abs() < 1e-6);
            assert!((f.ledger[0].costs_yuan - costs - tax).abs() < 1e-6);
            assert_eq!(f.ledger[0].village_equity_yuan, area * 3000.0);
            assert_eq!(f.ledger[0].public_money_yuan(), 0.0);
            assert_eq!(f.ledger[1].village_equity_yuan, 0.0);
            assert_eq!(f.ledger[0].dscr, None);
        }
    }

    #[test]
    fn explicit_equity_shares_within_companies() {
        let m = model(
            4,
            2,
            1,
            r#"companies = 2
units = 2
floor_area_m2 = 1000
price_yuan = "100万"
rent_per_m2_per_year_yuan = 100
leave_probability_per_year = 0
property_tax_share_of_rent = 0
equity_shares = { z-01 = 0.25, z-02 = 0.75, z-03 = 0.5, z-04 = 0.5 }"#,
        );
        let f = engine::intervention_flows(&m, 0, 0);
        // Each company: 500 m2 * 100 = 50,000 yuan a year.
        let expected = [12_500.0, 37_500.0, 25_000.0, 25_000.0];
        for (slot, e) in expected.iter().enumerate() {
            assert!((f.operating(slot)[1] - e).abs() < 1e-9);
            assert!((f.net_cash(slot)[0] - (e - 500_000.0 * e / 50_000.0)).abs() < 1e-6);
        }
    }

    #[test]
    fn tenant_chain_long_run_occupancy() {
        let (p_let, p_leave) = (0.3, 0.1);
        let units = 1000;
        let runs = 20;
        let m = model(
            2,
            20,
            runs,
            &format!(
                r#"units = {units}
floor_area_m2 = {units}
price_yuan = 0
rent_per_m2_per_year_yuan = 1
initially_let = false
let_probability_per_year = {p_let}
leave_probability_per_year = {p_leave}
property_tax_share_of_rent = 0"#
            ),
        );
        let mut occupied = 0.0;
        for run in 0..runs as u64 {
            let f = engine::intervention_flows(&m, 0, run);
            // Rent of 1 yuan per unit: revenue = units let.
            occupied += f.ledger[19].revenue_yuan;
        }
        let n = (units * runs) as f64;
        let share = occupied / n;
        let pi = p_let / (p_let + p_leave);
        let se = (pi * (1.0 - pi) / n).sqrt();
        assert!((share - pi).abs() < 4.0 * se, "occupancy {share} vs {pi} (se {se})");
        // Starting vacant, the first year earns nothing.
        assert_eq!(engine::intervention_flows(&m, 0, 0).ledger[0].revenue_yuan, 0.0);
    }

    #[test]
    fn rent_free_months_reduce_first_year_rent() {
        let m = model(
            3,
            3,
            1,
            r#"floor_area_m2 = 1200
price_yuan = 0
rent_per_m2_per_year_yuan = 100
rent_free_months = 3
leave_probability_per_year = 0
property_tax_share_of_rent = 0"#,
        );
        let f = engine::intervention_flows(&m, 0, 0);
        assert_eq!(f.ledger[0].revenue_yuan, 1200.0 * 100.0 * 9.0 / 12.0);
        assert_eq!(f.ledger[1].revenue_yuan, 120_000.0);
        assert!((f.operating(0)[0] - 90_000.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn loan_payments_follow_the_schedule() {
        let m = model(
            4,
            12,
            1,
            r#"companies = 2
floor_area_m2 = 10000
price_per_m2_yuan = 2000
grant_yuan = "200万"
loan = { principal_yuan = "800万", rate_per_year = 0.049, term_years = 10, grace_years = 1 }
rent_per_m2_per_year_yuan = 200
leave_probability_per_year = 0
property_tax_share_of_rent = 0.12"#,
        );
        let terms = LoanTerms::new(8_000_000.0, 0.049, 10, 1, Repayment::Annuity).unwrap();
        let schedule = terms.schedule();
        let f = engine::intervention_flows(&m, 0, 0);
        let available = 2_000_000.0 * 0.88;
        for t in 0..12 {
            let expected = schedule.get(t).copied().unwrap_or_default();
            assert_eq!(f.ledger[t].interest_yuan, expected.interest_yuan);
            assert_eq!(f.ledger[t].principal_yuan, expected.principal_yuan);
            let profit = (available - expected.interest_yuan) / 4.0;
            assert!((f.operating(1)[t] - profit).abs() < 1e-6);
            let equity = if t == 0 { 10_000_000.0 / 4.0 } else { 0.0 };
            let cash = profit - expected.principal_yuan / 4.0 - equity;
            assert!((f.net_cash(1)[t] - cash).abs() < 1e-6);
            if t < 10 {
                let d = f.ledger[t].dscr.unwrap();
                assert!((d - available / expected.payment_yuan()).abs() < 1e-9);
            } else {
                assert_eq!(f.ledger[t].dscr, None);
            }
        }
        assert_eq!(f.ledger[0].public_money_yuan(), 2_000_000.0);
        assert_eq!(f.ledger[0].loan_drawdown_yuan, 8_000_000.0);
        assert_eq!(f.ledger[0].village_equity_yuan, 10_000_000.0);
    }

    #[test]
    fn validation_errors() {
        let base = "floor_area_m2 = 1000\nrent_per_m2_per_year_yuan = 100\n";
        let e = error(&format!("{base}price_yuan = 1\ncompanies = 17"));
        assert!(
            e.contains("interventions[0].companies") && e.contains("out of range"),
            "{e}"
        );
        let e = error(&format!("{base}price_yuan = 1\ncompanies = 4\nunits = 3"));
        assert!(e.contains("interventions[0].units"), "{e}");
        let e = error(base);
        assert!(e.contains("price_yuan") && e.contains("exactly one"), "{e}");
        let e = error(&format!("{base}price_yuan = 100\ngrant_yuan = 200"));
        assert!(e.contains("grant_yuan") && e.contains("exceed the price"), "{e}");
        let e = error(&format!("{base}price_yuan = 1\nrent_free_months = 13"));
        assert!(e.contains("rent_free_months"), "{e}");
        let e = error(&format!("{base}price_yuan = 1\nleave_probability_per_year = 1.5"));
        assert!(
            e.contains("leave_probability_per_year") && e.contains("probability"),
            "{e}"
        );
        let e = error(&format!(
            "{base}price_yuan = 1\nloan = {{ principal_yuan = 1, rate_per_year = 0.05, term_years = 5, grace_years = 5 }}"
        ));
        assert!(e.contains("interventions[0].loan") && e.contains("grace"), "{e}");
        let e = error(
            "floor_area_m2 = 1000\nprice_yuan = 1\nrent_per_m2_per_year_yuan = { uniform = { min = 1, max = 2 }, per = \"village\" }",
        );
        assert!(
            e.contains("rent_per_m2_per_year_yuan") && e.contains("per village"),
            "{e}"
        );
        let shares: Vec<String> = (1..=16).map(|k| format!("z-{k:02} = 0.1")).collect();
        let e = error(&format!(
            "{base}price_yuan = 1\nequity_shares = {{ {} }}",
            shares.join(", ")
        ));
        assert!(e.contains("equity_shares") && e.contains("sum to 1"), "{e}");
        let e = error(&format!("{base}price_yuan = 1\nequity_shares = {{ z-99 = 1 }}"));
        assert!(e.contains("equity_shares.z-99"), "{e}");
        let e = error(&format!("{base}price_yuan = 1\nloadings = {{ propery = 0.1 }}"));
        assert!(e.contains("loadings.propery") && e.contains("no factor"), "{e}");
    }

    #[test]
    fn runs_through_the_engine() {
        let m = model(
            16,
            6,
            200,
            r#"companies = 4
units = 16
floor_area_m2 = 24000
price_per_m2_yuan = 2500
loan = { principal_yuan = "2000万", rate_per_year = 0.045, term_years = 10 }
rent_per_m2_per_year_yuan = "120 to 180"
rent_growth = { normal = { mean = 0.02, sd = 0.01 } }
loadings = { property = 0.1 }
rent_free_months = 2"#,
        );
        let results = engine::simulate(
            &m,
            engine::RunOptions {
                threads: 2,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
        let all = &results.policies[1];
        let none = &results.policies[0];
        let last = all.years.len() - 1;
        assert!(all.years[last].mean_income_yuan.mean > none.years[last].mean_income_yuan.mean);
    }

    /// The documented parameters are exactly the keys of each kind's spec.
    #[test]
    fn docs_match_specs() {
        use crate::model::{mountain_sea_workshop, support_fund};
        fn check<K: KindModel>() {
            let schema = serde_json::to_value(schemars::schema_for!(K::Spec)).unwrap();
            let mut keys: Vec<String> = schema["properties"].as_object().unwrap().keys().cloned().collect();
            let mut documented: Vec<String> = K::doc().params.iter().map(|p| p.name.to_string()).collect();
            keys.sort();
            documented.sort();
            assert_eq!(keys, documented, "{}", K::KIND);
            assert!(K::doc().explain().contains(K::KIND));
            assert!(K::doc().markdown().contains(K::doc().chinese));
        }
        check::<ClusterPurchase>();
        check::<support_fund::SupportFund>();
        check::<mountain_sea_workshop::MountainSeaWorkshop>();
    }
}
