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
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim sweep`.
pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
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
    let charted = match &args.policy {
        Some(name) => Some(result.policies.iter().position(|p| p == name).ok_or_else(|| {
            AnalysisError::Usage(format!(
                "no policy named \"{name}\"; policies: {}",
                result.policies.join(", ")
            ))
        })?),
        None => None,
    };
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let command_line: Vec<String> = std::env::args().collect();
    let written = sweep::write(&result, charted, &out, lang, &command_line)?;
    if !args.flags.quiet {
        for line in sweep::table(&result, lang) {
            say!("{line}");
        }
        let brief = sweep::brief::brief(&result, sweep::focus(&result, charted), lang, &command_line, Vec::new());
        say!("{}", villagesim::output::report::sweep::lead(&brief));
        match villagesim::format::Lang::from(args.flags.lang) {
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
