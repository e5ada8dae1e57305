//! `villagesim solve`: the smallest (or largest) value of one parameter at
//! which a target holds, with its Monte Carlo interval.

use std::path::PathBuf;

use villagesim::analysis::solve;

use super::flags::AnalysisFlags;
use super::print;
use super::CliError;

/// Which end of the values meeting the target to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FindArg {
    /// The smallest value at which the target holds (it holds above it).
    Smallest,
    /// The largest value at which the target holds (it holds below it).
    Largest,
}

/// `villagesim solve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  villagesim solve county.toml --target \"villages_below_floor[2027] <= 5\" --vary interventions.support-fund.return_rate_per_year=2%:12%
  villagesim solve county.toml --target \"P(full coverage in 2027) >= 0.9\" --vary interventions.top-up.amount=0:30万
  villagesim solve county.toml --target \"fiscal_cost <= 500万\" --vary interventions.pv.villages_reached=1:40 --find largest
  villagesim solve county.toml --target \"mean(net_income_per_public_yuan) >= 1.5\" --vary interventions.fund.return_rate_per_year=2%:10%

Targets: p_full_coverage[YEAR] (or P(full coverage in YEAR)), villages_below_floor[YEAR],
mean_income[YEAR] (yuan), fiscal_cost (yuan, over the horizon), income_added_per_fiscal_yuan (or
net_income_per_public_yuan: income added against \"no intervention\" per yuan of fiscal cost,
present values), compared with >=, <=, > or < and a value with units (90%, 50万). Without [YEAR],
the target year (else the final year); mean(FIGURE) reads as FIGURE.

Every value is simulated on the same random numbers. The search assumes the target holds on one
side of a single crossing; it bisects to --tolerance (default: the range / 256; whole numbers for a
value the file gives as one), then finds where the target holds, and where it fails, even allowing
for 1.96 Monte Carlo standard errors: the answer's interval. Writes solve.csv, charts/solve.* and
report.md to output/<scenario>/solve/ unless --out is given.")]
pub struct SolveArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// The target, e.g. "villages_below_floor[2027] <= 5".
    #[arg(long, value_name = "EXPR")]
    pub target: String,
    /// PATH=LO:HI: the value to vary (named as `sweep --set` names it) and the range to search.
    #[arg(long, value_name = "PATH=LO:HI")]
    pub vary: String,
    /// Find the smallest value at which the target holds, or the largest.
    #[arg(long, value_enum, default_value_t = FindArg::Smallest)]
    pub find: FindArg,
    /// The policy whose figure is read (default: the last of the file).
    #[arg(long)]
    pub policy: Option<String>,
    /// How close the answer's bracket must be, in the value's units (default: the range / 256).
    #[arg(long)]
    pub tolerance: Option<String>,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim solve`.
pub fn solve(args: SolveArgs) -> Result<(), CliError> {
    let spec = solve::SolveSpec::parse(
        &args.target,
        &args.vary,
        match args.find {
            FindArg::Smallest => solve::Find::Smallest,
            FindArg::Largest => solve::Find::Largest,
        },
        args.policy.clone(),
        args.tolerance.as_deref(),
    )?;
    let start = args.flags.start(&args.file, "solve")?;
    let (scenario, settings, out) = (&start.scenario, &start.settings, &start.out);
    let bar = print::spinner(args.flags.quiet, "simulation");
    let result = solve::run(scenario, &spec, settings, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let written = solve::write(&result, out, lang)?;
    if !args.flags.quiet {
        say!("{}", solve::sentence(&result, lang));
        match lang {
            villagesim::format::Lang::En => say!(
                "{} values simulated; outputs written to {} ({} files)",
                result.evaluations.len(),
                out.display(),
                written.len()
            ),
            villagesim::format::Lang::Zh => say!(
                "共模拟 {} 个取值；输出已写入 {}（{} 个文件）",
                result.evaluations.len(),
                out.display(),
                written.len()
            ),
        }
    }
    Ok(())
}
