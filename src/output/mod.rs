//! Writing a run's outputs: tidy CSV, JSON, the manifest and charts, all
//! staged and moved into place together.

pub mod accounts;
pub mod atomic;
pub mod lock;
pub mod report;
pub mod samples;
pub mod summary_json;
pub mod tables;
pub mod village_file;
pub mod workbook;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use atomic::{remove_staging_for_exit, OutputError, OutputLock, Staging};

use crate::charts::WrittenChart;
use crate::format::Lang;
use crate::summary::results::{Results, RESULTS_FORMAT_VERSION};

/// What `manifest.json` records: enough to reproduce every figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub command_line: Vec<String>,
    /// The one command that makes these results in one process (`villagesim
    /// run FILE --runs N --seed S ...`): what the report shows, the same
    /// whether the runs were made at once, in shards or resumed. Empty for
    /// commands whose results only come from their own command line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result_command: Vec<String>,
    pub scenario_file: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u64,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub village_years_per_second: f64,
    /// Peak resident memory of the process, from /proc (Linux only).
    pub peak_memory_mb: Option<f64>,
    pub files: Vec<String>,
}

/// Peak resident set size of this process in MiB (`VmHWM`), where the
/// system reports it.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn json<T: Serialize>(value: &T, name: &str) -> Result<Vec<u8>, OutputError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Names of the files a run writes besides the charts.
pub const RUN_FILES: [&str; 19] = [
    "summary.json",
    "portfolio_years.csv",
    "village_years.csv",
    "interventions.csv",
    "contributions.csv",
    "external_beneficiaries.csv",
    "names.csv",
    "comparisons.csv",
    "coverage.csv",
    "decisions.csv",
    "accounts.csv",
    "public_cost.csv",
    "who_gains.csv",
    "results.json",
    "village_years.bin",
    "results.xlsx",
    "report.html",
    "report.md",
    "manifest.json",
];

/// Writes every output of a run into `dir` and returns the paths written;
/// charts and reports are in `lang`.
pub fn write_run(
    results: &Results,
    manifest: &mut Manifest,
    dir: &Path,
    lang: Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    write_run_staged(Staging::new(dir)?, results, manifest, lang)
}

/// [`write_run`] into a staging folder begun earlier, which may hold
/// `samples.csv` already ([`samples::SamplesCsv`], written while the runs
/// were simulated). Without it, an earlier `samples.csv` in the folder is
/// removed: it would not be of these results.
pub fn write_run_staged(
    mut staging: Staging,
    results: &Results,
    manifest: &mut Manifest,
    lang: Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    let sampled = staging.holds(Path::new(samples::SAMPLES_FILE));
    if !sampled {
        staging.replace_folder(samples::SAMPLES_FILE);
    }
    let chart_dir = chart_folder(&mut staging)?;
    // The two large files, the small tables and the charts are written at
    // once, each on its own thread; errors are reported in this order.
    let ((big, small), charts) = rayon::join(
        || {
            rayon::join(
                || write_large_files(&staging, results, lang),
                || small_tables(results, lang),
            )
        },
        || render_charts(results, &chart_dir, lang),
    );
    let (big, small, charts) = (big?, small?, charts?);
    for (name, bytes) in &small {
        staging.write(name, bytes)?;
    }
    big.into_iter().for_each(|rel| staging.adopt(rel));
    manifest.files = RUN_FILES.iter().map(|s| s.to_string()).collect();
    if sampled {
        manifest.files.push(samples::SAMPLES_FILE.to_string());
    }
    manifest.peak_memory_mb = peak_memory_mb();
    write_reports(&mut staging, results, manifest, charts, lang)?;
    staging.write("manifest.json", &json(manifest, "manifest.json")?)?;
    staging.commit()
}

/// `results.json` (compact), `village_years.bin` and `village_years.csv`,
/// streamed to their files at once: the files that grow with villages x
/// years x policies.
fn write_large_files(staging: &Staging, results: &Results, lang: Lang) -> Result<Vec<PathBuf>, OutputError> {
    let ((json, bin), csv) = rayon::join(
        || {
            rayon::join(
                || {
                    staging.create_with("results.json", |file| {
                        serde_json::to_writer(&mut *file, results)?;
                        file.write_all(b"\n")
                    })
                },
                || {
                    staging.create_with(village_file::VILLAGE_YEARS_FILE, |file| {
                        village_file::write(results, file)
                    })
                },
            )
        },
        || {
            staging.create_with("village_years.csv", |file| {
                tables::write_village_years(results, lang, file)
            })
        },
    );
    Ok(vec![csv?, json?, bin?])
}

/// The other tables, in memory (they are small), in the order written.
fn small_tables(results: &Results, lang: Lang) -> Result<Vec<(&'static str, Vec<u8>)>, OutputError> {
    let mut tables = csv_tables(results, lang)?;
    let for_workbook: Vec<(&str, &[u8])> = (tables.iter())
        .filter(|(name, _)| ["interventions.csv", "decisions.csv"].contains(name))
        .map(|(name, bytes)| (*name, &bytes[..]))
        .collect();
    let book = workbook::workbook(results, lang, &for_workbook)?;
    tables.push((workbook::WORKBOOK_FILE, book));
    Ok(tables)
}

/// The small CSV and JSON tables.
fn csv_tables(results: &Results, lang: Lang) -> Result<Vec<(&'static str, Vec<u8>)>, OutputError> {
    Ok(vec![
        ("summary.json", json(&summary_json::summary(results), "summary.json")?),
        ("portfolio_years.csv", tables::portfolio_years(results)?),
        ("interventions.csv", tables::interventions(results)?),
        ("contributions.csv", tables::contributions(results)?),
        (
            "external_beneficiaries.csv",
            tables::external_beneficiaries(results, lang)?,
        ),
        ("names.csv", tables::names(results)?),
        ("comparisons.csv", tables::comparisons(results)?),
        ("coverage.csv", tables::coverage(results)?),
        ("decisions.csv", tables::decisions(results)?),
        ("accounts.csv", accounts::accounts(results)?),
        ("public_cost.csv", accounts::public_cost(results)?),
        ("who_gains.csv", accounts::who_gains(results)?),
    ])
}

/// Prepares the staged `charts/` folder (it replaces the earlier one) and
/// returns its path.
fn chart_folder(staging: &mut Staging) -> Result<PathBuf, OutputError> {
    staging.replace_folder("charts");
    let chart_dir = staging.dir().join("charts");
    std::fs::create_dir_all(&chart_dir).map_err(atomic::io_error(&chart_dir))?;
    Ok(chart_dir)
}

/// Renders the run's charts into `dir`, in `lang`.
fn render_charts(results: &Results, dir: &Path, lang: Lang) -> Result<Vec<WrittenChart>, OutputError> {
    crate::charts::write_run_charts(results, dir, lang).map_err(|e| OutputError::Chart {
        path: "charts".into(),
        message: e.to_string(),
    })
}

/// Renders the charts into `charts/` and writes `report.html` and
/// `report.md` beside them, all in `lang`.
fn write_charts_and_reports(
    staging: &mut Staging,
    results: &Results,
    manifest: &Manifest,
    lang: Lang,
) -> Result<(), OutputError> {
    let chart_dir = chart_folder(staging)?;
    let charts = render_charts(results, &chart_dir, lang)?;
    write_reports(staging, results, manifest, charts, lang)
}

/// Records the rendered `charts` and writes `report.html` (with their SVG
/// inline) and `report.md`.
fn write_reports(
    staging: &mut Staging,
    results: &Results,
    manifest: &Manifest,
    charts: Vec<WrittenChart>,
    lang: Lang,
) -> Result<(), OutputError> {
    let mut svgs = Vec::new();
    for chart in charts {
        staging.adopt(Path::new("charts").join(chart.name.file_name().unwrap_or_default()));
        let stem = chart.stem();
        if let Some(text) = chart.svg {
            svgs.push((stem, text));
        }
    }
    staging.write("report.html", report::html(results, manifest, &svgs, lang).as_bytes())?;
    staging.write("report.md", report::markdown(results, manifest, lang).as_bytes())?;
    Ok(())
}

/// Why a saved output folder cannot be reported on.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("{dir} holds no results.json: is it the output folder of a `villagesim run`? (run the scenario again to create it)")]
    NoResults { dir: String },
    #[error("cannot read {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("{path} is results format {found}, this villagesim reads format {expected}: rebuild it with the villagesim version that wrote it ({version}) or run the scenario again")]
    Version {
        path: String,
        found: u32,
        expected: u32,
        version: String,
    },
    #[error("{path}: {invalid}; the file was edited or damaged: run the scenario again")]
    Invalid {
        path: String,
        invalid: crate::summary::results::Invalid,
    },
    #[error(transparent)]
    Output(#[from] OutputError),
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, SavedError> {
    let text = std::fs::read_to_string(path).map_err(|e| SavedError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| SavedError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Reads and checks a saved `results.json` and the `village_years.bin`
/// beside it: the format version first (so an incompatible file gets a
/// clear message rather than a missing-field error), then the whole file
/// straight into [`Results`] (no intermediate JSON tree) and its
/// invariants ([`Results::check_without_village_years`]), then the
/// per-village years ([`village_file::read`]) and theirs
/// ([`Results::check`]). Every error names the file it is in.
fn read_results(path: &Path, manifest: &Manifest) -> Result<Results, SavedError> {
    #[derive(Deserialize)]
    struct Head {
        format_version: Option<serde_json::Value>,
    }
    let unreadable = |e: serde_json::Error| SavedError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let text = std::fs::read_to_string(path).map_err(|e| SavedError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let head: Head = serde_json::from_str(&text).map_err(unreadable)?;
    let found = head.format_version.as_ref().and_then(|v| v.as_u64()).unwrap_or(0);
    if found != u64::from(RESULTS_FORMAT_VERSION) {
        return Err(SavedError::Version {
            path: path.display().to_string(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
            expected: RESULTS_FORMAT_VERSION,
            version: manifest.version.clone(),
        });
    }
    let mut results: Results = serde_json::from_str(&text).map_err(unreadable)?;
    drop(text);
    results
        .check_without_village_years()
        .map_err(|invalid| SavedError::Invalid {
            path: path.display().to_string(),
            invalid,
        })?;
    read_village_years(path, manifest, &mut results)?;
    Ok(results)
}

/// Fills the per-village years of `results` (read from `results_path`)
/// from the `village_years.bin` beside it, and checks them; every error
/// names the binary file.
fn read_village_years(results_path: &Path, manifest: &Manifest, results: &mut Results) -> Result<(), SavedError> {
    let bin_path = results_path.with_file_name(village_file::VILLAGE_YEARS_FILE);
    let bin = std::fs::read(&bin_path).map_err(|e| SavedError::Unreadable {
        path: bin_path.display().to_string(),
        message: match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "it is missing; it holds the per-village years beside {} (run the scenario again to create it)",
                results_path.display()
            ),
            _ => e.to_string(),
        },
    })?;
    village_file::read(&bin, results).map_err(|e| match e {
        village_file::VillageFileError::Version(found) => SavedError::Version {
            path: bin_path.display().to_string(),
            found,
            expected: RESULTS_FORMAT_VERSION,
            version: manifest.version.clone(),
        },
        e => SavedError::Unreadable {
            path: bin_path.display().to_string(),
            message: format!("it {e}; run the scenario again"),
        },
    })?;
    // What is left to check is the per-village years, the binary file's.
    results.check().map_err(|invalid| SavedError::Invalid {
        path: bin_path.display().to_string(),
        invalid,
    })?;
    Ok(())
}

/// Rebuilds the charts and reports of an earlier run in `dir` from its
/// saved `results.json` and `manifest.json`, without simulating; returns
/// the paths written. The other files of the run are left as they are.
pub fn rebuild_reports(dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, SavedError> {
    let results_path = dir.join("results.json");
    if !results_path.is_file() {
        return Err(SavedError::NoResults {
            dir: dir.display().to_string(),
        });
    }
    // Held while reading, so that no run replaces the folder meanwhile.
    let _lock = OutputLock::acquire(dir)?;
    let manifest_path = dir.join("manifest.json");
    let manifest: Manifest = read_json(&manifest_path)?;
    let results = read_results(&results_path, &manifest)?;
    let mut staging = Staging::new(dir)?;
    write_charts_and_reports(&mut staging, &results, &manifest, lang)?;
    Ok(staging.commit()?)
}
