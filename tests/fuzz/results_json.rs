//! `villagesim report` on a damaged results folder: results.json of a real
//! run, mutated (numbers to extremes, emptied arrays such as `policies`,
//! values of another type, deleted and duplicated lines, byte flips), then
//! the reports rebuilt from it. Either they are rebuilt with finite figures
//! or the error says what is wrong and the folder is left as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use villagesim::engine::{self, RunOptions};
use villagesim::format::Lang;
use villagesim::output;

use crate::check::{actionable, files_under, manifest, no_non_finite_text};
use crate::harness::{stage, CaseResult, Failure, Outcome};
use crate::mutate::{apply, mutations};

/// Numbers that replace those of results.json.
const JSON_NUMBERS: &[&str] = &[
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "0",
    "-0",
    "5e-324",
    "1e-300",
    "18446744073709551615",
    "-9223372036854775808",
    "4294967296",
    "-1",
    "1e999",
    "null",
    "120",
];

/// Values of other types.
const JSON_VALUES: &[&str] = &[
    "null",
    "\"x\"",
    "\"\"",
    "[]",
    "{}",
    "true",
    "1e308",
    "-1e308",
    "0",
    "[1e308]",
    "\"<script>alert(1)</script>\"",
    "\"村庄🚀\"",
];

const JSON_LINES: &[&str] = &["{", "}", "]", "\"extra\": 1,", "null,", "\"policies\": [],"];

/// A folder written by a real run, to copy into each case.
pub struct Baseline {
    dir: tempfile::TempDir,
    results_json: String,
}

impl Baseline {
    /// Runs the quickstart scenario (2 runs) and writes its outputs.
    pub fn new() -> Self {
        let text = include_str!("../../scenarios/quickstart.toml");
        let mut model =
            villagesim::scenario::parse("quickstart.toml", text, Path::new(".")).expect("the quickstart is valid");
        model.runs = 2;
        let results = engine::simulate(
            &model,
            RunOptions {
                threads: 1,
                ..Default::default()
            },
            &|_| {},
        )
        .expect("it simulates");
        let dir = tempfile::tempdir().expect("a temp dir");
        output::write_run(&results, &mut manifest(&results), dir.path(), Lang::En).expect("it writes");
        let results_json = std::fs::read_to_string(dir.path().join("results.json")).expect("results.json");
        Baseline { dir, results_json }
    }

    pub fn results_json(&self) -> &str {
        &self.results_json
    }

    /// Rebuilds the reports of a copy of the baseline whose results.json is
    /// `text`.
    pub fn check(&self, text: &str) -> CaseResult {
        stage("copy");
        let tmp = tempfile::tempdir().map_err(|e| Failure::new("copy", "no temp dir", e.to_string()))?;
        let dir = tmp.path().join("run");
        copy_dir(self.dir.path(), &dir).map_err(|e| Failure::new("copy", "cannot copy", e.to_string()))?;
        std::fs::write(dir.join("results.json"), text)
            .map_err(|e| Failure::new("copy", "cannot write", e.to_string()))?;
        let before = snapshot(&dir);
        stage("report");
        match output::rebuild_reports(&dir, Lang::Zh) {
            Ok(_) => {
                stage("check outputs");
                no_non_finite_text(&files_under(&dir), "", "check outputs")?;
                Ok(Outcome::Written)
            }
            Err(e) => {
                let message = e.to_string();
                actionable("report", &message)?;
                if !message.contains("results.json") && !message.contains("manifest.json") {
                    return Err(Failure::new("report", "error does not name the file at fault", message));
                }
                let after = snapshot(&dir);
                if after != before {
                    let changed: Vec<&PathBuf> = after
                        .keys()
                        .chain(before.keys())
                        .filter(|k| after.get(*k) != before.get(*k))
                        .collect();
                    return Err(Failure::new(
                        "report",
                        "failed report changed the folder",
                        format!("{message}\nchanged: {changed:?}"),
                    ));
                }
                Ok(Outcome::Rejected)
            }
        }
    }
}

/// Mutations of a results.json.
pub fn corrupted(results_json: &str) -> BoxedStrategy<String> {
    let base = results_json.to_string();
    let arrays = vec![
        "\"policies\": [",
        "\"villages\": [",
        "\"years\": [",
        "\"comparisons\": [",
        "\"coverage\": [",
        "\"appraisals\": [",
        "\"final_income_histogram\": [",
    ];
    mutations(JSON_NUMBERS.to_vec(), JSON_VALUES.to_vec(), JSON_LINES.to_vec(), arrays)
        .prop_map(move |ms| apply(&base, &ms))
        .boxed()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).unwrap_or_default();
            (f.strip_prefix(dir).map(Path::to_path_buf).unwrap_or(f), bytes)
        })
        .collect()
}
