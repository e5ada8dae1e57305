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
use villagesim::summary::precision::{Precision, Targets, CHECK_EVERY_RUNS};

use super::flags::{CentralArg, JobFlags, LangArg, RunFlags};
use super::groups;
use super::job::Plan;
use super::print;
use super::run::{command_of, load, out_dir, result_settings, write_outputs, Written, PRECISION_SETTING};
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
pub(super) fn parse_spec(spec: &str) -> Result<(u64, u64), CliError> {
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

/// `villagesim run FILE --shard I/K`: runs `shard_runs(runs, I, K)`; with
/// `--precision`, block `I` of the job's blocks of [`CHECK_EVERY_RUNS`]
/// (so that `merge` can stop where one process would, see
/// [`merge_to_stop`]).
pub fn run_shard(file: &Path, flags: &RunFlags, job: &JobFlags, spec: &str) -> Result<(), CliError> {
    let (index, count) = parse_spec(spec)?;
    let read = ReadOptions {
        central: flags.central.map(Into::into),
    };
    let bytes = scenario::read_source(file)?;
    let (mut model, digest) = load(file, read, flags.runs, flags.seed)?;
    let plan = Plan::of(job, flags, &mut model)?;
    let settings = plan
        .as_ref()
        .map_or_else(|| result_settings(flags), |p| p.settings(flags));
    let runs = if plan.as_ref().is_some_and(|p| p.targets.is_some()) {
        let blocks = model.runs.div_ceil(CHECK_EVERY_RUNS);
        if count != blocks {
            return Err(CliError::Usage(format!(
                "--shard {spec} with --precision: a shard is one block of {CHECK_EVERY_RUNS} runs, the runs between two checks, so that merge stops where one process would; {} runs make {blocks} blocks: use --shard I/{blocks}",
                model.runs
            )));
        }
        index * CHECK_EVERY_RUNS..((index + 1) * CHECK_EVERY_RUNS).min(model.runs)
    } else {
        if count > model.runs {
            return Err(CliError::Usage(format!(
                "--shard {spec}: {count} shards of {} runs would leave some empty; use at most {} shards",
                model.runs, model.runs
            )));
        }
        shard::shard_runs(model.runs, index, count)
    };
    let dir = flags
        .out
        .clone()
        .unwrap_or_else(|| out_dir(None, &model).join("shards"));
    let group = match &job.policies {
        Some(names) => {
            if plan.as_ref().is_some_and(|p| p.targets.is_some()) {
                return Err(CliError::Usage(
                    "--policies and --precision: a job that stops by itself checks every policy at once; split it by runs (--shard) alone".into(),
                ));
            }
            Some(groups::policy_group(&model, names)?)
        }
        None => None,
    };
    let name = match &group {
        Some(keep) => format!(
            "shard-{index}-of-{count}-{}.{}",
            groups::file_tag(keep),
            shard::EXTENSION
        ),
        None => format!("shard-{index}-of-{count}.{}", shard::EXTENSION),
    };
    let path = dir.join(name);
    let options = RunOptions {
        threads: flags.threads.unwrap_or(0),
        ignore_memory_limit: flags.ignore_memory_limit,
        ..Default::default()
    };
    let bar = print::runs_progress(runs.end - runs.start, flags.quiet);
    let started = Instant::now();
    let (simulated, options) = match &group {
        Some(keep) => (
            model.with_policies(keep),
            RunOptions {
                keep_finals: true,
                ..options
            },
        ),
        None => (model.clone(), options),
    };
    let mut partial = Partial::new(&simulated, options)?;
    partial.extend(&simulated, options, runs.clone(), &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let group_names = group
        .iter()
        .flatten()
        .map(|&p| model.policies[p].name.clone())
        .collect();
    let header = header_of(
        file,
        &bytes,
        digest,
        &model,
        settings,
        partial.runs().to_vec(),
        group_names,
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
/// [`result_settings`]), holding `runs` of the policies `group` (empty:
/// all of `model`'s).
pub(super) fn header_of(
    file: &Path,
    bytes: &[u8],
    digest: String,
    model: &Model,
    settings: Vec<String>,
    runs: Vec<Range<u64>>,
    group: Vec<String>,
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
        group,
        runs,
    })
}

pub(super) fn shard_error(e: shard::ShardError) -> CliError {
    CliError::Usage(e.to_string())
}

/// `villagesim merge`.
pub fn merge(args: &MergeArgs) -> Result<(), CliError> {
    if args
        .shards
        .first()
        .is_some_and(|p| villagesim::points::is_points_file(p))
    {
        return super::points::merge(args);
    }
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
    let model = model_of(first)?;
    let options = RunOptions {
        threads: args.threads.unwrap_or(0),
        ..Default::default()
    };
    let started = Instant::now();
    let grouped = headers.iter().any(|(_, h)| !h.group.is_empty());
    let mut group = Vec::new();
    let (total, precision) = match targets_of(first)? {
        _ if grouped => {
            let (total, kept) = groups::merge_groups(&headers, &model, args.shard_out.is_some())?;
            group = kept;
            (Some(total), None)
        }
        Some(targets) => {
            let (total, precision) = merge_to_stop(&headers, &model, targets, args.shard_out.is_some(), args.quiet)?;
            (Some(total), precision)
        }
        None => {
            check_runs(&headers, (args.shard_out.is_none()).then_some(first.job_runs))?;
            let mut total: Option<Partial> = None;
            for path in &args.shards {
                let partial = shard::read(path).and_then(shard::Shard::partial).map_err(shard_error)?;
                match &mut total {
                    None => total = Some(partial),
                    Some(t) => t.merge(partial),
                }
            }
            (total, None)
        }
    };
    let Some(total) = total else {
        return Err(CliError::Usage("no shard files given".into()));
    };
    if let Some(to) = &args.shard_out {
        let header = ShardHeader {
            runs: total.runs().to_vec(),
            group,
            ..first.clone()
        };
        shard::write(to, &header, &total).map_err(shard_error)?;
        if !args.quiet {
            say!(
                "{} shards, {}, merged into {}",
                headers.len(),
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
    let mut results = pool.install(|| total.finish(&model));
    results.precision = precision;
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
    write_outputs(&model, &results, &written, &out, None, lang, args.quiet)
}

/// The targets of a job that stops by itself, from its settings (see
/// [`PRECISION_SETTING`]); `None` for a job of a fixed number of runs.
fn targets_of(header: &ShardHeader) -> Result<Option<Targets>, CliError> {
    header
        .settings
        .iter()
        .find_map(|s| s.strip_prefix(PRECISION_SETTING))
        .map(|spec| {
            Targets::parse(spec).map_err(|e| CliError::Usage(format!("the shards' --precision {spec}: bad part {e}")))
        })
        .transpose()
}

/// Merges the shards of a job that stops by itself (`run --precision
/// --shard I/K`) the way one process simulates it: from run 0, a unit at
/// a time, checking `targets` after each; it stops at the first check at
/// which every target holds, or at the job's most runs, and leaves out the
/// shards past that point. A unit is one block of [`CHECK_EVERY_RUNS`]
/// runs (a shard) or the first runs of the job (a checkpoint, or a
/// `merge --shard-out` of the first blocks), whose own checks were made
/// when it was written; the checks therefore fall where one process makes
/// them, and the result is the same.
///
/// Returns the runs merged and, when it stopped, the precision there.
/// Unless `quiet`, says which shards it left out. With `partial_ok`
/// (`--shard-out`), runs that stop short of the targets
/// are returned as they are, for a later merge.
///
/// # Errors
///
/// Overlapping runs; a shard that is not such a unit; no shard from run
/// 0; and, without `partial_ok`, targets that do not hold at the end of
/// the runs merged from 0 ([`CliError::NotYet`], naming the blocks to run
/// next).
fn merge_to_stop(
    headers: &[(PathBuf, ShardHeader)],
    model: &Model,
    targets: Targets,
    partial_ok: bool,
    quiet: bool,
) -> Result<(Partial, Option<Precision>), CliError> {
    check_runs(headers, None)?;
    let max = headers[0].1.job_runs;
    let mut units: Vec<(Range<u64>, &Path)> = Vec::new();
    for (path, header) in headers {
        let unit = match header.runs.as_slice() {
            [r] if r.start == 0 || (r.start % CHECK_EVERY_RUNS == 0 && r.end == (r.start + CHECK_EVERY_RUNS).min(max)) => {
                r.clone()
            }
            runs => {
                return Err(CliError::Usage(format!(
                    "{} holds {}: a job that stops by itself (--precision) is merged from shards of one block of {CHECK_EVERY_RUNS} runs (run --shard I/K --precision) and from the first runs of the job (a checkpoint, or merge --shard-out of the first blocks)",
                    path.display(),
                    shard::runs_text(runs)
                )))
            }
        };
        units.push((unit, path.as_path()));
    }
    units.sort_by_key(|(r, _)| r.start);
    let mut total: Option<Partial> = None;
    let mut used = 0usize;
    let mut precision = None;
    for (runs, path) in &units {
        let done = total.as_ref().map_or(0, Partial::run_count);
        if runs.start != done {
            break;
        }
        let partial = shard::read(path).and_then(shard::Shard::partial).map_err(shard_error)?;
        match &mut total {
            None => total = Some(partial),
            Some(t) => t.merge(partial),
        }
        used += 1;
        let t = total.as_ref().expect("merged above");
        let checked = t.precision(model, targets, max);
        if checked.met || t.run_count() >= max {
            precision = Some(checked);
            break;
        }
    }
    let Some(total) = total else {
        return Err(CliError::Usage(format!(
            "no shard holds run 0 (the first is {}, {}): a job that stops by itself is merged from its first runs",
            units[0].1.display(),
            shard::range_text(units[0].0.clone())
        )));
    };
    let done = total.run_count();
    if precision.is_none() && !partial_ok {
        let blocks = max.div_ceil(CHECK_EVERY_RUNS);
        let next = done / CHECK_EVERY_RUNS;
        let checked = total.precision(model, targets, max);
        let worst: Vec<String> = [checked.worst_mean.as_ref(), checked.worst_prob.as_ref()]
            .into_iter()
            .flatten()
            .map(|m| {
                let se = if m.figure.relative() {
                    format!("{:.3}%", 100.0 * m.se)
                } else {
                    format!("{:.4}", m.se)
                };
                format!(
                    "{} under {}: standard error {se}",
                    m.figure.words(villagesim::format::Lang::En),
                    m.policy
                )
            })
            .collect();
        return Err(CliError::NotYet(format!(
            "the precision targets (--precision {}) do not all hold at {done} runs, all the shards hold from run 0 ({}); run the next blocks, --shard {next}/{blocks} onwards, and merge again with these shards",
            targets.spec(),
            worst.join("; ")
        )));
    }
    if used < units.len() && precision.is_some() && !quiet {
        let left: Vec<String> = units[used..].iter().map(|(_, p)| p.display().to_string()).collect();
        say!(
            "the targets hold at {done} runs: {} past that point left out ({})",
            if left.len() == 1 { "one shard" } else { "shards" },
            left.join(", ")
        );
    }
    Ok((total, precision))
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
pub(super) fn check_runs(headers: &[(PathBuf, ShardHeader)], job_runs: Option<u64>) -> Result<(), CliError> {
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
