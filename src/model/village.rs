//! A village's organic path: what its operating income does without any
//! intervention.
//!
//! ```text
//! x[0]   = baseline operating income (drawn, default per village)
//! x[t+1] = x[t] * exp(g[t] + sum_f b_f * Z_f[t])
//! ```
//!
//! `g[t]` is the village's growth parameter (default per village-year, so
//! `g = mean + sd * e` with `e` standard normal), `b_f` its loading on the
//! common factor `f` and `Z_f[t]` the factor's value in year `t`. With
//! normal `g` of mean `m` and sd `s` and no factor,
//! `E[x[n]] = x[0] exp(n (m + s^2 / 2))`. Operating income never goes below
//! zero: a negative baseline is clamped to zero, and the multiplicative walk
//! keeps it there.

use rand::Rng;

use super::{SimCtx, Village};
use crate::model::param::{Param, Per};

/// Writes the organic operating income of `village` into `out`: the
/// baseline at index 0, then one value per simulated year.
pub fn organic_path(village: &Village, ctx: &SimCtx, out: &mut [f64]) {
    let mut x = draw_once(
        &village.operating_income,
        Per::Village,
        village,
        ctx,
        "operating_income",
    )
    .max(0.0);
    out[0] = x;
    let growth = &village.growth;
    let per = growth.per.unwrap_or(Per::VillageYear);
    let fixed = growth.as_fixed();
    let mut rng = match per {
        Per::Run | Per::Year => ctx.stream(village.entry_key, "growth"),
        Per::Village | Per::VillageYear => ctx.stream(village.key, "growth"),
    };
    let once = fixed.unwrap_or_else(|| match per {
        Per::Run | Per::Village => growth.sample(&mut rng),
        _ => 0.0,
    });
    let each_year = fixed.is_none() && matches!(per, Per::Year | Per::VillageYear);
    let mut growth_sum = 0.0;
    // The year's growth draws, a block of years at a time (the same draws,
    // in the same order, as one at a time).
    const YEARS_PER_BLOCK: usize = 32;
    let mut drawn = [once; YEARS_PER_BLOCK];
    for (block, slots) in out[1..].chunks_mut(YEARS_PER_BLOCK).enumerate() {
        let g_block = &mut drawn[..slots.len()];
        if each_year {
            growth.fill(&mut rng, g_block);
        }
        for (i, (slot, &g)) in slots.iter_mut().zip(g_block.iter()).enumerate() {
            let t = block * YEARS_PER_BLOCK + i;
            growth_sum += g;
            let shock: f64 = village.loadings.iter().map(|&(f, b)| b * ctx.factors[f][t]).sum();
            x *= (g + shock).exp();
            *slot = x;
        }
    }
    if fixed.is_none() && ctx.years > 0 {
        // Every village of the entry under one input: its mean over them.
        ctx.note(village.entry_key, "growth", &[growth_sum / ctx.years as f64]);
    }
}

/// Adds the village's other income (grants, transfers: not counted in the
/// targets) to `totals`, one entry per reported year from the baseline:
/// `y[0]` drawn (default per village), `y[t+1] = y[t] * (1 + g)` with `g`
/// its growth (default per run, once).
pub fn add_other_income(village: &Village, ctx: &SimCtx, totals: &mut [f64]) {
    let mut y = draw_once(&village.other_income, Per::Village, village, ctx, "other_income");
    let g = draw_once(
        &village.other_income_growth,
        Per::Run,
        village,
        ctx,
        "other_income_growth",
    );
    for total in totals.iter_mut() {
        *total += y;
        y *= 1.0 + g;
    }
}

fn draw_once(param: &Param, default: Per, village: &Village, ctx: &SimCtx, purpose: &str) -> f64 {
    if let Some(x) = param.as_fixed() {
        return x;
    }
    let entity = match param.per.unwrap_or(default) {
        Per::Run | Per::Year => village.entry_key,
        Per::Village | Per::VillageYear => village.key,
    };
    let x = param.sample(&mut ctx.stream(entity, purpose));
    ctx.note(village.entry_key, purpose, &[x]);
    x
}

/// Draws the factor paths of one run: `factors[f][t]`, `Z[0] ~ N(0, 1)`,
/// `Z[t] = rho Z[t-1] + sqrt(1 - rho²) e[t]`, a value forced by a stress
/// replacing `Z[t]` in its year.
pub fn factor_paths(factors: &[super::Factor], ctx_seed: u64, run: u64, years: usize, out: &mut Vec<Vec<f64>>) {
    out.resize(factors.len(), Vec::new());
    for (factor, path) in factors.iter().zip(out.iter_mut()) {
        let mut rng = crate::rng::stream(ctx_seed, run, crate::rng::key_of(&format!("factor:{}", factor.name)), 0);
        let rho = factor.persistence;
        let innovation_sd = (1.0 - rho * rho).sqrt();
        let mut z = 0.0;
        path.clear();
        path.extend((0..years).map(|t| {
            let e: f64 = rng.sample(rand_distr::StandardNormal);
            // Start from the stationary distribution: Z[0] ~ N(0, 1).
            z = if t == 0 { e } else { rho * z + innovation_sd * e };
            // A stress forces the year's value; the innovation is drawn all
            // the same, so the other years keep their draws.
            if let Some(Some(forced)) = factor.forced.get(t) {
                z = *forced;
            }
            z
        }));
    }
}
