//! Property-based fuzzing of everything that reads user input: scenario
//! files (generated from the format's grammar, and mutations of the bundled
//! scenarios), saved results folders for `report`, and the binary itself.
//!
//! Every case goes through validation, a tiny simulation and (for a subset)
//! the writing of every output, under a watchdog. The properties:
//!
//! - no panic and no hang (a case taking longer than the timeout fails);
//! - a rejected file gets a located error (`file:line:col: ...`) with a
//!   message a user can act on;
//! - an accepted file simulates to finite results (no inf or NaN anywhere,
//!   probabilities in [0, 1]) and writes finite outputs, all of them or none.
//!
//! A few hundred cases run in `cargo test`. A long campaign:
//!
//! ```text
//! VILLAGESIM_FUZZ_CASES=20000 cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! Knobs (environment variables):
//! - `VILLAGESIM_FUZZ_CASES`: cases per scenario generator (by default 150
//!   generated and 40 mutated scenarios and 12 results folders); the
//!   results-folder generator gets a third of it, the binary a fixed handful;
//! - `VILLAGESIM_FUZZ_SEED`: the seed (default fixed, so CI is reproducible);
//! - `VILLAGESIM_FUZZ_TIMEOUT`: seconds before a case counts as hung (20);
//! - `VILLAGESIM_FUZZ_MAX_HANGS`: hangs after which a generator stops (1: a
//!   hung case keeps its thread busy, so going on only slows the rest);
//! - `VILLAGESIM_FUZZ_WRITE_EVERY`: write the outputs of every Nth accepted
//!   case (default 5; 1 writes all).
//!
//! Each distinct failure (by stage and panic location or symptom) is shrunk
//! with proptest's value trees, saved to `target/fuzz-failures/` and listed
//! at the end; see docs/robustness.md.

mod check;
mod cli;
mod finite;
mod grammar;
mod harness;
mod mutate;
mod results_json;

use harness::Campaign;

#[test]
fn generated_scenarios() {
    let cases = harness::cases(150, 1.0);
    Campaign::new("grammar", cases).run(&grammar::scenario(), |text| check::scenario_case("fuzz.toml", text));
}

#[test]
fn mutated_bundled_scenarios() {
    let cases = harness::cases(40, 1.0);
    Campaign::new("mutation", cases).run(&mutate::mutated(), |text| check::scenario_case("mutated.toml", text));
}

#[test]
fn corrupted_results_folders() {
    let cases = harness::cases(12, 1.0 / 3.0);
    let baseline = results_json::Baseline::new();
    Campaign::new("results", cases).run(&results_json::corrupted(baseline.results_json()), move |text| {
        baseline.check(text)
    });
}

#[test]
fn the_binary_on_bad_input() {
    cli::sample();
}
