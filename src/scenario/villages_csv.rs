//! Villages from a CSV file a planner already has.
//!
//! Columns (header required, any order, extra columns ignored): `id`,
//! `name`, `township` (optional), `operating_income` and `other_income`
//! (optional), in yuan or unit strings such as "22万".

use std::path::Path;

use super::error::{ScenarioError, Source};
use super::units::parse_number;

/// One row of a villages CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub township: Option<String>,
    pub operating_income: f64,
    pub other_income: f64,
}

/// Reads `path` (named `label` in errors).
pub fn read(path: &Path, label: &str) -> Result<Vec<Row>, Box<ScenarioError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let source = Source {
            file: label,
            text: "",
            root: None,
        };
        Box::new(source.error(
            None,
            Some("file".into()),
            format!("cannot read villages file {}: {e}", path.display()),
            Some("the path is relative to the scenario file's folder".into()),
        ))
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses CSV text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<Row>, Box<ScenarioError>> {
    let source = Source { file, text, root: None };
    let fail = |offset: u64, field: &str, msg: String, help: Option<String>| {
        Box::new(source.error(
            Some(offset as usize..offset as usize + 1),
            Some(field.to_string()),
            msg,
            help,
        ))
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| fail(0, "header", e.to_string(), None))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(income)) = (column("id"), column("operating_income")) else {
        return Err(fail(
            0,
            "header",
            format!(
                "the header must name the columns id and operating_income (found: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
            Some("columns: id, name, township, operating_income, other_income".into()),
        ));
    };
    let (name, township, other) = (column("name"), column("township"), column("other_income"));
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let offset = e.position().map_or(0, |p| p.byte());
            fail(offset, "row", e.to_string(), None)
        })?;
        let offset = record.position().map_or(0, |p| p.byte());
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|s| !s.is_empty());
        let money = |i: Option<usize>, field: &str| -> Result<f64, Box<ScenarioError>> {
            let Some(text) = get(i) else { return Ok(0.0) };
            let value = parse_number(text).map_err(|m| fail(offset, field, m, None))?;
            if value < 0.0 {
                return Err(fail(
                    offset,
                    field,
                    format!("{value} is negative"),
                    Some("income in yuan, >= 0".into()),
                ));
            }
            Ok(value)
        };
        let Some(id_value) = get(Some(id)) else {
            return Err(fail(
                offset,
                "id",
                "empty village id".into(),
                Some("every row needs an id".into()),
            ));
        };
        if get(Some(income)).is_none() {
            return Err(fail(
                offset,
                "operating_income",
                "missing operating income".into(),
                Some("income in yuan, e.g. 220000 or 22万".into()),
            ));
        }
        rows.push(Row {
            id: id_value.to_string(),
            name: get(name).unwrap_or(id_value).to_string(),
            township: get(township).map(str::to_string),
            operating_income: money(Some(income), "operating_income")?,
            other_income: money(other, "other_income")?,
        });
    }
    if rows.is_empty() {
        return Err(fail(0, "rows", "the villages file has no rows".into(), None));
    }
    Ok(rows)
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
    fn errors_name_line_and_column() {
        let err = parse("id,operating_income\nv1,100\nv2,lots\n", "v.csv").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.to_string().contains("operating_income"), "{err}");
    }
}
