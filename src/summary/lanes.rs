//! Float sums over four interleaved lanes.
//!
//! `sum(x) = (s0 + s1) + (s2 + s3)`, `s_k = x[k] + x[k + 4] + ...` (each
//! lane left to right). The order is fixed by the data alone, so the result
//! is the same on every machine and for any thread count, and each lane's
//! chain of additions is a quarter as long as a left-to-right sum's: the
//! processor overlaps the four (a sum of the 1,000 incomes of a county's
//! year took four additions' latency per income). The rounding error is no
//! larger than a left-to-right sum's bound.

/// Sums `values` over four lanes (see the module doc).
///
/// # Examples
///
/// ```
/// use villagesim::summary::lanes::sum;
/// assert_eq!(sum(&[1.0, 2.0, 3.0, 4.0, 5.0]), 15.0);
/// assert_eq!(sum(&[]), 0.0);
/// ```
#[inline]
pub fn sum(values: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    let mut quads = values.chunks_exact(4);
    for q in &mut quads {
        for k in 0..4 {
            s[k] += q[k];
        }
    }
    for (k, x) in quads.remainder().iter().enumerate() {
        s[k] += x;
    }
    (s[0] + s[1]) + (s[2] + s[3])
}

/// `(sum_i x_i, sum_i (i + 1) x_i)` over four lanes, each lane's weights
/// counted in `f64` (exact below 2^53 values).
#[inline]
pub fn sum_and_rank_weighted(values: &[f64]) -> (f64, f64) {
    let (mut s, mut w) = ([0.0f64; 4], [0.0f64; 4]);
    let mut rank = [1.0, 2.0, 3.0, 4.0];
    let mut quads = values.chunks_exact(4);
    for q in &mut quads {
        for k in 0..4 {
            s[k] += q[k];
            w[k] += rank[k] * q[k];
            rank[k] += 4.0;
        }
    }
    for (k, x) in quads.remainder().iter().enumerate() {
        s[k] += x;
        w[k] += rank[k] * x;
    }
    ((s[0] + s[1]) + (s[2] + s[3]), (w[0] + w[1]) + (w[2] + w[3]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_on_whole_numbers() {
        let values: Vec<f64> = (1..=1001).map(f64::from).collect();
        assert_eq!(sum(&values), 501_501.0);
        let (s, w) = sum_and_rank_weighted(&values);
        assert_eq!(s, 501_501.0);
        // sum i^2 for i = 1..=1001.
        assert_eq!(w, (1001.0 * 1002.0 * 2003.0) / 6.0);
        for n in 0..9 {
            let v: Vec<f64> = (0..n).map(|i| f64::from(i) * 0.5).collect();
            let plain: f64 = v.iter().sum();
            assert_eq!(sum(&v), plain, "{n} values");
        }
    }
}
