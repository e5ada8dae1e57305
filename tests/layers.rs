//! The layers of the crate, checked from its source text.
//!
//! - Only the binary (`src/main.rs` and `src/cli/`) knows the command line
//!   and the terminal: library code never names `clap`, `indicatif`,
//!   `IsTerminal` or the `cli` module.
//! - The top-level modules of the library (`scenario`, `model`, `engine`,
//!   `summary`, `output`, `charts`, `analysis`, ...) depend on each other
//!   without a cycle: the graph of their `crate::<module>` references
//!   (test code set aside) is acyclic. On failure the test prints the cycle
//!   and where each of its references is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A library source file: its path relative to the crate root, the module
/// path it defines (`["model", "pv_loan"]`) and its text.
struct SourceFile {
    rel: String,
    module: Vec<String>,
    text: String,
}

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `rel` (relative to the crate root, with `/`) is the binary's.
fn is_binary(rel: &str) -> bool {
    rel == "src/main.rs" || rel == "src/cli.rs" || rel.starts_with("src/cli/")
}

/// The module path of a library file: `src/model/mod.rs` -> `["model"]`,
/// `src/model/pv_loan.rs` -> `["model", "pv_loan"]`, `src/lib.rs` -> `[]`.
fn module_of(rel: &str) -> Vec<String> {
    let inner = rel.strip_prefix("src/").expect("a file under src/");
    let inner = inner.strip_suffix(".rs").expect("a .rs file");
    let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod") | Some("lib")) {
        parts.pop();
    }
    parts
}

fn library_files() -> Vec<SourceFile> {
    let root = crate_root();
    let mut paths = Vec::new();
    rust_files(&root.join("src"), &mut paths);
    paths
        .into_iter()
        .filter_map(|path| {
            let rel = path
                .strip_prefix(&root)
                .expect("under the crate root")
                .to_string_lossy()
                .replace('\\', "/");
            if is_binary(&rel) {
                return None;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {rel}: {e}"));
            Some(SourceFile {
                module: module_of(&rel),
                rel,
                text,
            })
        })
        .collect()
}

/// `text` with comments, string and character literals blanked out
/// (replaced by spaces, newlines kept), so that only code remains.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !is_ident_char(prev(&chars, i)) {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &chars[i..j.min(chars.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            for &ch in &chars[i..end] {
                out.push(blank(ch));
            }
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let literal_end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match literal_end {
                Some(end) => {
                    for &ch in &chars[i..=end] {
                        out.push(blank(ch));
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    if i == 0 {
        ' '
    } else {
        chars[i - 1]
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `code` (from [`code_only`]) without the items marked `#[cfg(test)]`,
/// and the names of the modules so marked that live in files of their own
/// (`#[cfg(test)] mod testing;`).
fn without_test_code(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut test_modules = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        // The item ends at its first `;` when that comes before any `{`,
        // else at the brace matching its first `{`.
        let semicolon = item.find(';');
        let brace = item.find('{');
        let end = match (semicolon, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => {
                let mut depth = 0;
                let mut end = item.len();
                for (k, ch) in item[b..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => item.len(),
        };
        let skipped = &item[..end];
        if skipped.trim_end().ends_with(';') {
            let words: Vec<&str> = skipped
                .split(|c: char| !is_ident_char(c))
                .filter(|w| !w.is_empty())
                .collect();
            if let Some(k) = words.iter().position(|w| *w == "mod") {
                if let Some(name) = words.get(k + 1) {
                    test_modules.push(name.to_string());
                }
            }
        }
        for ch in skipped.chars() {
            out.push(if ch == '\n' { '\n' } else { ' ' });
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    (out, test_modules)
}

/// The identifiers of `code`, each with its line (1-based) and byte offset.
fn words(code: &str) -> Vec<(&str, usize, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut start: Option<usize> = None;
    for (k, ch) in code.char_indices() {
        if is_ident_char(ch) {
            start.get_or_insert(k);
            continue;
        }
        if let Some(s) = start.take() {
            out.push((&code[s..k], line, s));
        }
        if ch == '\n' {
            line += 1;
        }
    }
    if let Some(s) = start {
        out.push((&code[s..], line, s));
    }
    out
}

/// The top-level modules `code` (of the module at `module`) refers to,
/// with the line of each reference: `crate::x`, `crate::{x, y}` and
/// `super::` chains that climb to the crate root.
fn references(code: &str, module: &[String]) -> Vec<(String, usize)> {
    let tokens = words(code);
    let after = |offset: usize| code[offset..].trim_start();
    let mut out = Vec::new();
    for (k, &(word, line, offset)) in tokens.iter().enumerate() {
        let rest = after(offset + word.len());
        let Some(path) = rest.strip_prefix("::") else { continue };
        let climbs_to_root = match word {
            "crate" => {
                let before = code[..offset].trim_end();
                // `$crate`, and `pub(crate)` (never followed by `::`) aside.
                !before.ends_with('$')
            }
            "super" => {
                // Count this chain of `super::` from its first link only.
                let first = k == 0 || tokens[k - 1].0 != "super" || !after(tokens[k - 1].2 + 5).starts_with("::");
                if !first {
                    continue;
                }
                let mut n = 1;
                while tokens.get(k + n).is_some_and(|t| t.0 == "super") {
                    n += 1;
                }
                if n < module.len() {
                    continue;
                }
                // The word after the chain names a top-level module.
                if let Some(&(next, _, _)) = tokens.get(k + n) {
                    out.push((next.to_string(), line));
                }
                continue;
            }
            _ => false,
        };
        if !climbs_to_root {
            continue;
        }
        let path = path.trim_start();
        if let Some(group) = path.strip_prefix('{') {
            // `crate::{a::b, c}`: the first word of each top-level entry.
            let mut depth = 0;
            let mut entries = vec![String::new()];
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => entries.push(String::new()),
                    c => entries.last_mut().expect("an entry").push(c),
                }
            }
            for entry in entries {
                let name: String = entry.trim_start().chars().take_while(|c| is_ident_char(*c)).collect();
                if !name.is_empty() {
                    out.push((name, line));
                }
            }
        } else {
            let name: String = path.chars().take_while(|c| is_ident_char(*c)).collect();
            if !name.is_empty() {
                out.push((name, line));
            }
        }
    }
    out
}

/// Top-level modules that are one layer with another (none now: the
/// decision charts are `charts::decision`).
const SAME_LAYER: [(&str, &str); 0] = [];

/// The layer of top-level module `name`.
fn layer(name: &str) -> String {
    SAME_LAYER
        .iter()
        .find(|(module, _)| *module == name)
        .map_or(name, |(_, layer)| layer)
        .to_string()
}

/// Where one module refers to another: `(file, line)` of each reference.
type Edges = BTreeMap<String, BTreeMap<String, Vec<(String, usize)>>>;

/// The graph of references between the top-level modules of the library.
fn module_graph(files: &[SourceFile]) -> (BTreeSet<String>, Edges) {
    let modules: BTreeSet<String> = files.iter().filter_map(|f| f.module.first().cloned()).collect();
    let tops: BTreeSet<String> = modules.iter().map(|m| layer(m)).collect();
    // Files of modules compiled only for tests: `#[cfg(test)] mod testing;`
    // in src/model/mod.rs sets aside src/model/testing.rs.
    let mut test_only: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut cleaned = Vec::new();
    for f in files {
        let (code, test_modules) = without_test_code(&code_only(&f.text));
        for name in test_modules {
            let mut path = f.module.clone();
            path.push(name);
            test_only.insert(path);
        }
        cleaned.push(code);
    }
    let mut edges: Edges = BTreeMap::new();
    for (f, code) in files.iter().zip(&cleaned) {
        if test_only.iter().any(|t| f.module.starts_with(t)) {
            continue;
        }
        let Some(from) = f.module.first().map(|m| layer(m)) else {
            continue;
        };
        for (to, line) in references(code, &f.module) {
            if !modules.contains(&to) {
                continue;
            }
            let to = layer(&to);
            if to != from {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .push((f.rel.clone(), line));
            }
        }
    }
    (tops, edges)
}

/// A cycle of the graph, as its modules in order (the first repeated at
/// the end), if there is one.
fn find_cycle(nodes: &BTreeSet<String>, edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = stack
                        .iter()
                        .position(|n| n == next)
                        .expect("an open node is on the stack");
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(cycle) = visit(next, edges, marks, stack) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in nodes {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            if let Some(cycle) = visit(node, edges, &mut marks, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

fn describe_graph(edges: &Edges) -> String {
    let mut s = String::new();
    for (from, tos) in edges {
        let names: Vec<&str> = tos.keys().map(String::as_str).collect();
        s += &format!("  {from} -> {}\n", names.join(", "));
    }
    s
}

#[test]
fn the_top_level_modules_of_the_library_form_no_cycle() {
    let files = library_files();
    assert!(files.len() > 20, "found only {} library files", files.len());
    let (tops, edges) = module_graph(&files);
    for expected in ["scenario", "model", "engine", "summary", "output", "analysis"] {
        assert!(tops.contains(expected), "no top-level module `{expected}` found");
    }
    let simple: BTreeMap<String, BTreeSet<String>> = edges
        .iter()
        .map(|(from, tos)| (from.clone(), tos.keys().cloned().collect()))
        .collect();
    if let Some(cycle) = find_cycle(&tops, &simple) {
        let mut message = format!("the top-level modules form a cycle: {}\n", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            let places = &edges[&pair[0]][&pair[1]];
            message += &format!("  {} -> {}:", pair[0], pair[1]);
            for (file, line) in places.iter().take(5) {
                message += &format!(" {file}:{line}");
            }
            if places.len() > 5 {
                message += &format!(" (and {} more)", places.len() - 5);
            }
            message += "\n";
        }
        message += &format!("the whole graph:\n{}", describe_graph(&edges));
        panic!("{message}");
    }
    // Shown with --nocapture: the layers as they are.
    println!("{}", describe_graph(&edges));
}

#[test]
fn only_the_binary_knows_the_command_line_and_the_terminal() {
    const FORBIDDEN: [&str; 3] = ["clap", "indicatif", "IsTerminal"];
    let mut found = Vec::new();
    for f in library_files() {
        let code = code_only(&f.text);
        let tokens = words(&code);
        for (k, &(word, line, offset)) in tokens.iter().enumerate() {
            if FORBIDDEN.contains(&word) {
                found.push(format!("{}:{line}: names `{word}`", f.rel));
            }
            let after = code[offset + word.len()..].trim_start();
            if word == "crate" && after.starts_with("::") && tokens.get(k + 1).is_some_and(|t| t.0 == "cli") {
                found.push(format!("{}:{line}: names the `cli` module", f.rel));
            }
            if word == "mod" && tokens.get(k + 1).is_some_and(|t| t.0 == "cli") {
                found.push(format!("{}:{line}: declares the `cli` module", f.rel));
            }
        }
    }
    assert!(
        found.is_empty(),
        "library code (src/ but main.rs and cli/) must leave the command line and the terminal to the binary:\n{}",
        found.join("\n")
    );
}

// The checker itself, on small examples.

#[test]
fn comments_strings_and_test_code_are_set_aside() {
    let text = r##"
use crate::model::Model; // crate::summary in a comment
/* crate::output in a block comment */
const S: &str = "crate::charts in a string";
const R: &str = r#"crate::analysis "in" a raw string"#;
const C: char = '"';
fn f<'a>(x: &'a str) -> crate::engine::Thing { todo!() }
use crate::{rng, limits::MAX_RUNS};
#[cfg(test)]
mod tests {
    use crate::output;
}
#[cfg(test)]
mod testing;
"##;
    let (code, test_modules) = without_test_code(&code_only(text));
    let found: BTreeSet<String> = references(&code, &["scenario".to_string()])
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let expected: BTreeSet<String> = ["model", "engine", "rng", "limits"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
    assert_eq!(test_modules, vec!["testing".to_string()]);
    let nested = references(
        "use super::super::summary::X; use super::sibling;",
        &["model".into(), "pv_loan".into()],
    );
    assert_eq!(nested, vec![("summary".to_string(), 1)]);
}

#[test]
fn a_cycle_is_found_and_named() {
    let nodes: BTreeSet<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |from: &str, to: &str| {
        edges.entry(from.into()).or_default().insert(to.into());
    };
    add("a", "b");
    add("b", "c");
    add("a", "d");
    assert_eq!(find_cycle(&nodes, &edges), None);
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&nodes, &edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
