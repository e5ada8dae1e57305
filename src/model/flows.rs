//! What an intervention yields in one run: per village and year, and in
//! total per year.

/// Totals of one intervention in one year, yuan.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ledger {
    pub revenue_yuan: f64,
    pub costs_yuan: f64,
    pub interest_yuan: f64,
    pub principal_yuan: f64,
    /// Government grants, subsidies and guarantees paid in this year.
    pub public_money_yuan: f64,
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
    /// Net cash flow after debt service, yuan: `[slot * years + t]`.
    pub net_cash_yuan: Vec<f64>,
    /// Intervention totals per year.
    pub ledger: Vec<Ledger>,
}

impl Flows {
    /// Zeroed flows for `slots` villages over `years` years, reusing memory.
    pub fn reset(&mut self, slots: usize, years: usize) {
        self.years = years;
        for v in [&mut self.operating_yuan, &mut self.net_cash_yuan] {
            v.clear();
            v.resize(slots * years, 0.0);
        }
        self.ledger.clear();
        self.ledger.resize(years, Ledger::default());
    }

    pub fn years(&self) -> usize {
        self.years
    }

    /// Operating income of one slot, by year.
    pub fn operating(&self, slot: usize) -> &[f64] {
        &self.operating_yuan[slot * self.years..(slot + 1) * self.years]
    }

    /// Adds to both the operating income and the net cash flow of a slot.
    pub fn add_income(&mut self, slot: usize, t: usize, yuan: f64) {
        self.operating_yuan[slot * self.years + t] += yuan;
        self.net_cash_yuan[slot * self.years + t] += yuan;
    }
}
