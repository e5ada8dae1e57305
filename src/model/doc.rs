//! Self-description of each kind of intervention, for `villagesim explain`,
//! the JSON Schema and `docs/model.md`: one source for all three.
//!
//! Each kind's description and parameter records are data, written once in
//! `src/model/kinds/<kind>.toml` (the fields are explained in
//! `src/model/kinds/README.md`) and compiled into the binary. They are read
//! the first time the kind is asked for them ([`records`]); a file that does
//! not read is a mistake in the program, which every test building the kind
//! finds.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;

use super::param::{Domain, Per};
use super::params::{DefaultValue, Source, Values};

/// One parameter of a kind: the record of [`super::params`], under the
/// name the kind files import.
pub use super::params::ParamSpec as ParamDoc;

/// A kind of intervention: what it models, its equations and parameters.
#[derive(Debug, Clone, Copy)]
pub struct KindDoc {
    pub kind: &'static str,
    /// Chinese name of the measure, as in the source documents.
    pub chinese: &'static str,
    /// One paragraph for a planner.
    pub summary: &'static str,
    /// The equations, in plain text.
    pub equations: &'static str,
    /// Capital structure and public money: who pays for what.
    pub capital: &'static str,
    /// One record per parameter, from `src/model/kinds/<kind>.toml`.
    pub params: &'static [ParamDoc],
}

impl KindDoc {
    /// The text `villagesim explain KIND` prints.
    pub fn explain(&self) -> String {
        let mut s = format!("{} ({})\n\n{}\n\nEquations:\n", self.kind, self.chinese, self.summary);
        for line in self.equations.lines() {
            s += &format!("  {line}\n");
        }
        s += &format!("\nCapital and public money:\n  {}\n\nParameters:\n", self.capital);
        let width = self.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in self.params {
            let mut per = p.per.map_or("fixed".to_string(), |per| format!("per {}", per.as_str()));
            if p.by_year {
                per += "; may be given by year";
            }
            s += &format!(
                "  {:width$}  {} [{}; default {}; {}]\n",
                p.name,
                p.meaning,
                p.unit,
                p.default_text(),
                per
            );
        }
        s += "\nCommon keys: id, kind, name, description, villages, start_year, end_year.\n";
        s
    }

    /// The section of `docs/model.md` for this kind.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "## `{}` ({})\n\n{}\n\n```text\n{}\n```\n\n**Capital and public money.** {}\n\n",
            self.kind,
            self.chinese,
            self.summary,
            self.equations.trim_end(),
            self.capital
        );
        s += "A parameter marked *by year* may be given as values by year (`{ 2025 = \"6%\", 2028 = \"4%\" }`, see `docs/scenario-format.md`).\n\n";
        s += "| parameter | meaning | unit | default | default `per` |\n| --- | --- | --- | --- | --- |\n";
        // A `|` inside a cell would end it.
        let cell = |text: &str| text.replace('|', "\\|");
        for p in self.params {
            let mut per = p.per.map_or("fixed".to_string(), |per| per.as_str().to_string());
            if p.by_year {
                per += ", by year";
            }
            s += &format!(
                "| `{}` | {} | {} | {} | {} |\n",
                p.name,
                cell(p.meaning),
                cell(p.unit),
                cell(&p.default_text()),
                per
            );
        }
        s
    }
}

/// A kind's file of records, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordsFile {
    kind: String,
    chinese: String,
    summary: String,
    equations: String,
    capital: String,
    param: Vec<ParamEntry>,
}

/// One `[[param]]` of a kind's file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamEntry {
    name: String,
    label: String,
    label_zh: String,
    unit: String,
    per: Option<Per>,
    default: WrittenDefault,
    #[serde(default)]
    note: String,
    cited: Option<String>,
    estimate: Option<String>,
    domain: Option<Domain>,
    whole: Option<(i64, i64)>,
    /// The kind reads the value year by year, so a file may give it by year.
    #[serde(default)]
    by_year: bool,
    meaning: String,
}

/// `default = 0.9`, `default = "required"` or `default = "none"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum WrittenDefault {
    Number(f64),
    Text(String),
}

/// Text that lives as long as the program: the records are read once per
/// kind and never freed.
fn keep(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

impl ParamEntry {
    fn into_spec(self, kind: &str) -> ParamDoc {
        let default = match self.default {
            WrittenDefault::Number(x) => DefaultValue::Number(x),
            WrittenDefault::Text(t) if t == "required" => DefaultValue::Required,
            WrittenDefault::Text(t) => DefaultValue::Written(keep(t)),
        };
        let source = match (self.cited, self.estimate) {
            (Some(c), None) => Source::Cited(keep(c)),
            (None, Some(e)) => Source::Estimate(keep(e)),
            (None, None) => Source::Unrecorded,
            (Some(_), Some(_)) => panic!("kinds/{kind}.toml: `{}` is both cited and an estimate", self.name),
        };
        let values = match (self.domain, self.whole) {
            (Some(d), None) => Values::Param(d),
            (None, Some((lo, hi))) => Values::Whole(lo, hi),
            (None, None) => Values::Other,
            (Some(_), Some(_)) => panic!("kinds/{kind}.toml: `{}` has both a domain and a whole range", self.name),
        };
        ParamDoc {
            name: keep(self.name),
            label: keep(self.label),
            label_zh: keep(self.label_zh),
            unit: keep(self.unit),
            per: self.per,
            default,
            note: keep(self.note),
            source,
            values,
            by_year: self.by_year,
            meaning: keep(self.meaning),
        }
    }
}

/// Reads a kind's file of records.
///
/// # Panics
///
/// When the text is not a valid file of records for `kind`: the files are
/// part of the program, and the tests read every one.
pub fn parse_records(kind: &'static str, text: &str) -> KindDoc {
    let file: RecordsFile = toml::from_str(text).unwrap_or_else(|e| panic!("kinds/{kind}.toml: {e}"));
    assert_eq!(file.kind, kind, "kinds/{kind}.toml names another kind");
    let params: Vec<ParamDoc> = file.param.into_iter().map(|p| p.into_spec(kind)).collect();
    KindDoc {
        kind,
        chinese: keep(file.chinese),
        summary: keep(file.summary),
        equations: keep(file.equations),
        capital: keep(file.capital),
        params: Box::leak(params.into_boxed_slice()),
    }
}

/// The description and records of `kind`, read from `text` the first time
/// and kept for the rest of the program.
pub fn records(kind: &'static str, text: &'static str) -> &'static KindDoc {
    static READ: OnceLock<Mutex<BTreeMap<&'static str, &'static KindDoc>>> = OnceLock::new();
    let mut read = READ
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    read.entry(kind)
        .or_insert_with(|| Box::leak(Box::new(parse_records(kind, text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "kind = \"k\"\nchinese = \"\"\nsummary = \"\"\nequations = \"\"\ncapital = \"\"\n\n[[param]]\nname = \"share\"\nlabel = \"share\"\nlabel_zh = \"比例\"\nunit = \"share 0-1\"\nper = \"run\"\ndefault = 0.25\nestimate = \"estimate: a quarter\"\ndomain = \"probability\"\nmeaning = \"a share\"\n";

    #[test]
    fn a_record_reads_into_its_spec() {
        let doc = parse_records("k", ONE);
        let p = doc.params[0];
        assert_eq!(p.name, "share");
        assert_eq!(p.per, Some(Per::Run));
        assert_eq!(p.default, DefaultValue::Number(0.25));
        assert_eq!(p.source, Source::Estimate("estimate: a quarter"));
        assert_eq!(p.values, Values::Param(Domain::Probability));
        assert_eq!(p.default_text(), "0.25 (estimate: a quarter)");
    }

    #[test]
    #[should_panic(expected = "unknown field `defualt`")]
    fn a_misspelt_field_is_refused() {
        parse_records("k", &ONE.replace("default =", "defualt ="));
    }

    #[test]
    #[should_panic(expected = "names another kind")]
    fn a_file_of_another_kind_is_refused() {
        parse_records("other", ONE);
    }
}
