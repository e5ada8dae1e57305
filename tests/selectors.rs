//! Village selectors: "all", ids, groups (one or several), townships,
//! the weakest N.

mod common;

use common::{header, model};

const VILLAGES: &str = r#"
[[villages]]
group = "a"
township = "east"
count = 3
operating_income = { fixed = 100 }

[[villages]]
group = "b"
township = "west"
count = 2
operating_income = 50

[[villages]]
group = "c"
township = "west"
count = 2
operating_income = 10
"#;

fn chosen(selector: &str) -> Vec<String> {
    let text = format!(
        "{}{VILLAGES}\n[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = {selector}\namount = 1\n",
        header(1, 1)
    );
    let m = model(&text);
    m.interventions[0]
        .villages
        .iter()
        .map(|&v| m.villages[v].id.clone())
        .collect()
}

#[test]
fn selectors_choose_the_right_villages() {
    assert_eq!(chosen("\"all\"").len(), 7);
    assert_eq!(chosen("[\"b-02\", \"a-01\"]"), vec!["b-02", "a-01"]);
    assert_eq!(chosen("{ group = \"b\" }"), vec!["b-01", "b-02"]);
    assert_eq!(chosen("{ group = [\"a\", \"c\"] }").len(), 5);
    assert_eq!(chosen("{ township = \"west\" }").len(), 4);
    assert_eq!(chosen("{ township = \"west\", weakest = 2 }"), vec!["c-01", "c-02"]);
    assert_eq!(chosen("{ group = \"a\", count = 2 }"), vec!["a-01", "a-02"]);
    assert_eq!(chosen("{ weakest = 3 }"), vec!["b-01", "c-01", "c-02"]);
}
