//! Uncertain numbers: every numeric parameter of a scenario may be one.
//!
//! In a scenario file a parameter is written as
//!
//! - a plain number or unit string: `0.05`, `"150万"`, `"6%"` (no uncertainty);
//! - a 90% interval: `"5% to 8%"`, `"12万 to 30万"`: lognormal when both ends
//!   are positive, normal otherwise, with the ends at its 5th and 95th
//!   percentiles;
//! - a table naming one distribution, with an optional clamp and level:
//!   `{ normal = { mean = 0.03, sd = 0.06 }, min = -0.2, max = 0.3, per = "village-year" }`.
//!
//! Distributions: `fixed`, `uniform {min, max}`, `normal {mean, sd}`,
//! `lognormal {median, sigma}` or `lognormal {mean, sd}`, `triangular {min,
//! mode, max}`, `pert {min, mode, max}`, `beta {alpha, beta, low = 0, high =
//! 1}`, `discrete {values, weights}`, `range = "A to B"`.
//!
//! `per` says how often a value is drawn: once per `run` (we do not know the
//! true value: epistemic uncertainty), once per `village` per run, afresh
//! every `year`, or every `village-year`. Each parameter documents its
//! default level.

use std::fmt;

use rand::Rng;
use rand_distr::{Beta, Distribution, Pert, StandardNormal, Triangular};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::units::{parse_number, parse_range, Z_95};

/// How often an uncertain parameter is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Per {
    /// Once per Monte Carlo run, shared by every village and year.
    Run,
    /// Once per village per run.
    Village,
    /// Afresh every year of a run, shared by every village.
    Year,
    /// Afresh for every village in every year.
    VillageYear,
}

impl Per {
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Run => "run",
            Per::Village => "village",
            Per::Year => "year",
            Per::VillageYear => "village-year",
        }
    }
}

/// A probability distribution over one number.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// `exp(mu + sigma * z)`.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        low: f64,
        high: f64,
    },
    /// `cumulative` holds the normalised cumulative weights.
    Discrete {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

mod domain;
mod quantile;
mod schedule;
mod shift;
pub use domain::{show, Domain};
pub use quantile::standard_normal_quantile;
pub use schedule::{Between, Schedule};

/// An uncertain parameter: a distribution, an optional clamp, and how often
/// it is drawn (`None`: the parameter's documented default).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub dist: Dist,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub per: Option<Per>,
    /// Values by year (see [`Schedule`]); `dist`, `min` and `max` are then
    /// those of its first year, and only kinds that read the parameter year
    /// by year accept it.
    pub schedule: Option<Box<Schedule>>,
}

impl Param {
    pub fn fixed(value: f64) -> Self {
        Param {
            dist: Dist::Fixed(value),
            min: None,
            max: None,
            per: None,
            schedule: None,
        }
    }

    /// A parameter drawn from `dist`, with no clamp, level or schedule.
    pub fn of(dist: Dist) -> Self {
        Param {
            dist,
            ..Param::fixed(0.0)
        }
    }

    /// The value when the parameter has no uncertainty (and no schedule).
    pub fn as_fixed(&self) -> Option<f64> {
        match self.dist {
            Dist::Fixed(x) if self.schedule.is_none() => Some(self.clamp(x)),
            _ => None,
        }
    }

    fn clamp(&self, x: f64) -> f64 {
        let x = self.min.map_or(x, |lo| x.max(lo));
        self.max.map_or(x, |hi| x.min(hi))
    }

    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match &self.dist {
            Dist::Fixed(x) => *x,
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Normal { mean, sd } => mean + sd * rng.sample::<f64, _>(StandardNormal),
            Dist::LogNormal { mu, sigma } => (mu + sigma * rng.sample::<f64, _>(StandardNormal)).exp(),
            Dist::Triangular { min, mode, max } => Triangular::new(*min, *max, *mode)
                .map(|d| d.sample(rng))
                .unwrap_or(*mode),
            Dist::Pert { min, mode, max } => Pert::new(*min, *max)
                .with_mode(*mode)
                .map(|d| d.sample(rng))
                .unwrap_or(*mode),
            Dist::Beta { alpha, beta, low, high } => {
                let u = Beta::new(*alpha, *beta).map(|d| d.sample(rng)).unwrap_or(0.5);
                low + (high - low) * u
            }
            Dist::Discrete { values, cumulative } => {
                let u: f64 = rng.random();
                let i = cumulative.partition_point(|c| *c <= u).min(values.len() - 1);
                values[i]
            }
        };
        self.clamp(x)
    }

    /// Fills `out` with draws, in order: the values [`Param::sample`] would
    /// give one at a time from the same stream, with the distribution
    /// matched once for the whole slice (the village-year draws are most of
    /// a run's random numbers).
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        match &self.dist {
            Dist::Normal { mean, sd } => {
                for x in out.iter_mut() {
                    *x = self.clamp(mean + sd * rng.sample::<f64, _>(StandardNormal));
                }
            }
            Dist::Uniform { min, max } => {
                for x in out.iter_mut() {
                    *x = self.clamp(min + (max - min) * rng.random::<f64>());
                }
            }
            _ => out.iter_mut().for_each(|x| *x = self.sample(rng)),
        }
    }

    /// The value that ranks villages (selectors, the weakest-first
    /// allocation of a support fund) and is checked against a domain: the
    /// median for a lognormal, the mean otherwise. `--central` fixes a
    /// parameter at its [`Param::mean`] (or [`Param::median`]) instead.
    ///
    /// A ranking value needs no integral: a clamp moves the mean into it
    /// rather than averaging the clamped draws as [`Param::mean`] does.
    pub fn central(&self) -> f64 {
        match self.dist {
            Dist::LogNormal { .. } => self.median(),
            _ => self.clamp(self.unclamped_mean()),
        }
    }

    /// The smallest and largest values a draw can take (after the clamp);
    /// infinite for unbounded distributions.
    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = match &self.dist {
            Dist::Fixed(x) => (*x, *x),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } | Dist::Pert { min, max, .. } => {
                (*min, *max)
            }
            Dist::Normal { sd, mean } if *sd == 0.0 => (*mean, *mean),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Beta { low, high, .. } => (*low, *high),
            Dist::Discrete { values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v))),
        };
        (self.min.map_or(lo, |m| lo.max(m)), self.max.map_or(hi, |m| hi.min(m)))
    }

    /// The 5th and 95th percentiles of an unbounded distribution (the ends
    /// of the range `"A to B"` it was read from), within the clamp; the
    /// support for any other.
    pub fn interval90(&self) -> (f64, f64) {
        let (lo, hi) = match &self.dist {
            Dist::Normal { mean, sd } => (mean - Z_95 * sd, mean + Z_95 * sd),
            Dist::LogNormal { mu, sigma } => ((mu - Z_95 * sigma).exp(), (mu + Z_95 * sigma).exp()),
            _ => return self.support(),
        };
        (self.clamp(lo), self.clamp(hi))
    }

    /// True when every draw gives the same value (in each year of a
    /// schedule).
    pub fn is_certain(&self) -> bool {
        if let Some(s) = &self.schedule {
            return s.years.iter().all(|(_, p)| p.is_certain());
        }
        let (lo, hi) = self.support();
        lo == hi
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.schedule {
            let years: Vec<String> = s.years.iter().map(|(y, p)| format!("{y}: {p}")).collect();
            write!(f, "by year ({}, {})", years.join(", "), s.between.as_str())?;
            if let Some(per) = self.per {
                write!(f, " per {}", per.as_str())?;
            }
            return Ok(());
        }
        match &self.dist {
            Dist::Fixed(x) => write!(f, "{x}")?,
            Dist::Uniform { min, max } => write!(f, "uniform({min}, {max})")?,
            Dist::Normal { mean, sd } => write!(f, "normal(mean {mean}, sd {sd})")?,
            Dist::LogNormal { mu, sigma } => write!(f, "lognormal(median {:.6}, sigma {sigma})", mu.exp())?,
            Dist::Triangular { min, mode, max } => write!(f, "triangular({min}, {mode}, {max})")?,
            Dist::Pert { min, mode, max } => write!(f, "pert({min}, {mode}, {max})")?,
            Dist::Beta { alpha, beta, low, high } => write!(f, "beta({alpha}, {beta}) on [{low}, {high}]")?,
            Dist::Discrete { values, .. } => write!(f, "discrete({values:?})")?,
        }
        if let Some(per) = self.per {
            write!(f, " per {}", per.as_str())?;
        }
        Ok(())
    }
}

/// A number in a scenario file: a TOML number or a unit string (`"150万"`, `"6%"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number such as 0.06, \"6%\", 1500000 or \"150万\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                if v.is_finite() {
                    Ok(Num(v))
                } else {
                    Err(E::custom(format!("{v} is not a finite number")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                parse_number(v).map(Num).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinMax {
    min: Num,
    max: Num,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeanSd {
    mean: Num,
    sd: Num,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogNormalSpec {
    median: Option<Num>,
    sigma: Option<Num>,
    mean: Option<Num>,
    sd: Option<Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThreePoint {
    min: Num,
    mode: Num,
    max: Num,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BetaSpec {
    alpha: Num,
    beta: Num,
    low: Option<Num>,
    high: Option<Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscreteSpec {
    values: Vec<Num>,
    weights: Option<Vec<Num>>,
}

/// The keys a parameter table may hold.
pub const PARAM_KEYS: [&str; 13] = [
    "fixed",
    "uniform",
    "normal",
    "lognormal",
    "triangular",
    "pert",
    "beta",
    "discrete",
    "range",
    "min",
    "max",
    "per",
    "(one distribution plus optional min, max, per)",
];

/// The keys of a parameter table that name a distribution: [`PARAM_KEYS`]
/// from `uniform` to `range`.
pub const DISTRIBUTION_KEYS: &[&str] = PARAM_KEYS.split_at(1).1.split_at(8).0;

fn range_dist(text: &str) -> Result<Dist, String> {
    let Some(r) = parse_range(text)? else {
        return parse_number(text).map(Dist::Fixed);
    };
    Ok(if r.low > 0.0 {
        let (a, b) = (r.low.ln(), r.high.ln());
        Dist::LogNormal {
            mu: 0.5 * (a + b),
            sigma: (b - a) / (2.0 * Z_95),
        }
    } else {
        // Halved before subtracting, so that "-1e308 to 1e308" stays finite
        // and is refused by its domain (the same numbers otherwise).
        Dist::Normal {
            mean: 0.5 * r.low + 0.5 * r.high,
            sd: (0.5 * r.high - 0.5 * r.low) / Z_95,
        }
    })
}

fn check_min_max(min: f64, max: f64, what: &str) -> Result<(), String> {
    if min > max {
        Err(format!("{what}: min ({min}) must not exceed max ({max})"))
    } else {
        Ok(())
    }
}

fn lognormal(spec: LogNormalSpec) -> Result<Dist, String> {
    match spec {
        LogNormalSpec {
            median: Some(m),
            sigma: Some(s),
            mean: None,
            sd: None,
        } => {
            if m.0 <= 0.0 || s.0 < 0.0 {
                return Err("lognormal needs median > 0 and sigma >= 0".into());
            }
            Ok(Dist::LogNormal {
                mu: m.0.ln(),
                sigma: s.0,
            })
        }
        LogNormalSpec {
            mean: Some(m),
            sd: Some(s),
            median: None,
            sigma: None,
        } => {
            if m.0 <= 0.0 || s.0 < 0.0 {
                return Err("lognormal needs mean > 0 and sd >= 0".into());
            }
            let sigma2 = (1.0 + (s.0 / m.0).powi(2)).ln();
            Ok(Dist::LogNormal {
                mu: m.0.ln() - 0.5 * sigma2,
                sigma: sigma2.sqrt(),
            })
        }
        _ => Err(
            "lognormal takes either { median, sigma } (sigma of the log) or { mean, sd } (of the value itself)".into(),
        ),
    }
}

fn three_point(spec: ThreePoint, kind: &str) -> Result<(f64, f64, f64), String> {
    let (min, mode, max) = (spec.min.0, spec.mode.0, spec.max.0);
    if !(min <= mode && mode <= max) {
        return Err(format!("{kind} needs min <= mode <= max, got {min}, {mode}, {max}"));
    }
    Ok((min, mode, max))
}

fn discrete(spec: DiscreteSpec) -> Result<Dist, String> {
    let values: Vec<f64> = spec.values.iter().map(|n| n.0).collect();
    if values.is_empty() {
        return Err("discrete needs at least one value".into());
    }
    let weights: Vec<f64> = match spec.weights {
        Some(w) => w.iter().map(|n| n.0).collect(),
        None => vec![1.0; values.len()],
    };
    if weights.len() != values.len() {
        return Err(format!(
            "discrete has {} values but {} weights; give one weight per value",
            values.len(),
            weights.len()
        ));
    }
    if weights.iter().any(|w| *w < 0.0) {
        return Err("discrete weights must be >= 0".into());
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err("discrete weights must not all be zero".into());
    }
    if !total.is_finite() {
        return Err(format!(
            "discrete weights must add up to a finite number, got {}",
            show(total)
        ));
    }
    let mut acc = 0.0;
    let cumulative = weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect();
    Ok(Dist::Discrete { values, cumulative })
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamVisitor)
    }
}

struct ParamVisitor;

impl<'de> Visitor<'de> for ParamVisitor {
    type Value = Param;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a number (0.06, \"6%\", \"150万\"), a 90% range (\"5% to 8%\") or a distribution table such as { normal = { mean = 0.03, sd = 0.06 }, per = \"village-year\" }",
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
        Ok(Param::fixed(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
        Ok(Param::fixed(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
        Num::deserialize(de::value::F64Deserializer::<E>::new(v)).map(|n| Param::fixed(n.0))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Param, E> {
        range_dist(v).map(Param::of).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Param, A::Error> {
        let mut dist: Option<Dist> = None;
        let (mut min, mut max, mut per) = (None, None, None);
        let (mut years, mut between) = (Vec::new(), None);
        while let Some(key) = map.next_key::<String>()? {
            if let Some(year) = schedule::year_key(&key) {
                years.push((year, map.next_value::<Param>()?));
                continue;
            }
            let new = match key.as_str() {
                "between" => {
                    between = Some(map.next_value::<String>()?);
                    None
                }
                "min" => {
                    min = Some(map.next_value::<Num>()?.0);
                    None
                }
                "max" => {
                    max = Some(map.next_value::<Num>()?.0);
                    None
                }
                "per" => {
                    per = Some(map.next_value::<Per>()?);
                    None
                }
                dist_key => Some(next_dist(dist_key, &mut map)?),
            };
            if let Some(new) = new {
                if dist.is_some() {
                    return Err(de::Error::custom(
                        "a parameter takes exactly one distribution (fixed, uniform, normal, lognormal, triangular, pert, beta, discrete or range)",
                    ));
                }
                dist = Some(new);
            }
        }
        if !years.is_empty() || between.is_some() {
            let clamp = min.is_some() || max.is_some();
            return schedule::build(years, between, per, dist.is_some(), clamp).map_err(de::Error::custom);
        }
        let dist = dist.ok_or_else(|| {
            de::Error::custom("this table names no distribution: add one of fixed, uniform, normal, lognormal, triangular, pert, beta, discrete or range")
        })?;
        if let (Some(lo), Some(hi)) = (min, max) {
            check_min_max(lo, hi, "clamp").map_err(de::Error::custom)?;
        }
        Ok(Param {
            dist,
            min,
            max,
            per,
            schedule: None,
        })
    }
}

/// The distribution a parameter table names with `key` (`fixed`, `range`,
/// `uniform`, `normal`, `lognormal`, `triangular`, `pert`, `beta`,
/// `discrete`), its value read from `map`; any other key is an error that
/// lists the valid ones.
fn next_dist<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Dist, A::Error> {
    Ok(match key {
        "fixed" => Dist::Fixed(map.next_value::<Num>()?.0),
        "range" => range_dist(&map.next_value::<String>()?).map_err(de::Error::custom)?,
        "uniform" => {
            let s: MinMax = map.next_value()?;
            check_min_max(s.min.0, s.max.0, "uniform").map_err(de::Error::custom)?;
            Dist::Uniform {
                min: s.min.0,
                max: s.max.0,
            }
        }
        "normal" => {
            let s: MeanSd = map.next_value()?;
            if s.sd.0 < 0.0 {
                return Err(de::Error::custom(format!("normal: sd must be >= 0, got {}", s.sd.0)));
            }
            Dist::Normal {
                mean: s.mean.0,
                sd: s.sd.0,
            }
        }
        "lognormal" => lognormal(map.next_value()?).map_err(de::Error::custom)?,
        "triangular" => {
            let (min, mode, max) = three_point(map.next_value()?, "triangular").map_err(de::Error::custom)?;
            Dist::Triangular { min, mode, max }
        }
        "pert" => {
            let (min, mode, max) = three_point(map.next_value()?, "pert").map_err(de::Error::custom)?;
            Dist::Pert { min, mode, max }
        }
        "beta" => {
            let s: BetaSpec = map.next_value()?;
            let (low, high) = (s.low.map_or(0.0, |n| n.0), s.high.map_or(1.0, |n| n.0));
            if s.alpha.0 <= 0.0 || s.beta.0 <= 0.0 || low >= high {
                return Err(de::Error::custom("beta needs alpha > 0, beta > 0 and low < high"));
            }
            Dist::Beta {
                alpha: s.alpha.0,
                beta: s.beta.0,
                low,
                high,
            }
        }
        "discrete" => discrete(map.next_value()?).map_err(de::Error::custom)?,
        other => {
            return Err(de::Error::custom(unknown_key_message(other)));
        }
    })
}

/// The candidate closest to a misspelt word, if any is close enough.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn unknown_key_message(key: &str) -> String {
    let known = &PARAM_KEYS[..12];
    let mut msg = format!(
        "unknown field `{key}`, expected one of {}, or years such as `2025` for values by year",
        known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    );
    if let Some(best) = closest(key, known) {
        msg.push_str(&format!(" (did you mean `{best}`?)"));
    }
    msg
}

#[cfg(test)]
mod tests;
