//! Villages from a planner's ledger in Excel (issue 16, item 1): a workbook
//! made here with rust_xlsxwriter, as a county's 台账 looks: a title merged
//! across the columns, Chinese headers with 万元 in them, an empty row, a
//! number stored as text, a township's subtotal and the total at the foot;
//! read exactly (the totals left out), and every error naming the sheet,
//! the cell (row and column) and the field.

mod common;

use std::path::Path;

use common::header;
use rust_xlsxwriter::{Format, Workbook};
use villagesim::model::Model;

/// Writes `rows` (strings and numbers) under a title merged across A1:F1
/// into sheet `台账` of `dir/ledger.xlsx`.
fn workbook(dir: &Path, rows: &[Vec<Value>]) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("台账").unwrap();
    sheet
        .merge_range(0, 0, 0, 5, "2024年某县村集体经济台账", &Format::new())
        .unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match v {
                Value::Text(t) => sheet.write_string(r, c, *t).map(|_| ()).unwrap(),
                Value::Number(x) => sheet.write_number(r, c, *x).map(|_| ()).unwrap(),
                Value::Empty => {}
            }
        }
    }
    book.save(dir.join("ledger.xlsx")).unwrap();
}

enum Value {
    Text(&'static str),
    Number(f64),
    Empty,
}
use Value::{Empty, Number as N, Text as T};

fn ledger_rows() -> Vec<Vec<Value>> {
    vec![
        vec![
            T("序号"),
            T("乡镇（街道）"),
            T("村名"),
            T("经营性收入（万元）"),
            T("其他收入（万元）"),
            T("分组"),
        ],
        vec![N(1.0), T("织里镇"), T("东村"), N(22.5), N(1.2), T("弱村")],
        vec![],
        vec![N(2.0), T("织里镇"), T("西村"), N(48.0), Empty, Empty],
        vec![N(3.0), T("八里店镇"), T("南村"), T("31.25"), N(0.0), T("弱村")],
        // Totals are not villages: a township's subtotal and the county's.
        vec![Empty, T("八里店镇 小计"), Empty, N(31.25), N(0.0), Empty],
        vec![T("合  计"), Empty, Empty, N(101.75), N(1.2), Empty],
    ]
}

fn parse(dir: &Path, entry: &str) -> Result<Model, String> {
    let text = format!("{}[[villages]]\nfile = \"ledger.xlsx\"\n{entry}\n", header(3, 10));
    villagesim::scenario::parse("county.toml", &text, dir).map_err(|e| e.plain())
}

#[test]
fn a_chinese_ledger_is_read_exactly() {
    let dir = tempfile::tempdir().unwrap();
    workbook(dir.path(), &ledger_rows());
    let m = parse(dir.path(), "sheet = \"台账\"").unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<_> = (m.villages.iter())
        .map(|v| {
            (
                v.id.as_str(),
                v.township.as_deref(),
                v.group.as_deref(),
                v.operating_income.as_fixed(),
                v.other_income.as_fixed(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("东村", Some("织里镇"), Some("弱村"), Some(225_000.0), Some(12_000.0)),
            ("西村", Some("织里镇"), None, Some(480_000.0), Some(0.0)),
            ("南村", Some("八里店镇"), Some("弱村"), Some(312_500.0), Some(0.0)),
        ]
    );
    // The first sheet by default; the group selects as any group does.
    let m = parse(dir.path(), "").unwrap();
    assert_eq!(m.villages.len(), 3);
}

#[test]
fn a_text_in_a_number_column_names_the_sheet_row_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = ledger_rows();
    rows[4][3] = T("不详");
    workbook(dir.path(), &rows);
    let err = parse(dir.path(), "").unwrap_err();
    eprintln!("{err}");
    // Row 6 of the sheet (title, header, two villages, an empty row).
    assert!(err.contains("ledger.xlsx:6:4"), "{err}");
    assert!(err.contains("`operating_income`"), "{err}");
    assert!(
        err.contains("sheet `台账`, cell D6 (column `经营性收入（万元）`)"),
        "{err}"
    );
    assert!(err.contains("`不详` is not a number"), "{err}");
    assert!(err.contains("income in 万元"), "{err}");
}

#[test]
fn a_unit_in_a_merged_header_above_applies_to_the_columns_below() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 2, 0, 3, "2024年收入（万元）", &Format::new())
        .unwrap();
    for (c, h) in ["乡镇", "村名", "经营性收入", "其他收入"].iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    sheet.write_string(2, 0, "织里镇").unwrap();
    sheet.write_string(2, 1, "东村").unwrap();
    sheet.write_number(2, 2, 15.0).unwrap();
    sheet.write_number(2, 3, 2.5).unwrap();
    book.save(dir.path().join("ledger.xlsx")).unwrap();
    let m = parse(dir.path(), "").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.villages[0].operating_income.as_fixed(), Some(150_000.0));
    assert_eq!(m.villages[0].other_income.as_fixed(), Some(25_000.0));
    // A stated unit that disagrees with the header is refused, at the header.
    let err = parse(dir.path(), "unit = \"元\"").unwrap_err();
    assert!(err.contains("cell C2"), "{err}");
    assert!(err.contains("says 万元, but the entry says unit = 元"), "{err}");
}

#[test]
fn a_header_of_its_own_is_mapped_and_a_unit_stated() {
    let dir = tempfile::tempdir().unwrap();
    workbook(
        dir.path(),
        &[
            vec![T("村"), T("集体收入合计")],
            vec![T("东村"), N(12.0)],
            vec![T("西村"), T("30万")],
        ],
    );
    let err = parse(dir.path(), "").unwrap_err();
    assert!(
        err.contains("an operating income column (found: 2024年某县村集体经济台账)"),
        "{err}"
    );
    let m = parse(
        dir.path(),
        "columns = { operating_income = \"集体收入合计\" }\nunit = \"万元\"",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let incomes: Vec<_> = m.villages.iter().map(|v| v.operating_income.as_fixed()).collect();
    assert_eq!(
        incomes,
        [Some(120_000.0), Some(300_000.0)],
        "a text with its own unit is read in it"
    );
}

#[test]
fn bad_ledger_options_say_what_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    workbook(dir.path(), &ledger_rows());
    let err = parse(dir.path(), "sheet = \"Sheet9\"").unwrap_err();
    assert!(err.contains("the workbook has no sheet `Sheet9`"), "{err}");
    assert!(err.contains("its sheets are: 台账"), "{err}");
    let err = parse(dir.path(), "unit = \"斤\"").unwrap_err();
    assert!(err.contains("`villages[0].unit`"), "{err}");
    assert!(err.contains("expected \"元\""), "{err}");
    let err = parse(dir.path(), "columns = { income = \"经营性收入\" }").unwrap_err();
    assert!(err.contains("`income` is not a column of a village ledger"), "{err}");
    assert!(err.contains("operating_income"), "{err}");
    let text = format!(
        "{}[[villages]]\nid = \"a\"\noperating_income = 1\nsheet = \"台账\"\n",
        header(3, 10)
    );
    let err = villagesim::scenario::parse("county.toml", &text, dir.path())
        .unwrap_err()
        .plain();
    assert!(err.contains("`sheet` goes with `file`"), "{err}");
    // Not a workbook at all.
    std::fs::write(dir.path().join("ledger.xlsx"), "not a zip").unwrap();
    let err = parse(dir.path(), "").unwrap_err();
    assert!(err.contains("cannot read the workbook"), "{err}");
}

#[test]
fn a_csv_ledger_with_chinese_headers_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ledger.csv"),
        "序号,乡镇（街道）,村名,经营性收入（万元）,其他收入（万元）,分组\n1,织里镇,东村,22.5,1.2,弱村\n,,,,,\n2,织里镇,西村,48,,\nTotal,,,70.5,1.2,\n",
    )
    .unwrap();
    let text = format!("{}[[villages]]\nfile = \"ledger.csv\"\n", header(3, 10));
    let m = villagesim::scenario::parse("county.toml", &text, dir.path()).unwrap_or_else(|e| panic!("{}", e.plain()));
    let incomes: Vec<_> = m
        .villages
        .iter()
        .map(|v| (v.id.as_str(), v.operating_income.as_fixed()))
        .collect();
    assert_eq!(incomes, [("东村", Some(225_000.0)), ("西村", Some(480_000.0))]);
    assert_eq!(m.villages[0].group.as_deref(), Some("弱村"));
}
