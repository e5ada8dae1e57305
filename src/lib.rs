//! villagesim: Monte Carlo projections of village collective income under
//! rural-revitalisation policies.
//!
//! Data flows one way: a scenario file is read and validated into a
//! [`model::Model`] ([`scenario`]), the [`engine`] simulates it run by run on
//! common random numbers into mergeable aggregates, which become
//! [`summary::results::Results`], from which [`output`] writes CSV, JSON and
//! charts.

pub mod analysis;
pub mod charts;
pub mod engine;
pub mod format;
pub mod limits;
pub mod model;
pub mod output;
pub mod points;
pub mod rng;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod summary;
