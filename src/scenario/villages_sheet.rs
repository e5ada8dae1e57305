//! Villages from a workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), a
//! planner's ledger (台账) as kept in Excel or WPS, read with calamine.
//!
//! The sheet is `sheet = "..."` or the first. The header row is the first
//! of the first [`HEADER_ROWS`] rows whose headers name a village id or
//! name and an operating income ([`super::ledger`]); rows above it (a title
//! merged across the columns, a note on units) are passed over, and a unit
//! in the cell above a header (a merged `收入（万元）` over two columns)
//! applies to the columns below it. Empty rows are skipped. Every error
//! names the file, the sheet, the cell as an A1 reference (with its row and
//! column as the error's line and column) and the field, and says what
//! would be valid.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Dimensions, Reader, Sheets};

use super::error::{ScenarioError, Source};
use super::ledger::{Cell, Layout, Options, Row};
use crate::limits::MAX_FILE_BYTES;

/// Rows searched for the header.
pub const HEADER_ROWS: usize = 20;

/// Whether `path` names a workbook (by its extension).
pub fn is_workbook(path: &str) -> bool {
    let lower = path.to_lowercase();
    [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The A1 letters of column `c` (from 0): A, ..., Z, AA, ...
pub fn column_letters(c: u32) -> String {
    let mut letters = Vec::new();
    let mut n = c + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn error(label: &str, field: &str, message: String, help: String, cell: Option<(u32, u32)>) -> Box<ScenarioError> {
    let mut e = Source::new(label, "", None).error(None, Some(field.into()), message, Some(help));
    if let Some((row, column)) = cell {
        (e.line, e.column) = (row as usize + 1, column as usize + 1);
    }
    Box::new(e)
}

/// Reads the villages of `path` (named `label` in errors), refusing more
/// than `max_rows` rows.
///
/// # Errors
///
/// The file cannot be read or is too large, the sheet is not there, no
/// header row is found, or a cell is wrong: located as the module says.
pub fn read(path: &Path, label: &str, max_rows: usize, options: &Options) -> Result<Vec<Row>, Box<ScenarioError>> {
    let cannot = |e: &dyn std::fmt::Display| {
        error(
            label,
            "file",
            format!("cannot read the workbook {}: {e}", path.display()),
            "the path is relative to the scenario file's folder; a workbook is .xlsx, .xls or .ods".into(),
            None,
        )
    };
    let size = std::fs::metadata(path).map_err(|e| cannot(&e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(Box::new(super::read::too_large(label, size, "villages")));
    }
    let mut book = open_workbook_auto(path).map_err(|e| cannot(&e))?;
    let names = book.sheet_names();
    let sheet = match &options.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(error(
                label,
                "sheet",
                format!("the workbook has no sheet `{s}`"),
                format!("its sheets are: {}", names.join(", ")),
                None,
            ))
        }
        None => names.first().cloned().ok_or_else(|| cannot(&"it has no sheets"))?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| cannot(&e))?;
    let merged: Vec<Dimensions> = match &mut book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
        _ => Vec::new(),
    };
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let rows: Vec<Vec<Cell>> = range.rows().map(|r| r.iter().map(cell).collect()).collect();
    let at = |r: usize, c: usize| (row0 + r as u32, col0 + c as u32);
    let a1 = |(r, c): (u32, u32)| format!("{}{}", column_letters(c), r + 1);
    let located = |(r, c): (u32, u32), field: &str, header: &str, message: String, help: String| {
        let column = if header.is_empty() {
            String::new()
        } else {
            format!(" (column `{header}`)")
        };
        error(
            label,
            field,
            format!("sheet `{sheet}`, cell {}{column}: {message}", a1((r, c))),
            help,
            Some((r, c)),
        )
    };

    // The header row.
    let mut first_problem = None;
    let mut found = None;
    for (r, row) in rows.iter().enumerate().take(HEADER_ROWS) {
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        let headers: Vec<String> = row.iter().map(header_text).collect();
        let above: Vec<Option<String>> = (0..headers.len())
            .map(|c| above_text(&rows, &merged, r, c, (row0, col0)))
            .collect();
        match Layout::resolve(&headers, &above, options) {
            Ok(layout) => {
                found = Some((r, layout));
                break;
            }
            // A header row with a column at fault: say so.
            Err(p) if p.column.is_some() => {
                let c = p.column.unwrap_or(0);
                return Err(located(at(r, c), "header", &headers[c], p.message, p.help));
            }
            Err(p) => {
                first_problem.get_or_insert((r, p));
            }
        }
    }
    let Some((header_row, layout)) = found else {
        let (r, p) = first_problem.unwrap_or((
            0,
            super::ledger::HeaderProblem {
                column: None,
                message: "the sheet is empty".into(),
                help: "the villages are one row each under a header row".into(),
            },
        ));
        return Err(located(at(r, 0), "header", "", p.message, p.help));
    };

    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate().skip(header_row + 1) {
        if row.iter().all(Cell::is_empty) || layout.is_total(row) {
            continue;
        }
        if out.len() == max_rows {
            let (message, help) = super::ledger::too_many_rows("the sheet", max_rows);
            return Err(located(at(r, 0), "rows", "", message, help));
        }
        let village = layout.row(row).map_err(|p| {
            let header = layout.header(p.column).to_string();
            located(at(r, p.column), p.field, &header, p.message, p.help)
        })?;
        out.push(village);
    }
    super::ledger::tell_apart(&mut out, &layout);
    if out.is_empty() {
        return Err(located(
            at(header_row, 0),
            "rows",
            "",
            "the sheet has a header but no villages under it".into(),
            "one row per village under the header row".into(),
        ));
    }
    Ok(out)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(x) => Cell::Number(*x),
        Data::Bool(b) => Cell::Other(format!("the value {}", if *b { "TRUE" } else { "FALSE" })),
        Data::DateTime(_) | Data::DateTimeIso(_) => Cell::Other("a date".into()),
        Data::DurationIso(_) => Cell::Other("a duration".into()),
        Data::Error(e) => Cell::Other(format!("the error {e}")),
    }
}

fn header_text(c: &Cell) -> String {
    match c {
        Cell::Text(t) => t.trim().to_string(),
        Cell::Number(x) => x.to_string(),
        _ => String::new(),
    }
}

/// The text above header cell `(r, c)` (indices into the range, which
/// starts at `origin`): the cell itself, or the merged region covering it.
fn above_text(rows: &[Vec<Cell>], merged: &[Dimensions], r: usize, c: usize, origin: (u32, u32)) -> Option<String> {
    let up = r.checked_sub(1)?;
    let own = rows
        .get(up)
        .and_then(|row| row.get(c))
        .map(header_text)
        .filter(|t| !t.is_empty());
    own.or_else(|| {
        let (ar, ac) = (origin.0 + up as u32, origin.1 + c as u32);
        let region = merged
            .iter()
            .find(|d| d.start.0 <= ar && ar <= d.end.0 && d.start.1 <= ac && ac <= d.end.1)?;
        let (tr, tc) = (
            region.start.0.checked_sub(origin.0)?,
            region.start.1.checked_sub(origin.1)?,
        );
        rows.get(tr as usize)
            .and_then(|row| row.get(tc as usize))
            .map(header_text)
            .filter(|t| !t.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn workbooks_by_extension() {
        assert!(is_workbook("台账.XLSX"));
        assert!(is_workbook("a/ledger.ods"));
        assert!(!is_workbook("villages.csv"));
    }
}
