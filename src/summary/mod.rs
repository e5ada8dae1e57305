//! Aggregating runs: mergeable sums and sketches, and the finished results.

pub mod accounts;
pub mod accum;
pub mod check;
pub mod committed;
pub mod compare;
pub mod gini;
pub mod histogram;
pub mod interventions;
pub mod lanes;
pub mod names;
pub mod precision;
pub mod results;
pub mod samples;
pub mod sketch;
pub mod target_group;
pub mod words;
