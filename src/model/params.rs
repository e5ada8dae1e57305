//! One record per parameter of a kind: its key, unit, default, default
//! `per`, values, meaning and the source of its default. Each kind declares
//! its records once, in `src/model/kinds/<kind>.toml` (read by
//! [`super::doc::records`]); from them come
//!
//! - the default and the domain `build()` uses ([`ParamSpec::read`],
//!   [`ParamSpec::read_or`], [`ParamSpec::number_or`], [`ParamSpec::whole_or`]),
//! - the parameter table of `villagesim explain` and of `docs/model.md`
//!   ([`super::doc::KindDoc`]),
//! - the descriptions and defaults of the kind's keys in the JSON Schema
//!   ([`ParamSpec::schema_description`], [`ParamSpec::schema_default`]),
//! - the help of a validation message that refuses a value
//!   ([`ParamSpec::help`]),
//! - the assumptions reports list for estimated defaults left unset.
//!
//! so a default written in the docs cannot differ from the one used.

use std::fmt::Write as _;

use super::KindCheck;
use crate::model::param::{Domain, Num, Param, Per};

/// What a parameter is when the scenario file does not set it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// The file must set it (perhaps only in some cases: see [`ParamSpec::note`]).
    Required,
    /// This number (whole numbers for counts of years).
    Number(f64),
    /// A choice or a flag as written in a scenario file (`"\"annuity\""`,
    /// `"true"`), or the word for nothing: the feature is off or the
    /// quantity unbounded (`"none"`, `"unlimited"`, `"never"`).
    Written(&'static str),
}

/// Where a default (or, for a required parameter, the typical values) comes
/// from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// A document, a programme's terms or an official figure, as cited.
    Cited(&'static str),
    /// Judgement: the text says so ("estimate", "estimate: 0.04 yuan/W"...);
    /// reports flag an estimated default the file leaves unset.
    Estimate(&'static str),
    /// No source recorded: a neutral default (0, off, none) or one the file
    /// must give.
    Unrecorded,
}

/// The values a parameter may take, as `build()` checks them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Values {
    /// An uncertain (or fixed) number in this domain.
    Param(Domain),
    /// A whole number from `lo` to `hi`.
    Whole(i64, i64),
    /// Checked by the kind's own code: choices, names, lists, tables, or a
    /// number with a rule of its own.
    Other,
}

/// One parameter of a kind.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// The key in the scenario file.
    pub name: &'static str,
    /// A few words for charts and tables, in English and in Chinese
    /// ("return rate per year", "年回报率"): see [`ParamSpec::label`].
    pub label: &'static str,
    pub label_zh: &'static str,
    /// Unit, e.g. "yuan per m2 per year", "share 0-1", "kW".
    pub unit: &'static str,
    /// Level at which an uncertain value is drawn unless the file says
    /// otherwise; `None` for parameters that cannot be uncertain (counts of
    /// years, choices).
    pub per: Option<Per>,
    pub default: DefaultValue,
    /// A condition on the default, as it reads after it: `" for lease"`,
    /// `"; required with subsidy_per_kwh"`; empty if none.
    pub note: &'static str,
    pub source: Source,
    pub values: Values,
    /// Whether the kind reads the value year by year, so that a file may
    /// give it by year ([`crate::model::param::Schedule`]); a schedule of
    /// any other parameter is refused.
    pub by_year: bool,
    /// What it means, for a planner.
    pub meaning: &'static str,
}

impl ParamSpec {
    /// The parameter's words in `lang`, for charts and tables.
    pub fn label(&self, lang: crate::format::Lang) -> &'static str {
        match lang {
            crate::format::Lang::En => self.label,
            crate::format::Lang::Zh => self.label_zh,
        }
    }

    /// The default as the docs and `explain` write it: the value, its
    /// source in brackets and its condition (a requirement's condition
    /// reads before the source: "required for lease (estimate ...)").
    pub fn default_text(&self) -> String {
        let source = match self.source {
            Source::Cited(s) | Source::Estimate(s) => format!(" ({s})"),
            Source::Unrecorded => String::new(),
        };
        match self.default {
            DefaultValue::Required => format!("required{}{source}", self.note),
            DefaultValue::Number(x) => format!("{x}{source}{}", self.note),
            DefaultValue::Written(s) => format!("{s}{source}{}", self.note),
        }
    }

    /// Whether the default is an estimate (reports flag it when unset).
    pub fn is_estimate(&self) -> bool {
        matches!(self.source, Source::Estimate(_))
    }

    pub fn is_required(&self) -> bool {
        self.default == DefaultValue::Required
    }

    /// The numeric default. Reading a parameter without one through
    /// [`ParamSpec::read_or`] is a mistake in the kind's code, which every
    /// test building the kind finds.
    pub fn number(&self) -> f64 {
        match self.default {
            DefaultValue::Number(x) => x,
            _ => panic!("parameter `{}` has no numeric default", self.name),
        }
    }

    pub(crate) fn domain(&self) -> Domain {
        match self.values {
            Values::Param(domain) => domain,
            _ => panic!("parameter `{}` is not a number in a domain", self.name),
        }
    }

    /// The help of a message refusing a value: what the parameter is.
    pub fn help(&self) -> String {
        format!("{}: {} ({})", self.name, self.meaning, self.unit)
    }

    /// The description of the key in the JSON Schema.
    pub fn schema_description(&self) -> String {
        let mut s = format!(
            "{}, {}. Default: {}",
            capitalise(self.meaning),
            self.unit,
            self.default_text()
        );
        if let Some(per) = self.per {
            let _ = write!(s, "; drawn per {} unless `per` says otherwise", per.as_str());
        }
        s.push('.');
        s
    }

    /// The default of the key in the JSON Schema, when it is a number.
    pub fn schema_default(&self) -> Option<f64> {
        match self.default {
            DefaultValue::Number(x) => Some(x),
            _ => None,
        }
    }

    /// Checks a required uncertain parameter against the record's domain.
    pub fn read(&self, check: &mut KindCheck, param: &Param) -> Param {
        if param.schedule.is_some() && !self.by_year {
            let can: Vec<&str> = check.records.iter().filter(|p| p.by_year).map(|p| p.name).collect();
            let help = if can.is_empty() {
                "give one value (a number, a range or a distribution)".to_string()
            } else {
                format!(
                    "give one value; of this kind only {} may be given by year",
                    can.join(", ")
                )
            };
            check.fail(
                self.name,
                format!(
                    "`{}` cannot change by year: the model reads it once, not year by year",
                    self.name
                ),
                Some(help),
            );
            return param.clone();
        }
        let param = &check.as_read(param);
        match self.domain().check(param) {
            Ok(p) if p.schedule.is_some() => {
                check.by_year(self.name, &p);
                p
            }
            Ok(p) => p,
            Err(message) => {
                check.fail(self.name, message, Some(self.help()));
                param.clone()
            }
        }
    }

    /// An optional uncertain parameter: checked if given, else the record's
    /// default, fixed.
    pub fn read_or(&self, check: &mut KindCheck, param: &Option<Param>) -> Param {
        match param {
            Some(p) => self.read(check, p),
            None => Param::fixed(self.number()),
        }
    }

    /// An optional plain number: the record's default if absent; checked
    /// against the domain, the default again if it fails.
    pub fn number_or(&self, check: &mut KindCheck, value: Option<Num>) -> f64 {
        let default = self.number();
        let p = Param::fixed(value.map_or(default, |n| n.0));
        self.read(check, &p).as_fixed().unwrap_or(default)
    }

    /// An optional whole number: the record's default if absent, checked
    /// against the record's range (not clamped: see [`ParamSpec::clamp`]).
    pub fn whole_or(&self, check: &mut KindCheck, value: Option<i64>) -> i64 {
        let v = value.unwrap_or(self.number() as i64);
        self.whole(check, v);
        v
    }

    /// Checks a whole number against the record's range.
    pub fn whole(&self, check: &mut KindCheck, value: i64) -> bool {
        let (lo, hi) = self.range();
        check.int_in(self.name, value, lo, hi)
    }

    /// The record's range of whole numbers.
    pub fn range(&self) -> (i64, i64) {
        match self.values {
            Values::Whole(lo, hi) => (lo, hi),
            _ => panic!("parameter `{}` is not a whole number", self.name),
        }
    }

    /// `value` clamped to the record's range.
    pub fn clamp(&self, value: i64) -> i64 {
        let (lo, hi) = self.range();
        value.clamp(lo, hi)
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The record named `name` in `params`.
pub fn find<'a>(params: &'a [ParamSpec], name: &str) -> Option<&'a ParamSpec> {
    params.iter().find(|p| p.name == name)
}

/// The record named `name` in a kind's `params`. A name missing from them
/// is a mistake in the kind's code, which every test building the kind
/// finds.
pub fn get(params: &'static [ParamSpec], name: &str) -> &'static ParamSpec {
    find(params, name).unwrap_or_else(|| panic!("no parameter record `{name}`"))
}
