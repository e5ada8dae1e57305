//! The companies' yearly accounts: rent, taxes, depreciation, debt service
//! and default, the sale at the end, and each village's share (equations in
//! the module doc).

use super::tenancy::{CompanyRent, Tenancy};
use super::{AtEnd, ClusterPurchase};
use crate::model::finance::credit::{Borrower, Service};
use crate::model::finance::{self, LoanYear};
use crate::model::param::{Param, Per};
use crate::model::sim::Drawn;
use crate::model::{Flows, Intervention, SimCtx};

/// One run's draws of the owner's operating costs.
struct CostDraws {
    per_m2: Drawn,
    share: Drawn,
}

/// A company's standing in a run: whether it still holds its part of the
/// property, and its loan's borrower state (none without a loan).
struct Company {
    held: bool,
    borrower: Option<Borrower>,
}

/// The year being booked.
#[derive(Clone, Copy)]
struct Year {
    /// Calendar year.
    year: i32,
    /// Simulated year.
    t: usize,
    /// Whether the venture lets its units this year.
    active: bool,
    /// Whether the property is sold at the end of this year.
    sale: bool,
}

impl ClusterPurchase {
    /// `sum_p s_p f(year - y_p)` over the phases `(y_p, s_p)` bought from
    /// `from` to `year`: a figure of the whole purchase made of its phases,
    /// `f(k)` being the figure of all of it bought `k` years before.
    fn over_phases(&self, year: i32, from: i32, f: impl Fn(usize) -> f64) -> f64 {
        (self.phases.iter())
            .filter(|&&(y, _)| y >= from && y <= year)
            .map(|&(y, s)| s * f((year - y) as usize))
            .sum()
    }

    /// Depreciation of company `c` in calendar `year`, over the phases.
    pub(super) fn depreciation_in(&self, c: usize, year: i32) -> f64 {
        self.over_phases(year, i32::MIN, |k| self.depreciation_yuan(c, k))
    }

    /// Book value of company `c`'s property at the end of `year`, over the
    /// phases bought by then.
    pub(super) fn book_value_in(&self, c: usize, year: i32) -> f64 {
        self.over_phases(year, i32::MIN, |k| self.book_value_yuan(c, k))
    }

    /// The loans' year `year`, over the phases (each phase's own loan, of
    /// its share, from its year).
    fn scheduled_in(&self, year: i32) -> LoanYear {
        let at = |k: usize| self.loan_schedule.get(k).copied().unwrap_or_default();
        LoanYear {
            interest_yuan: self.over_phases(year, i32::MIN, |k| at(k).interest_yuan),
            principal_yuan: self.over_phases(year, i32::MIN, |k| at(k).principal_yuan),
            balance_after_yuan: self.over_phases(year, i32::MIN, |k| at(k).balance_after_yuan),
        }
    }

    /// Depreciation of company `c` in loan year `k` of a purchase bought
    /// whole: `a_c (P - grant) / L` for `k < L`, else 0.
    pub(super) fn depreciation_yuan(&self, c: usize, k: usize) -> f64 {
        let life = self.building_life_years as usize;
        if k < life {
            self.area_share[c] * (self.price_yuan - self.grant_yuan) / life as f64
        } else {
            0.0
        }
    }

    /// Book value of company `c`'s property at the end of loan year `k`:
    /// `a_c P` less the depreciation of years `0..=k`.
    pub(super) fn book_value_yuan(&self, c: usize, k: usize) -> f64 {
        let life = self.building_life_years as usize;
        let a = self.area_share[c];
        a * self.price_yuan - a * (self.price_yuan - self.grant_yuan) * (k + 1).min(life) as f64 / life as f64
    }

    /// The loan's balance at the start of loan year `k` (the principal in
    /// year 0; 0 without a loan or after its term).
    fn balance_at_start(&self, k: usize) -> f64 {
        match (self.loan, k) {
            (None, _) => 0.0,
            (Some(l), 0) => l.principal_yuan,
            (Some(_), k) => self.loan_schedule.get(k - 1).map_or(0.0, |y| y.balance_after_yuan),
        }
    }
}

/// One run of a cluster purchase into `flows`.
pub(super) fn simulate(cp: &ClusterPurchase, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
    let draw = |p: &Param, name: &str| ctx.draw(p, Per::Run, iv.key, name, &iv.villages);
    let rent = draw(&cp.rent, "rent_per_m2_per_year_yuan");
    let growth = draw(&cp.rent_growth, "rent_growth");
    let p_leave = draw(&cp.p_leave, "leave_probability_per_year");
    let p_let = draw(&cp.p_let, "let_probability_per_year");
    let costs = CostDraws {
        per_m2: draw(&cp.cost_per_m2, "operating_cost_per_m2_per_year_yuan"),
        share: draw(&cp.cost_share, "operating_cost_share_of_rent"),
    };
    let mut tenancy = Tenancy::new(cp, iv, ctx);
    let mut rents = vec![CompanyRent::default(); cp.companies];
    let has_loan = cp.loan.is_some_and(|l| l.principal_yuan > 0.0);
    let mut companies: Vec<Company> = (0..cp.companies)
        .map(|_| Company {
            held: true,
            borrower: has_loan.then(|| Borrower::new(&cp.credit)),
        })
        .collect();
    flows.loans = if has_loan { cp.companies as u32 } else { 0 };
    let final_year = ctx.start_year + ctx.years as i32 - 1;
    // Sold at the end of end_year when it ends the venture before the
    // horizon's last year; an end in the last year leaves a residual value.
    let sale_year = match cp.at_end {
        AtEnd::Sell => iv.end_year.filter(|&e| e < final_year),
        AtEnd::Carry => None,
    };
    let mut level = 1.0;
    let in_place = |year: i32| crate::model::phases::in_place(&cp.phases, year);

    for year in iv.start_year..=final_year {
        let active = iv.active(year);
        if companies.iter().all(|c| !c.held) || (!active && cp.at_end == AtEnd::Sell) {
            break;
        }
        let in_horizon = year >= ctx.start_year;
        let t = (year - ctx.start_year).max(0) as usize;
        if active {
            // Rent grows from the purchase year, before the horizon too
            // (pre-horizon years at the first simulated year's draw).
            if year > iv.start_year {
                level *= 1.0 + growth.at(0, t);
            }
            // The tenants of this year, then the transitions to the next.
            let rate = if in_horizon {
                let shock: f64 = cp.loadings.iter().map(|&(f, b)| b * ctx.factors[f][t]).sum();
                let factor = if cp.loadings.is_empty() { 1.0 } else { shock.exp() };
                rent.at(0, t) * level * factor * in_place(year)
            } else {
                0.0
            };
            let (leave, relet) = if in_horizon {
                (p_leave.at(0, t), p_let.at(0, t))
            } else {
                (p_leave.at(0, 0), p_let.at(0, 0))
            };
            tenancy.year(cp, rate, leave, relet, &mut rents);
        } else {
            rents.fill(CompanyRent::default());
        }
        let sale = sale_year == Some(year);
        if in_horizon {
            let y = Year { year, t, active, sale };
            book_year(cp, iv, ctx, flows, y, &rents, &costs, &mut companies);
        }
        if sale {
            companies.iter_mut().for_each(|c| c.held = false);
        }
    }
    // Residual value: the book value of what is still held less the loan
    // still owed, of the phases bought inside the horizon.
    if cp.phases.iter().any(|&(y, _)| y >= ctx.start_year && y <= final_year) {
        let owed = |k: usize| cp.loan_schedule.get(k).map_or(0.0, |y| y.balance_after_yuan);
        flows.residual_value_yuan = (0..cp.companies)
            .filter(|&c| companies[c].held)
            .map(|c| {
                let arrears = companies[c].borrower.as_ref().map_or(0.0, |b| b.arrears_yuan());
                let stake = |k: usize| cp.book_value_yuan(c, k) - cp.area_share[c] * owed(k);
                cp.over_phases(final_year, ctx.start_year, stake) - arrears
            })
            .sum();
    }
}

/// Books simulated year `y.t`: the purchase in the start year; each
/// company's rent, costs, taxes, depreciation, debt service, default or
/// sale; each village's share of its company's result and cash.
#[allow(clippy::too_many_arguments)]
fn book_year(
    cp: &ClusterPurchase,
    iv: &Intervention,
    ctx: &SimCtx,
    flows: &mut Flows,
    y: Year,
    rents: &[CompanyRent],
    draws: &CostDraws,
    companies: &mut [Company],
) {
    let t = y.t;
    let rates = ctx.tax.year(y.year);
    let scheduled = cp.scheduled_in(y.year);
    let balance = cp.over_phases(y.year, i32::MIN, |k| cp.balance_at_start(k));
    let in_place = crate::model::phases::in_place(&cp.phases, y.year);
    let mut ledger = flows.ledger[t];
    for &(_, s) in cp.phases.iter().filter(|(year, _)| *year == y.year) {
        ledger.village_equity_yuan += s * cp.equity_yuan;
        ledger.public_spent_yuan += s * cp.grant_yuan;
        ledger.loan_drawdown_yuan += s * cp.loan.map_or(0.0, |l| l.principal_yuan);
        for slot in 0..iv.villages.len() {
            let c = cp.company_of_slot[slot];
            flows.add_cash(slot, t, -s * cp.area_share[c] * cp.equity_yuan * cp.share_of_slot[slot]);
        }
    }
    let (mut available, mut debt) = (0.0, 0.0);
    for (c, firm) in companies.iter_mut().enumerate() {
        if !firm.held {
            continue;
        }
        let a = cp.area_share[c];
        let (sales, vacant) = if y.active {
            (rents[c].rent_yuan, rents[c].vacant_share())
        } else {
            (0.0, 0.0)
        };
        let (vat, surcharges) = rates.vat_and_surcharges(sales, rates.vat_rate_rent);
        let revenue = sales - vat;
        let costs = if y.active {
            a * in_place * cp.floor_area_m2 * draws.per_m2.at(0, t) + draws.share.at(0, t) * revenue
        } else {
            0.0
        };
        let property_tax = if y.active {
            rates.property_tax_rent_rate * revenue
                + rates.property_tax_value_rate * a * in_place * cp.price_yuan * vacant
        } else {
            0.0
        };
        let dep = cp.depreciation_in(c, y.year);
        let book = cp.book_value_in(c, y.year);
        let owed = a * balance;
        let mut due = LoanYear {
            interest_yuan: a * scheduled.interest_yuan,
            principal_yuan: a * scheduled.principal_yuan,
            balance_after_yuan: a * scheduled.balance_after_yuan,
        };
        let fee = if firm.borrower.is_some() {
            cp.credit.fee_yuan(owed)
        } else {
            0.0
        };
        let profit_before_tax = revenue - costs - surcharges - property_tax - due.interest_yuan - dep - fee;
        let income_tax = rates.income_tax_rate * profit_before_tax.max(0.0);
        let cash = revenue - costs - fee - surcharges - property_tax - income_tax;
        available += cash;
        debt += due.payment_yuan();
        // A sale repays the balance from the proceeds; nothing is left for
        // the lenders to seize.
        let proceeds = if y.sale { book } else { 0.0 };
        if y.sale {
            due.principal_yuan += due.balance_after_yuan;
            due.balance_after_yuan = 0.0;
        }
        let slots = (0..iv.villages.len()).filter(|&s| cp.company_of_slot[s] == c);
        let other: f64 = slots.clone().map(|s| ctx.other_income_yuan(iv.villages[s], t)).sum();
        let service = match firm.borrower.as_mut() {
            Some(b) if due.payment_yuan() > 0.0 => {
                b.year(&due, owed, cash + proceeds, other, if y.sale { 0.0 } else { book })
            }
            _ => Service {
                interest_yuan: 0.0,
                principal_yuan: 0.0,
                default: None,
            },
        };
        let write_off = if service.default.is_some() && !y.sale {
            book
        } else {
            0.0
        };
        ledger.add_service(&service);
        if service.default.is_some() {
            firm.held = false;
            flows.loans_defaulted += 1;
            flows.failed_in_year.get_or_insert(t);
        }
        ledger.revenue_yuan += revenue;
        ledger.costs_yuan += costs + fee;
        ledger.taxes_yuan += vat + surcharges + property_tax + income_tax;
        ledger.depreciation_yuan += dep + write_off;
        ledger.public_returned_yuan += fee;
        let result = revenue - costs - fee - surcharges - property_tax - service.interest_yuan - income_tax;
        // The village's investment income is its share of the company's
        // net profit, after depreciation and any write-off (dividends
        // cannot exceed it); the cash those do not cost comes back to it.
        for slot in slots {
            let w = cp.share_of_slot[slot];
            flows.add_income(slot, t, w * (result - dep - write_off));
            flows.add_cash(slot, t, w * (dep + write_off + proceeds - service.principal_yuan));
        }
    }
    if let Some(d) = finance::dscr(available, debt) {
        ledger.dscr = Some(d);
    }
    flows.ledger[t] = ledger;
}
