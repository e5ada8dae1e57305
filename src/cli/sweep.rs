//! `villagesim sweep`: the headline outcomes over a grid of one or two
//! parameters, on common random numbers.

use std::path::{Path, PathBuf};

use villagesim::analysis::{sweep, AnalysisError, Scenario};
use villagesim::output;

use super::flags::AnalysisFlags;
use super::print;
use super::CliError;

/// `villagesim sweep`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  villagesim sweep county.toml --set interventions.support-fund.return_rate_per_year=4%:10%:7\n  villagesim sweep county.toml --set interventions.pv.capex_per_kw_yuan=3000:4500:4 --set scenario.years=5:10:6\n  villagesim sweep county.toml --set targets.floor=30万:60万:4 --runs 500\n\nPATH names a value as the file does: [[interventions]] and [[villages]] entries by id (or group,\nor position: interventions[1]). FROM and TO take units as in the file (\"6%\", \"150万\").\nPATH=VALUE (no colons) fixes a value at every point. Every point uses the same seed and runs.\nWrites sweep.csv, charts/ and the brief (report.html, report.md) to output/<scenario>/sweep/
unless --out is given."
)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// PATH=FROM:TO:STEPS to sweep (once or twice), or PATH=VALUE to fix.
    #[arg(long = "set", value_name = "PATH=FROM:TO:STEPS", required = true)]
    pub set: Vec<String>,
    /// Policy the brief speaks of first and charted when two parameters are
    /// swept (default: the policy whose villages below the floor the sweep
    /// moves most).
    #[arg(long)]
    pub policy: Option<String>,
    /// Simulate only share I of K of the grid's points (I from 0 to K-1: a
    /// fixed, contiguous share, in the order of the grid) and write one
    /// points shard, points-I-of-K.vpoints, into --out (default
    /// output/<scenario-slug>/sweep/points) for `villagesim merge`.
    /// `auto/K` takes I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "I/K")]
    pub points: Option<String>,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim sweep`.
pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
    if let Some(points) = &args.points {
        return super::points::sweep_points(&args, points);
    }
    let scenario = Scenario::read(&args.file)?;
    let settings = args.flags.settings();
    let spec = sweep::SweepSpec::parse(&args.set)?;
    let base = scenario.model(&spec.fixed, &settings)?;
    let out = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| default_out(&base.name, "sweep"));
    // Before simulating: a second writer into the same folder refuses now.
    let _lock = output::OutputLock::acquire(&out)?;
    let bar = print::progress(spec.points() as u64, args.flags.quiet, "sweep point");
    let result = sweep::run(&scenario, &spec, &settings, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let command = sweep_command(
        &result.scenario_file,
        &sweep_arguments(&args),
        result.runs,
        result.seed,
        lang,
    );
    write_sweep(&result, args.policy.as_deref(), &out, lang, &command, args.flags.quiet)
}

/// The arguments of a sweep that change its results or its brief, as
/// written on the command line: each `--set`, then `--policy`.
pub(super) fn sweep_arguments(args: &SweepArgs) -> Vec<String> {
    let mut out = Vec::new();
    for set in &args.set {
        out.extend(["--set".to_string(), set.clone()]);
    }
    if let Some(policy) = &args.policy {
        out.extend(["--policy".to_string(), policy.clone()]);
    }
    out
}

/// The one `villagesim sweep` command that makes a sweep's results: the
/// file, its `arguments` (see [`sweep_arguments`]), the runs and seed
/// simulated, and the language. The brief shows it (not the command line
/// as typed), so that a sweep merged from points shards has the brief of
/// one sweep.
pub(super) fn sweep_command(
    file: &str,
    arguments: &[String],
    runs: u64,
    seed: u64,
    lang: villagesim::format::Lang,
) -> Vec<String> {
    let mut command: Vec<String> = ["villagesim", "sweep", file].map(String::from).to_vec();
    command.extend(arguments.iter().cloned());
    command.extend([
        "--runs".to_string(),
        runs.to_string(),
        "--seed".to_string(),
        seed.to_string(),
    ]);
    if lang == villagesim::format::Lang::Zh {
        command.extend(["--lang".to_string(), "zh".to_string()]);
    }
    command
}

/// The index of the policy named `name` among the sweep's.
pub(super) fn policy_of(policies: &[String], name: Option<&str>) -> Result<Option<usize>, CliError> {
    match name {
        Some(name) => Ok(Some(policies.iter().position(|p| p == name).ok_or_else(|| {
            AnalysisError::Usage(format!("no policy named \"{name}\"; policies: {}", policies.join(", ")))
        })?)),
        None => Ok(None),
    }
}

/// Writes a finished sweep's outputs into `out` (see [`sweep::write`]),
/// its brief showing `command`, and unless `quiet` prints its table and
/// lead.
pub(super) fn write_sweep(
    result: &sweep::SweepResult,
    policy: Option<&str>,
    out: &Path,
    lang: villagesim::format::Lang,
    command: &[String],
    quiet: bool,
) -> Result<(), CliError> {
    let charted = policy_of(&result.policies, policy)?;
    let written = sweep::write(result, charted, out, lang, command)?;
    if !quiet {
        for line in sweep::table(result, lang) {
            say!("{line}");
        }
        let brief = sweep::brief::brief(result, sweep::focus(result, charted), lang, command, Vec::new());
        say!("{}", villagesim::output::report::sweep::lead(&brief));
        match lang {
            villagesim::format::Lang::En => say!("Outputs written to {} ({} files)", out.display(), written.len()),
            villagesim::format::Lang::Zh => say!("输出已写入 {}（{} 个文件）", out.display(), written.len()),
        }
    }
    Ok(())
}

/// Where an analysis writes when `--out` is not given.
pub(super) fn default_out(model_name: &str, sub: &str) -> PathBuf {
    Path::new("output")
        .join(villagesim::scenario::slug(model_name))
        .join(sub)
}
