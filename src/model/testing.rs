//! Test helpers for the kinds: a one-intervention scenario over `villages`
//! identical villages with 100,000 yuan of operating income, from 2025.

use std::path::Path;

use super::Model;

/// What differs between the kinds' test scenarios.
pub(crate) struct OneKind<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub seed: u64,
    /// Extra tables placed before `[targets]` (e.g. factors).
    pub extra: &'a str,
}

impl OneKind<'_> {
    /// The scenario text with the kind's own keys `own`.
    pub fn scenario(&self, villages: usize, years: usize, runs: u64, own: &str) -> String {
        let OneKind { kind, id, seed, extra } = self;
        format!(
            "[scenario]\nname = \"{kind} test\"\nstart_year = 2025\nyears = {years}\nruns = {runs}\nseed = {seed}\n\n{extra}\n[targets]\nfloor = \"50万\"\nweak = \"30万\"\n\n[[villages]]\ngroup = \"g\"\ncount = {villages}\noperating_income = 100000\n\n[[interventions]]\nid = \"{id}\"\nkind = \"{kind}\"\nvillages = \"all\"\n{own}\n"
        )
    }

    /// The errors of the scenario; panics if it is valid.
    pub fn invalid(&self, villages: usize, years: usize, runs: u64, own: &str) -> crate::scenario::InvalidScenario {
        let text = self.scenario(villages, years, runs, own);
        match crate::scenario::parse("test.toml", &text, Path::new(".")) {
            Ok(_) => panic!("the scenario is valid:\n{text}"),
            Err(e) => e,
        }
    }

    /// The validated model; panics with the errors if the scenario is invalid.
    pub fn model(&self, villages: usize, years: usize, runs: u64, own: &str) -> Model {
        let text = self.scenario(villages, years, runs, own);
        crate::scenario::parse("test.toml", &text, Path::new(".")).unwrap_or_else(|e| panic!("{}", e.plain()))
    }
}

/// The validated model of a whole scenario text; panics if it is invalid.
pub(crate) fn model(text: &str) -> Model {
    crate::scenario::parse("test.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{}", e.plain()))
}

/// The first error of an invalid scenario text.
pub(crate) fn error(text: &str) -> String {
    match crate::scenario::parse("test.toml", text, Path::new(".")) {
        Ok(_) => panic!("the scenario is valid"),
        Err(e) => e.errors[0].to_string(),
    }
}

/// Whether `a` and `b` differ by at most `tol`.
pub(crate) fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The results of `model` on one thread.
pub(crate) fn run(model: &Model) -> crate::summary::results::Results {
    let options = crate::engine::RunOptions {
        threads: 1,
        ..Default::default()
    };
    crate::engine::simulate(model, options, &|_| {}).unwrap()
}
