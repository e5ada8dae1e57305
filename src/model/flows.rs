//! What an intervention yields in one run: per village and year, and in
//! total per year.
//!
//! # The village's lines (per village and year), as the accounts name them
//!
//! The accounting system for rural collective economic organisations
//! (农村集体经济组织会计制度, Ministry of Finance, 财会〔2023〕14号, in force
//! 1 January 2024) books a collective's income on separate lines. What
//! targets such as "operating income of 500,000 yuan" (经营性收入) are judged
//! on is the sum of three of them: operating revenue (经营收入), contracting
//! and remittance income (发包及上交收入) and investment income (投资收益);
//! subsidy income (补助收入) and other income are not part of it. So each
//! intervention writes, per village and year, yuan:
//!
//! ```text
//! operating[v, t]    the target line: revenue, rent, returns, dividends, fees; gross of the
//!                    village's own operating costs, excluding VAT and excluding subsidies
//! subsidy[v, t]      subsidy income (补助收入): booked, not on the target line
//! costs[v, t]        operating costs the village bears (O&M, upkeep, guarantee fees)
//! taxes[v, t]        taxes and surcharges the village pays (VAT surcharges, property tax)
//! depreciation[v, t] straight-line depreciation and write-offs of the village's assets (no cash)
//! interest[v, t]     interest the village pays on its loans
//!
//! net income[v, t]   = operating + subsidy - costs - taxes - depreciation - interest
//! net cash[v, t]     = operating + subsidy - costs - taxes - interest - principal
//!                      - own equity paid in + capital coming back
//! ```
//!
//! Where the village's income is its share of a venture's result (a
//! company's profit, a cooperative's dividend), the venture's own costs,
//! taxes, interest and depreciation are behind the operating line
//! (investment income is the share of the venture's net profit) and appear
//! in the intervention's [`Ledger`]; the cash the venture's depreciation does
//! not cost comes back to the village as cash.
//!
//! An intervention can add operating income while its net cash is negative
//! (a PV station repaying its loan): a reader must see both.

use super::finance::credit;

/// Totals of one intervention in one year, yuan (DSCR: a ratio).
///
/// Public money is split the way a finance bureau counts it (see
/// `docs/model-intro.md`, Public cost):
///
/// ```text
/// spent      grants, subsidies, top-ups, guarantee calls: gone
/// placed     government capital put into a fund or company: not spent, at risk;
///            `public_returned_yuan` is what comes back, `Flows::public_residual_yuan`
///            what is still placed at the end of the horizon
/// implicit   a state operator paying a fixed return above the market rate
///            on the whole pool: (rate - market rate) x pool
/// host       another jurisdiction's money (a host district's top-up)
///
/// public money moved   = spent + placed
/// fiscal cost          = spent + implicit + (placed - returned - residual)
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ledger {
    /// Gross revenue (rent, sales of power, returns paid by an operator...).
    pub revenue_yuan: f64,
    /// Operating costs and maintenance, of the villages or their venture.
    pub costs_yuan: f64,
    /// Every tax paid by the villages or their venture (VAT, surcharges,
    /// property tax, enterprise income tax): the public purse receives it.
    pub taxes_yuan: f64,
    /// Depreciation and write-offs of the villages' or the venture's assets.
    pub depreciation_yuan: f64,
    pub interest_yuan: f64,
    pub principal_yuan: f64,
    /// Public money spent by this jurisdiction: grants, subsidies, top-ups,
    /// guarantee calls.
    pub public_spent_yuan: f64,
    /// Government capital placed in a fund or a company (not spent: at risk).
    pub public_placed_yuan: f64,
    /// Government capital coming back (repaid or recovered).
    pub public_returned_yuan: f64,
    /// A state operator's return above the market rate on the pool.
    pub implicit_subsidy_yuan: f64,
    /// Money of another jurisdiction (a host district's top-up).
    pub host_public_yuan: f64,
    /// The part of `public_spent_yuan` paid by a guarantor on defaulted loans.
    pub guarantee_calls_yuan: f64,
    /// What the bank loses on defaulted loans beyond the guarantee.
    pub bank_loss_yuan: f64,
    /// Income of the farmers (wages, the members' share of a cooperative's
    /// profit) paid by the intervention.
    pub farmers_yuan: f64,
    /// Equity paid in by the participating villages in this year.
    pub village_equity_yuan: f64,
    /// Bank loans drawn in this year.
    pub loan_drawdown_yuan: f64,
    /// Cash available for debt service / debt service, in years with debt
    /// service.
    pub dscr: Option<f64>,
}

impl Ledger {
    /// Public money moved by this jurisdiction: spent plus placed.
    pub fn public_money_yuan(&self) -> f64 {
        self.public_spent_yuan + self.public_placed_yuan
    }

    /// Books a year's debt service as it was paid ([`credit::Service`]):
    /// interest and principal, and in a default year the guarantee calls
    /// (public money spent) and the bank's loss.
    pub fn add_service(&mut self, service: &credit::Service) {
        self.interest_yuan += service.interest_yuan;
        self.principal_yuan += service.principal_yuan;
        if let Some(d) = service.default {
            self.guarantee_calls_yuan += d.calls_yuan;
            self.public_spent_yuan += d.calls_yuan;
            self.bank_loss_yuan += d.bank_loss_yuan;
        }
    }

    /// The fiscal cost of the year, before the capital still placed at the
    /// horizon is counted back: spent + implicit subsidy + placed - returned.
    pub fn fiscal_cost_yuan(&self) -> f64 {
        self.public_spent_yuan + self.implicit_subsidy_yuan + self.public_placed_yuan - self.public_returned_yuan
    }
}

/// One intervention's cash flows in one run.
///
/// Slots are the intervention's participating villages, in the order of
/// [`super::Intervention::villages`]; years are simulated years from 0.
/// Every per-village line is `[slot * years + t]`, yuan.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    years: usize,
    /// The target line (经营性收入): operating revenue, rent, investment
    /// income, gross of the village's own costs, without subsidies.
    pub operating_yuan: Vec<f64>,
    /// Net cash flow of the village after costs, taxes, equity and debt
    /// service.
    pub net_cash_yuan: Vec<f64>,
    /// The part of the operating income that is a transfer management
    /// cannot change (a guarantee top-up paid by government or a partner).
    /// A `capacity` return uplift leaves it alone.
    pub transfer_yuan: Vec<f64>,
    /// Subsidy income (补助收入): booked by the village, not on the target line.
    pub subsidy_yuan: Vec<f64>,
    /// Operating costs the village bears.
    pub costs_yuan: Vec<f64>,
    /// Taxes and surcharges the village pays.
    pub taxes_yuan: Vec<f64>,
    /// Depreciation and write-offs of the village's assets (no cash).
    pub depreciation_yuan: Vec<f64>,
    /// Interest the village pays.
    pub interest_yuan: Vec<f64>,
    /// Intervention totals per year.
    pub ledger: Vec<Ledger>,
    /// Income of beneficiaries outside the simulated villages, yuan:
    /// `[beneficiary * years + t]` (see `KindModel::external_beneficiaries`).
    pub external_yuan: Vec<f64>,
    /// Simulated year in which the venture (or the first of its ventures)
    /// defaulted or failed, if one did.
    pub failed_in_year: Option<usize>,
    /// For kinds with one venture per village: the share of them that
    /// failed within the horizon (`None`: one venture, see `failed_in_year`).
    pub failed_share: Option<f64>,
    /// Bank loans of the intervention, and how many defaulted in the horizon.
    pub loans: u32,
    pub loans_defaulted: u32,
    /// Value of the villages' stake at the end of the horizon (book value of
    /// the asset less the loan still owed), when the investment falls inside
    /// the horizon; added to the final year's cash flow for NPV and IRR so
    /// a short horizon does not count the outlay and forget the asset.
    pub residual_value_yuan: f64,
    /// Government capital still placed at the end of the horizon, at the
    /// value it would come back at (0 once lost or returned).
    pub public_residual_yuan: f64,
    /// DSCR of the loan years past the horizon, `[p]` for calendar year
    /// `final year + 1 + p`, to the end of the loans' term, for kinds that
    /// project them (`KindModel::projects_debt`); `None` in a year without
    /// debt service. Empty otherwise. Booked nowhere else.
    pub projected_dscr: Vec<Option<f64>>,
    /// Only for `capacity`: added log growth of organic income,
    /// `[slot * years + t]`; empty otherwise.
    pub growth_uplift: Vec<f64>,
    /// Only for `capacity`: relative uplift of the operating income of the
    /// village's other interventions, `[slot * years + t]`; empty otherwise.
    pub return_uplift: Vec<f64>,
}

impl Flows {
    /// Zeroed flows for `slots` villages and `externals` outside
    /// beneficiaries over `years` years, reusing memory.
    pub fn reset(&mut self, slots: usize, externals: usize, years: usize) {
        self.years = years;
        for (v, n) in [
            (&mut self.operating_yuan, slots),
            (&mut self.net_cash_yuan, slots),
            (&mut self.transfer_yuan, slots),
            (&mut self.subsidy_yuan, slots),
            (&mut self.costs_yuan, slots),
            (&mut self.taxes_yuan, slots),
            (&mut self.depreciation_yuan, slots),
            (&mut self.interest_yuan, slots),
            (&mut self.external_yuan, externals),
        ] {
            v.clear();
            v.resize(n * years, 0.0);
        }
        self.ledger.clear();
        self.ledger.resize(years, Ledger::default());
        self.failed_in_year = None;
        self.failed_share = None;
        self.loans = 0;
        self.loans_defaulted = 0;
        self.residual_value_yuan = 0.0;
        self.public_residual_yuan = 0.0;
        self.growth_uplift.clear();
        self.return_uplift.clear();
        self.projected_dscr.clear();
    }

    pub fn years(&self) -> usize {
        self.years
    }

    /// Operating income of one slot, by year.
    pub fn operating(&self, slot: usize) -> &[f64] {
        &self.operating_yuan[slot * self.years..(slot + 1) * self.years]
    }

    /// Net cash flow of one slot, by year.
    pub fn net_cash(&self, slot: usize) -> &[f64] {
        &self.net_cash_yuan[slot * self.years..(slot + 1) * self.years]
    }

    /// Adds to both the operating income and the net cash flow of a slot.
    pub fn add_income(&mut self, slot: usize, t: usize, yuan: f64) {
        self.operating_yuan[slot * self.years + t] += yuan;
        self.net_cash_yuan[slot * self.years + t] += yuan;
    }

    /// Subsidy income of one slot, by year.
    pub fn subsidies(&self, slot: usize) -> &[f64] {
        &self.subsidy_yuan[slot * self.years..(slot + 1) * self.years]
    }

    /// Net income of one slot in year `t`:
    /// `operating + subsidy - costs - taxes - depreciation - interest`.
    pub fn net_income(&self, slot: usize, t: usize) -> f64 {
        let i = slot * self.years + t;
        self.operating_yuan[i] + self.subsidy_yuan[i]
            - self.costs_yuan[i]
            - self.taxes_yuan[i]
            - self.depreciation_yuan[i]
            - self.interest_yuan[i]
    }

    /// Adds subsidy income (补助收入) to a slot: its subsidy line and its net
    /// cash, not its operating income.
    pub fn add_subsidy(&mut self, slot: usize, t: usize, yuan: f64) {
        self.subsidy_yuan[slot * self.years + t] += yuan;
        self.net_cash_yuan[slot * self.years + t] += yuan;
    }

    /// Adds an operating cost the village bears: its costs line, less cash.
    pub fn add_cost(&mut self, slot: usize, t: usize, yuan: f64) {
        self.costs_yuan[slot * self.years + t] += yuan;
        self.net_cash_yuan[slot * self.years + t] -= yuan;
    }

    /// Adds a tax the village pays: its taxes line, less cash.
    pub fn add_tax(&mut self, slot: usize, t: usize, yuan: f64) {
        self.taxes_yuan[slot * self.years + t] += yuan;
        self.net_cash_yuan[slot * self.years + t] -= yuan;
    }

    /// Adds depreciation or a write-off (no cash).
    pub fn add_depreciation(&mut self, slot: usize, t: usize, yuan: f64) {
        self.depreciation_yuan[slot * self.years + t] += yuan;
    }

    /// Depreciates `amount_yuan` of a slot's asset straight line over
    /// `life_years` from simulated year `from_t`, `amount / life` a year, on
    /// its depreciation line and the ledger's; when the asset stops in
    /// simulated year `stop_t` (an `end_year` inside the horizon), what is
    /// left is written off that year and nothing follows.
    pub fn depreciate_straight_line(
        &mut self,
        slot: usize,
        from_t: usize,
        amount_yuan: f64,
        life_years: u32,
        stop_t: Option<usize>,
    ) {
        let per_year = amount_yuan / f64::from(life_years.max(1));
        let mut left = amount_yuan;
        for t in from_t..self.years {
            if left <= 0.0 {
                break;
            }
            let d = if stop_t == Some(t) { left } else { per_year.min(left) };
            self.add_depreciation(slot, t, d);
            self.ledger[t].depreciation_yuan += d;
            left -= d;
            if stop_t == Some(t) {
                break;
            }
        }
    }

    /// Adds the village's own debt service: interest on its interest line,
    /// both parts out of its cash.
    pub fn add_debt_service(&mut self, slot: usize, t: usize, interest_yuan: f64, principal_yuan: f64) {
        self.interest_yuan[slot * self.years + t] += interest_yuan;
        self.net_cash_yuan[slot * self.years + t] -= interest_yuan + principal_yuan;
    }

    /// Transfers within the operating income of one slot, by year.
    pub fn transfers(&self, slot: usize) -> &[f64] {
        &self.transfer_yuan[slot * self.years..(slot + 1) * self.years]
    }

    /// Records that `yuan` of the operating income already added to a slot
    /// in year `t` is a transfer (a subsidy, a guarantee top-up paid by
    /// someone else), which a `capacity` return uplift leaves alone.
    pub fn note_transfer(&mut self, slot: usize, t: usize, yuan: f64) {
        self.transfer_yuan[slot * self.years + t] += yuan;
    }

    /// Adds to the net cash flow of a slot only (equity paid in, debt
    /// service): negative for money leaving the village.
    pub fn add_cash(&mut self, slot: usize, t: usize, yuan: f64) {
        self.net_cash_yuan[slot * self.years + t] += yuan;
    }

    /// Adds income of outside beneficiary `b` in year `t`.
    pub fn add_external(&mut self, b: usize, t: usize, yuan: f64) {
        self.external_yuan[b * self.years + t] += yuan;
    }

    /// Prepares the uplift arrays (only `capacity` uses them).
    pub fn enable_uplift(&mut self, slots: usize) {
        self.growth_uplift.resize(slots * self.years, 0.0);
        self.return_uplift.resize(slots * self.years, 0.0);
    }
}
