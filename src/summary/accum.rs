//! Mergeable aggregates of the runs: exact sums and counts, quantile
//! sketches. Every sum is kept in integers of a fixed unit (fen for money),
//! so merging the partial aggregates of run ranges is exact and gives the
//! same result in any order: outputs do not depend on the thread count, and
//! shards of a large job can be combined.

use ethnum::U256;

use super::results::Stat;
use super::sketch::Sketch;

/// Fixed-point units: money is summed in fen, ratios in 1e-9.
pub const FEN_PER_YUAN: f64 = 100.0;
pub const RATIO_SCALE: f64 = 1e9;

/// Exact count, sum and sum of squares of values rounded to `1 / scale`.
///
/// Rounded values `q` are summed in an `i128` and their squares in a 256-bit
/// integer, so every sum is exact for `|q| <= 2^100` over up to 2^34 values:
/// money up to 10^28 yuan, ratios up to 10^21 at [`RATIO_SCALE`]. The engine
/// keeps every tallied value far inside that (see [`crate::limits`]), so
/// means and standard errors never saturate, whatever the magnitude a
/// scenario may validly reach.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    scale: f64,
    n: u64,
    sum: i128,
    #[serde(with = "u256_words")]
    sum_sq: U256,
}

/// A `U256` as its high and low 128-bit words, for the shard files.
mod u256_words {
    use ethnum::U256;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(x: &U256, s: S) -> Result<S::Ok, S::Error> {
        (*x.high(), *x.low()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        let (high, low) = <(u128, u128)>::deserialize(d)?;
        Ok(U256::from_words(high, low))
    }
}

/// Largest rounded value summed exactly, `2^100`.
const MAX_EXACT: f64 = 1_267_650_600_228_229_401_496_703_205_376.0;
/// Below this magnitude a rounded value fits an `i64` (and its square a `u128`).
const I64_RANGE: f64 = 9_223_372_036_854_774_784.0;

impl Moments {
    pub fn new(scale: f64) -> Self {
        Moments {
            scale,
            n: 0,
            sum: 0,
            sum_sq: U256::ZERO,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        let y = x * self.scale;
        self.n += 1;
        if y.abs() < I64_RANGE {
            // Round half away from zero without a libm call: a truncating
            // conversion of y +/- 0.5.
            let q = (y + 0.5f64.copysign(y)) as i64 as i128;
            self.sum += q;
            self.sum_sq += U256::from((q * q) as u128);
        } else {
            // Beyond 2^63 every f64 is a whole number already.
            debug_assert!(y.abs() <= MAX_EXACT, "{x} is beyond the exact range of Moments");
            let q = y as i128;
            let a = U256::from(q.unsigned_abs());
            self.sum += q;
            self.sum_sq += a * a;
        }
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

    /// Sample standard deviation (0 for fewer than two values):
    /// `sqrt((n sum q^2 - (sum q)^2) / (n (n - 1))) / scale`, the numerator
    /// computed exactly in 256 bits.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let a = U256::from(self.sum.unsigned_abs());
        let numerator = self
            .sum_sq
            .checked_mul(U256::from(self.n))
            .zip(a.checked_mul(a))
            .map(|(nss, s2)| nss.saturating_sub(s2).as_f64())
            .unwrap_or_else(|| {
                let (s, ss, nf) = (self.sum as f64, self.sum_sq.as_f64(), self.n as f64);
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
        let [p5, p10, p25, p50, p75, p90, p95] = self.sketch.quantiles(&[0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95]);
        // Sums are of values rounded to 1 / scale, so the mean may pass an
        // exact extreme by half a unit: clamped, a constant is exact.
        let (min, max) = (self.sketch.min(), self.sketch.max());
        let mean = if min <= max {
            m.mean().max(min).min(max)
        } else {
            m.mean()
        };
        Stat {
            mean,
            se: m.se(),
            sd: m.sd(),
            min: self.sketch.min(),
            p5,
            p10,
            p25,
            p50,
            p75,
            p90,
            p95,
            max: self.sketch.max(),
        }
    }
}

/// A count (of villages): exact moments and an exact histogram.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

    /// The exact moments of the counts.
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The count of runs for each value, from 0.
    pub fn counts(&self) -> &[u64] {
        &self.histogram
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
    fn moments_stay_exact_beyond_i64() {
        // 10^17 yuan is 10^19 fen, beyond i64: the old accumulator saturated
        // here (the mean fell below its own P5 and the se read 0).
        let mut m = Moments::new(FEN_PER_YUAN);
        for x in [1e17, 3e17, 2e17, 2e17] {
            m.add(x);
        }
        assert_eq!(m.mean(), 2e17);
        let sd = (2e34f64 / 3.0).sqrt();
        assert!((m.sd() / sd - 1.0).abs() < 1e-12, "{}", m.sd());
        // Mixed magnitudes merge exactly, in any order.
        let (mut a, mut b) = (Moments::new(FEN_PER_YUAN), Moments::new(FEN_PER_YUAN));
        a.add(1e18);
        a.add(0.01);
        b.add(-1e18);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert!((ab.mean() - 0.01 / 3.0).abs() < 1e-15, "{}", ab.mean());
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
