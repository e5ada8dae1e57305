//! Every run's samples (`--samples`): the rows the engine hands out a chunk
//! of runs at a time ([`RunSample`]), the columns they have
//! ([`SampleColumns`], found by `engine::samples`), where they go
//! ([`SampleSink`]) and what a writer needs to lay them out
//! ([`SamplesLayout`]).

use crate::model::Model;
use crate::summary::compare::RunOutcome;

/// The inputs of the samples, in column order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SampleColumns {
    pub inputs: Vec<SampleInput>,
}

/// One input column.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleInput {
    /// As the file names it: `support-fund.return_rate_per_year`,
    /// `villages.weak.growth`, `factors.economy`.
    pub name: String,
    /// The entity and purpose of its draws (see `model::DrawLog`).
    pub entity: u64,
    pub purpose: String,
}

/// One run: its inputs (in [`SampleColumns`] order; `None` where the run
/// drew none) and each policy's outcome (in the model's policy order).
#[derive(Debug, Clone)]
pub struct RunSample {
    pub run: u64,
    pub inputs: Vec<Option<f64>>,
    pub outcomes: Vec<RunOutcome>,
}

/// Where the samples go, a chunk of consecutive runs at a time, in run
/// order.
pub trait SampleSink {
    /// Takes the samples of consecutive runs.
    ///
    /// # Errors
    ///
    /// A message saying what could not be written, and where; the
    /// simulation then stops.
    fn take(&mut self, samples: &[RunSample]) -> Result<(), String>;
}

/// What a writer of the samples needs of the model.
#[derive(Debug, Clone)]
pub struct SamplesLayout {
    pub columns: SampleColumns,
    /// The policies' names, in the model's order.
    pub policies: Vec<String>,
    /// The year of [`RunOutcome`]'s index 0 (`coverage_year`).
    pub baseline_year: i32,
    pub final_year: i32,
    /// See [`target_year`].
    pub target_year: i32,
}

impl SamplesLayout {
    pub fn of(model: &Model, columns: SampleColumns) -> SamplesLayout {
        SamplesLayout {
            columns,
            policies: model.policies.iter().map(|p| p.name.clone()).collect(),
            baseline_year: model.baseline_year(),
            final_year: model.final_year(),
            target_year: target_year(model),
        }
    }
}

/// The year whose count of villages below the floor the samples (and
/// [`RunOutcome::target_below_floor`]) report: the target year when it
/// lies in the reported years, else the final year.
pub fn target_year(model: &Model) -> i32 {
    model
        .target_year
        .filter(|y| (model.baseline_year()..=model.final_year()).contains(y))
        .unwrap_or(model.final_year())
}
