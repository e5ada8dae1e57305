//! The uncertain values of a scenario file ([`uncertain_inputs`]): every
//! distribution table and range string `"A to B"` of its `[[villages]]` and
//! `[[interventions]]` entries, with how often each is drawn and its domain.

use toml_edit::{DocumentMut, Item};

use super::{entry_name, is_distribution, is_range_text, param_of, Step, ValuePath};
use crate::analysis::AnalysisError;
use crate::model::param::{Domain, Param};

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
    /// The values it may take (`None` when unknown).
    pub domain: Option<Domain>,
    /// The entry it belongs to.
    pub entry: Entry,
}

/// The `[[villages]]` or `[[interventions]]` entry an input belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Position of the entry, and the label its villages' shared draws are
    /// keyed by (its `group`, else its `id`, else its `file`).
    Villages { index: usize, label: String },
    /// Position of the entry (as in the model's interventions) and its id.
    Intervention { index: usize, id: Option<String> },
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
            let text_of = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let owner = if list == "villages" {
                Entry::Villages {
                    index: i,
                    label: text_of("group")
                        .or(text_of("id"))
                        .or(text_of("file"))
                        .unwrap_or_default(),
                }
            } else {
                Entry::Intervention {
                    index: i,
                    id: text_of("id"),
                }
            };
            let records = kind
                .and_then(|kind| docs.iter().find(|d| d.kind == kind))
                .map(|d| d.params);
            for (key, value) in entry.iter() {
                if SKIP_KEYS.contains(&key) {
                    continue;
                }
                let (default_per, domain) = match list {
                    "villages" => village_key(key),
                    _ => records
                        .and_then(|params| params.iter().find(|p| p.name == key))
                        .map_or((None, None), |p| (p.per, domain_of(p))),
                };
                let name = if list == "villages" {
                    format!("villages.{label}.{key}")
                } else {
                    format!("{label}.{key}")
                };
                let steps = vec![Step::Key(list.to_string()), Step::Index(i), Step::Key(key.to_string())];
                let at = Found {
                    name,
                    steps,
                    default_per,
                    domain,
                    entry: owner.clone(),
                };
                collect(value, at, &mut out);
            }
        }
    }
    Ok(out)
}

/// The level a `[[villages]]` key is drawn at by default, and its domain
/// (as `scenario::read` checks it).
fn village_key(key: &str) -> (Option<crate::model::param::Per>, Option<Domain>) {
    use crate::model::param::Per;
    match key {
        "growth" => (Some(Per::VillageYear), Some(Domain::LogGrowth)),
        "operating_income" | "other_income" => (Some(Per::Village), Some(Domain::Money)),
        "other_income_growth" => (Some(Per::Run), Some(Domain::Rate)),
        "loadings" => (Some(Per::Run), Some(Domain::Loading)),
        _ => (None, None),
    }
}

/// The domain of a numeric parameter (`None` for choices, lists, tables).
fn domain_of(p: &crate::model::params::ParamSpec) -> Option<Domain> {
    match p.values {
        crate::model::params::Values::Param(d) => Some(d),
        _ => None,
    }
}

/// Where [`collect`] is in the file.
struct Found {
    name: String,
    steps: Vec<Step>,
    default_per: Option<crate::model::param::Per>,
    domain: Option<Domain>,
    entry: Entry,
}

fn collect(item: &Item, at: Found, out: &mut Vec<UncertainInput>) {
    if is_distribution(item) || is_range_text(item) {
        let Some(param) = param_of(item) else { return };
        if param.is_certain() {
            return;
        }
        let mut text = String::new();
        for step in &at.steps {
            match step {
                Step::Key(k) if text.is_empty() => text.push_str(k),
                Step::Key(k) if k.contains('.') => text.push_str(&format!(".\"{k}\"")),
                Step::Key(k) => text.push_str(&format!(".{k}")),
                Step::Index(i) => text.push_str(&format!("[{i}]")),
            }
        }
        out.push(UncertainInput {
            name: at.name,
            per: param.per.or(at.default_per),
            param,
            path: ValuePath { text, steps: at.steps },
            domain: at.domain,
            entry: at.entry,
        });
        return;
    }
    if let Some(table) = item.as_table_like() {
        // A loan's `credit` terms have records of their own; a village's
        // `loadings` are all loadings.
        let is_credit = matches!(at.steps.last(), Some(Step::Key(k)) if k == "credit");
        let is_loadings = matches!(at.entry, Entry::Villages { .. })
            && matches!(at.steps.last(), Some(Step::Key(k)) if k == "loadings");
        for (key, value) in table.iter() {
            let mut steps = at.steps.clone();
            steps.push(Step::Key(key.to_string()));
            let (default_per, domain) = if is_credit {
                crate::model::finance::credit::doc()
                    .params
                    .iter()
                    .find(|p| p.name == key)
                    .map_or((None, None), |p| (p.per, domain_of(p)))
            } else if is_loadings {
                (at.default_per, at.domain)
            } else {
                (None, None)
            };
            let inner = Found {
                name: format!("{}.{key}", at.name),
                steps,
                default_per,
                domain,
                entry: at.entry.clone(),
            };
            collect(value, inner, out);
        }
    }
}
