//! Villages from a CSV file a planner already has.
//!
//! Columns (header required, any order, extra columns ignored, no column
//! named twice), found by their headers in English or Chinese as
//! [`super::ledger`] says: `id` or `name` (村名), `township` (乡镇),
//! `operating_income` (经营性收入) and `other_income` (其他收入), in yuan,
//! in the unit the header or the entry states (万元), or as unit strings
//! such as "22万"; `group` (分组); and `name_zh`, `township_zh`
//! (optional): the Chinese names reports in Chinese show (an empty cell:
//! the English name).
//!
//! The file is read as a stream of rows: a file larger than
//! [`MAX_FILE_BYTES`] is refused before it is read, and reading stops at the
//! first row beyond the cap on villages, so a huge file costs neither time
//! nor memory. Only when a row is wrong is the file read again, to locate
//! the problem.

use std::io::Read;
use std::path::Path;

use super::error::{ScenarioError, Source};
pub use super::ledger::Row;
use super::ledger::{Cell, Layout, Options};
use crate::limits::{MAX_FILE_BYTES, MAX_VILLAGES};

/// A problem at a byte offset of the file, located once the text is at hand.
struct RowError {
    offset: usize,
    field: &'static str,
    message: String,
    help: Option<String>,
    /// The problem is invalid UTF-8: locate the first bad byte instead.
    utf8: bool,
}

impl RowError {
    fn new(offset: u64, field: &'static str, message: String, help: Option<String>) -> Self {
        RowError {
            offset: offset as usize,
            field,
            message,
            help,
            utf8: false,
        }
    }

    fn locate(self, text: &str, file: &str) -> Box<ScenarioError> {
        let source = Source::new(file, text, None);
        let offset = self.offset.min(text.len());
        Box::new(source.error(
            Some(offset..offset + 1),
            Some(self.field.to_string()),
            self.message,
            self.help,
        ))
    }
}

fn cannot_read(label: &str, path: &Path, e: impl std::fmt::Display) -> Box<ScenarioError> {
    Box::new(Source::new(label, "", None).error(
        None,
        Some("file".into()),
        format!("cannot read villages file {}: {e}", path.display()),
        Some("the path is relative to the scenario file's folder".into()),
    ))
}

/// Reads `path` (named `label` in errors), refusing more than `max_rows` rows.
pub fn read(path: &Path, label: &str, max_rows: usize, options: &Options) -> Result<Vec<Row>, Box<ScenarioError>> {
    let file = std::fs::File::open(path).map_err(|e| cannot_read(label, path, e))?;
    let size = file.metadata().map_err(|e| cannot_read(label, path, e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(Box::new(super::read::too_large(label, size, "villages")));
    }
    let mut input = std::io::BufReader::new(file).take(MAX_FILE_BYTES + 1);
    let result = rows(&mut input, max_rows, options);
    if input.limit() == 0 {
        // It grew while being read.
        return Err(Box::new(super::read::too_large(label, MAX_FILE_BYTES + 1, "villages")));
    }
    result.map_err(|e| {
        // Read it again, whole (it is small), to say where the problem is.
        match super::read::read_capped(path, MAX_FILE_BYTES) {
            Ok(Ok(bytes)) => locate(e, &bytes, label),
            Ok(Err(size)) => Box::new(super::read::too_large(label, size, "villages")),
            Err(io) => cannot_read(label, path, io),
        }
    })
}

/// Parses CSV text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<Row>, Box<ScenarioError>> {
    rows(text.as_bytes(), MAX_VILLAGES, &Options::default()).map_err(|e| locate(e, text.as_bytes(), file))
}

fn locate(e: RowError, bytes: &[u8], file: &str) -> Box<ScenarioError> {
    if e.utf8 {
        if let Err(err) = super::read::utf8(file, bytes) {
            return err;
        }
    }
    e.locate(&String::from_utf8_lossy(bytes), file)
}

fn utf8_error(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Utf8 { .. })
}

fn rows(input: impl Read, max_rows: usize, options: &Options) -> Result<Vec<Row>, RowError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| RowError {
            utf8: utf8_error(&e),
            ..RowError::new(0, "header", e.to_string(), None)
        })?
        .clone();
    let columns = find_columns(&headers, options)?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let offset = e.position().map_or(0, |p| p.byte());
            RowError {
                utf8: utf8_error(&e),
                ..RowError::new(offset, "row", e.to_string(), None)
            }
        })?;
        if !more {
            break;
        }
        let offset = record.position().map_or(0, |p| p.byte());
        if rows.len() == max_rows {
            return Err(too_many_rows(offset, max_rows));
        }
        let cells: Vec<Cell> = record.iter().map(|t| Cell::Text(t.to_string())).collect();
        if cells.iter().all(Cell::is_empty) || columns.is_total(&cells) {
            continue;
        }
        let row = columns
            .row(&cells)
            .map_err(|p| RowError::new(offset, p.field, p.message, Some(p.help)))?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(RowError::new(0, "rows", "the villages file has no rows".into(), None));
    }
    super::ledger::tell_apart(&mut rows, &columns);
    Ok(rows)
}

/// Finds the columns by their headers ([`Layout::resolve`]); no header
/// text twice.
fn find_columns(headers: &csv::StringRecord, options: &Options) -> Result<Layout, RowError> {
    // Where each header name starts, for errors (exact without quotes or padding).
    let mut starts = Vec::with_capacity(headers.len());
    let mut at = 0u64;
    for (i, h) in headers.iter().enumerate() {
        starts.push(at);
        at += h.len() as u64 + 1;
        if let Some(first) = headers.iter().take(i).position(|x| x == h) {
            return Err(RowError::new(
                starts[i],
                "header",
                format!(
                    "the column `{h}` appears twice in the header (columns {} and {})",
                    first + 1,
                    i + 1
                ),
                Some("name each column once: id, name, township, operating_income, other_income, group, name_zh, township_zh".into()),
            ));
        }
    }
    let texts: Vec<String> = headers.iter().map(str::to_string).collect();
    Layout::resolve(&texts, &[], options).map_err(|p| {
        let offset = p.column.map_or(0, |i| starts[i]);
        RowError::new(offset, "header", p.message, Some(p.help))
    })
}

/// The error at the first row beyond `max_rows`.
fn too_many_rows(offset: u64, max_rows: usize) -> RowError {
    let (message, help) = super::ledger::too_many_rows("the villages file", max_rows);
    RowError::new(offset, "rows", message, Some(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_with_units() {
        let rows = parse(
            "id,name,township,operating_income,other_income\nv1,East,Zhili,22万,1000\nv2,West,,300000,\n",
            "v.csv",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].operating_income, 220_000.0);
        assert_eq!(rows[1].township, None);
    }

    #[test]
    fn chinese_names_are_optional_columns() {
        let rows = parse(
            "id,name,name_zh,township,township_zh,operating_income
v1,East,东村,Zhili,织里镇,22万
v2,West,,,,1
",
            "v.csv",
        )
        .unwrap();
        assert_eq!(rows[0].name_zh.as_deref(), Some("东村"));
        assert_eq!(rows[0].township_zh.as_deref(), Some("织里镇"));
        assert_eq!((rows[1].name_zh.clone(), rows[1].township_zh.clone()), (None, None));
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse("id,operating_income\nv1,100\nv2,lots\n", "v.csv").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.to_string().contains("operating_income"), "{err}");
    }

    #[test]
    fn a_column_named_twice_is_refused() {
        let err = parse("id,operating_income,id\nv1,100,v2\n", "v.csv").unwrap_err();
        assert_eq!((err.line, err.column), (1, 21), "{err}");
        assert!(err.to_string().contains("the column `id` appears twice"), "{err}");
    }

    #[test]
    fn rows_beyond_the_cap_are_refused_as_they_come() {
        let text = "id,operating_income\nv1,100\nv2,100\nv3,100\n";
        let options = Options::default();
        assert_eq!(rows(text.as_bytes(), 3, &options).map(|r| r.len()).ok(), Some(3));
        let err = rows(text.as_bytes(), 2, &options).err().unwrap();
        assert!(err.message.contains("more than 2 rows"), "{}", err.message);
        assert_eq!(err.locate(text, "v.csv").line, 4);
    }

    #[test]
    fn invalid_utf8_is_located() {
        let bytes = b"id,operating_income\nv1,100\n\xe5\x90,100\n";
        let err = rows(&bytes[..], 10, &Options::default()).err().unwrap();
        let err = locate(err, bytes, "v.csv");
        assert_eq!((err.line, err.column), (3, 1), "{err}");
        assert!(err.message.contains("UTF-8"), "{err}");
    }

    #[test]
    fn chinese_headers_units_and_empty_rows() {
        let rows = parse(
            "乡镇,村名,经营性收入（万元）,其他收入（万元）,分组\n织里镇,东村,22.5,1,弱村\n,,,,\n织里镇,西村,\"1,200\",,\n",
            "v.csv",
        )
        .unwrap();
        assert_eq!(rows.len(), 2, "the empty row is skipped");
        assert_eq!(
            (rows[0].id.as_str(), rows[0].operating_income, rows[0].other_income),
            ("东村", 225_000.0, 10_000.0)
        );
        assert_eq!(rows[0].group.as_deref(), Some("弱村"));
        assert_eq!(rows[1].operating_income, 12_000_000.0);
        let err = parse("村名,经营性收入（万元）\n东村,22\n西村,不详\n", "v.csv").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.to_string().contains("`不详` is not a number"), "{err}");
    }

    #[test]
    fn incomes_beyond_the_bounds_are_refused() {
        let err = parse("id,operating_income\nv1,1e13\n", "v.csv").unwrap_err();
        assert!(err.to_string().contains("1万亿"), "{err}");
        assert!(parse("id,operating_income\nv1,-5\n", "v.csv").is_err());
    }
}
