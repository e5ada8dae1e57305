//! `villagesim run --precision`, `--checkpoint-every` and `--resume`: a
//! run simulated in blocks of runs, that stops by itself when precise
//! enough and can be saved and continued.
//!
//! The checkpoint is a shard file ([`villagesim::shard`]) beside the output
//! folder, `<out>.checkpoint.vshard`, not inside it: a run's outputs are
//! staged and swapped in as one folder when complete, and a commit carries
//! into the new folder every file of the old one it does not rewrite. A
//! checkpoint inside would create the folder before its outputs exist and
//! be carried into the new outputs (and so would a temporary file of a
//! checkpoint cut off by a kill).

use std::path::{Path, PathBuf};

use villagesim::engine::{Partial, RunOptions};
use villagesim::model::Model;
use villagesim::scenario;
use villagesim::shard::{self, ShardHeader};
use villagesim::summary::precision::{Targets, CHECK_EVERY_RUNS};
use villagesim::summary::results::Results;
use villagesim::summary::samples::{SampleColumns, SampleSink};

use super::flags::{JobFlags, RunFlags};
use super::run::{result_settings, PRECISION_SETTING};
use super::shard::{header_of, shard_error};
use super::CliError;

/// How a run is simulated when it stops by itself or is checkpointed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `--precision`, read.
    pub targets: Option<Targets>,
    /// The most runs (the model's runs are set to it).
    pub max_runs: u64,
    /// Runs between two checkpoints (a multiple of [`CHECK_EVERY_RUNS`]
    /// with targets).
    pub checkpoint_every: Option<u64>,
    pub resume: bool,
}

impl Plan {
    /// The plan of `job` for `model` (whose runs are then the most runs
    /// simulated); `None` when `job` asks for none of it.
    ///
    /// # Errors
    ///
    /// [`CliError::Usage`] for a bad `--precision` specification, a
    /// `--max-runs` without `--precision` or beside `--runs`, a run count
    /// out of range, or a zero `--checkpoint-every`.
    pub fn of(job: &JobFlags, flags: &RunFlags, model: &mut Model) -> Result<Option<Plan>, CliError> {
        if job.precision.is_none() && job.max_runs.is_some() {
            return Err(CliError::Usage(
                "--max-runs goes with --precision (a run without it simulates --runs runs)".into(),
            ));
        }
        if job.precision.is_none() && job.checkpoint_every.is_none() && !job.resume {
            return Ok(None);
        }
        let targets = match &job.precision {
            Some(spec) => {
                Some(Targets::parse(spec).map_err(|e| CliError::Usage(format!("--precision {spec}: bad part {e}")))?)
            }
            None => None,
        };
        if let Some(max) = job.max_runs {
            if flags.runs.is_some() {
                return Err(CliError::Usage(
                    "--runs and --max-runs both given: with --precision, --max-runs is the most runs".into(),
                ));
            }
            if max == 0 || max > villagesim::limits::MAX_RUNS as u64 {
                return Err(CliError::Usage(format!(
                    "--max-runs {max} is out of range: use 1 to {}",
                    villagesim::limits::MAX_RUNS
                )));
            }
            model.runs = max;
        }
        let checkpoint_every = match job.checkpoint_every {
            Some(0) => {
                return Err(CliError::Usage(
                    "--checkpoint-every 0: use a positive number of runs".into(),
                ))
            }
            Some(n) if targets.is_some() => Some(n.div_ceil(CHECK_EVERY_RUNS) * CHECK_EVERY_RUNS),
            other => other,
        };
        Ok(Some(Plan {
            targets,
            max_runs: model.runs,
            checkpoint_every,
            resume: job.resume,
        }))
    }

    /// The settings a checkpoint records beside [`result_settings`]: the
    /// targets, which decide where the run stops.
    pub fn settings(&self, flags: &RunFlags) -> Vec<String> {
        let mut settings = result_settings(flags);
        if let Some(t) = &self.targets {
            settings.push(format!("{PRECISION_SETTING}{}", t.spec()));
        }
        settings
    }
}

/// The checkpoint of the outputs bound for `destination` (absolute):
/// `<destination>.checkpoint.vshard`, beside it.
pub fn checkpoint_path(destination: &Path) -> PathBuf {
    let name = destination
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    destination.with_file_name(format!("{name}.checkpoint.{}", shard::EXTENSION))
}

/// Where a job's runs are reported as they finish.
pub struct Feed<'a> {
    /// Called with the runs done after each chunk.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// With `--samples`: the columns and the sink of every run's samples.
    pub samples: Option<(&'a SampleColumns, &'a mut dyn SampleSink)>,
}

/// Simulates `model` (read from `file`) by `plan`, saving checkpoints at
/// `checkpoint` and reporting the runs to `feed` after each chunk.
///
/// # Errors
///
/// [`CliError::Usage`] when `--resume` finds no checkpoint, or one of
/// another job, or an unreadable one (each naming the file); the engine's
/// errors; an I/O error writing a checkpoint.
pub fn simulate(
    model: &Model,
    file: &Path,
    flags: &RunFlags,
    options: RunOptions,
    plan: &Plan,
    checkpoint: &Path,
    feed: Feed,
) -> Result<Results, CliError> {
    let Feed { progress, mut samples } = feed;
    let bytes = scenario::read_source(file)?;
    let digest = super::run::sha256(&bytes);
    let header = header_of(
        file,
        &bytes,
        digest,
        model,
        plan.settings(flags),
        Vec::new(),
        Vec::new(),
    )?;
    drop(bytes);
    let mut partial = if plan.resume {
        resume(checkpoint, &header)?
    } else if plan.checkpoint_every.is_some() && checkpoint.exists() {
        // Overwriting it would lose the runs an interrupted run saved.
        return Err(CliError::Usage(format!(
            "{} holds the checkpoint of an earlier run into this folder: add --resume to continue it, or delete it to start again",
            checkpoint.display()
        )));
    } else {
        Partial::new(model, options)?
    };
    progress(partial.run_count());
    let max = plan.max_runs;
    let step = match (plan.targets, plan.checkpoint_every) {
        (Some(_), _) => CHECK_EVERY_RUNS,
        (None, Some(every)) => every,
        (None, None) => max,
    };
    let precision = loop {
        let done = partial.run_count();
        if let Some(targets) = plan.targets {
            if done > 0 && (done % CHECK_EVERY_RUNS == 0 || done >= max) {
                let precision = partial.precision(model, targets, max);
                if precision.met || done >= max {
                    break Some(precision);
                }
            }
        } else if done >= max {
            break None;
        }
        let next = ((done / step + 1) * step).min(max);
        let sink = samples.as_mut().map(|(c, s)| (*c, &mut **s as &mut dyn SampleSink));
        partial.extend_sampled(model, options, done..next, progress, sink)?;
        if let Some(every) = plan.checkpoint_every {
            if next % every == 0 && next < max {
                let header = ShardHeader {
                    runs: partial.runs().to_vec(),
                    ..header.clone()
                };
                shard::write(checkpoint, &header, &partial).map_err(shard_error)?;
            }
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let mut results = pool.install(|| partial.finish(model));
    results.precision = precision;
    Ok(results)
}

/// The partial saved at `checkpoint`, after checking it is of the job of
/// `header` and holds runs `0..k`.
fn resume(checkpoint: &Path, header: &ShardHeader) -> Result<Partial, CliError> {
    let shown = checkpoint.display();
    if !checkpoint.exists() {
        return Err(CliError::Usage(format!(
            "--resume: no checkpoint at {shown} (a run writes one with --checkpoint-every N)"
        )));
    }
    let saved = shard::read(checkpoint).map_err(shard_error)?;
    if let Some(why) = saved.header.mismatch(header) {
        return Err(CliError::Usage(format!(
            "--resume: {shown} is the checkpoint of another run: {why}; resume with that run's options, or delete {shown} to start again"
        )));
    }
    let runs = saved.header.runs.clone();
    if runs.len() != 1 || runs[0].start != 0 || runs[0].end > header.job_runs {
        return Err(CliError::Usage(format!(
            "--resume: {shown} holds {}, not the first runs of a job of {}; delete it to start again",
            shard::runs_text(&runs),
            header.job_runs
        )));
    }
    saved.partial().map_err(shard_error)
}
