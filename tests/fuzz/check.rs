//! The properties every scenario case must hold, stage by stage.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use villagesim::engine::{self, RunOptions};
use villagesim::format::Lang;
use villagesim::output::{self, summary_json, Manifest, RUN_FILES};
use villagesim::scenario::InvalidScenario;
use villagesim::summary::results::Results;

use crate::finite::non_finite;
use crate::harness::{stage, write_every, CaseResult, Failure, Outcome};

/// Most runs a case simulates.
pub const MAX_CASE_RUNS: u64 = 4;
/// Largest runs x villages x years x policies a case simulates (a bound on
/// its time; larger valid files are validated only).
const MAX_WORK: f64 = 100_000.0;
/// Largest villages x years x policies whose outputs a case writes.
const MAX_WRITE_WORK: f64 = 3_000.0;

static ACCEPTED: AtomicU64 = AtomicU64::new(0);

/// Validation, a tiny run and (every few accepted cases) the outputs.
pub fn scenario_case(file: &str, text: &str) -> CaseResult {
    stage("parse");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut model = match villagesim::scenario::parse(file, text, &base) {
        Ok(model) => model,
        Err(e) => {
            if std::env::var_os("VILLAGESIM_FUZZ_VERBOSE").is_some() {
                eprintln!(
                    "rejected: {}",
                    e.errors.first().map(|e| e.to_string()).unwrap_or_default()
                );
            }
            located(file, text, &e)?;
            return Ok(Outcome::Rejected);
        }
    };
    model.runs = model.runs.min(MAX_CASE_RUNS);
    let shape = model.villages.len() as f64 * model.years as f64 * model.policies.len() as f64;
    if shape * model.runs as f64 > MAX_WORK {
        return Ok(Outcome::TooLarge);
    }
    stage("simulate");
    let results = match engine::simulate(
        &model,
        RunOptions {
            threads: 1,
            ..Default::default()
        },
        &|_| {},
    ) {
        Ok(results) => results,
        Err(e) => {
            actionable("simulate", &e.to_string())?;
            return Ok(Outcome::Rejected);
        }
    };
    stage("check results");
    finite_results(&results)?;
    let n = ACCEPTED.fetch_add(1, Ordering::SeqCst);
    if !n.is_multiple_of(write_every()) || shape > MAX_WRITE_WORK {
        return Ok(Outcome::Simulated);
    }
    let lang = if n.is_multiple_of(2 * write_every()) {
        Lang::En
    } else {
        Lang::Zh
    };
    written_outputs(&results, text, lang)
}

/// A rejected file's errors: each names the file, a line and a column that
/// exist, and says what is wrong.
fn located(file: &str, text: &str, e: &InvalidScenario) -> Result<(), Failure> {
    let plain = e.plain();
    if e.errors.is_empty() {
        return Err(Failure::new("parse", "rejected without any error", plain));
    }
    let lines = text.split('\n').count();
    for error in &e.errors {
        let shown = error.to_string();
        let prefix = format!("{file}:{}:{}: ", error.line, error.column);
        if error.file != file || !shown.starts_with(&prefix) {
            return Err(Failure::new("parse", "error not located as file:line:col", shown));
        }
        if error.line == 0 || error.line > lines || error.column == 0 {
            return Err(Failure::new(
                "parse",
                "error located outside the file",
                format!("{shown} (the file has {lines} lines)"),
            ));
        }
        let line_text = text.split('\n').nth(error.line - 1).unwrap_or_default();
        if error.column > line_text.chars().count() + 2 {
            return Err(Failure::new(
                "parse",
                "error column beyond its line",
                format!("{shown} (line: {line_text:?})"),
            ));
        }
        actionable("parse", &error.message)?;
    }
    if !plain.contains(file) {
        return Err(Failure::new("parse", "plain report does not name the file", plain));
    }
    Ok(())
}

/// A message a user can act on: words, not a debug dump or a bare code.
pub fn actionable(stage: &'static str, message: &str) -> Result<(), Failure> {
    let m = message.trim();
    let letters = m.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 8 {
        return Err(Failure::new(stage, "error message too terse to act on", m));
    }
    for marker in [
        "panicked",
        "RUST_BACKTRACE",
        "called `Option::unwrap()`",
        "called `Result::unwrap()`",
    ] {
        if m.contains(marker) {
            return Err(Failure::new(stage, format!("error message shows `{marker}`"), m));
        }
    }
    Ok(())
}

/// Every number of the results (and of the summary) is finite, and every
/// probability lies in [0, 1].
pub fn finite_results(results: &Results) -> Result<(), Failure> {
    let bad = non_finite(results);
    if !bad.is_empty() {
        return Err(Failure::new(
            "check results",
            format!("non-finite results ({})", generic(&bad[0])),
            first_few(&bad),
        ));
    }
    let summary = summary_json::summary(results);
    let bad = non_finite(&summary);
    if !bad.is_empty() {
        return Err(Failure::new(
            "check results",
            format!("non-finite summary ({})", generic(&bad[0])),
            first_few(&bad),
        ));
    }
    let value =
        serde_json::to_value(results).map_err(|e| Failure::new("check results", "unserialisable", e.to_string()))?;
    let mut out = Vec::new();
    probabilities(&value, "", &mut out);
    if !out.is_empty() {
        return Err(Failure::new(
            "check results",
            format!("probability outside [0, 1] ({})", generic(&out[0])),
            first_few(&out),
        ));
    }
    Ok(())
}

fn first_few(items: &[String]) -> String {
    let mut s = items.iter().take(5).cloned().collect::<Vec<_>>().join("\n");
    if items.len() > 5 {
        s += &format!("\n... and {} more", items.len() - 5);
    }
    s
}

/// `policies[3].years[0].gini.p5 = NaN` -> `policies[].years[].gini.p5`.
fn generic(path: &str) -> String {
    let path = path.split(" = ").next().unwrap_or_default();
    let mut out = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push('[');
            }
            ']' => {
                skipping = false;
                out.push(']');
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

const PROBABILITY_STATS: [&str; 3] = ["p_failure", "share_failed", "all_above_floor"];

fn is_probability(key: &str) -> bool {
    key.starts_with("p_") || key == "irr_defined_share" || key == "percentile_of_observed_mean"
}

fn probabilities(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let outside = |x: f64| !(-1e-9..=1.0 + 1e-9).contains(&x);
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{path}.{key}");
                if let Some(x) = v.as_f64() {
                    if is_probability(key) && outside(x) {
                        out.push(format!("{here} = {x}"));
                    }
                } else if PROBABILITY_STATS.contains(&key.as_str()) || is_probability(key) {
                    if let Some(stat) = v.as_object() {
                        for (field, x) in stat {
                            if field != "sd" && field != "se" && x.as_f64().is_some_and(outside) {
                                out.push(format!("{here}.{field} = {x}"));
                            }
                        }
                    }
                }
                probabilities(v, &here, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                probabilities(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// A manifest like the one `villagesim run` writes.
pub fn manifest(results: &Results) -> Manifest {
    Manifest {
        tool: "villagesim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command_line: vec!["villagesim".into(), "run".into(), "fuzz.toml".into()],
        result_command: Vec::new(),
        scenario_file: "fuzz.toml".into(),
        scenario_sha256: "0".repeat(64),
        seed: results.seed,
        runs: results.runs,
        threads: 1,
        wall_time_seconds: 0.01,
        village_years_per_second: 1e6,
        peak_memory_mb: None,
        files: Vec::new(),
    }
}

/// Writes every output, then checks that all of them are there and finite,
/// that nothing of the staging is left, and that `report` rebuilds them; on
/// a write error, that nothing was left in the folder.
fn written_outputs(results: &Results, scenario_text: &str, lang: Lang) -> CaseResult {
    stage("write");
    let tmp = tempfile::tempdir().map_err(|e| Failure::new("write", "no temp dir", e.to_string()))?;
    let out = tmp.path().join("out");
    let mut manifest = manifest(results);
    match output::write_run(results, &mut manifest, &out, lang) {
        Err(e) => {
            actionable("write", &e.to_string())?;
            let left = files_under(&out);
            if !left.is_empty() {
                return Err(Failure::new(
                    "write",
                    "failed write left files behind",
                    format!("{e}\nleft: {left:?}"),
                ));
            }
            Ok(Outcome::Rejected)
        }
        Ok(_) => {
            stage("check outputs");
            for name in RUN_FILES {
                if !out.join(name).is_file() {
                    return Err(Failure::new(
                        "check outputs",
                        format!("{name} missing after a successful write"),
                        "",
                    ));
                }
            }
            let files = files_under(&out);
            if let Some(f) = files.iter().find(|f| f.to_string_lossy().contains(".staging")) {
                return Err(Failure::new(
                    "check outputs",
                    "staging files left",
                    f.display().to_string(),
                ));
            }
            no_non_finite_text(&files, scenario_text, "check outputs")?;
            stage("report");
            let other = if lang == Lang::En { Lang::Zh } else { Lang::En };
            if let Err(e) = output::rebuild_reports(&out, other) {
                return Err(Failure::new(
                    "report",
                    "cannot rebuild the reports of a successful run",
                    e.to_string(),
                ));
            }
            stage("check outputs");
            no_non_finite_text(&files_under(&out), scenario_text, "check outputs")?;
            Ok(Outcome::Written)
        }
    }
}

/// Every file below `dir` (recursively); none if it does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// No text output holds an `inf`, `NaN` or `infinity` token (unless the
/// scenario's own text does, e.g. in a name).
pub fn no_non_finite_text(files: &[PathBuf], scenario_text: &str, stage: &'static str) -> Result<(), Failure> {
    let own = tokens(scenario_text);
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // binary (PNG)
        };
        for (n, line) in text.lines().enumerate() {
            if let Some(t) = tokens(line).into_iter().find(|t| is_non_finite(t) && !own.contains(t)) {
                let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
                let kind = name.rsplit('.').next().unwrap_or_default().to_string();
                let shown: String = line.chars().take(300).collect();
                return Err(Failure::new(
                    stage,
                    format!("`{t}` in a .{kind} output"),
                    format!("{name}:{}: {shown}", n + 1),
                ));
            }
        }
    }
    Ok(())
}

fn is_non_finite(token: &str) -> bool {
    matches!(token, "inf" | "nan" | "infinity")
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}
