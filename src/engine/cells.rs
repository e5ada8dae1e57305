//! The village tallies: per policy, village and year, the income over the
//! runs (exact moments and a quantile sketch) and how often it fell below
//! the floor.
//!
//! There is one set for the whole simulation, not one per worker: after the
//! workers have simulated a chunk of runs into a shared buffer, the threads
//! split the tallies among them (blocks of [`CELL_BLOCK`] village-years) and
//! each adds every run of the chunk to its own blocks. Memory is then one
//! tally per cell whatever the thread count, nothing is merged at the end,
//! and the counts are the same sums in any order, so the result does not
//! depend on the thread count.

use rayon::prelude::*;

use crate::model::Model;
use crate::summary::accum::{Tally, FEN_PER_YUAN};
use crate::summary::results::VillageYear;

/// Village-years updated together by one thread: their sketches stay in
/// the cache while every run of a chunk is added to them.
const CELL_BLOCK: usize = 128;
/// Runs per chunk from which a block's sketches are read in order before
/// the scattered adds (which the hardware does not prefetch); for fewer
/// runs the adds touch too few buckets for that to pay.
const WARM_FROM_RUNS: usize = 32;

/// One village in one year: its income over the runs, and how often it
/// fell below the floor.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct VillageTally {
    pub income: Tally,
    pub below_floor: u64,
}

/// The tallies of every policy, `[p][y * villages + v]`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct VillageTallies {
    floor_yuan: f64,
    policies: Vec<Vec<VillageTally>>,
}

impl VillageTallies {
    pub fn new(model: &Model) -> Self {
        let cells = model.villages.len() * (model.years + 1);
        let empty = VillageTally {
            income: Tally::new(FEN_PER_YUAN),
            below_floor: 0,
        };
        VillageTallies {
            floor_yuan: model.floor_yuan,
            policies: vec![vec![empty; cells]; model.policies.len()],
        }
    }

    /// The tallies of each policy, `[p][y * villages + v]`, as
    /// [`VillageTallies::into_policies`] gave them.
    pub(crate) fn from_policies(floor_yuan: f64, policies: Vec<Vec<VillageTally>>) -> Self {
        VillageTallies { floor_yuan, policies }
    }

    /// Each policy's tallies, `[y * villages + v]`.
    pub(crate) fn into_policies(self) -> impl Iterator<Item = Vec<VillageTally>> {
        self.policies.into_iter()
    }

    /// Adds the tallies of `other` (of the same model, other runs).
    pub fn merge(&mut self, other: &VillageTallies) {
        for (mine, theirs) in self.policies.iter_mut().zip(&other.policies) {
            mine.par_iter_mut().zip(theirs.par_iter()).for_each(|(a, b)| {
                a.income.merge(&b.income);
                a.below_floor += b.below_floor;
            });
        }
    }

    /// Adds `runs` runs of `incomes`, `[(r * policies + p) * cells + cell]`,
    /// on the current rayon pool; `expected` is how many runs the tallies
    /// are to take in all (a hint for the sketches' first allocation).
    pub fn record(&mut self, incomes: &[f64], runs: usize, expected: usize) {
        let floor = self.floor_yuan;
        let count = self.policies.len();
        let cells = self.policies.first().map_or(0, Vec::len);
        self.policies.par_iter_mut().enumerate().for_each(|(p, tallies)| {
            tallies.par_chunks_mut(CELL_BLOCK).enumerate().for_each(|(b, block)| {
                if runs >= WARM_FROM_RUNS {
                    let warm = block.iter().fold(0, |acc, cell| acc ^ cell.income.sketch.touch());
                    std::hint::black_box(warm);
                }
                for cell in block.iter_mut() {
                    cell.income.sketch.expect_values(expected);
                }
                let (start, len) = (b * CELL_BLOCK, block.len());
                for r in 0..runs {
                    let at = (r * count + p) * cells + start;
                    for (cell, &x) in block.iter_mut().zip(&incomes[at..at + len]) {
                        cell.income.add(x);
                        cell.below_floor += u64::from(x < floor);
                    }
                }
            });
        });
    }
}

/// The per-village results of one policy's `tallies`, `[v][y]`.
pub(crate) fn village_years(
    tallies: &[VillageTally],
    villages: usize,
    span: usize,
    baseline_year: i32,
    runs: u64,
) -> Vec<Vec<VillageYear>> {
    (0..villages)
        .into_par_iter()
        .map(|v| {
            (0..span)
                .map(|y| {
                    let cell = &tallies[y * villages + v];
                    VillageYear {
                        year: baseline_year + y as i32,
                        income_yuan: cell.income.stat(),
                        p_below_floor: cell.below_floor as f64 / runs as f64,
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// The fixed part of a village-year tally, which `engine::footprint`
    /// and docs/performance.md count per cell.
    #[test]
    fn a_tally_is_small() {
        let size = std::mem::size_of::<super::VillageTally>();
        eprintln!("VillageTally: {size} bytes");
        assert!(size <= 144, "{size}");
    }
}
