//! Villages from a CSV file a planner already has.
//!
//! Columns (header required, any order, extra columns ignored, no column
//! named twice): `id`, `name`, `township` (optional), `operating_income` and
//! `other_income` (optional), in yuan or unit strings such as "22万"; and
//! `name_zh`, `township_zh` (optional): the Chinese names reports in Chinese
//! show (an empty cell: the English name).
//!
//! The file is read as a stream of rows: a file larger than
//! [`MAX_FILE_BYTES`] is refused before it is read, and reading stops at the
//! first row beyond the cap on villages, so a huge file costs neither time
//! nor memory. Only when a row is wrong is the file read again, to locate
//! the problem.

use std::io::Read;
use std::path::Path;

use super::error::{ScenarioError, Source};
use crate::format::thousands;
use crate::limits::{MAX_FILE_BYTES, MAX_VILLAGES};
use crate::model::param::{Domain, Param};
use crate::model::units::parse_number;

/// One row of a villages CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub township: Option<String>,
    pub name_zh: Option<String>,
    pub township_zh: Option<String>,
    pub operating_income: f64,
    pub other_income: f64,
}

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
pub fn read(path: &Path, label: &str, max_rows: usize) -> Result<Vec<Row>, Box<ScenarioError>> {
    let file = std::fs::File::open(path).map_err(|e| cannot_read(label, path, e))?;
    let size = file.metadata().map_err(|e| cannot_read(label, path, e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(Box::new(super::read::too_large(label, size, "villages")));
    }
    let mut input = std::io::BufReader::new(file).take(MAX_FILE_BYTES + 1);
    let result = rows(&mut input, max_rows);
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
    rows(text.as_bytes(), MAX_VILLAGES).map_err(|e| locate(e, text.as_bytes(), file))
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

fn rows(input: impl Read, max_rows: usize) -> Result<Vec<Row>, RowError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| RowError {
            utf8: utf8_error(&e),
            ..RowError::new(0, "header", e.to_string(), None)
        })?
        .clone();
    let columns = Columns::find(&headers)?;
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
        rows.push(columns.row(&record, offset)?);
    }
    if rows.is_empty() {
        return Err(RowError::new(0, "rows", "the villages file has no rows".into(), None));
    }
    Ok(rows)
}

/// The positions of the columns a villages file may have.
struct Columns {
    id: usize,
    income: usize,
    name: Option<usize>,
    township: Option<usize>,
    other: Option<usize>,
    name_zh: Option<usize>,
    township_zh: Option<usize>,
}

impl Columns {
    /// Finds the columns by header name; each named once, `id` and
    /// `operating_income` required.
    fn find(headers: &csv::StringRecord) -> Result<Columns, RowError> {
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
                    Some("name each column once: id, name, township, operating_income, other_income, name_zh, township_zh".into()),
                ));
            }
        }
        let column = |name: &str| headers.iter().position(|h| h == name);
        let (Some(id), Some(income)) = (column("id"), column("operating_income")) else {
            return Err(RowError::new(
                0,
                "header",
                format!(
                    "the header must name the columns id and operating_income (found: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
                Some("columns: id, name, township, operating_income, other_income, name_zh, township_zh".into()),
            ));
        };
        Ok(Columns {
            id,
            income,
            name: column("name"),
            township: column("township"),
            other: column("other_income"),
            name_zh: column("name_zh"),
            township_zh: column("township_zh"),
        })
    }

    /// One village from the row at byte `offset`.
    fn row(&self, record: &csv::StringRecord, offset: u64) -> Result<Row, RowError> {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|s| !s.is_empty());
        let money = |i: Option<usize>, field: &'static str| -> Result<f64, RowError> {
            let Some(text) = get(i) else { return Ok(0.0) };
            let value = parse_number(text).map_err(|m| RowError::new(offset, field, m, None))?;
            Domain::NonNegative
                .check(&Param::fixed(value))
                .map_err(|m| RowError::new(offset, field, m, Some("income in yuan, e.g. 220000 or 22万".into())))?;
            Ok(value)
        };
        let Some(id_value) = get(Some(self.id)) else {
            return Err(RowError::new(
                offset,
                "id",
                "empty village id".into(),
                Some("every row needs an id".into()),
            ));
        };
        if get(Some(self.income)).is_none() {
            return Err(RowError::new(
                offset,
                "operating_income",
                "missing operating income".into(),
                Some("income in yuan, e.g. 220000 or 22万".into()),
            ));
        }
        Ok(Row {
            id: id_value.to_string(),
            name: get(self.name).unwrap_or(id_value).to_string(),
            township: get(self.township).map(str::to_string),
            name_zh: get(self.name_zh).map(str::to_string),
            township_zh: get(self.township_zh).map(str::to_string),
            operating_income: money(Some(self.income), "operating_income")?,
            other_income: money(self.other, "other_income")?,
        })
    }
}

/// The error at the first row beyond `max_rows`.
fn too_many_rows(offset: u64, max_rows: usize) -> RowError {
    let message = if max_rows == MAX_VILLAGES {
        format!(
            "the villages file has more than {} rows, the most villages accepted",
            thousands(MAX_VILLAGES as f64)
        )
    } else {
        format!(
            "the villages file has more than {} rows: with the other [[villages]] entries it would pass the {} villages accepted",
            thousands(max_rows as f64),
            thousands(MAX_VILLAGES as f64)
        )
    };
    RowError::new(
        offset,
        "rows",
        message,
        Some("the largest Chinese city has fewer than 10,000 administrative villages (see src/limits.rs)".into()),
    )
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
        assert_eq!(rows(text.as_bytes(), 3).map(|r| r.len()).ok(), Some(3));
        let err = rows(text.as_bytes(), 2).err().unwrap();
        assert!(err.message.contains("more than 2 rows"), "{}", err.message);
        assert_eq!(err.locate(text, "v.csv").line, 4);
    }

    #[test]
    fn invalid_utf8_is_located() {
        let bytes = b"id,operating_income\nv1,100\n\xe5\x90,100\n";
        let err = rows(&bytes[..], 10).err().unwrap();
        let err = locate(err, bytes, "v.csv");
        assert_eq!((err.line, err.column), (3, 1), "{err}");
        assert!(err.message.contains("UTF-8"), "{err}");
    }

    #[test]
    fn incomes_beyond_the_bounds_are_refused() {
        let err = parse("id,operating_income\nv1,1e13\n", "v.csv").unwrap_err();
        assert!(err.to_string().contains("1万亿"), "{err}");
        assert!(parse("id,operating_income\nv1,-5\n", "v.csv").is_err());
    }
}
