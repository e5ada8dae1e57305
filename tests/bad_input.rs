//! Malformed scenarios: each gives a located, readable error, a non-zero
//! exit, no panic and no output.

mod common;

use common::{villagesim, write};

const GOOD_HEAD: &str = "[scenario]\nname = \"bad\"\nstart_year = 2025\nyears = 5\nruns = 10\nseed = 1\n\n[targets]\nfloor = \"50万\"\nweak = \"30万\"\n\n";
const GOOD_VILLAGES: &str = "[[villages]]\ngroup = \"g\"\ncount = 3\noperating_income = \"20万\"\n";

/// (name, scenario text, expected fragment, expected line).
fn cases() -> Vec<(&'static str, String, &'static str, usize)> {
    let h = GOOD_HEAD;
    let v = GOOD_VILLAGES;
    vec![
        ("syntax", format!("{h}[[villages]\n"), "bad.toml:12:", 12),
        ("misspelt key", format!("{h}{v}growht = 0.1\n"), "did you mean `growth`", 16),
        ("unknown section", format!("{h}{v}[scenery]\nx = 1\n"), "unknown field `scenery`", 16),
        ("wrong type", format!("{h}{v}count2 = 1\n").replace("count = 3", "count = \"three\""), "invalid type", 14),
        ("negative count", format!("{h}{v}").replace("count = 3", "count = -3"), "`villages[0].count`", 14),
        ("zero years", format!("{h}{v}").replace("years = 5", "years = 0"), "`scenario.years`", 4),
        ("absurd runs", format!("{h}{v}").replace("runs = 10", "runs = 1000000000000"), "`scenario.runs`", 5),
        ("zero runs", format!("{h}{v}").replace("runs = 10", "runs = 0"), "use a whole number from 1", 5),
        ("nan", format!("{h}{v}growth = nan\n"), "not a finite number", 16),
        ("infinite", format!("{h}{v}growth = inf\n"), "not a finite number", 16),
        ("negative sd", format!("{h}{v}growth = {{ normal = {{ mean = 0, sd = -1 }} }}\n"), "sd must be >= 0", 16),
        ("min above max", format!("{h}{v}growth = {{ uniform = {{ min = 2, max = 1 }} }}\n"), "must not exceed", 16),
        ("clamp min above max", format!("{h}{v}growth = {{ normal = {{ mean = 0, sd = 1 }}, min = 1, max = 0 }}\n"), "must not exceed", 16),
        ("bad money", format!("{h}{v}").replace("\"20万\"", "\"20 thousand\""), "150万", 15),
        ("negative income", format!("{h}{v}").replace("\"20万\"", "-5"), "expected a number >= 0", 15),
        ("bad per", format!("{h}{v}growth = {{ fixed = 1, per = \"decade\" }}\n"), "village-year", 16),
        ("two distributions", format!("{h}{v}growth = {{ fixed = 1, normal = {{ mean = 0, sd = 1 }} }}\n"), "exactly one distribution", 16),
        ("weak above floor", format!("{h}{v}").replace("weak = \"30万\"", "weak = \"60万\""), "`targets.weak`", 10),
        ("persistence", format!("{h}[factors.economy]\npersistence = 1.5\n\n{v}"), "`factors.economy.persistence`", 13),
        ("unknown factor", format!("{h}{v}loadings = {{ econ = 0.1 }}\n"), "no factor named `econ`", 16),
        ("duplicate village", format!("{h}{v}[[villages]]\nid = \"g-01\"\noperating_income = 1\n"), "duplicate village id", 0),
        ("unknown kind", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_strem\"\nvillages = \"all\"\n"), "did you mean `income_stream`", 18),
        ("unknown intervention key", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namout = 5\n"), "did you mean `amount`", 20),
        ("unknown village id", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = [\"g-1\"]\namount = 5\n"), "did you mean `g-01`", 19),
        ("unknown group", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = {{ group = \"h\" }}\namount = 5\n"), "no village has group `h`", 19),
        ("duplicate intervention", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n"), "duplicate id `x`", 22),
        ("policy unknown id", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n[[policies]]\nname = \"p\"\ninterventions = [\"y\"]\n"), "no intervention with id `y`", 23),
        ("policy named like the counterfactual", format!("{h}{v}[[policies]]\nname = \"No intervention\"\n"), "always simulated", 17),
        ("end before start", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\nstart_year = 2027\nend_year = 2026\n"), "before start_year", 22),
        ("missing targets", format!("{h}{v}").replace("[targets]\nfloor = \"50万\"\nweak = \"30万\"\n", ""), "[targets]", 0),
        ("no villages", h.to_string(), "has no [[villages]]", 0),
        ("missing csv", format!("{h}[[villages]]\nfile = \"nope.csv\"\n"), "cannot read villages file", 0),
    ]
}

#[test]
fn every_malformed_file_gets_a_located_error_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, fragment, line) in cases() {
        let file = write(dir.path(), "bad.toml", &text);
        let out = dir.path().join("out");
        let assert = villagesim(dir.path())
            .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
            .assert()
            .failure()
            .code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(fragment), "{name}: expected `{fragment}` in\n{stderr}");
        if line > 0 {
            let located = format!(":{line}:");
            assert!(stderr.contains(&located), "{name}: expected line {line} in\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        assert!(!out.exists(), "{name}: an output folder was written");
    }
}

#[test]
fn library_reports_every_problem_at_once() {
    let text = format!("{GOOD_HEAD}{GOOD_VILLAGES}")
        .replace("years = 5", "years = 0")
        .replace("count = 3", "count = 0");
    let err = villagesim::scenario::parse("bad.toml", &text, std::path::Path::new(".")).unwrap_err();
    assert_eq!(err.errors.len(), 2, "{}", err.plain());
    assert_eq!(err.errors[0].line, 4);
    assert_eq!(err.errors[0].field.as_deref(), Some("scenario.years"));
}

#[test]
fn a_failed_run_keeps_the_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", &format!("{GOOD_HEAD}{GOOD_VILLAGES}"));
    let out = dir.path().join("out");
    let run = |file: &std::path::Path| {
        villagesim(dir.path())
            .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
            .assert()
    };
    run(&good).success();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let bad = write(
        dir.path(),
        "bad.toml",
        &format!("{GOOD_HEAD}{GOOD_VILLAGES}").replace("runs = 10", "runs = 0"),
    );
    run(&bad).failure();
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".staging"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_scenario_name_cannot_escape_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{GOOD_HEAD}{GOOD_VILLAGES}").replace("name = \"bad\"", "name = \"../../escape\"");
    let file = write(dir.path(), "s.toml", &text);
    villagesim(dir.path())
        .args(["run", file.to_str().unwrap(), "--quiet"])
        .assert()
        .success();
    assert!(dir.path().join("output/escape/summary.json").exists());
    assert!(!dir.path().parent().unwrap().join("escape").exists());
}
