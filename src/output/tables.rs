//! Tidy CSV tables: one observation per row, units in column names or in a
//! `unit` column.

use csv::Writer;

use super::atomic::OutputError;
use crate::format::Lang;
use crate::summary::results::{Results, Stat};

const QUANTILE_COLUMNS: [&str; 6] = ["mean", "p5", "p25", "p50", "p75", "p95"];

fn quantiles(s: &Stat) -> [f64; 6] {
    [s.mean, s.p5, s.p25, s.p50, s.p75, s.p95]
}

/// Formats a number with a fixed number of decimals (money to the fen,
/// ratios to 1e-6), so files are stable and readable.
pub fn fixed(x: f64, decimals: usize) -> String {
    let mut s = String::new();
    fixed_into(&mut s, x, decimals);
    s
}

/// [`fixed`] into `out` (cleared first), for a writer that formats many
/// numbers: empty for NaN, and no sign on a value that rounds to zero.
pub fn fixed_into(out: &mut String, x: f64, decimals: usize) {
    use std::fmt::Write as _;
    out.clear();
    if x.is_nan() || fixed_by_integer(out, x, decimals) {
        return;
    }
    // Writing to a String cannot fail.
    let _ = write!(out, "{x:.decimals$}");
    if out.starts_with('-') && out[1..].bytes().all(|c| c == b'0' || c == b'.') {
        out.remove(0);
    }
}

/// Powers of ten that are exact in an `f64`, for [`fixed_by_integer`].
const POWERS_OF_TEN: [u64; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/// Writes `x` with `decimals` decimals as `std`'s `{x:.decimals$}` does
/// (without the sign of a value that rounds to zero), from the integer
/// `round(x * 10^decimals)`: several times faster than the exact decimal
/// conversion, for the millions of numbers of `village_years.csv`. False,
/// with nothing written, where that integer could differ from the exact
/// rounding: `x * 10^decimals` is rounded once (by at most
/// `EPSILON * |y|`), so the integer is the exact one unless the product lies
/// that close to a half, or is too large for whole numbers to be exact.
fn fixed_by_integer(out: &mut String, x: f64, decimals: usize) -> bool {
    let Some(&scale) = POWERS_OF_TEN.get(decimals) else {
        return false;
    };
    let y = x * scale as f64;
    if y.is_nan() || y.abs() >= 1e15 {
        return false;
    }
    let distance_to_half = ((y - y.trunc()).abs() - 0.5).abs();
    if distance_to_half <= 4.0 * f64::EPSILON * y.abs().max(1.0) {
        return false;
    }
    let q = y.round() as i64;
    if q < 0 {
        out.push('-');
    }
    let (whole, fraction) = (q.unsigned_abs() / scale, q.unsigned_abs() % scale);
    let mut digits = itoa::Buffer::new();
    out.push_str(digits.format(whole));
    if decimals > 0 {
        out.push('.');
        let fraction = digits.format(fraction);
        out.extend(std::iter::repeat_n('0', decimals - fraction.len()));
        out.push_str(fraction);
    }
    true
}

pub(super) fn finish(w: Writer<Vec<u8>>, name: &str) -> Result<Vec<u8>, OutputError> {
    w.into_inner().map_err(|e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    })
}

pub(super) fn encode(name: &str) -> impl Fn(csv::Error) -> OutputError + '_ {
    move |e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    }
}

/// `portfolio_years.csv`: policy, year, metric, unit, mean, se, p5..p95.
pub fn portfolio_years(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "portfolio_years.csv";
    let mut w = Writer::from_writer(Vec::new());
    let mut header = vec!["policy", "year", "metric", "unit"];
    header.extend(["mean", "mean_se"]);
    header.extend(&QUANTILE_COLUMNS[1..]);
    w.write_record(&header).map_err(encode(name))?;
    for p in &results.policies {
        for y in &p.years {
            let metrics: [(&str, &str, &Stat, usize); 9] = [
                ("total_income", "yuan", &y.total_income_yuan, 2),
                ("mean_village_income", "yuan", &y.mean_income_yuan, 2),
                ("total_other_income", "yuan", &y.other_income_total_yuan, 2),
                ("mean_village_total_income", "yuan", &y.mean_total_income_yuan, 2),
                ("gini", "ratio", &y.gini, 6),
                ("poorest_fifth_share", "share", &y.poorest_fifth_share, 6),
                ("villages_below_weak", "villages", &y.below_weak, 4),
                ("villages_below_floor", "villages", &y.below_floor, 4),
                ("all_above_floor", "probability", &y.all_above_floor, 6),
            ];
            for (metric, unit, s, d) in metrics {
                let q = quantiles(s);
                let mut row = vec![
                    p.name.clone(),
                    y.year.to_string(),
                    metric.into(),
                    unit.into(),
                    fixed(q[0], d),
                    fixed(s.se, d),
                ];
                row.extend(q[1..].iter().map(|x| fixed(*x, d)));
                w.write_record(&row).map_err(encode(name))?;
            }
        }
    }
    finish(w, name)
}

/// Villages formatted together by one thread in [`write_village_years`].
const VILLAGE_BATCH: usize = 256;

/// `village_years.csv`: policy, village, year, income quantiles in yuan,
/// probability below the floor.
///
/// `policy` and `village_id` are the keys (the same in every language);
/// `village_name` and `township` are labels, in `lang` (the Chinese names
/// where the scenario gives them).
///
/// Written to `out` as it is made: the rows of batches of villages are
/// formatted in parallel, a few batches at a time, and written in order, so
/// the file is the same for any thread count and is never held whole.
pub fn write_village_years(results: &Results, lang: Lang, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut header = vec!["policy", "village_id", "village_name", "township", "year"];
    header.extend([
        "mean_yuan",
        "p5_yuan",
        "p25_yuan",
        "p50_yuan",
        "p75_yuan",
        "p95_yuan",
        "p_below_floor",
    ]);
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(&header)?;
    out.write_all(&w.into_inner().map_err(|e| e.into_error())?)?;
    let in_flight = VILLAGE_BATCH * 4 * rayon::current_num_threads();
    for p in &results.policies {
        let villages: Vec<_> = results.villages.iter().zip(&p.villages).collect();
        for group in villages.chunks(in_flight) {
            let parts: Vec<std::io::Result<Vec<u8>>> = group
                .par_chunks(VILLAGE_BATCH)
                .map(|batch| {
                    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
                    // Field by field through one buffer: 840,000 rows at
                    // 20,000 villages, so no allocation per row or number.
                    let (mut field, mut year) = (String::new(), itoa::Buffer::new());
                    for (info, years) in batch {
                        let township = info.township_label(lang).unwrap_or_default();
                        for vy in years.iter() {
                            for text in [&p.name[..], &info.id, info.label(lang), township] {
                                w.write_field(text)?;
                            }
                            w.write_field(year.format(vy.year))?;
                            for x in quantiles(&vy.income_yuan) {
                                fixed_into(&mut field, x, 2);
                                w.write_field(&field)?;
                            }
                            fixed_into(&mut field, vy.p_below_floor, 6);
                            w.write_field(&field)?;
                            w.write_record(std::iter::empty::<&[u8]>())?;
                        }
                    }
                    w.into_inner().map_err(|e| e.into_error())
                })
                .collect();
            for part in parts {
                out.write_all(&part?)?;
            }
        }
    }
    Ok(())
}

pub(super) fn stat_header(first: &[&'static str]) -> Vec<&'static str> {
    let mut header = first.to_vec();
    header.extend(["mean", "mean_se"]);
    header.extend(&QUANTILE_COLUMNS[1..]);
    header
}

pub(super) fn stat_row(mut row: Vec<String>, s: &Stat, decimals: usize) -> Vec<String> {
    let q = quantiles(s);
    row.push(fixed(q[0], decimals));
    row.push(fixed(s.se, decimals));
    row.extend(q[1..].iter().map(|x| fixed(*x, decimals)));
    row
}

/// `interventions.csv`: one row per policy, intervention and metric.
pub fn interventions(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "interventions.csv";
    let mut w = Writer::from_writer(Vec::new());
    let mut header = stat_header(&["policy", "intervention", "kind", "metric", "unit"]);
    header.push("share_of_runs_defined");
    w.write_record(&header).map_err(encode(name))?;
    for p in &results.policies {
        for a in &p.appraisals {
            let rows: [(&str, &str, Option<&Stat>, usize, f64); 11] = [
                ("npv", "yuan", Some(&a.npv_yuan), 2, 1.0),
                ("irr", "per year", a.irr.as_ref(), 6, a.irr_defined_share),
                ("public_money", "yuan", Some(&a.public_money_yuan), 2, 1.0),
                ("public_money_pv", "yuan", Some(&a.public_money_pv_yuan), 2, 1.0),
                ("fiscal_cost", "yuan", Some(&a.fiscal_cost_yuan), 2, 1.0),
                ("guarantee_calls", "yuan", Some(&a.guarantee_calls_yuan), 2, 1.0),
                (
                    "min_dscr",
                    "ratio",
                    a.min_dscr.as_ref(),
                    4,
                    if a.min_dscr.is_some() { 1.0 } else { 0.0 },
                ),
                ("negative_cash_years", "years", Some(&a.negative_cash_years), 4, 1.0),
                ("p_failure", "probability", Some(&a.p_failure), 6, 1.0),
                ("share_failed", "share of ventures", Some(&a.share_failed), 6, 1.0),
                (
                    "income_per_village_per_year",
                    "yuan",
                    a.income_per_village_year_yuan.as_ref(),
                    2,
                    1.0,
                ),
            ];
            for (metric, unit, stat, decimals, share) in rows {
                let Some(stat) = stat else { continue };
                let first = vec![p.name.clone(), a.id.clone(), a.kind.clone(), metric.into(), unit.into()];
                let mut row = stat_row(first, stat, decimals);
                row.push(fixed(share, 6));
                w.write_record(&row).map_err(encode(name))?;
            }
            if let Some(q) = a.p_loan_default {
                // A probability over every loan of every run: no spread.
                let mut row = vec![
                    p.name.clone(),
                    a.id.clone(),
                    a.kind.clone(),
                    "p_loan_default".into(),
                    "probability per loan".into(),
                    fixed(q, 6),
                ];
                row.extend(std::iter::repeat_n(String::new(), 6));
                row.push(fixed(1.0, 6));
                w.write_record(&row).map_err(encode(name))?;
            }
        }
    }
    finish(w, name)
}

/// The key columns of a `contributions.csv` row.
fn key_cells(policy: &str, intervention: &str, year: i32, metric: &str, unit: &str) -> Vec<String> {
    vec![
        policy.into(),
        intervention.into(),
        year.to_string(),
        metric.into(),
        unit.into(),
    ]
}

/// `contributions.csv`: per policy, intervention and year, the operating
/// income it adds, its villages' net cash flow, public money, DSCR and the
/// probability of negative cash flow; then, over the loans' whole term,
/// the probability of a DSCR below 1 each year and the DSCR of the years
/// past the horizon (`dscr_projected`).
pub fn contributions(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "contributions.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(stat_header(&["policy", "intervention", "year", "metric", "unit"]))
        .map_err(encode(name))?;
    for p in &results.policies {
        for a in &p.appraisals {
            for y in &a.years {
                let first = |metric: &str, unit: &str| key_cells(&p.name, &a.id, y.year, metric, unit);
                let mut rows = vec![
                    stat_row(first("operating_income", "yuan"), &y.operating_income_yuan, 2),
                    stat_row(first("net_cash", "yuan"), &y.net_cash_yuan, 2),
                    stat_row(first("public_money", "yuan"), &y.public_money_yuan, 2),
                ];
                if let Some(d) = &y.dscr {
                    rows.push(stat_row(first("dscr", "ratio"), d, 4));
                }
                let mut negative = first("p_negative_cash", "probability");
                negative.extend([fixed(y.p_negative_cash, 6), String::new()]);
                negative.extend(std::iter::repeat_n(String::new(), 5));
                rows.push(negative);
                for row in rows {
                    w.write_record(&row).map_err(encode(name))?;
                }
            }
            // The loans' whole term: P(DSCR < 1) each year, and the DSCR of
            // the years past the horizon, projected for the loan alone.
            for y in &a.dscr_term {
                let first = |metric: &str, unit: &str| key_cells(&p.name, &a.id, y.year, metric, unit);
                if y.projected {
                    w.write_record(stat_row(first("dscr_projected", "ratio"), &y.dscr, 4))
                        .map_err(encode(name))?;
                }
                let mut below = first("p_dscr_below_one", "probability");
                below.extend([fixed(y.p_below_one, 6), String::new()]);
                below.extend(std::iter::repeat_n(String::new(), 5));
                w.write_record(&below).map_err(encode(name))?;
            }
        }
    }
    finish(w, name)
}

/// `external_beneficiaries.csv`: income of beneficiaries outside the
/// simulated villages (e.g. mountain-sea partners), never mixed into the
/// villages' figures.
///
/// `policy`, `intervention` and `beneficiary` are the keys (the names the
/// scenario file gives, the same in every language); `beneficiary_name` is
/// the label, in `lang` (the Chinese name where the scenario gives one).
pub fn external_beneficiaries(results: &Results, lang: Lang) -> Result<Vec<u8>, OutputError> {
    let name = "external_beneficiaries.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(stat_header(&[
        "policy",
        "intervention",
        "beneficiary",
        "beneficiary_name",
        "year",
        "unit",
    ]))
    .map_err(encode(name))?;
    for p in &results.policies {
        for a in &p.appraisals {
            for e in &a.external {
                for (t, s) in e.income_yuan.iter().enumerate() {
                    let year = results.start_year + t as i32;
                    let first = vec![
                        p.name.clone(),
                        a.id.clone(),
                        e.name.clone(),
                        e.label(lang).to_string(),
                        year.to_string(),
                        "yuan".into(),
                    ];
                    w.write_record(stat_row(first, s, 2)).map_err(encode(name))?;
                }
            }
        }
    }
    finish(w, name)
}

/// `comparisons.csv`: every pair of policies, run by run on common random
/// numbers: the paired difference of final-year mean village income and of
/// villages below the floor, and how often the policy does better.
pub fn comparisons(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "comparisons.csv";
    let mut w = Writer::from_writer(Vec::new());
    let mut header = stat_header(&["policy", "reference", "year", "metric", "unit"]);
    header.push("p_policy_better");
    w.write_record(&header).map_err(encode(name))?;
    let year = results.final_year.to_string();
    for pair in &results.comparisons {
        let rows = [
            (
                "diff_mean_village_income",
                "yuan",
                &pair.diff_mean_village_income_yuan,
                2,
                pair.p_higher_income,
            ),
            (
                "diff_villages_below_floor",
                "villages",
                &pair.diff_villages_below_floor,
                4,
                pair.p_fewer_below_floor,
            ),
        ];
        for (metric, unit, stat, decimals, better) in rows {
            let first = vec![
                pair.policy.clone(),
                pair.reference.clone(),
                year.clone(),
                metric.into(),
                unit.into(),
            ];
            let mut row = stat_row(first, stat, decimals);
            row.push(fixed(better, 6));
            w.write_record(&row).map_err(encode(name))?;
        }
    }
    finish(w, name)
}

/// `coverage.csv`: per policy and year, the probability that full coverage
/// (every village at or above the floor) is first reached that year, and
/// that it has been reached by then.
pub fn coverage(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "coverage.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(["policy", "year", "p_first_reached", "p_reached_by", "p_all_above_floor"])
        .map_err(encode(name))?;
    for p in &results.policies {
        for (c, y) in p.coverage.iter().zip(&p.years) {
            let row = [
                p.name.clone(),
                c.year.to_string(),
                fixed(c.p_first_reached, 6),
                fixed(c.p_reached_by, 6),
                fixed(y.all_above_floor.mean, 6),
            ];
            w.write_record(&row).map_err(encode(name))?;
        }
        let never = [
            p.name.clone(),
            "never".into(),
            fixed(p.p_coverage_never, 6),
            String::new(),
            String::new(),
        ];
        w.write_record(&never).map_err(encode(name))?;
    }
    finish(w, name)
}

/// `decisions.csv`: per policy, what it costs and buys over the horizon:
/// public money, bank and village money, income added against "no
/// intervention" (run by run), value per yuan of fiscal cost, leverage, risks.
pub fn decisions(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "decisions.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(stat_header(&["policy", "metric", "unit"]))
        .map_err(encode(name))?;
    let blank = |mut row: Vec<String>, value: f64, decimals: usize| {
        row.push(fixed(value, decimals));
        row.extend(std::iter::repeat_n(String::new(), 6));
        row
    };
    for p in &results.policies {
        let Some(d) = &p.decisions else { continue };
        let first = |metric: &str, unit: &str| vec![p.name.clone(), metric.to_string(), unit.to_string()];
        let mut rows = vec![
            stat_row(first("public_money", "yuan"), &d.public_money_yuan, 2),
            stat_row(first("public_money_pv", "yuan"), &d.public_money_pv_yuan, 2),
            stat_row(first("fiscal_cost", "yuan"), &d.fiscal_cost_yuan, 2),
            stat_row(first("fiscal_cost_pv_public_rate", "yuan"), &d.fiscal_cost_pv_yuan, 2),
            stat_row(first("bank_and_village_money", "yuan"), &d.private_money_yuan, 2),
            stat_row(first("income_added", "yuan"), &d.income_added_yuan, 2),
            stat_row(first("income_added_pv", "yuan"), &d.income_added_pv_yuan, 2),
        ];
        for (metric, value) in [
            ("income_added_per_fiscal_yuan", d.income_added_per_fiscal_yuan),
            (
                "income_added_pv_per_fiscal_pv_yuan",
                d.income_added_pv_per_fiscal_pv_yuan,
            ),
            ("leverage", d.leverage),
        ] {
            if let Some(v) = value {
                rows.push(blank(first(metric, "ratio"), v, 6));
            }
        }
        rows.push(blank(
            first("p_negative_cash_with_loan", "probability"),
            d.p_negative_cash_with_loan,
            6,
        ));
        if let Some(b) = d.p_within_budget {
            rows.push(blank(first("p_within_budget", "probability"), b, 6));
        }
        if let Some(year) = results.target_year {
            if let Some(y) = p.years.iter().find(|y| y.year == year) {
                rows.push(blank(
                    first("p_full_coverage_in_target_year", "probability"),
                    y.all_above_floor.mean,
                    6,
                ));
            }
        }
        let last = p.years.last().expect("a year");
        rows.push(stat_row(first("final_gini", "ratio"), &last.gini, 6));
        rows.push(stat_row(
            first("final_poorest_fifth_share", "share"),
            &last.poorest_fifth_share,
            6,
        ));
        rows.push(stat_row(
            first("final_villages_below_floor", "villages"),
            &last.below_floor,
            4,
        ));
        for row in rows {
            w.write_record(&row).map_err(encode(name))?;
        }
    }
    finish(w, name)
}

/// `names.csv`: every key the other tables use, with its name in English
/// and in Chinese, so a researcher can label any table in either language
/// with one join.
///
/// `entity` is one of scenario, policy, intervention, village, township,
/// group, factor, beneficiary; `key` is what the other tables write (a
/// policy's name, an intervention's or a village's id, the English name of
/// the others); `name_zh` is the Chinese name the Chinese outputs show (the
/// English name where the scenario gives none).
pub fn names(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "names.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(["entity", "key", "name_en", "name_zh"])
        .map_err(encode(name))?;
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut row = |entity: &str, key: &str, en: &str, zh: &str| {
        rows.push([entity.into(), key.into(), en.into(), zh.into()]);
    };
    row(
        "scenario",
        &results.scenario_name,
        &results.scenario_name,
        results.scenario_label(Lang::Zh),
    );
    for p in &results.policies {
        row("policy", &p.name, &p.name, p.label(Lang::Zh));
    }
    let mut seen = std::collections::HashSet::new();
    for a in results.policies.iter().flat_map(|p| &p.appraisals) {
        if seen.insert(("intervention", a.id.clone())) {
            row("intervention", &a.id, &a.name, a.label(Lang::Zh));
        }
        for e in &a.external {
            if seen.insert(("beneficiary", e.name.clone())) {
                row("beneficiary", &e.name, &e.name, e.label(Lang::Zh));
            }
        }
    }
    for v in &results.villages {
        row("village", &v.id, &v.name, v.label(Lang::Zh));
        for (entity, en, zh) in [
            ("township", v.township_label(Lang::En), v.township_label(Lang::Zh)),
            ("group", v.group_label(Lang::En), v.group_label(Lang::Zh)),
        ] {
            if let (Some(en), Some(zh)) = (en, zh) {
                if seen.insert((entity, en.to_string())) {
                    row(entity, en, en, zh);
                }
            }
        }
    }
    for f in &results.factors {
        let zh = results.factor_label(&f.name, Lang::Zh);
        row("factor", &f.name, &f.name, zh);
    }
    for r in rows {
        w.write_record(&r).map_err(encode(name))?;
    }
    finish(w, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `std`'s exact decimal conversion, as `fixed_into` wrote every number
    /// before its integer path.
    fn by_std(x: f64, decimals: usize) -> String {
        let s = format!("{x:.decimals$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|c| c == b'0' || c == b'.') => rest.to_string(),
            _ => s,
        }
    }

    /// The integer path writes what the exact conversion writes: random
    /// money and probabilities at every scale, halves and near-halves (which
    /// it leaves to the exact conversion), zeros of either sign, values that
    /// round to zero, and the extremes.
    #[test]
    fn fixed_writes_what_std_writes() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut values = vec![
            0.0,
            -0.0,
            0.005,
            -0.005,
            0.015,
            0.125,
            -0.125,
            2.5,
            0.0049999,
            -0.004,
            1e15,
            -1e15,
            9.99e14,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-7,
            4.9999999e-7,
            1234567.895,
            0.1 + 0.2,
        ];
        for _ in 0..200_000 {
            let magnitude = 10f64.powf(rng.random_range(-8.0..16.0));
            let x = rng.random_range(-1.0..1.0) * magnitude;
            values.push(x);
            // Values on a half of the last decimal, and next to it.
            let half = (x * 100.0).trunc() / 100.0 + 0.005;
            values.extend([
                half,
                f64::from_bits(half.to_bits() + 1),
                f64::from_bits(half.to_bits() - 1),
            ]);
        }
        let mut out = String::new();
        for &x in &values {
            for decimals in [0, 2, 6] {
                fixed_into(&mut out, x, decimals);
                assert_eq!(out, by_std(x, decimals), "{x:e} to {decimals} decimals");
            }
        }
        fixed_into(&mut out, f64::NAN, 2);
        assert_eq!(out, "");
    }

    fn results() -> Results {
        let text = "[scenario]\nname = \"Partners\"\nname_zh = \"协作\"\nstart_year = 2025\nyears = 2\nruns = 8\n\
            [targets]\nfloor = \"50万\"\n\
            [factors.economy]\nname_zh = \"县域经济\"\n\
            [[villages]]\nid = \"a\"\nname = \"Aville\"\nname_zh = \"甲村\"\ntownship = \"East\"\ntownship_zh = \"东镇\"\noperating_income = \"40万\"\n\
            [[interventions]]\nid = \"ms\"\nkind = \"mountain_sea_workshop\"\nname = \"Workshop\"\nname_zh = \"飞地\"\n\
            villages = [\"a\"]\nstart_year = 2025\nfloor_area_m2 = 100\nrent_per_m2_per_year_yuan = 100\n\
            beneficiaries = [{ village = \"a\", share = 0.5 }, { external = \"Chongtou Town\", external_zh = \"崇头镇\", share = 0.5 }]\n\
            [[policies]]\nname = \"workshop\"\nname_zh = \"山海协作\"\ninterventions = [\"ms\"]\n";
        let model = crate::scenario::parse("t.toml", text, std::path::Path::new(".")).unwrap();
        crate::model::testing::run(&model)
    }

    #[test]
    fn names_csv_labels_every_key_in_both_languages() {
        let csv = String::from_utf8(names(&results()).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "entity,key,name_en,name_zh",
                "scenario,Partners,Partners,协作",
                "policy,no intervention,no intervention,无干预",
                "policy,workshop,workshop,山海协作",
                "intervention,ms,Workshop,飞地",
                "beneficiary,Chongtou Town,Chongtou Town,崇头镇",
                "village,a,Aville,甲村",
                "township,East,East,东镇",
                "factor,economy,economy,县域经济",
            ]
        );
    }

    #[test]
    fn outside_beneficiaries_are_labelled_in_the_language_of_the_run() {
        let r = results();
        for (lang, label) in [(Lang::En, "Chongtou Town"), (Lang::Zh, "崇头镇")] {
            let csv = String::from_utf8(external_beneficiaries(&r, lang).unwrap()).unwrap();
            let mut lines = csv.lines();
            assert!(
                lines
                    .next()
                    .unwrap()
                    .starts_with("policy,intervention,beneficiary,beneficiary_name,year,unit,mean"),
                "{csv}"
            );
            let row = lines.next().unwrap();
            assert!(
                row.starts_with(&format!("workshop,ms,Chongtou Town,{label},2025,yuan,")),
                "{row}"
            );
        }
    }
}
