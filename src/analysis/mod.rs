//! Parameter sweeps and sensitivity analysis: many simulations of one
//! scenario, each with some of its values changed.
//!
//! - [`overrides`]: change a value of the scenario by its path
//!   (`interventions.support-fund.return_rate_per_year`), on the file's text,
//!   and list its uncertain inputs.
//! - [`sweep`]: `villagesim sweep FILE --set PATH=FROM:TO:STEPS`: the headline
//!   outcomes at every point of a grid of one or two parameters.
//! - [`sensitivity`]: `villagesim sensitivity FILE`: which uncertain inputs
//!   drive the number of villages below the floor (tornado, rank
//!   correlations, report); inputs drawn per village are shifted, not fixed
//!   for every village at once.
//! - [`solve`]: `villagesim solve FILE --target EXPR --vary PATH=LO:HI`: the
//!   smallest (or largest) value of one parameter at which a target holds,
//!   with its Monte Carlo interval.
//! - [`calibrate`]: `villagesim calibrate FILE`: the runs weighted by their
//!   agreement with the `[backtest]` observations; which assumptions the
//!   observed outcome needs, and the projection re-weighted.
//! - [`stress`]: `villagesim stress FILE`: every policy under the file's
//!   `[stress.NAME]` and each uncertain input's tails, against the
//!   unstressed run on common random numbers: which policy holds up.
//! - [`voi`]: `villagesim voi FILE --objective OBJ`: the value of
//!   information, overall (EVPI) and for each uncertain input (EVPPI): which
//!   uncertainty is worth resolving before choosing a policy.
//!
//! Every simulation of an analysis uses the same seed and the same runs, so
//! two points differ only by the values changed: random streams are keyed by
//! the ids of villages and interventions and the names of parameters, not by
//! the order of draws, so fixing one parameter leaves every other draw as it
//! was (common random numbers across points, as across the policies of a
//! run). By default an analysis uses at most [`DEFAULT_MAX_RUNS`] runs per
//! point (the first runs of the file's; `--runs` changes it).

pub mod calibrate;
pub mod overrides;
pub mod sensitivity;
pub mod solve;
pub mod stress;
pub mod sweep;
pub mod voi;

use std::path::{Path, PathBuf};

use crate::engine::{self, EngineError, RunOptions};
use crate::limits::MAX_RUNS;
use crate::model::Model;
use crate::output::OutputError;
use crate::scenario::InvalidScenario;
use crate::summary::compare::RunOutcome;
use crate::summary::results::{Results, Stat};
use crate::summary::samples::{RunSample, SampleColumns, SampleSink};

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

    /// The engine's options for these settings.
    fn options(&self) -> RunOptions {
        RunOptions {
            threads: self.threads,
            ignore_memory_limit: self.ignore_memory_limit,
            ..Default::default()
        }
    }

    /// Simulates `model`.
    pub fn simulate(&self, model: &Model) -> Result<Results, AnalysisError> {
        Ok(engine::simulate(model, self.options(), &|_| {})?)
    }

    /// Simulates `model` and keeps every run (for analyses that need more
    /// than the aggregates): the inputs of `columns` it drew and what
    /// `keep` takes of its policies' outcomes. `done` is called with the
    /// runs finished.
    pub(crate) fn simulate_runs<T>(
        &self,
        model: &Model,
        columns: &SampleColumns,
        done: &(dyn Fn(u64) + Sync),
        keep: impl FnMut(&[RunOutcome]) -> T,
    ) -> Result<(Results, RunTable<T>), AnalysisError> {
        let mut table = Keeping {
            table: RunTable {
                inputs: vec![Vec::new(); columns.inputs.len()],
                kept: Vec::new(),
            },
            keep,
        };
        let results = engine::simulate_sampled(model, self.options(), done, Some((columns, &mut table)))?;
        Ok((results, table.table))
    }
}

/// An input's name and its value in every run.
pub(crate) type InputColumn<'a> = (String, &'a [f64]);

/// Every run of a simulation: the inputs it drew (one column per input,
/// `NaN` where a run drew none) and what was kept of its outcomes.
pub(crate) struct RunTable<T> {
    pub(crate) inputs: Vec<Vec<f64>>,
    pub(crate) kept: Vec<T>,
}

impl<T> RunTable<T> {
    /// The inputs drawn in every run, with their columns, and those drawn
    /// in only some runs (name, runs drawn), which an analysis leaves out.
    pub(crate) fn drawn_inputs<'a>(&'a self, columns: &SampleColumns) -> (Vec<InputColumn<'a>>, Vec<(String, u64)>) {
        let (mut drawn, mut partly) = (Vec::new(), Vec::new());
        for (input, x) in columns.inputs.iter().zip(&self.inputs) {
            let count = x.iter().filter(|v| !v.is_nan()).count();
            if count < x.len() {
                partly.push((input.name.clone(), count as u64));
            } else {
                drawn.push((input.name.clone(), x.as_slice()));
            }
        }
        (drawn, partly)
    }
}

/// The sink that fills a [`RunTable`].
struct Keeping<T, F> {
    table: RunTable<T>,
    keep: F,
}

impl<T, F: FnMut(&[RunOutcome]) -> T> SampleSink for Keeping<T, F> {
    fn take(&mut self, samples: &[RunSample]) -> Result<(), String> {
        for s in samples {
            for (column, v) in self.table.inputs.iter_mut().zip(&s.inputs) {
                column.push(v.unwrap_or(f64::NAN));
            }
            self.table.kept.push((self.keep)(&s.outcomes));
        }
        Ok(())
    }
}

/// Writes into `dir`, all or nothing, the `tables` (name, bytes), the
/// chart `draw` writes into `charts/`, and `report.html` / `report.md` of
/// the page `page` makes from the chart's SVG. Returns the files written,
/// relative to `dir`.
///
/// # Errors
///
/// [`OutputError`] when a file cannot be written; an earlier result in
/// `dir` is then left as it was.
fn write_analysis(
    dir: &Path,
    tables: &[(&str, Vec<u8>)],
    draw: impl FnOnce(&Path) -> Result<Vec<crate::charts::WrittenChart>, crate::charts::ChartError>,
    page: impl FnOnce(Option<String>) -> crate::output::report::page::AnalysisPage,
) -> Result<Vec<PathBuf>, OutputError> {
    use crate::output::report::page;
    let mut staging = crate::output::Staging::new(dir)?;
    for (name, bytes) in tables {
        staging.write(name, bytes)?;
    }
    staging.replace_folder("charts");
    let charts = staging.dir().join("charts");
    std::fs::create_dir_all(&charts).map_err(crate::output::atomic::io_error(&charts))?;
    let written = draw(&charts).map_err(|e| OutputError::Chart {
        path: charts.display().to_string(),
        message: e.to_string(),
    })?;
    let svg = written.iter().find_map(|w| w.svg.clone());
    for w in written {
        staging.adopt(Path::new("charts").join(w.name));
    }
    let page = page(svg);
    staging.write("report.html", page::html(&page).as_bytes())?;
    staging.write("report.md", page::markdown(&page).as_bytes())?;
    staging.commit()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Lang;

    fn quickstart() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
        Scenario::read(&path).unwrap()
    }

    fn settings() -> Settings {
        Settings {
            runs: Some(16),
            seed: None,
            threads: 1,
            ..Default::default()
        }
    }

    fn is_chart(name: &Path) -> bool {
        name.extension().is_some_and(|e| e == "svg" || e == "png")
    }

    fn assert_written(dir: &Path, names: &[PathBuf], stems: &[&str]) {
        assert_eq!(names.len(), 2 * stems.len());
        for stem in stems {
            for ext in ["svg", "png"] {
                let path = dir.join(format!("charts/{stem}.{ext}"));
                let len = std::fs::metadata(&path).unwrap().len();
                assert!(len > 1000, "{} is {len} bytes", path.display());
            }
        }
    }

    #[test]
    fn chinese_sweep_and_tornado_are_written() {
        let scenario = quickstart();
        let dir = tempfile::tempdir().unwrap();
        let spec = sweep::SweepSpec::parse(&["targets.floor=30万:60万:3".into()]).unwrap();
        let result = sweep::run(&scenario, &spec, &settings(), &|| ()).unwrap();
        let names = sweep::write(&result, None, dir.path(), Lang::Zh, &[]).unwrap();
        let charts: Vec<PathBuf> = names.into_iter().filter(|n| is_chart(n)).collect();
        assert_written(
            dir.path(),
            &charts,
            &["sweep_mean_income", "sweep_full_coverage", "sweep_below_floor"],
        );
        let svg = std::fs::read_to_string(dir.path().join("charts/sweep_mean_income.svg")).unwrap();
        assert!(svg.contains("村均经营性收入"), "no Chinese title");
        assert!(svg.contains("万元"));

        let options = sensitivity::Options {
            policy: None,
            samples: 0,
            ..Default::default()
        };
        let result = sensitivity::run(&scenario, &settings(), &options, &|| ()).unwrap();
        let names = sensitivity::write(&result, "quickstart.toml", dir.path(), Lang::Zh).unwrap();
        let charts: Vec<PathBuf> = names.into_iter().filter(|n| is_chart(n)).collect();
        assert_written(dir.path(), &charts, &["tornado"]);
        let svg = std::fs::read_to_string(dir.path().join("charts/tornado.svg")).unwrap();
        assert!(svg.contains("底线的村数"), "no Chinese axis");
    }
}
