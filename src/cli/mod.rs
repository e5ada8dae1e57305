//! The command line: clap definitions and one module per command. Only
//! the binary knows clap, indicatif and the terminal; commands print, the
//! library computes.
//!
//! - [`run`]: `run` and `compare` (simulate, write, print the summary);
//! - [`report`], [`sweep`], [`sensitivity`], [`validate`], [`explain`],
//!   [`schema`], [`init`]: one command each;
//! - [`flags`]: flags shared by several commands; [`print`]: standard
//!   output, numbers and progress bars.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use villagesim::analysis::AnalysisError;
use villagesim::scenario::{self, LoadError};
use villagesim::{engine, output};

use flags::{LangArg, RunFlags};

/// Writes a line to standard output, ignoring a closed pipe
/// (`villagesim schema | head` must not panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Like [`say!`], without the newline.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod calibrate;
mod explain;
mod flags;
mod groups;
mod init;
mod job;
mod points;
mod print;
mod report;
mod run;
mod schema;
mod sensitivity;
mod serve;
mod shard;
mod solve;
mod stress;
mod sweep;
mod validate;
mod voi;

const EXAMPLES: &str = "\
Examples:
  villagesim run scenarios/quickstart.toml
  villagesim run scenarios/quickstart.toml --runs 20000 --seed 7 --out results/
  villagesim run scenarios/quickstart.toml --lang zh
  villagesim report output/quickstart-county --lang zh
  villagesim validate my-county.toml
  villagesim init my-county.toml
  villagesim explain pv_loan
  villagesim serve scenarios/wuxing-2018.toml
  villagesim schema > villagesim.schema.json";

/// Monte Carlo projections of village collective income under policies.
#[derive(Debug, Parser)]
#[command(name = "villagesim", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write its outputs (CSV, JSON, charts).
    #[command(
        after_help = "Outputs go to output/<scenario-name>/ unless --out is given:\n  report.html, report.md, summary.json, portfolio_years.csv, village_years.csv, results.json, village_years.bin, manifest.json, charts/"
    )]
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        #[command(flatten)]
        flags: RunFlags,
        #[command(flatten)]
        job: flags::JobFlags,
    },
    /// Merge shard files (from `run --shard`) into the outputs of one run.
    #[command(
        after_help = "The shards must be of the same scenario, seed, runs, settings and villagesim version,\nand their runs disjoint; together they must hold every run (unless --shard-out).\nThe outputs are byte-identical to those of the one `run` (manifest.json apart)."
    )]
    Merge(shard::MergeArgs),
    /// Simulate a scenario and compare its policies run by run against a reference.
    #[command(
        after_help = "Every difference is paired: all policies of a run share its random numbers.\nWrites the same outputs as `run` (comparisons.csv and coverage.csv hold every pair)."
    )]
    Compare {
        /// The scenario file (TOML); several files over the same villages are
        /// simulated together, their policies named "file-stem: policy".
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The policy to compare against (default: "no intervention").
        #[arg(long, default_value = "no intervention")]
        reference: String,
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Rebuild the charts and reports of an earlier run from its saved results, without simulating.
    #[command(
        after_help = "Reads OUTPUT_DIR/results.json, village_years.bin and manifest.json and rewrites charts/, report.html and report.md\n(in the chosen language); the other files of the run are left as they are."
    )]
    Report {
        /// The output folder of a run (holding results.json, village_years.bin and manifest.json).
        dir: PathBuf,
        /// Language of the charts and reports.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
    },
    /// Sweep one or two parameters over a range, on common random numbers.
    Sweep(sweep::SweepArgs),
    /// Which uncertain inputs decide how many villages stay below the floor (tornado, rank correlations, report).
    Sensitivity(sensitivity::SensitivityArgs),
    /// The smallest (or largest) value of one parameter at which a target holds, with its Monte Carlo interval.
    Solve(solve::SolveArgs),
    /// Every policy under the file's [stress.NAME] tables and each uncertain input's tails, against the unstressed run: which policy holds up.
    Stress(stress::StressArgs),
    /// Weight the runs by their agreement with the [backtest] observations: which assumptions they need, the projection re-weighted.
    Calibrate(calibrate::CalibrateArgs),
    /// The value of information: which uncertainty is worth resolving before choosing a policy (EVPI, EVPPI).
    Voi(voi::VoiArgs),
    /// A local page to change a scenario's values and see the answer (quick, then full), with downloads.
    Serve(serve::ServeArgs),
    /// Check a scenario file and print what would be simulated.
    Validate {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Language of what is printed.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Estimate the memory on this many threads (default: this
        /// machine's cores), e.g. those a cluster task will have.
        #[arg(long)]
        threads: Option<usize>,
        /// Estimate the memory of a shard of this policy group (`run
        /// --shard I/K --policies A,B`).
        #[arg(long, value_name = "A,B")]
        policies: Option<String>,
    },
    /// Explain a kind of intervention: parameters, units, defaults, equations.
    Explain {
        /// The kind (omit to list every kind).
        kind: Option<String>,
        /// Print Markdown (as in docs/model.md) instead of text.
        #[arg(long)]
        markdown: bool,
    },
    /// Print the JSON Schema of the scenario format, for editors.
    #[command(
        after_help = "Save it and point your editor at it, e.g. with Taplo / Even Better TOML:\n  villagesim schema > villagesim.schema.json\n  and add `#:schema ./villagesim.schema.json` as the first line of a scenario file."
    )]
    Schema,
    /// Write a commented starter scenario that runs as is.
    Init {
        /// Where to write it.
        #[arg(default_value = "scenario.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// Errors a command reports to the user.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scenario(#[from] scenario::LoadError),
    #[error("{0}")]
    Usage(String),
    /// A job that stops by itself is not precise enough in the runs given:
    /// more are needed (exit code 3, so that a driver can run them).
    #[error("{0}")]
    NotYet(String),
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Saved(#[from] output::SavedError),
    #[error(transparent)]
    Serve(#[from] villagesim::serve::ServeError),
}

impl From<AnalysisError> for CliError {
    fn from(e: AnalysisError) -> CliError {
        match e {
            AnalysisError::Io { path, source } => CliError::Scenario(LoadError::Io { path, source }),
            AnalysisError::Scenario(invalid) => CliError::Scenario(LoadError::Invalid(invalid)),
            AnalysisError::Path { .. } => CliError::Usage(e.to_string()),
            AnalysisError::Usage(message) => CliError::Usage(message),
            AnalysisError::Engine(e) => CliError::Engine(e),
            AnalysisError::Output(e) => CliError::Output(e),
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let threads = match &cli.command {
        Command::Run { flags, .. } | Command::Compare { flags, .. } => flags.threads,
        Command::Merge(args) => args.threads,
        Command::Sweep(args) => args.flags.threads,
        Command::Sensitivity(args) => args.flags.threads,
        Command::Solve(args) => args.flags.threads,
        Command::Voi(args) => args.flags.threads,
        Command::Calibrate(args) => args.flags.threads,
        Command::Stress(args) => args.flags.threads,
        Command::Serve(args) => args.threads,
        _ => None,
    };
    if let Some(n) = threads.filter(|&n| n > 0) {
        // Everything parallel outside the engine's own pool (writing the
        // outputs) uses as many threads as the engine. Built once per
        // process; it can only fail if built already.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    match cli.command {
        Command::Run { file, flags, job } => match &job.shard {
            Some(spec) => {
                if flags.samples {
                    return Err(CliError::Usage(format!(
                        "--samples writes every run's row with the outputs of one run: it does not go with --shard {spec}; run without --shard (one process writes samples.csv for all the runs)"
                    )));
                }
                if job.checkpoint_every.is_some() || job.resume {
                    return Err(CliError::Usage(format!(
                        "--shard {spec} simulates a fixed share of the runs and writes it at once: it does not go with --checkpoint-every or --resume"
                    )));
                }
                shard::run_shard(&file, &flags, &job, spec)
            }
            None if job.policies.is_some() => Err(CliError::Usage(
                "--policies simulates a group of policies for a shard: give --shard I/K too (--shard 0/1 for every run), and merge the groups' shards".into(),
            )),
            None => run::run(&file, &flags, &job),
        },
        Command::Merge(args) => shard::merge(&args),
        Command::Compare {
            files,
            reference,
            flags,
        } => run::compare(&files, &reference, &flags),
        Command::Report { dir, lang } => report::report(&dir, lang.into()),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
        Command::Solve(args) => solve::solve(args),
        Command::Voi(args) => voi::voi(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Stress(args) => stress::stress(args),
        Command::Serve(args) => serve::serve(args),
        Command::Validate {
            file,
            lang,
            threads,
            policies,
        } => validate::validate(&file, lang.into(), threads, policies.as_deref()),
        Command::Explain { kind, markdown } => explain::explain(kind.as_deref(), markdown),
        Command::Schema => schema::schema(),
        Command::Init { path, force } => init::init(&path, force),
    }
}
