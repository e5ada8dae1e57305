//! Capital built or bought in stages: `build_phases = { 2025 = "60%", 2027
//! = "40%" }` (a PV station) or `purchase_phases` (a cluster purchase), the
//! share of the whole put in place in each year. A kind reads the phases
//! with [`read`] and books each phase from its own year.

use std::collections::BTreeMap;

use super::param::Num;
use super::KindCheck;

/// The phases `(year, share)` of `field`, in increasing years: each key a
/// year from the intervention's start year to its end year, each share
/// above 0 and at most 1, the shares summing to 1; `whole` names what is
/// shared out (`"capacity_kw"`). Without the key, all of it in the start
/// year. An error is recorded against `field`, and the start year alone
/// returned.
pub fn read(
    check: &mut KindCheck,
    field: &str,
    whole: &str,
    phases: Option<&BTreeMap<String, Num>>,
) -> Vec<(i32, f64)> {
    let (first, end) = check.measure_years;
    let Some(phases) = phases else {
        return vec![(first, 1.0)];
    };
    let example = format!("e.g. {field} = {{ {first} = \"60%\", {} = \"40%\" }}", first + 2);
    let mut out = Vec::with_capacity(phases.len());
    for (key, share) in phases {
        let year = key.parse::<i32>().ok().filter(|_| key.len() == 4);
        let Some(year) = year.filter(|y| *y >= first && end.is_none_or(|e| *y <= e)) else {
            let span = end.map_or(format!("from {first} (the start year)"), |e| {
                format!("from {first} to {e} (start_year to end_year)")
            });
            check.fail(
                field,
                format!("`{key}` is not a year of this intervention: expected a year {span}"),
                Some(example.clone()),
            );
            return vec![(first, 1.0)];
        };
        if !(share.0 > 0.0 && share.0 <= 1.0) {
            check.fail(
                field,
                format!(
                    "the share of {whole} in {year} is {}: expected a share above 0 and at most 1",
                    share.0
                ),
                Some(example.clone()),
            );
            return vec![(first, 1.0)];
        }
        out.push((year, share.0));
    }
    let total: f64 = out.iter().map(|(_, s)| s).sum();
    if out.is_empty() || (total - 1.0).abs() > 1e-6 {
        check.fail(
            field,
            format!(
                "the shares of {whole} sum to {:.1}%: they must sum to 100%",
                total * 100.0
            ),
            Some(example),
        );
        return vec![(first, 1.0)];
    }
    out
}

/// The share of the whole in place in `year`: the sum of the shares of the
/// phases up to it.
pub fn in_place(phases: &[(i32, f64)], year: i32) -> f64 {
    phases.iter().filter(|(y, _)| *y <= year).map(|(_, s)| s).sum()
}

/// The phases in words, `"2025 480 kW, 2027 320 kW"` (`"2025 年 480 kW，2027
/// 年 320 kW"` in Chinese), `amount(share, zh)` naming what a phase puts in
/// place.
pub fn in_words(phases: &[(i32, f64)], lang: crate::format::Lang, amount: impl Fn(f64, bool) -> String) -> String {
    let zh = lang == crate::format::Lang::Zh;
    let each = phases.iter().map(|&(year, share)| {
        let what = amount(share, zh);
        if zh {
            format!("{year} 年 {what}")
        } else {
            format!("{year} {what}")
        }
    });
    each.collect::<Vec<_>>().join(if zh { "，" } else { ", " })
}
