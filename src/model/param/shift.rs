//! Moving an uncertain parameter's distribution without fixing it: the
//! sensitivity analysis's treatment of an input drawn per village, per year
//! or per village-year (`analysis::sensitivity`).
//!
//! Such an input is drawn afresh by every village (and year), so a county
//! outcome depends on it mostly through the average of its `n` draws, whose
//! standard deviation is `sd / sqrt(n)`. [`Param::shifted`] moves the
//! distribution's location by `s` of its own standard deviations, `s = z /
//! sqrt(n)` (`z = ±1.2816` puts the average of the `n` draws at its 10th or
//! 90th percentile); every draw still comes from its own stream, so each
//! village keeps its own value and only the distribution moves. By
//! distribution, with `sd` the standard deviation before the clamp:
//!
//! ```text
//! normal {mean, sd}:                 mean + s sd                       (sd unchanged)
//! lognormal {mu, sigma}:             mu + s sigma                      (sigma unchanged: the
//!                                     median, and every quantile, times exp(s sigma); the
//!                                     geometric mean of n draws at its quantile: stays > 0)
//! uniform {min, max}:                min + d, max + d, d = s (max - min) / sqrt(12)
//! triangular {min, mode, max}:       each + d, d = s sqrt((a² + b² + c² - ab - ac - bc) / 18)
//! pert {min, mode, max}:             each + d, d = s (max - min) sqrt(αβ / ((α + β)² (α + β + 1)))
//! beta {alpha, beta, low, high}:     low + d, high + d, d = s (high - low) sqrt(αβ / ((α + β)² (α + β + 1)))
//! discrete {values, weights}:        each value + d, d = s sd               (weights unchanged)
//! fixed (or any certain value):     unchanged (nothing to shift)
//! ```
//!
//! The parameter's own clamp (`min`, `max`) is kept. A bounded distribution
//! moved past the domain `[lo, hi]` it must stay in (a share past 1) gets a
//! clamp at the domain's edge, so its draws pile up there as the model
//! clamps any draw; an unbounded one (normal, lognormal) is clamped to its
//! domain when the scenario is read, as every normal parameter is.

use super::quantile::pert_shape;
use super::{Dist, Param};

impl Param {
    /// The standard deviation of the distribution before the clamp, in
    /// closed form (`exp(mu + sigma²/2) sqrt(exp(sigma²) - 1)` for a
    /// lognormal).
    ///
    /// # Examples
    ///
    /// ```
    /// use villagesim::model::param::{Dist, Param};
    /// let p = Param::of(Dist::Uniform { min: 0.0, max: 12.0 });
    /// assert!((p.sd() - 12.0 / 12f64.sqrt()).abs() < 1e-12);
    /// ```
    pub fn sd(&self) -> f64 {
        match &self.dist {
            Dist::Fixed(_) => 0.0,
            Dist::Uniform { min, max } => (max - min) / 12f64.sqrt(),
            Dist::Normal { sd, .. } => *sd,
            Dist::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp() * (sigma * sigma).exp_m1().sqrt(),
            Dist::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                ((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0).max(0.0).sqrt()
            }
            Dist::Pert { min, mode, max } if max > min => {
                let (a, b) = pert_shape(*min, *mode, *max);
                (max - min) * beta_sd(a, b)
            }
            Dist::Pert { .. } => 0.0,
            Dist::Beta { alpha, beta, low, high } => (high - low) * beta_sd(*alpha, *beta),
            Dist::Discrete { values, cumulative } => {
                let mean = self.unclamped_mean();
                let mut previous = 0.0;
                let var: f64 = values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let w = c - previous;
                        previous = *c;
                        w * (v - mean) * (v - mean)
                    })
                    .sum();
                var.max(0.0).sqrt()
            }
        }
    }

    /// The parameter with its distribution moved by `s` of its standard
    /// deviations (see the module doc), its clamp kept, and a bounded
    /// distribution kept inside `within` by a clamp at its edge.
    ///
    /// # Examples
    ///
    /// ```
    /// use villagesim::model::param::{Dist, Param};
    /// let p = Param::of(Dist::Normal { mean: 0.05, sd: 0.1 });
    /// let s = 1.281_551_565_545 / 16f64.sqrt();
    /// let Dist::Normal { mean, sd } = p.shifted(s, (-1.0, 1.0)).dist else { panic!() };
    /// assert!((mean - (0.05 + 0.1 * s)).abs() < 1e-15 && sd == 0.1);
    /// ```
    pub fn shifted(&self, s: f64, within: (f64, f64)) -> Param {
        if let Some(each) = self.map_years(|p| p.shifted(s, within)) {
            return each;
        }
        if self.is_certain() {
            return self.clone();
        }
        let d = s * self.sd();
        let dist = match &self.dist {
            Dist::Fixed(x) => Dist::Fixed(*x),
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: mean + d,
                sd: *sd,
            },
            Dist::LogNormal { mu, sigma } => Dist::LogNormal {
                mu: mu + s * sigma,
                sigma: *sigma,
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min + d,
                max: max + d,
            },
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: min + d,
                mode: mode + d,
                max: max + d,
            },
            Dist::Pert { min, mode, max } => Dist::Pert {
                min: min + d,
                mode: mode + d,
                max: max + d,
            },
            Dist::Beta { alpha, beta, low, high } => Dist::Beta {
                alpha: *alpha,
                beta: *beta,
                low: low + d,
                high: high + d,
            },
            Dist::Discrete { values, cumulative } => Dist::Discrete {
                values: values.iter().map(|v| v + d).collect(),
                cumulative: cumulative.clone(),
            },
        };
        let mut out = Param { dist, ..self.clone() };
        let (lo, hi) = out.unclamped_support();
        if lo.is_finite() && hi.is_finite() {
            let (a, b) = within;
            if lo < a && out.min.is_none_or(|m| m < a) {
                out.min = Some(a);
            }
            if hi > b && out.max.is_none_or(|m| m > b) {
                out.max = Some(b);
            }
        }
        out
    }
}

impl Param {
    /// The parameter multiplied by `k > 0`: every value it can take, and
    /// its clamp, times `k` (a rent cut of 30% is `k = 0.7`). A lognormal's
    /// `mu` moves by `ln k`; a beta's range is scaled; `per` is kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use villagesim::model::param::{Dist, Param};
    /// let p = Param { min: Some(120.0), ..Param::of(Dist::Uniform { min: 100.0, max: 200.0 }) };
    /// let s = p.scaled(0.7);
    /// assert_eq!(s.dist, Dist::Uniform { min: 70.0, max: 140.0 });
    /// assert_eq!(s.min, Some(84.0));
    /// ```
    pub fn scaled(&self, k: f64) -> Param {
        if let Some(each) = self.map_years(|p| p.scaled(k)) {
            return each;
        }
        let dist = match &self.dist {
            Dist::Fixed(x) => Dist::Fixed(x * k),
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: mean * k,
                sd: sd * k,
            },
            Dist::LogNormal { mu, sigma } => Dist::LogNormal {
                mu: mu + k.ln(),
                sigma: *sigma,
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * k,
                max: max * k,
            },
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: min * k,
                mode: mode * k,
                max: max * k,
            },
            Dist::Pert { min, mode, max } => Dist::Pert {
                min: min * k,
                mode: mode * k,
                max: max * k,
            },
            Dist::Beta { alpha, beta, low, high } => Dist::Beta {
                alpha: *alpha,
                beta: *beta,
                low: low * k,
                high: high * k,
            },
            Dist::Discrete { values, cumulative } => Dist::Discrete {
                values: values.iter().map(|v| v * k).collect(),
                cumulative: cumulative.clone(),
            },
        };
        Param {
            dist,
            min: self.min.map(|m| m * k),
            max: self.max.map(|m| m * k),
            per: self.per,
            schedule: None,
        }
    }
}

/// The standard deviation of a beta(`a`, `b`) on [0, 1].
fn beta_sd(a: f64, b: f64) -> f64 {
    (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    const Z90: f64 = 1.281_551_565_544_6;
    const WIDE: (f64, f64) = (-1e12, 1e12);

    fn p(dist: Dist) -> Param {
        Param::of(dist)
    }

    #[test]
    fn a_normal_mean_moves_by_z_sd_over_root_n() {
        // 16 villages drawing growth N(0.05, 0.10): the P90 of their average.
        let s = Z90 / 16f64.sqrt();
        let shifted = p(Dist::Normal { mean: 0.05, sd: 0.10 }).shifted(s, (-1.0, 1.0));
        assert_eq!(
            shifted.dist,
            Dist::Normal {
                mean: 0.05 + 0.10 * Z90 / 4.0,
                sd: 0.10
            }
        );
        // The mean moves by exactly that (no clamp cuts in).
        assert!((shifted.mean() - (0.05 + 0.032_038_789_138_615)).abs() < 1e-12);
        // Downwards too, with the clamp kept.
        let clamped = Param {
            min: Some(-0.2),
            ..p(Dist::Normal { mean: 0.05, sd: 0.10 })
        };
        let down = clamped.shifted(-s, (-1.0, 1.0));
        assert_eq!(down.min, Some(-0.2));
        assert_eq!(down.max, None);
    }

    #[test]
    fn a_lognormal_median_is_multiplied_by_exp_s_sigma() {
        let base = p(Dist::LogNormal {
            mu: 1_000_000f64.ln(),
            sigma: 0.6,
        });
        let s = -Z90 / 137f64.sqrt();
        let shifted = base.shifted(s, WIDE);
        let ratio = shifted.median() / base.median();
        assert!((ratio - (s * 0.6).exp()).abs() < 1e-12, "{ratio}");
        // The sd of a lognormal: mean * sqrt(exp(sigma^2) - 1).
        assert!((base.sd() - base.mean() * (0.36f64.exp() - 1.0).sqrt()).abs() < 1e-6);
    }

    #[test]
    fn bounded_distributions_move_their_support_by_s_sd() {
        let s = 0.5;
        let u = p(Dist::Uniform { min: 0.0, max: 12.0 }).shifted(s, WIDE);
        let d = 0.5 * 12.0 / 12f64.sqrt();
        assert_eq!(u.dist, Dist::Uniform { min: d, max: 12.0 + d });
        // Triangular (0, 0, 3): sd = sqrt(9 / 18).
        let t = p(Dist::Triangular {
            min: 0.0,
            mode: 0.0,
            max: 3.0,
        });
        assert!((t.sd() - 0.5f64.sqrt()).abs() < 1e-15);
        let moved = t.shifted(s, WIDE);
        assert!((moved.mean() - (t.mean() + s * 0.5f64.sqrt())).abs() < 1e-12);
        // Beta(2, 2) on [0, 1]: sd = sqrt(4 / (16 * 5)).
        let b = p(Dist::Beta {
            alpha: 2.0,
            beta: 2.0,
            low: 0.0,
            high: 1.0,
        });
        assert!((b.sd() - 0.05f64.sqrt()).abs() < 1e-15);
        // PERT (0, 5, 10) is the beta(3, 3) on [0, 10]: sd = 10 sqrt(9 / (36 * 7)).
        let pert = p(Dist::Pert {
            min: 0.0,
            mode: 5.0,
            max: 10.0,
        });
        assert!((pert.sd() - 10.0 * (9.0f64 / 252.0).sqrt()).abs() < 1e-12);
        let moved = pert.shifted(-1.0, WIDE);
        assert!((moved.mean() - (5.0 - pert.sd())).abs() < 1e-9);
        // Discrete {0, 1} with equal weights: sd 0.5.
        let dsc = p(Dist::Discrete {
            values: vec![0.0, 1.0],
            cumulative: vec![0.5, 1.0],
        });
        assert_eq!(dsc.sd(), 0.5);
        assert!((dsc.shifted(0.2, WIDE).mean() - 0.6).abs() < 1e-15);
    }

    #[test]
    fn a_share_moved_past_one_is_clamped_at_one() {
        // Occupancy beta(18, 2) moved up by 2 sd leaves [0, 1].
        let occupancy = p(Dist::Beta {
            alpha: 18.0,
            beta: 2.0,
            low: 0.0,
            high: 1.0,
        });
        let up = occupancy.shifted(2.0, (0.0, 1.0));
        assert_eq!((up.min, up.max), (None, Some(1.0)));
        assert_eq!(up.support().1, 1.0);
        assert!(up.mean() < 1.0 && up.mean() > occupancy.mean());
        // A tighter clamp of the file's own is kept.
        let own = Param {
            max: Some(0.95),
            ..occupancy.clone()
        };
        assert_eq!(own.shifted(2.0, (0.0, 1.0)).max, Some(0.95));
        // A fixed value has nothing to shift.
        assert_eq!(Param::fixed(3.0).shifted(1.0, WIDE), Param::fixed(3.0));
    }
}
