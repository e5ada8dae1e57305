//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod serve;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use villagesim::engine::{self, RunOptions};
use villagesim::model::Model;
use villagesim::summary::results::Results;

/// The `villagesim` binary, with a fixed working directory.
pub fn villagesim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("villagesim").expect("the binary builds");
    cmd.current_dir(dir);
    cmd
}

/// Writes `text` as `name` in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the scenario");
    path
}

/// Parses a scenario given as text.
pub fn model(text: &str) -> Model {
    villagesim::scenario::parse("test.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{}", e.plain()))
}

/// Simulates a model with `threads` workers.
pub fn simulate(model: &Model, threads: usize) -> Results {
    engine::simulate(
        model,
        RunOptions {
            threads,
            ..Default::default()
        },
        &|_| {},
    )
    .expect("simulation runs")
}

/// A scenario header with `years` years and `runs` runs from 2025, floor 50万, weak 30万.
pub fn header(years: u32, runs: u32) -> String {
    format!(
        "[scenario]\nname = \"test\"\nstart_year = 2025\nyears = {years}\nruns = {runs}\nseed = 7\n\n[targets]\nfloor = \"50万\"\nweak = \"30万\"\n\n"
    )
}

/// `s` without white space or the frame miette wraps long messages in, so
/// that a message can be matched whatever the terminal's width.
pub fn flat(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '│' && *c != '×')
        .collect()
}

/// Whether `message` says `what` (both compared [`flat`]).
pub fn says(message: &str, what: &str) -> bool {
    flat(message).contains(&flat(what))
}
