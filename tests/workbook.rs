//! `results.xlsx` (issue 16, item 2): written by every run beside the CSV
//! files, and read back here with calamine, it holds the same figures as
//! the CSV files and `summary.json`: in yuan in English, in 万元 in
//! Chinese, with the sheet names and headers in the run's language.

mod common;

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::villagesim;

fn run(out: &Path, lang: &str) {
    villagesim(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--runs",
            "300",
            "--quiet",
            "--lang",
            lang,
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => format!("{other}"),
    }
}

/// Final-year rows of village_years.csv: (policy, village id) -> (mean,
/// p5, p50, p95, p_below_floor).
fn final_year_rows(out: &Path) -> HashMap<(String, String), [f64; 5]> {
    let mut reader = csv::Reader::from_path(out.join("village_years.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let last = rows.iter().map(|r| r[4].parse::<i32>().unwrap()).max().unwrap();
    rows.iter()
        .filter(|r| r[4].parse::<i32>().unwrap() == last)
        .map(|r| {
            let f = |i: usize| r[i].parse::<f64>().unwrap();
            ((r[0].to_string(), r[1].to_string()), [f(5), f(6), f(8), f(10), f(11)])
        })
        .collect()
}

#[test]
fn the_workbook_holds_the_figures_of_the_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "en");
    let mut book: Xlsx<_> = open_workbook(dir.path().join("results.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Summary", "At risk", "Villages", "Interventions", "Decisions"]
    );
    let want = final_year_rows(dir.path());
    let villages = book.worksheet_range("Villages").unwrap();
    let mut rows = villages.rows();
    let head: Vec<String> = rows.next().unwrap().iter().map(text).collect();
    assert_eq!(&head[..3], ["Policy", "Village id", "Village"]);
    assert!(head[5].contains("(yuan)"), "{head:?}");
    let mut seen = 0;
    for row in rows {
        // The policy's label, which is its name in English.
        let key = (text(&row[0]), text(&row[1]));
        let w = want
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} not in village_years.csv"));
        for (i, c) in [5, 6, 7, 8].into_iter().enumerate() {
            assert!(
                (number(&row[c]) - w[i]).abs() <= 0.005 + 1e-9 * w[i].abs(),
                "{key:?} column {c}: {:?} vs {}",
                row[c],
                w[i]
            );
        }
        assert!((number(&row[9]) - w[4]).abs() <= 5e-7, "{key:?}");
        seen += 1;
    }
    assert_eq!(seen, want.len(), "every village under every policy");

    // The summary: each policy's mean village income as summary.json has it.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    let sheet = book.worksheet_range("Summary").unwrap();
    let table: Vec<&[Data]> = sheet.rows().skip_while(|r| text(&r[0]) != "Policy").skip(1).collect();
    let policies = summary["policies"].as_array().unwrap();
    assert_eq!(table.len(), policies.len());
    for (row, p) in table.iter().zip(policies) {
        assert_eq!(text(&row[0]), p["name"].as_str().unwrap());
        let mean = p["mean_village_income_yuan"]["mean"].as_f64().unwrap();
        assert_eq!(number(&row[1]), mean);
        let below = p["expected_villages_below_floor"]["mean"].as_f64().unwrap();
        assert_eq!(number(&row[4]), below);
    }

    // The interventions sheet is interventions.csv, cell for cell.
    let mut reader = csv::Reader::from_path(dir.path().join("interventions.csv")).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let sheet = book.worksheet_range("Interventions").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
    assert_eq!(rows.len(), records.len());
    for (row, rec) in rows.iter().zip(&records) {
        for (cell, field) in row.iter().zip(rec.iter()) {
            match field.parse::<f64>() {
                Ok(x) => assert_eq!(number(cell), x, "{rec:?}"),
                Err(_) => assert_eq!(text(cell), field, "{rec:?}"),
            }
        }
    }
}

#[test]
fn in_chinese_the_workbook_is_in_wan_yuan() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "zh");
    let mut book: Xlsx<_> = open_workbook(dir.path().join("results.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["摘要", "风险村", "各村", "措施", "决策"]);
    let want = final_year_rows(dir.path());
    let villages = book.worksheet_range("各村").unwrap();
    let mut rows = villages.rows();
    let head: Vec<String> = rows.next().unwrap().iter().map(text).collect();
    assert_eq!(&head[..3], ["政策", "村编号", "村名"]);
    assert!(head[5].contains("（万元）"), "{head:?}");
    // In the order of village_years.csv (policy, then village).
    let mut reader = csv::Reader::from_path(dir.path().join("village_years.csv")).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let last_year = records.iter().map(|r| r[4].to_string()).max().unwrap();
    let finals: Vec<&csv::StringRecord> = records.iter().filter(|r| r[4] == *last_year).collect();
    let rows: Vec<&[Data]> = rows.collect();
    assert_eq!(rows.len(), finals.len());
    assert_eq!(want.len(), finals.len());
    for (row, rec) in rows.iter().zip(finals) {
        assert_eq!(text(&row[1]), &rec[1]);
        for (c, f) in [(5, 5), (6, 6), (7, 8), (8, 10)] {
            let yuan: f64 = rec[f].parse().unwrap();
            assert!(
                (number(&row[c]) * 1e4 - yuan).abs() <= 0.005 + 1e-9 * yuan,
                "{rec:?} column {c}"
            );
        }
    }
    // The at-risk villages are those below the floor in 20% of runs or more.
    let risk = book.worksheet_range("风险村").unwrap();
    for row in risk.rows().skip(1) {
        assert!(number(&row[9]) >= 0.2, "{row:?}");
    }
}
