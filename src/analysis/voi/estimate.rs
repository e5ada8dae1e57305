//! The estimators of `villagesim voi`, on the runs of one simulation:
//! `nb[d][i]` is the net benefit of decision `d` (a policy) in run `i`
//! (higher is better, in the objective's units) and `x[i]` one uncertain
//! input's value in run `i`.
//!
//! **EVPI** (the expected value of perfect information):
//!
//! ```text
//! EVPI = E[max_d NB_d] - max_d E[NB_d]
//!      ≈ (1/n) Σ_i (max_d nb[d][i] - nb[d*][i]),   d* = argmax_d mean_i nb[d][i]
//! ```
//!
//! with the standard error of a mean over the runs, `sd / sqrt(n)` of the
//! per-run regret `max_d nb[d][i] - nb[d*][i]` ([`evpi`]).
//!
//! **EVPPI** of one input `X` (the expected value of perfect information
//! on `X` alone):
//!
//! ```text
//! EVPPI(X) = E_X[max_d E[NB_d | X]] - max_d E[NB_d]
//! ```
//!
//! estimated by the regression method of Strong, Oakley and Brennan
//! (2014), "Estimating multiparameter partial expected value of perfect
//! information from a probabilistic sensitivity analysis sample: a
//! nonparametric regression approach", *Medical Decision Making* 34(3),
//! 311–326 ([`evppi`]):
//!
//! 1. The incremental net benefits `y_d[i] = nb[d][i] - nb[d*][i]` (every
//!    `d ≠ d*`) are regressed on `X` by least squares; the fitted values
//!    `g_d[i]` estimate `E[NB_d - NB_d* | X = x_i]`.
//! 2. `EVPPI ≈ (1/n) Σ_i max(0, max_d g_d[i]) - max(0, max_d mean_i g_d[i])`
//!    (the second term is 0: with an intercept the fitted values average
//!    to the mean of `y_d`, which is at most 0 by the choice of `d*`).
//!
//! The regression (where the method lets the analyst choose, our choice):
//! an input with at most [`MAX_LEVELS`] distinct values (and at least
//! [`MIN_RUNS_PER_LEVEL`] runs per value on average) gets one mean per
//! value (the exact conditional mean of the sample); otherwise a
//! piecewise-linear function of the input's rank `u = (rank + 1/2) / n`,
//! continuous, with `K` equal pieces on the rank scale, `K = ⌊n^(1/3)⌋`
//! clamped to 2..[`MAX_PIECES`] (the basis `1, u, (u - j/K)₊` for `j = 1 ..
//! K-1`). Ranks make the fit indifferent to the input's scale and put as
//! many runs in every piece; the conditional mean of any monotone
//! function of `X` is that of `X`. This is a regression spline of degree
//! 1 in the place of the paper's generalised additive model.
//!
//! **Standard error.** Two parts, added in quadrature: the regression's
//! (as in the paper, section 2.4: the coefficients drawn [`DRAWS`] times
//! from their approximate sampling distribution, matrix normal with
//! covariance `Σ_r ⊗ (XᵀX)⁻¹`, `Σ_r` the residual covariance between the
//! decisions, and the estimate recomputed for each draw; its standard
//! deviation) and the sample's (`sd / sqrt(n)` of `max(0, max_d g_d[i])`
//! over the runs, which the paper's measure leaves out). The estimator
//! is biased upwards by noise in the fit (a maximum of noisy means), by
//! about the size of the first part; an input that cannot change the
//! decision gets a value within about two standard errors of 0.
//!
//! The draws are made with a generator seeded from the run's seed and the
//! input's name, so the figures are the same on every machine.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Inputs with at most this many distinct values in the runs get one mean
/// per value.
pub const MAX_LEVELS: usize = 12;
/// Runs per value, on average, below which an input with few values is
/// fitted piecewise-linearly rather than one mean per value.
pub const MIN_RUNS_PER_LEVEL: usize = 5;
/// Most pieces of the piecewise-linear fit.
pub const MAX_PIECES: usize = 8;
/// Draws of the regression coefficients for the standard error.
pub const DRAWS: usize = 200;
/// Most design rows each draw is evaluated on (evenly spaced in rank, each
/// standing for as many runs): enough for a standard error, not for the
/// estimate, which uses every run.
const DRAW_ROWS: usize = 2_000;

/// An estimate and its standard error, in the objective's units.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Estimate {
    pub value: f64,
    pub se: f64,
}

/// How the conditional expectation was fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Fit {
    /// The input took one value in every run: nothing to learn.
    Constant,
    /// One mean per distinct value (this many).
    Levels(usize),
    /// Piecewise linear in the rank, this many pieces.
    Pieces(usize),
}

impl Fit {
    /// As `voi.csv` writes it: `constant`, `levels:3`, `pieces:8`.
    pub fn label(self) -> String {
        match self {
            Fit::Constant => "constant".into(),
            Fit::Levels(k) => format!("levels:{k}"),
            Fit::Pieces(k) => format!("pieces:{k}"),
        }
    }
}

/// The EVPPI of one input.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Partial {
    pub evppi: Estimate,
    /// The share of runs in which the input's value, once known, makes
    /// another decision better than `d*` (by the fitted conditional means).
    pub switch_share: f64,
    pub fit: Fit,
}

/// The decision with the largest mean net benefit (the first on a tie).
pub fn best_on_average(nb: &[Vec<f64>]) -> usize {
    let means: Vec<f64> = nb.iter().map(|v| mean(v)).collect();
    let mut best = 0;
    for (d, m) in means.iter().enumerate() {
        if *m > means[best] {
            best = d;
        }
    }
    best
}

/// The EVPI with its standard error, and the share of runs in which each
/// decision is the best (the first best on a tie).
pub fn evpi(nb: &[Vec<f64>]) -> (Estimate, Vec<f64>) {
    let n = nb.first().map_or(0, Vec::len);
    let best = best_on_average(nb);
    let mut wins = vec![0usize; nb.len()];
    let regret: Vec<f64> = (0..n)
        .map(|i| {
            // The chosen decision keeps a tie.
            let mut top = best;
            for d in 0..nb.len() {
                if nb[d][i] > nb[top][i] {
                    top = d;
                }
            }
            wins[top] += 1;
            nb[top][i] - nb[best][i]
        })
        .collect();
    let shares = wins.iter().map(|w| *w as f64 / n.max(1) as f64).collect();
    (mean_and_se(&regret), shares)
}

/// The EVPPI of the input whose value in run `i` is `x[i]`; `seed` seeds
/// the draws of the standard error.
///
/// # Panics
///
/// When `x` and the decisions' runs differ in length.
pub fn evppi(x: &[f64], nb: &[Vec<f64>], seed: u64) -> Partial {
    let n = x.len();
    assert!(nb.iter().all(|v| v.len() == n), "one value per run");
    let best = best_on_average(nb);
    let ys: Vec<Vec<f64>> = (0..nb.len())
        .filter(|d| *d != best)
        .map(|d| (0..n).map(|i| nb[d][i] - nb[best][i]).collect())
        .collect();
    let zero = |fit| Partial {
        evppi: Estimate::default(),
        switch_share: 0.0,
        fit,
    };
    if ys.is_empty() || n < 2 {
        return zero(Fit::Constant);
    }
    let Some((design, fit)) = Design::of(x) else {
        return zero(Fit::Constant);
    };
    let Some(reg) = Regression::fit(&design, &ys) else {
        return zero(fit);
    };
    let gain: Vec<f64> = (0..n).map(|i| positive_max(&reg.fitted, i)).collect();
    let at_mean = (reg.fitted.iter().map(|g| mean(g))).fold(0.0_f64, f64::max).max(0.0);
    let sample = mean_and_se(&gain);
    let value = sample.value - at_mean;
    let fit_se = reg.draw_se(&design, seed);
    Partial {
        evppi: Estimate {
            value,
            se: (fit_se * fit_se + sample.se * sample.se).sqrt(),
        },
        switch_share: gain.iter().filter(|g| **g > 0.0).count() as f64 / n as f64,
        fit,
    }
}

/// `max(0, max_d g_d[i])`.
fn positive_max(g: &[Vec<f64>], i: usize) -> f64 {
    g.iter().map(|g| g[i]).fold(0.0, f64::max)
}

/// The regressors of every run.
struct Design {
    /// `rows[i]`: the regressors of run `i`.
    rows: Vec<Vec<f64>>,
    /// Runs in the order of the input's value (for evenly spaced draws).
    order: Vec<usize>,
}

impl Design {
    /// The design for input values `x`; `None` when `x` is constant.
    fn of(x: &[f64]) -> Option<(Design, Fit)> {
        let n = x.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
        // Average ranks, ties sharing theirs, and the distinct values.
        let mut rank = vec![0.0; n];
        let mut level = vec![0usize; n];
        let mut levels = 0;
        let mut start = 0;
        while start < n {
            let mut end = start + 1;
            while end < n && x[order[end]] == x[order[start]] {
                end += 1;
            }
            let r = (start + end - 1) as f64 / 2.0;
            for &i in &order[start..end] {
                rank[i] = (r + 0.5) / n as f64;
                level[i] = levels;
            }
            levels += 1;
            start = end;
        }
        if levels < 2 {
            return None;
        }
        // One mean per value when every value has, on average, at least
        // MIN_RUNS_PER_LEVEL runs: otherwise the means would fit the noise.
        if levels <= MAX_LEVELS && n >= MIN_RUNS_PER_LEVEL * levels {
            let rows = (0..n)
                .map(|i| (0..levels).map(|k| f64::from(u8::from(level[i] == k))).collect())
                .collect();
            return Some((Design { rows, order }, Fit::Levels(levels)));
        }
        let pieces = ((n as f64).cbrt().floor() as usize).clamp(2, MAX_PIECES);
        let rows = (0..n)
            .map(|i| {
                let u = rank[i];
                let mut row = vec![1.0, u];
                row.extend((1..pieces).map(|j| (u - j as f64 / pieces as f64).max(0.0)));
                row
            })
            .collect();
        Some((Design { rows, order }, Fit::Pieces(pieces)))
    }
}

/// A least-squares fit of every incremental net benefit on one design.
struct Regression {
    /// `coef[d]`: the coefficients of response `d`.
    coef: Vec<Vec<f64>>,
    fitted: Vec<Vec<f64>>,
    /// The lower Cholesky factor of `XᵀX`.
    chol: Vec<Vec<f64>>,
    /// A factor `C` of the residual covariance, `Σ_r = C Cᵀ`.
    resid_factor: Vec<Vec<f64>>,
}

impl Regression {
    fn fit(design: &Design, ys: &[Vec<f64>]) -> Option<Regression> {
        let n = design.rows.len();
        let p = design.rows[0].len();
        let mut xtx = vec![vec![0.0; p]; p];
        let mut xty = vec![vec![0.0; p]; ys.len()];
        for (i, row) in design.rows.iter().enumerate() {
            for a in 0..p {
                if row[a] == 0.0 {
                    continue;
                }
                for b in 0..=a {
                    xtx[a][b] += row[a] * row[b];
                }
                for (d, y) in ys.iter().enumerate() {
                    xty[d][a] += row[a] * y[i];
                }
            }
        }
        mirror_lower(&mut xtx);
        let chol = cholesky(&xtx, false)?;
        let coef: Vec<Vec<f64>> = xty.iter().map(|b| solve_spd(&chol, b)).collect();
        let fitted: Vec<Vec<f64>> = coef
            .iter()
            .map(|c| design.rows.iter().map(|row| dot(row, c)).collect())
            .collect();
        let k = ys.len();
        let dof = n.saturating_sub(p).max(1) as f64;
        let mut cov = vec![vec![0.0; k]; k];
        for i in 0..n {
            for a in 0..k {
                let ra = ys[a][i] - fitted[a][i];
                for b in 0..=a {
                    cov[a][b] += ra * (ys[b][i] - fitted[b][i]) / dof;
                }
            }
        }
        mirror_lower(&mut cov);
        let resid_factor = cholesky(&cov, true)?;
        Some(Regression {
            coef,
            fitted,
            chol,
            resid_factor,
        })
    }

    /// The standard deviation of the estimate over draws of the
    /// coefficients, `B = B̂ + R⁻ᵀ Z Cᵀ` (`XᵀX = R Rᵀ`, `Z` standard
    /// normal), evaluated on at most [`DRAW_ROWS`] runs evenly spaced in
    /// the input's order.
    fn draw_se(&self, design: &Design, seed: u64) -> f64 {
        let (p, k) = (self.chol.len(), self.coef.len());
        let n = design.order.len();
        let step = n.div_ceil(DRAW_ROWS).max(1);
        let rows: Vec<&Vec<f64>> = (design.order.iter().step_by(step)).map(|i| &design.rows[*i]).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut values = Vec::with_capacity(DRAWS);
        for _ in 0..DRAWS {
            // Columns of Z pushed through R⁻ᵀ: independent draws with
            // covariance (XᵀX)⁻¹, mixed across the decisions by C.
            let w: Vec<Vec<f64>> = (0..k)
                .map(|_| {
                    let z: Vec<f64> = (0..p).map(|_| StandardNormal.sample(&mut rng)).collect();
                    solve_upper_transposed(&self.chol, &z)
                })
                .collect();
            let coef: Vec<Vec<f64>> = (0..k)
                .map(|d| {
                    (0..p)
                        .map(|a| self.coef[d][a] + (0..k).map(|e| self.resid_factor[d][e] * w[e][a]).sum::<f64>())
                        .collect()
                })
                .collect();
            let mut total = 0.0;
            let mut at_mean = vec![0.0; k];
            for row in &rows {
                let mut top = 0.0_f64;
                for (d, c) in coef.iter().enumerate() {
                    let g = dot(row, c);
                    at_mean[d] += g;
                    top = top.max(g);
                }
                total += top;
            }
            let m = rows.len() as f64;
            let at_mean = at_mean.iter().fold(0.0_f64, |a, s| a.max(s / m));
            values.push(total / m - at_mean);
        }
        mean_and_se(&values).se * (DRAWS as f64).sqrt()
    }
}

/// Copies the lower triangle of a square matrix onto its upper one.
#[allow(clippy::needless_range_loop)] // a matrix read by row and column
fn mirror_lower(m: &mut [Vec<f64>]) {
    for a in 0..m.len() {
        for b in 0..a {
            m[b][a] = m[a][b];
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The mean of `v` and its standard error (`sd / sqrt(n)`, sd with `n-1`).
pub(crate) fn mean_and_se(v: &[f64]) -> Estimate {
    let n = v.len();
    let m = mean(v);
    if n < 2 {
        return Estimate { value: m, se: 0.0 };
    }
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
    Estimate {
        value: m,
        se: (var / n as f64).sqrt(),
    }
}

/// The lower Cholesky factor `L` of a symmetric matrix, `A = L Lᵀ`. With
/// `semidefinite`, a pivot at or below the round-off of the largest
/// diagonal makes its column zero (a positive semi-definite `A`, such as
/// the covariance of two equal responses); without, it fails (`None`).
fn cholesky(a: &[Vec<f64>], semidefinite: bool) -> Option<Vec<Vec<f64>>> {
    let p = a.len();
    let scale = (0..p).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    let eps = scale * 1e-12;
    let mut l = vec![vec![0.0; p]; p];
    for j in 0..p {
        let pivot = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if pivot <= eps {
            if semidefinite {
                continue;
            }
            return None;
        }
        l[j][j] = pivot.sqrt();
        for i in j + 1..p {
            let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = s / l[j][j];
        }
    }
    Some(l)
}

/// `x` with `L Lᵀ x = b`.
fn solve_spd(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let p = l.len();
    let mut y = vec![0.0; p];
    for i in 0..p {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    solve_upper_transposed(l, &y)
}

/// `x` with `Lᵀ x = y`.
fn solve_upper_transposed(l: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let p = l.len();
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        x[i] = (y[i] - (i + 1..p).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evenly spread values of `X ~ U(0, 1)`, shuffled by a fixed
    /// permutation so that order carries no information.
    fn uniform(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7919) % n) as f64 / n as f64 + 0.5 / n as f64)
            .collect()
    }

    #[test]
    fn evpi_is_the_mean_regret() {
        // Decision 1 is better on average (mean 0.5 > 0.4) but worse in
        // half the runs, by 0.2 each time: EVPI = 0.5 * 0.2 = 0.1.
        let nb = vec![vec![0.4; 4], vec![0.2, 0.8, 0.2, 0.8]];
        let (e, shares) = evpi(&nb);
        assert!((e.value - 0.1).abs() < 1e-12, "{e:?}");
        assert_eq!(shares, [0.5, 0.5]);
    }

    #[test]
    fn a_decisive_input_gets_the_whole_evpi() {
        // NB_0 = 0.4, NB_1 = X: EVPPI = EVPI = E[max(0, 0.4 - X)] = 0.08.
        let x = uniform(2_000);
        let nb = vec![vec![0.4; x.len()], x.clone()];
        let p = evppi(&x, &nb, 1);
        assert!((p.evppi.value - 0.08).abs() < 1e-3, "{p:?}");
        assert!((p.switch_share - 0.4).abs() < 0.01, "{p:?}");
        assert_eq!(p.fit, Fit::Pieces(8));
        // The fit is near exact: its error is the sample's.
        assert!(p.evppi.se < 0.005, "{p:?}");
    }

    #[test]
    fn an_input_that_does_not_touch_the_difference_is_worth_nothing() {
        // NB_1 - NB_0 = X - 0.4 depends on X only; Y moves both alike.
        let n = 1_000;
        let x = uniform(n);
        let y: Vec<f64> = (0..n).map(|i| ((i * 31 + 7) % n) as f64).collect();
        let nb = vec![y.clone(), (0..n).map(|i| y[i] + x[i] - 0.4).collect()];
        let p = evppi(&y, &nb, 2);
        assert!(p.evppi.value.abs() <= 2.0 * p.evppi.se + 1e-9, "{p:?}");
        assert!(p.evppi.value < 0.01, "{p:?}");
    }

    #[test]
    fn levels_give_exact_conditional_means() {
        // X in {0, 1}: NB_1 - NB_0 = +1 when X = 1, -2 when X = 0 (mean
        // -0.5 with equal shares): knowing X is worth 0.5 * 1.
        let x: Vec<f64> = (0..10).map(|i| f64::from(i % 2)).collect();
        let nb = vec![
            vec![0.0; 10],
            x.iter().map(|v| if *v == 1.0 { 1.0 } else { -2.0 }).collect(),
        ];
        let p = evppi(&x, &nb, 3);
        assert_eq!(p.fit, Fit::Levels(2));
        assert!((p.evppi.value - 0.5).abs() < 1e-12, "{p:?}");
        assert!((p.switch_share - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_constant_input_or_a_single_decision_is_worth_nothing() {
        let nb = vec![vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.0]];
        assert_eq!(evppi(&[5.0; 3], &nb, 4).fit, Fit::Constant);
        assert_eq!(evppi(&[5.0; 3], &nb, 4).evppi.value, 0.0);
        assert_eq!(evppi(&[1.0, 2.0, 3.0], &nb[..1], 4).evppi.value, 0.0);
    }

    #[test]
    fn three_decisions_with_equal_responses_still_fit() {
        // Decisions 1 and 2 are the same: their residual covariance is
        // singular, which the semi-definite factor allows.
        let x = uniform(500);
        // NB_0 = 0.45 < E[X]: EVPPI = E[max(0, 0.45 - X)] = 0.45² / 2.
        let nb = vec![vec![0.45; 500], x.clone(), x.clone()];
        let p = evppi(&x, &nb, 5);
        assert!((p.evppi.value - 0.10125).abs() < 2e-3, "{p:?}");
    }
}
