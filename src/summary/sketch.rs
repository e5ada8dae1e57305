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
//! Memory: while a sketch holds few values, 4 bytes a value; then one byte
//! per bucket between the smallest and largest bucket seen (about 180
//! buckets per factor of e in the range of values), two from the first
//! count past 255; it does not grow with the number of values once the
//! range is seen.

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
///
/// Stored compactly, without changing what it reports: while it holds few
/// values, their bucket indices as a list (4 bytes a value, in the same
/// buffer the counts take later); once dense
/// counts over the range of buckets seen would take no more room, one byte
/// per bucket (`low`), a second byte per bucket (`high`) from the first
/// count past 255, and the multiples of 2^16 of any count past 65,535 in a
/// short side list. Two sketches of the same values are equal (`==`)
/// whatever their storage.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    /// Whether `low` holds counts; before, it holds the bucket index of
    /// each value (unsorted, 4 bytes each, little-endian).
    dense: bool,
    /// Index of `low[0]` (when dense).
    offset: i32,
    /// Counts modulo 2^8 (when dense).
    low: Vec<u8>,
    /// The higher digits of the counts, from the first count past 255.
    wide: Option<Box<Wide>>,
    n: u64,
    min: f64,
    max: f64,
}

/// The digits of a sketch's counts beyond their lowest byte.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Wide {
    /// Counts divided by 2^8, modulo 2^8: as long as `Sketch::low`.
    high: Vec<u8>,
    /// `(i, c)`: the count of bucket `offset + i` has `c` multiples of 2^16
    /// beyond `low` and `high`; sorted by `i`.
    carries: Vec<(u32, u32)>,
}

impl Default for Sketch {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for Sketch {
    fn eq(&self, other: &Sketch) -> bool {
        self.n == other.n
            && self.min.to_bits() == other.min.to_bits()
            && self.max.to_bits() == other.max.to_bits()
            && self.nonzero().eq(other.nonzero())
    }
}

/// The most values for which [`Sketch::expect_values`] sizes the list at
/// once (256 bytes). For more, the list grows by halves as before: a
/// village-year's values spread over some 500 to 800 buckets, so its list
/// turns into dense counts at about 100 to 150 values, and a reservation
/// held by every cell until then would raise the peak memory.
pub const EXPECTED_VALUES: usize = 64;

/// The longest list of indices whose quantiles are found on the stack.
const SMALL_ON_STACK: usize = 256;

/// Empty buckets added beyond a new extreme when the range widens.
const SPARE_BUCKETS: usize = 8;

impl Sketch {
    pub fn new() -> Self {
        Sketch {
            dense: false,
            offset: 0,
            low: Vec::new(),
            wide: None,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    /// Makes room at once for the list of an empty sketch that is to take
    /// `values` values, when they are at most [`EXPECTED_VALUES`], instead
    /// of growing it by halves: what it reports is unchanged.
    pub fn expect_values(&mut self, values: usize) {
        if values <= EXPECTED_VALUES && self.n == 0 && !self.dense && self.low.capacity() == 0 {
            self.low.reserve_exact(4 * values);
        }
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let k = index_of(x);
        let i = k.wrapping_sub(self.offset) as u32 as usize;
        match self.low.get_mut(i) {
            Some(c) if self.dense && *c < u8::MAX => *c += 1,
            _ => self.add_slow(k, 1),
        }
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Every path of adding `count` values to bucket `k` but the common one.
    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, k: i32, count: u64) {
        if !self.dense {
            if count == 1 && !self.small_is_full() {
                // Half as much again, not twice: the list is most of a
                // small sketch's memory.
                let len = self.low.len();
                if len == self.low.capacity() {
                    // Whole indices of 4 bytes.
                    self.low.reserve_exact((len / 2).max(16) & !3);
                }
                self.low.extend_from_slice(&k.to_le_bytes());
                return;
            }
            self.densify(k);
        }
        if k < self.offset {
            // A few buckets of room beyond the new one, not twice the range:
            // ranges widen slowly, by a bucket or two at a time.
            let grow = (self.offset - k) as usize + SPARE_BUCKETS;
            self.low.reserve_exact(grow);
            self.low.splice(0..0, std::iter::repeat_n(0, grow));
            if let Some(w) = &mut self.wide {
                w.high.reserve_exact(grow);
                w.high.splice(0..0, std::iter::repeat_n(0, grow));
                w.carries.iter_mut().for_each(|(i, _)| *i += grow as u32);
            }
            self.offset = k - SPARE_BUCKETS as i32;
        }
        let i = (k - self.offset) as usize;
        if i >= self.low.len() {
            let len = i + 1 + SPARE_BUCKETS;
            self.low.reserve_exact(len - self.low.len());
            self.low.resize(len, 0);
            if let Some(w) = &mut self.wide {
                w.high.reserve_exact(len - w.high.len());
                w.high.resize(len, 0);
            }
        }
        self.set(i, self.get(i) + count);
    }

    /// The count of bucket `offset + i`, which must be in range.
    fn get(&self, i: usize) -> u64 {
        let low = u64::from(self.low[i]);
        let Some(w) = &self.wide else {
            return low;
        };
        let carried = match w.carries.binary_search_by_key(&(i as u32), |c| c.0) {
            Ok(at) => u64::from(w.carries[at].1),
            Err(_) => 0,
        };
        low | u64::from(w.high[i]) << 8 | carried << 16
    }

    /// Sets the count of bucket `offset + i`, which must be in range.
    fn set(&mut self, i: usize, count: u64) {
        self.low[i] = count as u8;
        if count < 256 && self.wide.is_none() {
            return;
        }
        let len = self.low.len();
        let w = self.wide.get_or_insert_with(|| {
            Box::new(Wide {
                high: vec![0; len],
                carries: Vec::new(),
            })
        });
        w.high[i] = (count >> 8) as u8;
        let carried = (count >> 16) as u32;
        match w.carries.binary_search_by_key(&(i as u32), |c| c.0) {
            Ok(at) => w.carries[at].1 = carried,
            Err(at) if carried > 0 => w.carries.insert(at, (i as u32, carried)),
            Err(_) => {}
        }
    }

    /// Whether the list of indices should give way to dense counts: when it
    /// is about to reallocate and dense counts over its range (a byte a
    /// bucket) would take no more room than it would after (4 bytes a value,
    /// half as many values again).
    fn small_is_full(&self) -> bool {
        let len = self.low.len() / 4;
        if self.low.len() < self.low.capacity() || len < 16 {
            return false;
        }
        let (lo, hi) = self
            .small()
            .fold((i32::MAX, i32::MIN), |(a, b), k| (a.min(k), b.max(k)));
        ((hi - lo) as usize) < 6 * len
    }

    /// The bucket indices of the list (empty when dense).
    fn small(&self) -> impl Iterator<Item = i32> + Clone + '_ {
        let list = if self.dense { &[][..] } else { &self.low[..] };
        list.chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Moves the list of indices into dense counts, over a range that holds
    /// bucket `next` too.
    fn densify(&mut self, next: i32) {
        let (lo, hi) = self.small().fold((next, next), |(a, b), k| (a.min(k), b.max(k)));
        let small: Vec<i32> = self.small().collect();
        self.dense = true;
        self.offset = lo;
        self.low = vec![0; (hi - lo) as usize + 1];
        for k in small {
            let i = (k - lo) as usize;
            match self.low[i].checked_add(1) {
                Some(c) => self.low[i] = c,
                None => self.set(i, self.get(i) + 1),
            }
        }
    }

    /// The non-empty buckets, lowest first: `(index, count)`.
    fn nonzero(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        let mut sorted: Vec<i32> = self.small().collect();
        sorted.sort_unstable();
        let small = sorted
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u64))
            .collect::<Vec<_>>();
        let (high, carries) = match &self.wide {
            Some(w) => (&w.high[..], &w.carries[..]),
            None => (&[][..], &[][..]),
        };
        let mut carries = carries.iter().peekable();
        let counts = if self.dense { &self.low[..] } else { &[][..] };
        let dense = counts.iter().enumerate().filter_map(move |(i, &c)| {
            let high = high.get(i).map_or(0, |&h| u64::from(h));
            let carried = carries
                .next_if(|(at, _)| *at as usize == i)
                .map_or(0, |(_, c)| u64::from(*c));
            let total = u64::from(c) | high << 8 | carried << 16;
            (total > 0).then_some((self.offset + i as i32, total))
        });
        small.into_iter().chain(dense)
    }

    /// Reads one count per cache line, to bring the buckets into the cache
    /// before a burst of scattered adds.
    pub fn touch(&self) -> u8 {
        let counts = if self.dense { &self.low[..] } else { &[][..] };
        counts.iter().step_by(64).fold(0, |acc, c| acc ^ c)
    }

    /// Adds every value of `other` (exact).
    pub fn merge(&mut self, other: &Sketch) {
        if !other.dense && !self.dense {
            for k in other.small() {
                self.add_slow(k, 1);
            }
        } else {
            for (k, c) in other.nonzero() {
                self.add_slow(k, c);
            }
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
    ///
    /// Quantile `q` is the bucket of the value of rank `round(q (n - 1))`
    /// (from 0), clamped to the extremes. Plain one-byte counts (the common
    /// storage) are walked in blocks whose sums skip them whole: the cost of
    /// finishing a cell, which at 20,000 villages is paid per cell whatever
    /// the runs.
    pub fn quantiles<const N: usize>(&self, qs: &[f64; N]) -> [f64; N] {
        let mut out = [f64::NAN; N];
        if self.n == 0 || N == 0 {
            return out;
        }
        let ranks = qs.map(|q| (q.clamp(0.0, 1.0) * (self.n - 1) as f64).round() as u64);
        // max/min rather than clamp: never a panic, even on extremes that
        // are not ordered (no finite value was added).
        let pick = |k: i32| representative(k).max(self.min).min(self.max);
        let mut next = 0;
        let mut seen = 0u64;
        if self.dense && self.wide.is_none() {
            const BLOCK: usize = 32;
            for (b, block) in self.low.chunks(BLOCK).enumerate() {
                let sum: u64 = block.iter().map(|&c| u64::from(c)).sum();
                if seen + sum <= ranks[next] {
                    seen += sum;
                    continue;
                }
                for (j, &c) in block.iter().enumerate() {
                    seen += u64::from(c);
                    while next < N && seen > ranks[next] {
                        out[next] = pick(self.offset + (b * BLOCK + j) as i32);
                        next += 1;
                    }
                }
                if next == N {
                    break;
                }
            }
        } else if !self.dense && self.low.len() <= 4 * SMALL_ON_STACK {
            // A short list: its indices sorted on the stack, rank r is the
            // r-th of them.
            let mut sorted = [0i32; SMALL_ON_STACK];
            let len = self.low.len() / 4;
            for (slot, k) in sorted.iter_mut().zip(self.small()) {
                *slot = k;
            }
            let sorted = &mut sorted[..len];
            sorted.sort_unstable();
            for (q, &rank) in out.iter_mut().zip(&ranks) {
                *q = pick(sorted[(rank as usize).min(len - 1)]);
            }
            return out;
        } else {
            for (k, c) in self.nonzero() {
                seen += c;
                while next < N && seen > ranks[next] {
                    out[next] = pick(k);
                    next += 1;
                }
                if next == N {
                    break;
                }
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

    /// Bytes held on the heap (for the memory estimate and its tests).
    pub fn heap_bytes(&self) -> usize {
        let wide = self
            .wide
            .as_ref()
            .map_or(0, |w| size_of::<Wide>() + w.high.capacity() + w.carries.capacity() * 8);
        self.low.capacity() + wide
    }

    /// The non-empty buckets, lowest first, clamped to the extremes.
    pub fn buckets(&self) -> Vec<Bucket> {
        bucket_list(self.nonzero(), self.min, self.max)
    }

    /// The buckets of all `sketches` together (lowest first, clamped to the
    /// extremes), counted in `u64`.
    pub fn pooled_buckets<'a>(sketches: impl Iterator<Item = &'a Sketch> + Clone) -> Vec<Bucket> {
        let used = sketches.filter(|s| s.n > 0);
        let Some((lo, hi)) = used
            .clone()
            .filter_map(Sketch::index_range)
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        else {
            return Vec::new();
        };
        let mut counts = vec![0u64; (hi - lo) as usize + 1];
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in used {
            for (k, c) in s.nonzero() {
                counts[(k - lo) as usize] += c;
            }
            min = min.min(s.min);
            max = max.max(s.max);
        }
        let pairs = counts.into_iter().enumerate().map(|(i, c)| (lo + i as i32, c));
        bucket_list(pairs, min, max)
    }

    /// The lowest and highest bucket index held, if any.
    fn index_range(&self) -> Option<(i32, i32)> {
        if !self.dense {
            let first = self.small().next()?;
            Some(self.small().fold((first, first), |(a, b), k| (a.min(k), b.max(k))))
        } else {
            Some((self.offset, self.offset + self.low.len() as i32 - 1))
        }
    }
}

/// Buckets from `(index, count)` pairs, clamped to `[min, max]`.
fn bucket_list(counts: impl Iterator<Item = (i32, u64)>, min: f64, max: f64) -> Vec<Bucket> {
    counts
        .filter(|(_, c)| *c > 0)
        .map(|(k, count)| {
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

    /// Whatever the storage (a short list, dense counts, counts past
    /// `u16::MAX`) and however the values are split and merged, a sketch
    /// reports the same as one that counted every value in `u64`.
    #[test]
    fn storage_does_not_change_what_is_reported() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let cases: Vec<Vec<f64>> = vec![
            (0..10).map(|_| rng.random_range(1e5..2e5)).collect(),
            // Short lists over a few hundred buckets and over thousands,
            // with negatives and zero.
            (0..50).map(|_| rng.random_range(1e5..1.5e6)).collect(),
            (0..50).map(|_| (rng.random::<f64>() * 20.0 - 10.0).exp()).collect(),
            (0..40).map(|i| f64::from(i % 7 - 3) * 1e4).collect(),
            (0..5_000).map(|_| rng.random_range(1e5..1.5e6)).collect(),
            (0..3_000).map(|_| (rng.random::<f64>() * 20.0 - 10.0).exp()).collect(),
            // One bucket past 2^16 (twice), others past 2^8, a few around.
            (0..140_000)
                .map(|i| {
                    if i % 1000 == 0 {
                        f64::from(i)
                    } else if i % 3 == 0 {
                        9.0 + f64::from(i % 5)
                    } else {
                        7.0
                    }
                })
                .collect(),
        ];
        for (case, values) in cases.iter().enumerate() {
            let mut reference = std::collections::BTreeMap::<i32, u64>::new();
            values
                .iter()
                .for_each(|&x| *reference.entry(index_of(x)).or_default() += 1);
            let mut whole = Sketch::new();
            values.iter().for_each(|&x| whole.add(x));
            let got: Vec<(i32, u64)> = whole.nonzero().collect();
            assert_eq!(got, reference.clone().into_iter().collect::<Vec<_>>(), "case {case}");
            // Split three ways, merged in two orders.
            let mut parts = [Sketch::new(), Sketch::new(), Sketch::new()];
            values.iter().enumerate().for_each(|(i, &x)| parts[i % 3].add(x));
            let mut abc = parts[0].clone();
            abc.merge(&parts[1]);
            abc.merge(&parts[2]);
            let mut cba = parts[2].clone();
            cba.merge(&parts[1]);
            cba.merge(&parts[0]);
            assert_eq!(abc, whole, "case {case}");
            assert_eq!(cba, whole, "case {case}");
            let qs = [0.0, 0.05, 0.5, 0.95, 1.0];
            assert_eq!(abc.quantiles(&qs), whole.quantiles(&qs));
            // The walk over plain counts (blocks skipped by their sums)
            // picks the bucket of each rank, as a walk over u64 counts.
            let ranks = qs.map(|q| (q * (values.len() - 1) as f64).round() as u64);
            let want = ranks.map(|rank| {
                let mut seen = 0;
                let k = (reference.iter()).find(|&(_, &c)| {
                    seen += c;
                    seen > rank
                });
                representative(*k.expect("a bucket").0).max(whole.min).min(whole.max)
            });
            assert_eq!(whole.quantiles(&qs), want, "case {case}");
            assert_eq!(Sketch::pooled_buckets(parts.iter()), whole.buckets());
        }
    }

    /// A few values take 4 bytes each, many values 2 bytes per bucket.
    #[test]
    fn storage_is_compact() {
        let mut s = Sketch::new();
        (0..50).for_each(|i| s.add(1e5 * (1.0 + f64::from(i) / 50.0)));
        assert!(s.heap_bytes() <= 64 * 4, "{}", s.heap_bytes());
        (0..100_000).for_each(|i| s.add(1e5 * (1.0 + f64::from(i % 1000) / 1000.0)));
        // 1e5 to 2e5 is 128 buckets, counts past 255: 2 bytes a bucket.
        assert!(s.heap_bytes() <= 2 * 2 * 130, "{}", s.heap_bytes());
        let mut few = Sketch::new();
        (0..2000).for_each(|i| few.add(1e5 * (1.0 + f64::from(i % 1000) / 1000.0)));
        // Counts below 256: a byte a bucket.
        assert!(few.heap_bytes() <= 2 * 130, "{}", few.heap_bytes());
    }
}
