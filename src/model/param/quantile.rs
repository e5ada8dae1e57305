//! Quantiles and the mean of an uncertain parameter, in closed form.
//!
//! The normal, lognormal, beta and PERT quantile functions come from
//! `statrs` (the inverse of the regularised incomplete beta function for
//! beta and PERT); uniform, triangular and discrete are inverted by hand,
//! as they are one line each. A PERT on `[min, max]` with mode `m` is the
//! beta with `alpha = 1 + 4 (m - min) / (max - min)`,
//! `beta = 1 + 4 (max - m) / (max - min)` scaled to `[min, max]`, as
//! `rand_distr::Pert` draws it.
//!
//! Both apply the parameter's clamp: a draw below `min` is `min`, so the
//! quantile is clamped, and the mean is the mean of the clamped draws,
//! `E[clamp(X)]`. Where the clamp cuts into the distribution that is, for a
//! normal `N(m, s)` on `[a, b]` with `A = (a - m) / s`, `B = (b - m) / s`,
//!
//! ```text
//! E = a Phi(A) + b (1 - Phi(B)) + m (Phi(B) - Phi(A)) - s (phi(B) - phi(A))
//! ```
//!
//! for a lognormal `exp(N(mu, sigma))` on `[a, b]`, with `F` its distribution
//! function,
//!
//! ```text
//! E = a F(a) + b (1 - F(b)) + exp(mu + sigma^2 / 2) (Phi((ln b - mu - sigma^2) / sigma) - Phi((ln a - mu - sigma^2) / sigma))
//! ```
//!
//! for a discrete distribution the weighted sum of the clamped values, and
//! for the others the integral of the clamped quantile function over
//! (0, 1), by the midpoint rule on [`MEAN_POINTS`] points (an error far
//! below a yuan on any amount the model allows).

use statrs::distribution::{Beta, ContinuousCDF, Normal};

use super::{Dist, Param};

/// Points of the midpoint rule for the mean of a clamped uniform,
/// triangular, PERT or beta.
pub const MEAN_POINTS: usize = 100_000;

/// The standard normal quantile.
///
/// # Examples
///
/// ```
/// let z = villagesim::model::param::standard_normal_quantile(0.975);
/// assert!((z - 1.959_963_984_540_054).abs() < 1e-12);
/// ```
pub fn standard_normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p.clamp(0.0, 1.0))
}

/// The quantile `q` of a beta(`alpha`, `beta`) on [0, 1]; 0.5 when the
/// shape is not valid (both must be above 0).
fn beta_quantile(alpha: f64, beta: f64, q: f64) -> f64 {
    Beta::new(alpha, beta).map_or(0.5, |b| b.inverse_cdf(q.clamp(0.0, 1.0)))
}

/// The PERT on `[min, max]` with mode `mode`, as a beta's `(alpha, beta)`.
pub(super) fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let range = max - min;
    (1.0 + 4.0 * (mode - min) / range, 1.0 + 4.0 * (max - mode) / range)
}

impl Param {
    /// The value below which a share `q` (0 to 1) of draws falls, after the
    /// clamp.
    ///
    /// # Examples
    ///
    /// ```
    /// use villagesim::model::param::{Dist, Param};
    /// let p = Param::of(Dist::Uniform { min: 0.0, max: 10.0 });
    /// assert_eq!(p.quantile(0.1), 1.0);
    /// ```
    pub fn quantile(&self, q: f64) -> f64 {
        let x = match &self.dist {
            Dist::Fixed(x) => *x,
            Dist::Uniform { min, max } => min + (max - min) * q,
            Dist::Normal { mean, sd } if *sd == 0.0 => *mean,
            Dist::Normal { mean, sd } => mean + sd * standard_normal_quantile(q),
            Dist::LogNormal { mu, sigma } if *sigma == 0.0 => mu.exp(),
            Dist::LogNormal { mu, sigma } => (mu + sigma * standard_normal_quantile(q)).exp(),
            Dist::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                if b <= a {
                    a
                } else if q < (c - a) / (b - a) {
                    a + (q * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - q) * (b - a) * (b - c)).sqrt()
                }
            }
            Dist::Pert { min, mode, max } => {
                if max <= min {
                    *min
                } else {
                    let (a, b) = pert_shape(*min, *mode, *max);
                    min + (max - min) * beta_quantile(a, b, q)
                }
            }
            Dist::Beta { alpha, beta, low, high } => low + (high - low) * beta_quantile(*alpha, *beta, q),
            Dist::Discrete { values, cumulative } => discrete_quantile(values, cumulative, q),
        };
        self.clamp(x)
    }

    /// The median, after the clamp.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The mean of the draws after the clamp, `E[clamp(X)]`: what `--central`
    /// fixes a parameter at (a lognormal's mean is `exp(mu + sigma^2 / 2)`,
    /// above its median `exp(mu)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use villagesim::model::param::{Dist, Param};
    /// let p = Param::of(Dist::LogNormal { mu: 0.0, sigma: 1.0 });
    /// assert!((p.mean() - 0.5f64.exp()).abs() < 1e-15);
    /// ```
    pub fn mean(&self) -> f64 {
        let (lo, hi) = self.unclamped_support();
        let (a, b) = (self.min.unwrap_or(f64::NEG_INFINITY), self.max.unwrap_or(f64::INFINITY));
        if a > lo || b < hi {
            return self.clamped_mean(a, b);
        }
        self.clamp(self.unclamped_mean())
    }

    /// The distribution's mean before the clamp, in closed form.
    pub(super) fn unclamped_mean(&self) -> f64 {
        match &self.dist {
            Dist::Fixed(x) => *x,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Beta { alpha, beta, low, high } => low + (high - low) * alpha / (alpha + beta),
            Dist::Discrete { values, cumulative } => discrete_mean(values, cumulative, |v| v),
        }
    }
}

impl Param {
    /// The smallest and largest values of the distribution before the clamp.
    pub(super) fn unclamped_support(&self) -> (f64, f64) {
        Param {
            min: None,
            max: None,
            ..self.clone()
        }
        .support()
    }

    /// `E[clamp(X)]` when the clamp `[a, b]` cuts into the distribution.
    fn clamped_mean(&self, a: f64, b: f64) -> f64 {
        let n = Normal::standard();
        match &self.dist {
            Dist::Normal { mean, sd } if *sd == 0.0 => self.clamp(*mean),
            Dist::Normal { mean, sd } => {
                let (pa, pb) = (n.cdf((a - mean) / sd), n.cdf((b - mean) / sd));
                let density = |z: f64| {
                    if z.is_finite() {
                        (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
                    } else {
                        0.0
                    }
                };
                let tails = if a.is_finite() { a * pa } else { 0.0 } + if b.is_finite() { b * (1.0 - pb) } else { 0.0 };
                tails + mean * (pb - pa) - sd * (density((b - mean) / sd) - density((a - mean) / sd))
            }
            Dist::LogNormal { mu, sigma } if *sigma > 0.0 => {
                let z = |x: f64| {
                    if x <= 0.0 {
                        f64::NEG_INFINITY
                    } else {
                        (x.ln() - mu) / sigma
                    }
                };
                let (fa, fb) = (n.cdf(z(a)), n.cdf(z(b)));
                let partial = (mu + 0.5 * sigma * sigma).exp() * (n.cdf(z(b) - sigma) - n.cdf(z(a) - sigma));
                let tails = if a > 0.0 { a * fa } else { 0.0 } + if b.is_finite() { b * (1.0 - fb) } else { 0.0 };
                tails + partial
            }
            Dist::Discrete { values, cumulative } => discrete_mean(values, cumulative, |v| self.clamp(v)),
            _ => {
                let k = MEAN_POINTS as f64;
                (0..MEAN_POINTS)
                    .map(|i| self.quantile((i as f64 + 0.5) / k))
                    .sum::<f64>()
                    / k
            }
        }
    }
}

/// The mean of `f(value)` over a discrete distribution given by its
/// cumulative weights.
fn discrete_mean(values: &[f64], cumulative: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut previous = 0.0;
    values
        .iter()
        .zip(cumulative)
        .map(|(v, c)| {
            let w = c - previous;
            previous = *c;
            f(*v) * w
        })
        .sum()
}

/// The smallest value whose cumulative weight reaches `q`.
fn discrete_quantile(values: &[f64], cumulative: &[f64], q: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = Vec::with_capacity(values.len());
    let mut previous = 0.0;
    for (v, c) in values.iter().zip(cumulative) {
        pairs.push((*v, c - previous));
        previous = *c;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut acc = 0.0;
    pairs
        .iter()
        .find(|(_, w)| {
            acc += w;
            acc >= q - 1e-12
        })
        .or(pairs.last())
        .map_or(0.0, |p| p.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(dist: Dist) -> Param {
        Param::of(dist)
    }

    #[test]
    fn normal_quantiles() {
        assert!((standard_normal_quantile(0.95) - 1.644_853_626_951_472).abs() < 1e-12);
        assert!((standard_normal_quantile(0.1) + 1.281_551_565_544_6).abs() < 1e-12);
        assert!((standard_normal_quantile(0.001) + 3.090_232_306_167_8).abs() < 1e-12);
        assert_eq!(standard_normal_quantile(0.5), 0.0);
    }

    #[test]
    fn quantiles_of_each_distribution() {
        assert_eq!(p(Dist::Uniform { min: 0.0, max: 10.0 }).quantile(0.1), 1.0);
        // F(x) = 1 - (1 - x)^2.
        let t = p(Dist::Triangular {
            min: 0.0,
            mode: 0.0,
            max: 1.0,
        });
        assert!((t.quantile(0.19) - 0.1).abs() < 1e-12);
        let d = p(Dist::Discrete {
            values: vec![3.0, 1.0],
            cumulative: vec![0.5, 1.0],
        });
        assert_eq!((d.quantile(0.1), d.quantile(0.9)), (1.0, 3.0));
        // beta(1, 1) is uniform; beta(2, 1) has F(x) = x^2.
        let b = |alpha, beta| {
            p(Dist::Beta {
                alpha,
                beta,
                low: 0.0,
                high: 10.0,
            })
        };
        assert!((b(1.0, 1.0).quantile(0.9) - 9.0).abs() < 1e-9);
        assert!((b(2.0, 1.0).quantile(0.25) - 5.0).abs() < 1e-9);
        // A PERT with its mode in the middle is beta(3, 3), symmetric.
        let pert = p(Dist::Pert {
            min: 0.0,
            mode: 5.0,
            max: 10.0,
        });
        assert!((pert.median() - 5.0).abs() < 1e-9);
        // beta(3, 3): F(x) = 10x^3 - 15x^4 + 6x^5; F(0.2) = 0.05792.
        assert!((pert.quantile(0.05792) - 2.0).abs() < 1e-6);
        let mut clamped = p(Dist::Normal { mean: 0.0, sd: 1.0 });
        clamped.min = Some(-1.0);
        assert_eq!(clamped.quantile(0.1), -1.0);
    }

    /// The mean of clamped draws, against closed forms.
    #[test]
    fn the_mean_is_the_mean_of_the_clamped_draws() {
        // N(0.02, 0.05) at min 0: E = m Phi(m/s) + s phi(m/s) = 0.0315206...
        let mut n = p(Dist::Normal { mean: 0.02, sd: 0.05 });
        n.min = Some(0.0);
        let (z, phi) = (0.4f64, (-0.08f64).exp() / (2.0 * std::f64::consts::PI).sqrt());
        let want = 0.02 * Normal::standard().cdf(z) + 0.05 * phi;
        assert!((n.mean() - want).abs() < 1e-12, "{} vs {want}", n.mean());
        assert!((n.mean() - 0.031_52).abs() < 1e-4);
        // Lognormal median 1,000,000, sigma 0.6, min 500,000 (Wuxing).
        let mut l = p(Dist::LogNormal {
            mu: 1_000_000f64.ln(),
            sigma: 0.6,
        });
        l.min = Some(500_000.0);
        assert!((l.mean() - 1_211_795.0).abs() < 1.0, "{}", l.mean());
        // Uniform(0, 10) at max 5: E = 0.5 * 2.5 + 0.5 * 5 = 3.75.
        let mut u = p(Dist::Uniform { min: 0.0, max: 10.0 });
        u.max = Some(5.0);
        assert!((u.mean() - 3.75).abs() < 1e-9, "{}", u.mean());
        // Discrete {1, 3} at max 2: 0.5 * 1 + 0.5 * 2.
        let mut d = p(Dist::Discrete {
            values: vec![1.0, 3.0],
            cumulative: vec![0.5, 1.0],
        });
        d.max = Some(2.0);
        assert_eq!(d.mean(), 1.5);
        // A clamp that does not cut leaves the closed-form mean.
        let mut wide = p(Dist::Uniform { min: 0.0, max: 10.0 });
        wide.min = Some(-1.0);
        assert_eq!(wide.mean(), 5.0);
    }

    #[test]
    fn the_mean_of_a_lognormal_is_above_its_median() {
        // mean 500,000 and sd 300,000: sigma^2 = ln(1 + 0.36).
        let sigma2 = (1.36f64).ln();
        let mu = 500_000f64.ln() - 0.5 * sigma2;
        let l = p(Dist::LogNormal {
            mu,
            sigma: sigma2.sqrt(),
        });
        assert!((l.mean() - 500_000.0).abs() < 1e-6);
        assert!((l.median() - 500_000.0 / 1.36f64.sqrt()).abs() < 1e-6);
    }
}
