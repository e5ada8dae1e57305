//! The command line: clap definitions and one function per command.
//! Commands print; the library computes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::charts::Lang;
use crate::engine::{self, RunOptions};
use crate::model::Model;
use crate::output::{self, summary_json, Manifest};
use crate::scenario::{self, read::MAX_RUNS};

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

const EXAMPLES: &str = "\
Examples:
  villagesim run scenarios/quickstart.toml
  villagesim run scenarios/quickstart.toml --runs 20000 --seed 7 --out results/
  villagesim run scenarios/quickstart.toml --lang zh
  villagesim report output/quickstart-county --lang zh
  villagesim validate my-county.toml
  villagesim init my-county.toml
  villagesim explain pv_loan
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
        after_help = "Outputs go to output/<scenario-name>/ unless --out is given:\n  report.html, report.md, summary.json, portfolio_years.csv, village_years.csv, results.json, manifest.json, charts/"
    )]
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Monte Carlo runs (overrides the file).
        #[arg(long)]
        runs: Option<u64>,
        /// Master random seed (overrides the file).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder (default: output/<scenario-slug>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar and no summary on standard output.
        #[arg(long, short)]
        quiet: bool,
        /// Switch uncertainty off: every uncertain parameter at its central
        /// value (random events such as vacancies or defaults stay random).
        #[arg(long)]
        central: bool,
        /// Language of the charts and reports.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Simulate even when the estimated memory (shown by `validate`)
        /// exceeds what the machine has available.
        #[arg(long)]
        ignore_memory_limit: bool,
    },
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
        #[arg(long)]
        runs: Option<u64>,
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        threads: Option<usize>,
        /// Language of the charts and reports.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        /// Simulate even when the estimated memory exceeds what the machine has.
        #[arg(long)]
        ignore_memory_limit: bool,
    },
    /// Rebuild the charts and reports of an earlier run from its saved results, without simulating.
    #[command(
        after_help = "Reads OUTPUT_DIR/results.json and manifest.json and rewrites charts/, report.html and report.md\n(in the chosen language); the other files of the run are left as they are."
    )]
    Report {
        /// The output folder of a run (holding results.json and manifest.json).
        dir: PathBuf,
        /// Language of the charts and reports.
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
    },
    /// Sweep one or two parameters over a range, on common random numbers.
    Sweep(crate::analysis::SweepArgs),
    /// Which uncertain inputs drive the headline outcome (tornado, rank correlations).
    Sensitivity(crate::analysis::SensitivityArgs),
    /// Check a scenario file and print what would be simulated.
    Validate {
        /// The scenario file (TOML).
        file: PathBuf,
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
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Saved(#[from] output::SavedError),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run {
            file,
            runs,
            seed,
            out,
            threads,
            quiet,
            central,
            lang,
            ignore_memory_limit,
        } => {
            let read = crate::scenario::ReadOptions {
                central_values: central,
            };
            let model = load(&file, read, runs, seed)?;
            let options = RunOptions {
                threads: threads.unwrap_or(0),
                ignore_memory_limit,
                ..Default::default()
            };
            run_model(&model, &[&file], out, options, quiet, lang).map(|_| ())
        }
        Command::Compare {
            files,
            reference,
            runs,
            seed,
            out,
            threads,
            lang,
            ignore_memory_limit,
        } => {
            let mut models = Vec::new();
            for file in &files {
                let label = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                models.push((label, load(file, Default::default(), runs, seed)?));
            }
            let model = crate::scenario::combine::combine(models).map_err(CliError::Usage)?;
            let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
            if !names.contains(&reference) {
                return Err(CliError::Usage(format!(
                    "no policy named \"{reference}\"; policies: {}",
                    names.join(", ")
                )));
            }
            let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            let options = RunOptions {
                threads: threads.unwrap_or(0),
                reference: names.iter().position(|n| *n == reference).unwrap_or(0),
                ignore_memory_limit,
            };
            let results = run_model(&model, &paths, out, options, false, lang)?;
            print_comparison(&results, &reference);
            Ok(())
        }
        Command::Report { dir, lang } => {
            let written = output::rebuild_reports(&dir, lang)?;
            say!(
                "Rebuilt {} files from {} without simulating: {}",
                written.len(),
                dir.join("results.json").display(),
                dir.join("report.html").display()
            );
            Ok(())
        }
        Command::Sweep(args) => crate::analysis::sweep_command(args),
        Command::Sensitivity(args) => crate::analysis::sensitivity_command(args),
        Command::Validate { file } => validate(&file),
        Command::Explain { kind, markdown } => explain(kind.as_deref(), markdown),
        Command::Schema => {
            let schema = crate::scenario::schema::scenario_schema();
            say!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
            Ok(())
        }
        Command::Init { path, force } => init(&path, force),
    }
}

fn load(
    file: &Path,
    options: crate::scenario::ReadOptions,
    runs: Option<u64>,
    seed: Option<u64>,
) -> Result<Model, CliError> {
    let mut model = scenario::load_with(file, options)?;
    if let Some(runs) = runs {
        if runs == 0 || runs > MAX_RUNS as u64 {
            return Err(CliError::Usage(format!(
                "--runs {runs} is out of range: use 1 to {MAX_RUNS}"
            )));
        }
        model.runs = runs;
    }
    if let Some(seed) = seed {
        model.seed = seed;
    }
    Ok(model)
}

/// Simulates `model` (read from `files`) and writes its outputs.
fn run_model(
    model: &Model,
    files: &[&Path],
    out: Option<PathBuf>,
    options: RunOptions,
    quiet: bool,
    lang: Lang,
) -> Result<crate::summary::results::Results, CliError> {
    let out = out.unwrap_or_else(|| Path::new("output").join(scenario::slug(&model.name)));
    // Before simulating: a second run into the same folder refuses now,
    // not after minutes of work. Stale staging folders go here too.
    let _lock = output::OutputLock::acquire(&out)?;
    let threads = options.threads;
    let bar = progress_bar(model.runs, quiet);
    let started = Instant::now();
    let results = engine::simulate(model, options, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let village_years =
        model.runs as f64 * model.villages.len() as f64 * model.years as f64 * model.policies.len() as f64;
    let mut manifest = Manifest {
        tool: "villagesim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: std::env::args().collect(),
        scenario_file: files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        scenario_sha256: files.iter().map(|f| sha256_of(f)).collect::<Vec<_>>().join(", "),
        seed: model.seed,
        runs: model.runs,
        threads: if threads == 0 {
            rayon::current_num_threads()
        } else {
            threads
        },
        wall_time_seconds: seconds,
        village_years_per_second: village_years / seconds.max(1e-9),
        peak_memory_mb: None,
        files: Vec::new(),
    };
    output::write_run(&results, &mut manifest, &out, lang)?;
    if !quiet {
        print_closing(&results, &out, seconds, manifest.village_years_per_second);
    }
    Ok(results)
}

/// Prints each policy against `reference`, run by run.
fn print_comparison(results: &crate::summary::results::Results, reference: &str) {
    say!(
        "\nAgainst \"{reference}\", run by run on common random numbers, in {}:",
        results.final_year
    );
    for pair in results.comparisons.iter().filter(|c| c.reference == reference) {
        let d = &pair.diff_mean_village_income_yuan;
        let b = &pair.diff_villages_below_floor;
        say!(
"  {:<28} mean village income {} yuan (P5 {}, P95 {}; higher in {:.1}% of runs), villages below the floor {:+.1} (fewer in {:.1}% of runs)",
            pair.policy,
            signed(d.mean),
            signed(d.p5),
            signed(d.p95),
            100.0 * pair.p_higher_income,
            b.mean,
            100.0 * pair.p_fewer_below_floor
        );
    }
    say!("Full coverage (every village at the floor) first reached:");
    for p in &results.policies {
        let by_end = p.coverage.last().map_or(0.0, |c| c.p_reached_by);
        let likely = p
            .coverage
            .iter()
            .find(|c| c.p_reached_by >= 0.5)
            .map_or("not in half the runs".to_string(), |c| {
                format!("by {} in half the runs", c.year)
            });
        say!(
            "  {:<28} {likely}; by {} in {:.1}% of runs; never in the horizon in {:.1}%",
            p.name,
            results.final_year,
            100.0 * by_end,
            100.0 * p.p_coverage_never
        );
    }
}

fn progress_bar(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(runs);
    if let Ok(style) = ProgressStyle::with_template("{spinner} simulating {pos}/{len} runs [{bar:30}] {eta} left") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn sha256_of(file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap_or_default();
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn print_closing(results: &crate::summary::results::Results, out: &Path, seconds: f64, rate: f64) {
    let summary = summary_json::summary(results);
    say!(
        "{}: {} runs x {} villages x {} years in {:.2} s ({:.1} million village-years/s)",
        summary.scenario,
        summary.runs,
        summary.villages,
        results.final_year - results.baseline_year,
        seconds,
        rate / 1e6
    );
    say!(
        "In {} (floor {} yuan):",
        summary.final_year,
        thousands(summary.floor_yuan)
    );
    for p in &summary.policies {
        let m = &p.mean_village_income_yuan;
        say!(
            "  {:<28} mean village income {} yuan (P5 {}, P95 {}; se {}), every village at the floor in {:.1}% of runs (se {:.1}%), {:.1} villages below the floor on average",
            p.name,
            thousands(m.mean),
            thousands(m.p5),
            thousands(m.p95),
            thousands(m.se),
            100.0 * p.p_all_above_floor.value,
            100.0 * p.p_all_above_floor.se,
            p.expected_villages_below_floor.mean,
        );
    }
    say!(
        "Over {}-{}, against no intervention:",
        results.start_year,
        results.final_year
    );
    for p in summary.policies.iter().skip(1) {
        let Some(d) = &p.decisions else { continue };
        let per_yuan = d
            .income_added_per_public_yuan
            .map_or("no public money".to_string(), |r| {
                format!("{r:.2} yuan per public yuan")
            });
        let mut line = format!(
            "  {:<28} public money {} yuan, income added {} yuan ({per_yuan})",
            p.name,
            thousands(d.public_money_yuan.mean),
            thousands(d.income_added_yuan.mean)
        );
        if let Some(b) = d.p_within_budget {
            line += &format!(", within budget in {:.1}% of runs", 100.0 * b);
        }
        if let (Some(q), Some(year)) = (p.p_full_coverage_in_target_year, summary.target_year) {
            line += &format!(", every village at the floor in {year} in {:.1}% of runs", 100.0 * q);
        }
        say!("{line}");
    }
    for p in &summary.policies {
        let Some(b) = &p.backtest else { continue };
        let mut line = format!("  backtest {} for \"{}\":", b.year, p.name);
        if let (Some(o), Some(q)) = (b.observed_mean_village_income_yuan, b.percentile_of_observed_mean) {
            line += &format!(
                " observed mean {} yuan sits at the {:.1}th percentile;",
                thousands(o),
                100.0 * q
            );
        }
        line += &format!(
            " P(every village at the floor) = {:.1}% (se {:.1}%)",
            100.0 * b.p_full_coverage,
            100.0 * b.p_full_coverage_se
        );
        if b.observed_full_coverage == Some(true) {
            line += ", observed: yes";
        }
        say!("{line}");
    }
    for line in &summary.advice {
        say!("note: {line}");
    }
    say!("Outputs written to {}", out.display());
}

/// 1234.5 -> "+1,235", -20 -> "-20".
fn signed(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", thousands(x))
    } else {
        thousands(x)
    }
}

/// 1234567.8 -> "1,234,568".
pub fn thousands(x: f64) -> String {
    crate::model::units::thousands(x)
}

fn validate(file: &Path) -> Result<(), CliError> {
    let model = load(file, Default::default(), None, None)?;
    say_raw!("{}", describe(&model));
    let f = engine::footprint::estimate(&model, 0, 0);
    let available = engine::footprint::available_memory_bytes().map_or(String::new(), |a| {
        format!(" of {} available", engine::footprint::bytes(a))
    });
    say!(
        "  estimated peak memory {} on {} threads{available}; outputs about {}",
        engine::footprint::bytes(f.memory_bytes),
        f.threads,
        engine::footprint::bytes(f.output_bytes)
    );
    Ok(())
}

/// What `validate` prints: what would be simulated.
pub fn describe(model: &Model) -> String {
    let mut s = format!("{}: valid\n", model.name);
    s += &format!(
        "  {} runs, seed {}, years {}..{} (baseline {}), discount rate {}\n",
        model.runs,
        model.seed,
        model.start_year,
        model.final_year(),
        model.baseline_year(),
        model.discount_rate
    );
    s += &format!(
        "  targets: floor {} yuan, weak {} yuan\n",
        thousands(model.floor_yuan),
        thousands(model.weak_yuan)
    );
    let baseline: f64 = model.villages.iter().map(|v| v.operating_income.central()).sum();
    let other: f64 = model.villages.iter().map(|v| v.other_income.central()).sum();
    s += &format!(
        "  villages: {} (baseline operating income {} yuan in all, {} per village; other income {} yuan)\n",
        model.villages.len(),
        thousands(baseline),
        thousands(baseline / model.villages.len().max(1) as f64),
        thousands(other)
    );
    let mut groups: Vec<(String, usize)> = Vec::new();
    for v in &model.villages {
        let g = v.group.clone().or(v.township.clone()).unwrap_or("(no group)".into());
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, n)) => *n += 1,
            None => groups.push((g, 1)),
        }
    }
    for (g, n) in groups {
        s += &format!("    {g}: {n}\n");
    }
    for f in &model.factors {
        s += &format!("  factor {}: persistence {}\n", f.name, f.persistence);
    }
    s += &format!("  interventions: {}\n", model.interventions.len());
    for iv in &model.interventions {
        let end = iv.end_year.map_or("end".into(), |e| e.to_string());
        s += &format!(
            "    {} ({}): {} villages, {}..{}\n",
            iv.id,
            iv.kind.name(),
            iv.villages.len(),
            iv.start_year,
            end
        );
    }
    s += &format!("  policies: {}\n", model.policies.len());
    for p in &model.policies {
        let ids: Vec<&str> = p
            .interventions
            .iter()
            .map(|&i| model.interventions[i].id.as_str())
            .collect();
        s += &format!("    {}: [{}]\n", p.name, ids.join(", "));
    }
    s
}

fn explain(kind: Option<&str>, markdown: bool) -> Result<(), CliError> {
    let docs = crate::model::docs();
    let Some(kind) = kind else {
        say!("Kinds of intervention (villagesim explain KIND for details):");
        for d in &docs {
            say!("  {:<22} {}", d.kind, d.chinese);
        }
        return Ok(());
    };
    let Some(doc) = docs.iter().find(|d| d.kind == kind) else {
        let names: Vec<&str> = docs.iter().map(|d| d.kind).collect();
        let hint =
            crate::model::param::closest(kind, &names).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
        return Err(CliError::Usage(format!(
            "unknown kind `{kind}`{hint}; kinds: {}",
            names.join(", ")
        )));
    };
    say_raw!("{}", if markdown { doc.markdown() } else { doc.explain() });
    Ok(())
}

/// The starter scenario `init` writes.
pub const TEMPLATE: &str = include_str!("../scenarios/template.toml");

fn init(path: &Path, force: bool) -> Result<(), CliError> {
    // An empty file (say, from an earlier attempt on a full disk) holds
    // nothing to lose.
    let occupied = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file() || m.len() > 0);
    if occupied && !force {
        return Err(CliError::Usage(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        )));
    }
    write_whole(path, TEMPLATE.as_bytes())?;
    say!(
        "wrote {}; try: villagesim validate {0} && villagesim run {0}",
        path.display()
    );
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path` and renames it into
/// place: `path` is either untouched or complete, never half written.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), output::OutputError> {
    use std::io::Write as _;
    let error = |source| output::OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(source) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(error(source));
    }
    Ok(())
}
