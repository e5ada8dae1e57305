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
//! **Built in stages.** With `build_phases = { y_1 = s_1, y_2 = s_2, ... }`
//! (shares of `capacity_kw` summing to 1, years from `start_year` to
//! `end_year`), each village's station is built in phases: phase `p` is a
//! station of `s_p * capacity_kw` built in year `y_p`, with everything
//! above counted from its own build year (its capex at `capex_per_kw_yuan`
//! of `y_p`, its own loan drawn in `y_p`, its own operating years `k`, so
//! its own degradation, subsidy years and inverter replacement). Its loan
//! is its own borrower, which may call on `s_p` of the village's other
//! income and of `credit.reserve_yuan` (so the cover of all phases together
//! is the village's, as for one station); one phase may default while
//! another goes on. The village's lines are the sums over its phases.
//!
//! ```text
//! capex[v, p] = s_p * capacity_kw * capex_per_kw_yuan[v, y_p]     paid in y_p
//! ```
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
//! sales[v, k]   = output[v, k] * price[v, y]                     (prices include VAT)
//! VAT[v, k]     = finance::tax::vat(sales, r_sales[y], exempt[y])  (small-scale taxpayer, see finance::tax)
//! subsidy[v, k] = output[v, k] * subsidy_per_kwh     if k <= subsidy_years, else 0   (public money)
//! om[v, k]      = capacity_kw * om_per_kw_per_year_yuan
//! inverter[v,k] = capacity_kw * inverter_replacement_per_kw_yuan   if k = inverter_replacement_year, else 0
//! fee[v, k]     = credit.fee_yuan(balance at the start of loan year k)   (a guaranteed loan only)
//!
//! operating[v, k]    = sales - VAT                                 the target line (经营收入)
//! subsidy line       = subsidy[v, k]                               补助收入, off the target line
//! costs[v, k]        = om + inverter + fee
//! taxes[v, k]        = surcharge_rate[y] * VAT                     (VAT itself is not the village's income)
//! depreciation[v, k] = (capex - grant) / station_life_years        while book value remains;
//!                      in end_year the remaining book value is written off (the station stops)
//! interest, principal: LoanTerms(loan[v], loan_rate_per_year, loan_term_years, grace_years,
//!                      repayment).schedule()[k - 1] as paid (finance::credit)
//! cash for debt service C[v, k] = operating + subsidy - costs - taxes   (0 after end_year)
//! net cash[v, k]     = C - interest - principal - (equity[v] if k = 1)
//!
//! DSCR[y] = sum_v C[v, k] / sum_v (interest + principal due)   when debt service is due
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
//! # A loan that can fail
//!
//! Each village's loan is one borrower of [`finance::credit`]: a year whose
//! debt service the station's cash `C` does not cover is covered from a
//! share of the village's other operating income (its organic income in the
//! run) and its reserve; when they do not suffice, the loan defaults: the
//! lenders take the station (its book value is written off, recovered at
//! `recovery_share` of it), the guarantee pays `guarantee_share` of the loss
//! (public money, ledger `guarantee_calls_yuan`), the bank bears the rest
//! (`bank_loss_yuan`), and the village earns nothing more from the station
//! and pays nothing more on the loan. Debt service follows the schedule
//! after `end_year` too, with `C = 0`. For a station built before the
//! horizon the reserve is taken as whole when the horizon starts.
//!
//! # Past the horizon
//!
//! When the loan's term runs past the simulated horizon, each station's
//! remaining loan years are projected for its DSCR alone: the same
//! equations, the same draws (a parameter drawn per year is drawn on for
//! the years past the horizon, the sunshine factor's path continues),
//! `C[v, k]` and the debt service due added up as above into
//! `Flows::projected_dscr`, one entry a calendar year to the end of the
//! term. A shortfall is covered, carried or defaulted as inside the
//! horizon, with the village's other income held at its last simulated
//! year; a station lost in default leaves the sums. Nothing of it reaches
//! the village's lines, the ledger, NPV or IRR: the village's income is
//! accounted inside the horizon only.
//!
//! # Residual value
//!
//! For a station built inside the horizon and neither stopped nor lost,
//! the book value less the loan still owed at the end of the horizon is
//! added to the final year's cash flow for NPV and IRR; a stopped station
//! has no book value left (only its debt, if any, counts against it).
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/pv_loan.toml` (the `credit` table's in
//! `src/model/finance/credit.toml`); `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Capital and public money: village equity `equity[v]` in the start year;
//! a bank loan `loan[v]` drawn in the start year; public money = `grant[v]`
//! in the start year plus `subsidy[v, k]` in subsidy years plus guarantee
//! calls, less guarantee fees (counted as public money returned).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::finance::credit::{self, Borrower, Credit, CreditSpec};
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
    /// Years over which the station is depreciated.
    pub station_life_years: Option<i64>,
    /// What stands behind the loan: reserve, cover, guarantee, recovery.
    pub credit: Option<CreditSpec>,
    /// Shares of `capacity_kw` built in each year, e.g. `{ 2025 = "60%",
    /// 2027 = "40%" }`; all of it in `start_year` when absent.
    pub build_phases: Option<BTreeMap<String, Num>>,
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
    pub station_life_years: u32,
    pub credit: Credit,
    /// `(build year, share of capacity_kw)` in increasing years, shares
    /// summing to 1: one station per phase and village.
    pub build_phases: Vec<(i32, f64)>,
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
    const RECORDS: &'static str = include_str!("../kinds/pv_loan.toml");
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
            station_life_years: {
                let life = Self::param("station_life_years");
                life.clamp(life.whole_or(check, spec.station_life_years)) as u32
            },
            credit: credit::read(check, "credit", spec.credit.as_ref()),
            build_phases: super::phases::read(check, "build_phases", "capacity_kw", spec.build_phases.as_ref()),
        }
    }

    fn loan_end_year(&self, iv: &Intervention) -> Option<i32> {
        let last_join = (0..iv.villages.len()).map(|slot| iv.start_of(slot)).max();
        let last_build = self.build_phases.last().map_or(iv.start_year, |&(year, _)| year)
            + last_join.map_or(0, |j| j - iv.start_year);
        (self.loan_share > 0.0 && self.loan.term_years > 0).then(|| last_build + self.loan.term_years as i32 - 1)
    }

    fn projects_debt(&self) -> bool {
        true
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn years_in_words(&self, iv: &Intervention, lang: crate::format::Lang) -> Vec<String> {
        if self.build_phases.len() < 2 {
            return Vec::new();
        }
        let zh = lang == crate::format::Lang::Zh;
        let phases = super::phases::in_words(&self.build_phases, lang, |share, _| {
            format!("{} kW", crate::format::thousands(share * self.capacity_kw))
        });
        let later = if iv.joins.is_empty() {
            ""
        } else if zh {
            "（后加入的村相应推后）"
        } else {
            " (later for a village joining later)"
        };
        vec![if zh {
            format!("分期建设，每村：{phases}{later}")
        } else {
            format!("built in phases, per village: {phases}{later}")
        }]
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let years = ctx.years;
        let beyond = self.years_beyond(iv, ctx);
        let draws = Draws::new(self, iv, ctx, years + beyond);
        let mut cash_for_debt = vec![0.0; years];
        let mut debt_service = vec![0.0; years];
        // Past the horizon: (cash for debt service, debt service) by year.
        let mut projected = vec![(0.0, 0.0); beyond];
        let stations = (0..iv.villages.len()).flat_map(|slot| self.build_phases.iter().map(move |&p| (slot, p)));
        for (slot, (phase_year, share)) in stations {
            // Simulated year of the build (may lie outside the horizon): a
            // village joining a roll-out late builds its phases as late.
            let build_year = phase_year + iv.start_of(slot) - iv.start_year;
            let build_t = i64::from(build_year) - i64::from(ctx.start_year);
            let mut station = Station::new(self, &draws, slot, (build_t, share), years);
            if station.loan.principal_yuan > 0.0 {
                flows.loans += 1;
            }
            for t in 0..years {
                let k = t as i64 - build_t; // 0-based operating (and loan) year
                if k < 0 {
                    continue;
                }
                let year = ctx.start_year + t as i32;
                if k == 0 {
                    let ledger = &mut flows.ledger[t];
                    ledger.village_equity_yuan += station.equity_yuan;
                    ledger.public_spent_yuan += station.grant_yuan;
                    ledger.loan_drawdown_yuan += station.loan.principal_yuan;
                    flows.add_cash(slot, t, -station.equity_yuan);
                }
                station.age(&draws, slot, t, k);
                let mut cash = 0.0;
                if iv.active_for(slot, year) && !station.lost {
                    cash = self.operate(&draws, ctx, flows, (slot, t, k), &station);
                    station.depreciate(flows, slot, t, iv.end_year == Some(year));
                }
                let due = station.schedule.get(k as usize).copied();
                if let (Some(due), false) = (due, station.lost) {
                    cash_for_debt[t] += cash;
                    debt_service[t] += due.payment_yuan();
                    station.service(&self.credit, ctx, flows, (slot, t, k), &due, cash, iv);
                }
            }
            flows.residual_value_yuan += station.residual_yuan(build_t, years);
            self.project(&draws, ctx, iv, (slot, build_t), &mut station, &mut projected);
        }
        for t in 0..years {
            flows.ledger[t].dscr = finance::dscr(cash_for_debt[t], debt_service[t]);
        }
        flows
            .projected_dscr
            .extend(projected.iter().map(|&(c, d)| finance::dscr(c, d)));
    }
}

/// One village's station (or one phase of it) and its loan through the run.
struct Station {
    /// Its capacity: its phase's share of `capacity_kw`.
    capacity_kw: f64,
    /// Its phase's share of `capacity_kw`, and so of the village's other
    /// income and reserve that may cover its debt service.
    share: f64,
    loan: LoanTerms,
    schedule: Vec<finance::LoanYear>,
    grant_yuan: f64,
    equity_yuan: f64,
    /// Straight-line depreciation of the part the village paid for.
    depreciation_per_year_yuan: f64,
    book_value_yuan: f64,
    /// Degradation multiplier of the current operating year.
    degradation: f64,
    started: bool,
    borrower: Borrower,
    /// Taken by the lenders after a default.
    lost: bool,
}

impl Station {
    fn new(pv: &PvLoan, draws: &Draws, slot: usize, (build_t, share): (i64, f64), years: usize) -> Station {
        let capex_t = build_t.clamp(0, years as i64 - 1) as usize;
        let capacity_kw = share * pv.capacity_kw;
        let cost = capacity_kw * draws.capex.at(slot, capex_t);
        let loan = pv.loan_of(cost);
        let grant_yuan = cost * pv.grant_share;
        let depreciable = cost - grant_yuan;
        let per_year = depreciable / f64::from(pv.station_life_years.max(1));
        // A station built before the horizon enters it written down.
        let before = (-build_t).max(0) as f64;
        let credit = Credit {
            reserve_yuan: share * pv.credit.reserve_yuan,
            ..pv.credit
        };
        Station {
            capacity_kw,
            share,
            schedule: loan.schedule(),
            equity_yuan: cost - loan.principal_yuan - grant_yuan,
            grant_yuan,
            depreciation_per_year_yuan: per_year,
            book_value_yuan: (depreciable - per_year * before).max(0.0),
            loan,
            degradation: 1.0,
            started: false,
            borrower: Borrower::new(&credit),
            lost: false,
        }
    }

    /// Moves the degradation multiplier to operating year `k` (simulated
    /// year `t`).
    fn age(&mut self, draws: &Draws, slot: usize, t: usize, k: i64) {
        self.degradation = if self.started {
            self.degradation * (1.0 - draws.d.at(slot, t))
        } else {
            // First simulated operating year: the closed form.
            (1.0 - draws.d1.at(slot, t)) * (1.0 - draws.d.at(slot, t)).powi(k as i32)
        };
        self.started = true;
    }

    /// A year's depreciation, and the write-off of what is left when the
    /// station stops (`stops`).
    fn depreciate(&mut self, flows: &mut Flows, slot: usize, t: usize, stops: bool) {
        let mut d = self.depreciation_per_year_yuan.min(self.book_value_yuan);
        if stops {
            d = self.book_value_yuan;
        }
        self.write_down(flows, slot, t, d);
    }

    fn write_down(&mut self, flows: &mut Flows, slot: usize, t: usize, yuan: f64) {
        self.book_value_yuan -= yuan;
        flows.add_depreciation(slot, t, yuan);
        flows.ledger[t].depreciation_yuan += yuan;
    }

    /// Loan year `k`'s debt service `due`, with `cash` of the station's for
    /// it: the guarantee fee, what is paid, and a default if it comes.
    #[allow(clippy::too_many_arguments)]
    fn service(
        &mut self,
        credit: &Credit,
        ctx: &SimCtx,
        flows: &mut Flows,
        (slot, t, k): (usize, usize, i64),
        due: &finance::LoanYear,
        cash: f64,
        iv: &Intervention,
    ) {
        let balance = match k {
            0 => self.loan.principal_yuan,
            _ => self.schedule[k as usize - 1].balance_after_yuan,
        };
        let fee = credit.fee_yuan(balance);
        flows.add_cost(slot, t, fee);
        flows.ledger[t].costs_yuan += fee;
        flows.ledger[t].public_returned_yuan += fee;
        let other = self.share * ctx.other_income_yuan(iv.villages[slot], t);
        let paid = self
            .borrower
            .year(due, balance, cash - fee, other, self.book_value_yuan);
        flows.add_debt_service(slot, t, paid.interest_yuan, paid.principal_yuan);
        flows.ledger[t].add_service(&paid);
        if paid.default.is_some() {
            flows.loans_defaulted += 1;
            flows.failed_in_year = Some(flows.failed_in_year.map_or(t, |f| f.min(t)));
            let book = self.book_value_yuan;
            self.write_down(flows, slot, t, book);
            self.lost = true;
        }
    }

    /// The village's stake at the end of the horizon: book value less the
    /// loan still owed, for a station built inside the horizon and not lost.
    fn residual_yuan(&self, build_t: i64, years: usize) -> f64 {
        let operated = years as i64 - build_t;
        if build_t < 0 || operated <= 0 || self.lost {
            return 0.0;
        }
        let owed = self
            .schedule
            .get(operated as usize - 1)
            .map_or(0.0, |y| y.balance_after_yuan);
        self.book_value_yuan - owed - self.borrower.arrears_yuan()
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
    /// The draws for simulated years `0..years` (past the horizon too: the
    /// horizon's own draws are the same whatever `years` is).
    fn new(pv: &PvLoan, iv: &Intervention, ctx: &SimCtx, years: usize) -> Draws {
        let draw = |p: &Param, per: Per, name: &str| ctx.draw_years(p, per, iv.key, name, &iv.villages, years);
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
    /// Years of the loans' term past the horizon (0 when it ends inside).
    pub(crate) fn years_beyond(&self, iv: &Intervention, ctx: &SimCtx) -> usize {
        let last = ctx.start_year + ctx.years as i32 - 1;
        self.loan_end_year(iv).map_or(0, |end| (end - last).max(0) as usize)
    }

    /// Station `slot`'s loan years past the horizon (see "Past the
    /// horizon"): its cash for debt service and the debt service due added
    /// to `projected[p]` for simulated year `years + p`, booked nowhere
    /// else, until the schedule ends or the loan defaults.
    fn project(
        &self,
        draws: &Draws,
        ctx: &SimCtx,
        iv: &Intervention,
        (slot, build_t): (usize, i64),
        station: &mut Station,
        projected: &mut [(f64, f64)],
    ) {
        let years = ctx.years;
        // The village's other income, held at its last simulated year.
        let other = station.share * ctx.other_income_yuan(iv.villages[slot], years - 1);
        for (p, acc) in projected.iter_mut().enumerate() {
            let t = years + p;
            let k = t as i64 - build_t;
            if k < 0 || station.lost {
                break;
            }
            let Some(due) = station.schedule.get(k as usize).copied() else {
                break;
            };
            let year = ctx.start_year + t as i32;
            station.age(draws, slot, t, k);
            let mut cash = 0.0;
            if iv.active_for(slot, year) {
                cash = self.station_year(draws, ctx, (slot, t, k), station).cash();
                let d = if iv.end_year == Some(year) {
                    station.book_value_yuan
                } else {
                    station.depreciation_per_year_yuan.min(station.book_value_yuan)
                };
                station.book_value_yuan -= d;
            }
            acc.0 += cash;
            acc.1 += due.payment_yuan();
            let balance = if k == 0 {
                station.loan.principal_yuan
            } else {
                station.schedule[k as usize - 1].balance_after_yuan
            };
            let fee = self.credit.fee_yuan(balance);
            let paid = station
                .borrower
                .year(&due, balance, cash - fee, other, station.book_value_yuan);
            if paid.default.is_some() {
                station.lost = true;
            }
        }
    }

    /// The loan of a station costing `cost` yuan.
    fn loan_of(&self, cost: f64) -> LoanTerms {
        LoanTerms {
            principal_yuan: cost * self.loan_share,
            ..self.loan
        }
    }

    /// Books the station's year on the lines and the ledger: sales less
    /// VAT on the target line, the subsidy, O&M and inverter, surcharges.
    /// Returns the cash the year leaves for debt service.
    fn operate(
        &self,
        draws: &Draws,
        ctx: &SimCtx,
        flows: &mut Flows,
        (slot, t, k): (usize, usize, i64),
        station: &Station,
    ) -> f64 {
        let y = self.station_year(draws, ctx, (slot, t, k), station);
        flows.add_income(slot, t, y.revenue);
        flows.add_subsidy(slot, t, y.subsidy);
        flows.add_cost(slot, t, y.costs);
        flows.add_tax(slot, t, y.surcharges);
        let ledger = &mut flows.ledger[t];
        ledger.revenue_yuan += y.revenue + y.subsidy;
        ledger.public_spent_yuan += y.subsidy;
        ledger.costs_yuan += y.costs;
        ledger.taxes_yuan += y.vat + y.surcharges;
        y.cash()
    }

    /// The station's year `t` (operating year `k`, 0-based), booked nowhere:
    /// what [`PvLoan::operate`] books inside the horizon and
    /// [`PvLoan::project`] uses past it.
    fn station_year(
        &self,
        draws: &Draws,
        ctx: &SimCtx,
        (slot, t, k): (usize, usize, i64),
        station: &Station,
    ) -> StationYear {
        let (cap, degradation) = (station.capacity_kw, station.degradation);
        let sun = self
            .sunshine
            .map_or(1.0, |(f, b)| (1.0 + b * ctx.factors[f][t]).max(0.0));
        let output = cap * draws.yield_.at(slot, t) * sun * degradation;
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
        let rates = ctx.tax.year(ctx.start_year + t as i32);
        let (vat, surcharges) = rates.vat_and_surcharges(sales, rates.vat_rate_sales);
        StationYear {
            revenue: sales - vat,
            subsidy: subsidy_yuan,
            costs,
            vat,
            surcharges,
        }
    }
}

/// One operating year of a station, yuan.
struct StationYear {
    /// Sales less VAT (the target line).
    revenue: f64,
    subsidy: f64,
    /// O&M and the inverter.
    costs: f64,
    vat: f64,
    surcharges: f64,
}

impl StationYear {
    /// The cash the year leaves for debt service.
    fn cash(&self) -> f64 {
        self.revenue + self.subsidy - self.costs - self.surcharges
    }
}

mod build;
#[cfg(test)]
mod tests;

use build::{capacity, capital_shares, loan_terms, retail_price, subsidy, sunshine};
