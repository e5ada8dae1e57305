//! The steps of `PvLoan::build`, in the order it takes them.

use super::{PvLoan, Spec};
use crate::model::finance::{LoanTerms, Repayment};
use crate::model::param::{Num, Param};
use crate::model::{KindCheck, KindModel};

/// The station's capacity: above 0 and at most 10,000,000 kW.
pub(super) fn capacity(check: &mut KindCheck, capacity_kw: Num) -> f64 {
    let capacity_kw = capacity_kw.0;
    if !(capacity_kw > 0.0 && capacity_kw <= 1e7) {
        check.fail(
            "capacity_kw",
            format!("expected a capacity above 0 and at most 10,000,000 kW, got {capacity_kw}"),
            Some("the peak capacity of each village's station, e.g. capacity_kw = 800".into()),
        );
    }
    capacity_kw
}

/// `(loan_share, grant_share)`, which leave village equity >= 0.
pub(super) fn capital_shares(check: &mut KindCheck, spec: &Spec) -> (f64, f64) {
    let loan_share = PvLoan::param("loan_share").number_or(check, spec.loan_share);
    let grant_share = PvLoan::param("grant_share").number_or(check, spec.grant_share);
    if loan_share + grant_share > 1.0 + 1e-9 {
        check.fail(
            "grant_share",
            format!("loan_share ({loan_share}) + grant_share ({grant_share}) exceed 1"),
            Some("village equity is 1 - loan_share - grant_share of the cost and cannot be negative".into()),
        );
    }
    (loan_share, grant_share)
}

/// Rate, term, grace and repayment (the principal is set per village and run).
pub(super) fn loan_terms(check: &mut KindCheck, spec: &Spec) -> LoanTerms {
    let rate = spec
        .loan_rate_per_year
        .map_or(PvLoan::param("loan_rate_per_year").number(), |n| n.0);
    let term_rec = PvLoan::param("loan_term_years");
    let grace_rec = PvLoan::param("grace_years");
    let term = spec.loan_term_years.unwrap_or(term_rec.number() as i64);
    let grace = spec.grace_years.unwrap_or(grace_rec.number() as i64);
    let repayment = spec.repayment.unwrap_or(Repayment::Annuity);
    if !(0.0..=1.0).contains(&rate) {
        check.fail(
            "loan_rate_per_year",
            format!("expected a rate between 0 and 1 per year (e.g. 0.043 or \"4.3%\"), got {rate}"),
            None,
        );
    }
    let term_ok = term_rec.whole(check, term);
    let grace_ok = grace_rec.whole(check, grace);
    match LoanTerms::new(
        0.0,
        rate.clamp(0.0, 1.0),
        term_rec.clamp(term) as u32,
        grace_rec.clamp(grace) as u32,
        repayment,
    ) {
        Ok(loan) => loan,
        Err(e) => {
            if term_ok && grace_ok {
                check.fail(
                    "grace_years",
                    e.to_string(),
                    Some("grace_years must be less than loan_term_years".into()),
                );
            }
            LoanTerms {
                principal_yuan: 0.0,
                rate_per_year: rate.clamp(0.0, 1.0),
                term_years: 1,
                grace_years: 0,
                repayment,
            }
        }
    }
}

/// `(factor index, loading)` of the sunshine factor, if named.
pub(super) fn sunshine(check: &mut KindCheck, spec: &Spec) -> Option<(usize, f64)> {
    match (&spec.sunshine_factor, spec.sunshine_loading) {
        (Some(name), loading) => {
            let b = loading.map_or(PvLoan::param("sunshine_loading").number(), |n| n.0);
            if !(0.0..=1.0).contains(&b) {
                check.fail(
                    "sunshine_loading",
                    format!(
                        "expected a loading between 0 and 1 (relative output change per standard deviation), got {b}"
                    ),
                    None,
                );
            }
            check.factor("sunshine_factor", name).map(|f| (f, b))
        }
        (None, Some(_)) => {
            check.fail(
                "sunshine_loading",
                "sunshine_loading needs a sunshine_factor",
                Some("name the common factor, e.g. sunshine_factor = \"sunshine\"".into()),
            );
            None
        }
        (None, None) => None,
    }
}

/// The on-site price: required when some output can be used on site.
pub(super) fn retail_price(check: &mut KindCheck, spec: &Spec, self_use_share: &Param) -> Param {
    match &spec.retail_price_per_kwh {
        Some(p) => PvLoan::param("retail_price_per_kwh").read(check, p),
        None => {
            if self_use_share.support().1 > 0.0 {
                check.fail(
                    "retail_price_per_kwh",
                    "missing field `retail_price_per_kwh`: self_use_share can be above 0",
                    Some("the price the on-site user pays, yuan per kWh, e.g. retail_price_per_kwh = 0.55".into()),
                );
            }
            Param::fixed(0.0)
        }
    }
}

/// `(subsidy_per_kwh, subsidy_years)`: the years are required with a subsidy.
pub(super) fn subsidy(check: &mut KindCheck, spec: &Spec) -> (Param, u32) {
    let subsidy_per_kwh = PvLoan::param("subsidy_per_kwh").read_or(check, &spec.subsidy_per_kwh);
    let years = PvLoan::param("subsidy_years");
    let subsidy_years = match spec.subsidy_years {
        Some(n) => {
            years.whole(check, n);
            years.clamp(n) as u32
        }
        None => {
            if spec.subsidy_per_kwh.is_some() {
                check.fail(
                    "subsidy_years",
                    "missing field `subsidy_years`: subsidy_per_kwh is given",
                    Some("the number of operating years the subsidy is paid, e.g. subsidy_years = 20".into()),
                );
            }
            years.number() as u32
        }
    };
    (subsidy_per_kwh, subsidy_years)
}
