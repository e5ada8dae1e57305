//! Every run's samples (`--samples`): for each run, the uncertain inputs it
//! drew and, for each policy, its headline outcomes, handed to a
//! [`SampleSink`] a chunk of runs at a time, in run order, so that memory
//! stays flat however many runs there are.
//!
//! An input's value in a run is the mean of the values drawn for it within
//! the horizon ([`DrawLog`]): the value itself for an input drawn once per
//! run; for one drawn per village, per year or both, its mean over the
//! villages and years it was drawn for (a run-level summary, as a
//! regression on the inputs needs); for a common factor (`factors.NAME`),
//! the mean of its standard normal path over the horizon. A support fund's
//! return rate is the mean over its reset periods within the horizon, the
//! periods after an operator default included (drawn from the rate's own
//! stream, so the results do not change).
//!
//! The inputs are found by simulating run 0 once with a log
//! ([`columns`]): its draws name the columns, in the order drawn.
//! An input that run 0 did not draw has no column. Noting never draws from
//! a stream the run uses, so the results with `--samples` are exactly those
//! without, and the rows are the same for any number of threads.

use super::{simulate_run, Aggregates, EngineError, Scratch};
use crate::model::{DrawLog, Model};
use crate::rng::key_of;
use crate::summary::compare::RunOutcome;
pub use crate::summary::samples::{target_year, RunSample, SampleColumns, SampleInput, SampleSink};

/// The key of a common factor's entity in a [`DrawLog`].
fn factor_key(name: &str) -> u64 {
    key_of(&format!("factor:{name}"))
}

/// What a worker keeps to sample its runs.
#[derive(Debug)]
pub(super) struct Sampling {
    pub(super) log: DrawLog,
    factor_keys: Vec<u64>,
    columns: Vec<(u64, String)>,
    pub(super) rows: Vec<RunSample>,
}

impl Sampling {
    pub(super) fn new(model: &Model, columns: &SampleColumns) -> Sampling {
        Sampling {
            log: DrawLog::default(),
            factor_keys: model.factors.iter().map(|f| factor_key(&f.name)).collect(),
            columns: (columns.inputs.iter()).map(|c| (c.entity, c.purpose.clone())).collect(),
            rows: Vec::new(),
        }
    }

    /// Starts run: forgets the last run's values and notes the factors.
    pub(super) fn start(&self, factors: &[Vec<f64>], years: usize) {
        self.log.clear();
        for (key, path) in self.factor_keys.iter().zip(factors) {
            self.log.note(*key, "factor", &path[..years.min(path.len())]);
        }
    }

    /// Keeps the run's row.
    pub(super) fn finish(&mut self, run: u64, outcomes: &[RunOutcome]) {
        let inputs = (self.columns.iter())
            .map(|(entity, purpose)| self.log.value(*entity, purpose))
            .collect();
        self.rows.push(RunSample {
            run,
            inputs,
            outcomes: outcomes.to_vec(),
        });
    }
}

/// The inputs of `model`'s runs: those run 0 draws, named as the file
/// names them.
///
///
/// # Errors
///
/// [`EngineError::OutOfRange`] when run 0 leaves the accepted range (the
/// simulation would fail on it too).
pub fn columns(model: &Model) -> Result<SampleColumns, EngineError> {
    let mut scratch = Scratch::new(model);
    scratch.sampling = Some(Sampling::new(model, &SampleColumns::default()));
    let mut aggregates = Aggregates::new(model, 0);
    let mut incomes = vec![0.0; model.policies.len() * model.villages.len() * (model.years + 1)];
    simulate_run(model, 0, &mut incomes, &mut scratch, &mut aggregates).map_err(EngineError::OutOfRange)?;
    let noted = scratch.sampling.map(|s| s.log.noted()).unwrap_or_default();
    let inputs = noted
        .into_iter()
        .filter(|n| n.count > 0)
        .map(|n| SampleInput {
            name: name_of(model, n.entity, &n.purpose),
            entity: n.entity,
            purpose: n.purpose,
        })
        .collect();
    Ok(SampleColumns { inputs })
}

/// The name of `(entity, purpose)` as the scenario file names it.
fn name_of(model: &Model, entity: u64, purpose: &str) -> String {
    if let Some(iv) = model.interventions.iter().find(|iv| iv.key == entity) {
        return format!("{}.{purpose}", iv.id);
    }
    if let Some(v) = model.villages.iter().find(|v| v.entry_key == entity) {
        return format!("villages.{}.{purpose}", v.entry_label);
    }
    if let Some(f) = model.factors.iter().find(|f| factor_key(&f.name) == entity) {
        return format!("factors.{}", f.name);
    }
    format!("{entity:016x}.{purpose}")
}
