//! The scenario file as written: serde types that mirror the TOML, before
//! validation. Every table denies unknown keys, so a misspelt key is an error
//! with a "did you mean".

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::param::{Num, Param};

/// The whole file except `[[interventions]]`, which are read kind by kind
/// (see `scenario::read`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawHeader,
    pub targets: Option<RawTargets>,
    pub accounting: Option<RawAccounting>,
    #[serde(default)]
    pub factors: BTreeMap<String, RawFactor>,
    #[serde(default)]
    pub villages: Vec<RawVillages>,
    #[serde(default)]
    pub policies: Vec<RawPolicy>,
    pub backtest: Option<RawBacktest>,
    /// Named stress tests for `villagesim stress`: `[stress.NAME]`.
    #[serde(default)]
    pub stress: BTreeMap<String, RawStress>,
    /// What the page of `villagesim serve` shows: `[ui]`.
    pub ui: Option<RawUi>,
}

/// `[ui]`: the page of `villagesim serve`. Its paths are checked when the
/// page opens the scenario (`src/serve/fields.rs`), since they name values
/// the way `sweep --set` does, on the file's text.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUi {
    /// The values a planner may change on the page, by path, in the order
    /// shown: `["interventions.support-fund.return_rate_per_year", "targets.floor"]`.
    /// Without it, every intervention's main parameters are shown.
    #[serde(default)]
    pub show: Vec<String>,
}

/// `[stress.NAME]`: what a stress test forces. Paths name values as `sweep
/// --set` does (`interventions.fund.return_rate_per_year`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStress {
    pub description: Option<String>,
    /// The description in Chinese (default: `description`).
    pub description_zh: Option<String>,
    /// Values set, by path: `{ "interventions.fund.return_rate_per_year" = "3%" }`.
    #[serde(default)]
    pub set: BTreeMap<String, RawStressValue>,
    /// Values multiplied, certain or uncertain: `{ "interventions.lease.rent_per_m2_per_year_yuan" = "70%" }`
    /// is a rent cut of 30%.
    #[serde(default)]
    pub scale: BTreeMap<String, Num>,
    /// Uncertain values fixed at a quantile of their distribution:
    /// `{ "interventions.fund.return_rate_per_year" = "5%" }` is its P5.
    #[serde(default)]
    pub tail: BTreeMap<String, Num>,
    /// Common factors forced in some years: `{ property = { tail = "5%", from = 2021, to = 2023 } }`.
    #[serde(default)]
    pub factors: BTreeMap<String, RawFactorStress>,
    /// Interventions made to fail in a year (a support fund's operator
    /// defaults then, and at no other time): `{ "support-fund" = 2022 }`.
    #[serde(default)]
    pub fail: BTreeMap<String, i64>,
}

/// A value a stress sets: a number, or text as the file would hold it
/// (`"6%"`, `"5万 to 50万"`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RawStressValue {
    Number(f64),
    Text(String),
}

/// A common factor forced by a stress: its standard normal value (`value`,
/// e.g. -1.645) or the quantile it is put at (`tail = "5%"`), from year
/// `from` to year `to` (default: `from`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFactorStress {
    pub value: Option<f64>,
    pub tail: Option<Num>,
    pub from: i64,
    pub to: Option<i64>,
}

/// `[backtest]`: what was observed in a later year, to place it in the
/// simulated distributions.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBacktest {
    /// The year of the observation.
    pub year: i64,
    /// Observed mean operating income per village, yuan.
    pub mean_village_income: Option<Num>,
    /// Whether every village was observed at or above the floor.
    pub full_coverage: Option<bool>,
    /// Villages observed below the floor that year.
    pub villages_below_floor: Option<i64>,
    /// How far the observed mean may be from the model's, as a share of
    /// it (default 5%): the standard deviation of the observation error
    /// `villagesim calibrate` weighs the runs by.
    pub mean_village_income_error: Option<Num>,
    /// The policy that was carried out (default: the last policy).
    pub policy: Option<String>,
    /// Where the observation comes from.
    pub source: Option<String>,
    /// The same in Chinese (reports in Chinese show it; default: `source`).
    pub source_zh: Option<String>,
}

/// `[scenario]`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: String,
    /// The scenario's name in Chinese (reports in Chinese show it; default: `name`).
    pub name_zh: Option<String>,
    pub description: Option<String>,
    /// The description in Chinese (default: `description`).
    pub description_zh: Option<String>,
    /// First simulated year; the baseline figures are those of the year before.
    pub start_year: i64,
    /// Number of simulated years.
    pub years: i64,
    /// Monte Carlo runs (overridden by `--runs`).
    pub runs: Option<i64>,
    /// Master seed (overridden by `--seed`).
    pub seed: Option<u64>,
    /// Discount rate for NPVs, per year.
    pub discount_rate: Option<Num>,
}

/// `[accounting]`: how public money is discounted and the collective taxed
/// (defaults and sources in `src/model/accounting.toml`).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAccounting {
    /// Rate at which public money is discounted, per year (default 8%).
    pub public_discount_rate: Option<Num>,
    /// The collective's enterprise income tax rate in the relief years (default 5%).
    pub income_tax_rate: Option<Num>,
    /// The rate outside the relief years (default 20%).
    pub income_tax_rate_after_reliefs: Option<Num>,
    /// VAT levy rate on power, goods and services sold, relief years (default 1%).
    pub vat_rate_sales: Option<Num>,
    /// VAT levy rate on those sales outside the relief years (default 3%).
    pub vat_rate_sales_after_reliefs: Option<Num>,
    /// VAT levy rate on rent (default 5%).
    pub vat_rate_rent: Option<Num>,
    /// Yearly sales under which no VAT is due in the relief years, yuan (default 1,200,000).
    pub vat_exempt_sales_per_year_yuan: Option<Num>,
    /// City maintenance tax and education surcharges, share of VAT (default 10%).
    pub vat_surcharge_rate: Option<Num>,
    /// Property tax on rent excluding VAT (default 12%).
    pub property_tax_rent_rate: Option<Num>,
    /// Property tax on the taxable value of property not let, per year (default 1.2%).
    pub property_tax_value_rate: Option<Num>,
    /// Share of the original value deducted before the property tax on value (default 30%).
    pub property_value_deduction: Option<Num>,
    /// Share of the property tax and surcharges waived in the relief years (default 50%).
    pub six_taxes_relief_share: Option<Num>,
    /// First year of the small-taxpayer reliefs (default 2019).
    pub reliefs_from_year: Option<i64>,
    /// Last year of the small-taxpayer reliefs (default 2027).
    pub reliefs_until_year: Option<i64>,
}

/// `[targets]`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTargets {
    /// Operating income every village should reach, yuan.
    pub floor: Option<Num>,
    /// Operating income under which a village counts as weak, yuan.
    pub weak: Option<Num>,
    /// Year by which every village should be at the floor.
    pub year: Option<i64>,
    /// Public money the policies may spend over the horizon, yuan.
    pub budget: Option<Num>,
}

/// `[factors.NAME]`: a region-wide standard normal shock per run-year.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFactor {
    /// AR(1) coefficient in [0, 1): `Z[t] = rho Z[t-1] + sqrt(1 - rho^2) e[t]`.
    pub persistence: Option<Num>,
    /// The factor's name in Chinese (default: its key).
    pub name_zh: Option<String>,
    pub description: Option<String>,
    /// The description in Chinese (default: `description`).
    pub description_zh: Option<String>,
}

/// One `[[villages]]` entry: a single village (`id`), a group of `count`
/// similar villages (`group` + `count`), or a CSV file (`file`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVillages {
    pub id: Option<String>,
    /// A village's name; for a group, the prefix of its villages' names.
    pub name: Option<String>,
    /// The name (or prefix) in Chinese (default: `name`).
    pub name_zh: Option<String>,
    pub township: Option<String>,
    /// The township's name in Chinese (default: `township`).
    pub township_zh: Option<String>,
    pub group: Option<String>,
    /// The group's name in Chinese (default: `group`).
    pub group_zh: Option<String>,
    pub count: Option<i64>,
    /// A village ledger: a CSV file or a workbook (.xlsx, .xls, .ods).
    pub file: Option<String>,
    /// The workbook's sheet (default: the first).
    pub sheet: Option<String>,
    /// Headers of the ledger's columns by field, where they are not found
    /// by name: `{ operating_income = "2024年集体收入(万元)" }`.
    pub columns: Option<BTreeMap<String, String>>,
    /// The unit of the ledger's money columns: "元" (default) or "万元".
    pub unit: Option<String>,
    /// Baseline operating income, yuan per year (default per village).
    pub operating_income: Option<Param>,
    /// Baseline other income (grants, transfers), yuan per year (default per village).
    pub other_income: Option<Param>,
    /// Organic log growth of operating income per year (default per village-year).
    pub growth: Option<Param>,
    /// Growth of other income per year (default per run).
    pub other_income_growth: Option<Param>,
    /// Loadings of the organic growth on the common factors.
    #[serde(default)]
    pub loadings: BTreeMap<String, Num>,
}

/// `[[policies]]`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: String,
    /// The policy's name in Chinese (default: `name`).
    pub name_zh: Option<String>,
    pub description: Option<String>,
    /// The description in Chinese (default: `description`).
    pub description_zh: Option<String>,
    #[serde(default)]
    pub interventions: Vec<String>,
}

/// Keys every `[[interventions]]` entry may have, whatever its kind.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCommon {
    pub id: String,
    pub kind: String,
    pub name: Option<String>,
    /// The intervention's name in Chinese (default: `name`).
    pub name_zh: Option<String>,
    pub description: Option<String>,
    /// The description in Chinese (default: `description`).
    pub description_zh: Option<String>,
    pub villages: Option<Selector>,
    pub start_year: Option<i64>,
    pub end_year: Option<i64>,
    /// A measure reaching more villages year by year, instead of
    /// `villages`: `{ 2025 = ["a", "b"], 2027 = "all" }`, each year the
    /// villages it selects that have not joined before.
    pub roll_out: Option<std::collections::BTreeMap<String, Selector>>,
}

/// The common keys, removed from an intervention table before its kind's
/// own keys are read.
pub const COMMON_KEYS: [&str; 10] = [
    "id",
    "kind",
    "name",
    "name_zh",
    "description",
    "description_zh",
    "villages",
    "start_year",
    "end_year",
    "roll_out",
];

/// Which villages an intervention covers:
/// `"all"`, a list of ids, or a filter table
/// `{ group = "...", township = "...", weakest = N, count = N }`.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    All,
    Ids(Vec<String>),
    Filter(Filter),
}

/// A filter over villages: all that match `group` and `township`, then the
/// `weakest` N by baseline operating income, or the first `count` in file order.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub group: Option<Names>,
    pub township: Option<Names>,
    pub weakest: Option<i64>,
    pub count: Option<i64>,
}

/// One name or a list of names: `group = "weak"` or `group = ["weak", "near-floor"]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Names(pub Vec<String>);

impl Names {
    pub fn contains(&self, name: Option<&String>) -> bool {
        name.is_some_and(|n| self.0.contains(n))
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Names, E> {
                Ok(Names(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(n) = seq.next_element::<String>()? {
                    names.push(n);
                }
                Ok(Names(names))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Names {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Names".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] })
    }
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Selector;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "\"all\", a list of village ids, or a table such as { group = \"underdeveloped\", count = 16 }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Selector, E> {
                if v == "all" {
                    Ok(Selector::All)
                } else {
                    Err(E::custom(format!(
                        "`{v}` is not a village selector: write \"all\", a list such as [\"{v}\"], or a table such as {{ group = \"{v}\" }}"
                    )))
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Selector, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                Ok(Selector::Ids(ids))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Selector, A::Error> {
                Filter::deserialize(de::value::MapAccessDeserializer::new(map)).map(Selector::Filter)
            }
        }
        d.deserialize_any(V)
    }
}
