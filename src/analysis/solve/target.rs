//! The target of `villagesim solve`: a headline figure of one policy
//! compared with a threshold, read from a simulation's [`Results`] with
//! its Monte Carlo standard error.
//!
//! Written as `FIGURE[YEAR] OP VALUE` (or `P(full coverage in YEAR) OP
//! VALUE`), `OP` one of `>=`, `<=`, `>`, `<`, `VALUE` a number with units
//! (`0.9`, `90%`, `50万`):
//!
//! | figure | what it reads | year |
//! |---|---|---|
//! | `p_full_coverage[YEAR]`, `P(full coverage in YEAR)` | the share of runs in which every village is at or above the floor in `YEAR` | optional |
//! | `villages_below_floor[YEAR]` | villages below the floor in `YEAR`, mean over the runs | optional |
//! | `mean_income[YEAR]` | mean operating income per village in `YEAR`, yuan, mean over the runs | optional |
//! | `fiscal_cost` | the policy's fiscal cost over the horizon, yuan, mean over the runs | none |
//! | `income_added_per_fiscal_yuan`, `net_income_per_public_yuan` | the villages' operating income added (against "no intervention", run by run) per yuan of the policy's fiscal cost, both as present values at the public discount rate over the horizon: the ratio of the two means, its standard error by the delta method | none |
//!
//! A figure may be written `mean(FIGURE)`: every figure is a mean over the
//! runs (or, for the ratio, a ratio of means).
//!
//! Without a year the figure is read in the headline year: `[targets] year`
//! when it is simulated, else the final year.

use crate::analysis::AnalysisError;
use crate::format::Lang;
use crate::model::units::parse_number;
use crate::summary::results::{Results, Stat};

/// A headline figure of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// P(every village at or above the floor in the year).
    FullCoverage,
    /// Villages below the floor in the year, mean over the runs.
    BelowFloor,
    /// Mean operating income per village in the year, yuan.
    MeanIncome,
    /// Fiscal cost over the horizon, yuan.
    FiscalCost,
    /// Operating income added per yuan of fiscal cost, present values.
    IncomePerFiscalYuan,
}

/// The names a target may give each figure, the first the canonical one.
const NAMES: [(&[&str], Figure); 5] = [
    (&["p_full_coverage", "full_coverage"], Figure::FullCoverage),
    (&["villages_below_floor", "below_floor"], Figure::BelowFloor),
    (&["mean_income", "mean_income_yuan"], Figure::MeanIncome),
    (&["fiscal_cost", "fiscal_cost_yuan"], Figure::FiscalCost),
    (
        &["income_added_per_fiscal_yuan", "net_income_per_public_yuan"],
        Figure::IncomePerFiscalYuan,
    ),
];

impl Figure {
    /// Its canonical name in a target.
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, f)| *f == self).map_or("", |(n, _)| n[0])
    }

    /// Whether it is read in a year (the fiscal cost is over the horizon).
    fn has_year(self) -> bool {
        !matches!(self, Figure::FiscalCost | Figure::IncomePerFiscalYuan)
    }

    /// Whether it is read from every run against "no intervention" (which
    /// the search then simulates too).
    pub fn needs_runs(self) -> bool {
        self == Figure::IncomePerFiscalYuan
    }

    /// Whether it is money (yuan).
    pub fn is_money(self) -> bool {
        matches!(self, Figure::MeanIncome | Figure::FiscalCost)
    }

    /// Whether it is a probability.
    pub fn is_probability(self) -> bool {
        self == Figure::FullCoverage
    }

    /// The figure in words.
    pub fn words(self, lang: Lang, year: Option<i32>) -> String {
        let y = year.map_or(String::new(), |y| y.to_string());
        match (self, lang) {
            (Figure::FullCoverage, Lang::En) => format!("the probability that every village is at the floor in {y}"),
            (Figure::FullCoverage, Lang::Zh) => format!("{y}年所有村均达到底线的概率"),
            (Figure::BelowFloor, Lang::En) => format!("the number of villages below the floor in {y}"),
            (Figure::BelowFloor, Lang::Zh) => format!("{y}年低于底线的村数"),
            (Figure::MeanIncome, Lang::En) => format!("the mean operating income per village in {y}"),
            (Figure::MeanIncome, Lang::Zh) => format!("{y}年村均经营性收入"),
            (Figure::FiscalCost, Lang::En) => "the fiscal cost over the horizon".to_string(),
            (Figure::FiscalCost, Lang::Zh) => "规划期内的财政成本".to_string(),
            (Figure::IncomePerFiscalYuan, Lang::En) => {
                "the operating income added per yuan of fiscal cost (present values)".to_string()
            }
            (Figure::IncomePerFiscalYuan, Lang::Zh) => "每元财政成本带来的经营性收入增量（现值）".to_string(),
        }
    }
}

/// How the figure is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    AtLeast,
    AtMost,
    Above,
    Below,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }

    /// Whether a larger figure is the better side of the threshold.
    fn wants_more(self) -> bool {
        matches!(self, Comparison::AtLeast | Comparison::Above)
    }
}

/// A target: `figure` (in `year`) compared with `threshold`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub figure: Figure,
    /// The year given, if any (see [`Target::year_in`]).
    pub year: Option<i32>,
    pub comparison: Comparison,
    pub threshold: f64,
    /// The threshold as given (`5`, `90%`, `50万`).
    pub threshold_text: String,
    /// As given on the command line.
    pub text: String,
}

/// A figure's estimate from one simulation: the mean over the runs and its
/// Monte Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub se: f64,
}

impl Target {
    /// Reads a target (see the module doc).
    ///
    /// # Errors
    ///
    /// [`AnalysisError::Usage`] saying what is wrong and what would be
    /// valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use villagesim::analysis::solve::{Comparison, Figure, Target};
    /// let t = Target::parse("P(full coverage in 2027) >= 90%").unwrap();
    /// assert_eq!((t.figure, t.year, t.comparison, t.threshold), (Figure::FullCoverage, Some(2027), Comparison::AtLeast, 0.9));
    /// let t = Target::parse("villages_below_floor <= 5").unwrap();
    /// assert_eq!((t.figure, t.year, t.threshold), (Figure::BelowFloor, None, 5.0));
    /// ```
    pub fn parse(text: &str) -> Result<Target, AnalysisError> {
        let usage = |why: String| {
            AnalysisError::Usage(format!(
                "--target \"{text}\": {why}; write FIGURE[YEAR] OP VALUE with FIGURE one of {}, OP one of >=, <=, >, < (e.g. \"villages_below_floor[2027] <= 5\", \"P(full coverage in 2027) >= 0.9\", \"fiscal_cost <= 500万\")",
                NAMES.iter().map(|(n, _)| n[0]).collect::<Vec<_>>().join(", ")
            ))
        };
        let ops = [">=", "<=", ">", "<"];
        let (at, op) = ops
            .iter()
            .filter_map(|op| text.find(op).map(|i| (i, *op)))
            .min_by_key(|(i, op)| (*i, std::cmp::Reverse(op.len())))
            .ok_or_else(|| usage("no comparison".into()))?;
        let comparison = match op {
            ">=" => Comparison::AtLeast,
            "<=" => Comparison::AtMost,
            ">" => Comparison::Above,
            _ => Comparison::Below,
        };
        let (lhs, rhs) = (text[..at].trim(), text[at + op.len()..].trim());
        let threshold = parse_number(rhs).map_err(|e| usage(format!("the value `{rhs}`: {e}")))?;
        let (figure, year) = parse_figure(lhs).map_err(usage)?;
        if year.is_some() && !figure.has_year() {
            return Err(usage(format!(
                "{} is over the whole horizon and takes no year",
                figure.name()
            )));
        }
        if figure.is_probability() && !(0.0..=1.0).contains(&threshold) {
            return Err(usage(format!(
                "a probability is between 0 and 1 (or 0% and 100%), not {rhs}"
            )));
        }
        Ok(Target {
            figure,
            year,
            comparison,
            threshold,
            threshold_text: rhs.to_string(),
            text: text.trim().to_string(),
        })
    }

    /// The year the figure is read in: the year given, else `[targets]
    /// year` when it is simulated, else the final year; `None` for a figure
    /// over the horizon.
    ///
    /// # Errors
    ///
    /// A year given outside the simulated years.
    pub fn year_in(&self, r: &Results) -> Result<Option<i32>, AnalysisError> {
        if !self.figure.has_year() {
            return Ok(None);
        }
        match self.year {
            Some(y) if !(r.start_year..=r.final_year).contains(&y) => Err(AnalysisError::Usage(format!(
                "--target \"{}\": {y} is not simulated; the scenario simulates {} to {}",
                self.text, r.start_year, r.final_year
            ))),
            Some(y) => Ok(Some(y)),
            None => Ok(Some(crate::output::report::lead::target_year(r))),
        }
    }

    /// The figure under policy `policy` of `r`.
    ///
    /// # Errors
    ///
    /// A year outside the simulated years, or a fiscal cost the results do
    /// not have.
    pub fn estimate(&self, r: &Results, policy: usize) -> Result<Estimate, AnalysisError> {
        let p = &r.policies[policy];
        let stat: Stat = match self.year_in(r)? {
            Some(year) => {
                let y = p
                    .years
                    .iter()
                    .find(|y| y.year == year)
                    .expect("a simulated year is in the results");
                match self.figure {
                    Figure::FullCoverage => y.all_above_floor,
                    Figure::BelowFloor => y.below_floor,
                    Figure::MeanIncome => y.mean_income_yuan,
                    Figure::FiscalCost | Figure::IncomePerFiscalYuan => unreachable!("over the horizon"),
                }
            }
            None if self.figure.needs_runs() => {
                return Err(AnalysisError::Usage(format!(
                    "--target \"{}\": {} is read from every run (Target::estimate_runs)",
                    self.text,
                    self.figure.name()
                )))
            }
            None => crate::output::report::lead::fiscal_cost(p).ok_or_else(|| {
                AnalysisError::Usage(format!(
                    "--target \"{}\": the results of policy \"{}\" have no fiscal cost",
                    self.text, p.name
                ))
            })?,
        };
        Ok(Estimate {
            value: stat.mean,
            se: if stat.se.is_finite() { stat.se } else { 0.0 },
        })
    }

    /// The ratio figure from every run's `(income added, fiscal cost)`,
    /// present values: `R = mean(added) / mean(cost)`, with the delta
    /// method's standard error `sqrt((s_a² - 2 R s_ac + R² s_c²) / n) /
    /// mean(cost)` (`s` the sample variances and covariance).
    ///
    /// # Errors
    ///
    /// A policy without fiscal cost, for which the ratio is undefined.
    pub fn estimate_runs(&self, runs: &[(f64, f64)], policy: &str) -> Result<Estimate, AnalysisError> {
        let n = runs.len() as f64;
        let (ma, mc) = runs.iter().fold((0.0, 0.0), |(a, c), (x, y)| (a + x / n, c + y / n));
        if mc.is_nan() || mc <= 0.0 {
            return Err(AnalysisError::Usage(format!(
                "--target \"{}\": policy \"{policy}\" has no fiscal cost, so the income added per yuan of it is undefined",
                self.text
            )));
        }
        let r = ma / mc;
        let d = (n - 1.0).max(1.0);
        let (mut va, mut vc, mut cov) = (0.0, 0.0, 0.0);
        for (a, c) in runs {
            va += (a - ma) * (a - ma) / d;
            vc += (c - mc) * (c - mc) / d;
            cov += (a - ma) * (c - mc) / d;
        }
        let var = ((va - 2.0 * r * cov + r * r * vc) / n).max(0.0);
        Ok(Estimate {
            value: r,
            se: var.sqrt() / mc,
        })
    }

    /// How far `value` is on the right side of the threshold (negative on
    /// the wrong side; for `>` and `<`, zero is on the wrong side).
    pub fn margin(&self, value: f64) -> f64 {
        if self.comparison.wants_more() {
            value - self.threshold
        } else {
            self.threshold - value
        }
    }

    /// Whether `value` meets the target.
    pub fn holds(&self, value: f64) -> bool {
        let m = self.margin(value);
        match self.comparison {
            Comparison::AtLeast | Comparison::AtMost => m >= 0.0,
            Comparison::Above | Comparison::Below => m > 0.0,
        }
    }
}

/// `p_full_coverage[2027]`, `villages_below_floor`, `P(full coverage in
/// 2027)` as the figure and its year.
fn parse_figure(lhs: &str) -> Result<(Figure, Option<i32>), String> {
    let year = |s: &str| -> Result<i32, String> {
        s.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(|| format!("`{}` is not a year", s.trim()))
    };
    let squeezed: String = lhs.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut lower = squeezed.to_lowercase();
    // `mean(FIGURE)`: every figure is a mean over the runs already.
    if let Some(inner) = lower.strip_prefix("mean(").and_then(|s| s.strip_suffix(')')) {
        lower = inner.trim().to_string();
    }
    if let Some(inner) = lower.strip_prefix("p(").and_then(|s| s.strip_suffix(')')) {
        let inner = inner.trim();
        return match inner.strip_prefix("full coverage") {
            Some("") => Ok((Figure::FullCoverage, None)),
            Some(rest) => match rest.trim().strip_prefix("in ") {
                Some(y) => Ok((Figure::FullCoverage, Some(year(y)?))),
                None => Err(format!("write P(full coverage in YEAR), not P({inner})")),
            },
            None => Err(format!(
                "the only probability is P(full coverage in YEAR), not P({inner})"
            )),
        };
    }
    let (name, y) = match lower.split_once('[') {
        Some((name, rest)) => {
            let y = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("`{lhs}` opens [ but does not close it"))?;
            (name.trim().to_string(), Some(year(y)?))
        }
        None => (lower.trim().to_string(), None),
    };
    let figure = NAMES
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            let all: Vec<&str> = NAMES.iter().flat_map(|(n, _)| n.iter().copied()).collect();
            let hint =
                crate::model::param::closest(&name, &all).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            format!("no figure `{name}`{hint}")
        })?;
    Ok((figure, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_and_its_delta_method_error() {
        let t = Target::parse("income_added_per_fiscal_yuan >= 1").unwrap();
        // Added exactly twice the cost in every run: R = 2, no error.
        let e = t.estimate_runs(&[(2.0, 1.0), (4.0, 2.0), (6.0, 3.0)], "p").unwrap();
        assert!((e.value - 2.0).abs() < 1e-12 && e.se < 1e-12, "{e:?}");
        // A fixed cost: the error is that of the mean of added over the cost.
        let e = t.estimate_runs(&[(1.0, 2.0), (3.0, 2.0)], "p").unwrap();
        assert!((e.value - 1.0).abs() < 1e-12);
        assert!((e.se - (2f64 / 2.0).sqrt() / 2.0).abs() < 1e-12, "{e:?}");
        assert!(t.estimate_runs(&[(1.0, 0.0)], "p").is_err());
    }

    #[test]
    fn targets_are_read_in_every_form() {
        let t = Target::parse("villages_below_floor[2027] <= 5").unwrap();
        assert_eq!(
            (t.figure, t.year, t.comparison, t.threshold),
            (Figure::BelowFloor, Some(2027), Comparison::AtMost, 5.0)
        );
        let t = Target::parse("p_full_coverage[2030]>0.5").unwrap();
        assert_eq!((t.figure, t.comparison), (Figure::FullCoverage, Comparison::Above));
        let t = Target::parse("mean_income[2028] >= 50万").unwrap();
        assert_eq!(t.threshold, 500_000.0);
        let t = Target::parse("fiscal_cost < 1.2亿").unwrap();
        assert_eq!(
            (t.figure, t.year, t.comparison),
            (Figure::FiscalCost, None, Comparison::Below)
        );
        assert!(t.holds(1.0e8) && !t.holds(1.2e8));
        let t = Target::parse("mean(net_income_per_public_yuan) >= 1.5").unwrap();
        assert_eq!(
            (t.figure, t.year, t.threshold),
            (Figure::IncomePerFiscalYuan, None, 1.5)
        );
        assert!(Target::parse("villages_below_floor <= 5").unwrap().holds(5.0));
        assert!(!Target::parse("villages_below_floor < 5").unwrap().holds(5.0));
    }

    #[test]
    fn bad_targets_say_what_is_valid() {
        let e = |s: &str| Target::parse(s).unwrap_err().to_string();
        assert!(e("villages_below_flor[2027] <= 5").contains("did you mean `villages_below_floor`"));
        assert!(e("villages_below_floor[2027] = 5").contains("no comparison"));
        assert!(e("fiscal_cost[2027] <= 5").contains("takes no year"));
        assert!(e("income_added_per_fiscal_yuan[2027] >= 1").contains("takes no year"));
        assert!(e("P(full coverage in 2027) >= 2").contains("between 0 and 1"));
        assert!(e("P(rain in 2027) >= 0.5").contains("the only probability"));
        assert!(e("mean_income[20x] >= 5").contains("is not a year"));
        assert!(e("mean_income >= lots").contains("the value `lots`"));
    }
}
