//! Writing a run's outputs: tidy CSV, JSON, the manifest and charts, all
//! staged and moved into place together.

pub mod atomic;
pub mod summary_json;
pub mod tables;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use atomic::{OutputError, Staging};

use crate::summary::results::Results;

/// What `manifest.json` records: enough to reproduce every figure.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub command_line: Vec<String>,
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
pub const RUN_FILES: [&str; 11] = [
    "summary.json",
    "portfolio_years.csv",
    "village_years.csv",
    "interventions.csv",
    "contributions.csv",
    "external_beneficiaries.csv",
    "comparisons.csv",
    "coverage.csv",
    "decisions.csv",
    "results.json",
    "manifest.json",
];

/// Writes every output of a run into `dir` and returns the paths written.
pub fn write_run(results: &Results, manifest: &mut Manifest, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut staging = Staging::new(dir)?;
    staging.write("summary.json", &json(&summary_json::summary(results), "summary.json")?)?;
    staging.write("portfolio_years.csv", &tables::portfolio_years(results)?)?;
    staging.write("village_years.csv", &tables::village_years(results)?)?;
    staging.write("interventions.csv", &tables::interventions(results)?)?;
    staging.write("contributions.csv", &tables::contributions(results)?)?;
    staging.write("external_beneficiaries.csv", &tables::external_beneficiaries(results)?)?;
    staging.write("comparisons.csv", &tables::comparisons(results)?)?;
    staging.write("coverage.csv", &tables::coverage(results)?)?;
    staging.write("decisions.csv", &tables::decisions(results)?)?;
    staging.write("results.json", &json(results, "results.json")?)?;
    let chart_dir = staging.dir().join("charts");
    std::fs::create_dir_all(&chart_dir).map_err(atomic::io_error(&chart_dir))?;
    let charts = crate::charts::write_run_charts(results, &chart_dir, crate::charts::Lang::En).map_err(|e| {
        OutputError::Chart {
            path: "charts".into(),
            message: e.to_string(),
        }
    })?;
    for chart in charts {
        staging.adopt(Path::new("charts").join(chart.file_name().unwrap_or_default()));
    }
    manifest.files = RUN_FILES.iter().map(|s| s.to_string()).collect();
    manifest.peak_memory_mb = peak_memory_mb();
    staging.write("manifest.json", &json(manifest, "manifest.json")?)?;
    staging.commit()
}
