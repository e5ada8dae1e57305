//! Errors in scenario files, located to the file, line, column and field.
//!
//! Every problem found in a scenario becomes a [`ScenarioError`] that names
//! the field (`interventions[2].amount`), says what was wrong and what would
//! be valid. A file with several problems reports all that validation can
//! find ([`InvalidScenario`]).

use std::cell::OnceCell;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::param::closest;

/// One problem in a scenario file.
#[derive(Debug, Error, Diagnostic)]
#[error("{file}:{line}:{column}: {location}{message}")]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted path of the offending field, when known.
    pub field: Option<String>,
    pub message: String,
    location: String,
    /// The offending source line, for plain-text reports.
    pub source_line: String,
    #[help]
    pub help: Option<String>,
    #[source_code]
    source_code: NamedSource<Arc<str>>,
    #[label("here")]
    span: Option<SourceSpan>,
}

/// Every problem found in one scenario file.
#[derive(Debug, Error, Diagnostic)]
#[error("{} in {file}", plural(errors.len() + unreported))]
pub struct InvalidScenario {
    pub file: String,
    #[related]
    pub errors: Vec<ScenarioError>,
    /// Further problems found but not reported (beyond
    /// [`crate::limits::MAX_ERRORS`]).
    pub unreported: usize,
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 problem".into()
    } else {
        format!("{n} problems")
    }
}

impl InvalidScenario {
    /// The whole report as plain text: per problem, one located line, the
    /// source line with a caret under the column, and the help.
    pub fn plain(&self) -> String {
        let mut out = format!("error: {self}\n");
        for e in &self.errors {
            out.push_str(&format!("{e}\n"));
            if !e.source_line.is_empty() {
                let gutter = e.line.to_string();
                out.push_str(&format!("  {gutter} | {}\n", e.source_line));
                out.push_str(&format!(
                    "  {} | {}^\n",
                    " ".repeat(gutter.len()),
                    " ".repeat(e.column - 1)
                ));
            }
            if let Some(help) = &e.help {
                out.push_str(&format!("  help: {help}\n"));
            }
        }
        if self.unreported > 0 {
            out.push_str(&format!(
                "... and {} more (only the first {} are reported)\n",
                plural(self.unreported),
                self.errors.len()
            ));
        }
        out
    }
}

/// The source of a scenario: its display name and text, used to turn byte
/// offsets into lines, columns and field paths.
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub root: Option<&'a DeTable<'a>>,
    /// The text, shared by every error's snippet (made on the first error).
    shared: OnceCell<Arc<str>>,
    /// Byte offset of the start of every line (made on the first error).
    line_starts: OnceCell<Vec<usize>>,
}

impl<'a> Source<'a> {
    pub fn new(file: &'a str, text: &'a str, root: Option<&'a DeTable<'a>>) -> Self {
        Source {
            file,
            text,
            root,
            shared: OnceCell::new(),
            line_starts: OnceCell::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset, and the
    /// text of that line, in time proportional to the line's length.
    fn locate(&self, offset: usize) -> (usize, usize, &str) {
        let text = self.text;
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = offset.min(text.len());
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts[line - 1];
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column, text[start..end].trim_end_matches('\r'))
    }

    /// Builds an error at `span`, deriving the field path from the document
    /// when `field` is not given.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        field: Option<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ScenarioError {
        let span = span.map(|s| s.start.min(self.text.len())..s.end.min(self.text.len()));
        let offset = span.as_ref().map_or(0, |s| s.start);
        let (line, column, source_line) = self.locate(offset);
        let field = field.or_else(|| {
            let root = self.root?;
            let path = path_at(root, offset);
            (!path.is_empty()).then_some(path)
        });
        let location = field.as_ref().map_or(String::new(), |f| format!("`{f}`: "));
        let source_line = source_line.to_string();
        let shared = self.shared.get_or_init(|| Arc::from(self.text)).clone();
        ScenarioError {
            file: self.file.to_string(),
            line,
            column,
            field,
            message: message.into(),
            location,
            source_line,
            help,
            source_code: NamedSource::new(self.file, shared),
            span: span.map(|s| SourceSpan::from(s.start..s.end.max(s.start + 1).min(self.text.len().max(1)))),
        }
    }

    /// Turns a TOML/serde error into a located one, adding "did you mean"
    /// for misspelt keys.
    pub fn from_toml(&self, e: &toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_string();
        let help = did_you_mean(&message).or_else(|| {
            message
                .starts_with("missing field")
                .then(|| "add the field to this table".to_string())
        });
        self.error(e.span(), None, message, help)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The dotted path (`interventions[1].amount`) of the most specific key or
/// value whose span contains `offset`. Table headers span only the header
/// line, so the whole tree is searched rather than descended.
pub fn path_at(root: &DeTable<'_>, offset: usize) -> String {
    let mut best: Option<(usize, String)> = None;
    search_table(root, offset, "", &mut best);
    best.map(|(_, path)| path).unwrap_or_default()
}

type Best = Option<(usize, String)>;

fn consider(span: Range<usize>, offset: usize, path: &str, best: &mut Best) {
    let width = span.end.saturating_sub(span.start);
    if contains(span, offset) && best.as_ref().is_none_or(|(w, _)| width <= *w) {
        *best = Some((width, path.to_string()));
    }
}

fn search_table(table: &DeTable<'_>, offset: usize, prefix: &str, best: &mut Best) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        consider(key.span(), offset, &path, best);
        search_value(value, offset, &path, best);
    }
}

fn search_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &str, best: &mut Best) {
    consider(value.span(), offset, path, best);
    match value.get_ref() {
        DeValue::Table(t) => search_table(t, offset, path, best),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                search_value(item, offset, &format!("{path}[{i}]"), best);
            }
        }
        _ => {}
    }
}

fn contains(span: Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

/// [`path_at`] for many offsets, in increasing order, in time
/// proportional to the document (plus a logarithm), not to the document
/// times the offsets.
pub struct PathCursor {
    /// (start, end, width, path) of every key and value, by start.
    entries: Vec<(usize, usize, usize, String)>,
    next: usize,
    /// Entries containing the last offset: (width, latest first).
    active: std::collections::BTreeSet<(usize, std::cmp::Reverse<usize>)>,
    /// Ends of the active entries, soonest first.
    ends: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize)>>,
    last: usize,
}

impl PathCursor {
    pub fn new(root: &DeTable<'_>) -> Self {
        let mut entries = Vec::new();
        collect_table(root, "", &mut entries);
        // Sort by start, keeping document order (the order `path_at`
        // breaks ties in) within a start.
        let mut entries: Vec<(usize, usize, usize, String)> = entries
            .into_iter()
            .map(|(span, path)| {
                let width = span.end.saturating_sub(span.start);
                (span.start, span.end.max(span.start + 1), width, path)
            })
            .collect();
        entries.sort_by_key(|e| e.0);
        PathCursor {
            entries,
            next: 0,
            active: Default::default(),
            ends: Default::default(),
            last: 0,
        }
    }

    /// The path at `offset`, as [`path_at`] gives it. Offsets must not decrease.
    pub fn at(&mut self, offset: usize) -> String {
        debug_assert!(offset >= self.last, "PathCursor offsets must not decrease");
        self.last = offset;
        while self.next < self.entries.len() && self.entries[self.next].0 <= offset {
            let (_, end, width, _) = self.entries[self.next];
            self.active.insert((width, std::cmp::Reverse(self.next)));
            self.ends.push(std::cmp::Reverse((end, self.next)));
            self.next += 1;
        }
        while let Some(std::cmp::Reverse((end, i))) = self.ends.peek().copied() {
            if end > offset {
                break;
            }
            self.ends.pop();
            self.active.remove(&(self.entries[i].2, std::cmp::Reverse(i)));
        }
        // The narrowest; among equally narrow ones, the last in document
        // order, as `path_at` chooses.
        self.active
            .first()
            .map(|(_, std::cmp::Reverse(i))| self.entries[*i].3.clone())
            .unwrap_or_default()
    }
}

fn collect_table(table: &DeTable<'_>, prefix: &str, out: &mut Vec<(Range<usize>, String)>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.push((key.span(), path.clone()));
        collect_value(value, path, out);
    }
}

fn collect_value(value: &Spanned<DeValue<'_>>, path: String, out: &mut Vec<(Range<usize>, String)>) {
    out.push((value.span(), path.clone()));
    match value.get_ref() {
        DeValue::Table(t) => collect_table(t, &path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_value(item, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The byte span of the value at a dotted path such as `interventions[1].amount`.
pub fn span_of(root: &DeTable<'_>, path: &str) -> Option<Range<usize>> {
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    let mut table = Some(root);
    for part in path.split('.') {
        let (name, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        let (_, value) = table?.iter().find(|(k, _)| k.get_ref() == name)?;
        let mut value = value;
        for index in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
            let i: usize = index.parse().ok()?;
            value = match value.get_ref() {
                DeValue::Array(items) => items.get(i)?,
                _ => return None,
            };
        }
        table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
        current = Some(value);
    }
    current.map(|v| v.span())
}

/// "did you mean" for serde's `unknown field `x`, expected one of `a`, `b`` messages.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (word, expected) = rest.split_once('`')?;
    if message.contains("did you mean") {
        return None;
    }
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    closest(word, &candidates).map(|c| format!("did you mean `{c}`?"))
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        assert_eq!(line_column("a\nbc\nd", 3), (2, 2));
        assert_eq!(line_column("a", 0), (1, 1));
    }

    #[test]
    fn paths_and_spans() {
        let text = "[scenario]\nname = 'x'\n[[villages]]\nid = 'a'\n[[villages]]\nid = 'b'\nx = { y = 3 }\n";
        let root = DeTable::parse(text).unwrap();
        let offset = text.find("3 }").unwrap();
        assert_eq!(path_at(root.get_ref(), offset), "villages[1].x.y");
        let span = span_of(root.get_ref(), "villages[1].id").unwrap();
        assert_eq!(&text[span], "'b'");
    }

    #[test]
    fn the_path_cursor_agrees_with_path_at() {
        let text = "[scenario]\nname = 'x'\n[[villages]]\nid = 'a'\n[[villages]]\nid = 'b'\nx = { y = 3, z = [1, { w = 2 }] }\n[factors.economy]\npersistence = 0.5\n";
        let root = DeTable::parse(text).unwrap();
        let mut cursor = PathCursor::new(root.get_ref());
        for offset in 0..text.len() + 2 {
            assert_eq!(cursor.at(offset), path_at(root.get_ref(), offset), "offset {offset}");
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("unknown field `amout`, expected one of `id`, `amount`, `growth`"),
            Some("did you mean `amount`?".into())
        );
        assert_eq!(closest("zzz", &["amount"]), None);
    }
}
