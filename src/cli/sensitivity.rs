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
    /// Simulate the baseline and only share I of K (I from 0 to K-1) of
    /// the other simulations (each input at its P10 and P90, then the
    /// design points: a fixed, contiguous share) and write one points
    /// shard, points-I-of-K.vpoints, into --out (default
    /// output/<scenario-slug>/sensitivity/points) for `villagesim merge`.
    /// `auto/K` takes I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "I/K")]
    pub points: Option<String>,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// What to analyse, from the flags.
pub(super) fn options(args: &SensitivityArgs) -> sensitivity::Options {
    sensitivity::Options {
        policy: args.policy.clone(),
        samples: args.samples,
        per_village: match args.per_village {
            PerVillageArg::Shift => PerVillage::Shift,
            PerVillageArg::Fix => PerVillage::Fix,
        },
    }
}

/// The arguments that change an analysis's results, as written on the
/// command line: `--policy`, `--samples`, `--per-village`. Points shards
/// with other arguments are not of the same analysis.
pub(super) fn sensitivity_arguments(args: &SensitivityArgs) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(policy) = &args.policy {
        out.extend(["--policy".to_string(), policy.clone()]);
    }
    out.extend(["--samples".to_string(), args.samples.to_string()]);
    let per = match args.per_village {
        PerVillageArg::Shift => "shift",
        PerVillageArg::Fix => "fix",
    };
    out.extend(["--per-village".to_string(), per.to_string()]);
    out
}

/// Unless `quiet`, prints the analysis's table and where its `files`
/// outputs were written.
pub(super) fn print_table(
    result: &sensitivity::SensitivityResult,
    lang: villagesim::format::Lang,
    out: &std::path::Path,
    files: usize,
    quiet: bool,
) {
    if quiet {
        return;
    }
    for line in sensitivity::table(result, lang) {
        say!("{line}");
    }
    match lang {
        villagesim::format::Lang::En => say!("Outputs written to {} ({files} files)", out.display()),
        villagesim::format::Lang::Zh => say!("输出已写入 {}（{files} 个文件）", out.display()),
    }
}

/// Runs `villagesim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<(), CliError> {
    if let Some(points) = &args.points {
        return super::points::sensitivity_points(&args, points);
    }
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
    let result = sensitivity::run(&scenario, &settings, &options(&args), &|| bar.inc(1))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let file = args.file.display().to_string();
    let written = sensitivity::write(&result, &file, &out, lang)?;
    print_table(&result, lang, &out, written.len(), args.flags.quiet);
    Ok(())
}
