//! A mergeable quantile sketch with a stated relative error.
//!
//! Values are counted in log-spaced buckets taken straight from the bits of
//! an `f64`: the exponent and the top [`MANTISSA_BITS`] bits of the
//! mantissa. A bucket `[lo, hi)` then has `hi / lo <= 1 + 2^-7`, and
//! reporting its midpoint is within [`RELATIVE_ERROR`] (2^-8, 0.39%) of any
//! value in it. Negative values use mirrored buckets; values with magnitude below
//! [`ZERO_BAND`] count as zero. Counts are integers, so merging sketches is
//! exact and independent of order: the same runs give the same sketch
//! whatever the number of threads. Reported quantiles are clamped to the
//! exact minimum and maximum seen, so a quantity without variance is exact.
//!
//! Memory: one `u32` per bucket between the smallest and largest bucket
//! seen, about 180 buckets per factor of e in the range of values; it does
//! not grow with the number of values.

use super::results::Bucket;

/// Mantissa bits kept in the bucket index.
pub const MANTISSA_BITS: u32 = 7;
/// Bound on the relative error of a reported quantile (half a bucket).
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (MANTISSA_BITS + 1)) as f64;
/// Values smaller than this in magnitude are counted as zero.
pub const ZERO_BAND: f64 = 1e-6;

const SHIFT: u32 = 52 - MANTISSA_BITS;

fn base() -> i64 {
    (ZERO_BAND.to_bits() >> SHIFT) as i64
}

/// Bucket index of a value: 0 for (near) zero, positive above, negative below.
#[inline]
pub fn index_of(x: f64) -> i32 {
    let a = x.abs();
    if a < ZERO_BAND || a.is_nan() {
        return 0;
    }
    let k = (a.to_bits() >> SHIFT) as i64 - base() + 1;
    if x > 0.0 {
        k as i32
    } else {
        -(k as i32)
    }
}

/// `[lo, hi)` of the magnitudes in bucket `k > 0`.
fn bounds(k: i32) -> (f64, f64) {
    let bits = |k: i64| f64::from_bits(((k + base() - 1) as u64) << SHIFT);
    (bits(k as i64), bits(k as i64 + 1))
}

/// The value a bucket stands for: its midpoint.
fn representative(k: i32) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let (lo, hi) = bounds(k.abs());
    0.5 * (lo + hi) * f64::from(k.signum())
}

/// Counts of values per log bucket, plus the exact extremes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sketch {
    /// Index of `counts[0]`.
    offset: i32,
    counts: Vec<u32>,
    n: u64,
    min: f64,
    max: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        Self::new()
    }
}

impl Sketch {
    pub fn new() -> Self {
        Sketch {
            offset: 0,
            counts: Vec::new(),
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_index(index_of(x), 1);
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    #[inline]
    fn add_index(&mut self, k: i32, count: u32) {
        let i = k.wrapping_sub(self.offset) as u32 as usize;
        match self.counts.get_mut(i) {
            Some(c) => *c += count,
            None => self.grow_and_add(k, count),
        }
    }

    /// The slow path of [`Sketch::add_index`]: extends the bucket range.
    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, k: i32, count: u32) {
        if self.counts.is_empty() {
            self.offset = k;
            self.counts.push(0);
        }
        if k < self.offset {
            let grow = (self.offset - k) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = k;
        }
        let i = (k - self.offset) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += count;
    }

    /// Reads one count per cache line, to bring the buckets into the cache
    /// before a burst of scattered adds.
    pub fn touch(&self) -> u32 {
        self.counts.iter().step_by(16).fold(0, |acc, c| acc ^ c)
    }

    /// Adds every value of `other` (exact).
    pub fn merge(&mut self, other: &Sketch) {
        for (i, c) in other.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            self.add_index(other.offset + i as i32, *c);
        }
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The `q`-quantile (nearest rank on `q * (n - 1)`), within
    /// [`RELATIVE_ERROR`]; NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        self.quantiles(&[q])[0]
    }

    /// Several quantiles in one pass; `qs` must be ascending.
    pub fn quantiles<const N: usize>(&self, qs: &[f64; N]) -> [f64; N] {
        let mut out = [f64::NAN; N];
        if self.n == 0 {
            return out;
        }
        let mut next = 0;
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            while next < N && seen > (qs[next].clamp(0.0, 1.0) * (self.n - 1) as f64).round() as u64 {
                // max/min rather than clamp: never a panic, even on extremes
                // that are not ordered (no finite value was added).
                out[next] = representative(self.offset + i as i32).max(self.min).min(self.max);
                next += 1;
            }
            if next == N {
                break;
            }
        }
        out[next..].fill(self.max);
        out
    }

    pub fn min(&self) -> f64 {
        self.min
    }

    pub fn max(&self) -> f64 {
        self.max
    }

    /// The non-empty buckets, lowest first, clamped to the extremes.
    pub fn buckets(&self) -> Vec<Bucket> {
        let counts = self.counts.iter().map(|c| u64::from(*c));
        bucket_list(self.offset, counts, self.min, self.max)
    }

    /// The buckets of all `sketches` together (lowest first, clamped to the
    /// extremes), counted in `u64`: a pooled histogram of many villages can
    /// hold more values than one sketch's `u32` counts.
    pub fn pooled_buckets<'a>(sketches: impl Iterator<Item = &'a Sketch> + Clone) -> Vec<Bucket> {
        let used = sketches.clone().filter(|s| !s.counts.is_empty());
        let Some(lo) = used.clone().map(|s| s.offset).min() else {
            return Vec::new();
        };
        let hi = used
            .clone()
            .map(|s| s.offset + s.counts.len() as i32)
            .max()
            .unwrap_or(lo);
        let mut counts = vec![0u64; (hi - lo) as usize];
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in used {
            let start = (s.offset - lo) as usize;
            for (total, c) in counts[start..].iter_mut().zip(&s.counts) {
                *total += u64::from(*c);
            }
            min = min.min(s.min);
            max = max.max(s.max);
        }
        bucket_list(lo, counts.into_iter(), min, max)
    }
}

/// Buckets from counts starting at index `offset`, clamped to `[min, max]`.
fn bucket_list(offset: i32, counts: impl Iterator<Item = u64>, min: f64, max: f64) -> Vec<Bucket> {
    counts
        .enumerate()
        .filter(|(_, c)| *c > 0)
        .map(|(i, count)| {
            let k = offset + i as i32;
            let (lo, hi) = match k {
                0 => (-ZERO_BAND, ZERO_BAND),
                k if k > 0 => bounds(k),
                k => {
                    let (lo, hi) = bounds(-k);
                    (-hi, -lo)
                }
            };
            Bucket {
                lo: lo.max(min),
                hi: hi.min(max).max(lo.max(min)),
                count,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotone_and_tight() {
        let mut previous = i32::MIN;
        for x in [-1e6, -3.0, -1e-3, 0.0, 1e-3, 1.0, 1.001, 2.5, 1e6, 1e9] {
            let k = index_of(x);
            assert!(k >= previous, "{x}");
            previous = k;
            if x.abs() >= ZERO_BAND {
                let r = representative(k);
                assert!(((r - x) / x).abs() <= RELATIVE_ERROR, "{x} -> {r}");
            }
        }
    }

    #[test]
    fn quantiles_within_stated_error() {
        let mut s = Sketch::new();
        let values: Vec<f64> = (1..=10_000).map(|i| i as f64 * 37.0).collect();
        values.iter().for_each(|x| s.add(*x));
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = values[(q * 9_999.0_f64).round() as usize];
            let got = s.quantile(q);
            assert!(
                ((got - exact) / exact).abs() <= RELATIVE_ERROR,
                "q {q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn constant_is_exact_and_merge_is_order_free() {
        let mut a = Sketch::new();
        (0..10).for_each(|_| a.add(123_456.78));
        assert_eq!(a.quantile(0.05), 123_456.78);
        let (mut b, mut c) = (Sketch::new(), Sketch::new());
        [5.0, -2.0, 0.0, 1e6].iter().for_each(|x| b.add(*x));
        [7.0, 3e3].iter().for_each(|x| c.add(*x));
        let mut bc = b.clone();
        bc.merge(&c);
        let mut cb = c.clone();
        cb.merge(&b);
        assert_eq!(bc, cb);
        assert_eq!(bc.count(), 6);
        assert_eq!(bc.quantile(0.0), -2.0);
    }

    #[test]
    fn pooled_buckets_equal_merged_buckets() {
        let (mut a, mut b) = (Sketch::new(), Sketch::new());
        [5.0, 7.0, 1e6].iter().for_each(|x| a.add(*x));
        [-3.0, 7.0, 0.0].iter().for_each(|x| b.add(*x));
        let mut merged = a.clone();
        merged.merge(&b);
        let empty = Sketch::new();
        assert_eq!(Sketch::pooled_buckets([&a, &empty, &b].into_iter()), merged.buckets());
        assert!(Sketch::pooled_buckets([&empty].into_iter()).is_empty());
    }

    #[test]
    fn quantiles_never_panic() {
        // Only NaN added: the extremes stay unordered (inf, -inf).
        let mut s = Sketch::new();
        s.add(f64::NAN);
        let _ = s.quantiles(&[0.05, 0.5, 0.95]);
    }
}
