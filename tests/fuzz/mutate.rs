//! Mutations of real files: byte flips, deleted, duplicated and swapped
//! lines, values replaced by others of another type, numbers replaced by
//! extremes, emptied arrays, inserted stray lines and truncation. Used on
//! the bundled scenarios and (in `results_json`) on a saved results.json.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};

use crate::grammar::{EXTREME_NUMBERS, EXTREME_STRINGS, MALFORMED};

/// The scenarios shipped with villagesim.
pub const BUNDLED: &[(&str, &str)] = &[
    ("quickstart", include_str!("../../scenarios/quickstart.toml")),
    ("wuxing-2018", include_str!("../../scenarios/wuxing-2018.toml")),
    ("huining-2025", include_str!("../../scenarios/huining-2025.toml")),
    ("template", include_str!("../../scenarios/template.toml")),
];

/// One edit of a text.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replace the number at (the index modulo the count of numbers).
    Number(Index, &'static str),
    /// Replace the value of a `key = value` (or `"key": value`) line.
    Value(Index, &'static str),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Empty the array opening at the chosen `[`.
    EmptyArray(Index),
    /// Empty an array that follows the given text (`"policies": [`).
    EmptyNamed(&'static str, Index),
    InsertLine(Index, &'static str),
    FlipBit(Index, u8),
    Truncate(Index),
}

/// Lines a mutation may insert into a scenario.
const SCENARIO_LINES: &[&str] = &[
    "[scenario]",
    "[[villages]]",
    "[[interventions]]",
    "[[policies]]",
    "[targets]",
    "runs = 1e400",
    "years = 100",
    "floor = \"1.7e308\"",
    "x = 1",
    "count = 100000",
    "growth = 120",
    "operating_income = 1e307",
    "villages = \"all\"",
    "kind = \"capacity\"",
    "id = \"four-tickets\"",
    "loadings = { economy = 5 }",
];

/// Values that replace others, of every type.
fn replacements() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    all.extend_from_slice(EXTREME_NUMBERS);
    all.extend_from_slice(EXTREME_STRINGS);
    all.extend_from_slice(MALFORMED);
    all
}

/// A sequence of 1 to 4 mutations, with the given kinds of replacement.
pub fn mutations(
    numbers: Vec<&'static str>,
    values: Vec<&'static str>,
    lines: Vec<&'static str>,
    arrays: Vec<&'static str>,
) -> BoxedStrategy<Vec<Mutation>> {
    let one = prop_oneof![
        4 => (any::<Index>(), select(numbers)).prop_map(|(i, v)| Mutation::Number(i, v)),
        3 => (any::<Index>(), select(values)).prop_map(|(i, v)| Mutation::Value(i, v)),
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => any::<Index>().prop_map(Mutation::EmptyArray),
        1 => (select(arrays), any::<Index>()).prop_map(|(a, i)| Mutation::EmptyNamed(a, i)),
        2 => (any::<Index>(), select(lines)).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        2 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ];
    vec(one, 1..5).boxed()
}

/// A bundled scenario with mutations applied.
pub fn mutated() -> BoxedStrategy<String> {
    let numbers: Vec<&'static str> = EXTREME_NUMBERS.iter().chain(EXTREME_STRINGS).copied().collect();
    (
        select((0..BUNDLED.len()).collect::<Vec<_>>()),
        mutations(
            numbers,
            replacements(),
            SCENARIO_LINES.to_vec(),
            vec!["interventions = [", "villages = ["],
        ),
    )
        .prop_map(|(i, ms)| apply(BUNDLED[i].1, &ms))
        .boxed()
}

/// Applies the mutations in turn.
pub fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        bytes = apply_one(bytes, m);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply_one(bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    match m {
        Mutation::Number(i, v) => {
            let spans = number_spans(&bytes);
            if spans.is_empty() {
                return bytes;
            }
            let (start, end) = spans[i.index(spans.len())];
            splice(&bytes, start, end, v.as_bytes())
        }
        Mutation::Value(i, v) => {
            let spans = value_spans(&bytes);
            if spans.is_empty() {
                return bytes;
            }
            let (start, end) = spans[i.index(spans.len())];
            splice(&bytes, start, end, v.as_bytes())
        }
        Mutation::DeleteLine(i) => {
            let mut lines = lines_of(&bytes);
            let n = lines.len();
            lines.remove(i.index(n));
            lines.join(&b'\n')
        }
        Mutation::DuplicateLine(i) => {
            let mut lines = lines_of(&bytes);
            let k = i.index(lines.len());
            let copy = lines[k].clone();
            lines.insert(k, copy);
            lines.join(&b'\n')
        }
        Mutation::SwapLines(a, b) => {
            let mut lines = lines_of(&bytes);
            let n = lines.len();
            lines.swap(a.index(n), b.index(n));
            lines.join(&b'\n')
        }
        Mutation::EmptyArray(i) => {
            let opens: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'[')
                .map(|(k, _)| k)
                .collect();
            if opens.is_empty() {
                return bytes;
            }
            empty_array(bytes, opens[i.index(opens.len())])
        }
        Mutation::EmptyNamed(name, i) => {
            let opens: Vec<usize> = bytes
                .windows(name.len())
                .enumerate()
                .filter(|(_, w)| *w == name.as_bytes())
                .map(|(k, _)| k + name.len() - 1)
                .collect();
            if opens.is_empty() {
                return bytes;
            }
            empty_array(bytes, opens[i.index(opens.len())])
        }
        Mutation::InsertLine(i, l) => {
            let mut lines = lines_of(&bytes);
            let k = i.index(lines.len() + 1);
            lines.insert(k, l.as_bytes().to_vec());
            lines.join(&b'\n')
        }
        Mutation::FlipBit(i, bit) => {
            let mut bytes = bytes;
            let k = i.index(bytes.len());
            bytes[k] ^= 1 << bit;
            bytes
        }
        Mutation::Truncate(i) => {
            let mut bytes = bytes;
            bytes.truncate(i.index(bytes.len()));
            bytes
        }
    }
}

/// Removes everything between the `[` at `start` and its `]`.
fn empty_array(bytes: Vec<u8>, start: usize) -> Vec<u8> {
    let mut depth = 0usize;
    for (k, &b) in bytes.iter().enumerate().skip(start) {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return splice(&bytes, start + 1, k, b"");
                }
            }
            _ => {}
        }
    }
    bytes
}

fn splice(bytes: &[u8], start: usize, end: usize, with: &[u8]) -> Vec<u8> {
    let mut out = bytes[..start].to_vec();
    out.extend_from_slice(with);
    out.extend_from_slice(&bytes[end..]);
    out
}

/// Byte spans of the numbers in a text (not inside words such as `p10`).
fn number_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        let prev = if k == 0 { b' ' } else { bytes[k - 1] };
        let starts = (b.is_ascii_digit() || (b == b'-' && bytes.get(k + 1).is_some_and(u8::is_ascii_digit)))
            && !(prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'-' || prev == b'.');
        if starts {
            let mut end = k + 1;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit()
                    || matches!(bytes[end], b'.' | b'e' | b'E' | b'_')
                    || (matches!(bytes[end], b'+' | b'-') && matches!(bytes[end - 1], b'e' | b'E')))
            {
                end += 1;
            }
            spans.push((k, end));
            k = end;
        } else {
            k += 1;
        }
    }
    spans
}

/// Byte spans of the values of `key = value` and `"key": value` lines, up to
/// a comment or a trailing comma.
fn value_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in bytes.split(|&b| b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let sep = if text.trim_start().starts_with('"') {
            text.find("\": ").map(|k| k + 3)
        } else {
            text.find(" = ").map(|k| k + 3)
        };
        if let Some(start) = sep {
            let rest = &text[start..];
            let mut end = rest.find("  #").unwrap_or(rest.len());
            if rest[..end].trim_end().ends_with(',') {
                end = rest[..end].trim_end().len() - 1;
            }
            if start + end <= line.len() && end > 0 {
                spans.push((offset + start, offset + start + end));
            }
        }
        offset += line.len() + 1;
    }
    spans
}

#[test]
fn spans_of_numbers_and_values() {
    let text = "a = 1\nb = \"x\"  # note\nc = [1, 2e-3]\n  \"p10\": -4.5,\n";
    let numbers: Vec<&str> = number_spans(text.as_bytes())
        .iter()
        .map(|&(s, e)| &text[s..e])
        .collect();
    assert_eq!(numbers, ["1", "1", "2e-3", "-4.5"]);
    let values: Vec<&str> = value_spans(text.as_bytes()).iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(values, ["1", "\"x\"", "[1, 2e-3]", "-4.5"]);
}
