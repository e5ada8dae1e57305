//! A parameter that changes by year: a schedule of values keyed by calendar
//! year, written in a scenario file as a table of years,
//!
//! ```toml
//! return_rate_per_year = { 2025 = "6%", 2028 = "4%" }                       # held
//! feed_in_tariff_per_kwh = { 2025 = 0.40, 2030 = 0.30, between = "linear" } # interpolated
//! rent_per_m2_per_year_yuan = { 2025 = "100 to 140", 2028 = "90 to 130", per = "run" }
//! ```
//!
//! Each year's value may itself be uncertain (a number, a range or a
//! distribution table); `per` is given once, beside the years, and applies
//! to every value. For calendar year `y` and given years `y_0 < y_1 < ... <
//! y_m` with values `v_0 .. v_m` (each drawn at the parameter's level, from
//! its own stream `"<parameter>.<y_k>"`):
//!
//! ```text
//! y <= y_0                 x[y] = v_0                                   (the first value, also before it)
//! y >= y_m                 x[y] = v_m                                   (the last value, held after it)
//! y_k <= y < y_{k+1}:
//!   between = "hold"       x[y] = v_k                                   (the default: a value holds until the next)
//!   between = "linear"     x[y] = v_k + (v_{k+1} - v_k) (y - y_k) / (y_{k+1} - y_k)
//! ```
//!
//! A kind reads a schedule year by year only where its records say the
//! parameter may change by year (`by_year = true`); elsewhere the file is
//! refused (see `ParamSpec::read`).

use super::{Domain, Param, Per};

/// The year a key of a parameter table names, if it is one (`"2025"`).
pub(super) fn year_key(key: &str) -> Option<i32> {
    if key.len() == 4 && key.bytes().all(|b| b.is_ascii_digit()) {
        key.parse().ok()
    } else {
        None
    }
}

/// The parameter a table of years makes: `years` as read (in file order),
/// `between` and `per` beside them; `distribution` and `clamp` say whether
/// the table also named a distribution or a clamp, which a schedule cannot
/// take beside its years.
pub(super) fn build(
    mut years: Vec<(i32, Param)>,
    between: Option<String>,
    per: Option<Per>,
    distribution: bool,
    clamp: bool,
) -> Result<Param, String> {
    if years.is_empty() {
        return Err(
            "`between` goes with values by year, e.g. { 2025 = \"6%\", 2028 = \"4%\", between = \"linear\" }".into(),
        );
    }
    if distribution || clamp {
        return Err("a table of values by year takes only years, `between` and `per`: put a distribution or a clamp in a year's value, e.g. { 2025 = { normal = { mean = 0.06, sd = 0.01 }, min = 0 }, 2028 = \"4%\" }".into());
    }
    if let Some((year, _)) = years.iter().find(|(_, p)| p.per.is_some() || p.schedule.is_some()) {
        return Err(format!(
            "the value of {year} gives its own `per` or years: give `per` once, beside the years, e.g. {{ 2025 = \"5% to 7%\", 2028 = \"4%\", per = \"year\" }}"
        ));
    }
    let between = match between.as_deref() {
        None | Some("hold") => Between::Hold,
        Some("linear") => Between::Linear,
        Some(other) => {
            return Err(format!(
                "between = \"{other}\": expected \"hold\" (a value holds until the next year given, the default) or \"linear\" (interpolated between the years given)"
            ))
        }
    };
    years.sort_by_key(|(y, _)| *y);
    if let Some(w) = years.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("the year {} is given twice", w[0].0));
    }
    Ok(Schedule { between, years }.into_param(per))
}

/// [`Domain::check`] of a schedule: each year's value is checked (and
/// clamped) by itself; an error names the year.
pub(super) fn check(domain: Domain, param: &Param, schedule: &Schedule) -> Result<Param, String> {
    let mut years = Vec::with_capacity(schedule.years.len());
    for (year, p) in &schedule.years {
        let checked = domain.check(p).map_err(|e| format!("the value of {year}: {e}"))?;
        years.push((*year, checked));
    }
    Ok(Schedule {
        between: schedule.between,
        years,
    }
    .into_param(param.per))
}

/// How a schedule fills the years between two given years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Between {
    /// The value of the last given year holds until the next.
    Hold,
    /// Straight-line interpolation between the two given years.
    Linear,
}

impl Between {
    pub fn as_str(self) -> &'static str {
        match self {
            Between::Hold => "hold",
            Between::Linear => "linear",
        }
    }
}

/// Values by calendar year (see the module's equations).
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub between: Between,
    /// `(year, value)` in increasing years, at least one.
    pub years: Vec<(i32, Param)>,
}

impl Schedule {
    /// The parameter drawn `per` level on this schedule: its distribution
    /// and clamp are the first year's (what a reader that ignores the years
    /// would see).
    pub fn into_param(self, per: Option<Per>) -> Param {
        let first = self.years[0].1.clone();
        Param {
            per,
            schedule: Some(Box::new(self)),
            ..first
        }
    }

    /// Where calendar year `year` lies: the given values `(k, w)` it takes,
    /// `x = (1 - w) v_k + w v_{k+1}` (`w = 0` when it takes `v_k` alone).
    pub fn weights(&self, year: i32) -> (usize, f64) {
        let after = self.years.partition_point(|(y, _)| *y <= year);
        if after == 0 {
            return (0, 0.0);
        }
        let k = after - 1;
        if k + 1 == self.years.len() || self.between == Between::Hold {
            return (k, 0.0);
        }
        let (y0, y1) = (self.years[k].0, self.years[k + 1].0);
        (k, f64::from(year - y0) / f64::from(y1 - y0))
    }

    /// The value in `year`, from the values drawn for each given year.
    #[inline]
    pub fn value(&self, year: i32, drawn: impl Fn(usize) -> f64) -> f64 {
        match self.weights(year) {
            (k, 0.0) => drawn(k),
            (k, w) => (1.0 - w) * drawn(k) + w * drawn(k + 1),
        }
    }

    /// The stream purpose of given year `k` of a parameter drawn for
    /// `purpose`: `"<purpose>.<year>"`.
    pub fn purpose(&self, purpose: &str, k: usize) -> String {
        format!("{purpose}.{}", self.years[k].0)
    }

    /// What `year` gets, in words: `"6%"`-like text of its value, or of the
    /// two values it lies between.
    pub fn describe(&self, year: i32, show: impl Fn(&Param) -> String) -> String {
        match self.weights(year) {
            (k, 0.0) => show(&self.years[k].1),
            (k, w) => format!(
                "{:.0}% of the way from {} ({}) to {} ({})",
                w * 100.0,
                show(&self.years[k].1),
                self.years[k].0,
                show(&self.years[k + 1].1),
                self.years[k + 1].0
            ),
        }
    }
}

impl Param {
    /// The parameter's values to draw: the values of each given year of a
    /// schedule, else the parameter itself.
    pub fn parts(&self) -> Vec<&Param> {
        match &self.schedule {
            Some(s) => s.years.iter().map(|(_, p)| p).collect(),
            None => vec![self],
        }
    }

    /// The schedule with `f` applied to each year's value (`None` without a
    /// schedule): a schedule scaled, shifted or put at a quantile is each
    /// of its years so moved.
    pub fn map_years(&self, f: impl Fn(&Param) -> Param) -> Option<Param> {
        let s = self.schedule.as_ref()?;
        let years = s.years.iter().map(|(y, p)| (*y, f(p))).collect();
        Some(
            Schedule {
                between: s.between,
                years,
            }
            .into_param(self.per),
        )
    }

    /// The value in calendar `year` from a draw of each of [`Param::parts`].
    #[inline]
    pub fn in_year(&self, year: i32, drawn: &[f64]) -> f64 {
        match &self.schedule {
            Some(s) => s.value(year, |k| drawn[k]),
            None => drawn[0],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(between: Between) -> Schedule {
        Schedule {
            between,
            years: vec![(2025, Param::fixed(0.06)), (2028, Param::fixed(0.03))],
        }
    }

    #[test]
    fn held_and_interpolated_values() {
        let v = [0.06, 0.03];
        let held = schedule(Between::Hold);
        let linear = schedule(Between::Linear);
        for (year, hold, lin) in [
            (2023, 0.06, 0.06),
            (2025, 0.06, 0.06),
            (2026, 0.06, 0.05),
            (2027, 0.06, 0.04),
            (2028, 0.03, 0.03),
            (2035, 0.03, 0.03),
        ] {
            assert_eq!(held.value(year, |k| v[k]), hold, "{year}");
            assert!((linear.value(year, |k| v[k]) - lin).abs() < 1e-15, "{year}");
        }
    }
}
