//! `service_business` (服务型经济): a village-run service business: labour
//! export (劳务输出), property management, wedding and funeral services,
//! waste recycling. The village earns a margin per unit of service (worker
//! placed, contract, event, tonne) on an uncertain demand, up to a capacity.
//!
//! For each participating village `v` and active year `y` (from
//! `start_year` to `end_year`):
//!
//! ```text
//! level[v, y]  = prod_{k = start_year + 1 .. y} (1 + quantity_growth[k])     (1 in the start year)
//! mu[v, y]     = mean_quantity[v] * level[v, y]
//! Q[v, y]      ~ Poisson(mu[v, y])                                     (demand = "poisson")
//! Q[v, y]      = max(0, mu[v, y] + quantity_sd * level[v, y] * e),  e ~ N(0, 1)   (demand = "normal")
//! served[v, y] = min(Q[v, y], capacity)
//! revenue[v, y] = served[v, y] * unit_margin[v, y]   (operating income: the target line, 经营收入)
//! costs[v, y]   = fixed_cost[v, y]                   (the village's operating costs, 经营支出)
//! net income[v, y] = revenue[v, y] - costs[v, y]     (may be < 0)
//! depreciation[v, y] = start_up_cost_yuan / start_up_life_years   (from start_year; the rest written off in end_year)
//! net_cash[v, y]   = net income[v, y] + depreciation[v, y] - start_up_cost_yuan   (start-up cost in the start year only)
//! ```
//!
//! Growth counts from the intervention's `start_year`, also when it lies
//! before the horizon ([`super::sim::GrowthLevel`]): years before the
//! horizon are not drawn and grow at the first simulated year's draw.
//!
//! Under `"normal"` demand the sd grows with
//! the mean (constant coefficient of variation) and negative draws are cut
//! to 0, which raises the mean slightly when `quantity_sd` is large relative
//! to the mean.
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/service_business.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Capital: the start-up cost (equipment, a hall, a vehicle) is paid by the
//! village in the start year when it is inside the horizon: net cash only,
//! recorded as `village_equity_yuan`. No loan, no public money. The village
//! runs the business itself, so its revenue is on the target line gross of
//! its fixed costs, which are on its costs line. Ledger: `revenue_yuan` =
//! served units x margin, `costs_yuan` = fixed costs.

use rand::Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};
use serde::Deserialize;

use super::sim::GrowthLevel;
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Domain, Num, Param, Per};

/// The distribution of the yearly quantity of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Demand {
    /// Poisson counts with the given mean (jobs placed, events).
    #[default]
    Poisson,
    /// Normal with sd `quantity_sd`, cut at 0 (tonnes, contract volumes).
    Normal,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/service_business.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Mean units of service per village in the start year.
    pub mean_quantity: Param,
    /// "poisson" or "normal".
    #[serde(default)]
    pub demand: Demand,
    /// Sd of the yearly quantity in the start year, for demand = "normal".
    pub quantity_sd: Option<Param>,
    /// Growth of the mean quantity per year.
    pub quantity_growth: Option<Param>,
    /// Most units a village can serve in a year.
    pub capacity: Option<Num>,
    /// Margin per unit served, yuan, net of direct costs.
    pub unit_margin_yuan: Param,
    /// Fixed cost per village per year, yuan.
    pub fixed_cost_per_year_yuan: Option<Param>,
    /// Start-up cost per village in the start year, yuan.
    pub start_up_cost_yuan: Option<Num>,
    /// Years over which the start-up cost is depreciated.
    pub start_up_life_years: Option<i64>,
}

/// A validated service business.
#[derive(Debug, Clone)]
pub struct ServiceBusiness {
    pub mean_quantity: Param,
    pub demand: Demand,
    pub quantity_sd: Param,
    pub quantity_growth: Param,
    pub capacity: f64,
    pub unit_margin_yuan: Param,
    pub fixed_cost_per_year_yuan: Param,
    pub start_up_cost_yuan: f64,
    pub start_up_life_years: u32,
}

impl KindModel for ServiceBusiness {
    const KIND: &'static str = "service_business";
    const RECORDS: &'static str = include_str!("kinds/service_business.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        let quantity_sd = match (spec.demand, &spec.quantity_sd) {
            (Demand::Normal, None) => {
                check.fail(
                    "quantity_sd",
                    "demand = \"normal\" needs `quantity_sd`",
                    Some(
                        "give the sd of the yearly quantity, e.g. quantity_sd = 20, or use demand = \"poisson\"".into(),
                    ),
                );
                Param::fixed(0.0)
            }
            (Demand::Poisson, Some(_)) => {
                check.fail(
                    "quantity_sd",
                    "`quantity_sd` applies only to demand = \"normal\" (a Poisson quantity has sd sqrt(mean))",
                    Some("remove quantity_sd, or set demand = \"normal\"".into()),
                );
                Param::fixed(0.0)
            }
            (_, sd) => check.param_or("quantity_sd", sd, 0.0, Domain::Quantity),
        };
        let capacity = match spec.capacity {
            Some(c) => Self::param("capacity")
                .read(check, &Param::fixed(c.0))
                .as_fixed()
                .unwrap_or(f64::INFINITY),
            None => f64::INFINITY,
        };
        let start_up =
            Self::param("start_up_cost_yuan").read_or(check, &spec.start_up_cost_yuan.map(|n| Param::fixed(n.0)));
        ServiceBusiness {
            mean_quantity: Self::param("mean_quantity").read(check, &spec.mean_quantity),
            demand: spec.demand,
            quantity_sd,
            quantity_growth: Self::param("quantity_growth").read_or(check, &spec.quantity_growth),
            capacity,
            unit_margin_yuan: Self::param("unit_margin_yuan").read(check, &spec.unit_margin_yuan),
            fixed_cost_per_year_yuan: Self::param("fixed_cost_per_year_yuan")
                .read_or(check, &spec.fixed_cost_per_year_yuan),
            start_up_cost_yuan: start_up.as_fixed().unwrap_or(0.0),
            start_up_life_years: {
                let life = Self::param("start_up_life_years");
                life.clamp(life.whole_or(check, spec.start_up_life_years)) as u32
            },
        }
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let vs = &iv.villages;
        let mean = ctx.draw(&self.mean_quantity, Per::Village, iv.key, "mean_quantity", vs);
        let sd = ctx.draw(&self.quantity_sd, Per::Run, iv.key, "quantity_sd", vs);
        let growth = ctx.draw(&self.quantity_growth, Per::Run, iv.key, "quantity_growth", vs);
        let margin = ctx.draw(&self.unit_margin_yuan, Per::Run, iv.key, "unit_margin_yuan", vs);
        let fixed = ctx.draw(
            &self.fixed_cost_per_year_yuan,
            Per::Run,
            iv.key,
            "fixed_cost_per_year_yuan",
            vs,
        );
        for (slot, &v) in vs.iter().enumerate() {
            let mut demand = ctx.stream(crate::rng::combine(iv.key, ctx.village_keys[v]), "service demand draws");
            let mut growth = GrowthLevel::new(ctx, iv.start_of(slot), &growth, slot);
            for t in 0..ctx.years {
                let year = ctx.start_year + t as i32;
                let level = growth.next(year, t);
                if !iv.active_for(slot, year) {
                    continue;
                }
                if year == iv.start_of(slot) {
                    flows.add_cash(slot, t, -self.start_up_cost_yuan);
                    flows.ledger[t].village_equity_yuan += self.start_up_cost_yuan;
                    let stop = iv.end_year.and_then(|e| ctx.year_index(e));
                    flows.depreciate_straight_line(slot, t, self.start_up_cost_yuan, self.start_up_life_years, stop);
                }
                let mu = mean.at(slot, t) * level;
                let quantity = match self.demand {
                    Demand::Poisson => poisson(mu, &mut demand),
                    Demand::Normal => {
                        let e: f64 = demand.sample(StandardNormal);
                        (mu + sd.at(slot, t) * level * e).max(0.0)
                    }
                };
                let served = quantity.min(self.capacity);
                let revenue = served * margin.at(slot, t);
                let costs = fixed.at(slot, t);
                flows.ledger[t].revenue_yuan += revenue;
                flows.ledger[t].costs_yuan += costs;
                flows.add_income(slot, t, revenue);
                flows.add_cost(slot, t, costs);
            }
        }
    }
}

/// A Poisson count with mean `mu` (0 when `mu` is not positive).
pub(crate) fn poisson(mu: f64, rng: &mut impl Rng) -> f64 {
    if mu > 0.0 {
        Poisson::new(mu).map_or(mu, |d| d.sample(rng))
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::intervention_flows;

    const TEST: crate::model::testing::OneKind = crate::model::testing::OneKind {
        kind: "service_business",
        id: "labour",
        seed: 11,
        extra: "",
    };

    /// Mean and variance of the operating income over every village-year of every run.
    fn moments(m: &crate::model::Model, villages: usize, year: Option<usize>) -> (f64, f64, f64) {
        let (mut n, mut s, mut s2) = (0.0, 0.0, 0.0);
        for run in 0..m.runs {
            let f = intervention_flows(m, 0, run);
            for slot in 0..villages {
                for (t, x) in f.operating(slot).iter().enumerate() {
                    if year.is_none_or(|y| y == t) {
                        n += 1.0;
                        s += x;
                        s2 += x * x;
                    }
                }
            }
        }
        let mean = s / n;
        (mean, s2 / n - mean * mean, n)
    }

    #[test]
    fn poisson_mean_income_is_mean_quantity_times_margin() {
        // 120 workers placed a year on average, 200 yuan each: 24,000 yuan.
        let m = TEST.model(20, 5, 400, "mean_quantity = 120\nunit_margin_yuan = 200");
        let (mean, var, n) = moments(&m, 20, None);
        let expected = 120.0 * 200.0;
        let se = (120.0f64 * 200.0 * 200.0 / n).sqrt();
        assert!((mean - expected).abs() < 4.0 * se, "{mean} vs {expected} (se {se})");
        // Poisson: variance = mean, scaled by margin^2.
        let want_var = 120.0 * 200.0 * 200.0;
        assert!((var / want_var - 1.0).abs() < 0.05, "{var} vs {want_var}");
    }

    #[test]
    fn growth_raises_the_mean_and_normal_demand_works() {
        // Normal demand, mean 1000 t, sd 100, +10%/yr, 50 yuan/t, 5,000 fixed.
        let m = TEST.model(
            20,
            3,
            300,
            "demand = \"normal\"\nmean_quantity = 1000\nquantity_sd = 100\nquantity_growth = 0.1\nunit_margin_yuan = 50\nfixed_cost_per_year_yuan = 5000",
        );
        for (t, level) in [1.0, 1.1, 1.21].into_iter().enumerate() {
            let (mean, var, n) = moments(&m, 20, Some(t));
            // The target line is the revenue, gross of the 5,000 fixed cost.
            let expected = 1000.0 * level * 50.0;
            let sd = 100.0 * level * 50.0;
            assert!(
                (mean - expected).abs() < 4.0 * sd / n.sqrt(),
                "year {t}: {mean} vs {expected}"
            );
            assert!(
                (var.sqrt() / sd - 1.0).abs() < 0.06,
                "year {t}: sd {} vs {sd}",
                var.sqrt()
            );
        }
    }

    #[test]
    fn capacity_caps_the_quantity() {
        let m = TEST.model(10, 4, 50, "mean_quantity = 200\ncapacity = 150\nunit_margin_yuan = 10");
        let mut capped = 0;
        for run in 0..m.runs {
            let f = intervention_flows(&m, 0, run);
            for slot in 0..10 {
                for x in f.operating(slot) {
                    assert!(*x <= 1500.0);
                    capped += usize::from(*x == 1500.0);
                }
            }
        }
        // P(Poisson(200) >= 150) is about 0.9999: nearly every year is capped.
        assert!(capped >= 1990, "{capped}");
        // A normal demand far above capacity is always capped.
        let m = TEST.model(
            3,
            4,
            1,
            "demand = \"normal\"\nmean_quantity = 1000\nquantity_sd = 10\ncapacity = 100\nunit_margin_yuan = 10",
        );
        let f = intervention_flows(&m, 0, 0);
        assert!((0..3).all(|s| f.operating(s) == [1000.0; 4]));
    }

    #[test]
    fn start_up_cost_is_paid_in_cash_and_depreciated() {
        let m = TEST.model(
            2,
            4,
            1,
            "demand = \"normal\"\nmean_quantity = 10\nquantity_sd = 0\nunit_margin_yuan = 1000\nfixed_cost_per_year_yuan = 2000\nstart_up_cost_yuan = \"5万\"\nstart_year = 2026\nend_year = 2027",
        );
        let f = intervention_flows(&m, 0, 0);
        for slot in 0..2 {
            // Revenue 10,000 on the target line, the 2,000 fixed cost on
            // the costs line (issue 11, item 5: the target line was net).
            assert_eq!(f.operating(slot), &[0.0, 10_000.0, 10_000.0, 0.0]);
            assert_eq!(&f.costs_yuan[slot * 4..slot * 4 + 4], &[0.0, 2_000.0, 2_000.0, 0.0]);
            // 50,000 over 5 years: 10,000 a year, the 40,000 left written
            // off when the business stops at end_year 2027.
            assert_eq!(
                &f.depreciation_yuan[slot * 4..slot * 4 + 4],
                &[0.0, 10_000.0, 40_000.0, 0.0]
            );
            assert_eq!(f.net_income(slot, 1), 8_000.0 - 10_000.0);
            assert_eq!(f.net_income(slot, 2), 8_000.0 - 40_000.0);
            assert_eq!(f.net_cash(slot), &[0.0, 8_000.0 - 50_000.0, 8_000.0, 0.0]);
        }
        assert_eq!(f.ledger[1].village_equity_yuan, 100_000.0);
        assert_eq!(f.ledger[2].village_equity_yuan, 0.0);
        assert_eq!(f.ledger[1].revenue_yuan, 20_000.0);
        assert_eq!(f.ledger[1].costs_yuan, 4_000.0);
        assert_eq!(f.ledger[1].public_money_yuan(), 0.0);
    }

    #[test]
    fn validation_errors_are_located() {
        let err = TEST.invalid(1, 2, 1, "demand = \"normal\"\nmean_quantity = 10\nunit_margin_yuan = 5");
        let msg = err.errors[0].to_string();
        assert!(
            msg.contains("interventions[0].quantity_sd") && msg.contains("needs"),
            "{msg}"
        );
        let err = TEST.invalid(1, 2, 1, "mean_quantity = 10\nquantity_sd = 3\nunit_margin_yuan = 5");
        assert!(err.errors[0].to_string().contains("only to demand"), "{}", err.plain());
        let err = TEST
            .invalid(1, 2, 1, "mean_quantity = -10\ncapacity = -1\nunit_margin_yuan = 5")
            .plain();
        assert!(
            err.contains("interventions[0].mean_quantity") && err.contains("interventions[0].capacity"),
            "{err}"
        );
        let err = TEST.invalid(
            1,
            2,
            1,
            "demand = \"gaussian\"\nmean_quantity = 10\nunit_margin_yuan = 5",
        );
        assert!(err.errors[0].to_string().contains("demand"), "{}", err.plain());
    }

    #[test]
    fn runs_through_the_engine() {
        let m = TEST.model(3, 4, 50, "mean_quantity = \"50 to 150\"\nunit_margin_yuan = \"150 to 300\"\nquantity_growth = 0.05\nstart_up_cost_yuan = 20000");
        let r = crate::model::testing::run(&m);
        assert_eq!(r.policies.len(), 2);
    }
}
