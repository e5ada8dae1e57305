//! `income_stream`: a generic line of operating income.
//!
//! Covers what the other kinds do not: "four ticket" (四票) income,
//! digital-intelligence (数智) income, a known contract. For each
//! participating village `v` and year `y` from `start_year` to `end_year`:
//!
//! ```text
//! income[v, y] = amount[v, y] * prod_{k = start_year + 1 .. y} (1 + growth[k]) * exp(sum_f b_f Z_f[y])
//! ```
//!
//! Growth counts from the intervention's `start_year`, also when it lies
//! before the horizon ([`super::sim::GrowthLevel`]): years before the
//! horizon are not drawn and grow at the first simulated year's draw.
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/income_stream.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! The income is operating income (the target line, received gross: the
//! village bears no costs for it) and net cash flow alike: no capital, no
//! loan, no public money.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sim::GrowthLevel;
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param, Per};

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/income_stream.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Yuan per participating village per year.
    pub amount: Param,
    /// Growth of the amount per year after the first.
    pub growth: Option<Param>,
    /// Loadings of the log income on the common factors.
    #[serde(default)]
    pub loadings: BTreeMap<String, Num>,
}

/// A validated income stream.
#[derive(Debug, Clone)]
pub struct IncomeStream {
    pub amount: Param,
    pub growth: Param,
    /// `(factor index, loading)`.
    pub loadings: Vec<(usize, f64)>,
}

impl KindModel for IncomeStream {
    const KIND: &'static str = "income_stream";
    const RECORDS: &'static str = include_str!("kinds/income_stream.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        IncomeStream {
            amount: Self::param("amount").read(check, &spec.amount),
            growth: Self::param("growth").read_or(check, &spec.growth),
            loadings: check.loadings("loadings", &spec.loadings),
        }
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let amount = ctx.draw(&self.amount, Per::Village, iv.key, "amount", &iv.villages);
        let growth = ctx.draw(&self.growth, Per::Run, iv.key, "growth", &iv.villages);
        for slot in 0..iv.villages.len() {
            let mut growth = GrowthLevel::new(ctx, iv.start_of(slot), &growth, slot);
            for t in 0..ctx.years {
                let year = ctx.start_year + t as i32;
                let level = growth.next(year, t);
                if !iv.active_for(slot, year) {
                    continue;
                }
                let shock: f64 = self.loadings.iter().map(|&(f, b)| b * ctx.factors[f][t]).sum();
                let factor = if self.loadings.is_empty() { 1.0 } else { shock.exp() };
                flows.add_income(slot, t, amount.at(slot, t) * level * factor);
            }
        }
    }
}
