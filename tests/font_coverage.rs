//! Every hanzi the tool or a bundled scenario can write is in the bundled
//! font (assets/fonts), so no chart or brief shows a missing-glyph box for
//! the tool's own words or the bundled names. A scenario author's rarer
//! characters are the documented exception (assets/fonts/README.md).

use std::path::Path;

use ab_glyph::{Font, FontRef};

/// The files whose text reaches charts, reports and the terminal.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| ["rs", "toml", "csv", "html", "css"].contains(&e.to_str().unwrap_or("")))
        {
            out.push(path);
        }
    }
}

#[test]
fn every_hanzi_of_the_tool_and_the_bundled_scenarios_is_in_the_font() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("assets/fonts/NotoSansSC-villagesim-subset.otf")).unwrap();
    let font = FontRef::try_from_slice(&bytes).unwrap();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("scenarios"), &mut files);
    let mut missing = std::collections::BTreeMap::new();
    for f in &files {
        for c in std::fs::read_to_string(f).unwrap().chars() {
            let hanzi = ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c);
            if hanzi && font.glyph_id(c).0 == 0 {
                missing
                    .entry(c)
                    .or_insert_with(|| f.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in the bundled font (add them to tools/labels-zh.txt and run tools/make-font-subset.sh): {missing:?}"
    );
}
