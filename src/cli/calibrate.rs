//! `villagesim calibrate`: the runs weighted by their agreement with the
//! `[backtest]` observations.

use std::path::PathBuf;

use villagesim::analysis::calibrate;
use villagesim::model::units::parse_number;

use super::flags::AnalysisFlags;
use super::print;
use super::CliError;

/// `villagesim calibrate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  villagesim calibrate scenarios/wuxing-2018.toml --policy \"as implemented + top-up\" --runs 10000
  villagesim calibrate county.toml --mean-error 3%

Reads [backtest] (year; mean_village_income with mean_village_income_error, default 5%;
full_coverage; villages_below_floor; policy) and simulates the policy carried out. A run is
consistent when its counts match and its mean is within 3 observation errors; consistent runs are
weighted exp(-z^2/2) (approximate Bayesian computation, Gaussian kernel). Reports the effective
sample size, each input's posterior against its prior (which assumptions the observation needs)
and the projection re-weighted. When no run is consistent it says so and describes the runs that
come nearest. Writes calibration.csv, calibrated_projection.csv, charts/calibration.* and
report.html / report.md to output/<scenario>/calibrate/ unless --out is given.")]
pub struct CalibrateArgs {
    /// The scenario file (TOML), with a [backtest] table.
    pub file: PathBuf,
    /// The policy carried out (default: [backtest] policy, else the last policy of the file).
    #[arg(long)]
    pub policy: Option<String>,
    /// The observation error of the mean village income, a share of it (default: the file's, else 5%).
    #[arg(long, value_name = "SHARE")]
    pub mean_error: Option<String>,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim calibrate`.
pub fn calibrate(args: CalibrateArgs) -> Result<(), CliError> {
    let mean_error = match &args.mean_error {
        None => None,
        Some(text) => Some(
            parse_number(text)
                .map_err(|e| CliError::Usage(format!("--mean-error {text}: {e}; give a share, e.g. 5%")))?,
        ),
    };
    let spec = calibrate::CalibrateSpec {
        policy: args.policy.clone(),
        mean_error,
    };
    let start = args.flags.start(&args.file, "calibrate")?;
    let (scenario, settings, out) = (&start.scenario, &start.settings, &start.out);
    let bar = print::runs_progress(start.base.runs, args.flags.quiet);
    let result = calibrate::run(scenario, &spec, settings, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let written = calibrate::write(&result, out, lang)?;
    if !args.flags.quiet {
        say!("{}", calibrate::sentence(&result, lang));
        match lang {
            villagesim::format::Lang::En => {
                say!("outputs written to {} ({} files)", out.display(), written.len())
            }
            villagesim::format::Lang::Zh => {
                say!("输出已写入 {}（{} 个文件）", out.display(), written.len())
            }
        }
    }
    Ok(())
}
