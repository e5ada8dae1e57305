//! `villagesim serve`: the local page for a planner.

use std::net::SocketAddr;
use std::path::PathBuf;

use villagesim::limits::MAX_RUNS;
use villagesim::serve::{ServeOptions, Server, QUICK_RUNS};

use super::flags::LangArg;
use super::CliError;

/// `villagesim serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  villagesim serve scenarios/wuxing-2018.toml
  villagesim serve scenarios/ --lang zh
  villagesim serve county.toml --listen 0.0.0.0:8765   (other machines may open it: they need the printed address, token included)

Open the printed address in a browser. The page shows the scenario's values (those of its
[ui] show list, or every intervention's main parameters), runs it again on the same random
numbers when one is changed (a quick answer from the first runs, then the full one), and
downloads the brief, the workbook and the edited scenario. The scenario file is written only
by the page's Save button. The downloads' outputs go to OUT/<scenario>/.")]
pub struct ServeArgs {
    /// A scenario file (TOML), or a folder of them.
    #[arg(default_value = "scenarios")]
    pub target: PathBuf,
    /// The address to listen on; port 0 takes any free port. Only this
    /// machine can reach 127.0.0.1.
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub listen: SocketAddr,
    /// Where the downloads' outputs are written.
    #[arg(long, default_value = "output/serve")]
    pub out: PathBuf,
    /// Runs of the full answer (default: the scenario's).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Runs of the quick answer shown first.
    #[arg(long, default_value_t = QUICK_RUNS)]
    pub quick_runs: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The page's language when it opens (it can be switched on the page).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// `villagesim serve`.
pub fn serve(args: ServeArgs) -> Result<(), CliError> {
    for (flag, n) in [("--runs", args.runs), ("--quick-runs", Some(args.quick_runs))] {
        if let Some(n) = n.filter(|&n| n == 0 || n > MAX_RUNS as u64) {
            return Err(CliError::Usage(format!(
                "{flag} {n} is out of range: use 1 to {MAX_RUNS}"
            )));
        }
    }
    let server = Server::bind(ServeOptions {
        target: args.target,
        listen: args.listen,
        out: args.out,
        runs: args.runs,
        quick_runs: args.quick_runs,
        threads: args.threads.unwrap_or(0),
        lang: args.lang.into(),
    })?;
    say!("villagesim serve: open {} in a browser (Ctrl-C stops it)", server.url());
    server.serve();
    Ok(())
}
