//! Tests of paths, overrides and the uncertain inputs of a file.

use super::*;
use crate::model::param::Domain;

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
fn shifted_moves_the_distribution_and_keeps_clamp_and_level() {
    let text = r#"
[[villages]]
group = "weak"
count = 16
growth = { normal = { mean = 0.05, sd = 0.1 }, min = -0.2, per = "village-year" } # estimate
operating_income = "10万 to 40万"
"#;
    let shift = |path: &str, sds: f64| {
        let o = Override {
            path: ValuePath::parse(path).unwrap(),
            value: NewValue::Shifted {
                sds,
                within: (-1.0, 1.0),
            },
        };
        apply(text, &[o]).unwrap()
    };
    let out = shift("villages.weak.growth", 0.5);
    assert!(
        out.contains("growth = { normal = { mean = 0.1, sd = 0.1 }, min = -0.2, per = \"village-year\" } # estimate"),
        "{out}"
    );
    // A range becomes the lognormal it stands for, its median moved by exp(s sigma).
    let out = shift("villages.weak.operating_income", 1.0);
    let doc: DocumentMut = out.parse().unwrap();
    let moved = param_of(&doc["villages"][0]["operating_income"]).unwrap();
    let before = param_of(&Item::Value(Value::from("10万 to 40万"))).unwrap();
    let ratio = moved.median() / before.median();
    let sigma = (4f64).ln() / (2.0 * 1.644_853_626_951_472);
    assert!((ratio - sigma.exp()).abs() < 1e-9, "{ratio} {out}");
    // Only an uncertain value has a distribution to shift.
    let o = Override {
        path: ValuePath::parse("villages.weak.count").unwrap(),
        value: NewValue::Shifted {
            sds: 1.0,
            within: (0.0, 1.0),
        },
    };
    assert!(apply(text, &[o]).unwrap_err().to_string().contains("can be shifted"));
}

#[test]
fn inputs_know_their_entry_and_domain() {
    let text = r#"
[[villages]]
group = "weak"
count = 3
growth = { normal = { mean = 0.05, sd = 0.1 } }
loadings = { economy = { uniform = { min = 0.01, max = 0.05 } } }
"#;
    let inputs = uncertain_inputs(text).unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0].domain, Some(Domain::LogGrowth));
    assert_eq!(inputs[0].per, Some(crate::model::param::Per::VillageYear));
    assert_eq!(
        inputs[0].entry,
        Entry::Villages {
            index: 0,
            label: "weak".into()
        }
    );
    assert_eq!(inputs[1].name, "villages.weak.loadings.economy");
    assert_eq!(inputs[1].domain, Some(Domain::Loading));
    let funds = uncertain_inputs(TEXT).unwrap();
    assert_eq!(funds[0].domain, Some(Domain::Probability));
    assert_eq!(
        funds[1].entry,
        Entry::Intervention {
            index: 1,
            id: Some("stream".into())
        }
    );
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
