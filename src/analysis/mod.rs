//! Parameter sweeps and sensitivity analysis: many simulations of one
//! scenario, each with some of its values changed.
//!
//! - [`overrides`]: change a value of the scenario by its path
//!   (`interventions.support-fund.return_rate_per_year`), on the file's text,
//!   and list its uncertain inputs.
//! - [`sweep`]: `villagesim sweep FILE --set PATH=FROM:TO:STEPS`: the headline
//!   outcomes at every point of a grid of one or two parameters.
//! - [`sensitivity`]: `villagesim sensitivity FILE`: which uncertain inputs
//!   drive the headline outcome (tornado and rank correlations).
//!
//! Every simulation of an analysis uses the same seed and the same runs, so
//! two points differ only by the values changed: random streams are keyed by
//! the ids of villages and interventions and the names of parameters, not by
//! the order of draws, so fixing one parameter leaves every other draw as it
//! was (common random numbers across points, as across the policies of a
//! run). By default an analysis uses at most [`DEFAULT_MAX_RUNS`] runs per
//! point (the first runs of the file's; `--runs` changes it).

pub mod charts;
pub mod overrides;
pub mod sensitivity;
pub mod sweep;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::charts::Lang;
use crate::cli::CliError;
use crate::engine::{self, EngineError, RunOptions};
use crate::model::Model;
use crate::output::OutputError;
use crate::scenario::read::MAX_RUNS;
use crate::scenario::{InvalidScenario, LoadError};
use crate::summary::results::{Results, Stat};

pub use overrides::{NewValue, Override, ValuePath};

/// Runs per point when neither `--runs` nor a smaller `runs` in the file is given.
pub const DEFAULT_MAX_RUNS: u64 = 1_000;

/// Why an analysis could not be done.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AnalysisError {
    #[error("cannot read scenario file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scenario(Box<InvalidScenario>),
    #[error("bad path `{path}`: {message}")]
    Path { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Output(#[from] OutputError),
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

/// A scenario file's text, read once and changed per point.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// How errors name the file.
    pub label: String,
    pub text: String,
    /// Folder relative to which village CSV files are found.
    pub base_dir: PathBuf,
}

impl Scenario {
    pub fn read(path: &Path) -> Result<Scenario, AnalysisError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnalysisError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Scenario {
            label: path.display().to_string(),
            text,
            base_dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        })
    }

    pub fn from_text(label: &str, text: &str, base_dir: &Path) -> Scenario {
        Scenario {
            label: label.to_string(),
            text: text.to_string(),
            base_dir: base_dir.to_path_buf(),
        }
    }

    /// The validated model with `overrides` applied; errors in the changed
    /// file name the changes.
    pub fn model(&self, overrides: &[Override], settings: &Settings) -> Result<Model, AnalysisError> {
        let text = overrides::apply(&self.text, overrides)?;
        let label = if overrides.is_empty() {
            self.label.clone()
        } else {
            let changes: Vec<String> = overrides.iter().map(|o| o.to_string()).collect();
            format!("{} with {}", self.label, changes.join(", "))
        };
        let mut model =
            crate::scenario::parse(&label, &text, &self.base_dir).map_err(|e| AnalysisError::Scenario(Box::new(e)))?;
        settings.apply(&mut model)?;
        Ok(model)
    }
}

/// Runs, seed and threads of every simulation of an analysis.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Runs per point (default: the file's, at most [`DEFAULT_MAX_RUNS`]).
    pub runs: Option<u64>,
    /// Seed (default: the file's).
    pub seed: Option<u64>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// See [`RunOptions::ignore_memory_limit`].
    pub ignore_memory_limit: bool,
}

impl Settings {
    fn apply(&self, model: &mut Model) -> Result<(), AnalysisError> {
        match self.runs {
            Some(runs) if runs == 0 || runs > MAX_RUNS as u64 => {
                return Err(AnalysisError::Usage(format!(
                    "--runs {runs} is out of range: use 1 to {MAX_RUNS}"
                )))
            }
            Some(runs) => model.runs = runs,
            None => model.runs = model.runs.min(DEFAULT_MAX_RUNS),
        }
        if let Some(seed) = self.seed {
            model.seed = seed;
        }
        Ok(())
    }

    /// Simulates `model`.
    pub fn simulate(&self, model: &Model) -> Result<Results, AnalysisError> {
        let options = RunOptions {
            threads: self.threads,
            ignore_memory_limit: self.ignore_memory_limit,
            ..Default::default()
        };
        Ok(engine::simulate(model, options, &|_| {})?)
    }
}

/// Index of the policy named `name` (default: the last policy).
pub fn policy_index(results: &Results, name: Option<&str>) -> Result<usize, AnalysisError> {
    let names: Vec<&str> = results.policies.iter().map(|p| p.name.as_str()).collect();
    match name {
        None => Ok(names.len().saturating_sub(1)),
        Some(name) => names.iter().position(|n| *n == name).ok_or_else(|| {
            AnalysisError::Usage(format!(
                "no policy named \"{name}\"; policies: {}",
                names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            ))
        }),
    }
}

/// Final-year mean village income of policy `p`, over the runs.
pub fn final_mean_income(results: &Results, p: usize) -> Stat {
    results.policies[p]
        .years
        .last()
        .expect("a results year")
        .mean_income_yuan
}

/// A progress bar over `n` simulations, shown only on a terminal.
fn progress(n: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n);
    let template = format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{eta}} left");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Writes a line to standard output, ignoring a closed pipe.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn default_out(model_name: &str, sub: &str) -> PathBuf {
    Path::new("output").join(crate::scenario::slug(model_name)).join(sub)
}

// ---------------------------------------------------------------------------
// Command line

/// Flags shared by `sweep` and `sensitivity`.
#[derive(Debug, clap::Args)]
pub struct AnalysisFlags {
    /// Monte Carlo runs per simulation (default: the file's, at most 1000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master random seed (overrides the file).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario-slug>/sweep or /sensitivity).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Language of the charts.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// No progress bar and no table on standard output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Simulate even when the estimated memory exceeds what the machine has.
    #[arg(long)]
    pub ignore_memory_limit: bool,
}

impl AnalysisFlags {
    fn settings(&self) -> Settings {
        Settings {
            runs: self.runs,
            seed: self.seed,
            threads: self.threads.unwrap_or(0),
            ignore_memory_limit: self.ignore_memory_limit,
        }
    }
}

/// `villagesim sweep`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  villagesim sweep county.toml --set interventions.support-fund.return_rate_per_year=4%:10%:7\n  villagesim sweep county.toml --set interventions.pv.capex_per_kw_yuan=3000:4500:4 --set scenario.years=5:10:6\n  villagesim sweep county.toml --set targets.floor=30万:60万:4 --runs 500\n\nPATH names a value as the file does: [[interventions]] and [[villages]] entries by id (or group,\nor position: interventions[1]). FROM and TO take units as in the file (\"6%\", \"150万\").\nPATH=VALUE (no colons) fixes a value at every point. Every point uses the same seed and runs.\nWrites sweep.csv and charts/ to output/<scenario>/sweep/ unless --out is given."
)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// PATH=FROM:TO:STEPS to sweep (once or twice), or PATH=VALUE to fix.
    #[arg(long = "set", value_name = "PATH=FROM:TO:STEPS", required = true)]
    pub set: Vec<String>,
    /// Policy charted when two parameters are swept (default: the last).
    #[arg(long)]
    pub policy: Option<String>,
    #[command(flatten)]
    pub flags: AnalysisFlags,
}

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

/// Runs `villagesim sweep`.
pub fn sweep_command(args: SweepArgs) -> Result<(), CliError> {
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
    let _lock = crate::output::OutputLock::acquire(&out)?;
    let bar = progress(spec.points() as u64, args.flags.quiet, "sweep point");
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
    let written = sweep::write(&result, charted, &out, args.flags.lang)?;
    if !args.flags.quiet {
        for line in sweep::table(&result) {
            say(&line);
        }
        say(&format!(
            "Outputs written to {} ({} files)",
            out.display(),
            written.len()
        ));
    }
    Ok(())
}

/// Runs `villagesim sensitivity`.
pub fn sensitivity_command(args: SensitivityArgs) -> Result<(), CliError> {
    let scenario = Scenario::read(&args.file)?;
    let settings = args.flags.settings();
    let base = scenario.model(&[], &settings)?;
    let inputs = overrides::uncertain_inputs(&scenario.text)?;
    let out = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| default_out(&base.name, "sensitivity"));
    let _lock = crate::output::OutputLock::acquire(&out)?;
    let bar = progress(
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
    let written = sensitivity::write(&result, &out, args.flags.lang)?;
    if !args.flags.quiet {
        for line in sensitivity::table(&result) {
            say(&line);
        }
        say(&format!(
            "Outputs written to {} ({} files)",
            out.display(),
            written.len()
        ));
    }
    Ok(())
}
