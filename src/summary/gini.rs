//! The Gini coefficient of one year's village incomes, and the sort it needs.
//!
//! `G = 2 sum_i i x_(i) / (n sum_i x_i) - (n + 1) / n`, with `x_(i)` the
//! incomes sorted ascending and `i` from 1; 0 when they sum to zero or less.
//!
//! Sorting is most of the cost (once per run, year and policy), so
//! [`IncomeSort`] sorts with one counting pass into 4n to 8n buckets, cut
//! evenly along the values' order-preserving bit patterns (roughly evenly
//! in the logarithm of the income), then an insertion sort that only moves
//! values within their bucket. When the values crowd into few buckets and
//! that would take more than [`MOVES_PER_VILLAGE`] moves per village, it
//! falls back to a comparison sort. Either way the sort is exact (a total
//! order on `f64`), so the coefficient is exact up to the rounding of its
//! sums, and the same for any thread count.

/// Moves per village the insertion sort may make before it gives up for a
/// comparison sort (`O(n log n)` whatever the input).
pub const MOVES_PER_VILLAGE: usize = 8;

/// Buffers for sorting one year's incomes.
#[derive(Debug, Default, Clone)]
pub struct IncomeSort {
    sorted: Vec<f64>,
    keys: Vec<u64>,
    sorted_keys: Vec<u64>,
    /// Bucket counts, then each bucket's next slot: `u16`, since a row of
    /// more than `u16::MAX` incomes is sorted by comparison instead.
    counts: Vec<u16>,
}

/// An order-preserving map of `f64` (total order) to `u64`.
#[inline]
fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The inverse of [`key`].
#[inline]
fn value(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

impl IncomeSort {
    /// `row` sorted ascending.
    pub fn sort(&mut self, row: &[f64]) -> &[f64] {
        let n = row.len();
        self.keys.clear();
        self.keys.extend(row.iter().map(|&x| key(x)));
        let (lo, hi) = self
            .keys
            .iter()
            .fold((u64::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)));
        self.sorted.clear();
        if n < 2 || lo == hi {
            self.sorted.extend_from_slice(row);
            return &self.sorted;
        }
        if n > usize::from(u16::MAX) {
            let mut keys = std::mem::take(&mut self.keys);
            keys.sort_unstable();
            self.sorted.extend(keys.iter().map(|&k| value(k)));
            self.keys = keys;
            return &self.sorted;
        }
        // Buckets of width 2^shift over [lo, hi]: between 4n and 8n of them,
        // so that few share a bucket and the insertion sort seldom moves one.
        let span = hi - lo;
        let want = (n as u64).next_power_of_two().trailing_zeros() + 2;
        let shift = (64 - span.leading_zeros()).saturating_sub(want);
        let buckets = (span >> shift) as usize + 1;
        self.counts.clear();
        self.counts.resize(buckets, 0);
        for &k in &self.keys {
            self.counts[((k - lo) >> shift) as usize] += 1;
        }
        // Exclusive prefix sums: the first slot of each bucket.
        let mut first = 0u16;
        for c in self.counts.iter_mut() {
            let here = *c;
            *c = first;
            first += here;
        }
        let mut scattered = std::mem::take(&mut self.sorted_keys);
        scattered.clear();
        scattered.resize(n, 0);
        for &k in &self.keys {
            let slot = &mut self.counts[((k - lo) >> shift) as usize];
            scattered[*slot as usize] = k;
            *slot += 1;
        }
        if !insertion_sort(&mut scattered, MOVES_PER_VILLAGE * n) {
            scattered.sort_unstable();
        }
        self.sorted.extend(scattered.iter().map(|&k| value(k)));
        self.sorted_keys = scattered;
        &self.sorted
    }
}

/// Sorts `values` ascending; false, with `values` left in some
/// permutation, once more than `budget` elements have been moved.
fn insertion_sort(values: &mut [u64], budget: usize) -> bool {
    let mut moved = 0;
    for i in 1..values.len() {
        let x = values[i];
        let mut j = i;
        while j > 0 && values[j - 1] > x {
            values[j] = values[j - 1];
            j -= 1;
        }
        values[j] = x;
        moved += i - j;
        if moved > budget {
            return false;
        }
    }
    true
}

/// The Gini coefficient of incomes sorted ascending (see the module doc).
pub fn gini_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let (total, weighted) = super::lanes::sum_and_rank_weighted(sorted);
    if total <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    (2.0 * weighted / (n * total) - (n + 1.0) / n).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn g(values: &[f64]) -> f64 {
        gini_of_sorted(IncomeSort::default().sort(values))
    }

    #[test]
    fn gini_known_values() {
        assert_eq!(g(&[5.0, 5.0, 5.0]), 0.0);
        assert!((g(&[0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12);
        assert!((g(&[3.0, 1.0, 2.0]) - 2.0 / 9.0).abs() < 1e-12);
        assert_eq!(g(&[]), 0.0);
        assert_eq!(g(&[-1.0, 0.5]), 0.0);
    }

    /// Spread, clustered, tied, negative and reversed lists come out
    /// exactly as a comparison sort puts them.
    #[test]
    fn sorts_exactly() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut sort = IncomeSort::default();
        let mut lists: Vec<Vec<f64>> = vec![
            (0..1000).map(|_| rng.random_range(1e5..1.5e6)).collect(),
            (0..1000).map(|_| (rng.random::<f64>() * 8.0).exp() * 1e4).collect(),
            // Most values in one bucket, one far outlier: the fallback.
            (0..1000)
                .map(|i| if i == 0 { 1e12 } else { 5e5 + rng.random::<f64>() })
                .collect(),
            (0..300).map(|i| f64::from(i % 7)).collect(),
            (0..300).map(|_| rng.random_range(-1e6..1e6)).collect(),
            (0..300).map(|i| -f64::from(i)).collect(),
            vec![0.0, -0.0, 0.0],
            vec![3.0],
        ];
        for (i, list) in lists.iter_mut().enumerate() {
            let mut expected = list.clone();
            expected.sort_by(f64::total_cmp);
            let got: Vec<u64> = sort.sort(list).iter().map(|x| x.to_bits()).collect();
            let want: Vec<u64> = expected.iter().map(|x| x.to_bits()).collect();
            assert_eq!(got, want, "list {i}");
        }
    }
}
