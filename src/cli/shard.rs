//! `villagesim run --shard I/K` and `villagesim merge`: a job split into
//! shard files, and the shards merged into the outputs of one run.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use villagesim::engine::{Partial, RunOptions};
use villagesim::model::Model;
use villagesim::output;
use villagesim::scenario::{self, ReadOptions};
use villagesim::shard::{self, ShardHeader};

use super::flags::{CentralArg, LangArg, RunFlags};
use super::print;
use super::run::{command_of, load, out_dir, result_settings, write_outputs, Written};
use super::CliError;

/// `villagesim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard files (.vshard), in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder (default: output/<scenario-slug>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the merged runs as one shard file here instead of the outputs
    /// (to merge in a tree); the runs need not be complete then.
    #[arg(long, value_name = "FILE")]
    pub shard_out: Option<PathBuf>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Language of the charts and reports.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// No summary on standard output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Shard `I/K` (or `auto/K`) as (I, K).
fn parse_spec(spec: &str) -> Result<(u64, u64), CliError> {
    let usage = |why: &str| {
        CliError::Usage(format!(
            "--shard {spec}: {why}; write I/K with 0 <= I < K (e.g. --shard 2/8), or auto/K to take I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX"
        ))
    };
    let (i, k) = spec.split_once('/').ok_or_else(|| usage("no '/'"))?;
    let k: u64 = k.trim().parse().map_err(|_| usage("K is not a whole number"))?;
    if k == 0 {
        return Err(usage("K must be at least 1"));
    }
    let i = if i.trim() == "auto" {
        let (var, value) = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
            .iter()
            .find_map(|v| std::env::var(v).ok().map(|x| (*v, x)))
            .ok_or_else(|| usage("auto, but neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"))?;
        value
            .trim()
            .parse()
            .map_err(|_| usage(&format!("auto, but {var}={value} is not a whole number")))?
    } else {
        i.trim().parse().map_err(|_| usage("I is not a whole number"))?
    };
    if i >= k {
        return Err(usage(&format!(
            "I = {i} is not below K = {k} (shards are numbered from 0)"
        )));
    }
    Ok((i, k))
}

/// `villagesim run FILE --shard I/K`.
pub fn run_shard(file: &Path, flags: &RunFlags, spec: &str) -> Result<(), CliError> {
    let (index, count) = parse_spec(spec)?;
    let read = ReadOptions {
        central: flags.central.map(Into::into),
    };
    let bytes = scenario::read_source(file)?;
    let (model, digest) = load(file, read, flags.runs, flags.seed)?;
    if count > model.runs {
        return Err(CliError::Usage(format!(
            "--shard {spec}: {count} shards of {} runs would leave some empty; use at most {} shards",
            model.runs, model.runs
        )));
    }
    let runs = shard::shard_runs(model.runs, index, count);
    let dir = flags
        .out
        .clone()
        .unwrap_or_else(|| out_dir(None, &model).join("shards"));
    let path = dir.join(format!("shard-{index}-of-{count}.{}", shard::EXTENSION));
    let options = RunOptions {
        threads: flags.threads.unwrap_or(0),
        ignore_memory_limit: flags.ignore_memory_limit,
        ..Default::default()
    };
    let bar = print::runs_progress(runs.end - runs.start, flags.quiet);
    let started = Instant::now();
    let mut partial = Partial::new(&model, options)?;
    partial.extend(&model, options, runs.clone(), &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let header = header_of(
        file,
        &bytes,
        digest,
        &model,
        result_settings(flags),
        partial.runs().to_vec(),
    )?;
    shard::write(&path, &header, &partial).map_err(shard_error)?;
    if !flags.quiet {
        say!(
            "shard {index} of {count}: {} simulated in {:.1} s, written to {}",
            header.runs_text(),
            started.elapsed().as_secs_f64(),
            path.display()
        );
    }
    Ok(())
}

/// The header of a shard (or checkpoint) of `model` read from `file`
/// (`bytes`, whose SHA-256 is `digest`), made with `settings` (see
/// [`result_settings`]), holding `runs`.
pub(super) fn header_of(
    file: &Path,
    bytes: &[u8],
    digest: String,
    model: &Model,
    settings: Vec<String>,
    runs: Vec<Range<u64>>,
) -> Result<ShardHeader, CliError> {
    let base = file.parent().unwrap_or(Path::new("."));
    let scenario_dir = std::path::absolute(if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    })
    .map_err(|e| CliError::Usage(format!("{}: cannot resolve its folder: {e}", file.display())))?;
    Ok(ShardHeader {
        villagesim_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: file.display().to_string(),
        scenario_dir,
        scenario_sha256: digest,
        scenario_text: bytes.to_vec(),
        seed: model.seed,
        job_runs: model.runs,
        settings,
        policies: model.policies.iter().map(|p| p.name.clone()).collect(),
        runs,
    })
}

pub(super) fn shard_error(e: shard::ShardError) -> CliError {
    CliError::Usage(e.to_string())
}

/// `villagesim merge`.
pub fn merge(args: &MergeArgs) -> Result<(), CliError> {
    // First every header, so that a mismatch or a gap is reported before
    // any aggregates are decoded.
    let mut headers: Vec<(PathBuf, ShardHeader)> = Vec::new();
    for path in &args.shards {
        let shard = shard::read(path).map_err(shard_error)?;
        headers.push((path.clone(), shard.header));
    }
    let (first_path, first) = &headers[0];
    for (path, header) in &headers[1..] {
        if let Some(why) = first.mismatch(header) {
            return Err(CliError::Usage(format!(
                "{} and {} are not shards of the same job: {why}",
                first_path.display(),
                path.display()
            )));
        }
    }
    check_runs(&headers, (args.shard_out.is_none()).then_some(first.job_runs))?;
    let model = model_of(first)?;
    let options = RunOptions {
        threads: args.threads.unwrap_or(0),
        ..Default::default()
    };
    let started = Instant::now();
    let mut total: Option<Partial> = None;
    for path in &args.shards {
        let partial = shard::read(path).and_then(shard::Shard::partial).map_err(shard_error)?;
        match &mut total {
            None => total = Some(partial),
            Some(t) => t.merge(partial),
        }
    }
    let Some(total) = total else {
        return Err(CliError::Usage("no shard files given".into()));
    };
    if let Some(to) = &args.shard_out {
        let header = ShardHeader {
            runs: total.runs().to_vec(),
            ..first.clone()
        };
        shard::write(to, &header, &total).map_err(shard_error)?;
        if !args.quiet {
            say!(
                "{} shards, {}, merged into {}",
                args.shards.len(),
                header.runs_text(),
                to.display()
            );
        }
        return Ok(());
    }
    let out = out_dir(args.out.as_deref(), &model);
    let _lock = output::OutputLock::acquire(&out)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start worker threads: {e}")))?;
    let results = pool.install(|| total.finish(&model));
    let file = Path::new(&first.scenario_file);
    let files = [file];
    let digests = [first.scenario_sha256.clone()];
    let lang = args.lang.into();
    let written = Written {
        files: &files,
        digests: &digests,
        result_command: command_of(&first.scenario_file, first.job_runs, first.seed, &first.settings, lang),
        threads: options.threads,
        seconds: started.elapsed().as_secs_f64(),
    };
    write_outputs(&model, &results, &written, &out, lang, args.quiet)
}

/// The model the shards of `header` simulated, read from the scenario text
/// they carry.
fn model_of(header: &ShardHeader) -> Result<Model, CliError> {
    let central = header.settings.iter().find_map(|s| match s.as_str() {
        "--central=mean" => Some(CentralArg::Mean),
        "--central=median" => Some(CentralArg::Median),
        _ => None,
    });
    let read = ReadOptions {
        central: central.map(Into::into),
    };
    let mut model = scenario::parse_bytes(&header.scenario_file, &header.scenario_text, &header.scenario_dir, read)?;
    model.runs = header.job_runs;
    model.seed = header.seed;
    Ok(model)
}

/// Checks that the shards' runs are disjoint and, with `job_runs`, that
/// together they hold every run `0..job_runs`; the error names the runs and
/// the files.
fn check_runs(headers: &[(PathBuf, ShardHeader)], job_runs: Option<u64>) -> Result<(), CliError> {
    let mut ranges: Vec<(Range<u64>, &Path)> = headers
        .iter()
        .flat_map(|(p, h)| h.runs.iter().map(move |r| (r.clone(), p.as_path())))
        .collect();
    ranges.sort_by_key(|(r, _)| (r.start, r.end));
    let mut problems = Vec::new();
    let mut next = 0u64;
    let mut last: Option<&Path> = None;
    for (r, path) in &ranges {
        if r.start < next {
            let both = r.start..next.min(r.end);
            problems.push(format!(
                "{} are in both {} and {}",
                shard::range_text(both),
                last.map_or_else(String::new, |p| p.display().to_string()),
                path.display()
            ));
        } else if r.start > next && job_runs.is_some() {
            problems.push(format!(
                "{} are missing ({})",
                shard::range_text(next..r.start),
                match last {
                    Some(p) => format!("between {} and {}", p.display(), path.display()),
                    None => format!("before {}", path.display()),
                }
            ));
        }
        if r.end > next {
            next = r.end;
            last = Some(path);
        }
    }
    if let Some(total) = job_runs {
        if next < total {
            problems.push(format!(
                "{} are missing (after {}); the job has {total} runs",
                shard::range_text(next..total),
                last.map_or_else(String::new, |p| p.display().to_string())
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "the shards do not make one job: {}",
            problems.join("; ")
        )))
    }
}
