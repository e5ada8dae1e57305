//! `villagesim run` and `villagesim compare`: simulate, write the outputs,
//! print what they say.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

use villagesim::engine::{self, RunOptions};
use villagesim::limits::MAX_RUNS;
use villagesim::model::Model;
use villagesim::output::samples::SamplesCsv;
use villagesim::output::{self, Manifest};
use villagesim::scenario::{self, ReadOptions};
use villagesim::summary::results::Results;
use villagesim::summary::samples::{SampleSink, SamplesLayout};

use super::flags::{JobFlags, RunFlags};
use super::job::{self, Plan};
use super::print;
use super::CliError;

/// `villagesim run` (without `--shard`).
pub fn run(file: &Path, flags: &RunFlags, job: &JobFlags) -> Result<(), CliError> {
    let read = ReadOptions {
        central: flags.central.map(Into::into),
    };
    let (mut model, digest) = load(file, read, flags.runs, flags.seed)?;
    let plan = Plan::of(job, flags, &mut model)?;
    let options = RunOptions {
        threads: flags.threads.unwrap_or(0),
        ignore_memory_limit: flags.ignore_memory_limit,
        ..Default::default()
    };
    run_model(&model, &[file], &[digest], flags, options, None, plan.as_ref()).map(|_| ())
}

/// `villagesim compare`.
pub fn compare(files: &[PathBuf], reference: &str, flags: &RunFlags) -> Result<(), CliError> {
    let mut models = Vec::new();
    let mut digests = Vec::new();
    for file in files {
        let label = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let read = ReadOptions {
            central: flags.central.map(Into::into),
        };
        let (model, digest) = load(file, read, flags.runs, flags.seed)?;
        models.push((label, model));
        digests.push(digest);
    }
    let model = scenario::combine::combine(models).map_err(CliError::Usage)?;
    let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
    if !names.iter().any(|n| n == reference) {
        return Err(CliError::Usage(format!(
            "no policy named \"{reference}\"; policies: {}",
            names.join(", ")
        )));
    }
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let options = RunOptions {
        threads: flags.threads.unwrap_or(0),
        reference: names.iter().position(|n| *n == reference).unwrap_or(0),
        ignore_memory_limit: flags.ignore_memory_limit,
        keep_finals: false,
    };
    let results = run_model(&model, &paths, &digests, flags, options, Some(reference), None)?;
    if !flags.quiet {
        for line in print::comparison(&results, reference, flags.lang.into()) {
            say!("{line}");
        }
    }
    Ok(())
}

/// Reads and validates the scenario at `file` with `options` and the
/// overrides of the command line; with the SHA-256 of the bytes read, the
/// very bytes validated.
pub fn load(
    file: &Path,
    options: ReadOptions,
    runs: Option<u64>,
    seed: Option<u64>,
) -> Result<(Model, String), CliError> {
    let bytes = scenario::read_source(file)?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut model = scenario::parse_bytes(&file.display().to_string(), &bytes, base, options)?;
    if let Some(runs) = runs {
        if runs == 0 || runs > MAX_RUNS as u64 {
            return Err(CliError::Usage(format!(
                "--runs {runs} is out of range: use 1 to {MAX_RUNS}"
            )));
        }
        model.runs = runs;
    }
    if let Some(seed) = seed {
        model.seed = seed;
    }
    Ok((model, sha256(&bytes)))
}

pub(super) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Simulates `model` (read from `files`, whose digests are `digests`) and
/// writes its outputs; `reference` is the policy a `compare` measures the
/// others against, recorded in the results for the report; `plan` how a
/// `run` stops and is checkpointed ([`Plan`]).
fn run_model(
    model: &Model,
    files: &[&Path],
    digests: &[String],
    flags: &RunFlags,
    options: RunOptions,
    reference: Option<&str>,
    plan: Option<&Plan>,
) -> Result<Results, CliError> {
    let out = out_dir(flags.out.as_deref(), model);
    // Before simulating: a second run into the same folder refuses now,
    // not after minutes of work. Stale staging folders go here too.
    let lock = output::OutputLock::acquire(&out)?;
    let checkpoint = job::checkpoint_path(lock.destination());
    if flags.samples && plan.is_some_and(|p| p.resume) {
        return Err(CliError::Usage(
            "--samples does not go with --resume: the checkpoint keeps the runs' aggregates, not their samples; run again without --resume to write samples.csv".into(),
        ));
    }
    // With --samples, the outputs are staged now: samples.csv is written
    // into the staging folder as the runs finish.
    let mut staging = flags.samples.then(|| output::Staging::new(&out)).transpose()?;
    let started = Instant::now();
    let mut sampler = match &mut staging {
        Some(staging) => {
            let columns = engine::samples::columns(model)?;
            let layout = SamplesLayout::of(model, columns.clone());
            Some((columns, SamplesCsv::create(staging, layout)?))
        }
        None => None,
    };
    let sink = sampler.as_mut().map(|(c, s)| (&*c, s as &mut dyn SampleSink));
    let bar = print::runs_progress(model.runs, flags.quiet);
    let mut results = match plan {
        Some(plan) => {
            let feed = job::Feed {
                progress: &|n| bar.inc(n),
                samples: sink,
            };
            job::simulate(model, files[0], flags, options, plan, &checkpoint, feed)?
        }
        None => engine::simulate_sampled(model, options, &|n| bar.inc(n), sink)?,
    };
    if let Some((_, csv)) = sampler {
        csv.finish()?;
    }
    results.reference = reference.map(str::to_string);
    bar.finish_and_clear();
    let settings = plan.map_or_else(|| result_settings(flags), |p| p.settings(flags));
    let result_command = match reference {
        Some(_) => Vec::new(),
        None => command_of(
            &files[0].display().to_string(),
            model.runs,
            model.seed,
            &settings,
            flags.lang.into(),
        ),
    };
    let written = Written {
        files,
        digests,
        result_command,
        threads: options.threads,
        seconds: started.elapsed().as_secs_f64(),
    };
    write_outputs(model, &results, &written, &out, staging, flags.lang.into(), flags.quiet)?;
    if plan.is_some_and(|p| p.checkpoint_every.is_some() || p.resume) {
        std::fs::remove_file(&checkpoint)
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| {
                CliError::Usage(format!(
                    "the outputs are written, but the checkpoint {} cannot be removed: {e}",
                    checkpoint.display()
                ))
            })?;
    }
    Ok(results)
}

/// The output folder: `--out`, or output/<scenario-slug>.
pub fn out_dir(out: Option<&Path>, model: &Model) -> PathBuf {
    out.map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new("output").join(scenario::slug(&model.name)))
}

/// The one `villagesim run` command that makes these results in one
/// process: the scenario, the runs, the seed and the settings that change
/// the results or the outputs (as [`result_settings`] and
/// [`PRECISION_SETTING`] write them), whatever else the command line said
/// (threads, output folder, shards, checkpoints):
///
/// ```text
/// villagesim run FILE --runs N --seed S SETTINGS [--lang zh]
/// villagesim run FILE --seed S SETTINGS --precision SPEC --max-runs N [--lang zh]
/// ```
///
/// the second when `settings` hold `--precision=SPEC`, with `runs` the
/// job's most runs.
pub fn command_of(
    file: &str,
    runs: u64,
    seed: u64,
    settings: &[String],
    lang: villagesim::format::Lang,
) -> Vec<String> {
    let mut args: Vec<String> = ["villagesim", "run", file].map(String::from).to_vec();
    let precision = settings.iter().find_map(|s| s.strip_prefix(PRECISION_SETTING));
    if precision.is_none() {
        args.extend(["--runs".to_string(), runs.to_string()]);
    }
    args.extend(["--seed".to_string(), seed.to_string()]);
    args.extend(settings.iter().filter(|s| !s.starts_with(PRECISION_SETTING)).cloned());
    if let Some(spec) = precision {
        args.extend([
            "--precision".to_string(),
            spec.to_string(),
            "--max-runs".to_string(),
            runs.to_string(),
        ]);
    }
    if lang == villagesim::format::Lang::Zh {
        args.extend(["--lang".to_string(), "zh".to_string()]);
    }
    args
}

/// How the settings of a shard, checkpoint or command give the targets of
/// a run that stops by itself: `--precision=SPEC` (the canonical
/// [`villagesim::summary::precision::Targets::spec`]).
pub const PRECISION_SETTING: &str = "--precision=";

/// The flags of `flags` that change the simulated results, as written on
/// the command line.
pub fn result_settings(flags: &RunFlags) -> Vec<String> {
    match flags.central {
        Some(super::flags::CentralArg::Mean) => vec!["--central=mean".to_string()],
        Some(super::flags::CentralArg::Median) => vec!["--central=median".to_string()],
        None => Vec::new(),
    }
}

/// How finished results were made, for the manifest and the report.
pub struct Written<'a> {
    pub files: &'a [&'a Path],
    pub digests: &'a [String],
    /// See [`result_command`]; empty for `compare`.
    pub result_command: Vec<String>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    pub seconds: f64,
}

/// Writes the outputs of finished `results` into `out` (through `staging`
/// when begun earlier, for `--samples`) and prints what they say.
pub fn write_outputs(
    model: &Model,
    results: &Results,
    how: &Written,
    out: &Path,
    staging: Option<output::Staging>,
    lang: villagesim::format::Lang,
    quiet: bool,
) -> Result<(), CliError> {
    let seconds = how.seconds;
    let village_years =
        results.runs as f64 * model.villages.len() as f64 * model.years as f64 * model.policies.len() as f64;
    let mut manifest = Manifest {
        tool: "villagesim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: std::env::args().collect(),
        result_command: how.result_command.clone(),
        scenario_file: how
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        scenario_sha256: how.digests.join(", "),
        seed: results.seed,
        runs: results.runs,
        threads: if how.threads == 0 {
            rayon::current_num_threads()
        } else {
            how.threads
        },
        wall_time_seconds: seconds,
        village_years_per_second: village_years / seconds.max(1e-9),
        peak_memory_mb: None,
        files: Vec::new(),
    };
    match staging {
        Some(staging) => output::write_run_staged(staging, results, &mut manifest, lang)?,
        None => output::write_run(results, &mut manifest, out, lang)?,
    };
    if !quiet {
        for line in print::closing(results, out, seconds, manifest.village_years_per_second, lang) {
            say!("{line}");
        }
    }
    Ok(())
}
