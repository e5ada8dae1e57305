//! The values the page lets a planner change, and their changes as the
//! scenario file would hold them.
//!
//! Which values: the paths of the scenario's `[ui] show` list, in its order
//! (`show = ["interventions.support-fund.return_rate_per_year", ...]`);
//! without one, every intervention's main parameters: each key its entry
//! sets that is a number, an amount or rate with units, or an uncertain
//! value (a range `"A to B"` or a distribution table), leaving out names,
//! years, lists of villages, choices and tables of terms.
//!
//! Each value has a unit the page enters it in: money in 万元 or yuan,
//! rates in %, other numbers as they are. A change comes back as text and
//! is written to the file's text by [`crate::analysis::overrides`], so the
//! edited scenario keeps its comments and goes through every check of the
//! format again.

use serde::Serialize;
use toml_edit::{DocumentMut, Item};

use crate::analysis::overrides::{self, NewValue, Override, ValuePath};
use crate::format::Lang;
use crate::model::units::{parse_number, parse_range};
use crate::summary::results::Results;
use crate::summary::words::path_words;

/// How the page enters a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Yuan, entered in 万元 or yuan.
    Money,
    /// A share or rate, entered in %.
    Rate,
    /// Any other number (years, m², kW), entered as it is.
    Number,
}

/// One value the page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Its path, as `sweep --set` names it.
    pub path: String,
    pub label_en: String,
    pub label_zh: String,
    pub unit: Unit,
    /// Its value in yuan (money), as a fraction (rate) or as it is; `None`
    /// for an uncertain value.
    pub value: Option<f64>,
    /// The value as the file writes it (`"6%"`, `"5万 to 50万"`).
    pub text: String,
    /// A range or a distribution table: changed as text (a range, or one
    /// value that fixes it).
    pub uncertain: bool,
}

/// Keys of an intervention that are not shown without `[ui] show`.
const NOT_SHOWN: [&str; 8] = [
    "id",
    "kind",
    "villages",
    "start_year",
    "end_year",
    "count",
    "roll_out",
    "forced_failure_year",
];

/// The fields of the scenario `text`, their labels left empty ([`label`]
/// writes them).
///
/// # Errors
///
/// A message naming the line and the `[ui] show` path that does not exist
/// or is not a number, and why.
pub fn fields(text: &str) -> Result<Vec<Field>, String> {
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
    let paths = match shown_paths(&doc)? {
        Some(paths) => paths,
        None => main_paths(&doc),
    };
    let mut out = Vec::new();
    let explicit = doc.get("ui").is_some();
    for path in paths {
        let bad = |why: String| {
            let line = text.find(&format!("\"{path}\"")).map_or(String::new(), |at| {
                format!("line {}: ", text[..at].matches('\n').count() + 1)
            });
            format!("{line}[ui] show: `{path}`: {why}")
        };
        let parsed = ValuePath::parse(&path).map_err(|e| bad(e.to_string()))?;
        let item = overrides::item_at(&doc, &parsed).map_err(|e| bad(e.to_string()))?;
        let record = record_unit(&doc, &parsed);
        let field = match item {
            Some(item) => field_of(item, record),
            // Left at its default: shown empty, entered in its record's unit.
            None => record.map(|u| (unit_of_record(u), None, String::new(), false)),
        };
        let Some((unit, value, text, uncertain)) = field else {
            if explicit {
                return Err(bad(
                    "not a value the page can change: give a number, an amount (\"150万\"), a rate (\"6%\") or a range (\"4% to 8%\")".into(),
                ));
            }
            continue;
        };
        out.push(Field {
            label_en: String::new(),
            label_zh: String::new(),
            path,
            unit,
            value,
            text,
            uncertain,
        });
    }
    Ok(out)
}

/// Labels `fields` in both languages with the names in `results` (a run of
/// their scenario).
pub fn label(fields: &mut [Field], results: &Results) {
    for f in fields {
        f.label_en = path_words(results, &f.path, Lang::En);
        f.label_zh = path_words(results, &f.path, Lang::Zh);
    }
}

/// `[ui] show`, when the file has it.
fn shown_paths(doc: &DocumentMut) -> Result<Option<Vec<String>>, String> {
    let Some(ui) = doc.get("ui") else {
        return Ok(None);
    };
    let show = ui.get("show").and_then(Item::as_array).ok_or(
        "[ui] show: give a list of paths, e.g. show = [\"interventions.support-fund.return_rate_per_year\"]"
            .to_string(),
    )?;
    show.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("[ui] show: `{}` is not a path in quotes", v.to_string().trim()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Every intervention's main parameters, as paths by id (by position when
/// an entry has no id).
fn main_paths(doc: &DocumentMut) -> Vec<String> {
    let Some(entries) = doc.get("interventions").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = match entry.get("id").and_then(Item::as_str) {
            Some(id) if !id.contains('.') => format!("interventions.{id}"),
            Some(id) => format!("interventions.\"{id}\""),
            None => format!("interventions[{i}]"),
        };
        let kind = entry.get("kind").and_then(Item::as_str).unwrap_or_default();
        for (key, _) in entry.iter() {
            let known = kind_record(kind, key).is_some();
            if known && !NOT_SHOWN.contains(&key) {
                out.push(format!("{at}.{key}"));
            }
        }
    }
    out
}

/// The record unit of parameter `key` of `kind`.
fn kind_record(kind: &str, key: &str) -> Option<&'static str> {
    crate::model::docs()
        .into_iter()
        .find(|d| d.kind == kind)
        .and_then(|d| d.params.iter().find(|p| p.name == key))
        .map(|p| p.unit)
}

/// The record unit of the intervention parameter at `path`, if it is one.
fn record_unit(doc: &DocumentMut, path: &ValuePath) -> Option<&'static str> {
    use overrides::Step;
    let [Step::Key(list), entry, Step::Key(key)] = path.steps.as_slice() else {
        return None;
    };
    if list != "interventions" {
        return None;
    }
    let entries = doc.get("interventions")?.as_array_of_tables()?;
    let table = match entry {
        Step::Index(i) => entries.get(*i)?,
        Step::Key(id) => entries
            .iter()
            .find(|t| t.get("id").and_then(Item::as_str) == Some(id.as_str()))?,
    };
    kind_record(table.get("kind")?.as_str()?, key)
}

/// How a record's unit is entered.
fn unit_of_record(unit: &str) -> Unit {
    if unit.starts_with("yuan") {
        Unit::Money
    } else if ["per year", "share", "probability", "growth:"]
        .iter()
        .any(|p| unit.starts_with(p))
    {
        Unit::Rate
    } else {
        Unit::Number
    }
}

/// The unit, value, text and uncertainty of `item`; `None` when it is not
/// a number, an amount, a rate or an uncertain value.
fn field_of(item: &Item, record: Option<&str>) -> Option<(Unit, Option<f64>, String, bool)> {
    // The value alone, without the comment after it.
    let text = match item.as_value() {
        Some(v) if v.is_str() => v.as_str().unwrap_or_default().to_string(),
        Some(v) => {
            let mut v = v.clone();
            v.decor_mut().clear();
            v.to_string()
        }
        None => item.to_string(),
    };
    let text = text.trim().to_string();
    let by_text = |t: &str| {
        if t.ends_with('%') {
            Unit::Rate
        } else if t.contains('万') || t.contains('元') || t.contains("yuan") || t.contains('亿') {
            Unit::Money
        } else {
            Unit::Number
        }
    };
    let unit = match record.map(unit_of_record) {
        _ if text.ends_with('%') => Unit::Rate,
        Some(u) => u,
        None => by_text(&text),
    };
    if let Some(x) = item.as_float().or_else(|| item.as_integer().map(|i| i as f64)) {
        return Some((unit, Some(x), text, false));
    }
    if let Some(s) = item.as_str() {
        if let Ok(x) = parse_number(s) {
            return Some((unit, Some(x), text, false));
        }
        if matches!(parse_range(s), Ok(Some(_))) {
            return Some((unit, None, text, true));
        }
        return None;
    }
    let param = overrides::param_of(item)?;
    let uncertain = !param.is_certain();
    Some((unit, (!uncertain).then(|| param.central()), text, uncertain))
}

/// The change of the value at `path` to `text`, as the page sends it
/// (`"150万"`, `"6.5%"`, `"20"`, `"4% to 8%"`).
///
/// # Errors
///
/// A message when `path` is not a path or `text` is empty.
pub fn change(path: &str, text: &str) -> Result<Override, String> {
    let path = ValuePath::parse(path).map_err(|e| e.to_string())?;
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("`{path}`: give a value"));
    }
    let value = match text.parse::<f64>() {
        Ok(x) if x.is_finite() => NewValue::Number(x),
        _ if text.starts_with('{') => NewValue::table(text).map_err(|e| format!("`{path}`: {e}"))?,
        _ => NewValue::Text(text.to_string()),
    };
    Ok(Override { path, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(toml: &str) -> Item {
        let doc: DocumentMut = format!("x = {toml}").parse().expect("TOML");
        doc["x"].clone()
    }

    #[test]
    fn values_are_read_in_the_unit_a_planner_enters_them_in() {
        let money = field_of(&item(r#""2200万"   # report"#), Some("yuan")).unwrap();
        assert_eq!(money, (Unit::Money, Some(22_000_000.0), "2200万".to_string(), false));
        let rate = field_of(&item(r#""6%""#), Some("per year (>= 0)")).unwrap();
        assert_eq!(rate, (Unit::Rate, Some(0.06), "6%".to_string(), false));
        // A rate written as a fraction, known as a rate by its record.
        let share = field_of(&item("0.9  # Huzhou Bank"), Some("share 0-1")).unwrap();
        assert_eq!(share, (Unit::Rate, Some(0.9), "0.9".to_string(), false));
        let kw = field_of(&item("800"), Some("kW peak per village")).unwrap();
        assert_eq!(kw, (Unit::Number, Some(800.0), "800".to_string(), false));
        let range = field_of(&item(r#""2万 to 10万""#), Some("yuan per village per year")).unwrap();
        assert_eq!(range, (Unit::Money, None, "2万 to 10万".to_string(), true));
        let table = field_of(
            &item("{ lognormal = { median = 216, sigma = 0.15 } }"),
            Some("yuan per m2 per year"),
        )
        .unwrap();
        assert!(table.3 && table.1.is_none());
        assert!(field_of(&item(r#""lease""#), None).is_none(), "a choice is not shown");
        assert!(field_of(&item("true"), None).is_none());
    }

    #[test]
    fn a_change_keeps_the_planners_units() {
        let c = change("interventions.fund.return_rate_per_year", " 4.5% ").unwrap();
        assert_eq!(c.value, NewValue::Text("4.5%".into()));
        assert_eq!(
            change("targets.floor", "60万").unwrap().value,
            NewValue::Text("60万".into())
        );
        assert_eq!(change("scenario.years", "12").unwrap().value, NewValue::Number(12.0));
        assert!(change("targets.floor", "  ").unwrap_err().contains("give a value"));
        assert!(change("targets..floor", "1").is_err());
        let table = "{ lognormal = { median = 250, sigma = 0.15 } }";
        assert_eq!(
            change("interventions.x.rent", table).unwrap().value,
            NewValue::Table(table.into())
        );
        assert!(change("interventions.x.rent", "{ lognormal = ")
            .unwrap_err()
            .contains("not a TOML table"));
    }
}
