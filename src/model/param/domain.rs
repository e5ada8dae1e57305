//! The domain of a parameter: the values it may take, why those bounds, and
//! the check every parameter passes before a run (clamping an unbounded
//! distribution to what is possible).

use super::{schedule, Param};
use crate::format::thousands;
use crate::limits::{
    MAX_LOADING, MAX_LOG_GROWTH, MAX_PROJECTS_PER_YEAR, MAX_QUANTITY, MAX_RATE, MAX_YUAN, MIN_DISCOUNT_RATE,
};
use serde::Deserialize;

/// The values a parameter may take. Every domain is finite (see
/// [`crate::limits`]): a magnitude beyond its bounds cannot be money, a rate
/// or a growth, and is refused before it can overflow a run.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    /// Signed money, yuan: incomes and margins that may be negative
    /// (|x| <= [`MAX_YUAN`]).
    Money,
    /// Money >= 0, yuan: amounts, prices, costs (at most [`MAX_YUAN`]).
    NonNegative,
    /// A physical quantity >= 0: areas, capacities, yields, units of service
    /// (at most [`MAX_QUANTITY`]).
    Quantity,
    /// In [0, 1]: probabilities and shares.
    Probability,
    /// Above -1 and at most [`MAX_RATE`]: growth rates and interest rates (a
    /// rate of -100% or less is impossible).
    Rate,
    /// From 0 to [`MAX_RATE`]: returns and yields that cannot be negative.
    NonNegativeRate,
    /// The appraisal's discount rate, from [`MIN_DISCOUNT_RATE`] to
    /// [`MAX_RATE`].
    DiscountRate,
    /// Log growth per year, |g| <= [`MAX_LOG_GROWTH`].
    LogGrowth,
    /// Factor loadings, |b| <= [`MAX_LOADING`].
    Loading,
    /// A mean number of projects per village per year, 0 to [`MAX_PROJECTS_PER_YEAR`].
    ProjectsPerYear,
}

/// `1e12` as "1万亿", `1e8` as "1亿": money the way the format writes it.
fn chinese_amount(x: f64) -> String {
    for (unit, name) in [(1e12, "万亿"), (1e8, "亿"), (1e4, "万")] {
        if x >= unit {
            return format!("{}{name}", x / unit);
        }
    }
    format!("{x}")
}

/// A number for a message: `1e307` rather than 308 digits.
pub fn show(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e13).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn percent(x: f64) -> String {
    let p = x * 100.0;
    if p.abs() >= 1000.0 {
        format!("{}%", thousands(p))
    } else {
        format!("{}%", p)
    }
}

impl Domain {
    /// The values accepted; unbounded distributions are clamped to them.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Domain::Money => (-MAX_YUAN, MAX_YUAN),
            Domain::NonNegative => (0.0, MAX_YUAN),
            Domain::Quantity => (0.0, MAX_QUANTITY),
            Domain::Probability => (0.0, 1.0),
            Domain::Rate => (-0.999_999, MAX_RATE),
            Domain::NonNegativeRate => (0.0, MAX_RATE),
            Domain::DiscountRate => (MIN_DISCOUNT_RATE, MAX_RATE),
            Domain::LogGrowth => (-MAX_LOG_GROWTH, MAX_LOG_GROWTH),
            Domain::Loading => (-MAX_LOADING, MAX_LOADING),
            Domain::ProjectsPerYear => (0.0, MAX_PROJECTS_PER_YEAR),
        }
    }

    /// Where the 90% interval of an unbounded distribution (the ends of a
    /// range `"A to B"`) must lie: within the magnitudes. It may reach past a
    /// natural bound (0 for an amount, -100% for a rate), where draws are
    /// clamped, as a normal rent is clamped at 0.
    fn magnitudes(self) -> (f64, f64) {
        match self {
            Domain::Money | Domain::NonNegative => (-MAX_YUAN, MAX_YUAN),
            Domain::Quantity => (-MAX_QUANTITY, MAX_QUANTITY),
            // Bounded by nature: clamping keeps every draw in [0, 1].
            Domain::Probability => (f64::NEG_INFINITY, f64::INFINITY),
            Domain::Rate | Domain::NonNegativeRate | Domain::DiscountRate => (-MAX_RATE, MAX_RATE),
            Domain::LogGrowth => (-MAX_LOG_GROWTH, MAX_LOG_GROWTH),
            Domain::Loading => (-MAX_LOADING, MAX_LOADING),
            Domain::ProjectsPerYear => (-MAX_PROJECTS_PER_YEAR, MAX_PROJECTS_PER_YEAR),
        }
    }

    /// What the domain accepts, and why its bounds.
    pub fn describe(self) -> String {
        let yuan = chinese_amount(MAX_YUAN);
        let why_yuan = format!(
            "10^{}, about the GDP of a large city: a larger figure is surely a mistake",
            MAX_YUAN.log10().round()
        );
        match self {
            Domain::Money => format!("money from -{yuan} to {yuan} yuan ({why_yuan})"),
            Domain::NonNegative => format!("a number >= 0, money up to {yuan} yuan ({why_yuan})"),
            Domain::Quantity => format!(
                "a number >= 0, a quantity up to 10^{} (m², kW, kWh per kW, households, units: far beyond any county, so a larger figure is surely a mistake)",
                MAX_QUANTITY.log10().round()
            ),
            Domain::Probability => "a probability or share between 0 and 1 (e.g. 0.3 or \"30%\")".into(),
            Domain::Rate => format!(
                "a rate above -100% and at most {} a year (e.g. 0.05 or \"5%\"; {} is far above any interest, return or growth rate)",
                percent(MAX_RATE),
                percent(MAX_RATE)
            ),
            Domain::NonNegativeRate => format!(
                "a rate >= 0 and at most {} a year (e.g. 0.05 or \"5%\"; {} is far above any interest or return)",
                percent(MAX_RATE),
                percent(MAX_RATE)
            ),
            Domain::DiscountRate => format!(
                "a discount rate from {} to {} a year (e.g. 0.04 or \"4%\"; below {} the present value of a flow 100 years ahead grows by more than 37,000 times, beyond what can be summed exactly)",
                percent(MIN_DISCOUNT_RATE),
                percent(MAX_RATE),
                percent(MIN_DISCOUNT_RATE)
            ),
            Domain::LogGrowth => format!(
                "a log growth per year from -{MAX_LOG_GROWTH} to {MAX_LOG_GROWTH} (e.g. 0.03 for about +3% a year; {MAX_LOG_GROWTH} multiplies income by e = 2.7 in one year, so a larger figure is surely a mistake, such as a percentage written as a whole number)"
            ),
            Domain::Loading => format!(
                "a loading from -{MAX_LOADING} to {MAX_LOADING} (the response to a one-standard-deviation common shock; observed loadings are below 0.5, so a larger figure is surely a mistake)"
            ),
            Domain::ProjectsPerYear => format!(
                "a number >= 0, a mean of at most {} projects per village per year (a village takes on a handful; each project is drawn one by one)",
                thousands(MAX_PROJECTS_PER_YEAR)
            ),
        }
    }

    /// Checks that `param` belongs to the domain and returns it clamped to
    /// the domain, so that an unbounded distribution (a normal rent) never
    /// draws an impossible value, and every draw is finite. A bounded
    /// distribution, a fixed value, a clamp or the centre of an unbounded
    /// one outside the domain is an error, and so is an unbounded one whose
    /// 90% interval (the ends of a range `"A to B"`) leaves the magnitudes.
    pub fn check(self, param: &Param) -> Result<Param, String> {
        if let Some(s) = &param.schedule {
            return schedule::check(self, param, s);
        }
        let (lo, hi) = self.bounds();
        let (s_lo, s_hi) = param.support();
        let bounded = s_lo.is_finite() && s_hi.is_finite();
        let centre = param.central();
        let outside = |x: f64| !(lo..=hi).contains(&x);
        let expected = |got: String| format!("expected {}, got {got}", self.describe());
        let bad = if bounded {
            outside(s_lo) || outside(s_hi)
        } else {
            outside(centre) || param.min.is_some_and(outside) || param.max.is_some_and(outside)
        };
        if bad || !centre.is_finite() {
            let got = if bounded && s_lo != s_hi {
                format!("values from {} to {}", show(s_lo), show(s_hi))
            } else if bounded || outside(centre) || !centre.is_finite() {
                show(centre)
            } else {
                let clamp = [param.min, param.max].into_iter().flatten().find(|m| outside(*m));
                format!("a clamp at {}", show(clamp.unwrap_or(centre)))
            };
            return Err(expected(got));
        }
        if !bounded {
            let (p5, p95) = param.interval90();
            let (m_lo, m_hi) = self.magnitudes();
            if !(p5 >= m_lo && p95 <= m_hi) {
                return Err(expected(format!("a 90% range from {} to {}", show(p5), show(p95))));
            }
        }
        let mut p = param.clone();
        if s_lo < lo {
            p.min = Some(lo);
        }
        if s_hi > hi {
            p.max = Some(hi);
        }
        Ok(p)
    }
}
