//! `villagesim sensitivity`: which uncertain inputs drive the number of
//! villages below the floor (tornado, rank correlations, report).

use std::path::PathBuf;

use villagesim::analysis::sensitivity::{self, PerVillage};
use villagesim::analysis::{overrides, Scenario};
use villagesim::output;

use super::flags::AnalysisFlags;
use super::print;
use super::sweep::default_out;
use super::CliError;

/// How inputs drawn per village, per year or per village-year are moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PerVillageArg {
    /// Shift the distribution so the average of its draws sits at its P10 / P90.
    Shift,
    /// Fix the value for every village and year at once.
    Fix,
}

/// `villagesim sensitivity`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Outcome: the number of villages below the floor in the target year (else the final year) under
the policy, mean over the runs. Uncertain inputs are the distribution tables and \"A to B\" ranges
of [[villages]] and [[interventions]]; each is moved to its P10 and then its P90, the others as in
the file, and the swing is the change in villages below the floor.

An input drawn once per run is fixed at the value in every run. An input drawn per village, per
year or per village-year is shifted by default, not fixed for every village at once: every village
keeps drawing its own value, and the distribution moves by 1.2816 sd / sqrt(n) (n: the villages
drawing it, times the years for per village-year) so that the average of its draws sits at its
P10 / P90. --per-village fix fixes such inputs for every village at once instead.

Rank correlations come from a Latin-hypercube design over all inputs (--samples points; noise about
±2/sqrt(samples)). Writes sensitivity.csv, charts/tornado.* and report.html / report.md to
output/<scenario>/sensitivity/ unless --out is given.")]
pub struct SensitivityArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Policy whose outcome is analysed (default: the last, unless the same number of villages
    /// stays below the floor under it in every run: then the last under which it varies).
    #[arg(long)]
    pub policy: Option<String>,
    /// Points of the Latin-hypercube design for rank correlations (0: none).
    #[arg(long, default_value_t = sensitivity::DEFAULT_SAMPLES)]
    pub samples: usize,
    /// Inputs drawn per village, per year or per village-year: shift their distribution (default)
    /// or fix them for every village at once.
    #[arg(long, value_enum, default_value_t = PerVillageArg::Shift)]
    pub per_village: PerVillageArg,
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
        per_village: match args.per_village {
            PerVillageArg::Shift => PerVillage::Shift,
            PerVillageArg::Fix => PerVillage::Fix,
        },
    };
    let result = sensitivity::run(&scenario, &settings, &options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let file = args.file.display().to_string();
    let written = sensitivity::write(&result, &file, &out, lang)?;
    if !args.flags.quiet {
        for line in sensitivity::table(&result, lang) {
            say!("{line}");
        }
        match lang {
            villagesim::format::Lang::En => say!("Outputs written to {} ({} files)", out.display(), written.len()),
            villagesim::format::Lang::Zh => say!("输出已写入 {}（{} 个文件）", out.display(), written.len()),
        }
    }
    Ok(())
}
