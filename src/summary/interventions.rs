//! Appraisal of each intervention, run by run: NPV, IRR, public money,
//! DSCR, negative cash-flow years, failures, and its yearly contributions.
//!
//! Per run, with `CF[t]` the net cash flow of the intervention's villages
//! together in simulated year `t` (t = 0 is the scenario's start year),
//! `timed[s]` the same flows at their appraisal times ([`appraisal_flows`]:
//! capital outlays at the start of their year, the rest at its end, the
//! residual value at the end of the horizon) and `d` the scenario's
//! discount rate:
//!
//! ```text
//! NPV        = sum_s timed[s] / (1 + d)^s
//! IRR        = the r with sum_s timed[s] / (1 + r)^s = 0 (when defined; not
//!              when the outlay lies before the horizon)
//! public PV  = sum_t public[t] / (1 + d)^t   (public money moved, at the village
//!              discount rate; the fiscal cost's PV at the public rate is in
//!              model::accounts::fiscal_cost)
//! min DSCR   = min over years with debt service of DSCR[t]
//! negative   = #{t : CF[t] < 0}
//! income per village-year = sum_{v,t} operating[v,t] / (villages x active years)
//! ```
//!
//! `CF` of the final year includes the residual value of the villages'
//! stake (book value of property, stations, fund capital or equity still
//! held, less loans still owed: see each kind), so a short horizon does not
//! count the outlay and forget the asset. NPV, IRR and DSCR are computed on
//! the intervention's own cash flows, before any `capacity` uplift; the
//! yearly operating income includes it.

use super::accum::{CountTally, Tally, FEN_PER_YUAN, RATIO_SCALE};
use super::results::{DscrYear, ExternalResults, InterventionResults, InterventionYear};
use crate::format::Lang;
use crate::model::accounts::fiscal_cost;
use crate::model::capacity::uplifted;
use crate::model::finance::{irr, npv};
use crate::model::{Flows, Intervention};

/// Aggregates of one intervention under one policy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct InterventionAggregates {
    npv: Tally,
    irr: Tally,
    public: Tally,
    public_pv: Tally,
    fiscal: Tally,
    guarantee_calls: Tally,
    /// Loans taken out and loans defaulted, over all runs.
    loans: u64,
    loans_defaulted: u64,
    min_dscr: Tally,
    negative_years: CountTally,
    failed: CountTally,
    failed_share: Tally,
    income_per_village_year: Tally,
    operating: Vec<Tally>,
    net_cash: Vec<Tally>,
    subsidy: Vec<Tally>,
    net_income: Vec<Tally>,
    public_by_year: Vec<Tally>,
    dscr: Vec<Tally>,
    /// DSCR of the loan years past the horizon (`Flows::projected_dscr`).
    projected_dscr: Vec<Tally>,
    /// Runs with a DSCR below 1, by year of the horizon and then past it.
    dscr_below_one: Vec<u64>,
    negative_by_year: Vec<u64>,
    /// `external[b][t]`.
    external: Vec<Vec<Tally>>,
    runs: u64,
}

/// Per-run buffers, reused.
#[derive(Debug, Default)]
pub struct Buffers {
    cash: Vec<f64>,
    operating: Vec<f64>,
    subsidy: Vec<f64>,
    net_income: Vec<f64>,
    /// The cash flows at their appraisal times (see [`appraisal_flows`]).
    timed: Vec<f64>,
}

/// The villages' net cash flows at their appraisal times, the textbook
/// convention: time 0 is the start of the horizon's first year; year `t`'s
/// capital outlay (village equity, `Ledger::village_equity_yuan`) falls at
/// its start, time `t`; its other flows (operating income, debt service,
/// dividends, capital returned) at its end, time `t + 1`; the residual value
/// of the stake still held at the end of the horizon, time `years`.
///
/// ```text
/// timed[t]     = -equity[t] + (CF[t - 1] + equity[t - 1])      (t = 0 .. years)
/// timed[years] += residual value
/// ```
pub fn appraisal_flows(flows: &Flows, cash: &[f64], timed: &mut Vec<f64>) {
    let years = cash.len();
    timed.clear();
    timed.resize(years + 1, 0.0);
    for (t, cf) in cash.iter().enumerate() {
        let equity = flows.ledger[t].village_equity_yuan;
        timed[t] -= equity;
        timed[t + 1] += cf + equity;
    }
    timed[years] += flows.residual_value_yuan;
}

impl InterventionAggregates {
    /// `final_year`: the horizon's last calendar year.
    pub fn new(iv: &Intervention, years: usize, final_year: i32) -> Self {
        let money = || Tally::new(FEN_PER_YUAN);
        let beyond = if iv.kind.projects_debt() {
            iv.kind
                .loan_end_year(iv)
                .map_or(0, |end| (end - final_year).max(0) as usize)
        } else {
            0
        };
        InterventionAggregates {
            npv: money(),
            irr: Tally::new(RATIO_SCALE),
            public: money(),
            public_pv: money(),
            fiscal: money(),
            guarantee_calls: money(),
            loans: 0,
            loans_defaulted: 0,
            min_dscr: Tally::new(RATIO_SCALE),
            negative_years: CountTally::new(years),
            failed: CountTally::new(1),
            failed_share: Tally::new(RATIO_SCALE),
            income_per_village_year: money(),
            operating: vec![money(); years],
            net_cash: vec![money(); years],
            subsidy: vec![money(); years],
            net_income: vec![money(); years],
            public_by_year: vec![money(); years],
            dscr: vec![Tally::new(RATIO_SCALE); years],
            projected_dscr: vec![Tally::new(RATIO_SCALE); beyond],
            dscr_below_one: vec![0; years + beyond],
            negative_by_year: vec![0; years],
            external: vec![vec![money(); years]; iv.external.len()],
            runs: 0,
        }
    }

    /// Records one run. `return_uplift[v * years + t]`, when given, scales
    /// the operating income of village `v` (a `capacity` intervention of the
    /// policy); what it adds is in the operating income and the net income,
    /// not in the cash flows NPV and IRR are computed on.
    pub fn record(
        &mut self,
        iv: &Intervention,
        flows: &Flows,
        start_year: i32,
        rates: (f64, f64),
        return_uplift: Option<&[f64]>,
        buffers: &mut Buffers,
    ) {
        let (discount_rate, public_discount_rate) = rates;
        let years = flows.years();
        self.runs += 1;
        for b in [
            &mut buffers.cash,
            &mut buffers.operating,
            &mut buffers.subsidy,
            &mut buffers.net_income,
        ] {
            b.clear();
            b.resize(years, 0.0);
        }
        for (slot, &v) in iv.villages.iter().enumerate() {
            let (operating, cash, subsidy) = (flows.operating(slot), flows.net_cash(slot), flows.subsidies(slot));
            let Some(uplift) = return_uplift else {
                // A factor of 1: the operating income as it is. The net
                // income keeps `+ operating - operating` (not 0) so that
                // its rounding is that of the uplifted path's expression.
                let net = &mut buffers.net_income[..years];
                for t in 0..years {
                    buffers.operating[t] += operating[t];
                    buffers.cash[t] += cash[t];
                    buffers.subsidy[t] += subsidy[t];
                    net[t] += flows.net_income(slot, t) + operating[t] - operating[t];
                }
                continue;
            };
            for t in 0..years {
                let costs = flows.costs_yuan[slot * years + t];
                let with_uplift = uplifted(operating[t], flows.transfers(slot)[t], costs, uplift[v * years + t]);
                buffers.operating[t] += with_uplift;
                buffers.cash[t] += cash[t];
                buffers.subsidy[t] += subsidy[t];
                buffers.net_income[t] += flows.net_income(slot, t) + with_uplift - operating[t];
            }
        }
        self.fiscal.add(fiscal_cost(flows, public_discount_rate).0);
        self.guarantee_calls
            .add(flows.ledger.iter().map(|l| l.guarantee_calls_yuan).sum());
        self.loans += u64::from(flows.loans);
        self.loans_defaulted += u64::from(flows.loans_defaulted);
        let mut min_dscr: Option<f64> = None;
        let (mut public, mut public_pv, mut negative) = (0.0, 0.0, 0);
        for t in 0..years {
            let ledger = &flows.ledger[t];
            self.operating[t].add(buffers.operating[t]);
            self.net_cash[t].add(buffers.cash[t]);
            self.subsidy[t].add(buffers.subsidy[t]);
            self.net_income[t].add(buffers.net_income[t]);
            self.public_by_year[t].add(ledger.public_money_yuan());
            public += ledger.public_money_yuan();
            public_pv += ledger.public_money_yuan() / (1.0 + discount_rate).powi(t as i32);
            if let Some(d) = ledger.dscr {
                self.dscr[t].add(d);
                self.dscr_below_one[t] += u64::from(d < 1.0);
                min_dscr = Some(min_dscr.map_or(d, |m| m.min(d)));
            }
            let is_negative = buffers.cash[t] < -0.005;
            negative += usize::from(is_negative);
            self.negative_by_year[t] += u64::from(is_negative);
        }
        for (p, d) in flows.projected_dscr.iter().enumerate() {
            if let (Some(d), Some(tally)) = (d, self.projected_dscr.get_mut(p)) {
                tally.add(*d);
                self.dscr_below_one[years + p] += u64::from(*d < 1.0);
            }
        }
        appraisal_flows(flows, &buffers.cash, &mut buffers.timed);
        self.npv.add(npv(discount_rate, &buffers.timed));
        // An outlay before the horizon is not among its flows: the IRR of
        // what remains would be the return of an investment nobody made.
        if iv.start_year >= start_year {
            if let Some(r) = irr(&buffers.timed) {
                self.irr.add(r);
            }
        }
        self.public.add(public);
        self.public_pv.add(public_pv);
        if let Some(d) = min_dscr {
            self.min_dscr.add(d);
        }
        self.negative_years.add(negative);
        self.failed.add(usize::from(flows.failed_in_year.is_some()));
        let any = f64::from(u8::from(flows.failed_in_year.is_some()));
        self.failed_share.add(flows.failed_share.unwrap_or(any));
        let active = (0..years).filter(|t| iv.active(start_year + *t as i32)).count();
        if active > 0 && !iv.villages.is_empty() {
            let total: f64 = buffers.operating.iter().sum();
            self.income_per_village_year
                .add(total / (active * iv.villages.len()) as f64);
        }
        for (b, tallies) in self.external.iter_mut().enumerate() {
            for (t, tally) in tallies.iter_mut().enumerate() {
                tally.add(flows.external_yuan[b * years + t]);
            }
        }
    }

    pub fn merge(&mut self, other: &InterventionAggregates) {
        fn each(a: &mut [Tally], b: &[Tally]) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        for (a, b) in [
            (&mut self.npv, &other.npv),
            (&mut self.irr, &other.irr),
            (&mut self.public, &other.public),
            (&mut self.public_pv, &other.public_pv),
            (&mut self.fiscal, &other.fiscal),
            (&mut self.guarantee_calls, &other.guarantee_calls),
            (&mut self.min_dscr, &other.min_dscr),
            (&mut self.income_per_village_year, &other.income_per_village_year),
            (&mut self.failed_share, &other.failed_share),
        ] {
            a.merge(b);
        }
        self.negative_years.merge(&other.negative_years);
        self.failed.merge(&other.failed);
        each(&mut self.operating, &other.operating);
        each(&mut self.net_cash, &other.net_cash);
        each(&mut self.subsidy, &other.subsidy);
        each(&mut self.net_income, &other.net_income);
        self.loans += other.loans;
        self.loans_defaulted += other.loans_defaulted;
        each(&mut self.public_by_year, &other.public_by_year);
        each(&mut self.dscr, &other.dscr);
        each(&mut self.projected_dscr, &other.projected_dscr);
        self.dscr_below_one
            .iter_mut()
            .zip(&other.dscr_below_one)
            .for_each(|(a, b)| *a += b);
        self.negative_by_year
            .iter_mut()
            .zip(&other.negative_by_year)
            .for_each(|(a, b)| *a += b);
        self.external
            .iter_mut()
            .zip(&other.external)
            .for_each(|(a, b)| each(a, b));
        self.runs += other.runs;
    }

    pub fn finish(&self, iv: &Intervention, start_year: i32) -> InterventionResults {
        let runs = self.runs.max(1) as f64;
        let defined = |t: &Tally| (t.moments.count() > 0).then(|| t.stat());
        let years = (0..self.operating.len())
            .map(|t| InterventionYear {
                year: start_year + t as i32,
                operating_income_yuan: self.operating[t].stat(),
                net_cash_yuan: self.net_cash[t].stat(),
                subsidy_yuan: self.subsidy[t].stat(),
                net_income_yuan: self.net_income[t].stat(),
                public_money_yuan: self.public_by_year[t].stat(),
                dscr: defined(&self.dscr[t]),
                p_negative_cash: self.negative_by_year[t] as f64 / runs,
            })
            .collect();
        InterventionResults {
            id: iv.id.clone(),
            name: iv.name.clone(),
            name_zh: iv.name_zh.clone(),
            kind: iv.kind.name().to_string(),
            villages: iv.villages.len(),
            assumption: iv.kind.is_assumption(),
            npv_yuan: self.npv.stat(),
            irr: defined(&self.irr),
            irr_defined_share: self.irr.moments.count() as f64 / runs,
            public_money_yuan: self.public.stat(),
            public_money_pv_yuan: self.public_pv.stat(),
            fiscal_cost_yuan: self.fiscal.stat(),
            loans: (self.loans / self.runs.max(1)) as u32,
            p_loan_default: (self.loans > 0).then(|| self.loans_defaulted as f64 / self.loans as f64),
            guarantee_calls_yuan: self.guarantee_calls.stat(),
            equity_like_debt: iv.kind.equity_like_debt(Lang::En),
            equity_like_debt_zh: iv.kind.equity_like_debt(Lang::Zh),
            min_dscr: defined(&self.min_dscr),
            negative_cash_years: self.negative_years.stat(),
            p_failure: self.failed.stat(),
            share_failed: self.failed_share.stat(),
            income_per_village_year_yuan: defined(&self.income_per_village_year),
            years,
            loan_end_year: iv.kind.loan_end_year(iv),
            dscr_term: self.dscr_term(start_year),
            external: iv
                .external
                .iter()
                .zip(&self.external)
                .map(|(b, tallies)| ExternalResults {
                    name: b.name.clone(),
                    name_zh: b.name_zh.clone(),
                    income_yuan: tallies.iter().map(Tally::stat).collect(),
                })
                .collect(),
        }
    }
}

impl InterventionAggregates {
    /// The DSCR by year of the loans' term: the horizon's years with debt
    /// service in some run, then the projected ones.
    fn dscr_term(&self, start_year: i32) -> Vec<DscrYear> {
        let horizon = self.dscr.len();
        self.dscr
            .iter()
            .chain(&self.projected_dscr)
            .enumerate()
            .filter(|(_, tally)| tally.moments.count() > 0)
            .map(|(t, tally)| DscrYear {
                year: start_year + t as i32,
                dscr: tally.stat(),
                p_below_one: self.dscr_below_one[t] as f64 / tally.moments.count() as f64,
                projected: t >= horizon,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::finance::irr;

    /// Village capital of 6 M placed at the start, 960,000 a year at each
    /// year's end, the capital repaid at the end of year 10: the textbook
    /// IRR is 16.0% (960,000 / 6,000,000), and the NPV at 16% is 0.
    #[test]
    fn capital_at_the_start_returns_at_the_end() {
        let years = 10;
        let mut flows = Flows::default();
        flows.reset(1, 0, years);
        flows.ledger[0].village_equity_yuan = 6_000_000.0;
        let mut cash = vec![960_000.0; years];
        cash[0] -= 6_000_000.0;
        cash[years - 1] += 6_000_000.0;
        let mut timed = Vec::new();
        appraisal_flows(&flows, &cash, &mut timed);
        assert_eq!(timed.len(), years + 1);
        assert_eq!(
            (timed[0], timed[1], timed[years]),
            (-6_000_000.0, 960_000.0, 6_960_000.0)
        );
        let r = irr(&timed).expect("defined");
        assert!((r - 0.16).abs() < 1e-9, "{r}");
        assert!(npv(0.16, &timed).abs() < 1e-3);
        // Same-instant timing (the old convention) gave a higher return.
        assert!(irr(&cash).expect("defined") > 0.17);
    }

    /// The residual value of a stake still held comes at the end of the
    /// horizon, time `years`; an outlay in year 1 at its start, time 1.
    #[test]
    fn the_residual_value_comes_at_the_end_of_the_horizon() {
        let mut flows = Flows::default();
        flows.reset(1, 0, 2);
        flows.ledger[1].village_equity_yuan = 100.0;
        flows.residual_value_yuan = 50.0;
        let mut timed = Vec::new();
        appraisal_flows(&flows, &[10.0, -100.0 + 20.0], &mut timed);
        assert_eq!(timed, vec![0.0, 10.0 - 100.0, 20.0 + 50.0]);
    }
}
