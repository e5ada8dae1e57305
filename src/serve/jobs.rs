//! The runs behind the page: one job at a time, a quick answer first and
//! the full one after, a job cancelled when a newer one is asked for.
//!
//! A job simulates the edited scenario on the same random numbers as
//! `villagesim run` would (runs are keyed by their number, [`crate::rng`]):
//!
//! - the quick answer is runs `0..q` ([`ServeOptions::quick_runs`], at most
//!   the scenario's runs), simulated in the request that asked for it;
//! - the full answer is runs `0..R`, simulated on a thread of its own in
//!   blocks of [`BLOCK_RUNS`] runs. Before each block the job looks at its
//!   cancel flag, so a superseded job stops within one block. Blocks merge
//!   exactly ([`Partial::extend`]), so the full answer is identical to
//!   `villagesim run FILE --runs R --seed S` on the edited file.
//!
//! The quick answer's runs are simulated again by the full job rather than
//! kept: they are a small share of the full runs (by default 200 of the
//! scenario's thousands), and the engine's partial cannot be finished twice.
//!
//! [`ServeOptions::quick_runs`]: super::ServeOptions::quick_runs

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::engine::{EngineError, Partial, RunOptions};
use crate::model::Model;
use crate::summary::results::Results;

/// Runs simulated between two looks at the cancel flag.
pub const BLOCK_RUNS: u64 = 100;

/// One simulation of an edited scenario.
pub struct Job {
    /// Its number: each newer job has a larger one.
    pub gen: u64,
    /// The scenario it simulates (its name in the folder) and the edited
    /// text simulated.
    pub file: String,
    pub text: String,
    /// The SHA-256 of the file as it was read for this job.
    pub original_sha256: String,
    pub model: Model,
    cancel: AtomicBool,
    /// Runs simulated so far by its full answer's thread (or its quick one).
    runs_done: AtomicU64,
    stage: Mutex<Stage>,
}

/// What a job simulates: the scenario's name in the folder, the digest of
/// its file as read, and the edited text.
pub struct Source {
    pub file: String,
    pub original_sha256: String,
    pub text: String,
}

/// How far a job has got.
#[derive(Clone)]
pub enum Stage {
    Running,
    Quick(Arc<Results>),
    Full(Arc<Results>),
    Failed(String),
}

impl Job {
    /// Its stage now.
    pub fn stage(&self) -> Stage {
        lock(&self.stage).clone()
    }

    /// The best answer it has: the full one, else the quick one.
    pub fn results(&self) -> Option<Arc<Results>> {
        match self.stage() {
            Stage::Quick(r) | Stage::Full(r) => Some(r),
            Stage::Running | Stage::Failed(_) => None,
        }
    }

    /// Runs simulated so far by the answer under way.
    pub fn runs_done(&self) -> u64 {
        self.runs_done.load(Ordering::Relaxed)
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The current job and a way to wait for it.
#[derive(Default)]
pub struct Jobs {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    last_gen: u64,
    current: Option<Arc<Job>>,
}

/// What waiting for a job's full answer found.
pub enum Waited {
    /// The job's stage when the wait ended (full, failed, or still quick
    /// when the wait timed out).
    Stage(Arc<Job>),
    /// A newer job replaced it.
    Superseded,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another request must not take the page down with it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Jobs {
    /// Starts a job for `model` (read from `source`): cancels the one
    /// before, simulates the quick answer of `quick_runs` runs here and the
    /// full answer on a thread of its own. Returns the job once its quick
    /// answer is in, or failed, or cancelled by a newer job (then still
    /// [`Stage::Running`]).
    pub fn start(self: &Arc<Self>, source: Source, model: Model, quick_runs: u64, options: RunOptions) -> Arc<Job> {
        let job = {
            let mut state = lock(&self.state);
            if let Some(old) = &state.current {
                old.cancel.store(true, Ordering::Relaxed);
            }
            state.last_gen += 1;
            let job = Arc::new(Job {
                gen: state.last_gen,
                file: source.file,
                text: source.text,
                original_sha256: source.original_sha256,
                model,
                cancel: AtomicBool::new(false),
                runs_done: AtomicU64::new(0),
                stage: Mutex::new(Stage::Running),
            });
            state.current = Some(job.clone());
            job
        };
        self.changed.notify_all();
        let runs = job.model.runs;
        let q = quick_runs.clamp(1, runs.max(1));
        let quick = simulate(&job, options, q);
        let (stage, more) = match quick {
            Ok(Some(r)) if q >= runs => (Stage::Full(Arc::new(r)), false),
            Ok(Some(r)) => (Stage::Quick(Arc::new(r)), true),
            Ok(None) => return job,
            Err(e) => (Stage::Failed(e), false),
        };
        self.set(&job, stage);
        if more {
            let (jobs, job) = (self.clone(), job.clone());
            std::thread::spawn(move || match simulate(&job, options, runs) {
                Ok(Some(r)) => jobs.set(&job, Stage::Full(Arc::new(r))),
                Ok(None) => {}
                Err(e) => jobs.set(&job, Stage::Failed(e)),
            });
        }
        job
    }

    fn set(&self, job: &Job, stage: Stage) {
        *lock(&job.stage) = stage;
        // Taken so that a waiter cannot miss the change between its look
        // at the stage and its wait.
        let _state = lock(&self.state);
        self.changed.notify_all();
    }

    /// The current job, if it is job `gen`.
    pub fn get(&self, gen: u64) -> Option<Arc<Job>> {
        lock(&self.state).current.clone().filter(|j| j.gen == gen)
    }

    /// The current job.
    pub fn current(&self) -> Option<Arc<Job>> {
        lock(&self.state).current.clone()
    }

    /// Waits up to `timeout` for job `gen` to have its full answer (or to
    /// fail).
    pub fn wait_full(&self, gen: u64, timeout: Duration) -> Waited {
        let deadline = Instant::now() + timeout;
        let mut state = lock(&self.state);
        loop {
            let Some(job) = state.current.clone().filter(|j| j.gen == gen) else {
                return Waited::Superseded;
            };
            let now = Instant::now();
            if matches!(job.stage(), Stage::Full(_) | Stage::Failed(_)) || now >= deadline {
                return Waited::Stage(job);
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(s, _)| s)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

/// Runs `0..runs` of the job's model in blocks, looking at the cancel flag
/// before each: `None` when cancelled.
fn simulate(job: &Job, options: RunOptions, runs: u64) -> Result<Option<Results>, String> {
    // A bug in the engine fails this job, not the page.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| simulate_engine(job, options, runs))) {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("the simulation failed (a bug in villagesim: please report it)".into()),
    }
}

fn simulate_engine(job: &Job, options: RunOptions, runs: u64) -> Result<Option<Results>, EngineError> {
    let mut partial = Partial::new(&job.model, options)?;
    let mut start = 0;
    while start < runs {
        if job.cancelled() {
            return Ok(None);
        }
        let end = (start + BLOCK_RUNS).min(runs);
        partial.extend(&job.model, options, start..end, &|_| {})?;
        job.runs_done.store(end, Ordering::Relaxed);
        start = end;
    }
    if job.cancelled() {
        return Ok(None);
    }
    Ok(Some(partial.finish(&job.model)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(runs: u64) -> Model {
        let text = std::fs::read_to_string("scenarios/quickstart.toml").expect("the quickstart scenario");
        let mut m = crate::scenario::parse("quickstart.toml", &text, std::path::Path::new("scenarios"))
            .unwrap_or_else(|e| panic!("{}", e.plain()));
        m.runs = runs;
        m
    }

    fn source() -> Source {
        Source {
            file: "q.toml".into(),
            original_sha256: String::new(),
            text: String::new(),
        }
    }

    #[test]
    fn the_full_answer_equals_a_whole_run_and_a_newer_job_stops_the_older() {
        let jobs = Arc::new(Jobs::default());
        let options = RunOptions::default();
        let m = model(250);
        let whole = crate::engine::simulate(&m, options, &|_| {}).expect("a run");
        let job = jobs.start(source(), m, 30, options);
        assert!(matches!(job.stage(), Stage::Quick(ref r) if r.runs == 30));
        let Waited::Stage(done) = jobs.wait_full(job.gen, Duration::from_secs(600)) else {
            panic!("superseded")
        };
        let Stage::Full(full) = done.stage() else {
            panic!("no full answer")
        };
        assert_eq!(*full, whole, "blocks of runs merge into the whole run's results");

        // A long job, then a newer one: the long one stops within a block.
        let long = jobs.start(source(), model(1_000_000), 10, options);
        std::thread::sleep(Duration::from_millis(200));
        let newer = jobs.start(source(), model(20), 20, options);
        assert!(
            matches!(newer.stage(), Stage::Full(_)),
            "quick runs >= runs: full at once"
        );
        assert!(matches!(jobs.wait_full(long.gen, Duration::ZERO), Waited::Superseded));
        std::thread::sleep(Duration::from_millis(300));
        let stopped = long.runs_done();
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(long.runs_done(), stopped, "the superseded job simulates no more");
        assert!(stopped < 1_000_000);
        assert!(matches!(long.stage(), Stage::Quick(_)));
    }
}
