//! `villagesim sensitivity`: which uncertain inputs drive the headline
//! outcome (tornado, rank correlations).

use std::path::PathBuf;

use villagesim::analysis::{overrides, sensitivity, Scenario};
use villagesim::output;

use super::flags::AnalysisFlags;
use super::print;
use super::sweep::default_out;
use super::CliError;

/// `villagesim sensitivity`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Uncertain inputs are the distribution tables and \"A to B\" ranges of [[villages]] and\n[[interventions]]. Each is fixed at its P10 and then its P90 (others as in the file) and the\nmedian final-year mean village income of the policy is recorded; the swing is the difference.\nRank correlations come from a Latin-hypercube design over all inputs (--samples points).\nWrites sensitivity.csv and charts/tornado.* to output/<scenario>/sensitivity/ unless --out is given."
)]
pub struct SensitivityArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Policy whose outcome is analysed (default: the last).
    #[arg(long)]
    pub policy: Option<String>,
    /// Points of the Latin-hypercube design for rank correlations (0: none).
    #[arg(long, default_value_t = sensitivity::DEFAULT_SAMPLES)]
    pub samples: usize,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<(), CliError> {
    let scenario = Scenario::read(&args.file)?;
    let settings = args.flags.settings();
    let base = scenario.model(&[], &settings)?;
    let inputs = overrides::uncertain_inputs(&scenario.text)?;
    let out = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| default_out(&base.name, "sensitivity"));
    let _lock = output::OutputLock::acquire(&out)?;
    let bar = print::progress(
        sensitivity::simulations(inputs.len(), args.samples) as u64,
        args.flags.quiet,
        "simulation",
    );
    let options = sensitivity::Options {
        policy: args.policy.clone(),
        samples: args.samples,
    };
    let result = sensitivity::run(&scenario, &settings, &options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let written = sensitivity::write(&result, &out, args.flags.lang.into())?;
    if !args.flags.quiet {
        for line in sensitivity::table(&result, args.flags.lang.into()) {
            say!("{line}");
        }
        match villagesim::format::Lang::from(args.flags.lang) {
            villagesim::format::Lang::En => say!("Outputs written to {} ({} files)", out.display(), written.len()),
            villagesim::format::Lang::Zh => say!("输出已写入 {}（{} 个文件）", out.display(), written.len()),
        }
    }
    Ok(())
}
