//! The engine's guard on magnitudes: every income and cash flow of a run
//! stays finite and within [`MAX_YUAN`] per village and year, or the run
//! stops with an error naming the village, the year and the intervention.
//!
//! Validation keeps every parameter within the bounds of
//! [`crate::limits`], but compounding can leave them from accepted inputs
//! (a log growth of 0.9 a year for 40 years multiplies income by 10^15).
//! Beyond the bound the sums of [`crate::summary::accum`] would no longer be
//! exact, and beyond `f64` they would carry `inf` or NaN into every figure.
//! The checks are a comparison per value on data the engine reads anyway;
//! locating the culprit is done only once a check has failed.

use crate::limits::MAX_YUAN;
use crate::model::{village, Flows, Model, Policy, SimCtx};

/// A figure of a run that left the accepted range.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfRange {
    pub run: u64,
    /// What went out of range, e.g. "the operating income of village `weak-03`".
    pub what: String,
    pub year: i32,
    pub value: f64,
    /// Where it came from, e.g. "intervention `pv` (pv_loan)" or "organic growth".
    pub source: String,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.value.is_nan() {
            "is not a number".to_string()
        } else {
            format!("reaches {:.3e} yuan", self.value)
        };
        write!(
            f,
            "{} {value} in {} (run {}), from {}: beyond the {:.0e} yuan a village's income or cash flow may reach \
             in a year (src/limits.rs), so no figure of this run can be summed exactly. Check the growth rates, \
             amounts and loadings that compound to it",
            self.what, self.year, self.run, self.source, MAX_YUAN
        )
    }
}

/// True when `x` is NaN, infinite or beyond `bound` in magnitude.
#[inline]
fn outside(x: f64, bound: f64) -> bool {
    x.is_nan() || x.abs() > bound
}

/// True when every value is finite and within `bound` in magnitude.
#[inline]
pub fn within(values: &[f64], bound: f64) -> bool {
    // No early exit, so it vectorises.
    !values.iter().fold(false, |bad, x| bad | outside(*x, bound))
}

/// The first value outside `bound` (after the fast check of [`within`]).
fn locate(values: &[f64], bound: f64) -> Option<(usize, f64)> {
    if within(values, bound) {
        return None;
    }
    values.iter().copied().enumerate().find(|(_, x)| outside(*x, bound))
}

/// Checks the organic paths (`organic[v * (years + 1) + y]`) and the other
/// income totals (`other[y]`) of a run.
pub fn check_villages(model: &Model, ctx: &SimCtx, organic: &[f64], other: &[f64]) -> Result<(), Box<OutOfRange>> {
    let span = model.years + 1;
    let out = |v: usize, y: usize, value: f64, what: &str, source: &str| {
        Box::new(OutOfRange {
            run: ctx.run,
            what: format!("the {what} of village `{}`", model.villages[v].id),
            year: model.baseline_year() + y as i32,
            value,
            source: source.into(),
        })
    };
    if let Some((i, x)) = locate(organic, MAX_YUAN) {
        return Err(out(
            i / span,
            i % span,
            x,
            "operating income",
            "its organic growth (growth and loadings of its [[villages]] entry)",
        ));
    }
    if !within(other, MAX_YUAN * model.villages.len() as f64) {
        // Find the village whose other income left the range.
        let mut one = vec![0.0; span];
        for (v, village) in model.villages.iter().enumerate() {
            one.fill(0.0);
            village::add_other_income(village, ctx, &mut one);
            if let Some((y, x)) = locate(&one, MAX_YUAN) {
                return Err(out(v, y, x, "other income", "its other_income and other_income_growth"));
            }
        }
    }
    Ok(())
}

/// Checks the cash flows of intervention `i` in a run.
pub fn check_flows(model: &Model, i: usize, run: u64, flows: &Flows) -> Result<(), Box<OutOfRange>> {
    let iv = &model.interventions[i];
    let years = flows.years();
    let source = format!("intervention `{}` ({})", iv.id, iv.kind.name());
    let out = |what: String, t: usize, value: f64| {
        Box::new(OutOfRange {
            run,
            what,
            year: model.start_year + t as i32,
            value,
            source: source.clone(),
        })
    };
    for (values, what) in [
        (&flows.operating_yuan, "operating income"),
        (&flows.net_cash_yuan, "net cash flow"),
        (&flows.subsidy_yuan, "subsidy income"),
        (&flows.costs_yuan, "operating costs"),
        (&flows.taxes_yuan, "taxes"),
        (&flows.depreciation_yuan, "depreciation"),
        (&flows.interest_yuan, "interest"),
    ] {
        if let Some((k, x)) = locate(values, MAX_YUAN) {
            let village = &model.villages[iv.villages[k / years.max(1)]].id;
            return Err(out(format!("the {what} of village `{village}`"), k % years.max(1), x));
        }
    }
    if let Some((k, x)) = locate(&flows.external_yuan, MAX_YUAN) {
        let name = &iv.external[k / years.max(1)].name;
        return Err(out(
            format!("the income of outside beneficiary `{name}`"),
            k % years.max(1),
            x,
        ));
    }
    // Ledger totals sum over the intervention's villages and beneficiaries.
    let total_bound = MAX_YUAN * (iv.villages.len() + iv.external.len()).max(1) as f64;
    for (t, l) in flows.ledger.iter().enumerate() {
        let fields = [
            (l.revenue_yuan, "revenue"),
            (l.costs_yuan, "costs"),
            (l.interest_yuan, "interest"),
            (l.principal_yuan, "principal repaid"),
            (l.taxes_yuan, "taxes"),
            (l.depreciation_yuan, "depreciation"),
            (l.public_spent_yuan, "public money spent"),
            (l.public_placed_yuan, "government capital placed"),
            (l.public_returned_yuan, "government capital returned"),
            (l.implicit_subsidy_yuan, "implicit subsidy"),
            (l.host_public_yuan, "host district's money"),
            (l.guarantee_calls_yuan, "guarantee calls"),
            (l.bank_loss_yuan, "bank loss"),
            (l.farmers_yuan, "farmers' income"),
            (l.village_equity_yuan, "village equity paid in"),
            (l.loan_drawdown_yuan, "loan drawn"),
            (l.dscr.unwrap_or(0.0), "debt service coverage ratio"),
        ];
        if let Some((x, what)) = fields.into_iter().find(|(x, _)| outside(*x, total_bound)) {
            return Err(out(format!("the {what} of intervention `{}`", iv.id), t, x));
        }
    }
    for (p, d) in flows.projected_dscr.iter().enumerate() {
        if let Some(x) = d.filter(|x| outside(*x, total_bound)) {
            let what = format!("the projected debt service coverage ratio of intervention `{}`", iv.id);
            return Err(out(what, years + p, x));
        }
    }
    for (residual, what) in [
        (flows.residual_value_yuan, "residual value"),
        (flows.public_residual_yuan, "government capital still placed"),
    ] {
        if outside(residual, total_bound) {
            return Err(out(
                format!("the {what} of intervention `{}`", iv.id),
                years.saturating_sub(1),
                residual,
            ));
        }
    }
    for values in [&flows.growth_uplift, &flows.return_uplift] {
        if let Some((k, x)) = locate(values, MAX_YUAN) {
            let village = &model.villages[iv.villages[k / years.max(1)]].id;
            return Err(out(format!("the uplift of village `{village}`"), k % years.max(1), x));
        }
    }
    Ok(())
}

/// Checks the incomes of one policy in a run (`incomes[y * villages + v]`),
/// naming the intervention that contributes most to an income out of range.
pub fn check_incomes(
    model: &Model,
    policy: &Policy,
    run: u64,
    flows: &[Flows],
    incomes: &[f64],
) -> Result<(), Box<OutOfRange>> {
    let Some((k, x)) = locate(incomes, MAX_YUAN) else {
        return Ok(());
    };
    let n = model.villages.len();
    let (y, v) = (k / n, k % n);
    // The policy's intervention with the largest income for this village
    // in this year, if any; otherwise organic growth (with any uplift).
    let largest = policy
        .interventions
        .iter()
        .filter_map(|&i| {
            let iv = &model.interventions[i];
            let slot = iv.villages.iter().position(|&w| w == v)?;
            let value = flows[i].operating(slot).get(y.checked_sub(1)?).copied()?;
            Some((value.abs(), i))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let source = match largest {
        Some((_, i)) => {
            let iv = &model.interventions[i];
            format!(
                "policy \"{}\", mostly intervention `{}` ({})",
                policy.name,
                iv.id,
                iv.kind.name()
            )
        }
        None => format!("policy \"{}\": organic growth with its capacity uplift", policy.name),
    };
    Err(Box::new(OutOfRange {
        run,
        what: format!("the operating income of village `{}`", model.villages[v].id),
        year: model.baseline_year() + y as i32,
        value: x,
        source,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_catches_nan_and_magnitude() {
        assert!(within(&[0.0, -1e12, 1e12], MAX_YUAN));
        assert!(!within(&[0.0, f64::NAN], MAX_YUAN));
        assert!(!within(&[1.0000001e12], MAX_YUAN));
        assert!(!within(&[f64::NEG_INFINITY], MAX_YUAN));
        assert_eq!(locate(&[1.0, 2e12, f64::NAN], MAX_YUAN), Some((1, 2e12)));
        assert_eq!(locate(&[1.0], MAX_YUAN), None);
    }
}
