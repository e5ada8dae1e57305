//! The assumptions a scenario file flags itself: comments that call a value
//! an estimate or an assumption, and defaults of the kinds' parameters that
//! are estimates and that the file leaves unset.
//!
//! Reports list them so a reader sees which figures rest on judgement
//! rather than on a source. A comment on the same line as a key annotates
//! that key; a block of comment lines annotates the next key or table
//! below it. Comments before the first key or table (the file's preamble)
//! describe the file and are not read.

use toml::de::{DeTable, DeValue};

use super::error::PathCursor;
use crate::model::Assumption;

/// Words that mark a comment as flagging an estimate or an assumption
/// (matched case-insensitively).
const MARKERS: [&str; 6] = ["estimate", "assum", "估计", "估算", "假设", "假定"];

/// Whether `text` holds Chinese characters.
fn has_cjk(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// The sentences of a comment's note that are Chinese, if any: a file may
/// write its notes in both languages, one line each.
fn chinese_part(note: &str) -> Option<String> {
    let parts: Vec<&str> = note
        .split_inclusive(['。', '；'])
        .flat_map(|s| s.split(". "))
        .map(str::trim)
        .filter(|s| mostly_chinese(s))
        .collect();
    (!parts.is_empty()).then(|| parts.join(""))
}

/// The note without its Chinese sentences, for outputs in English: a file
/// that writes a note in both languages ("estimate。估计值。") is quoted in
/// the language of the output. The whole note when it has no other part.
fn english_part(note: &str) -> String {
    let parts: Vec<&str> = note
        .split_inclusive(['。', '；'])
        .flat_map(|s| s.split_inclusive(". "))
        .map(|s| s.trim().trim_end_matches(['。', '；']).trim())
        .filter(|s| !s.is_empty() && !mostly_chinese(s))
        .collect();
    if parts.is_empty() {
        note.to_string()
    } else {
        parts.join(" ")
    }
}

/// A sentence written in Chinese: as many Chinese characters as Latin
/// letters (a Chinese term inside an English sentence does not make it one).
fn mostly_chinese(s: &str) -> bool {
    let cjk = s.chars().filter(|c| has_cjk(&c.to_string())).count();
    cjk > 0 && cjk >= s.chars().filter(char::is_ascii_alphabetic).count()
}

fn is_marked(text: &str) -> bool {
    let lower = text.to_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

/// Byte offset of the `#` that starts a comment on `line`, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let (mut basic, mut literal, mut escaped) = (false, false, false);
    for (i, c) in line.char_indices() {
        if basic {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => basic = false,
                _ => {}
            }
        } else if literal {
            if c == '\'' {
                literal = false;
            }
        } else {
            match c {
                '"' => basic = true,
                '\'' => literal = true,
                '#' => return Some(i),
                _ => {}
            }
        }
    }
    None
}

/// The text of a comment line without `#` and decoration rules (`# --- Villages ---`).
fn comment_text(comment: &str) -> String {
    let t = comment.trim_start_matches('#').trim();
    let t = t.trim_matches(|c: char| c == '-' || c == '=' || c.is_whitespace());
    t.to_string()
}

/// Sentences of `text` that carry a marker (all of it if it is one sentence).
fn marked_sentences(text: &str) -> String {
    let mut sentences = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(". ") {
        sentences.push(&rest[..=i]);
        rest = &rest[i + 2..];
    }
    if !rest.trim().is_empty() {
        sentences.push(rest);
    }
    let marked: Vec<&str> = sentences.into_iter().filter(|s| is_marked(s)).map(str::trim).collect();
    marked.join(" ")
}

/// Replaces array indices of the scenario's lists by the names a reader
/// knows them by: `interventions[0].amount` -> `interventions[four-tickets].amount`.
fn readable_path(root: &DeTable<'_>, path: &str) -> String {
    let Some((head, rest)) = path.split_once('[') else {
        return path.to_string();
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return path.to_string();
    };
    let Ok(index) = index.parse::<usize>() else {
        return path.to_string();
    };
    let label = root
        .iter()
        .find(|(k, _)| k.get_ref() == head)
        .and_then(|(_, v)| match v.get_ref() {
            DeValue::Array(items) => items.get(index),
            _ => None,
        })
        .and_then(|item| match item.get_ref() {
            DeValue::Table(t) => ["id", "group", "name", "file"].iter().find_map(|key| {
                t.iter()
                    .find(|(k, _)| k.get_ref() == key)
                    .and_then(|(_, v)| match v.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    })
            }),
            _ => None,
        })
        .unwrap_or_else(|| index.to_string());
    format!("{head}[{label}]{tail}")
}

/// Every assumption the scenario `text` (parsed as `root`) flags, in file
/// order, then the estimated defaults it relies on.
pub fn assumptions(text: &str, root: &DeTable<'_>) -> Vec<Assumption> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut seen_code = false;
    // A pending block of comment-only lines: (first line, text).
    let mut block: Option<(usize, Vec<String>)> = None;
    // Lines come in increasing offsets: one sweep finds every line's key.
    let mut paths = PathCursor::new(root);
    for (n, raw_line) in text.split_inclusive('\n').enumerate() {
        let line_no = n + 1;
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw_line.len();
        let code_start = line.len() - line.trim_start().len();
        let comment = comment_start(line);
        let is_comment_only = comment == Some(code_start);
        if line.trim().is_empty() {
            continue;
        }
        if is_comment_only {
            if seen_code {
                let text = comment_text(&line[code_start..]);
                block.get_or_insert_with(|| (line_no, Vec::new())).1.push(text);
            }
            continue;
        }
        seen_code = true;
        let key = readable_path(root, &paths.at(start + code_start));
        if let Some((first, lines)) = block.take() {
            let joined = lines
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if is_marked(&joined) {
                out.push(Assumption {
                    key: key.clone(),
                    line: Some(first),
                    note: marked_sentences(&english_part(&joined)),
                    note_zh: chinese_part(&joined),
                });
            }
        }
        if let Some(c) = comment {
            let note = comment_text(&line[c..]);
            if is_marked(&note) {
                out.push(Assumption {
                    key,
                    line: Some(line_no),
                    note_zh: chinese_part(&note),
                    note: english_part(&note),
                });
            }
        }
    }
    out.extend(estimated_defaults(root));
    out
}

/// Parameters left unset whose documented default is an estimate.
fn estimated_defaults(root: &DeTable<'_>) -> Vec<Assumption> {
    let Some(DeValue::Array(items)) = root
        .iter()
        .find(|(k, _)| k.get_ref() == "interventions")
        .map(|(_, v)| v.get_ref())
    else {
        return Vec::new();
    };
    let docs = crate::model::docs();
    let mut out = Vec::new();
    for item in items {
        let DeValue::Table(t) = item.get_ref() else { continue };
        let get = |key: &str| {
            t.iter()
                .find(|(k, _)| k.get_ref() == key)
                .and_then(|(_, v)| match v.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
        };
        let (Some(id), Some(kind)) = (get("id"), get("kind")) else {
            continue;
        };
        let Some(doc) = docs.iter().find(|d| d.kind == kind) else {
            continue;
        };
        for p in doc.params {
            let set = t.iter().any(|(k, _)| k.get_ref() == p.name);
            if !set && !p.is_required() && p.is_estimate() {
                out.push(Assumption {
                    key: format!("interventions[{id}].{}", p.name),
                    line: None,
                    note: format!("not set in the file: default {} ({})", p.default_text(), p.meaning),
                    note_zh: Some(format!(
                        "文件未设定，采用默认值 {}（{}，为估计值）",
                        default_zh(p),
                        p.label_zh
                    )),
                });
            }
        }
    }
    out
}

/// A default as a number or as written, without its English source.
fn default_zh(p: &crate::model::params::ParamSpec) -> String {
    use crate::model::params::DefaultValue;
    match p.default {
        DefaultValue::Number(x) => crate::format::grouped_exact(x),
        DefaultValue::Written(s) => s.to_string(),
        DefaultValue::Required => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(text: &str) -> Vec<Assumption> {
        let root = DeTable::parse(text).unwrap();
        assumptions(text, root.get_ref())
    }

    #[test]
    fn inline_and_block_comments_annotate_their_key() {
        let text = "# Preamble: every estimate is marked.\n\n[scenario]\nname = \"x # not a comment\"\nrate = 0.04  # estimate: LPR less inflation\n\n# Source: the report. The count is an assumption.\n\n[[villages]]\ngroup = \"weak\"\ncount = 3 # report\n";
        let n = notes(text);
        assert_eq!(n.len(), 2, "{n:?}");
        assert_eq!(n[0].key, "scenario.rate");
        assert_eq!(n[0].line, Some(5));
        assert_eq!(n[0].note, "estimate: LPR less inflation");
        assert!(n[1].key.starts_with("villages[weak]"), "{}", n[1].key);
        assert_eq!(n[1].line, Some(7));
        assert_eq!(n[1].note, "The count is an assumption.");
    }

    #[test]
    fn unset_estimated_defaults_are_listed() {
        let text = "[[interventions]]\nid = \"pv\"\nkind = \"pv_loan\"\nloan_rate_per_year = 0.04\n";
        let n = notes(text);
        assert!(
            n.iter().any(|a| a.key == "interventions[pv].om_per_kw_per_year_yuan"),
            "{n:?}"
        );
        assert!(!n.iter().any(|a| a.key == "interventions[pv].loan_rate_per_year"));
        let om = n
            .iter()
            .find(|a| a.key == "interventions[pv].om_per_kw_per_year_yuan")
            .unwrap();
        assert!(om.note.starts_with("not set in the file: default"), "{}", om.note);
        assert!(
            om.note_zh
                .as_deref()
                .is_some_and(|z| z.starts_with("文件未设定，采用默认值") && z.contains("每千瓦年运维费")),
            "{om:?}"
        );
    }

    #[test]
    fn the_chinese_sentences_of_a_note_are_its_chinese() {
        let text = "[scenario]\nrate = 0.04 # estimate: LPR less inflation。估计：贷款利率减通胀。\nyears = 2 # an assumption\n";
        let n = notes(text);
        assert_eq!(n[0].note_zh.as_deref(), Some("估计：贷款利率减通胀。"), "{n:?}");
        assert_eq!(n[0].note, "estimate: LPR less inflation", "{n:?}");
        assert_eq!(n[1].note_zh, None);
        assert_eq!(n[1].note, "an assumption");
    }

    #[test]
    fn a_note_in_english_leaves_out_its_chinese_sentences() {
        assert_eq!(
            english_part("log growth per village-year; estimate。每村每年的对数增长率；估计值。"),
            "log growth per village-year; estimate"
        );
        assert_eq!(english_part("估计值。"), "估计值。");
        assert_eq!(
            english_part("the \"薄弱村\" line; estimate"),
            "the \"薄弱村\" line; estimate"
        );
        let block = "[scenario]\n# Tier counts are an estimate. Other words.\n# 各档村数为估计。\nyears = 2\n";
        let n = notes(block);
        assert_eq!(n[0].note, "Tier counts are an estimate.", "{n:?}");
        assert_eq!(n[0].note_zh.as_deref(), Some("各档村数为估计。"), "{n:?}");
    }
}
