//! A policy's accounts over the runs: the village lines summed over its
//! interventions and villages, the collective's income tax, the true public
//! cost and who gains. The equations are in [`crate::model::accounts`].

use super::accum::{Tally, FEN_PER_YUAN};
use super::committed::CommittedAggregates;
use super::results::{AccountsYear, EquityLikeDebt, PolicyAccounts, PublicCost, WhoGains};
use crate::format::Lang;
use crate::model::accounts::{fiscal_cost, income_tax_yuan};
use crate::model::capacity::uplifted;
use crate::model::{Flows, Model, Policy};

/// The lines of a year, in the order of [`AccountsYear`].
const LINES: usize = 9;
const OPERATING: usize = 0;
const SUBSIDY: usize = 1;
const COSTS: usize = 2;
const TAXES: usize = 3;
const DEPRECIATION: usize = 4;
const INTEREST: usize = 5;
const INCOME_TAX: usize = 6;
const NET_INCOME: usize = 7;
const NET_CASH: usize = 8;

/// The public cost's parts, in the order of [`PublicCost`].
const PUBLIC: usize = 9;
const SPENT: usize = 0;
const PLACED: usize = 1;
const RETURNED: usize = 2;
const LOSS: usize = 3;
const IMPLICIT: usize = 4;
const CALLS: usize = 5;
const FISCAL: usize = 6;
const FISCAL_PV: usize = 7;
const HOST: usize = 8;
/// The shares of who gains, in the order of [`WhoGains`].
const GAINS: usize = 7;

/// One policy's accounts, accumulated over runs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AccountsAggregates {
    /// `years[t][line]`.
    years: Vec<[Tally; LINES]>,
    public: [Tally; PUBLIC],
    gains: [Tally; GAINS],
    committed: CommittedAggregates,
}

/// Per-run buffers, reused.
#[derive(Debug, Default)]
pub struct AccountsBuffers {
    /// `lines[t][line]` of the run.
    lines: Vec<[f64; LINES]>,
    /// Taxable net income, `[v * years + t]`.
    taxable: Vec<f64>,
    /// The lines of the run as they are summed, `[line * years + t]`.
    columns: Vec<f64>,
}

/// Adds the lines of village `slot` of `f` to `columns`
/// (`[line * years + t]`), and its net income to `taxable` when its income
/// is taxed. Without an uplift (a factor of 1, so a gain of 0).
fn add_lines(columns: &mut [f64], f: &Flows, slot: usize, taxable: Option<&mut [f64]>) {
    let years = f.years();
    let r = slot * years..(slot + 1) * years;
    let (operating, subsidy) = (&f.operating_yuan[r.clone()], &f.subsidy_yuan[r.clone()]);
    let (costs, taxes) = (&f.costs_yuan[r.clone()], &f.taxes_yuan[r.clone()]);
    let (depreciation, interest) = (&f.depreciation_yuan[r.clone()], &f.interest_yuan[r.clone()]);
    let cash = &f.net_cash_yuan[r];
    let mut lines = columns.chunks_exact_mut(years);
    let mut next = || lines.next().expect("LINES columns");
    let [c_operating, c_subsidy, c_costs, c_taxes, c_depreciation, c_interest, _, c_net, c_cash] =
        std::array::from_fn::<_, LINES, _>(|_| next());
    for t in 0..years {
        c_operating[t] += operating[t];
        c_subsidy[t] += subsidy[t];
        c_costs[t] += costs[t];
        c_taxes[t] += taxes[t];
        c_depreciation[t] += depreciation[t];
        c_interest[t] += interest[t];
        // Flows::net_income, term by term.
        c_net[t] += operating[t] + subsidy[t] - costs[t] - taxes[t] - depreciation[t] - interest[t];
        c_cash[t] += cash[t];
    }
    if let Some(taxable) = taxable {
        for (t, x) in taxable.iter_mut().enumerate() {
            *x += f.net_income(slot, t);
        }
    }
}

/// [`add_lines`] with the return multiplier `factor[t]` of the policy's
/// `capacity` interventions on the village's operating margin, as
/// `engine::combine` applies it to the incomes.
fn add_uplifted_lines(columns: &mut [f64], f: &Flows, slot: usize, factor: &[f64], mut taxable: Option<&mut [f64]>) {
    let years = f.years();
    for t in 0..years {
        let k = slot * years + t;
        let operating = f.operating_yuan[k];
        let gain = uplifted(operating, f.transfer_yuan[k], f.costs_yuan[k], factor[t]) - operating;
        let mut add = |line: usize, x: f64| columns[line * years + t] += x;
        add(OPERATING, operating + gain);
        add(SUBSIDY, f.subsidy_yuan[k]);
        add(COSTS, f.costs_yuan[k]);
        add(TAXES, f.taxes_yuan[k]);
        add(DEPRECIATION, f.depreciation_yuan[k]);
        add(INTEREST, f.interest_yuan[k]);
        let pre_tax = f.net_income(slot, t) + gain;
        add(NET_INCOME, pre_tax);
        add(NET_CASH, f.net_cash_yuan[k] + gain);
        if let Some(taxable) = taxable.as_deref_mut() {
            taxable[t] += pre_tax;
        }
    }
}

impl AccountsAggregates {
    pub fn new(years: usize) -> Self {
        let money = || Tally::new(FEN_PER_YUAN);
        AccountsAggregates {
            years: vec![std::array::from_fn(|_| money()); years],
            public: std::array::from_fn(|_| money()),
            gains: std::array::from_fn(|_| money()),
            committed: CommittedAggregates::new(years),
        }
    }

    /// Records one run of `policy`. `uplift[v * years + t]`, when given, is
    /// the return multiplier of its `capacity` interventions, applied as
    /// `engine::combine` applies it to the incomes. Returns the run's fiscal
    /// cost and its present value, for the policy's decision figures.
    pub fn record(
        &mut self,
        model: &Model,
        policy: &Policy,
        flows: &[Flows],
        uplift: Option<&[f64]>,
        buffers: &mut AccountsBuffers,
    ) -> (f64, f64) {
        let years = model.years;
        buffers.lines.clear();
        buffers.lines.resize(years, [0.0; LINES]);
        // Taxable income per village and year, when any measure of the
        // policy is taxed as village income (else there is no tax to add).
        let any_taxed = (policy.interventions.iter()).any(|&i| model.interventions[i].kind.village_income_taxed());
        buffers.taxable.clear();
        if any_taxed {
            buffers.taxable.resize(model.villages.len() * years, 0.0);
        }
        // Summed line by line (`columns[line * years + t]`), in the order
        // of the interventions and their villages.
        buffers.columns.clear();
        buffers.columns.resize(LINES * years, 0.0);
        for &i in &policy.interventions {
            let (iv, f) = (&model.interventions[i], &flows[i]);
            let returns = uplift.filter(|_| f.growth_uplift.is_empty() && iv.kind.managed());
            let taxed = iv.kind.village_income_taxed();
            for (slot, &v) in iv.villages.iter().enumerate() {
                let taxable = taxed.then(|| &mut buffers.taxable[v * years..(v + 1) * years]);
                match returns {
                    None => add_lines(&mut buffers.columns, f, slot, taxable),
                    Some(r) => {
                        add_uplifted_lines(&mut buffers.columns, f, slot, &r[v * years..(v + 1) * years], taxable)
                    }
                }
            }
        }
        for (t, line) in buffers.lines.iter_mut().enumerate() {
            for (x, column) in line.iter_mut().zip(buffers.columns.chunks_exact(years)) {
                *x = column[t];
            }
        }
        let tax = &model.accounting.tax;
        // The rate of each year, looked up once rather than per village.
        let rates: Vec<f64> = (0..years)
            .map(|t| tax.year(model.start_year + t as i32).income_tax_rate)
            .collect();
        for row in buffers.taxable.chunks_exact(years) {
            for ((line, &taxable), &rate) in buffers.lines.iter_mut().zip(row).zip(&rates) {
                let tax = income_tax_yuan(rate, taxable);
                line[INCOME_TAX] += tax;
                line[NET_INCOME] -= tax;
                line[NET_CASH] -= tax;
            }
        }
        for (tallies, line) in self.years.iter_mut().zip(&buffers.lines) {
            tallies.iter_mut().zip(line).for_each(|(tally, x)| tally.add(*x));
        }
        self.committed.record(policy, flows);
        self.record_public_and_gains(model, policy, flows, &buffers.lines)
    }

    /// The public cost and who gains of one run, from the ledgers and the
    /// run's lines; returns the fiscal cost and its present value.
    fn record_public_and_gains(
        &mut self,
        model: &Model,
        policy: &Policy,
        flows: &[Flows],
        lines: &[[f64; LINES]],
    ) -> (f64, f64) {
        let rho = model.accounting.public_discount_rate;
        let mut p = [0.0; PUBLIC];
        let (mut farmers, mut bank, mut partners, mut taxes) = (0.0, 0.0, 0.0, 0.0);
        for &i in &policy.interventions {
            let f = &flows[i];
            let (cost, pv) = fiscal_cost(f, rho);
            p[FISCAL] += cost;
            p[FISCAL_PV] += pv;
            p[RETURNED] += f.public_residual_yuan;
            for l in &f.ledger {
                p[SPENT] += l.public_spent_yuan;
                p[PLACED] += l.public_placed_yuan;
                p[RETURNED] += l.public_returned_yuan;
                p[IMPLICIT] += l.implicit_subsidy_yuan;
                p[CALLS] += l.guarantee_calls_yuan;
                p[HOST] += l.host_public_yuan;
                farmers += l.farmers_yuan;
                bank += l.interest_yuan - l.bank_loss_yuan;
                taxes += l.taxes_yuan;
            }
            partners += f.external_yuan.iter().sum::<f64>();
        }
        p[LOSS] = p[PLACED] - p[RETURNED];
        self.public.iter_mut().zip(p).for_each(|(tally, x)| tally.add(x));
        let collective: f64 = lines.iter().map(|l| l[NET_INCOME]).sum();
        let income_tax: f64 = lines.iter().map(|l| l[INCOME_TAX]).sum();
        let public_purse = taxes + income_tax - p[FISCAL];
        let host = -p[HOST];
        let parts = [collective, farmers, bank, partners, public_purse, host];
        let total: f64 = parts.iter().sum();
        for (tally, x) in self.gains.iter_mut().zip(parts.into_iter().chain([total])) {
            tally.add(x);
        }
        (p[FISCAL], p[FISCAL_PV])
    }

    pub fn merge(&mut self, other: &AccountsAggregates) {
        for (a, b) in self.years.iter_mut().zip(&other.years) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        self.public.iter_mut().zip(&other.public).for_each(|(x, y)| x.merge(y));
        self.gains.iter_mut().zip(&other.gains).for_each(|(x, y)| x.merge(y));
        self.committed.merge(&other.committed);
    }

    pub fn finish(&self, model: &Model, policy: &Policy) -> PolicyAccounts {
        let years = self
            .years
            .iter()
            .enumerate()
            .map(|(t, l)| AccountsYear {
                year: model.start_year + t as i32,
                operating_yuan: l[OPERATING].stat(),
                subsidy_yuan: l[SUBSIDY].stat(),
                costs_yuan: l[COSTS].stat(),
                taxes_yuan: l[TAXES].stat(),
                depreciation_yuan: l[DEPRECIATION].stat(),
                interest_yuan: l[INTEREST].stat(),
                income_tax_yuan: l[INCOME_TAX].stat(),
                net_income_yuan: l[NET_INCOME].stat(),
                net_cash_yuan: l[NET_CASH].stat(),
                committed: self.committed.finish(t),
            })
            .collect();
        let p = &self.public;
        let g = &self.gains;
        PolicyAccounts {
            years,
            public_cost: PublicCost {
                spent_yuan: p[SPENT].stat(),
                placed_yuan: p[PLACED].stat(),
                returned_yuan: p[RETURNED].stat(),
                loss_on_placed_yuan: p[LOSS].stat(),
                implicit_subsidy_yuan: p[IMPLICIT].stat(),
                guarantee_calls_yuan: p[CALLS].stat(),
                fiscal_cost_yuan: p[FISCAL].stat(),
                fiscal_cost_pv_yuan: p[FISCAL_PV].stat(),
                host_district_yuan: p[HOST].stat(),
                public_discount_rate: model.accounting.public_discount_rate,
            },
            committed_yuan: self.committed.finish_horizon(),
            who_gains: WhoGains {
                collective_yuan: g[0].stat(),
                farmers_yuan: g[1].stat(),
                bank_yuan: g[2].stat(),
                partners_yuan: g[3].stat(),
                public_purse_yuan: g[4].stat(),
                host_district_yuan: g[5].stat(),
                added_value_yuan: g[6].stat(),
            },
            equity_like_debt: policy
                .interventions
                .iter()
                .filter_map(|&i| {
                    let iv = &model.interventions[i];
                    iv.kind.equity_like_debt(Lang::En).map(|reason| EquityLikeDebt {
                        intervention: iv.id.clone(),
                        reason,
                        reason_zh: iv.kind.equity_like_debt(Lang::Zh),
                    })
                })
                .collect(),
        }
    }
}
