//! How precise a run's estimates are, and the targets a run may stop at.
//!
//! `villagesim run --precision mean=0.5%,prob=0.005` simulates until, in
//! the target year (`[targets] year`, else the final year), for every
//! policy:
//!
//! ```text
//! se(mean village income) / |mean village income|          <= mean
//! se(P(every village at or above the floor))               <= prob
//! se(share of villages below the floor)                    <= prob
//! ```
//!
//! and, for every policy paired with the reference ("no intervention",
//! policy 0) run by run, in the final year (the year the paired
//! comparisons measure):
//!
//! ```text
//! se(difference in mean village income) / |reference's mean| <= mean
//! se(difference in the share of villages below the floor)     <= prob
//! ```
//!
//! The standard errors are the Monte Carlo ones of the exact moments
//! ([`super::accum::Moments::se`]). Precision is checked only when the runs
//! held are a multiple of [`CHECK_EVERY_RUNS`], so where a run stops is a
//! function of the scenario, the seed and the targets alone.

use serde::{Deserialize, Serialize};

use crate::format::Lang;

/// Runs between two checks of precision. Fixed, never a function of the
/// thread count or of how the runs were split: a run stops at the same run
/// count on any machine, so its outputs equal those of `--runs` at that
/// count. A thousand runs keeps the checks cheap against the simulation
/// (one pass over the portfolio aggregates) and the overshoot below a
/// thousand runs, while a standard error estimated from a thousand runs or
/// more is itself within a few percent.
pub const CHECK_EVERY_RUNS: u64 = 1_000;

/// The targets of `--precision`; `None` for a part not asked for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// Largest relative standard error of a mean income (and of a paired
    /// difference relative to the reference's mean), e.g. 0.005 for 0.5%.
    pub mean: Option<f64>,
    /// Largest absolute standard error of a probability or share.
    pub prob: Option<f64>,
}

/// The targets of a bare `--precision`.
pub const DEFAULT_TARGETS: Targets = Targets {
    mean: Some(0.005),
    prob: Some(0.005),
};

/// Why a precision specification cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{part:?}: {why}; write mean=R for the largest relative standard error of a mean income (e.g. mean=0.5% or mean=0.005) and/or prob=P for the largest standard error of a probability or share (e.g. prob=0.005 or prob=0.5%), separated by a comma, each between 0 and 1 (0% and 100%) exclusive")]
pub struct SpecError {
    /// The part of the specification that is wrong.
    pub part: String,
    pub why: String,
}

impl Targets {
    /// Reads `mean=0.5%,prob=0.005` (either part may be left out, not both).
    ///
    /// # Errors
    ///
    /// A [`SpecError`] naming the part that is not `mean=R` or `prob=P`
    /// with a value strictly between 0 and 1.
    pub fn parse(spec: &str) -> Result<Targets, SpecError> {
        let mut targets = Targets { mean: None, prob: None };
        let bad = |part: &str, why: &str| SpecError {
            part: part.to_string(),
            why: why.to_string(),
        };
        if spec.trim().is_empty() {
            return Err(bad(spec, "empty"));
        }
        for part in spec.split(',') {
            let (key, value) = part.split_once('=').ok_or_else(|| bad(part, "no '='"))?;
            let slot = match key.trim() {
                "mean" => &mut targets.mean,
                "prob" => &mut targets.prob,
                other => return Err(bad(part, &format!("unknown target \"{other}\""))),
            };
            if slot.is_some() {
                return Err(bad(part, "given twice"));
            }
            let value = value.trim();
            let number = match value.strip_suffix('%') {
                Some(pct) => pct.trim().parse::<f64>().map(|x| x / 100.0),
                None => value.parse::<f64>(),
            }
            .map_err(|_| bad(part, &format!("\"{value}\" is not a number")))?;
            if !(number > 0.0 && number < 1.0) {
                return Err(bad(part, &format!("{value} is not between 0 and 1")));
            }
            *slot = Some(number);
        }
        Ok(targets)
    }

    /// The specification in its canonical form, `mean=0.5%,prob=0.005`,
    /// which [`Targets::parse`] reads back to the same targets.
    pub fn spec(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = self.mean {
            parts.push(format!("mean={}%", short(m * 100.0)));
        }
        if let Some(p) = self.prob {
            parts.push(format!("prob={}", short(p)));
        }
        parts.join(",")
    }
}

/// `x` with at most 12 significant decimals and no trailing zeros.
fn short(x: f64) -> String {
    let text = format!("{:.12}", x);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A figure whose precision is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Mean village income (relative standard error).
    MeanIncome,
    /// P(every village at or above the floor).
    FullCoverage,
    /// Mean share of villages below the floor.
    ShareBelowFloor,
    /// Paired difference in mean village income, relative to the
    /// reference's mean.
    IncomeDifference,
    /// Paired difference in the share of villages below the floor.
    ShareBelowDifference,
}

impl Figure {
    /// Whether it is held to the `mean` target (else to `prob`).
    pub fn relative(self) -> bool {
        matches!(self, Figure::MeanIncome | Figure::IncomeDifference)
    }

    /// The figure in words.
    pub fn words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Figure::MeanIncome, Lang::En) => "the mean village income",
            (Figure::MeanIncome, Lang::Zh) => "村均经营性收入",
            (Figure::FullCoverage, Lang::En) => "the probability of full coverage",
            (Figure::FullCoverage, Lang::Zh) => "全覆盖概率",
            (Figure::ShareBelowFloor, Lang::En) => "the share of villages below the floor",
            (Figure::ShareBelowFloor, Lang::Zh) => "低于底线的村所占比例",
            (Figure::IncomeDifference, Lang::En) => "the difference in mean village income",
            (Figure::IncomeDifference, Lang::Zh) => "村均经营性收入之差",
            (Figure::ShareBelowDifference, Lang::En) => "the difference in the share of villages below the floor",
            (Figure::ShareBelowDifference, Lang::Zh) => "低于底线村所占比例之差",
        }
    }
}

/// The standard error of one figure: relative for [`Figure::relative`]
/// figures, absolute otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub figure: Figure,
    pub policy: String,
    /// The reference policy of a paired difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub year: i32,
    /// The standard error (infinite where it cannot be estimated: a mean
    /// of zero, fewer than two runs).
    #[serde(with = "finite_or_null")]
    pub se: f64,
}

/// An infinite standard error as JSON `null` (JSON has no infinity).
mod finite_or_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        x.is_finite().then_some(*x).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

/// The precision a run reached where it stopped, recorded in the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    pub targets: Targets,
    /// The least precise figure held to each target (`None` when there is
    /// no such figure).
    #[serde(default)]
    pub worst_mean: Option<Measured>,
    #[serde(default)]
    pub worst_prob: Option<Measured>,
    /// Runs simulated when it stopped.
    pub runs: u64,
    /// The most runs it would have simulated (`--max-runs`).
    pub max_runs: u64,
    /// Runs between two checks ([`CHECK_EVERY_RUNS`]).
    pub check_every: u64,
    /// Whether every target was met (else it stopped at `max_runs`).
    pub met: bool,
}

impl Precision {
    /// Judges `measured` against `targets` after `runs` runs.
    pub fn assess(targets: Targets, measured: Vec<Measured>, runs: u64, max_runs: u64) -> Precision {
        let worst = |relative: bool| {
            measured
                .iter()
                .filter(|m| m.figure.relative() == relative)
                .max_by(|a, b| key(a.se).total_cmp(&key(b.se)))
                .cloned()
        };
        let (worst_mean, worst_prob) = (worst(true), worst(false));
        let holds = |target: Option<f64>, worst: &Option<Measured>| {
            target.is_none_or(|t| worst.as_ref().is_none_or(|w| w.se <= t))
        };
        let met = holds(targets.mean, &worst_mean) && holds(targets.prob, &worst_prob);
        Precision {
            targets,
            worst_mean,
            worst_prob,
            runs,
            max_runs,
            check_every: CHECK_EVERY_RUNS,
            met,
        }
    }
}

/// A standard error for ordering: NaN as infinite.
fn key(se: f64) -> f64 {
    if se.is_nan() {
        f64::INFINITY
    } else {
        se
    }
}

/// `se / |mean|`, infinite where the mean is zero or either is NaN.
pub fn relative(se: f64, mean: f64) -> f64 {
    let r = se / mean.abs();
    if r.is_nan() {
        f64::INFINITY
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifications_read_and_print_back() {
        let t = Targets::parse("mean=0.5%,prob=0.005").unwrap();
        assert_eq!(t, DEFAULT_TARGETS);
        assert_eq!(t.spec(), "mean=0.5%,prob=0.005");
        assert_eq!(Targets::parse(&t.spec()).unwrap(), t);
        let t = Targets::parse(" prob = 1% ").unwrap();
        assert_eq!(
            t,
            Targets {
                mean: None,
                prob: Some(0.01)
            }
        );
        assert_eq!(Targets::parse("mean=0.002").unwrap().spec(), "mean=0.2%");
    }

    #[test]
    fn bad_parts_are_named() {
        for (spec, part) in [
            ("mean=abc", "mean=abc"),
            ("mean=0.5%,sd=1", "sd=1"),
            ("prob", "prob"),
            ("prob=0", "prob=0"),
            ("mean=150%", "mean=150%"),
            ("mean=1%,mean=2%", "mean=2%"),
        ] {
            let e = Targets::parse(spec).unwrap_err();
            assert_eq!(e.part, part, "{spec}");
            assert!(e.to_string().contains("mean=0.5%"), "{e}");
        }
    }

    fn m(figure: Figure, se: f64) -> Measured {
        Measured {
            figure,
            policy: "p".into(),
            reference: None,
            year: 2030,
            se,
        }
    }

    #[test]
    fn the_worst_figure_decides() {
        let measured = vec![
            m(Figure::MeanIncome, 0.001),
            m(Figure::IncomeDifference, 0.004),
            m(Figure::FullCoverage, 0.006),
            m(Figure::ShareBelowFloor, 0.002),
        ];
        let p = Precision::assess(DEFAULT_TARGETS, measured.clone(), 1000, 5000);
        assert!(!p.met);
        assert_eq!(p.worst_mean.as_ref().unwrap().figure, Figure::IncomeDifference);
        assert_eq!(p.worst_prob.as_ref().unwrap().figure, Figure::FullCoverage);
        let mean_only = Targets {
            mean: Some(0.005),
            prob: None,
        };
        assert!(Precision::assess(mean_only, measured, 1000, 5000).met);
        let unknown = vec![m(Figure::MeanIncome, relative(1.0, 0.0))];
        assert!(!Precision::assess(DEFAULT_TARGETS, unknown, 1000, 5000).met);
    }
}
