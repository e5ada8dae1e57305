//! Reading a scenario file into a validated [`Model`].
//!
//! Two passes: serde reads the TOML into the raw types of
//! [`super::file`] (type errors and unknown keys stop it, located by their
//! byte span), then [`Checker`] validates meaning (ranges, references,
//! duplicates) and reports every problem it finds, each located by the
//! field's path in the document.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::error::{span_of, InvalidScenario, ScenarioError, Source};
use super::file::{RawAccounting, RawCommon, RawScenario, RawVillages, Selector, COMMON_KEYS};
use crate::format::thousands;
use crate::model::accounts::Accounting;
use crate::model::finance::tax::TaxRules;
use crate::model::param::closest;
use crate::model::param::{Dist, Domain, Num, Param};
use crate::model::{self, Factor, Intervention, Model, Policy, Village, NO_INTERVENTION};
use crate::rng::key_of;

mod interventions;
mod names;
mod policies;
mod stress;
mod villages;

use crate::limits::{MAX_ERRORS, MAX_FACTORS, MAX_FILE_BYTES, MAX_INTERVENTIONS, MAX_PARTICIPATIONS, MAX_POLICIES};
/// Largest accepted values: beyond them a file is almost surely mistaken
/// (defined, with their reasoning, in [`crate::limits`]).
pub use crate::limits::{MAX_RUNS, MAX_VILLAGES, MAX_YEARS};
const DEFAULT_RUNS: i64 = 1_000;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("cannot read scenario file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] Box<InvalidScenario>),
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Model, LoadError> {
    load_with(path, ReadOptions::default())
}

/// The bytes of the scenario file at `path`, read once: what
/// [`parse_bytes`] validates and what a manifest's digest is taken of.
/// A file that cannot be read, or is larger than [`MAX_FILE_BYTES`], is an
/// error.
pub fn read_source(path: &Path) -> Result<Vec<u8>, LoadError> {
    let name = path.display().to_string();
    read_capped(path, MAX_FILE_BYTES)
        .map_err(|source| LoadError::Io {
            path: name.clone(),
            source,
        })?
        .map_err(|size| one_error(&name, too_large(&name, size, "scenario")))
}

/// Validates the scenario file `bytes` (as read by [`read_source`]) with
/// `options`; `file` names it in errors, `base` is the folder relative to
/// which village CSV files are found.
pub fn parse_bytes(file: &str, bytes: &[u8], base: &Path, options: ReadOptions) -> Result<Model, LoadError> {
    let text = utf8(file, bytes).map_err(|e| one_error(file, *e))?;
    parse_with(file, text, base, options).map_err(|e| LoadError::Invalid(Box::new(e)))
}

fn one_error(file: &str, error: ScenarioError) -> LoadError {
    LoadError::Invalid(Box::new(InvalidScenario {
        file: file.to_string(),
        errors: vec![error],
        unreported: 0,
    }))
}

/// The bytes of the file at `path`, or `Err(size)` when it holds more than
/// `cap` bytes: refused from its size before reading it, and reading stops
/// at `cap + 1` bytes whatever the size said (a growing file, a pipe).
pub(crate) fn read_capped(path: &Path, cap: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > cap {
        return Ok(Err(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

/// The error for a file of `size` bytes, above [`MAX_FILE_BYTES`].
pub(crate) fn too_large(file: &str, size: u64, what: &str) -> ScenarioError {
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    Source::new(file, "", None).error(
        None,
        None,
        format!(
            "the {what} file is {:.1} MiB, more than the {} MiB accepted",
            mib(size),
            mib(MAX_FILE_BYTES)
        ),
        Some(format!(
            "a {what} file of a whole county is well under 1 MiB: is this the right file? (see src/limits.rs)"
        )),
    )
}

/// `bytes` as text, or an error at the line and column of the first byte
/// that is not UTF-8.
pub(crate) fn utf8<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, Box<ScenarioError>> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        // The text up to the bad byte is valid, so lines and columns are exact.
        let text = String::from_utf8_lossy(bytes);
        let source = Source::new(file, &text, None);
        Box::new(source.error(
            Some(at..at + 1),
            None,
            format!("invalid UTF-8 at byte {at} (0x{:02x}): the file must be UTF-8 text", bytes[at]),
            Some("save the file as UTF-8; a file saved as GBK or GB18030 can be converted with `iconv -f GB18030 -t UTF-8`".into()),
        ))
    })
}

/// Which value of an uncertain parameter stands for it when uncertainty is
/// switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Central {
    /// The mean of its clamped draws ([`Param::mean`]): expected incomes stay
    /// expected incomes (a lognormal's mean is above its median).
    Mean,
    /// The median ([`Param::median`]): the value a draw is as likely to
    /// fall below as above.
    Median,
}

/// Options for reading a scenario.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Replace every uncertain parameter by its mean or median: the
    /// scenario "with its uncertainty switched off". Random events (tenants
    /// leaving, defaults, Poisson counts) stay random; their probabilities
    /// become fixed. `None`: uncertainty on.
    pub central: Option<Central>,
}

/// Reads and validates the scenario at `path` with `options`.
pub fn load_with(path: &Path, options: ReadOptions) -> Result<Model, LoadError> {
    let bytes = read_source(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_bytes(&path.display().to_string(), &bytes, base, options)
}

/// Validates scenario `text`; `file` names it in errors, `base` is the
/// folder relative to which village CSV files are found.
pub fn parse(file: &str, text: &str, base: &Path) -> Result<Model, InvalidScenario> {
    parse_with(file, text, base, ReadOptions::default())
}

/// Like [`parse`], with `options`.
pub fn parse_with(file: &str, text: &str, base: &Path, options: ReadOptions) -> Result<Model, InvalidScenario> {
    let invalid = |errors, unreported| InvalidScenario {
        file: file.to_string(),
        errors,
        unreported,
    };
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(invalid(vec![too_large(file, text.len() as u64, "scenario")], 0));
    }
    let root = DeTable::parse(text).map_err(|e| {
        let source = Source::new(file, text, None);
        invalid(vec![source.from_toml(&e)], 0)
    })?;
    let source = Source::new(file, text, Some(root.get_ref()));
    let raw = read_raw(&root, &source).map_err(|e| invalid(vec![*e], 0))?;
    let raw_interventions = read_interventions(root.get_ref(), &source).map_err(|e| invalid(vec![*e], 0))?;
    let mut checker = Checker {
        source: &source,
        errors: Vec::new(),
        unreported: 0,
        village_index: HashMap::new(),
        options,
    };
    let model = checker.model(raw, raw_interventions, base);
    match model {
        Some(mut model) if checker.errors.is_empty() => {
            model.assumptions = super::notes::assumptions(text, root.get_ref());
            Ok(model)
        }
        _ => Err(invalid(checker.errors, checker.unreported)),
    }
}

fn read_raw(root: &Spanned<DeTable<'_>>, source: &Source) -> Result<RawScenario, Box<ScenarioError>> {
    let rest: DeTable = root
        .get_ref()
        .iter()
        .filter(|(k, _)| k.get_ref() != "interventions")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let value = Spanned::new(root.span(), DeValue::Table(rest));
    RawScenario::deserialize(ValueDeserializer::from(value)).map_err(|e| Box::new(source.from_toml(&e)))
}

/// One `[[interventions]]` table: its common keys and its kind's own keys.
struct RawIntervention<'a> {
    common: RawCommon,
    own: Spanned<DeValue<'a>>,
}

fn read_interventions<'a>(root: &DeTable<'a>, source: &Source) -> Result<Vec<RawIntervention<'a>>, Box<ScenarioError>> {
    let Some((_, list)) = root.iter().find(|(k, _)| k.get_ref() == "interventions") else {
        return Ok(Vec::new());
    };
    let DeValue::Array(items) = list.get_ref() else {
        return Err(Box::new(source.error(
            Some(list.span()),
            Some("interventions".into()),
            "expected [[interventions]] tables",
            None,
        )));
    };
    if let Some(first_beyond) = items.get(MAX_INTERVENTIONS) {
        return Err(Box::new(source.error(
            Some(first_beyond.span()),
            Some(format!("interventions[{MAX_INTERVENTIONS}]")),
            format!(
                "{} interventions is more than the {} accepted",
                thousands(items.len() as f64),
                thousands(MAX_INTERVENTIONS as f64)
            ),
            Some("every intervention is simulated in every run of every policy that holds it: split the study into several scenario files (see src/limits.rs)".into()),
        )));
    }
    items
        .iter()
        .map(|item| {
            let DeValue::Table(table) = item.get_ref() else {
                return Err(Box::new(source.error(
                    Some(item.span()),
                    None,
                    "expected an [[interventions]] table",
                    None,
                )));
            };
            let (common, own): (DeTable, DeTable) = table
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .partition(|(k, _)| COMMON_KEYS.contains(&k.get_ref().as_ref()));
            let common = RawCommon::deserialize(ValueDeserializer::from(Spanned::new(
                item.span(),
                DeValue::Table(common),
            )))
            .map_err(|e| Box::new(source.from_toml(&e)))?;
            Ok(RawIntervention {
                common,
                own: Spanned::new(item.span(), DeValue::Table(own)),
            })
        })
        .collect()
}

/// Collects located validation errors.
struct Checker<'s> {
    source: &'s Source<'s>,
    errors: Vec<ScenarioError>,
    /// Problems found beyond the first [`MAX_ERRORS`]: counted, not located.
    unreported: usize,
    /// The index of every village id, once the villages are read.
    village_index: HashMap<String, usize>,
    options: ReadOptions,
}

impl Checker<'_> {
    /// True once [`MAX_ERRORS`] problems are recorded: further ones are only
    /// counted, so callers may skip working out their help.
    fn full(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    fn fail(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        if self.full() {
            self.unreported += 1;
            return;
        }
        let span = self.source.root.and_then(|root| {
            span_of(root, path).or_else(|| span_of(root, path.rsplit_once('.').map_or(path, |(parent, _)| parent)))
        });
        let error = self.source.error(span, Some(path.to_string()), message, help);
        self.errors.push(error);
    }

    /// Checks an integer is in `lo..=hi`.
    fn int_in(&mut self, path: &str, value: i64, lo: i64, hi: i64) -> bool {
        let ok = (lo..=hi).contains(&value);
        if !ok {
            self.fail(
                path,
                format!("{value} is out of range"),
                Some(format!("use a whole number from {lo} to {hi}")),
            );
        }
        ok
    }

    /// Checks an uncertain parameter against its domain; with
    /// [`ReadOptions::central`], its mean or median is checked and returned
    /// (with its clamp and level).
    fn param(&mut self, path: &str, param: &Param, domain: Domain) -> Param {
        if param.schedule.is_some() {
            self.fail(
                path,
                "this value cannot change by year: the model reads it once, not year by year",
                Some("give one value (a number, a range or a distribution); `villagesim explain KIND` marks the parameters a kind reads year by year".into()),
            );
            return param.clone();
        }
        let param = self.as_read(param);
        domain.check(&param).unwrap_or_else(|message| {
            self.fail(path, message, None);
            param
        })
    }

    /// The parameter as this read uses it: itself, or with
    /// [`ReadOptions::central`] its mean or median (with its clamp and
    /// level; each year's, for a schedule).
    fn as_read(&self, param: &Param) -> Param {
        let Some(central) = self.options.central else {
            return param.clone();
        };
        let centre = |p: &Param| {
            let value = match central {
                Central::Mean => p.mean(),
                Central::Median => p.median(),
            };
            Param {
                dist: Dist::Fixed(value),
                ..p.clone()
            }
        };
        param.map_years(centre).unwrap_or_else(|| centre(param))
    }

    fn num(&mut self, path: &str, value: Option<Num>, default: f64, domain: Domain) -> f64 {
        let p = Param::fixed(value.map_or(default, |n| n.0));
        self.param(path, &p, domain).as_fixed().unwrap_or(default)
    }

    fn model(&mut self, raw: RawScenario, interventions: Vec<RawIntervention>, base: &Path) -> Option<Model> {
        let h = &raw.scenario;
        if h.name.trim().is_empty() {
            self.fail(
                "scenario.name",
                "the scenario name is empty",
                Some("name the scenario, e.g. name = \"Huining County 2025\": reports and the output folder are named after it".into()),
            );
        }
        self.int_in("scenario.start_year", h.start_year, 1900, 2200);
        self.int_in("scenario.years", h.years, 1, MAX_YEARS);
        let runs = h.runs.unwrap_or(DEFAULT_RUNS);
        self.int_in("scenario.runs", runs, 1, MAX_RUNS);
        let discount_rate = self.num("scenario.discount_rate", h.discount_rate, 0.04, Domain::DiscountRate);
        let accounting = self.accounting(raw.accounting.as_ref());
        let (floor_yuan, weak_yuan) = self.targets(&raw);
        // Clamped first (the errors are recorded above), so no arithmetic
        // on the years can overflow.
        let (first_year, span) = (h.start_year.clamp(1900, 2200), h.years.clamp(1, MAX_YEARS));
        let last_year = first_year + span - 1;
        let target_year = raw.targets.as_ref().and_then(|t| t.year).map(|y| {
            self.int_in("targets.year", y, first_year - 1, last_year);
            y.clamp(first_year - 1, last_year) as i32
        });
        let budget_yuan = raw
            .targets
            .as_ref()
            .and_then(|t| t.budget)
            .map(|b| self.num("targets.budget", Some(b), 0.0, Domain::NonNegative));
        let factors = self.factors(&raw);
        let villages = self.villages(&raw.villages, &factors, base);
        let start_year = h.start_year.clamp(1900, 2200) as i32;
        let years = h.years.clamp(1, MAX_YEARS) as usize;
        self.village_index = villages.iter().enumerate().map(|(i, v)| (v.id.clone(), i)).collect();
        let interventions = self.interventions(interventions, &villages, &factors, start_year, years);
        self.unique("interventions", interventions.iter().map(|iv| iv.id.as_str()), "id");
        let policies = self.policies(&raw, &interventions);
        let backtest = self.backtest(&raw, start_year, years, villages.len(), &policies);
        let stresses = self.stresses(&raw, start_year, years, &factors, &interventions);
        Some(Model {
            name: h.name.clone(),
            name_zh: self.text_zh("scenario.name_zh", h.name_zh.as_ref()),
            description: h.description.clone(),
            description_zh: self.text_zh("scenario.description_zh", h.description_zh.as_ref()),
            start_year,
            years,
            runs: runs.clamp(1, MAX_RUNS) as u64,
            seed: h.seed.unwrap_or(0),
            discount_rate,
            accounting,
            floor_yuan,
            weak_yuan,
            target_year,
            budget_yuan,
            factors,
            villages,
            interventions,
            policies,
            backtest,
            stresses,
            // Filled by `parse`, which has the file's text.
            assumptions: Vec::new(),
        })
    }

    /// The `[accounting]` rules, defaults from `src/model/accounting.toml`.
    fn accounting(&mut self, raw: Option<&RawAccounting>) -> Accounting {
        let d = Accounting::default();
        let empty = RawAccounting::default();
        let raw = raw.unwrap_or(&empty);
        let share = |this: &mut Self, key: &str, value: Option<Num>, default: f64| {
            this.num(&format!("accounting.{key}"), value, default, Domain::Probability)
        };
        let t = &d.tax;
        let tax = TaxRules {
            vat_rate_sales: share(self, "vat_rate_sales", raw.vat_rate_sales, t.vat_rate_sales),
            vat_rate_sales_after_reliefs: share(
                self,
                "vat_rate_sales_after_reliefs",
                raw.vat_rate_sales_after_reliefs,
                t.vat_rate_sales_after_reliefs,
            ),
            vat_rate_rent: share(self, "vat_rate_rent", raw.vat_rate_rent, t.vat_rate_rent),
            vat_exempt_sales_per_year_yuan: self.num(
                "accounting.vat_exempt_sales_per_year_yuan",
                raw.vat_exempt_sales_per_year_yuan,
                t.vat_exempt_sales_per_year_yuan,
                Domain::NonNegative,
            ),
            vat_surcharge_rate: share(self, "vat_surcharge_rate", raw.vat_surcharge_rate, t.vat_surcharge_rate),
            property_tax_rent_rate: share(
                self,
                "property_tax_rent_rate",
                raw.property_tax_rent_rate,
                t.property_tax_rent_rate,
            ),
            property_tax_value_rate: share(
                self,
                "property_tax_value_rate",
                raw.property_tax_value_rate,
                t.property_tax_value_rate,
            ),
            property_value_deduction: share(
                self,
                "property_value_deduction",
                raw.property_value_deduction,
                t.property_value_deduction,
            ),
            six_taxes_relief_share: share(
                self,
                "six_taxes_relief_share",
                raw.six_taxes_relief_share,
                t.six_taxes_relief_share,
            ),
            income_tax_rate: share(self, "income_tax_rate", raw.income_tax_rate, t.income_tax_rate),
            income_tax_rate_after_reliefs: share(
                self,
                "income_tax_rate_after_reliefs",
                raw.income_tax_rate_after_reliefs,
                t.income_tax_rate_after_reliefs,
            ),
            reliefs_from_year: self.year_key(
                "accounting.reliefs_from_year",
                raw.reliefs_from_year,
                t.reliefs_from_year,
            ),
            reliefs_until_year: self.year_key(
                "accounting.reliefs_until_year",
                raw.reliefs_until_year,
                t.reliefs_until_year,
            ),
        };
        if tax.reliefs_from_year > tax.reliefs_until_year {
            self.fail(
                "accounting.reliefs_until_year",
                format!(
                    "reliefs_until_year ({}) is before reliefs_from_year ({})",
                    tax.reliefs_until_year, tax.reliefs_from_year
                ),
                Some("the reliefs apply from reliefs_from_year to reliefs_until_year, both included".into()),
            );
        }
        Accounting {
            public_discount_rate: self.num(
                "accounting.public_discount_rate",
                raw.public_discount_rate,
                d.public_discount_rate,
                Domain::DiscountRate,
            ),
            tax,
        }
    }

    /// A calendar year from 1900 to 2200 (the default when absent or out of range).
    fn year_key(&mut self, path: &str, value: Option<i64>, default: i32) -> i32 {
        match value {
            Some(y) if self.int_in(path, y, 1900, 2200) => y as i32,
            _ => default,
        }
    }

    /// The `[backtest]` observation, its year within the horizon.
    fn backtest(
        &mut self,
        raw: &RawScenario,
        start_year: i32,
        years: usize,
        villages: usize,
        policies: &[model::Policy],
    ) -> Option<model::Backtest> {
        raw.backtest.as_ref().map(|b| {
            let last = start_year as i64 + years as i64 - 1;
            self.int_in("backtest.year", b.year, start_year as i64, last);
            let mean = b
                .mean_village_income
                .map(|n| self.num("backtest.mean_village_income", Some(n), 0.0, Domain::NonNegative));
            let below = b.villages_below_floor.and_then(|k| {
                self.int_in("backtest.villages_below_floor", k, 0, villages as i64)
                    .then_some(k as usize)
            });
            if let (Some(true), Some(k)) = (b.full_coverage, below.filter(|k| *k > 0)) {
                self.fail(
                    "backtest.villages_below_floor",
                    format!("{k} villages below the floor contradicts full_coverage = true"),
                    Some("give one of the two, or villages_below_floor = 0".into()),
                );
            }
            let error = self.num(
                "backtest.mean_village_income_error",
                b.mean_village_income_error,
                model::DEFAULT_MEAN_ERROR,
                Domain::Probability,
            );
            if error <= 0.0 {
                self.fail(
                    "backtest.mean_village_income_error",
                    "the observation error must be above 0",
                    Some("give a share of the observed mean, e.g. \"5%\"".into()),
                );
            }
            if let Some(name) = &b.policy {
                if !policies.iter().any(|p| &p.name == name) {
                    let names: Vec<String> = policies.iter().map(|p| format!("\"{}\"", p.name)).collect();
                    self.fail(
                        "backtest.policy",
                        format!("no policy named \"{name}\""),
                        Some(format!("name one of the policies: {}", names.join(", "))),
                    );
                }
            }
            model::Backtest {
                year: b.year as i32,
                mean_village_income_yuan: mean,
                full_coverage: b.full_coverage,
                villages_below_floor: below,
                mean_error_share: error,
                policy: b.policy.clone(),
                source: b.source.clone(),
                source_zh: self.text_zh("backtest.source_zh", b.source_zh.as_ref()),
            }
        })
    }

    fn targets(&mut self, raw: &RawScenario) -> (f64, f64) {
        let Some(t) = &raw.targets else {
            self.fail(
                "targets",
                "the [targets] table is missing",
                Some("add [targets] with floor = \"50万\" and weak = \"30万\"".into()),
            );
            return (0.0, 0.0);
        };
        let Some(floor) = t.floor else {
            self.fail(
                "targets",
                "missing field `floor`",
                Some("the operating income every village should reach, e.g. floor = \"50万\"".into()),
            );
            return (0.0, 0.0);
        };
        let floor = self.num("targets.floor", Some(floor), 0.0, Domain::NonNegative);
        let weak = self.num("targets.weak", t.weak, floor, Domain::NonNegative);
        if weak > floor {
            self.fail(
                "targets.weak",
                format!("weak ({weak}) is above floor ({floor})"),
                Some("weak is the lower threshold: weak <= floor".into()),
            );
        }
        (floor, weak)
    }

    fn factors(&mut self, raw: &RawScenario) -> Vec<Factor> {
        if raw.factors.len() > MAX_FACTORS {
            self.fail(
                "factors",
                format!(
                    "{} factors is more than the {MAX_FACTORS} accepted",
                    thousands(raw.factors.len() as f64)
                ),
                Some("a factor is a region-wide shock (the economy, prices, the weather): a few describe a county (see src/limits.rs)".into()),
            );
            return Vec::new();
        }
        raw.factors
            .iter()
            .map(|(name, f)| {
                let path = format!("factors.{name}.persistence");
                let rho = f.persistence.map_or(0.0, |n| n.0);
                if !(0.0..1.0).contains(&rho) {
                    self.fail(
                        &path,
                        format!("persistence {rho} is out of range"),
                        Some("an AR(1) coefficient from 0 (no memory) up to but excluding 1".into()),
                    );
                }
                self.text_zh(&format!("factors.{name}.description_zh"), f.description_zh.as_ref());
                Factor {
                    name: name.clone(),
                    name_zh: self.text_zh(&format!("factors.{name}.name_zh"), f.name_zh.as_ref()),
                    persistence: rho.clamp(0.0, 0.999),
                    forced: Vec::new(),
                }
            })
            .collect()
    }

    fn loadings(&mut self, path: &str, raw: &BTreeMap<String, Num>, factors: &[Factor]) -> Vec<(usize, f64)> {
        let names: Vec<&str> = factors.iter().map(|f| f.name.as_str()).collect();
        raw.iter()
            .filter_map(|(name, b)| match names.iter().position(|n| n == name) {
                Some(i) => {
                    let b = self.num(&format!("{path}.{name}"), Some(*b), 0.0, Domain::Loading);
                    Some((i, b))
                }
                None => {
                    self.fail(
                        &format!("{path}.{name}"),
                        format!("no factor named `{name}`"),
                        Some(self.known("factors", &names, name)),
                    );
                    None
                }
            })
            .collect()
    }

    fn known(&self, what: &str, names: &[&str], name: &str) -> String {
        const SHOWN: usize = 20;
        let mut help = if names.is_empty() {
            format!("the scenario defines no {what}")
        } else if names.len() > SHOWN {
            format!(
                "known {what}: {}, ... ({} in all)",
                names[..SHOWN].join(", "),
                thousands(names.len() as f64)
            )
        } else {
            format!("known {what}: {}", names.join(", "))
        };
        if let Some(c) = closest(name, names) {
            help = format!("did you mean `{c}`? {help}");
        }
        help
    }

    fn unique<'a>(&mut self, list: &str, ids: impl Iterator<Item = &'a str>, field: &str) {
        let mut seen = HashSet::new();
        for (i, id) in ids.enumerate() {
            if !seen.insert(id) {
                self.fail(
                    &format!("{list}[{i}].{field}"),
                    format!("duplicate {field} `{id}`"),
                    Some(format!("every {field} in [[{list}]] must be unique")),
                );
            }
        }
    }
}

/// A folder name made from a scenario name: lowercase ASCII letters,
/// digits and dashes only, so nothing in a file can make the tool write
/// outside the output folder.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        format!("scenario-{:08x}", key_of(name) as u32)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Wuxing: lifting 23 villages"), "wuxing-lifting-23-villages");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert!(slug("吴兴").starts_with("scenario-"));
        assert!(!slug("a/b\\c").contains('/'));
    }

    /// `central` is an argument of each read: two threads reading with
    /// different options do not see each other's.
    #[test]
    fn central_values_are_per_read() {
        let text = "[scenario]\nname = \"t\"\nstart_year = 2025\nyears = 2\n[targets]\nfloor = \"50万\"\n\
                    [[villages]]\nid = \"a\"\noperating_income = \"10万 to 40万\"\n";
        let read = |central: Option<Central>| {
            std::thread::spawn(move || {
                (0..50)
                    .map(|_| {
                        let model = parse_with("t.toml", text, Path::new("."), ReadOptions { central }).unwrap();
                        model.villages[0].operating_income.clone()
                    })
                    .collect::<Vec<Param>>()
            })
        };
        let (mean, median, uncertain) = (read(Some(Central::Mean)), read(Some(Central::Median)), read(None));
        let (mean, median, uncertain) = (mean.join().unwrap(), median.join().unwrap(), uncertain.join().unwrap());
        // "10万 to 40万" is the lognormal with P5 = 100,000 and P95 = 400,000.
        let middle = (100_000.0f64 * 400_000.0).sqrt();
        let sigma = (4.0f64).ln() / (2.0 * crate::model::units::Z_95);
        assert!(median
            .iter()
            .all(|p| p.as_fixed().is_some_and(|x| (x - middle).abs() < 1e-6)));
        let expected = middle * (0.5 * sigma * sigma).exp();
        assert!(mean
            .iter()
            .all(|p| p.as_fixed().is_some_and(|x| (x - expected).abs() < 1e-6)));
        assert!(uncertain.iter().all(|p| matches!(p.dist, Dist::LogNormal { .. })));
    }
}
