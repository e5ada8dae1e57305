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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path to one value of a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
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
    /// A distribution table as a scenario file writes it inline,
    /// `{ lognormal = { median = 250, sigma = 0.15 } }` (checked to be TOML
    /// by [`NewValue::table`]).
    Table(String),
    /// An uncertain parameter fixed at a value: a distribution table keeps
    /// its clamp (`min`, `max`) and `per`; anything else becomes the number.
    Fixed(f64),
    /// An uncertain parameter left uncertain, its distribution moved by
    /// `sds` of its standard deviations ([`Param::shifted`]), kept inside
    /// `within` (its domain) and its clamp and `per` kept: written back as a
    /// distribution table (a range `"A to B"` becomes the normal or
    /// lognormal table it stands for).
    Shifted { sds: f64, within: (f64, f64) },
    /// The value the file gives, certain or uncertain, multiplied by a
    /// factor above 0 ([`Param::scaled`]): a rent cut of 30% is `0.7`.
    Scaled(f64),
    /// An uncertain value fixed at its quantile `q` in (0, 1), as
    /// [`NewValue::Fixed`] fixes it (clamp and `per` kept).
    AtQuantile(f64),
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

    /// A distribution table given as text (`{ normal = { mean = 0.05, sd =
    /// 0.01 } }`).
    ///
    /// # Errors
    ///
    /// The TOML parser's message when `text` is not one inline table.
    pub fn table(text: &str) -> Result<NewValue, String> {
        match text.trim().parse::<Value>() {
            Ok(Value::InlineTable(_)) => Ok(NewValue::Table(text.trim().to_string())),
            Ok(_) => Err(format!("`{}` is not a table {{ ... }}", text.trim())),
            Err(e) => Err(format!("`{}` is not a TOML table: {e}", text.trim())),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            NewValue::Number(x) | NewValue::Fixed(x) => number(*x),
            NewValue::Text(s) => Value::from(s.as_str()),
            NewValue::Table(s) => s.parse::<Value>().unwrap_or_else(|_| Value::from(s.as_str())),
            // Only meaningful on an uncertain value (see `apply_to`).
            NewValue::Shifted { .. } => Value::from("shifted"),
            NewValue::Scaled(_) => Value::from("scaled"),
            NewValue::AtQuantile(_) => Value::from("quantile"),
        }
    }
}

impl fmt::Display for NewValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewValue::Number(x) | NewValue::Fixed(x) => write!(f, "{}", number(*x)),
            NewValue::Text(s) => write!(f, "{s:?}"),
            NewValue::Table(s) => f.write_str(s),
            NewValue::Shifted { sds, .. } => write!(f, "its distribution shifted by {sds:+.4} sd"),
            NewValue::Scaled(k) => write!(f, "its value times {}", number(*k)),
            NewValue::AtQuantile(q) => write!(f, "its P{}", number(q * 100.0)),
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

/// The item at `path` in `doc`: `None` when its last key is absent (an
/// optional value left at its default).
///
/// # Errors
///
/// [`AnalysisError::Path`] when a step before the last does not exist,
/// saying what does.
pub fn item_at<'a>(doc: &'a DocumentMut, path: &ValuePath) -> Result<Option<&'a Item>, AnalysisError> {
    let steps = resolve(doc, path)?;
    let mut node = doc.as_item();
    for step in &steps {
        let next = match step {
            Step::Key(k) => node.get(k.as_str()),
            Step::Index(i) => node.get(*i),
        };
        match next {
            Some(n) if !n.is_none() => node = n,
            _ => return Ok(None),
        }
    }
    Ok(Some(node))
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
        if let NewValue::AtQuantile(q) = o.value {
            if let Some(each) = schedule_at(doc, &o.path, q)? {
                let steps = resolve(doc, &o.path)?;
                let item = item_at_mut(doc, &steps).expect("resolved");
                *item = Item::Value(Value::InlineTable(param_table(&each)));
                continue;
            }
            let fixed = Override {
                path: o.path.clone(),
                value: NewValue::Fixed(quantile_at(doc, &o.path, q)?),
            };
            apply_to(doc, &[fixed])?;
            continue;
        }
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
            (Some(old), NewValue::Shifted { sds, within }) => {
                let param = param_of(old)
                    .filter(|p| !p.is_certain())
                    .ok_or_else(|| AnalysisError::Path {
                        path: o.path.text.clone(),
                        message: "only an uncertain value (a distribution table or a range \"A to B\") can be shifted"
                            .into(),
                    })?;
                let mut new = Value::InlineTable(param_table(&param.shifted(*sds, *within)));
                if let Some(v) = old.as_value() {
                    *new.decor_mut() = v.decor().clone();
                }
                *old = Item::Value(new);
            }
            (Some(old), NewValue::Scaled(k)) => {
                let param = param_of(old).ok_or_else(|| AnalysisError::Path {
                    path: o.path.text.clone(),
                    message: "only a number, a range \"A to B\" or a distribution table can be scaled".into(),
                })?;
                let scaled = param.scaled(*k);
                let mut new = match scaled
                    .as_fixed()
                    .filter(|_| scaled.min.is_none() && scaled.max.is_none())
                {
                    Some(x) if !old.is_table_like() => number(x),
                    _ => Value::InlineTable(param_table(&scaled)),
                };
                if let Some(v) = old.as_value() {
                    *new.decor_mut() = v.decor().clone();
                }
                *old = Item::Value(new);
            }
            (None, NewValue::Scaled(_)) => {
                return Err(AnalysisError::Path {
                    path: o.path.text.clone(),
                    message: "the file does not set this value, so there is nothing to scale (set it instead)".into(),
                })
            }
            (None, NewValue::Shifted { .. }) => {
                return Err(AnalysisError::Path {
                    path: o.path.text.clone(),
                    message: "the file does not set this value, so it has no distribution to shift".into(),
                })
            }
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

/// The quantile `q` of the uncertain value at `path`.
fn quantile_at(doc: &mut DocumentMut, path: &ValuePath, q: f64) -> Result<f64, AnalysisError> {
    let steps = resolve(doc, path)?;
    let param = item_at_mut(doc, &steps)
        .and_then(|item| param_of(item))
        .filter(|p| !p.is_certain())
        .ok_or_else(|| AnalysisError::Path {
            path: path.text.clone(),
            message: "only an uncertain value (a distribution table or a range \"A to B\") has a tail to be put in"
                .into(),
        })?;
    Ok(param.quantile(q))
}

/// The schedule at `path` with each year's value at its quantile `q`;
/// `None` when the value there is not a schedule.
fn schedule_at(doc: &mut DocumentMut, path: &ValuePath, q: f64) -> Result<Option<Param>, AnalysisError> {
    let steps = resolve(doc, path)?;
    let param = item_at_mut(doc, &steps).and_then(|item| param_of(item));
    Ok(param.and_then(|p| p.map_years(|year| Param::fixed(year.quantile(q)))))
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

/// `param` as the distribution table a scenario file would hold:
/// `{ normal = { mean = 0.05, sd = 0.1 }, min = -0.2, per = "village-year" }`.
pub fn param_table(param: &Param) -> toml_edit::InlineTable {
    use crate::model::param::Dist;
    fn table(pairs: &[(&str, f64)]) -> Value {
        let mut t = toml_edit::InlineTable::new();
        for (k, v) in pairs {
            t.insert(*k, number(*v));
        }
        Value::InlineTable(t)
    }
    if let Some(s) = &param.schedule {
        let mut out = toml_edit::InlineTable::new();
        for (year, p) in &s.years {
            let value = match p.as_fixed().filter(|_| p.min.is_none() && p.max.is_none()) {
                Some(x) => number(x),
                None => Value::InlineTable(param_table(p)),
            };
            out.insert(year.to_string(), value);
        }
        if s.between != crate::model::param::Between::Hold {
            out.insert("between", Value::from(s.between.as_str()));
        }
        if let Some(per) = param.per {
            out.insert("per", Value::from(per.as_str()));
        }
        return out;
    }
    let (key, value) = match &param.dist {
        Dist::Fixed(x) => ("fixed", number(*x)),
        Dist::Uniform { min, max } => ("uniform", table(&[("min", *min), ("max", *max)])),
        Dist::Normal { mean, sd } => ("normal", table(&[("mean", *mean), ("sd", *sd)])),
        Dist::LogNormal { mu, sigma } => ("lognormal", table(&[("median", mu.exp()), ("sigma", *sigma)])),
        Dist::Triangular { min, mode, max } => ("triangular", table(&[("min", *min), ("mode", *mode), ("max", *max)])),
        Dist::Pert { min, mode, max } => ("pert", table(&[("min", *min), ("mode", *mode), ("max", *max)])),
        Dist::Beta { alpha, beta, low, high } => (
            "beta",
            table(&[("alpha", *alpha), ("beta", *beta), ("low", *low), ("high", *high)]),
        ),
        Dist::Discrete { values, cumulative } => {
            let mut t = toml_edit::InlineTable::new();
            t.insert("values", Value::Array(values.iter().map(|v| number(*v)).collect()));
            let mut previous = 0.0;
            let weights: toml_edit::Array = cumulative
                .iter()
                .map(|c| {
                    let w = c - previous;
                    previous = *c;
                    Value::from(w)
                })
                .collect();
            t.insert("weights", Value::Array(weights));
            ("discrete", Value::InlineTable(t))
        }
    };
    let mut out = toml_edit::InlineTable::new();
    out.insert(key, value);
    if let Some(m) = param.min {
        out.insert("min", number(m));
    }
    if let Some(m) = param.max {
        out.insert("max", number(m));
    }
    if let Some(per) = param.per {
        out.insert("per", Value::from(per.as_str()));
    }
    out
}

fn is_distribution(item: &Item) -> bool {
    item.as_table_like()
        .is_some_and(|t| DISTRIBUTION_KEYS.iter().any(|k| t.contains_key(k)))
}

fn is_range_text(item: &Item) -> bool {
    item.as_str().is_some_and(|s| matches!(parse_range(s), Ok(Some(_))))
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
mod tests;
mod uncertain;

pub use uncertain::{uncertain_inputs, Entry, UncertainInput};
