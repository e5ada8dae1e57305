//! `villagesim run` and `villagesim compare`: simulate, write the outputs,
//! print what they say.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

use villagesim::engine::{self, RunOptions};
use villagesim::format::{odds, pct, Lang};
use villagesim::limits::MAX_RUNS;
use villagesim::model::Model;
use villagesim::output::report::lead;
use villagesim::output::{self, summary_json, Manifest};
use villagesim::scenario::{self, ReadOptions};
use villagesim::summary::results::Results;

use super::flags::RunFlags;
use super::print::{self, thousands};
use super::CliError;

/// `villagesim run`.
pub fn run(file: &Path, flags: &RunFlags) -> Result<(), CliError> {
    let read = ReadOptions {
        central: flags.central.map(Into::into),
    };
    let (model, digest) = load(file, read, flags.runs, flags.seed)?;
    let options = RunOptions {
        threads: flags.threads.unwrap_or(0),
        ignore_memory_limit: flags.ignore_memory_limit,
        ..Default::default()
    };
    run_model(&model, &[file], &[digest], flags, options).map(|_| ())
}

/// `villagesim compare`.
pub fn compare(files: &[PathBuf], reference: &str, flags: &RunFlags) -> Result<(), CliError> {
    let mut models = Vec::new();
    let mut digests = Vec::new();
    for file in files {
        let label = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let read = ReadOptions {
            central: flags.central.map(Into::into),
        };
        let (model, digest) = load(file, read, flags.runs, flags.seed)?;
        models.push((label, model));
        digests.push(digest);
    }
    let model = scenario::combine::combine(models).map_err(CliError::Usage)?;
    let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
    if !names.iter().any(|n| n == reference) {
        return Err(CliError::Usage(format!(
            "no policy named \"{reference}\"; policies: {}",
            names.join(", ")
        )));
    }
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let options = RunOptions {
        threads: flags.threads.unwrap_or(0),
        reference: names.iter().position(|n| *n == reference).unwrap_or(0),
        ignore_memory_limit: flags.ignore_memory_limit,
    };
    let results = run_model(&model, &paths, &digests, flags, options)?;
    if !flags.quiet {
        print_comparison(&results, reference);
    }
    Ok(())
}

/// Reads and validates the scenario at `file` with `options` and the
/// overrides of the command line; with the SHA-256 of the bytes read, the
/// very bytes validated.
pub fn load(
    file: &Path,
    options: ReadOptions,
    runs: Option<u64>,
    seed: Option<u64>,
) -> Result<(Model, String), CliError> {
    let bytes = scenario::read_source(file)?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut model = scenario::parse_bytes(&file.display().to_string(), &bytes, base, options)?;
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
    Ok((model, sha256(&bytes)))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Simulates `model` (read from `files`, whose digests are `digests`) and
/// writes its outputs.
fn run_model(
    model: &Model,
    files: &[&Path],
    digests: &[String],
    flags: &RunFlags,
    options: RunOptions,
) -> Result<Results, CliError> {
    let quiet = flags.quiet;
    let out = flags
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(scenario::slug(&model.name)));
    // Before simulating: a second run into the same folder refuses now,
    // not after minutes of work. Stale staging folders go here too.
    let _lock = output::OutputLock::acquire(&out)?;
    let threads = options.threads;
    let bar = print::runs_progress(model.runs, quiet);
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
        scenario_sha256: digests.join(", "),
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
    output::write_run(&results, &mut manifest, &out, flags.lang.into())?;
    if !quiet {
        print_closing(&results, &out, seconds, manifest.village_years_per_second);
    }
    Ok(results)
}

/// Prints each policy against `reference`, run by run.
fn print_comparison(results: &Results, reference: &str) {
    say!(
        "\nAgainst \"{reference}\", run by run on common random numbers, in {}:",
        results.final_year
    );
    for pair in results.comparisons.iter().filter(|c| c.reference == reference) {
        let d = &pair.diff_mean_village_income_yuan;
        let b = &pair.diff_villages_below_floor;
        say!(
"  {:<28} mean village income {} yuan (P5 {}, P95 {}; higher in {} of runs), villages below the floor {:+.1} (fewer in {} of runs)",
            pair.policy,
            print::signed(d.mean),
            print::signed(d.p5),
            print::signed(d.p95),
            pct(pair.p_higher_income),
            b.mean,
            pct(pair.p_fewer_below_floor)
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
            "  {:<28} {likely}; by {} in {} of runs; never in the horizon in {}",
            p.name,
            results.final_year,
            pct(by_end),
            pct(p.p_coverage_never)
        );
    }
}

fn print_closing(results: &Results, out: &Path, seconds: f64, rate: f64) {
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
        "Villages below the floor of {} yuan, full coverage and cost:",
        thousands(summary.floor_yuan)
    );
    for p in &results.policies {
        // The terminal is English (see `flags::LangArg`).
        say!("  {:<28} {}", p.name, lead::policy_line(results, p, Lang::En));
    }
    say!("In {}:", summary.final_year);
    for p in &summary.policies {
        let m = &p.mean_village_income_yuan;
        say!(
            "  {:<28} mean village income {} yuan (P5 {}, P95 {}; se {}), every village at the floor {}",
            p.name,
            thousands(m.mean),
            thousands(m.p5),
            thousands(m.p95),
            thousands(m.se),
            odds(Lang::En, p.p_all_above_floor.value, results.runs),
        );
    }
    print_decisions(results, &summary);
    print_backtests(&summary);
    for line in &summary.advice {
        say!("note: {line}");
    }
    say!("Outputs written to {}", out.display());
}

/// Public money, income added and coverage of each policy against no
/// intervention.
fn print_decisions(results: &Results, summary: &summary_json::Summary) {
    say!(
        "Over {}-{}, against no intervention:",
        results.start_year,
        results.final_year
    );
    for p in summary.policies.iter().skip(1) {
        let Some(d) = &p.decisions else { continue };
        let per_yuan = d
            .income_added_per_fiscal_yuan
            .map_or("no fiscal cost".to_string(), |r| {
                format!("{r:.2} yuan per yuan of fiscal cost")
            });
        let mut line = format!(
            "  {:<28} public money {} yuan (fiscal cost {}), income added {} yuan ({per_yuan})",
            p.name,
            thousands(d.public_money_yuan.mean),
            thousands(d.fiscal_cost_yuan.mean),
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
}

/// Each backtest: where the observation sits in the simulated distribution.
fn print_backtests(summary: &summary_json::Summary) {
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
}
