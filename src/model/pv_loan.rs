//! `pv_loan` (光伏贷): each participating village borrows to build its own
//! photovoltaic station.
//!
//! Source: Wuxing District, Huzhou: 20 villages obtained nearly 100 million
//! yuan of PV credit (Huzhou Bank 强村光伏贷: the bank lends up to 90% of the
//! project cost, for up to 10 years).
//!
//! **One station per village.** Every participating village builds a
//! station of `capacity_kw`, finances it with its own loan and books its own
//! revenue, costs and debt service; nothing is pooled between villages (a
//! joint station of N villages is written as N stations of 1/N of its
//! capacity each).
//!
//! # Timing
//!
//! The station is built and the loan drawn in the intervention's
//! `start_year`; it produces from that same year. Operating year
//! `k = 1, 2, ...` is calendar year `start_year + k - 1`. Loan payments are
//! made at the end of each year: loan year `k` pays entry `k - 1` of the
//! [`LoanTerms`] schedule (grace years pay interest only). Revenue and
//! operating costs are booked in the years the intervention is active
//! (`start_year` to `end_year`); debt service follows the schedule whatever
//! `end_year` says (a debt does not end with the station). A station built
//! before the simulated horizon enters it in operating year
//! `k = horizon start - start_year + 1`, with its capital outlay outside the
//! horizon.
//!
//! # Equations (village `v`, operating year `k`, calendar year `y`)
//!
//! ```text
//! capex[v]      = capacity_kw * capex_per_kw_yuan[v]
//! loan[v]       = loan_share  * capex[v]       (bank loan, drawn in start_year)
//! grant[v]      = grant_share * capex[v]       (public money, start_year)
//! equity[v]     = (1 - loan_share - grant_share) * capex[v]   (village, start_year)
//!
//! sun[y]        = max(0, 1 + sunshine_loading * Z_sunshine[y])   (1 without a sunshine factor)
//! D[k]          = (1 - first_year_degradation) * (1 - degradation_per_year)^(k - 1)
//! output[v, k]  = capacity_kw * specific_yield_kwh_per_kw[v, y] * sun[y] * D[k]      (kWh)
//! price[v, y]   = self_use_share * retail_price_per_kwh + (1 - self_use_share) * feed_in_tariff_per_kwh
//! sales[v, k]   = output[v, k] * price[v, y]
//! subsidy[v, k] = output[v, k] * subsidy_per_kwh     if k <= subsidy_years, else 0   (public money)
//! revenue[v, k] = sales[v, k] + subsidy[v, k]
//! om[v, k]      = capacity_kw * om_per_kw_per_year_yuan
//! inverter[v,k] = capacity_kw * inverter_replacement_per_kw_yuan   if k = inverter_replacement_year, else 0
//!
//! operating income[v, k] = revenue - om - inverter
//! interest[v, k], principal[v, k] = LoanTerms(loan[v], loan_rate_per_year, loan_term_years,
//!                                             grace_years, repayment).schedule()[k - 1]
//! net cash[v, k] = operating income - interest - principal - (equity[v] if k = 1)
//!
//! DSCR[y] = sum_v (revenue - om - inverter) / sum_v (interest + principal)   when debt service > 0
//! ```
//!
//! The degradation convention: the first operating year already carries the
//! first-year loss (light-induced degradation), and each later year loses a
//! further `degradation_per_year` of the previous year's output. A
//! `degradation_per_year` drawn afresh each year compounds year by year.
//!
//! `sun` is mean-preserving: with the factor standard normal, the expected
//! multiplier is 1 (the floor at 0 matters only beyond 1/loading standard
//! deviations). The yield's own per-year draw adds station-specific noise on
//! top of the regional factor.
//!
//! Operating income is what the village books: sales of power plus the
//! subsidy, less O&M and inverter replacement, before debt service. No VAT
//! is deducted: give net-of-tax prices if that matters. Years with negative
//! net cash (debt service above operating income) show up as negative
//! `net_cash_yuan`; [`negative_cash_years`] lists them. The loan never
//! defaults in this model: a shortfall is covered by the village from other
//! funds.
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/pv_loan.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Capital and public money: village equity `equity[v]` in the start year;
//! a bank loan `loan[v]` drawn in the start year; public money = `grant[v]`
//! in the start year plus `subsidy[v, k]` in subsidy years.

use serde::Deserialize;

/// Life over which a station's book value is written off for its residual
/// value at the end of the horizon (module warranties: 25 years).
const STATION_LIFE_YEARS: f64 = 25.0;

use super::finance::{self, LoanTerms, Repayment};
use super::sim::Drawn;
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param, Per};

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/pv_loan.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Peak capacity of each participating village's station, kW.
    pub capacity_kw: Num,
    /// All-in build cost, yuan per kW.
    pub capex_per_kw_yuan: Param,
    /// Share of the build cost lent by the bank.
    pub loan_share: Option<Num>,
    /// Share of the build cost paid by government grants.
    pub grant_share: Option<Num>,
    /// Loan interest rate per year.
    pub loan_rate_per_year: Option<Num>,
    /// Loan term in years, grace years included.
    pub loan_term_years: Option<i64>,
    /// Interest-only years at the start of the loan.
    pub grace_years: Option<i64>,
    /// "annuity", "equal-principal" or "bullet".
    pub repayment: Option<Repayment>,
    /// Output per kW per year before degradation, kWh.
    pub specific_yield_kwh_per_kw: Param,
    /// Name of a common factor that moves every station's output.
    pub sunshine_factor: Option<String>,
    /// Relative output change per standard deviation of the sunshine factor.
    pub sunshine_loading: Option<Num>,
    /// Output lost in the first operating year.
    pub first_year_degradation: Option<Param>,
    /// Output lost each later year.
    pub degradation_per_year: Option<Param>,
    /// Share of output used on site.
    pub self_use_share: Option<Param>,
    /// Price paid by the on-site user, yuan per kWh.
    pub retail_price_per_kwh: Option<Param>,
    /// Price of power exported to the grid, yuan per kWh.
    pub feed_in_tariff_per_kwh: Param,
    /// Government subsidy on all output, yuan per kWh.
    pub subsidy_per_kwh: Option<Param>,
    /// Operating years in which the subsidy is paid.
    pub subsidy_years: Option<i64>,
    /// Operation and maintenance, yuan per kW per year.
    pub om_per_kw_per_year_yuan: Option<Param>,
    /// Inverter replacement cost, yuan per kW.
    pub inverter_replacement_per_kw_yuan: Option<Param>,
    /// Operating year of the inverter replacement.
    pub inverter_replacement_year: Option<i64>,
}

/// A validated PV-loan intervention.
#[derive(Debug, Clone)]
pub struct PvLoan {
    pub capacity_kw: f64,
    pub capex_per_kw_yuan: Param,
    pub loan_share: f64,
    pub grant_share: f64,
    /// Rate, term, grace and repayment; the principal is set per village and run.
    pub loan: LoanTerms,
    pub specific_yield_kwh_per_kw: Param,
    /// `(factor index, loading)`.
    pub sunshine: Option<(usize, f64)>,
    pub first_year_degradation: Param,
    pub degradation_per_year: Param,
    pub self_use_share: Param,
    pub retail_price_per_kwh: Param,
    pub feed_in_tariff_per_kwh: Param,
    pub subsidy_per_kwh: Param,
    pub subsidy_years: u32,
    pub om_per_kw_per_year_yuan: Param,
    pub inverter_replacement_per_kw_yuan: Param,
    pub inverter_replacement_year: u32,
}

/// Simulated years (indices) in which slot `slot` had negative net cash.
pub fn negative_cash_years(flows: &Flows, slot: usize) -> Vec<usize> {
    flows
        .net_cash(slot)
        .iter()
        .enumerate()
        .filter(|(_, c)| **c < 0.0)
        .map(|(t, _)| t)
        .collect()
}

impl KindModel for PvLoan {
    const KIND: &'static str = "pv_loan";
    const RECORDS: &'static str = include_str!("kinds/pv_loan.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        // Checked in this order, so the first error reported stays the same.
        let capacity_kw = capacity(check, spec.capacity_kw);
        let (loan_share, grant_share) = capital_shares(check, &spec);
        let loan = loan_terms(check, &spec);
        let sunshine = sunshine(check, &spec);
        let self_use_share = Self::param("self_use_share").read_or(check, &spec.self_use_share);
        let retail_price_per_kwh = retail_price(check, &spec, &self_use_share);
        let (subsidy_per_kwh, subsidy_years) = subsidy(check, &spec);
        let inverter = Self::param("inverter_replacement_year");
        let inverter_replacement_year = inverter.whole_or(check, spec.inverter_replacement_year);

        PvLoan {
            capacity_kw,
            capex_per_kw_yuan: Self::param("capex_per_kw_yuan").read(check, &spec.capex_per_kw_yuan),
            loan_share,
            grant_share,
            loan,
            specific_yield_kwh_per_kw: Self::param("specific_yield_kwh_per_kw")
                .read(check, &spec.specific_yield_kwh_per_kw),
            sunshine,
            first_year_degradation: Self::param("first_year_degradation").read_or(check, &spec.first_year_degradation),
            degradation_per_year: Self::param("degradation_per_year").read_or(check, &spec.degradation_per_year),
            self_use_share,
            retail_price_per_kwh,
            feed_in_tariff_per_kwh: Self::param("feed_in_tariff_per_kwh").read(check, &spec.feed_in_tariff_per_kwh),
            subsidy_per_kwh,
            subsidy_years,
            om_per_kw_per_year_yuan: Self::param("om_per_kw_per_year_yuan")
                .read_or(check, &spec.om_per_kw_per_year_yuan),
            inverter_replacement_per_kw_yuan: Self::param("inverter_replacement_per_kw_yuan")
                .read_or(check, &spec.inverter_replacement_per_kw_yuan),
            inverter_replacement_year: inverter.clamp(inverter_replacement_year) as u32,
        }
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let villages = &iv.villages;
        let draws = Draws::new(self, iv, ctx);
        let years = ctx.years;
        let cap = self.capacity_kw;
        // Simulated year of the build (may lie outside the horizon).
        let build_t = i64::from(iv.start_year) - i64::from(ctx.start_year);
        let capex_t = build_t.clamp(0, years as i64 - 1) as usize;
        let mut cash_for_debt = vec![0.0; years];
        let mut debt_service = vec![0.0; years];
        for slot in 0..villages.len() {
            let cost = cap * draws.capex.at(slot, capex_t);
            let loan = self.loan_of(cost);
            let schedule = loan.schedule();
            let grant = cost * self.grant_share;
            let equity = cost - loan.principal_yuan - grant;
            // Degradation multiplier of the current operating year.
            let mut degradation: Option<f64> = None;
            for t in 0..years {
                let k = t as i64 - build_t; // 0-based operating (and loan) year
                if k < 0 {
                    continue;
                }
                let year = ctx.start_year + t as i32;
                if k == 0 {
                    flows.add_cash(slot, t, -equity);
                }
                let ledger = &mut flows.ledger[t];
                if k == 0 {
                    ledger.village_equity_yuan += equity;
                    ledger.public_spent_yuan += grant;
                    ledger.loan_drawdown_yuan += loan.principal_yuan;
                }
                let pay = schedule.get(k as usize).copied().unwrap_or_default();
                ledger.interest_yuan += pay.interest_yuan;
                ledger.principal_yuan += pay.principal_yuan;
                debt_service[t] += pay.payment_yuan();
                flows.add_cash(slot, t, -pay.payment_yuan());
                let factor = match degradation {
                    Some(f) => f * (1.0 - draws.d.at(slot, t)),
                    // First simulated operating year: the closed form.
                    None => (1.0 - draws.d1.at(slot, t)) * (1.0 - draws.d.at(slot, t)).powi(k as i32),
                };
                degradation = Some(factor);
                if !iv.active(year) {
                    continue;
                }
                let (sales, subsidy_yuan, costs) = self.operating_year(&draws, ctx, slot, t, k, factor);
                let ledger = &mut flows.ledger[t];
                ledger.revenue_yuan += sales + subsidy_yuan;
                ledger.public_spent_yuan += subsidy_yuan;
                ledger.costs_yuan += costs;
                let income = sales + subsidy_yuan - costs;
                cash_for_debt[t] += income;
                flows.add_income(slot, t, income);
                flows.note_transfer(slot, t, subsidy_yuan);
            }
        }
        for t in 0..years {
            flows.ledger[t].dscr = finance::dscr(cash_for_debt[t], debt_service[t]);
        }
        flows.residual_value_yuan += self.residual_value(&draws, villages.len(), years, build_t);
    }
}

/// One run's draws of a PV loan's uncertain parameters.
struct Draws {
    capex: Drawn,
    yield_: Drawn,
    d1: Drawn,
    d: Drawn,
    self_use: Drawn,
    retail: Drawn,
    fit: Drawn,
    subsidy: Drawn,
    om: Drawn,
    inverter: Drawn,
}

impl Draws {
    fn new(pv: &PvLoan, iv: &Intervention, ctx: &SimCtx) -> Draws {
        let draw = |p: &Param, per: Per, name: &str| ctx.draw(p, per, iv.key, name, &iv.villages);
        Draws {
            capex: draw(&pv.capex_per_kw_yuan, Per::Run, "capex_per_kw_yuan"),
            yield_: draw(&pv.specific_yield_kwh_per_kw, Per::Year, "specific_yield_kwh_per_kw"),
            d1: draw(&pv.first_year_degradation, Per::Run, "first_year_degradation"),
            d: draw(&pv.degradation_per_year, Per::Run, "degradation_per_year"),
            self_use: draw(&pv.self_use_share, Per::Run, "self_use_share"),
            retail: draw(&pv.retail_price_per_kwh, Per::Run, "retail_price_per_kwh"),
            fit: draw(&pv.feed_in_tariff_per_kwh, Per::Run, "feed_in_tariff_per_kwh"),
            subsidy: draw(&pv.subsidy_per_kwh, Per::Run, "subsidy_per_kwh"),
            om: draw(&pv.om_per_kw_per_year_yuan, Per::Run, "om_per_kw_per_year_yuan"),
            inverter: draw(
                &pv.inverter_replacement_per_kw_yuan,
                Per::Run,
                "inverter_replacement_per_kw_yuan",
            ),
        }
    }
}

impl PvLoan {
    /// The loan of a station costing `cost` yuan.
    fn loan_of(&self, cost: f64) -> LoanTerms {
        LoanTerms {
            principal_yuan: cost * self.loan_share,
            ..self.loan
        }
    }

    /// `(sales, subsidy, costs)` of slot `slot`'s station in simulated year
    /// `t`, its 0-based operating year `k`, at degradation multiplier `factor`.
    fn operating_year(
        &self,
        draws: &Draws,
        ctx: &SimCtx,
        slot: usize,
        t: usize,
        k: i64,
        factor: f64,
    ) -> (f64, f64, f64) {
        let cap = self.capacity_kw;
        let sun = self
            .sunshine
            .map_or(1.0, |(f, b)| (1.0 + b * ctx.factors[f][t]).max(0.0));
        let output = cap * draws.yield_.at(slot, t) * sun * factor;
        let s = draws.self_use.at(slot, t);
        let sales = output * (s * draws.retail.at(slot, t) + (1.0 - s) * draws.fit.at(slot, t));
        let subsidy_yuan = if k < i64::from(self.subsidy_years) {
            output * draws.subsidy.at(slot, t)
        } else {
            0.0
        };
        let mut costs = cap * draws.om.at(slot, t);
        if k + 1 == i64::from(self.inverter_replacement_year) {
            costs += cap * draws.inverter.at(slot, t);
        }
        (sales, subsidy_yuan, costs)
    }

    /// Residual value: the stations written off straight-line over their
    /// life, less the loans still owed at the end of the horizon; 0 for a
    /// station built before the horizon or after it.
    fn residual_value(&self, draws: &Draws, slots: usize, years: usize, build_t: i64) -> f64 {
        let operated = years as i64 - build_t;
        if build_t < 0 || operated <= 0 {
            return 0.0;
        }
        let capex_t = build_t.clamp(0, years as i64 - 1) as usize;
        let mut value = 0.0;
        for slot in 0..slots {
            let cost = self.capacity_kw * draws.capex.at(slot, capex_t);
            let owed = self
                .loan_of(cost)
                .schedule()
                .get(operated as usize - 1)
                .map_or(0.0, |y| y.balance_after_yuan);
            let book = cost * (1.0 - operated as f64 / STATION_LIFE_YEARS).max(0.0);
            value += book - owed;
        }
        value
    }
}

// The steps of `PvLoan::build`, in the order it takes them.

/// The station's capacity: above 0 and at most 10,000,000 kW.
fn capacity(check: &mut KindCheck, capacity_kw: Num) -> f64 {
    let capacity_kw = capacity_kw.0;
    if !(capacity_kw > 0.0 && capacity_kw <= 1e7) {
        check.fail(
            "capacity_kw",
            format!("expected a capacity above 0 and at most 10,000,000 kW, got {capacity_kw}"),
            Some("the peak capacity of each village's station, e.g. capacity_kw = 800".into()),
        );
    }
    capacity_kw
}

/// `(loan_share, grant_share)`, which leave village equity >= 0.
fn capital_shares(check: &mut KindCheck, spec: &Spec) -> (f64, f64) {
    let loan_share = PvLoan::param("loan_share").number_or(check, spec.loan_share);
    let grant_share = PvLoan::param("grant_share").number_or(check, spec.grant_share);
    if loan_share + grant_share > 1.0 + 1e-9 {
        check.fail(
            "grant_share",
            format!("loan_share ({loan_share}) + grant_share ({grant_share}) exceed 1"),
            Some("village equity is 1 - loan_share - grant_share of the cost and cannot be negative".into()),
        );
    }
    (loan_share, grant_share)
}

/// Rate, term, grace and repayment (the principal is set per village and run).
fn loan_terms(check: &mut KindCheck, spec: &Spec) -> LoanTerms {
    let rate = spec
        .loan_rate_per_year
        .map_or(PvLoan::param("loan_rate_per_year").number(), |n| n.0);
    let term_rec = PvLoan::param("loan_term_years");
    let grace_rec = PvLoan::param("grace_years");
    let term = spec.loan_term_years.unwrap_or(term_rec.number() as i64);
    let grace = spec.grace_years.unwrap_or(grace_rec.number() as i64);
    let repayment = spec.repayment.unwrap_or(Repayment::Annuity);
    if !(0.0..=1.0).contains(&rate) {
        check.fail(
            "loan_rate_per_year",
            format!("expected a rate between 0 and 1 per year (e.g. 0.043 or \"4.3%\"), got {rate}"),
            None,
        );
    }
    let term_ok = term_rec.whole(check, term);
    let grace_ok = grace_rec.whole(check, grace);
    match LoanTerms::new(
        0.0,
        rate.clamp(0.0, 1.0),
        term_rec.clamp(term) as u32,
        grace_rec.clamp(grace) as u32,
        repayment,
    ) {
        Ok(loan) => loan,
        Err(e) => {
            if term_ok && grace_ok {
                check.fail(
                    "grace_years",
                    e.to_string(),
                    Some("grace_years must be less than loan_term_years".into()),
                );
            }
            LoanTerms {
                principal_yuan: 0.0,
                rate_per_year: rate.clamp(0.0, 1.0),
                term_years: 1,
                grace_years: 0,
                repayment,
            }
        }
    }
}

/// `(factor index, loading)` of the sunshine factor, if named.
fn sunshine(check: &mut KindCheck, spec: &Spec) -> Option<(usize, f64)> {
    match (&spec.sunshine_factor, spec.sunshine_loading) {
        (Some(name), loading) => {
            let b = loading.map_or(PvLoan::param("sunshine_loading").number(), |n| n.0);
            if !(0.0..=1.0).contains(&b) {
                check.fail(
                    "sunshine_loading",
                    format!(
                        "expected a loading between 0 and 1 (relative output change per standard deviation), got {b}"
                    ),
                    None,
                );
            }
            check.factor("sunshine_factor", name).map(|f| (f, b))
        }
        (None, Some(_)) => {
            check.fail(
                "sunshine_loading",
                "sunshine_loading needs a sunshine_factor",
                Some("name the common factor, e.g. sunshine_factor = \"sunshine\"".into()),
            );
            None
        }
        (None, None) => None,
    }
}

/// The on-site price: required when some output can be used on site.
fn retail_price(check: &mut KindCheck, spec: &Spec, self_use_share: &Param) -> Param {
    match &spec.retail_price_per_kwh {
        Some(p) => PvLoan::param("retail_price_per_kwh").read(check, p),
        None => {
            if self_use_share.support().1 > 0.0 {
                check.fail(
                    "retail_price_per_kwh",
                    "missing field `retail_price_per_kwh`: self_use_share can be above 0",
                    Some("the price the on-site user pays, yuan per kWh, e.g. retail_price_per_kwh = 0.55".into()),
                );
            }
            Param::fixed(0.0)
        }
    }
}

/// `(subsidy_per_kwh, subsidy_years)`: the years are required with a subsidy.
fn subsidy(check: &mut KindCheck, spec: &Spec) -> (Param, u32) {
    let subsidy_per_kwh = PvLoan::param("subsidy_per_kwh").read_or(check, &spec.subsidy_per_kwh);
    let years = PvLoan::param("subsidy_years");
    let subsidy_years = match spec.subsidy_years {
        Some(n) => {
            years.whole(check, n);
            years.clamp(n) as u32
        }
        None => {
            if spec.subsidy_per_kwh.is_some() {
                check.fail(
                    "subsidy_years",
                    "missing field `subsidy_years`: subsidy_per_kwh is given",
                    Some("the number of operating years the subsidy is paid, e.g. subsidy_years = 20".into()),
                );
            }
            years.number() as u32
        }
    };
    (subsidy_per_kwh, subsidy_years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::intervention_flows;

    /// A scenario with `villages` identical villages, years 2021-2035 and
    /// the intervention keys `kind_keys`.
    fn scenario(villages: usize, years: usize, kind_keys: &str) -> String {
        format!(
            r#"
[scenario]
name = "pv test"
start_year = 2021
years = {years}
runs = 200
seed = 7

[targets]
floor = "50万"

[factors.sunshine]
persistence = 0.2

[[villages]]
group = "g"
count = {villages}
operating_income = "20万"

[[interventions]]
id = "pv"
kind = "pv_loan"
villages = "all"
start_year = 2021
{kind_keys}
"#
        )
    }

    use crate::model::testing::{close, error, model};

    const BASE: &str = r#"
capacity_kw = 1000
capex_per_kw_yuan = 4000
loan_share = 0.8
grant_share = 0.1
loan_rate_per_year = 0.05
loan_term_years = 10
grace_years = 2
repayment = "annuity"
specific_yield_kwh_per_kw = 1000
first_year_degradation = 0.02
degradation_per_year = 0.005
self_use_share = 0.6
retail_price_per_kwh = 0.55
feed_in_tariff_per_kwh = 0.4153
subsidy_per_kwh = 0.05
subsidy_years = 3
om_per_kw_per_year_yuan = 40
inverter_replacement_per_kw_yuan = 250
inverter_replacement_year = 5
"#;

    #[test]
    fn closed_form_output_revenue_loan_and_dscr() {
        let m = model(&scenario(2, 15, BASE));
        let f = intervention_flows(&m, 0, 3);
        let loan = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity).unwrap();
        let schedule = loan.schedule();
        let price = 0.6 * 0.55 + 0.4 * 0.4153;
        for t in 0..15 {
            let k = t + 1; // operating year
            let output = 1000.0 * 1000.0 * 0.98 * 0.995_f64.powi(k as i32 - 1);
            let subsidy = if k <= 3 { output * 0.05 } else { 0.0 };
            let revenue = output * price + subsidy;
            let costs = 40_000.0 + if k == 5 { 250_000.0 } else { 0.0 };
            let income = revenue - costs;
            let pay = schedule.get(t).copied().unwrap_or_default();
            let equity = if t == 0 { 400_000.0 } else { 0.0 };
            for slot in 0..2 {
                assert!(
                    close(f.operating(slot)[t], income, 1e-6),
                    "t {t}: {} vs {income}",
                    f.operating(slot)[t]
                );
                let cash = income - pay.payment_yuan() - equity;
                assert!(close(f.net_cash(slot)[t], cash, 1e-6), "t {t}");
            }
            let l = &f.ledger[t];
            assert!(close(l.revenue_yuan, 2.0 * revenue, 1e-6));
            assert!(close(l.costs_yuan, 2.0 * costs, 1e-6));
            assert!(close(l.interest_yuan, 2.0 * pay.interest_yuan, 1e-6));
            assert!(close(l.principal_yuan, 2.0 * pay.principal_yuan, 1e-6));
            let public = 2.0 * subsidy + if t == 0 { 2.0 * 400_000.0 } else { 0.0 };
            assert!(close(l.public_money_yuan(), public, 1e-6), "t {t}");
            assert!(close(l.village_equity_yuan, 2.0 * equity, 1e-6));
            let drawdown = if t == 0 { 6_400_000.0 } else { 0.0 };
            assert_eq!(l.loan_drawdown_yuan, drawdown);
            if t < 10 {
                let dscr = income / pay.payment_yuan();
                assert!(close(l.dscr.unwrap(), dscr, 1e-12), "t {t}");
            } else {
                assert_eq!(l.dscr, None);
            }
        }
        // Grace years: interest only on the full principal.
        for t in 0..2 {
            assert!(close(f.ledger[t].interest_yuan, 2.0 * 160_000.0, 1e-9));
            assert_eq!(f.ledger[t].principal_yuan, 0.0);
        }
        // The whole principal is repaid, to the fen.
        let repaid: f64 = f.ledger.iter().map(|l| l.principal_yuan).sum();
        assert!(close(repaid, 6_400_000.0, 0.01));
        // Subsidy stops after its years.
        assert!(f.ledger[2].public_money_yuan() > 0.0);
        assert!(f.ledger[3..].iter().all(|l| l.public_money_yuan() == 0.0));
    }

    #[test]
    fn equal_principal_schedule_matches_loan_terms() {
        let keys = BASE.replace("\"annuity\"", "\"equal-principal\"");
        let m = model(&scenario(1, 12, &keys));
        let f = intervention_flows(&m, 0, 0);
        let schedule = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::EqualPrincipal)
            .unwrap()
            .schedule();
        for (t, pay) in schedule.iter().enumerate() {
            assert_eq!(f.ledger[t].interest_yuan, pay.interest_yuan);
            assert_eq!(f.ledger[t].principal_yuan, pay.principal_yuan);
        }
        assert_eq!(f.ledger[2].principal_yuan, 400_000.0);
        assert_eq!(f.ledger[10].interest_yuan + f.ledger[10].principal_yuan, 0.0);
    }

    #[test]
    fn high_capex_low_tariff_has_negative_cash_years() {
        let keys = r#"
capacity_kw = 800
capex_per_kw_yuan = 6000
specific_yield_kwh_per_kw = 1000
feed_in_tariff_per_kwh = 0.3
"#;
        let m = model(&scenario(1, 12, keys));
        let f = intervention_flows(&m, 0, 0);
        let negative = negative_cash_years(&f, 0);
        // Revenue ~235k a year, O&M 32k, annuity on 4.32M at 4.3% ~ 535k.
        assert_eq!(negative, (0..10).collect::<Vec<_>>());
        assert!(f.ledger[..10].iter().all(|l| l.dscr.unwrap() < 1.0));
        assert!(f.operating(0).iter().all(|x| *x > 0.0));
        // The default case: 90% loan, 10-year annuity at 4.3%, equity 10%.
        assert!(close(f.ledger[0].loan_drawdown_yuan, 0.9 * 4_800_000.0, 1e-6));
        assert!(close(f.ledger[0].village_equity_yuan, 480_000.0, 1e-6));
    }

    #[test]
    fn sunshine_factor_moves_output_and_keeps_its_mean() {
        let keys = r#"
capacity_kw = 100
capex_per_kw_yuan = 4000
specific_yield_kwh_per_kw = 1000
first_year_degradation = 0
degradation_per_year = 0
feed_in_tariff_per_kwh = 1
om_per_kw_per_year_yuan = 0
sunshine_factor = "sunshine"
sunshine_loading = 0.1
"#;
        let m = model(&scenario(2, 5, keys));
        let mut sum = 0.0;
        let mut sum2 = 0.0;
        let runs = 4000;
        for run in 0..runs {
            let f = intervention_flows(&m, 0, run);
            // Both villages see the same regional factor.
            assert_eq!(f.operating(0), f.operating(1));
            let x = f.operating(0)[0] / 100_000.0; // multiplier of year 0
            sum += x;
            sum2 += x * x;
        }
        let mean = sum / runs as f64;
        let sd = (sum2 / runs as f64 - mean * mean).sqrt();
        // Mean 1, sd 0.1: the standard error of the mean is 0.0016.
        assert!(close(mean, 1.0, 0.007), "{mean}");
        assert!(close(sd, 0.1, 0.01), "{sd}");
    }

    #[test]
    fn station_built_before_the_horizon_enters_mid_life() {
        let text = scenario(1, 6, BASE).replace("start_year = 2021\n\ncapacity_kw", "start_year = 2018\n\ncapacity_kw");
        let m = model(&text);
        let f = intervention_flows(&m, 0, 0);
        let schedule = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity)
            .unwrap()
            .schedule();
        // 2021 is operating year 4: no equity, loan year index 3.
        assert_eq!(f.ledger[0].village_equity_yuan, 0.0);
        assert_eq!(f.ledger[0].loan_drawdown_yuan, 0.0);
        assert_eq!(f.ledger[0].principal_yuan, schedule[3].principal_yuan);
        let output = 1_000_000.0 * 0.98 * 0.995_f64.powi(3);
        let price = 0.6 * 0.55 + 0.4 * 0.4153;
        assert!(close(f.operating(0)[0], output * price - 40_000.0, 1e-6));
        // 2022 is operating year 5: inverter replacement.
        let output = 1_000_000.0 * 0.98 * 0.995_f64.powi(4);
        assert!(close(f.operating(0)[1], output * price - 290_000.0, 1e-6));
    }

    #[test]
    fn validation_errors_are_located() {
        let bad = BASE.replace("grace_years = 2", "grace_years = 10");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("interventions[0].grace_years"), "{e}");
        let bad = BASE.replace("grant_share = 0.1", "grant_share = 0.3");
        let e = error(&scenario(1, 5, &bad));
        assert!(
            e.contains("interventions[0].grant_share") && e.contains("exceed 1"),
            "{e}"
        );
        let bad = BASE.replace("retail_price_per_kwh = 0.55\n", "");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("interventions[0].retail_price_per_kwh"), "{e}");
        let bad = BASE.replace("subsidy_years = 3\n", "");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("interventions[0].subsidy_years"), "{e}");
        let bad = format!("{BASE}sunshine_factor = \"sun\"\n");
        let e = error(&scenario(1, 5, &bad));
        assert!(
            e.contains("interventions[0].sunshine_factor") && e.contains("no factor named `sun`"),
            "{e}"
        );
        let bad = BASE.replace("capacity_kw = 1000", "capacity_kw = 0");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("interventions[0].capacity_kw"), "{e}");
        let bad = BASE.replace("self_use_share = 0.6", "self_use_share = 1.6");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("interventions[0].self_use_share"), "{e}");
        let bad = BASE.replace("loan_rate_per_year = 0.05", "loan_rate_per_year = 5");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("interventions[0].loan_rate_per_year"), "{e}");
        let bad = BASE.replace("\"annuity\"", "\"balloon\"");
        let e = error(&scenario(1, 5, &bad));
        assert!(e.contains("balloon"), "{e}");
    }

    #[test]
    fn runs_through_the_engine() {
        let keys = r#"
capacity_kw = 800
capex_per_kw_yuan = "3500 to 4000"
specific_yield_kwh_per_kw = { normal = { mean = 1000, sd = 50 } }
sunshine_factor = "sunshine"
self_use_share = 0.6
retail_price_per_kwh = 0.55
feed_in_tariff_per_kwh = 0.4153
"#;
        let m = model(&scenario(3, 8, keys));
        let options = crate::engine::RunOptions {
            threads: 2,
            ..Default::default()
        };
        let results = crate::engine::simulate(&m, options, &|_| {}).unwrap();
        assert_eq!(results.policies.len(), 2);
        // Year 8: 800 kW x 1000 h x 0.98 x 0.9945^7 = 754 MWh at 0.496 yuan/kWh, less 32,000 O&M.
        let with = results.policies[1].years.last().unwrap().mean_income_yuan.mean;
        let without = results.policies[0].years.last().unwrap().mean_income_yuan.mean;
        assert!(close(with - without, 342_000.0, 10_000.0), "{with} - {without}");
    }
}
