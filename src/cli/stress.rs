//! `villagesim stress`: every policy under the file's stresses and each
//! uncertain input's tails, against the unstressed run.

use std::path::PathBuf;

use villagesim::analysis::stress;

use super::flags::AnalysisFlags;
use super::print;
use super::CliError;

/// `villagesim stress`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  villagesim stress county.toml
  villagesim stress county.toml --no-tails --lang zh

A stress in the file:
  [stress.property-slump]
  description = \"industrial rents in their 5% tail, 2021-2023\"
  factors = { property = { tail = \"5%\", from = 2021, to = 2023 } }
  [stress.rent-cut]
  scale = { \"interventions.lease.rent_per_m2_per_year_yuan\" = \"70%\" }
  [stress.operator-default]
  fail = { \"support-fund\" = 2022 }
(also set = { PATH = VALUE } and tail = { PATH = \"5%\" }, paths as sweep --set names them).

Every stress, and unless --no-tails each uncertain input in the middle of its lowest and highest
5% (P2.5, P97.5), is simulated with every policy on the same random numbers as the unstressed
run; each policy's villages below the floor (target year) and mean income are compared with its
own unstressed figures run by run. Writes stress.csv, charts/stress.* and report.html /
report.md to output/<scenario>/stress/ unless --out is given.")]
pub struct StressArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Only the file's [stress.NAME] tables, not each input's tails.
    #[arg(long)]
    pub no_tails: bool,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

/// Runs `villagesim stress`.
pub fn stress(args: StressArgs) -> Result<(), CliError> {
    let spec = stress::StressSpec { tails: !args.no_tails };
    let start = args.flags.start(&args.file, "stress")?;
    let (scenario, settings, out) = (&start.scenario, &start.settings, &start.out);
    let total = stress::simulations(scenario, &spec, settings)?;
    let bar = print::progress(total as u64, args.flags.quiet, "simulations");
    let result = stress::run(scenario, &spec, settings, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let lang = villagesim::format::Lang::from(args.flags.lang);
    let written = stress::write(&result, out, lang)?;
    if !args.flags.quiet {
        say!("{}", stress::sentence(&result, lang));
        match lang {
            villagesim::format::Lang::En => say!(
                "{total} simulations; outputs written to {} ({} files)",
                out.display(),
                written.len()
            ),
            villagesim::format::Lang::Zh => say!(
                "共 {total} 次模拟；输出已写入 {}（{} 个文件）",
                out.display(),
                written.len()
            ),
        }
    }
    Ok(())
}
