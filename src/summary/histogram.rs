//! Statistics of a histogram of bucket counts (such as a policy's
//! final-year income histogram), with values spread evenly within each
//! bucket: quantiles, the share at or below zero, and the counts again in
//! other bins.

use super::results::Bucket;

/// Value below which a share `q` of the histogram's mass lies, assuming
/// values spread evenly within each bucket.
pub fn hist_quantile(buckets: &[Bucket], q: f64) -> Option<f64> {
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return None;
    }
    let target = q * total as f64;
    let mut cum = 0.0;
    for b in buckets.iter().filter(|b| b.count > 0) {
        let (lo, hi) = bucket_bounds(b)?;
        let next = cum + b.count as f64;
        if next >= target {
            let f = if b.count > 0 {
                ((target - cum) / b.count as f64).clamp(0.0, 1.0)
            } else {
                0.0
            };
            return Some(lo + f * (hi - lo));
        }
        cum = next;
    }
    buckets
        .iter()
        .rev()
        .find(|b| b.count > 0)
        .and_then(bucket_bounds)
        .map(|(_, hi)| hi)
}

/// Finite bounds of a bucket; an unbounded side collapses to the other.
pub fn bucket_bounds(b: &Bucket) -> Option<(f64, f64)> {
    match (b.lo.is_finite(), b.hi.is_finite()) {
        (true, true) => Some((b.lo.min(b.hi), b.lo.max(b.hi))),
        (true, false) => Some((b.lo, b.lo)),
        (false, true) => Some((b.hi, b.hi)),
        (false, false) => None,
    }
}

/// Spreads each bucket's count evenly over its width into `nbins` equal bins
/// from `lo` with width `w`; mass outside goes to the outermost bins. Returns
/// the counts and whether any mass was moved in from outside.
pub fn rebin(buckets: &[Bucket], lo: f64, w: f64, nbins: usize) -> (Vec<f64>, bool) {
    let mut out = vec![0.0; nbins];
    let hi = lo + w * nbins as f64;
    let mut clamped = false;
    let bin_of = |v: f64| (((v - lo) / w).floor().max(0.0) as usize).min(nbins - 1);
    for b in buckets.iter().filter(|b| b.count > 0) {
        let Some((blo, bhi)) = bucket_bounds(b) else {
            continue;
        };
        let c = b.count as f64;
        if blo < lo || bhi > hi {
            clamped = true;
        }
        if bhi <= blo {
            out[bin_of(blo)] += c;
            continue;
        }
        let width = bhi - blo;
        if blo < lo {
            out[0] += c * ((lo.min(bhi) - blo) / width);
        }
        if bhi > hi {
            out[nbins - 1] += c * ((bhi - hi.max(blo)) / width);
        }
        let (a, z) = (blo.max(lo), bhi.min(hi));
        if z > a {
            let (ia, iz) = (bin_of(a), bin_of(z));
            for (k, slot) in out.iter_mut().enumerate().take(iz + 1).skip(ia) {
                let (s, e) = (lo + w * k as f64, lo + w * (k + 1) as f64);
                let overlap = (z.min(e) - a.max(s)).max(0.0);
                *slot += c * overlap / width;
            }
        }
    }
    (out, clamped)
}

/// Spreads each bucket's count evenly over its width into the bins between
/// consecutive `edges` (positive, increasing). Returns the counts, the mass at
/// or below 0 (kept apart), and whether positive mass outside the edges was
/// moved into the outermost bins.
pub fn rebin_log(buckets: &[Bucket], edges: &[f64]) -> (Vec<f64>, f64, bool) {
    let nbins = edges.len() - 1;
    let mut out = vec![0.0; nbins];
    let mut nonpos = 0.0;
    let mut clamped = false;
    let (lo, hi) = (edges[0], edges[nbins]);
    let bin_of = |v: f64| edges[1..].partition_point(|e| *e <= v).min(nbins - 1);
    for b in buckets.iter().filter(|b| b.count > 0) {
        let Some((blo, bhi)) = bucket_bounds(b) else {
            continue;
        };
        let c = b.count as f64;
        if bhi <= blo {
            if blo <= 0.0 {
                nonpos += c;
            } else {
                clamped |= blo < lo || blo > hi;
                out[bin_of(blo)] += c;
            }
            continue;
        }
        let width = bhi - blo;
        if blo < 0.0 {
            nonpos += c * (bhi.min(0.0) - blo) / width;
        }
        let blo = blo.max(0.0);
        if bhi <= blo {
            continue;
        }
        if blo < lo {
            clamped = true;
            out[0] += c * (lo.min(bhi) - blo) / width;
        }
        if bhi > hi {
            clamped = true;
            out[nbins - 1] += c * (bhi - hi.max(blo)) / width;
        }
        let (a, z) = (blo.max(lo), bhi.min(hi));
        if z > a {
            for (k, slot) in out.iter_mut().enumerate().take(bin_of(z) + 1).skip(bin_of(a)) {
                let overlap = (z.min(edges[k + 1]) - a.max(edges[k])).max(0.0);
                *slot += c * overlap / width;
            }
        }
    }
    (out, nonpos, clamped)
}

/// Share (0–1) of a histogram's mass at or below 0, values spread evenly
/// within each bucket.
pub fn nonpositive_share(buckets: &[Bucket]) -> f64 {
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return 0.0;
    }
    let edges = [1.0, 2.0];
    rebin_log(buckets, &edges).1 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_rebin_keeps_mass_and_separates_nonpositive() {
        let buckets = vec![
            Bucket {
                lo: -100.0,
                hi: 100.0,
                count: 10,
            },
            Bucket {
                lo: 100.0,
                hi: 1_000.0,
                count: 30,
            },
            Bucket {
                lo: 1_000.0,
                hi: 100_000.0,
                count: 60,
            },
        ];
        let edges: Vec<f64> = (0..=8).map(|k| 10f64.powf(2.0 + 0.5 * k as f64)).collect();
        let (counts, nonpos, clamped) = rebin_log(&buckets, &edges);
        assert!((nonpos - 5.0).abs() < 1e-9);
        assert!((counts.iter().sum::<f64>() + nonpos - 100.0).abs() < 1e-9);
        assert!(clamped);
    }

    #[test]
    fn rebin_keeps_mass() {
        let buckets = vec![
            Bucket {
                lo: -10.0,
                hi: 0.0,
                count: 10,
            },
            Bucket {
                lo: 0.0,
                hi: 100.0,
                count: 30,
            },
            Bucket {
                lo: 100.0,
                hi: 1000.0,
                count: 5,
            },
        ];
        let (bins, clamped) = rebin(&buckets, -20.0, 10.0, 20);
        assert!(clamped);
        let total: f64 = bins.iter().sum();
        assert!((total - 45.0).abs() < 1e-9, "{total}");
        assert!((bins[1] - 10.0).abs() < 1e-9);
        assert!((bins[2] - 3.0).abs() < 1e-9);
        let median = hist_quantile(&buckets, 0.5).unwrap();
        assert!((median - 100.0 * 12.5 / 30.0).abs() < 1e-9, "{median}");
    }
}
