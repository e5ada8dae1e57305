//! The JSON Schema of the scenario format (`villagesim schema`), so an
//! editor (e.g. VS Code with Even Better TOML / Taplo) can complete and check
//! scenario files. Types with hand-written parsers (numbers with units,
//! uncertain parameters, village selectors) describe themselves here.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::file::Selector;
use crate::model::param::{Num, Param};

/// A number, a money string or a rate string.
const NUMBER_PATTERN: &str =
    r"^\s*[-+]?[0-9][0-9,_]*(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*(%|万|亿|千|k|K|M|m)?\s*(元|yuan)?\s*$";

impl JsonSchema for Num {
    fn schema_name() -> Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A number: yuan as 1500000, \"150万\", \"1.371亿\", \"2.2M\", \"150k\"; rates as 0.06 or \"6%\".",
            "oneOf": [
                { "type": "number" },
                { "type": "string", "pattern": NUMBER_PATTERN }
            ]
        })
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "UncertainNumber".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let num = generator.subschema_for::<Num>();
        let pair = |a: &str, b: &str| {
            json_schema!({
                "type": "object",
                "properties": { a: num.clone(), b: num.clone() },
                "required": [a, b],
                "additionalProperties": false
            })
        };
        let three = json_schema!({
            "type": "object",
            "properties": { "min": num.clone(), "mode": num.clone(), "max": num.clone() },
            "required": ["min", "mode", "max"],
            "additionalProperties": false
        });
        let lognormal = json_schema!({
            "oneOf": [pair("median", "sigma"), pair("mean", "sd")]
        });
        let beta = json_schema!({
            "type": "object",
            "properties": { "alpha": num.clone(), "beta": num.clone(), "low": num.clone(), "high": num.clone() },
            "required": ["alpha", "beta"],
            "additionalProperties": false
        });
        let discrete = json_schema!({
            "type": "object",
            "properties": { "values": { "type": "array", "items": num.clone() }, "weights": { "type": "array", "items": num.clone() } },
            "required": ["values"],
            "additionalProperties": false
        });
        json_schema!({
            "description": "A number, a 90% range such as \"5% to 8%\" or \"12万 to 30万\", or a table naming one distribution with optional min, max (clamp) and per (\"run\", \"village\", \"year\", \"village-year\").",
            "oneOf": [
                num.clone(),
                { "type": "string", "pattern": r"^.+\s*( to |~|至)\s*.+$" },
                {
                    "type": "object",
                    "properties": {
                        "fixed": num.clone(),
                        "uniform": pair("min", "max"),
                        "normal": pair("mean", "sd"),
                        "lognormal": lognormal,
                        "triangular": three.clone(),
                        "pert": three,
                        "beta": beta,
                        "discrete": discrete,
                        "range": { "type": "string" },
                        "min": num.clone(),
                        "max": num,
                        "per": { "enum": ["run", "village", "year", "village-year"] }
                    },
                    "additionalProperties": false,
                    "minProperties": 1
                }
            ]
        })
    }
}

impl JsonSchema for Selector {
    fn schema_name() -> Cow<'static, str> {
        "VillageSelector".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Which villages take part: \"all\", a list of village ids, or a filter { group, township, weakest = N | count = N }.",
            "oneOf": [
                { "const": "all" },
                { "type": "array", "items": { "type": "string" } },
                {
                    "type": "object",
                    "properties": {
        "group": { "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] },
                        "township": { "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] },
                        "weakest": { "type": "integer", "minimum": 1 },
                        "count": { "type": "integer", "minimum": 1 }
                    },
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The JSON Schema of a whole scenario file, with one schema per kind of
/// intervention (its own keys plus the common ones).
pub fn scenario_schema() -> serde_json::Value {
    let mut root = serde_json::to_value(schemars::schema_for!(super::file::RawScenario)).unwrap_or_default();
    let common = serde_json::to_value(schemars::schema_for!(super::file::RawCommon)).unwrap_or_default();
    let mut defs = serde_json::Map::new();
    take_defs(&mut root, &mut defs);
    let mut kinds = Vec::new();
    for (kind, schema) in kind_roots() {
        let mut schema = schema;
        take_defs(&mut schema, &mut defs);
        let mut properties = common["properties"].as_object().cloned().unwrap_or_default();
        if let Some(own) = schema["properties"].as_object() {
            properties.extend(own.clone());
        }
        describe_from_records(kind, &mut properties);
        properties.insert("kind".into(), serde_json::json!({ "const": kind }));
        let mut required: Vec<serde_json::Value> = vec!["id".into(), "kind".into(), "villages".into()];
        if let Some(own) = schema["required"].as_array() {
            required.extend(own.iter().cloned());
        }
        kinds.push(serde_json::json!({
            "title": kind,
            "description": schema.get("description").cloned().unwrap_or_default(),
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false
        }));
    }
    if let Some(obj) = root.as_object_mut() {
        if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert(
                "interventions".into(),
                serde_json::json!({ "type": "array", "description": "[[interventions]]: one table per intervention; `kind` selects its keys.", "items": { "oneOf": kinds } }),
            );
        }
        obj.insert("$defs".into(), serde_json::Value::Object(defs));
        obj.insert("title".into(), "villagesim scenario".into());
    }
    root
}

/// The description and default of each of a kind's own keys come from its
/// parameter records (`src/model/kinds/<kind>.toml`), as `explain` and `docs/model.md` do.
fn describe_from_records(kind: &str, properties: &mut serde_json::Map<String, serde_json::Value>) {
    let Some(doc) = crate::model::docs().into_iter().find(|d| d.kind == kind) else {
        return;
    };
    for p in doc.params {
        if let Some(key) = properties.get_mut(p.name).and_then(|v| v.as_object_mut()) {
            key.insert("description".into(), p.schema_description().into());
            if let Some(x) = p.schema_default() {
                key.insert("default".into(), x.into());
            }
        }
    }
}

/// Each kind's own keys as a standalone schema (with its `$defs`).
fn kind_roots() -> Vec<(&'static str, serde_json::Value)> {
    crate::model::kind_root_schemas()
}

fn take_defs(schema: &mut serde_json::Value, defs: &mut serde_json::Map<String, serde_json::Value>) {
    if let Some(d) = schema.as_object_mut().and_then(|o| o.remove("$defs")) {
        if let Some(d) = d.as_object() {
            defs.extend(d.clone());
        }
    }
}
