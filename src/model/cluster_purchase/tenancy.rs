//! The units' tenants: one Markov chain per unit (see the module doc).

use rand::Rng;

use super::ClusterPurchase;
use crate::model::{Intervention, SimCtx};
use crate::rng;

/// The units' tenancy: each unit's chain of tenants, whether it is let and
/// whether its lease is new this year (a new lease starts rent-free).
pub(super) struct Tenancy {
    tenants: Vec<rng::Stream>,
    let_now: Vec<bool>,
    new_lease: Vec<bool>,
}

/// What each company's units yield in one year.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CompanyRent {
    /// Rent collected, VAT included, yuan.
    pub rent_yuan: f64,
    /// Units let in the year (in their rent-free months too).
    pub units_let: usize,
    /// Units the company owns.
    pub units: usize,
}

impl CompanyRent {
    /// Share of the company's units not let in the year.
    pub fn vacant_share(&self) -> f64 {
        if self.units == 0 {
            0.0
        } else {
            (self.units - self.units_let) as f64 / self.units as f64
        }
    }
}

impl Tenancy {
    /// Every unit in its start-year state, each with its own stream.
    pub fn new(cp: &ClusterPurchase, iv: &Intervention, ctx: &SimCtx) -> Tenancy {
        Tenancy {
            tenants: cp
                .unit_keys
                .iter()
                .map(|&k| ctx.stream(rng::combine(iv.key, k), "tenant"))
                .collect(),
            let_now: vec![cp.initially_let; cp.units],
            new_lease: vec![cp.initially_let; cp.units],
        }
    }

    /// Writes the rent each company collects this year at `rate` yuan per
    /// m2 into `out` (reset first), then moves each unit to next year: a
    /// let unit's tenant leaves with `leave`, a vacant unit is let with
    /// `relet`.
    pub fn year(&mut self, cp: &ClusterPurchase, rate: f64, leave: f64, relet: f64, out: &mut [CompanyRent]) {
        let unit_area = cp.floor_area_m2 / cp.units as f64;
        let rent_free = cp.rent_free_months / 12.0;
        out.iter_mut().for_each(|r| *r = CompanyRent::default());
        for u in 0..cp.units {
            let c = &mut out[cp.company_of_unit[u]];
            c.units += 1;
            if self.let_now[u] {
                let free = if self.new_lease[u] { rent_free } else { 0.0 };
                c.rent_yuan += unit_area * rate * (1.0 - free);
                c.units_let += 1;
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
