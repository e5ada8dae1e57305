//! The columns of a village ledger (台账), a CSV file or a workbook: which
//! column holds what, found by its header in English or Chinese, and the
//! unit of its money columns.
//!
//! A header names a field when, with its bracketed parts (`(万元)`,
//! `（元）`), spaces and a leading year (`2024年`) taken away, it is one of
//! the field's names ([`Field::names`]): `经营性收入（万元）` and
//! `2024年经营性收入` are both `operating_income`. `columns = {
//! operating_income = "集体收入合计" }` names a column whose header is
//! none of these, by its whole header text. A money column is in yuan unless
//! its header (or the merged header cell above it, in a workbook) says
//! `万元`, `千元`, `亿元` or `元`, or the entry states `unit = "万元"`; a
//! header and a stated unit that disagree are refused. A money cell holding
//! text with its own unit (`"22万"`) is read in that unit.

use std::collections::BTreeMap;

use crate::model::param::{Domain, Param};
use crate::model::units::parse_number;

/// What a column of a ledger may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Name,
    Township,
    OperatingIncome,
    OtherIncome,
    NameZh,
    TownshipZh,
    Group,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Id,
        Field::Name,
        Field::Township,
        Field::OperatingIncome,
        Field::OtherIncome,
        Field::NameZh,
        Field::TownshipZh,
        Field::Group,
    ];

    /// The key of the field in the scenario file (`columns = { ... }`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Township => "township",
            Field::OperatingIncome => "operating_income",
            Field::OtherIncome => "other_income",
            Field::NameZh => "name_zh",
            Field::TownshipZh => "township_zh",
            Field::Group => "group",
        }
    }

    /// The headers that name the field, as normalised by [`normalise`].
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["id", "village_id", "编号", "村编号", "代码", "村代码"],
            Field::Name => &[
                "name",
                "village",
                "村名",
                "村",
                "村名称",
                "村庄",
                "村庄名称",
                "行政村",
                "村社区",
            ],
            Field::Township => &["township", "town", "乡镇", "镇", "乡", "所属乡镇", "街道", "镇街"],
            Field::OperatingIncome => &[
                "operating_income",
                "经营性收入",
                "集体经营性收入",
                "村集体经营性收入",
                "经营收入",
            ],
            Field::OtherIncome => &["other_income", "其他收入", "其它收入"],
            Field::NameZh => &["name_zh"],
            Field::TownshipZh => &["township_zh"],
            Field::Group => &["group", "tag", "分组", "组别", "类别", "类型", "标签"],
        }
    }

    fn is_money(self) -> bool {
        matches!(self, Field::OperatingIncome | Field::OtherIncome)
    }
}

/// The header `text` as it is matched against a field's names: without
/// bracketed parts, spaces or a leading year, in lower case.
pub fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    // A leading year: "2024年" or "2024年度".
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits == 4 {
        let rest = &out[4..];
        if let Some(rest) = rest.strip_prefix("年度").or_else(|| rest.strip_prefix('年')) {
            return rest.to_string();
        }
    }
    out
}

/// Yuan per unit named in a header or a `unit` key, if any.
pub fn unit_in(text: &str) -> Option<(f64, &'static str)> {
    let lower = text.to_lowercase();
    [("亿元", 1e8), ("万元", 1e4), ("千元", 1e3), ("元", 1.0), ("yuan", 1.0)]
        .into_iter()
        .find(|(name, _)| lower.contains(name))
        .map(|(name, factor)| (factor, if name == "yuan" { "元" } else { name }))
}

/// The entry's options for its ledger: `sheet`, `columns`, `unit`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub sheet: Option<String>,
    /// Field key -> the whole header text of its column.
    pub columns: BTreeMap<String, String>,
    /// `unit = "万元"`: yuan per unit of the money columns.
    pub unit: Option<f64>,
}

impl Options {
    /// Reads a stated `unit`.
    ///
    /// # Errors
    ///
    /// A unit other than yuan or 万元 (or 千元, 亿元), with what is valid.
    pub fn parse_unit(text: &str) -> Result<f64, String> {
        match text.trim() {
            "万" | "wan" => Ok(1e4),
            t => unit_in(t).map(|(f, _)| f).ok_or_else(|| {
                format!(
                    "`{text}` is not a unit of money: expected \"元\" (or \"yuan\"), \"万元\", \"千元\" or \"亿元\""
                )
            }),
        }
    }
}

/// A problem with a column's header: the column (from 0) when one is at
/// fault.
#[derive(Debug)]
pub struct HeaderProblem {
    pub column: Option<usize>,
    pub message: String,
    pub help: String,
}

/// Which column holds each field, and yuan per unit of each money column.
#[derive(Debug, Clone)]
pub struct Layout {
    columns: [Option<usize>; 8],
    yuan_per_unit: [f64; 8],
    /// The header of each column, for errors.
    headers: Vec<String>,
}

const COLUMNS_HELP: &str = "name the columns, in English or Chinese: id or 村名 (name), 乡镇 (township), 经营性收入 (operating_income), 其他收入 (other_income), 分组 (group); or map a header with columns = { operating_income = \"...\" }";

impl Layout {
    /// Finds the fields among `headers`; `above[i]`, when given, is the
    /// text of a (merged) header cell above column `i`, where a unit may be
    /// stated.
    ///
    /// # Errors
    ///
    /// No name or id column, no operating income column, a field in two
    /// columns, a mapped header that is not there, or a unit in a header
    /// that disagrees with the stated one.
    pub fn resolve(headers: &[String], above: &[Option<String>], options: &Options) -> Result<Layout, HeaderProblem> {
        let mut columns = [None; 8];
        for (key, header) in &options.columns {
            let Some(f) = Field::ALL.iter().position(|f| f.key() == key) else {
                return Err(HeaderProblem {
                    column: None,
                    message: format!("`columns.{key}` is not a field of a village"),
                    help: format!("expected one of {}", Field::ALL.map(Field::key).join(", ")),
                });
            };
            let Some(i) = headers.iter().position(|h| h.trim() == header.trim()) else {
                return Err(HeaderProblem {
                    column: None,
                    message: format!("`columns.{key}`: no column has the header `{header}`"),
                    help: format!("the headers are: {}", headers.join(", ")),
                });
            };
            columns[f] = Some(i);
        }
        for (i, header) in headers.iter().enumerate() {
            let name = normalise(header);
            if name.is_empty() || columns.contains(&Some(i)) {
                continue;
            }
            let Some(f) = Field::ALL.iter().position(|f| f.names().contains(&name.as_str())) else {
                continue;
            };
            match columns[f] {
                None => columns[f] = Some(i),
                Some(first) => {
                    return Err(HeaderProblem {
                        column: Some(i),
                        message: format!(
                            "both `{}` and `{header}` are read as {}",
                            headers[first],
                            Field::ALL[f].key()
                        ),
                        help: format!(
                            "keep one, or say which with columns = {{ {} = \"{}\" }}",
                            Field::ALL[f].key(),
                            headers[first]
                        ),
                    })
                }
            }
        }
        let has = |f: Field| columns[f as usize].is_some();
        if !(has(Field::Id) || has(Field::Name)) || !has(Field::OperatingIncome) {
            return Err(HeaderProblem {
                column: None,
                message: format!(
                    "the header must name a village id or name column and an operating income column (found: {})",
                    headers
                        .iter()
                        .filter(|h| !h.trim().is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                help: COLUMNS_HELP.into(),
            });
        }
        let mut yuan_per_unit = [1.0; 8];
        for f in Field::ALL.into_iter().filter(|f| f.is_money()) {
            let Some(i) = columns[f as usize] else { continue };
            let said = unit_in(&headers[i]).or_else(|| above.get(i).cloned().flatten().and_then(|a| unit_in(&a)));
            yuan_per_unit[f as usize] = match (said, options.unit) {
                (Some((h, name)), Some(u)) if h != u => {
                    return Err(HeaderProblem {
                        column: Some(i),
                        message: format!(
                            "the header `{}` says {name}, but the entry says unit = {}",
                            headers[i],
                            unit_name(u)
                        ),
                        help: "remove `unit`, or correct the header".into(),
                    })
                }
                (Some((h, _)), _) => h,
                (None, Some(u)) => u,
                (None, None) => 1.0,
            };
        }
        Ok(Layout {
            columns,
            yuan_per_unit,
            headers: headers.to_vec(),
        })
    }

    /// The column of `field`, if the ledger has one.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns[field as usize]
    }

    /// The header of column `i`.
    pub fn header(&self, i: usize) -> &str {
        self.headers.get(i).map_or("", String::as_str)
    }

    /// Whether the row is a total, not a village: its id, name or township
    /// cell, or its first cell (a 序号 column), reads 合计, 总计, 小计,
    /// 共计 or Total / Subtotal / Sum, alone or at the end ("织里镇小计",
    /// "全区合计"). A county's ledger closes with one, and often each
    /// township's block too; read as a village it would add a village as
    /// rich as all the others together.
    pub fn is_total(&self, cells: &[Cell]) -> bool {
        let columns = [Field::Id, Field::Name, Field::Township].map(|f| self.column(f));
        let at = std::iter::once(Some(0)).chain(columns).flatten();
        at.filter_map(|i| match cells.get(i) {
            Some(Cell::Text(t)) => Some(t),
            _ => None,
        })
        .any(|t| is_total_label(t))
    }

    /// One village from the cells of a row.
    ///
    /// # Errors
    ///
    /// The column at fault, the field, what is wrong and what is valid.
    pub fn row(&self, cells: &[Cell]) -> Result<Row, CellProblem> {
        let text = |f: Field| -> Option<String> {
            let i = self.column(f)?;
            match cells.get(i)? {
                Cell::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", *x as i64)),
                Cell::Number(x) => Some(x.to_string()),
                _ => None,
            }
        };
        // The id column when there is one, else the name.
        let f = if self.column(Field::Id).is_some() {
            Field::Id
        } else {
            Field::Name
        };
        let Some(id) = text(f) else {
            let what = if f == Field::Id { "id" } else { "name" };
            return Err(self.problem(
                f,
                format!("empty village {what}"),
                format!("every row needs a village {what}"),
            ));
        };
        Ok(Row {
            name: text(Field::Name).unwrap_or_else(|| id.clone()),
            id,
            township: text(Field::Township),
            name_zh: text(Field::NameZh),
            township_zh: text(Field::TownshipZh),
            group: text(Field::Group),
            operating_income: self.money(cells, Field::OperatingIncome, true)?,
            other_income: self.money(cells, Field::OtherIncome, false)?,
        })
    }

    fn money(&self, cells: &[Cell], f: Field, required: bool) -> Result<f64, CellProblem> {
        let unit = self.yuan_per_unit[f as usize];
        let help = || {
            if unit == 1.0 {
                "income in yuan, e.g. 220000 or 22万".to_string()
            } else {
                format!(
                    "income in {}, e.g. 22 or 22.5 (a text with its own unit, e.g. 22万, is read in it)",
                    unit_name(unit)
                )
            }
        };
        let cell = self.column(f).and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        let value = match cell {
            Cell::Number(x) => x * unit,
            Cell::Text(t) if t.trim().is_empty() => return self.missing(f, required, help()),
            Cell::Text(t) => {
                let plain: String = t.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
                match plain.parse::<f64>() {
                    Ok(x) => x * unit,
                    Err(_) => parse_number(t)
                        .map_err(|_| self.problem(f, format!("`{}` is not a number", t.trim()), help()))?,
                }
            }
            Cell::Empty => return self.missing(f, required, help()),
            Cell::Other(what) => {
                return Err(self.problem(f, format!("the cell holds {what}, not a number"), help()));
            }
        };
        Domain::NonNegative
            .check(&Param::fixed(value))
            .map_err(|m| self.problem(f, m, help()))?;
        Ok(value)
    }

    fn missing(&self, f: Field, required: bool, help: String) -> Result<f64, CellProblem> {
        if required {
            Err(self.problem(f, "missing operating income".into(), help))
        } else {
            Ok(0.0)
        }
    }

    fn problem(&self, f: Field, message: String, help: String) -> CellProblem {
        CellProblem {
            column: self.column(f).unwrap_or(0),
            field: f.key(),
            message,
            help,
        }
    }
}

fn unit_name(yuan: f64) -> &'static str {
    [(1e8, "亿元"), (1e4, "万元"), (1e3, "千元")]
        .into_iter()
        .find(|(f, _)| *f == yuan)
        .map_or("元", |(_, name)| name)
}

/// Gives the villages of a ledger without an id column ids that tell
/// apart two villages of the same name in different townships (a county
/// may have a 新村 in each of several towns): `township/name` for those.
/// Villages that share a name and a township keep it, and are refused as
/// duplicates.
pub fn tell_apart(rows: &mut [Row], layout: &Layout) {
    if layout.column(Field::Id).is_some() {
        return;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows.iter() {
        *seen.entry(r.id.clone()).or_default() += 1;
    }
    for r in rows.iter_mut() {
        if let (Some(t), true) = (&r.township, seen.get(&r.id).is_some_and(|n| *n > 1)) {
            r.id = format!("{t}/{}", r.id);
        }
    }
}

/// The message and help when a ledger (`what`: "the villages file", "the
/// sheet") has more than `max_rows` villages.
pub fn too_many_rows(what: &str, max_rows: usize) -> (String, String) {
    use crate::format::thousands;
    use crate::limits::MAX_VILLAGES;
    let message = if max_rows == MAX_VILLAGES {
        format!(
            "{what} has more than {} rows, the most villages accepted",
            thousands(MAX_VILLAGES as f64)
        )
    } else {
        format!(
            "{what} has more than {} rows: with the other [[villages]] entries it would pass the {} villages accepted",
            thousands(max_rows as f64),
            thousands(MAX_VILLAGES as f64)
        )
    };
    let help = "the largest Chinese city has fewer than 10,000 administrative villages (see src/limits.rs)";
    (message, help.into())
}

/// A cell of a ledger.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// Something that is neither (a date, a formula error, true or false),
    /// in words.
    Other(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// See [`Layout::is_total`].
fn is_total_label(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    ["合计", "总计", "小计", "共计"].iter().any(|end| t.ends_with(end))
        || ["total", "subtotal", "sum", "grandtotal"].contains(&t.trim_end_matches(':'))
}

/// A problem with a cell: its column (from 0), the field it was read as.
#[derive(Debug)]
pub struct CellProblem {
    pub column: usize,
    pub field: &'static str,
    pub message: String,
    pub help: String,
}

/// One village of a ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub township: Option<String>,
    pub name_zh: Option<String>,
    pub township_zh: Option<String>,
    pub group: Option<String>,
    pub operating_income: f64,
    pub other_income: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_headers_with_units_and_years_are_found() {
        assert_eq!(normalise("2024年经营性收入（万元）"), "经营性收入");
        assert_eq!(normalise(" Operating_Income (yuan) "), "operating_income");
        let h = headers(&[
            "序号",
            "乡镇（街道）",
            "村名",
            "2024年经营性收入（万元）",
            "其他收入(元)",
        ]);
        let layout = Layout::resolve(&h, &[], &Options::default()).unwrap();
        assert_eq!(layout.column(Field::Township), Some(1));
        assert_eq!(layout.column(Field::Name), Some(2));
        assert_eq!(layout.column(Field::Id), None);
        let row = layout
            .row(&[
                Cell::Number(1.0),
                Cell::Text("织里镇".into()),
                Cell::Text("东村".into()),
                Cell::Number(22.5),
                Cell::Text("1,000".into()),
            ])
            .unwrap();
        assert_eq!((row.id.as_str(), row.name.as_str()), ("东村", "东村"));
        assert_eq!((row.operating_income, row.other_income), (225_000.0, 1_000.0));
    }

    #[test]
    fn a_stated_unit_applies_and_a_disagreeing_header_is_refused() {
        let options = Options {
            unit: Some(1e4),
            ..Options::default()
        };
        let layout = Layout::resolve(&headers(&["村名", "经营性收入"]), &[], &options).unwrap();
        let row = layout
            .row(&[Cell::Text("东村".into()), Cell::Text("22万".into())])
            .unwrap();
        assert_eq!(
            row.operating_income, 220_000.0,
            "a text with its own unit is read in it"
        );
        let err = Layout::resolve(&headers(&["村名", "经营性收入(元)"]), &[], &options).unwrap_err();
        assert!(err.message.contains("says 元"), "{}", err.message);
        assert_eq!(err.column, Some(1));
    }

    #[test]
    fn a_mapped_header_and_missing_columns() {
        let options = Options {
            columns: [("operating_income".to_string(), "集体收入合计(万元)".to_string())].into(),
            ..Options::default()
        };
        let layout = Layout::resolve(&headers(&["村名", "集体收入合计(万元)"]), &[], &options).unwrap();
        assert_eq!(
            layout
                .row(&[Cell::Text("a".into()), Cell::Number(3.0)])
                .unwrap()
                .operating_income,
            30_000.0
        );
        let err = Layout::resolve(&headers(&["村名", "收入"]), &[], &Options::default()).unwrap_err();
        assert!(err.message.contains("operating income column"), "{}", err.message);
        let err = Layout::resolve(&headers(&["村名", "村", "经营性收入"]), &[], &Options::default()).unwrap_err();
        assert!(
            err.message.contains("both `村名` and `村` are read as name"),
            "{}",
            err.message
        );
    }

    #[test]
    fn villages_of_one_name_in_two_townships_are_told_apart() {
        let layout = Layout::resolve(&headers(&["乡镇", "村名", "经营性收入"]), &[], &Options::default()).unwrap();
        let mut rows: Vec<Row> = [["织里镇", "新村"], ["八里店镇", "新村"], ["织里镇", "东村"]]
            .iter()
            .map(|[t, n]| {
                layout
                    .row(&[Cell::Text(t.to_string()), Cell::Text(n.to_string()), Cell::Number(1.0)])
                    .unwrap()
            })
            .collect();
        tell_apart(&mut rows, &layout);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["织里镇/新村", "八里店镇/新村", "东村"]);
        assert_eq!(rows[0].name, "新村");
    }

    #[test]
    fn a_text_in_a_number_column_names_its_field() {
        let layout = Layout::resolve(&headers(&["村名", "经营性收入（万元）"]), &[], &Options::default()).unwrap();
        let err = layout
            .row(&[Cell::Text("东村".into()), Cell::Text("不详".into())])
            .unwrap_err();
        assert_eq!((err.column, err.field), (1, "operating_income"));
        assert!(err.message.contains("`不详` is not a number"), "{}", err.message);
        assert!(err.help.contains("万元"), "{}", err.help);
    }
}
