//! The escapers the templates use (named in `askama.toml`, by extension).

use std::fmt::{self, Write};

use askama::filters::Escaper;

/// Escapes `string` one character at a time with `e`.
fn per_char<E: Escaper, W: Write>(e: &E, mut dest: W, string: &str) -> fmt::Result {
    string.chars().try_for_each(|c| e.write_escaped_char(&mut dest, c))
}

/// HTML text and attributes: `& < > " '` as entities. askama's own HTML
/// escaper writes `"` as `&#34;`; this one keeps the brief's `&quot;`, so
/// the reports stay byte-identical to earlier releases.
#[derive(Clone, Copy)]
pub struct Html;

impl Escaper for Html {
    fn write_escaped_str<W: Write>(&self, dest: W, string: &str) -> fmt::Result {
        per_char(self, dest, string)
    }

    fn write_escaped_char<W: Write>(&self, mut dest: W, c: char) -> fmt::Result {
        match c {
            '&' => dest.write_str("&amp;"),
            '<' => dest.write_str("&lt;"),
            '>' => dest.write_str("&gt;"),
            '"' => dest.write_str("&quot;"),
            '\'' => dest.write_str("&#39;"),
            c => dest.write_char(c),
        }
    }
}

/// Markdown text (inline and table cells): every character Markdown or HTML
/// gives a meaning (`<script>`, `&lt;`, emphasis `*` `_`, links, code, table
/// bars `|`, a leading `#` heading) is backslash-escaped, and line breaks and
/// other control characters become spaces, so user text can neither end its
/// line (and start raw HTML or a heading on the next) nor format the brief.
#[derive(Clone, Copy)]
pub struct Markdown;

impl Escaper for Markdown {
    fn write_escaped_str<W: Write>(&self, dest: W, string: &str) -> fmt::Result {
        per_char(self, dest, string)
    }

    fn write_escaped_char<W: Write>(&self, mut dest: W, c: char) -> fmt::Result {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '~' | '!' => {
                dest.write_char('\\')?;
                dest.write_char(c)
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => dest.write_char(' '),
            c => dest.write_char(c),
        }
    }
}

/// [`Markdown`] on a string (for tests).
#[cfg(test)]
pub fn md(s: &str) -> String {
    askama::filters::escape(s, Markdown).map_or_else(|_| String::new(), |t| t.to_string())
}

/// Text for a Markdown code span in a table cell: no backtick (it would end
/// the span), bars escaped (GitHub tables), no line break.
pub fn md_code(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '`' => "'".to_string(),
            '|' => "\\|".to_string(),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}
