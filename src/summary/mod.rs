//! Aggregating runs: mergeable sums and sketches, and the finished results.

pub mod accounts;
pub mod accum;
pub mod check;
pub mod compare;
pub mod histogram;
pub mod interventions;
pub mod results;
pub mod sketch;
pub mod target_group;
