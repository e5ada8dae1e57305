//! `villagesim voi`: the value of information: which uncertainty is worth
//! resolving before choosing a policy.

use std::path::PathBuf;

use villagesim::analysis::voi;

use super::flags::AnalysisFlags;
use super::print;
use super::CliError;

/// What the planner wants of the policy chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// Fewest villages below the floor in the target year (else the final year).
    #[value(alias = "below_floor")]
    BelowFloor,
    /// The highest probability that every village is at the floor in the target year.
    #[value(alias = "full_coverage")]
    FullCoverage,
    /// The highest mean operating income per village in the final year.
    #[value(alias = "mean_income")]
    MeanIncome,
    /// The highest operating income less fiscal cost over the horizon (present values).
    #[value(alias = "net_benefit")]
    NetBenefit,
}

/// `villagesim voi`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  villagesim voi county.toml
  villagesim voi county.toml --objective net-benefit --policies \"fund only,fund + top-up\"

The decision is the choice of one policy (default: among every policy of the file); without more
information the policy best on average over the runs is chosen. EVPI: what perfect information on
every uncertain input would gain, on average, in the objective. EVPPI: what perfect information on
one input alone would gain (regression method of Strong, Oakley and Brennan 2014), with its
standard error: an input worth little is not worth finding out before deciding, however much it
moves the outcomes. One simulation, every policy on the same random numbers; an input drawn per
village or per year is summarised by its mean over the horizon. Writes voi.csv, charts/voi.* and
report.html / report.md to output/<scenario>/voi/ unless --out is given.")]
pub struct VoiArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// What the policy chosen should do best.
    #[arg(long, value_enum, default_value_t = ObjectiveArg::BelowFloor)]
    pub objective: ObjectiveArg,
    /// The policies to choose between (names, comma-separated; default: every policy of the file).
    #[arg(long, value_name = "A,B")]
    pub policies: Option<String>,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim voi`.
pub fn voi(args: VoiArgs) -> Result<(), CliError> {
    let spec = voi::VoiSpec {
        objective: match args.objective {
            ObjectiveArg::BelowFloor => voi::Objective::BelowFloor,
            ObjectiveArg::FullCoverage => voi::Objective::FullCoverage,
            ObjectiveArg::MeanIncome => voi::Objective::MeanIncome,
            ObjectiveArg::NetBenefit => voi::Objective::NetBenefit,
        },
        policies: args
            .policies
            .as_ref()
            .map(|p| p.split(',').map(|n| n.trim().to_string()).collect()),
    };
    let start = args.flags.start(&args.file, "voi")?;
    let (scenario, settings, out) = (&start.scenario, &start.settings, &start.out);
    let bar = print::runs_progress(start.base.runs, args.flags.quiet);
    let result = voi::run(scenario, &spec, settings, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let written = voi::write(&result, out, lang)?;
    if !args.flags.quiet {
        say!("{}", voi::sentence(&result, lang));
        match lang {
            villagesim::format::Lang::En => say!(
                "{} inputs valued; outputs written to {} ({} files)",
                result.inputs.len(),
                out.display(),
                written.len()
            ),
            villagesim::format::Lang::Zh => say!(
                "共评估 {} 个输入；输出已写入 {}（{} 个文件）",
                result.inputs.len(),
                out.display(),
                written.len()
            ),
        }
    }
    Ok(())
}
