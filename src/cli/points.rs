//! `villagesim sweep --points I/K`, `villagesim sensitivity --points I/K`
//! and the merge of points shards: a sweep's grid (a sensitivity
//! analysis's simulations) split into points shards, and the shards merged
//! into the outputs of one analysis (`villagesim merge` hands points shards
//! to [`merge`]).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use villagesim::analysis::{overrides, sensitivity, sweep, Scenario};
use villagesim::output;
use villagesim::points::{self, AnalysisKind, PointsHeader};
use villagesim::shard;

use super::print;
use super::run::sha256;
use super::sensitivity::{options, print_table, sensitivity_arguments, SensitivityArgs};
use super::shard::{parse_spec, shard_error, MergeArgs};
use super::sweep::{default_out, policy_of, sweep_arguments, sweep_command, write_sweep, SweepArgs};
use super::CliError;

/// `--points I/K` as (I, K), with the messages of `--shard`'s.
fn parse_points(spec: &str) -> Result<(u64, u64), CliError> {
    parse_spec(spec).map_err(|e| match e {
        CliError::Usage(message) => CliError::Usage(message.replace("--shard", "--points")),
        e => e,
    })
}

/// The share `index` of `count` of an analysis of `total` points, refused
/// when some shares would be empty.
fn share_of(spec: &str, index: u64, count: u64, total: u64, kind: AnalysisKind) -> Result<Range<u64>, CliError> {
    if count > total {
        let noun = kind.noun();
        return Err(CliError::Usage(format!(
            "--points {spec}: {count} shares of a {} of {total} {noun}s would leave some empty; use at most {total}",
            match kind {
                AnalysisKind::Sweep => "sweep",
                AnalysisKind::Sensitivity => "sensitivity analysis",
            }
        )));
    }
    Ok(shard::shard_runs(total, index, count))
}

/// The header of a points shard of the analysis of `file` (its bytes
/// `bytes`).
struct Share<'a> {
    file: &'a Path,
    bytes: Vec<u8>,
    kind: AnalysisKind,
    arguments: Vec<String>,
    total: u64,
    share: Range<u64>,
}

impl Share<'_> {
    fn header(self, seed: u64, runs: u64) -> Result<PointsHeader, CliError> {
        let base_dir = self.file.parent().unwrap_or(Path::new("."));
        let scenario_dir = std::path::absolute(if base_dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base_dir
        })
        .map_err(|e| CliError::Usage(format!("{}: cannot resolve its folder: {e}", self.file.display())))?;
        Ok(PointsHeader {
            villagesim_version: env!("CARGO_PKG_VERSION").into(),
            scenario_file: self.file.display().to_string(),
            scenario_dir,
            scenario_sha256: sha256(&self.bytes),
            scenario_text: self.bytes,
            seed,
            runs,
            kind: self.kind,
            arguments: self.arguments,
            total_points: self.total,
            points: vec![self.share],
        })
    }
}

/// Says where a share was written.
fn written(header: &PointsHeader, index: u64, count: u64, started: Instant, path: &Path, quiet: bool) {
    if !quiet {
        say!(
            "{} share {index} of {count}: {} of {} simulated in {:.1} s, written to {}",
            header.kind.command(),
            header.points_text(),
            header.total_points,
            started.elapsed().as_secs_f64(),
            path.display()
        );
    }
}

/// `villagesim sweep FILE --set ... --points I/K`: simulates share `I` of
/// `K` of the grid's points (`shard::shard_runs` of the points: a fixed
/// contiguous split, in the order of [`sweep::SweepSpec::point`]) and
/// writes them as one points shard.
pub fn sweep_points(args: &SweepArgs, spec: &str) -> Result<(), CliError> {
    let (index, count) = parse_points(spec)?;
    let bytes = villagesim::scenario::read_source(&args.file)?;
    let scenario = Scenario::read(&args.file)?;
    let settings = args.flags.settings();
    let sweep_spec = sweep::SweepSpec::parse(&args.set)?;
    let base = scenario.model(&sweep_spec.fixed, &settings)?;
    let names: Vec<String> = base.policies.iter().map(|p| p.name.clone()).collect();
    // A policy that is not there fails now, not at the merge.
    policy_of(&names, args.policy.as_deref())?;
    let total = sweep_spec.points() as u64;
    let share = share_of(spec, index, count, total, AnalysisKind::Sweep)?;
    let dir = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| default_out(&base.name, "sweep").join("points"));
    let path = dir.join(format!("points-{index}-of-{count}.{}", points::EXTENSION));
    let bar = print::progress(share.end - share.start, args.flags.quiet, "sweep point");
    let started = Instant::now();
    let range = share.start as usize..share.end as usize;
    let result = sweep::run_points(&scenario, &sweep_spec, &settings, range, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let header = Share {
        file: &args.file,
        bytes,
        kind: AnalysisKind::Sweep,
        arguments: sweep_arguments(args),
        total,
        share,
    }
    .header(result.seed, result.runs)?;
    points::write(&path, &header, &result).map_err(shard_error)?;
    written(&header, index, count, started, &path, args.flags.quiet);
    Ok(())
}

/// `villagesim sensitivity FILE --points I/K`: simulates the baseline,
/// then share `I` of `K` of the analysis's other simulations (numbered as
/// [`sensitivity::SensitivityPoints`] says: a fixed contiguous split) and
/// writes them as one points shard.
pub fn sensitivity_points(args: &SensitivityArgs, spec: &str) -> Result<(), CliError> {
    let (index, count) = parse_points(spec)?;
    let bytes = villagesim::scenario::read_source(&args.file)?;
    let scenario = Scenario::read(&args.file)?;
    let settings = args.flags.settings();
    let base = scenario.model(&[], &settings)?;
    let inputs = overrides::uncertain_inputs(&scenario.text)?;
    let total = sensitivity::points(inputs.len(), args.samples) as u64;
    if total == 0 {
        return Err(CliError::Usage(format!(
            "--points {spec}: {} has no uncertain inputs, so the analysis is its baseline alone: run it without --points",
            args.file.display()
        )));
    }
    let share = share_of(spec, index, count, total, AnalysisKind::Sensitivity)?;
    let dir = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| default_out(&base.name, "sensitivity").join("points"));
    let path = dir.join(format!("points-{index}-of-{count}.{}", points::EXTENSION));
    let bar = print::progress(1 + share.end - share.start, args.flags.quiet, "simulation");
    let started = Instant::now();
    let range = share.start as usize..share.end as usize;
    let result = sensitivity::run_points(&scenario, &settings, &options(args), range, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let header = Share {
        file: &args.file,
        bytes,
        kind: AnalysisKind::Sensitivity,
        arguments: sensitivity_arguments(args),
        total,
        share,
    }
    .header(result.frame.seed, result.frame.runs)?;
    points::write(&path, &header, &result).map_err(shard_error)?;
    written(&header, index, count, started, &path, args.flags.quiet);
    Ok(())
}

/// `villagesim merge` of points shards (the first file given is one): the
/// headers compared, the points checked disjoint and complete, then the
/// outputs of the one analysis written (with `--shard-out`, the points
/// merged into one points shard instead, complete or not).
pub fn merge(args: &MergeArgs) -> Result<(), CliError> {
    let mut files = Vec::new();
    for path in &args.shards {
        files.push(points::read(path).map_err(shard_error)?);
    }
    let (first_path, first) = (&files[0].path, &files[0].header);
    for file in &files[1..] {
        if let Some(why) = first.mismatch(&file.header) {
            return Err(CliError::Usage(format!(
                "{} and {} are not points shards of the same analysis: {why}",
                first_path.display(),
                file.path.display()
            )));
        }
    }
    if let Some(file) = files.iter().find(|f| f.header.points.len() != 1) {
        return Err(CliError::Usage(format!(
            "{} holds {}: a points shard holds one range of points (sweep --points I/K, or merge --shard-out of shares that follow one another)",
            file.path.display(),
            file.header.points_text()
        )));
    }
    let first = first.clone();
    let headers: Vec<(PathBuf, PointsHeader)> = files.iter().map(|f| (f.path.clone(), f.header.clone())).collect();
    check_points(&headers, args.shard_out.is_none().then_some(first.total_points))?;
    files.sort_by_key(|f| f.header.points.first().map_or(0, |r| r.start));
    let mut held: Vec<Range<u64>> = headers.iter().flat_map(|(_, h)| h.points.iter().cloned()).collect();
    held.sort_by_key(|r| r.start);
    let held = coalesce(held);
    if args.shard_out.is_some() && held.len() != 1 {
        return Err(CliError::Usage(format!(
            "--shard-out: the points shards hold {}; a points shard holds one range, so merge shares that follow one another",
            points::points_text(first.kind, &held)
        )));
    }
    let lang = args.lang.into();
    match first.kind {
        AnalysisKind::Sweep => {
            let parts = files
                .into_iter()
                .map(|f| f.sweep().map_err(shard_error))
                .collect::<Result<Vec<_>, _>>()?;
            let result = sweep::join(parts)?;
            if let Some(to) = &args.shard_out {
                return shard_out(args, to, &headers, PointsHeader { points: held, ..first }, &result);
            }
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| default_out(&result.scenario_name, "sweep"));
            let _lock = output::OutputLock::acquire(&out)?;
            let command = sweep_command(&first.scenario_file, &first.arguments, first.runs, first.seed, lang);
            let policy = first
                .arguments
                .iter()
                .position(|a| a == "--policy")
                .and_then(|i| first.arguments.get(i + 1))
                .map(String::as_str);
            write_sweep(&result, policy, &out, lang, &command, args.quiet)
        }
        AnalysisKind::Sensitivity => {
            let parts = files
                .into_iter()
                .map(|f| f.sensitivity().map_err(shard_error))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(to) = &args.shard_out {
                let joined = sensitivity::join(parts)?;
                return shard_out(args, to, &headers, PointsHeader { points: held, ..first }, &joined);
            }
            let result = sensitivity::assemble(parts)?;
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| default_out(&result.scenario_name, "sensitivity"));
            let _lock = output::OutputLock::acquire(&out)?;
            let files = sensitivity::write(&result, &first.scenario_file, &out, lang)?;
            print_table(&result, lang, &out, files.len(), args.quiet);
            Ok(())
        }
    }
}

/// `merge --shard-out`: the points merged into one points shard.
fn shard_out<T: serde::Serialize>(
    args: &MergeArgs,
    to: &Path,
    headers: &[(PathBuf, PointsHeader)],
    header: PointsHeader,
    body: &T,
) -> Result<(), CliError> {
    points::write(to, &header, body).map_err(shard_error)?;
    if !args.quiet {
        say!(
            "{} points shards, {}, merged into {}",
            headers.len(),
            header.points_text(),
            to.display()
        );
    }
    Ok(())
}

/// Adjacent ranges as one: `0..2, 2..4` as `0..4`.
fn coalesce(ranges: Vec<Range<u64>>) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        }
    }
    out
}

/// Checks that the files' points are disjoint and, with `total`, that
/// together they hold every point `0..total`; the error names the points
/// and the files.
fn check_points(headers: &[(PathBuf, PointsHeader)], total: Option<u64>) -> Result<(), CliError> {
    let mut ranges: Vec<(Range<u64>, &Path)> = headers
        .iter()
        .flat_map(|(p, h)| h.points.iter().map(move |r| (r.clone(), p.as_path())))
        .collect();
    ranges.sort_by_key(|(r, _)| (r.start, r.end));
    let kind = headers.first().map_or(AnalysisKind::Sweep, |(_, h)| h.kind);
    // "point 3 is", "points 3-4 are".
    let text = |r: Range<u64>| {
        let verb = if r.end - r.start == 1 { "is" } else { "are" };
        format!("{} {verb}", points::points_text(kind, std::slice::from_ref(&r)))
    };
    let mut problems = Vec::new();
    let mut next = 0u64;
    let mut last: Option<&Path> = None;
    for (r, path) in &ranges {
        if r.start < next {
            problems.push(format!(
                "{} in both {} and {}",
                text(r.start..next.min(r.end)),
                last.map_or_else(String::new, |p| p.display().to_string()),
                path.display()
            ));
        } else if r.start > next && total.is_some() {
            problems.push(format!(
                "{} missing ({})",
                text(next..r.start),
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
    if let Some(total) = total {
        if next < total {
            problems.push(format!(
                "{} missing (after {}); the analysis has {total} {}s",
                text(next..total),
                last.map_or_else(String::new, |p| p.display().to_string()),
                kind.noun()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "the points shards do not make one analysis: {}",
            problems.join("; ")
        )))
    }
}
