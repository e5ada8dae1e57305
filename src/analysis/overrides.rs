//! Changing one value of a scenario by its path, on the scenario's text.
//!
//! A path names a value the way the file is written:
//!
//! - `scenario.years`, `targets.floor`, `factors.economy.persistence`;
//! - an entry of `[[interventions]]`, `[[villages]]` or `[[policies]]` by its
//!   `id` (or a village group's `group`, a policy's `name`), or by position:
//!   `interventions.support-fund.return_rate_per_year`,
//!   `interventions[1].return_rate_per_year`, `villages.river-bend.operating_income`;
//! - a key holding a `.` in double quotes: `interventions."a.b".amount`.
//!
//! The change is made with `toml_edit` on the document, so comments and the
//! layout of the rest of the file are kept, and the changed text is then read
//! like any scenario file ([`crate::scenario::parse`]): every check of the
//! format applies to it. The last key of a path may be absent (an optional
//! parameter left at its default); every other step must exist, and a step
//! that does not says what does.
//!
//! [`uncertain_inputs`] lists the values of a file that are uncertain: a
//! distribution table or a range string `"A to B"`.

use std::fmt;

use serde::Deserialize;
use toml_edit::{DocumentMut, Item, Value};

use super::AnalysisError;
use crate::model::param::{Param, DISTRIBUTION_KEYS};
use crate::model::units::{parse_number, parse_range};

/// One step of a path: a key or a position in an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path to one value of a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuePath {
    pub text: String,
    pub steps: Vec<Step>,
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ValuePath {
    /// Parses `a.b[2].c` or `interventions."x.y".rate`.
    pub fn parse(text: &str) -> Result<ValuePath, AnalysisError> {
        let bad = |why: &str| AnalysisError::Path {
            path: text.to_string(),
            message: why.to_string(),
        };
        let mut steps = Vec::new();
        let mut chars = text.trim().chars().peekable();
        let mut expect_key = true;
        while let Some(&c) = chars.peek() {
            match c {
                '.' if !expect_key => {
                    chars.next();
                    expect_key = true;
                }
                '[' => {
                    chars.next();
                    let digits: String = chars.by_ref().take_while(|c| *c != ']').collect();
                    let i = digits
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| bad("write a position as [0], [1], ... (counting from 0)"))?;
                    steps.push(Step::Index(i));
                    expect_key = false;
                }
                '"' if expect_key => {
                    chars.next();
                    let key: String = chars.by_ref().take_while(|c| *c != '"').collect();
                    steps.push(Step::Key(key));
                    expect_key = false;
                }
                _ if expect_key => {
                    let mut key = String::new();
                    while let Some(&c) = chars.peek() {
                        if c == '.' || c == '[' {
                            break;
                        }
                        key.push(c);
                        chars.next();
                    }
                    let key = key.trim().to_string();
                    if key.is_empty() {
                        return Err(bad("a path has a key between every two dots"));
                    }
                    steps.push(Step::Key(key));
                    expect_key = false;
                }
                _ => return Err(bad("expected `.` or `[` after a key")),
            }
        }
        if steps.is_empty() || expect_key {
            return Err(bad(
                "give a path such as interventions.support-fund.return_rate_per_year or scenario.years",
            ));
        }
        if !matches!(steps.last(), Some(Step::Key(_))) {
            return Err(bad("a path ends with the name of a value, not a position"));
        }
        Ok(ValuePath {
            text: text.trim().to_string(),
            steps,
        })
    }

    fn prefix(&self, n: usize) -> String {
        let mut s = String::new();
        for step in &self.steps[..n] {
            match step {
                Step::Key(k) if s.is_empty() => s.push_str(k),
                Step::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Step::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}

/// The new value at a path.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    /// A number: written as an integer when it is whole, so it also fits
    /// integer fields (`scenario.years`, a group's `count`).
    Number(f64),
    /// Text as a scenario file would hold it: `"6%"`, `"5万 to 50万"`.
    Text(String),
    /// An uncertain parameter fixed at a value: a distribution table keeps
    /// its clamp (`min`, `max`) and `per`; anything else becomes the number.
    Fixed(f64),
}

impl NewValue {
    /// Reads a value given on the command line: a number with units
    /// (`"6%"`, `"150万"`) or, failing that, text.
    pub fn from_arg(text: &str) -> NewValue {
        match parse_number(text) {
            Ok(x) => NewValue::Number(x),
            Err(_) => NewValue::Text(text.trim().to_string()),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            NewValue::Number(x) | NewValue::Fixed(x) => number(*x),
            NewValue::Text(s) => Value::from(s.as_str()),
        }
    }
}

impl fmt::Display for NewValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewValue::Number(x) | NewValue::Fixed(x) => write!(f, "{}", number(*x)),
            NewValue::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// `x` as a TOML integer when whole, else as a float with at most 12
/// significant digits (so 0.04 + 3 * 0.01 is written 0.07).
fn number(x: f64) -> Value {
    let tidy: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    if tidy.fract() == 0.0 && tidy.abs() < 1e15 {
        Value::from(tidy as i64)
    } else {
        Value::from(tidy)
    }
}

/// One change to a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: ValuePath,
    pub value: NewValue,
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.path, self.value)
    }
}

/// The keys by which an array entry may be named, in order of preference.
const NAME_KEYS: [&str; 4] = ["id", "group", "name", "file"];

/// The name of an array entry (`id`, `group`, `name` or `file`).
fn entry_name(entry: &dyn toml_edit::TableLike) -> Option<&str> {
    NAME_KEYS.iter().find_map(|k| entry.get(k).and_then(|v| v.as_str()))
}

/// Resolves `path` in `doc` to steps of keys and positions only; errors say
/// which step does not exist and what does. The last key may be absent.
fn resolve(doc: &DocumentMut, path: &ValuePath) -> Result<Vec<Step>, AnalysisError> {
    let err = |message: String| AnalysisError::Path {
        path: path.text.clone(),
        message,
    };
    let mut node: &Item = doc.as_item();
    let mut out = Vec::new();
    let last = path.steps.len() - 1;
    for (n, step) in path.steps.iter().enumerate() {
        let here = if n == 0 {
            "the file".to_string()
        } else {
            format!("`{}`", path.prefix(n))
        };
        let entries = list_entries(node);
        let (step, next) = match (step, &entries) {
            (Step::Index(i), Some(entries)) => {
                if *i >= entries.len() {
                    return Err(err(format!(
                        "{here} has {} entries: use a position from 0 to {}",
                        entries.len(),
                        entries.len().saturating_sub(1)
                    )));
                }
                (Step::Index(*i), node.get(*i))
            }
            (Step::Index(_), None) => return Err(err(format!("{here} is not a list of entries"))),
            (Step::Key(name), Some(entries)) => {
                let i = entry_by_name(&here, name, entries).map_err(err)?;
                (Step::Index(i), node.get(i))
            }
            (Step::Key(key), None) => {
                let Some(table) = node.as_table_like() else {
                    return Err(err(format!("{here} is a single value, not a table")));
                };
                let found = table.get(key).filter(|i| !i.is_none());
                if found.is_none() && n != last {
                    return Err(err(missing_key(&here, key, table)));
                }
                if found.is_none() {
                    // The last key may be absent only in a table that exists.
                    if n == 0 {
                        let keys: Vec<&str> = table.iter().map(|(k, _)| k).collect();
                        return Err(err(format!("the file has no `{key}`; it has: {}", keys.join(", "))));
                    }
                    out.push(Step::Key(key.clone()));
                    return Ok(out);
                }
                (Step::Key(key.clone()), found)
            }
        };
        out.push(step);
        node = next.ok_or_else(|| err(format!("{here} has no such entry")))?;
    }
    Ok(out)
}

/// The entries of a list of tables (`[[x]]` or `x = [{...}, ...]`), or
/// `None` where `node` is not one.
fn list_entries(node: &Item) -> Option<Vec<&dyn toml_edit::TableLike>> {
    node.as_array_of_tables()
        .map(|a| a.iter().map(|t| t as &dyn toml_edit::TableLike).collect::<Vec<_>>())
        .or_else(|| {
            node.as_array().map(|a| {
                a.iter()
                    .filter_map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
                    .collect()
            })
        })
}

/// Position of the entry of `entries` whose id, group or name is `name`;
/// the error lists the entries and the closest name.
fn entry_by_name(here: &str, name: &str, entries: &[&dyn toml_edit::TableLike]) -> Result<usize, String> {
    let names: Vec<Option<&str>> = entries.iter().map(|t| entry_name(*t)).collect();
    names.iter().position(|n| *n == Some(name)).ok_or_else(|| {
        let known: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| n.map_or(format!("[{i}]"), str::to_string))
            .collect();
        let refs: Vec<&str> = known.iter().map(String::as_str).collect();
        let hint =
            crate::model::param::closest(name, &refs).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
        format!(
            "{here} has no entry `{name}`{hint}; entries: {} (by id, group or name, or by position [0], [1], ...)",
            known.join(", ")
        )
    })
}

/// "`x` has no `key` (did you mean ...?); it has: a, b".
fn missing_key(here: &str, key: &str, table: &dyn toml_edit::TableLike) -> String {
    let keys: Vec<&str> = table.iter().map(|(k, _)| k).collect();
    let hint = crate::model::param::closest(key, &keys).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
    let listed = if keys.is_empty() {
        "it is empty".to_string()
    } else {
        format!("it has: {}", keys.join(", "))
    };
    format!("{here} has no `{key}`{hint}; {listed}")
}

fn item_at_mut<'a>(doc: &'a mut DocumentMut, steps: &[Step]) -> Option<&'a mut Item> {
    let mut node = doc.as_item_mut();
    for step in steps {
        node = match step {
            Step::Key(k) => node.get_mut(k.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

/// Applies `overrides` to `doc`, in order.
pub fn apply_to(doc: &mut DocumentMut, overrides: &[Override]) -> Result<(), AnalysisError> {
    for o in overrides {
        let steps = resolve(doc, &o.path)?;
        let (last, parent) = steps.split_last().expect("a path has a last key");
        let Step::Key(key) = last else {
            unreachable!("a path ends with a key")
        };
        let parent = item_at_mut(doc, parent).expect("resolved");
        let table = parent.as_table_like_mut().ok_or_else(|| AnalysisError::Path {
            path: o.path.text.clone(),
            message: "the value's parent is not a table".into(),
        })?;
        let old = table.get_mut(key).filter(|i| !i.is_none());
        match (old, &o.value) {
            (Some(old), NewValue::Fixed(x)) if old.is_table_like() && is_distribution(old) => {
                let t = old.as_table_like_mut().expect("a table");
                for k in DISTRIBUTION_KEYS.iter().chain(["fixed"].iter()) {
                    t.remove(k);
                }
                t.insert("fixed", Item::Value(number(*x)));
            }
            (Some(old), value) => {
                let mut new = value.to_value();
                if let Some(v) = old.as_value() {
                    *new.decor_mut() = v.decor().clone();
                }
                *old = Item::Value(new);
            }
            (None, value) => {
                table.insert(key, Item::Value(value.to_value()));
            }
        }
    }
    Ok(())
}

/// The scenario text with `overrides` applied.
pub fn apply(text: &str, overrides: &[Override]) -> Result<String, AnalysisError> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| AnalysisError::Usage(e.to_string()))?;
    apply_to(&mut doc, overrides)?;
    Ok(doc.to_string())
}

fn is_distribution(item: &Item) -> bool {
    item.as_table_like()
        .is_some_and(|t| DISTRIBUTION_KEYS.iter().any(|k| t.contains_key(k)))
}

fn is_range_text(item: &Item) -> bool {
    item.as_str().is_some_and(|s| matches!(parse_range(s), Ok(Some(_))))
}

/// An uncertain value of a scenario file.
#[derive(Debug, Clone)]
pub struct UncertainInput {
    /// Readable name: `support-fund.return_rate_per_year`,
    /// `villages.weak.growth`.
    pub name: String,
    /// Where it is: `interventions[0].return_rate_per_year`.
    pub path: ValuePath,
    /// Its distribution (with its own clamp, if any).
    pub param: Param,
    /// How often it is drawn: the file's `per`, else the documented default
    /// of the parameter (`None` when unknown).
    pub per: Option<crate::model::param::Per>,
}

/// Keys of an entry that are never uncertain numbers.
const SKIP_KEYS: [&str; 12] = [
    "id",
    "kind",
    "name",
    "description",
    "villages",
    "group",
    "township",
    "file",
    "start_year",
    "end_year",
    "count",
    "source",
];

/// Every uncertain value in `[[villages]]` and `[[interventions]]` entries
/// (village CSV files are not searched): distribution tables (a key among
/// [`DISTRIBUTION_KEYS`](crate::model::param::DISTRIBUTION_KEYS)) and range strings (`"A to B"`, `"A ~ B"`,
/// `"A 至 B"`), in file order.
pub fn uncertain_inputs(text: &str) -> Result<Vec<UncertainInput>, AnalysisError> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| AnalysisError::Usage(e.to_string()))?;
    let docs = crate::model::docs();
    let mut out = Vec::new();
    for list in ["villages", "interventions"] {
        let Some(entries) = doc.get(list).and_then(|i| i.as_array_of_tables()) else {
            continue;
        };
        for (i, entry) in entries.iter().enumerate() {
            let label = entry_name(entry).map_or(format!("[{i}]"), str::to_string);
            let kind = entry.get("kind").and_then(|k| k.as_str());
            for (key, value) in entry.iter() {
                if SKIP_KEYS.contains(&key) {
                    continue;
                }
                let default_per = match (list, kind) {
                    ("villages", _) => match key {
                        "growth" => Some(crate::model::param::Per::VillageYear),
                        "operating_income" | "other_income" => Some(crate::model::param::Per::Village),
                        _ => None,
                    },
                    (_, Some(kind)) => docs
                        .iter()
                        .find(|d| d.kind == kind)
                        .and_then(|d| d.params.iter().find(|p| p.name == key))
                        .and_then(|p| p.per),
                    _ => None,
                };
                let name = if list == "villages" {
                    format!("villages.{label}.{key}")
                } else {
                    format!("{label}.{key}")
                };
                let steps = vec![Step::Key(list.to_string()), Step::Index(i), Step::Key(key.to_string())];
                collect(value, name, steps, default_per, &mut out);
            }
        }
    }
    Ok(out)
}

fn collect(
    item: &Item,
    name: String,
    steps: Vec<Step>,
    default_per: Option<crate::model::param::Per>,
    out: &mut Vec<UncertainInput>,
) {
    if is_distribution(item) || is_range_text(item) {
        let Some(param) = param_of(item) else { return };
        if param.is_certain() {
            return;
        }
        let mut text = String::new();
        for step in &steps {
            match step {
                Step::Key(k) if text.is_empty() => text.push_str(k),
                Step::Key(k) if k.contains('.') => text.push_str(&format!(".\"{k}\"")),
                Step::Key(k) => text.push_str(&format!(".{k}")),
                Step::Index(i) => text.push_str(&format!("[{i}]")),
            }
        }
        out.push(UncertainInput {
            name,
            per: param.per.or(default_per),
            param,
            path: ValuePath { text, steps },
        });
        return;
    }
    if let Some(table) = item.as_table_like() {
        for (key, value) in table.iter() {
            let mut steps = steps.clone();
            steps.push(Step::Key(key.to_string()));
            collect(value, format!("{name}.{key}"), steps, None, out);
        }
    }
}

/// Reads an item of the document as an uncertain parameter.
pub fn param_of(item: &Item) -> Option<Param> {
    #[derive(Deserialize)]
    struct One {
        x: Param,
    }
    let value = match item {
        Item::Value(v) => {
            let mut v = v.clone();
            v.decor_mut().clear();
            v
        }
        Item::Table(t) => Value::InlineTable(t.clone().into_inline_table()),
        _ => return None,
    };
    toml::from_str::<One>(&format!("x = {value}\n")).ok().map(|o| o.x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "t" # the name
years = 5

[[interventions]]
id = "fund"
kind = "support_fund"
return_rate_per_year = "6%" # cited
default_hazard_per_year = { uniform = { min = 0.01, max = 0.03 }, max = 0.02 }

[[interventions]]
id = "stream"
kind = "income_stream"
amount = "5万 to 50万"
"#;

    fn set(path: &str, value: NewValue) -> Result<String, AnalysisError> {
        apply(
            TEXT,
            &[Override {
                path: ValuePath::parse(path)?,
                value,
            }],
        )
    }

    #[test]
    fn paths_parse() {
        let p = ValuePath::parse("interventions[1].\"a.b\".c").unwrap();
        assert_eq!(
            p.steps,
            vec![
                Step::Key("interventions".into()),
                Step::Index(1),
                Step::Key("a.b".into()),
                Step::Key("c".into())
            ]
        );
        assert!(ValuePath::parse("a..b").is_err());
        assert!(ValuePath::parse("a[1]").is_err());
        assert!(ValuePath::parse("").is_err());
    }

    #[test]
    fn set_by_id_index_and_key() {
        let out = set("interventions.fund.return_rate_per_year", NewValue::Number(0.07)).unwrap();
        assert!(out.contains("return_rate_per_year = 0.07 # cited"), "{out}");
        let out = set("interventions[1].amount", NewValue::Number(100_000.0)).unwrap();
        assert!(out.contains("amount = 100000"), "{out}");
        let out = set("scenario.years", NewValue::Number(8.0)).unwrap();
        assert!(out.contains("years = 8\n"), "{out}");
        // An absent last key is added.
        let out = set("interventions.fund.recovery_rate", NewValue::Number(0.5)).unwrap();
        assert!(out.contains("recovery_rate = 0.5"), "{out}");
    }

    #[test]
    fn fixed_keeps_the_clamp() {
        let out = set("interventions.fund.default_hazard_per_year", NewValue::Fixed(0.025)).unwrap();
        assert!(out.contains("max = 0.02"), "{out}");
        assert!(out.contains("fixed = 0.025"), "{out}");
        assert!(!out.contains("uniform"), "{out}");
    }

    #[test]
    fn bad_paths_say_what_exists() {
        let e = set("interventions.fnud.return_rate_per_year", NewValue::Number(0.1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no entry `fnud`") && e.contains("fund, stream"), "{e}");
        assert!(e.contains("did you mean `fund`"), "{e}");
        let e = set("interventions[5].amount", NewValue::Number(1.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("has 2 entries"), "{e}");
        let e = set("scenari.years", NewValue::Number(1.0)).unwrap_err().to_string();
        assert!(e.contains("scenario, interventions"), "{e}");
        let e = set("scenario.nme.x", NewValue::Number(1.0)).unwrap_err().to_string();
        assert!(e.contains("no `nme`") && e.contains("name, years"), "{e}");
    }

    #[test]
    fn finds_uncertain_inputs() {
        let inputs = uncertain_inputs(TEXT).unwrap();
        let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["fund.default_hazard_per_year", "stream.amount"]);
        assert_eq!(inputs[1].path.text, "interventions[1].amount");
        assert_eq!(inputs[1].per, Some(crate::model::param::Per::Village));
        assert_eq!(inputs[0].per, Some(crate::model::param::Per::Run));
    }
}
