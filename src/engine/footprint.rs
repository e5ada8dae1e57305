//! How much memory a run will take and how much it will write, estimated
//! from the model before it starts, so that `validate` can say it and `run`
//! can refuse a run the machine cannot hold instead of being killed half way.
//!
//! ```text
//! memory  = BASE
//!         + cells x (tally + 2 B x BUCKETS)        one set, shared by the threads
//!         + chunk buffer                           one, shared (at most 32 MiB, or one run per thread)
//!         + threads x (flows + run aggregates)     one set per worker
//!         + results                                the finished figures, before they are written
//! cells = villages x (years + 1) x policies
//! run aggregates = portfolio, intervention and pair tallies, each (tally + 4 B x BUCKETS)
//!                + pair histograms (2 x villages + 1) x 8 B
//! output  = cells x OUTPUT_PER_CELL + intervention-years x OUTPUT_PER_INTERVENTION_YEAR
//!         + pairs x OUTPUT_PER_PAIR + FIXED_OUTPUT
//! ```
//!
//! `BUCKETS` is the number of quantile-sketch buckets a tally holds: about
//! 181 per factor of e between the smallest and largest value it sees. The
//! estimate takes 1,024 (values spread over a factor of about 300 across
//! runs). Measured with 2 threads on scenarios of 2,000 and 8,000 villages
//! (10 years, 2 and 6 policies, 200 runs, lognormal baselines) the sketches
//! held about 630, and the estimate came out 1.3 to 1.8 times the measured
//! peak (2.2 times on the bundled Huining scenario): it errs on the safe
//! side, most for few runs, where one worker may take every run and the
//! others allocate nothing. Sketches hold 2 bytes per bucket (4 per value
//! while they hold fewer values than buckets). Incomes that reach zero in some runs widen a
//! sketch to several thousand buckets, so such runs can take more. The
//! output constants are measured on the bundled scenarios and the bench's
//! province (village_years.bin 104 bytes and village_years.csv about 110
//! bytes per cell; results.json holds no per-cell figures).

use std::mem::size_of;

use super::{chunk_runs, VillageTally};
use crate::model::Model;
use crate::summary::accum::{CountTally, Tally};
use crate::summary::compare::compared_pairs;
use crate::summary::results::VillageYear;

/// Resident memory of the program before any model-sized allocation.
const BASE_BYTES: f64 = 20e6;
/// Sketch buckets assumed per tally (see the module documentation).
const BUCKETS: f64 = 1024.0;
/// Bytes written per village-year-policy cell (village_years.bin,
/// village_years.csv), with room for long village names.
const OUTPUT_PER_CELL: f64 = 260.0;
/// Bytes written per intervention-year of each policy (interventions.csv,
/// contributions.csv, results.json).
const OUTPUT_PER_INTERVENTION_YEAR: f64 = 2_000.0;
/// Bytes written per compared pair (comparisons.csv, results.json).
const OUTPUT_PER_PAIR: f64 = 1_500.0;
/// Charts, reports and the small tables.
const FIXED_OUTPUT: f64 = 3e6;

/// Estimated peak memory and output size of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footprint {
    pub memory_bytes: f64,
    pub output_bytes: f64,
    pub threads: usize,
}

/// Estimates the footprint of simulating `model` on `threads` workers (0:
/// one per core) and writing its outputs.
///
/// # Examples
///
/// ```
/// let text = "[scenario]\nname = \"x\"\nstart_year = 2025\nyears = 5\n[targets]\nfloor = 1\n[[villages]]\nid = \"a\"\noperating_income = 1\n";
/// let model = villagesim::scenario::parse("x.toml", text, std::path::Path::new(".")).unwrap();
/// let f = villagesim::engine::footprint::estimate(&model, 2, 0);
/// assert!(f.memory_bytes > 20e6 && f.output_bytes > 3e6);
/// ```
pub fn estimate(model: &Model, threads: usize, reference: usize) -> Footprint {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let (n, span, years) = (
        model.villages.len() as f64,
        (model.years + 1) as f64,
        model.years as f64,
    );
    let policies = model.policies.len() as f64;
    let cells = n * span * policies;
    let tally = size_of::<Tally>() as f64 + 4.0 * BUCKETS;
    let count_tally = size_of::<CountTally>() as f64;
    let intervention_years: f64 = model
        .policies
        .iter()
        .map(|p| p.interventions.len() as f64 * years)
        .sum();
    let pairs = compared_pairs(model.policies.len(), reference).len() as f64;
    let village_tallies = cells * (size_of::<VillageTally>() as f64 + 2.0 * BUCKETS);
    // Per policy and year: six tallies and three counts of up to n.
    let aggregates = policies * span * (6.0 * tally + 3.0 * (count_tally + 8.0 * (n + 1.0)))
        // Per intervention of a policy and year: operating, cash, public, DSCR.
        + intervention_years * 4.0 * tally
        + pairs * (tally + count_tally + 8.0 * (2.0 * n + 1.0));
    let chunk = chunk_runs(model, threads, model.runs) as f64 * policies * n * span * 8.0;
    // Each worker's flows of every intervention: operating income and net
    // cash per participating village and year, plus outside beneficiaries.
    let slots: f64 = model
        .interventions
        .iter()
        .map(|iv| (iv.villages.len() + iv.external.len()) as f64)
        .sum();
    let flows = slots * years * 16.0;
    let results = cells * size_of::<VillageYear>() as f64 + intervention_years * 4.0 * 200.0;
    let memory = BASE_BYTES + village_tallies + chunk + threads as f64 * (flows + aggregates) + results;
    let output = cells * OUTPUT_PER_CELL
        + intervention_years * OUTPUT_PER_INTERVENTION_YEAR
        + pairs * OUTPUT_PER_PAIR
        + FIXED_OUTPUT;
    Footprint {
        memory_bytes: memory,
        output_bytes: output,
        threads,
    }
}

/// Memory the system can give a new allocation now (`MemAvailable` of
/// /proc/meminfo), where the system reports it.
pub fn available_memory_bytes() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

/// Why a run is refused before it starts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "this run would need about {} of memory ({} villages x {} years x {} policies on {} threads), \
     but the machine has {} available: use fewer villages, years or policies, fewer --threads, \
     or pass --ignore-memory-limit to run anyway",
    bytes(.footprint.memory_bytes),
    .villages,
    .years,
    .policies,
    .footprint.threads,
    bytes(*.available_bytes)
)]
pub struct TooLarge {
    pub footprint: Footprint,
    pub available_bytes: f64,
    pub villages: usize,
    pub years: usize,
    pub policies: usize,
}

/// Refuses a run whose estimated memory exceeds what the machine has
/// available (when the system reports it).
///
/// # Errors
///
/// [`TooLarge`] with the estimate and what is available.
pub fn check(model: &Model, threads: usize, reference: usize) -> Result<Footprint, Box<TooLarge>> {
    let footprint = estimate(model, threads, reference);
    match available_memory_bytes() {
        Some(available) if footprint.memory_bytes > available => Err(Box::new(TooLarge {
            footprint,
            available_bytes: available,
            villages: model.villages.len(),
            years: model.years,
            policies: model.policies.len(),
        })),
        _ => Ok(footprint),
    }
}

/// 1234567 -> "1.2 MB" (decimal units).
pub fn bytes(x: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut value = x.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_well() {
        assert_eq!(bytes(512.0), "512 bytes");
        assert_eq!(bytes(1_234_567.0), "1.2 MB");
        assert_eq!(bytes(9.3e9), "9.3 GB");
        assert!(bytes(f64::MAX).ends_with(" TB"));
    }
}
