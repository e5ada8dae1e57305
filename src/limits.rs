//! What villagesim accepts: the largest magnitudes and sizes, in one place.
//!
//! Each bound is far beyond any real county, so a file that crosses one is
//! almost surely mistaken (a typo, a growth rate in percent written as a
//! fraction, a runaway compounding), and stopping it early keeps every
//! aggregate exact and finite. Validation refuses parameters beyond the
//! magnitudes; the engine stops a run whose incomes or cash flows leave them
//! (compounding can get there from accepted inputs) with an error naming the
//! village, year and intervention.
//!
//! Why these values (estimates, with their reasoning):
//!
//! - [`MAX_YUAN`], 10^12 yuan (1万亿): about the GDP of a large
//!   prefecture-level city; a village's collective operating income is
//!   10^5 to 10^8 yuan and a county's whole budget 10^9 to 10^11. Every
//!   money parameter, every village-year income and every cash flow stays
//!   within it, so sums over 100,000 villages, 100 years and 10 million runs
//!   fit the integer accumulators of [`crate::summary::accum`] exactly.
//! - [`MAX_RATE`], 10 (1,000% a year): far above any interest, return or
//!   growth rate of an asset; rates below -100% are impossible.
//! - [`MAX_LOG_GROWTH`], 1 per year (income multiplied by e = 2.7 or
//!   divided by it in one year): organic log growth beyond it is not a
//!   growth rate but a mistake (120 was seen, which overflows in six years).
//! - [`MAX_LOADING`], 5: the response of log income (or of a rate) to a
//!   one-standard-deviation region-wide shock; observed loadings are below
//!   0.5.
//! - [`MAX_QUANTITY`], 10^12: areas (m²), capacities (kW), households and
//!   other physical quantities.
//! - [`MAX_PROJECTS_PER_YEAR`], 1,000: the mean number of small public works
//!   a village executes in a year (a handful in practice). Each project is
//!   drawn one by one, so this bound is also what keeps a run's time finite.
//!
//! Sizes ([`MAX_VILLAGES`], [`MAX_POLICIES`], [`MAX_INTERVENTIONS`],
//! [`MAX_FACTORS`], [`MAX_FILE_BYTES`]) are checked before the memory they
//! would take is spent: the villages of every `[[villages]]` entry are
//! counted before any is built, a villages CSV is read as a stream that
//! stops at the first row beyond the cap, and a file larger than
//! [`MAX_FILE_BYTES`] is refused before it is read. Huining County has 284
//! villages and Wuxing District 23 struggling ones; the largest Chinese
//! prefecture-level city has fewer than 10,000 administrative villages.

/// Largest money amount, in yuan, of any parameter, income or cash flow.
pub const MAX_YUAN: f64 = 1e12;
/// Largest rate per year (interest, return, growth as a rate): 1,000%.
pub const MAX_RATE: f64 = 10.0;
/// Lowest discount rate: `0.9^-100` = 37,649, so a flow 100 years ahead
/// counts at most that many times its value in a present value.
pub const MIN_DISCOUNT_RATE: f64 = -0.1;
/// Largest magnitude of a log growth per year.
pub const MAX_LOG_GROWTH: f64 = 1.0;
/// Largest magnitude of a factor loading.
pub const MAX_LOADING: f64 = 5.0;
/// Largest physical quantity (m², kW, kWh per kW, households, units of service).
pub const MAX_QUANTITY: f64 = 1e12;
/// Largest mean number of projects per village per year (`project_service`).
pub const MAX_PROJECTS_PER_YEAR: f64 = 1_000.0;

/// Most simulated years.
pub const MAX_YEARS: i64 = 100;
/// Most Monte Carlo runs.
pub const MAX_RUNS: i64 = 10_000_000;
/// Most villages in a scenario (all entries and files together).
pub const MAX_VILLAGES: usize = 100_000;
/// Most policies, "no intervention" included.
pub const MAX_POLICIES: usize = 1_000;
/// Most interventions.
pub const MAX_INTERVENTIONS: usize = 10_000;
/// Most village-intervention pairs (the participating villages of every
/// intervention together, with outside beneficiaries): 100 measures in each
/// of 100,000 villages.
pub const MAX_PARTICIPATIONS: usize = 10_000_000;
/// Most common factors.
pub const MAX_FACTORS: usize = 100;
/// Largest scenario file or villages CSV file read, in bytes (64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Most problems reported for one file; further ones are only counted
/// (a file with 100,000 duplicate ids would otherwise print 100,000 lines).
pub const MAX_ERRORS: usize = 100;
/// Policies up to which every ordered pair is compared; beyond it each
/// policy is compared with the reference only (pairs grow with the square
/// of the policies).
pub const MAX_PAIRWISE_POLICIES: usize = 20;
