//! `docs/model.md` says what the code does: its sections on each kind are
//! generated from the kinds' own documentation, and this test fails when
//! they drift. `UPDATE_DOCS=1 cargo test --test docs` rewrites the file.

use std::path::Path;

fn expected() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join("docs/model-intro.md")).expect("docs/model-intro.md");
    text.push_str("\n# The `[accounting]` table\n\n");
    text.push_str(&villagesim::model::accounts::doc().markdown());
    text.push_str("\n# The `credit` table of a loan\n\n");
    text.push_str(&villagesim::model::finance::credit::doc().markdown());
    text.push_str("\n# Kinds of intervention\n\n");
    for doc in villagesim::model::docs() {
        text.push_str(&doc.markdown());
        text.push('\n');
    }
    text
}

#[test]
fn model_doc_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/model.md");
    let want = expected();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("write docs/model.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/model.md is out of date: run UPDATE_DOCS=1 cargo test --test docs"
    );
}

#[test]
fn every_kind_explains_itself() {
    for doc in villagesim::model::docs() {
        let text = doc.explain();
        assert!(text.contains(doc.kind) && text.contains("Parameters:"));
        assert!(!doc.params.is_empty(), "{} documents no parameter", doc.kind);
    }
}
