//! `villagesim report` does not trust its input: a results.json or
//! village_years.bin that was edited, damaged, lost or swapped for another
//! run's is refused with the file and the field named, exit code 1 and
//! nothing written; user text cannot inject markup into
//! report.md; a brief of thousands of villages is written quickly and its
//! village tables stay short.

mod common;

use std::path::{Path, PathBuf};

use common::villagesim;
use predicates::str::contains;
use serde_json::{json, Value};
use villagesim::output::village_file;
use villagesim::summary::results::Results;

const SCENARIO: &str = r#"
[scenario]
name = "Input county <script>alert(1)</script> & *co*"
description = "Tiny | run\n<b>bold</b>"
start_year = 2025
years = 3
runs = 20
seed = 5

[targets]
floor = "50万"
weak = "30万"

[[villages]]
group = "weak <i>"
count = 3
operating_income = "15万 to 30万"
growth = 0.04

[[interventions]]
id = "stream"
kind = "income_stream"
name = "Stream <script>x</script>"
villages = { group = "weak <i>" }
start_year = 2025
amount = "10万 to 25万"

[[policies]]
name = "package <script>"
description = "with [a link](http://example.com) and `code`"
interventions = ["stream"]
"#;

/// Runs the scenario into `dir/out`; returns the output folder.
fn run(dir: &Path) -> PathBuf {
    common::write(dir, "county.toml", SCENARIO);
    villagesim(dir)
        .args(["run", "county.toml", "--out", "out", "--quiet"])
        .assert()
        .success();
    dir.join("out")
}

/// Edits `out/results.json` with `edit`, runs `villagesim report out` and
/// checks that it fails with exit code 1, a message naming the file and
/// holding every one of `expected`, and leaves report.html as it was.
fn refused(edit: impl FnOnce(&mut Value), expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    let path = out.join("results.json");
    let mut results: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut results);
    std::fs::write(&path, serde_json::to_vec_pretty(&results).unwrap()).unwrap();
    refused_as_is(dir.path(), &out, "out/results.json", expected);
}

/// As [`refused`], with `edit` applied to the bytes of `out/village_years.bin`
/// (absent when `edit` empties it).
fn refused_bin(edit: impl FnOnce(&mut Vec<u8>), expected: &[&str]) {
    refused_bin_of_run(|_, bytes| edit(bytes), expected);
}

/// As [`refused_bin`], with `edit` applied to the per-village years it holds.
fn refused_villages(edit: impl FnOnce(&mut Results), expected: &[&str]) {
    refused_bin_of_run(
        |out, bytes| {
            let mut results: Results =
                serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
            village_file::read(bytes, &mut results).unwrap();
            edit(&mut results);
            bytes.clear();
            village_file::write(&results, bytes).unwrap();
        },
        expected,
    );
}

/// [`refused_bin`], `edit` given the output folder too.
fn refused_bin_of_run(edit: impl FnOnce(&Path, &mut Vec<u8>), expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    let path = out.join(village_file::VILLAGE_YEARS_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    edit(&out, &mut bytes);
    if bytes.is_empty() {
        std::fs::remove_file(&path).unwrap();
    } else {
        std::fs::write(&path, bytes).unwrap();
    }
    refused_as_is(dir.path(), &out, "out/village_years.bin", expected);
}

fn refused_as_is(dir: &Path, out: &Path, file: &str, expected: &[&str]) {
    let html = std::fs::read(out.join("report.html")).unwrap();
    let md = std::fs::read(out.join("report.md")).unwrap();
    let assert = villagesim(dir).args(["report", "out"]).assert().code(1);
    // The message as one line (the terminal renderer may wrap it).
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(stderr.contains(file), "{file} not named: {stderr}");
    for e in expected {
        assert!(stderr.contains(e), "{e:?} not in: {stderr}");
    }
    assert!(
        std::fs::read(out.join("report.html")).unwrap() == html,
        "report.html changed"
    );
    assert!(std::fs::read(out.join("report.md")).unwrap() == md, "report.md changed");
    assert!(
        std::fs::read_dir(out)
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().starts_with(".staging")),
        "staging folder left behind"
    );
}

const DAMAGED: &str = "the file was edited or damaged: run the scenario again";

#[test]
fn no_policies() {
    refused(|r| r["policies"] = json!([]), &["policies is empty", DAMAGED]);
    refused(
        |r| {
            r.as_object_mut().unwrap().remove("policies");
        },
        &["missing field `policies`"],
    );
}

#[test]
fn no_runs() {
    refused(|r| r["runs"] = json!(0), &["runs is 0", DAMAGED]);
}

#[test]
fn probability_above_one() {
    refused(
        |r| r["policies"][1]["years"][2]["all_above_floor"]["mean"] = json!(1.5),
        &[
            "policies[1].years[2].all_above_floor.mean is 1.5, a probability must be between 0 and 1",
            DAMAGED,
        ],
    );
    refused_villages(
        |r| r.policies[0].villages[2][1].p_below_floor = -0.5,
        &["policies[0].villages[2][1].p_below_floor is -0.5", DAMAGED],
    );
}

#[test]
fn years_out_of_order() {
    refused(
        |r| r["final_year"] = json!(2024),
        &["final_year is 2024, before start_year 2025"],
    );
    refused(|r| r["baseline_year"] = json!(2020), &["baseline_year is 2020"]);
    refused(
        |r| r["policies"][1]["years"][3]["year"] = json!(2030),
        &["policies[1].years[3].year is 2030, 2027 is expected"],
    );
    refused(
        |r| {
            r["policies"][0]["years"].as_array_mut().unwrap().pop();
        },
        &["policies[0].years has 3 entries"],
    );
}

/// The per-village years of another run, a file cut short, lost, of
/// another format or not villagesim's at all.
#[test]
fn village_years_do_not_match() {
    // Two policies, three villages, three years and the baseline.
    refused_bin(
        |b| b[16..20].copy_from_slice(&2u32.to_le_bytes()),
        &[
            "holds 2 x 2 x 4 (policies x villages x years) but results.json has 2 x 3 x 4",
            "of different runs",
        ],
    );
    refused_bin(
        |b| b.truncate(b.len() - 8),
        &[
            &format!(
                "is {} bytes long, {} are expected for its 24 village-years",
                24 + 24 * 104 - 8,
                24 + 24 * 104
            ),
            "cut short",
        ],
    );
    refused_bin(
        |b| b.truncate(10),
        &["is 10 bytes long, shorter than its 24-byte header"],
    );
    refused_bin(
        |b| b.truncate(17),
        &["is 17 bytes long, shorter than its 24-byte header"],
    );
    refused_bin(
        |b| b.clear(),
        &["it is missing", "results.json", "run the scenario again"],
    );
    refused_bin(
        |b| b[8..12].copy_from_slice(&4u32.to_le_bytes()),
        &["is results format 4", "reads format 5"],
    );
    refused_bin(|b| b[0] = b'{', &["is not a villagesim village-years file"]);
    refused_villages(
        |r| r.policies[1].villages[0][3].income_yuan.p95 = 1e15,
        &[
            "policies[1].villages[0][3].income_yuan.max",
            "quantiles must be in order",
        ],
    );
}

#[test]
fn null_or_wrong_numbers() {
    // JSON has no NaN or 1e309: null is how such a number arrives.
    refused(
        |r| r["policies"][0]["years"][1]["mean_income_yuan"]["p50"] = Value::Null,
        &["policies[0].years[1].mean_income_yuan.p50 is missing (null)"],
    );
    refused(
        |r| r["floor_yuan"] = Value::Null,
        &["invalid type: null, expected f64 at line"],
    );
    refused(
        |r| r["weak_yuan"] = json!(9e6),
        &["floor_yuan is 500000, below weak_yuan 9000000"],
    );
    refused(
        |r| r["policies"][1]["years"][2]["mean_income_yuan"]["p5"] = json!(1e12),
        &[
            "policies[1].years[2].mean_income_yuan.p10",
            "quantiles must be in order",
        ],
    );
    refused(
        |r| r["policies"][1]["years"][2]["below_floor"]["max"] = json!(4.0),
        &["policies[1].years[2].below_floor.max is 4, a number of villages must be between 0 and 3"],
    );
    refused(
        |r| r["comparisons"][0]["reference"] = json!("nobody"),
        &["comparisons[0].reference is \"nobody\", which is not one of the policies"],
    );
}

#[test]
fn wrong_version_or_malformed() {
    refused(|r| r["format_version"] = json!(0), &["results format 0"]);
    refused(|r| r["format_version"] = json!("1"), &["results format 0"]);
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    let path = out.join("results.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    refused_as_is(dir.path(), &out, "out/results.json", &["cannot read", "EOF", "line"]);
}

#[test]
fn markdown_escapes_user_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    for _ in 0..2 {
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(!html.contains("<script") && !html.contains("<b>") && !html.contains("<i>"));
        // Every '<' and '&' of report.md is escaped.
        for (i, c) in md.char_indices().filter(|(_, c)| *c == '<' || *c == '&') {
            assert!(
                md[..i].ends_with('\\'),
                "raw {c} in report.md: {}",
                &md[i..(i + 20).min(md.len())]
            );
        }
        assert!(
            md.contains("Input county \\<script\\>alert(1)\\</script\\> \\& \\*co\\*"),
            "{md}"
        );
        assert!(md.contains("package \\<script\\>"));
        assert!(md.contains("Stream \\<script\\>x\\</script\\>"));
        assert!(md.contains("\\[a link\\](http://example.com) and \\`code\\`"));
        // Every table row is one line.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            assert!(line.ends_with('|'), "broken table row: {line}");
        }
        // The same from `villagesim report`.
        villagesim(dir.path()).args(["report", "out"]).assert().success();
    }
}

#[test]
fn many_villages_keep_the_tables_short() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "many.toml",
        r#"
[scenario]
name = "Many villages"
start_year = 2025
years = 2
runs = 4
seed = 3

[targets]
floor = "50万"
weak = "30万"

[[villages]]
group = "all"
count = 5000
operating_income = "15万 to 80万"
growth = 0.03
"#,
    );
    villagesim(dir.path())
        .args(["run", "many.toml", "--out", "out", "--quiet"])
        .assert()
        .success();
    villagesim(dir.path())
        .args(["report", "out"])
        .assert()
        .success()
        .stdout(contains("without simulating"));
    let out = dir.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let rows = html.matches("<tr").count();
    assert!(rows < 300, "{rows} table rows in report.html");
    assert!(md.lines().filter(|l| l.starts_with('|')).count() < 300);
    assert!(html.contains("the other 4,900 villages are in village_years.csv"));
    assert!(md.contains("the other 4,900 villages are in village\\_years.csv"));
}

/// `village_years.bin` read back and written again is the same bytes: every
/// number comes back with all its bits, and one policy's, village's and
/// year's figures where the run wrote them.
#[test]
fn village_years_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path());
    let bytes = std::fs::read(out.join(village_file::VILLAGE_YEARS_FILE)).unwrap();
    let mut results: Results = serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    assert!(
        results.policies.iter().all(|p| p.villages.is_empty()),
        "results.json holds village years"
    );
    village_file::read(&bytes, &mut results).unwrap();
    results.check().unwrap();
    let mut again = Vec::new();
    village_file::write(&results, &mut again).unwrap();
    assert!(again == bytes);
    // The row of the second village in the final year under the second
    // policy, as village_years.csv has it.
    let vy = &results.policies[1].villages[1][3];
    assert_eq!(vy.year, 2027);
    let csv = std::fs::read_to_string(out.join("village_years.csv")).unwrap();
    let mean = format!("{:.2}", vy.income_yuan.mean);
    let row = (csv.lines())
        .find(|l| l.starts_with("package <script>,weak <i>-02,") && l.contains(",2027,"))
        .unwrap();
    assert!(row.contains(&mean), "{row} lacks {mean}");
}
