//! What an intervention yields in one run: per village and year, and in
//! total per year.
//!
//! Two figures per village and year, kept apart on purpose:
//!
//! - *operating income* (经营性收入): what the village books as income from
//!   the intervention (rent, dividends, returns, service fees, net of
//!   operating costs and taxes). Targets are measured on it.
//! - *net cash flow*: what actually reaches or leaves the village's account
//!   after its equity contributions and debt service. An intervention can
//!   add operating income while its cash flow is negative (a PV station
//!   repaying its loan).

/// Totals of one intervention in one year, yuan (DSCR: a ratio).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ledger {
    /// Gross revenue (rent, sales of power, returns paid by an operator...).
    pub revenue_yuan: f64,
    /// Operating costs, maintenance and taxes.
    pub costs_yuan: f64,
    pub interest_yuan: f64,
    pub principal_yuan: f64,
    /// Government grants, subsidies and guarantee payments made in this year.
    pub public_money_yuan: f64,
    /// Equity paid in by the participating villages in this year.
    pub village_equity_yuan: f64,
    /// Bank loans drawn in this year.
    pub loan_drawdown_yuan: f64,
    /// Cash available for debt service / debt service, in years with debt
    /// service.
    pub dscr: Option<f64>,
}

/// One intervention's cash flows in one run.
///
/// Slots are the intervention's participating villages, in the order of
/// [`super::Intervention::villages`]; years are simulated years from 0.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    years: usize,
    /// Operating income added, yuan: `[slot * years + t]`.
    pub operating_yuan: Vec<f64>,
    /// Net cash flow of the village after equity and debt service, yuan:
    /// `[slot * years + t]`.
    pub net_cash_yuan: Vec<f64>,
    /// The part of the operating income that is a transfer management
    /// cannot change (a subsidy, a guarantee top-up paid by government or a
    /// partner), yuan: `[slot * years + t]`. A `capacity` return uplift
    /// leaves it alone.
    pub transfer_yuan: Vec<f64>,
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
    /// Value of the villages' stake at the end of the horizon (book value of
    /// the asset less the loan still owed), when the investment falls inside
    /// the horizon; added to the final year's cash flow for NPV and IRR so
    /// a short horizon does not count the outlay and forget the asset.
    pub residual_value_yuan: f64,
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
            (&mut self.external_yuan, externals),
        ] {
            v.clear();
            v.resize(n * years, 0.0);
        }
        self.ledger.clear();
        self.ledger.resize(years, Ledger::default());
        self.failed_in_year = None;
        self.failed_share = None;
        self.residual_value_yuan = 0.0;
        self.growth_uplift.clear();
        self.return_uplift.clear();
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
