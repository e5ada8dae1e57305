//! Each kind declares its parameters once (`src/model/kinds/<kind>.toml`,
//! see `villagesim::model::params`): these tests fail when the records drift
//! from the keys a scenario file may write, from the defaults `build()`
//! uses, or from what reports call an estimate. That `docs/model.md` and
//! `explain` print the records is `tests/docs.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use villagesim::model::params::{DefaultValue, Source, Values};

/// Kinds whose `build()` takes every default from its records: no literal
/// default left in the code outside the test module.
const ROUTED: [&str; 9] = [
    "top_up",
    "idle_asset",
    "income_stream",
    "pv_loan",
    "capacity",
    "cooperative",
    "project_service",
    "mountain_sea_workshop",
    "support_fund",
];

#[test]
fn records_are_the_keys_of_each_kind() {
    let schemas = villagesim::model::kind_root_schemas();
    for doc in villagesim::model::docs() {
        let (_, schema) = schemas.iter().find(|(k, _)| *k == doc.kind).expect("schema of kind");
        let keys: BTreeSet<&str> = schema["properties"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let records: BTreeSet<&str> = doc.params.iter().map(|p| p.name).collect();
        assert_eq!(
            records.len(),
            doc.params.len(),
            "{}: a parameter has two records",
            doc.kind
        );
        assert_eq!(records, keys, "{}: records and scenario keys differ", doc.kind);
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for p in doc.params {
            // A key serde requires is required by its record (a record may
            // be required only in some cases, which serde cannot say).
            if required.contains(p.name) {
                assert!(
                    p.is_required(),
                    "{}.{}: serde requires it, its record has a default",
                    doc.kind,
                    p.name
                );
            }
        }
    }
}

#[test]
fn defaults_lie_in_their_domains_and_estimates_say_so() {
    let mut docs = villagesim::model::docs();
    docs.push(villagesim::model::accounts::doc());
    docs.push(villagesim::model::finance::credit::doc());
    for doc in docs {
        for p in doc.params {
            let at = format!("{}.{}", doc.kind, p.name);
            match (p.default, p.values) {
                (DefaultValue::Number(x), Values::Param(domain)) => {
                    let (lo, hi) = domain.bounds();
                    assert!((lo..=hi).contains(&x), "{at}: default {x} outside {domain:?}");
                }
                (DefaultValue::Number(x), Values::Whole(lo, hi)) => {
                    assert!(
                        x.fract() == 0.0 && (lo as f64..=hi as f64).contains(&x),
                        "{at}: default {x}"
                    );
                }
                _ => {}
            }
            // Reports flag an unset default as an estimate by its source.
            let text = p.default_text().to_lowercase();
            if let Source::Estimate(_) = p.source {
                assert!(text.contains("estimate"), "{at}: an estimate that does not say so");
            } else if !p.is_required() {
                assert!(!text.contains("estimate"), "{at}: says estimate, source is not one");
            }
        }
    }
}

/// The code of a kind before its tests: `src/model/<kind>.rs`, or every
/// file of the folder `src/model/<kind>/` but its `tests.rs`.
fn code(kind: &str) -> String {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let file = model.join(format!("{kind}.rs"));
    let texts: Vec<String> = if file.exists() {
        vec![std::fs::read_to_string(file).expect("kind source")]
    } else {
        let mut paths: Vec<_> = std::fs::read_dir(model.join(kind))
            .expect("kind folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("tests.rs"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("kind source"))
            .collect()
    };
    texts
        .iter()
        .map(|text| text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn routed_kinds_take_their_defaults_from_the_records() {
    for kind in ROUTED {
        let code = code(kind);
        for (n, line) in code.lines().enumerate() {
            let t = line.trim();
            let literal_default = ["spec.", "loading"].iter().any(|s| t.contains(s))
                && [".unwrap_or(", ".map_or("].iter().any(|m| {
                    t.split(m)
                        .nth(1)
                        .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit() || c == '-'))
                });
            assert!(!literal_default, "{kind}.rs:{}: a literal default: {t}", n + 1);
            assert!(
                !t.contains("check.param_or("),
                "{kind}.rs:{}: a default outside the records: {t}",
                n + 1
            );
            assert!(
                !t.contains("const DEFAULT_"),
                "{kind}.rs:{}: a default outside the records",
                n + 1
            );
        }
    }
}

#[test]
fn the_schema_describes_kind_keys_from_the_records() {
    let schema = villagesim::scenario::schema::scenario_schema();
    let kinds = schema["properties"]["interventions"]["items"]["oneOf"]
        .as_array()
        .expect("kinds");
    for doc in villagesim::model::docs() {
        let k = kinds.iter().find(|k| k["title"] == doc.kind).expect("kind schema");
        for p in doc.params {
            let key = &k["properties"][p.name];
            assert_eq!(
                key["description"],
                p.schema_description().as_str(),
                "{}.{}",
                doc.kind,
                p.name
            );
            if let Some(x) = p.schema_default() {
                assert_eq!(key["default"], x, "{}.{}", doc.kind, p.name);
            }
        }
    }
}

#[test]
fn loan_terms_are_bounded_as_the_loan_code_bounds_them() {
    // The records write the bound as a number; the loan schedule's is a constant.
    let max = villagesim::model::finance::MAX_TERM_YEARS as i64;
    let pv = villagesim::model::docs()
        .into_iter()
        .find(|d| d.kind == "pv_loan")
        .expect("pv_loan");
    let range = |name: &str| {
        pv.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.values)
            .expect("record")
    };
    assert_eq!(range("loan_term_years"), Values::Whole(1, max));
    assert_eq!(range("grace_years"), Values::Whole(0, max));
}

/// Every parameter has a few words in English and in Chinese, for charts
/// and tables (the tornado, sweeps, the assumptions of a brief): not its
/// key.
#[test]
fn every_record_has_words_in_both_languages() {
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let docs = villagesim::model::docs().into_iter().chain([
        villagesim::model::accounts::doc(),
        villagesim::model::finance::credit::doc(),
    ]);
    for doc in docs {
        for p in doc.params {
            let at = format!("{}.{}", doc.kind, p.name);
            assert!(
                !p.label.trim().is_empty() && !p.label.contains('_'),
                "{at}: label {:?}",
                p.label
            );
            assert!(!cjk(p.label), "{at}: the English label is Chinese");
            assert!(cjk(p.label_zh), "{at}: label_zh {:?} is not Chinese", p.label_zh);
            assert!(
                !p.label_zh.chars().any(|c| c.is_ascii_alphabetic()),
                "{at}: label_zh {:?}",
                p.label_zh
            );
        }
    }
}
