//! Mergeable aggregates of the runs: exact sums and counts, quantile
//! sketches. Every sum is kept in integers of a fixed unit (fen for money),
//! so merging the partial aggregates of run ranges is exact and gives the
//! same result in any order: outputs do not depend on the thread count, and
//! shards of a large job can be combined.

use super::results::Stat;
use super::sketch::Sketch;

/// Fixed-point units: money is summed in fen, ratios in 1e-9.
pub const FEN_PER_YUAN: f64 = 100.0;
pub const RATIO_SCALE: f64 = 1e9;

/// Exact count, sum and sum of squares of values rounded to `1 / scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    scale: f64,
    n: u64,
    sum: i128,
    sum_sq: i128,
}

impl Moments {
    pub fn new(scale: f64) -> Self {
        Moments {
            scale,
            n: 0,
            sum: 0,
            sum_sq: 0,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        let q = (x * self.scale).round() as i64 as i128;
        self.n += 1;
        self.sum += q;
        self.sum_sq += q * q;
    }

    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.sum as f64 / self.n as f64 / self.scale
    }

    /// Sample standard deviation (0 for fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as i128;
        let numerator = n
            .checked_mul(self.sum_sq)
            .and_then(|a| self.sum.checked_mul(self.sum).map(|b| (a - b) as f64))
            .unwrap_or_else(|| {
                let (s, ss, nf) = (self.sum as f64, self.sum_sq as f64, self.n as f64);
                nf * ss - s * s
            });
        (numerator.max(0.0) / (self.n as f64 * (self.n - 1) as f64)).sqrt() / self.scale
    }

    /// Monte Carlo standard error of the mean.
    pub fn se(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.sd() / (self.n as f64).sqrt()
    }
}

/// A continuous quantity: exact moments and a quantile sketch.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub moments: Moments,
    pub sketch: Sketch,
}

impl Tally {
    pub fn new(scale: f64) -> Self {
        Tally {
            moments: Moments::new(scale),
            sketch: Sketch::new(),
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.moments.add(x);
        self.sketch.add(x);
    }

    pub fn merge(&mut self, other: &Tally) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    pub fn stat(&self) -> Stat {
        let m = &self.moments;
        let q = |p| self.sketch.quantile(p);
        Stat {
            mean: m.mean(),
            se: m.se(),
            sd: m.sd(),
            min: self.sketch.min(),
            p5: q(0.05),
            p10: q(0.10),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p90: q(0.90),
            p95: q(0.95),
            max: self.sketch.max(),
        }
    }
}

/// A count (of villages): exact moments and an exact histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct CountTally {
    moments: Moments,
    histogram: Vec<u64>,
}

impl CountTally {
    /// Counts from 0 to `max` inclusive.
    pub fn new(max: usize) -> Self {
        CountTally {
            moments: Moments::new(1.0),
            histogram: vec![0; max + 1],
        }
    }

    #[inline]
    pub fn add(&mut self, k: usize) {
        self.moments.add(k as f64);
        self.histogram[k] += 1;
    }

    pub fn merge(&mut self, other: &CountTally) {
        self.moments.merge(&other.moments);
        self.histogram
            .iter_mut()
            .zip(&other.histogram)
            .for_each(|(a, b)| *a += b);
    }

    fn quantile(&self, q: f64) -> f64 {
        let n = self.moments.count();
        if n == 0 {
            return f64::NAN;
        }
        let rank = (q * (n - 1) as f64).round() as u64;
        let mut seen = 0;
        for (k, c) in self.histogram.iter().enumerate() {
            seen += c;
            if seen > rank {
                return k as f64;
            }
        }
        (self.histogram.len() - 1) as f64
    }

    pub fn stat(&self) -> Stat {
        let m = &self.moments;
        let first = self.histogram.iter().position(|c| *c > 0).unwrap_or(0) as f64;
        let last = self.histogram.iter().rposition(|c| *c > 0).unwrap_or(0) as f64;
        Stat {
            mean: m.mean(),
            se: m.se(),
            sd: m.sd(),
            min: first,
            p5: self.quantile(0.05),
            p10: self.quantile(0.10),
            p25: self.quantile(0.25),
            p50: self.quantile(0.50),
            p75: self.quantile(0.75),
            p90: self.quantile(0.90),
            p95: self.quantile(0.95),
            max: last,
        }
    }
}

/// Gini coefficient of non-negative incomes; sorts `scratch` in place.
///
/// `G = 2 sum_i i x_(i) / (n sum_i x_i) - (n + 1) / n`, with `x_(i)` sorted
/// ascending and `i` from 1; 0 when all incomes are zero.
pub fn gini(scratch: &mut [f64]) -> f64 {
    let n = scratch.len();
    if n == 0 {
        return 0.0;
    }
    scratch.sort_unstable_by(f64::total_cmp);
    let (mut total, mut weighted) = (0.0, 0.0);
    for (i, x) in scratch.iter().enumerate() {
        total += x;
        weighted += (i + 1) as f64 * x;
    }
    if total <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    (2.0 * weighted / (n * total) - (n + 1.0) / n).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_exact() {
        let mut m = Moments::new(FEN_PER_YUAN);
        [1.0, 2.0, 3.0, 4.0].iter().for_each(|x| m.add(*x));
        assert_eq!(m.mean(), 2.5);
        assert!((m.sd() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let mut c = Moments::new(FEN_PER_YUAN);
        (0..5).for_each(|_| c.add(300_000.0));
        assert_eq!(c.sd(), 0.0);
        assert_eq!(c.mean(), 300_000.0);
    }

    #[test]
    fn gini_known_values() {
        assert_eq!(gini(&mut [5.0, 5.0, 5.0]), 0.0);
        assert!((gini(&mut [0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12);
        assert!((gini(&mut [1.0, 2.0, 3.0]) - 2.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn counts_have_exact_quantiles() {
        let mut c = CountTally::new(10);
        [0, 1, 1, 2, 9].iter().for_each(|k| c.add(*k));
        let s = c.stat();
        assert_eq!((s.min, s.p50, s.max), (0.0, 1.0, 9.0));
        assert_eq!(s.mean, 2.6);
    }
}
