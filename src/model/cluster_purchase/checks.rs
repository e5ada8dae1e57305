//! Validation of a cluster purchase's keys: companies and units, price,
//! loan, equity shares (some helpers are shared with other kinds).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Spec;
use crate::limits::MAX_YUAN;
use crate::model::finance::{self, LoanTerms, Repayment};
use crate::model::param::{Domain, Num, Param, Per};
use crate::model::KindCheck;

/// A bank loan: the terms of [`LoanTerms`].
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanSpec {
    /// Amount borrowed in the start year, yuan.
    pub principal_yuan: Num,
    /// Interest rate per year.
    pub rate_per_year: Num,
    /// Term in years, 1 to 100.
    pub term_years: i64,
    /// Interest-only years at the start of the term (default 0).
    pub grace_years: Option<i64>,
    /// "annuity" (default), "equal-principal" or "bullet".
    pub repayment: Option<Repayment>,
}

/// Largest number of units accepted.
pub const MAX_UNITS: i64 = 100_000;

/// Splits `n` items into `k` contiguous blocks as evenly as possible (the
/// first `n mod k` blocks one larger): the block of each item.
pub fn blocks(n: usize, k: usize) -> Vec<usize> {
    let k = k.max(1);
    let (base, extra) = (n / k, n % k);
    (0..k)
        .flat_map(|c| std::iter::repeat_n(c, base + usize::from(c < extra)))
        .collect()
}

/// Rejects village-level draws for a parameter of the whole property.
pub(crate) fn shared_param(check: &mut KindCheck, field: &str, param: &Param) {
    if matches!(param.per, Some(Per::Village | Per::VillageYear)) {
        check.fail(
            field,
            "this parameter is the same for every village of the intervention: it cannot be drawn per village",
            Some("use per = \"run\" or per = \"year\"".into()),
        );
    }
}

/// A checked non-negative amount of money, yuan.
pub(crate) fn non_negative(check: &mut KindCheck, field: &str, value: Num) -> f64 {
    fixed_in(check, field, value, Domain::NonNegative)
}

/// A checked constant in `domain` (0 when it is not).
pub(crate) fn fixed_in(check: &mut KindCheck, field: &str, value: Num, domain: Domain) -> f64 {
    let p = check.param(field, &Param::fixed(value.0), domain);
    let (lo, hi) = domain.bounds();
    p.as_fixed().filter(|x| (lo..=hi).contains(x)).unwrap_or(0.0)
}

/// Validates a loan table into [`LoanTerms`].
pub(crate) fn loan_terms(check: &mut KindCheck, field: &str, spec: &LoanSpec) -> Option<LoanTerms> {
    let ok_term = check.int_in(
        &format!("{field}.term_years"),
        spec.term_years,
        1,
        finance::MAX_TERM_YEARS as i64,
    );
    let grace = spec.grace_years.unwrap_or(0);
    let ok_grace = check.int_in(
        &format!("{field}.grace_years"),
        grace,
        0,
        finance::MAX_TERM_YEARS as i64,
    );
    if !(ok_term && ok_grace) {
        return None;
    }
    let repayment = spec.repayment.unwrap_or(Repayment::Annuity);
    let principal = non_negative(check, &format!("{field}.principal_yuan"), spec.principal_yuan);
    if !(0.0..=MAX_YUAN).contains(&spec.principal_yuan.0) {
        return None;
    }
    match LoanTerms::new(
        principal,
        spec.rate_per_year.0,
        spec.term_years as u32,
        grace as u32,
        repayment,
    ) {
        Ok(terms) => Some(terms),
        Err(e) => {
            check.fail(field, e.to_string(), None);
            None
        }
    }
}

/// Equity shares of the participants, by slot: equal within each company,
/// or as given (each company's shares summing to 1).
pub(crate) fn slot_shares(
    check: &mut KindCheck,
    field: &str,
    given: &Option<BTreeMap<String, Num>>,
    company_of_slot: &[usize],
    companies: usize,
) -> Vec<f64> {
    let n = company_of_slot.len();
    let mut size = vec![0usize; companies];
    for &c in company_of_slot {
        size[c] += 1;
    }
    let equal: Vec<f64> = company_of_slot.iter().map(|&c| 1.0 / size[c] as f64).collect();
    let Some(given) = given else {
        return equal;
    };
    let ids: Vec<String> = check
        .participants
        .iter()
        .map(|&v| check.villages[v].id.clone())
        .collect();
    let mut shares = vec![f64::NAN; n];
    let mut ok = true;
    let slot_of = check.slots();
    for (id, share) in given {
        match slot_of.get(id.as_str()).copied() {
            Some(slot) => shares[slot] = share.0,
            None => {
                ok = false;
                check.fail(
                    &format!("{field}.{id}"),
                    format!("village `{id}` does not take part in this intervention"),
                    Some(format!(
                        "give shares for the intervention's villages: {}",
                        ids.join(", ")
                    )),
                );
            }
        }
    }
    let missing: Vec<&str> = (0..n)
        .filter(|&s| shares[s].is_nan())
        .map(|s| ids[s].as_str())
        .collect();
    if !missing.is_empty() {
        check.fail(
            field,
            format!("no share given for {}", missing.join(", ")),
            Some("give a share for every participating village, or leave equity_shares out for equal shares".into()),
        );
        return equal;
    }
    if companies == 1 {
        ok &= check.shares(field, &shares);
    } else {
        for c in 0..companies {
            let members: Vec<usize> = (0..n).filter(|&s| company_of_slot[s] == c).collect();
            let in_c: Vec<f64> = members.iter().map(|&s| shares[s]).collect();
            let sum: f64 = in_c.iter().sum();
            if !(in_c.iter().all(|s| (0.0..=1.0).contains(s)) && (sum - 1.0).abs() <= 1e-6) {
                ok = false;
                let names: Vec<&str> = members.iter().map(|&s| ids[s].as_str()).collect();
                check.fail(
                    field,
                    format!(
                        "the shares of company {} ({}) sum to {sum}; within each company they must each be between 0 and 1 and sum to 1",
                        c + 1,
                        names.join(", ")
                    ),
                    Some("villages are split into companies in the order of `villages`, as evenly as possible".into()),
                );
            }
        }
    }
    if ok {
        shares
    } else {
        equal
    }
}

/// `(companies, units)`: at least one company and at most one per village;
/// at least one unit per company.
pub(super) fn companies_and_units(check: &mut KindCheck, spec: &Spec, n: usize) -> (usize, usize) {
    let companies = spec.companies.unwrap_or(1);
    check.int_in("companies", companies, 1, n.max(1) as i64);
    let companies = companies.clamp(1, n.max(1) as i64) as usize;
    let units = spec.units.unwrap_or(companies as i64);
    check.int_in("units", units, companies as i64, MAX_UNITS.max(companies as i64));
    let units = units.clamp(companies as i64, MAX_UNITS.max(companies as i64)) as usize;
    (companies, units)
}

/// The purchase price, yuan: from `price_per_m2_yuan` x area or
/// `price_yuan`, exactly one of them.
pub(super) fn purchase_price(check: &mut KindCheck, spec: &Spec, floor_area_m2: f64) -> f64 {
    match (spec.price_per_m2_yuan, spec.price_yuan) {
        (Some(p), None) => {
            let price = non_negative(check, "price_per_m2_yuan", p) * floor_area_m2;
            if price > MAX_YUAN {
                check.fail(
                    "price_per_m2_yuan",
                    format!(
                        "price_per_m2_yuan * floor_area_m2 = {} yuan: expected {}",
                        crate::model::param::show(price),
                        Domain::NonNegative.describe()
                    ),
                    None,
                );
            }
            price
        }
        (None, Some(p)) => non_negative(check, "price_yuan", p),
        _ => {
            check.fail(
                "price_yuan",
                "give exactly one of `price_per_m2_yuan` and `price_yuan`",
                Some("e.g. price_per_m2_yuan = 3000 or price_yuan = \"1200万\"".into()),
            );
            0.0
        }
    }
}

/// Rent-free months per new lease, from 0 to 12 (clamped after a refusal).
pub(super) fn rent_free_months(check: &mut KindCheck, spec: &Spec) -> f64 {
    let rent_free_months = spec.rent_free_months.map_or(0.0, |m| m.0);
    if !(0.0..=12.0).contains(&rent_free_months) {
        check.fail(
            "rent_free_months",
            format!("{rent_free_months} is out of range"),
            Some("rent-free months per new lease, from 0 to 12".into()),
        );
    }
    rent_free_months.clamp(0.0, 12.0)
}
