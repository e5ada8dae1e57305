//! A Chinese brief of a bundled scenario that gives Chinese names has no
//! English words in it, outside an allow-list: units and abbreviations,
//! ids and file names, kind names and paths in code, numbers. Both
//! `report.md` and the text of `report.html` (charts' SVG text included).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::villagesim;

/// Words a Chinese brief may hold: units, abbreviations and names of
/// formats that Chinese planners write in Latin letters.
const UNITS: [&str; 22] = [
    "P5", "P10", "P25", "P50", "P75", "P90", "P95", "DSCR", "SVG", "PNG", "CSV", "JSON", "SHA", "NPV", "IRR", "kW",
    "kWh", "m", "M", "A4", "html", "md",
];

/// The tool's name and the folder of the charts a brief points to; file
/// names (`below_floor.svg`, `village_years.csv`) are allowed by their ending.
const FILES: [&str; 2] = ["villagesim", "charts"];
const FILE_ENDINGS: [&str; 5] = [".svg", ".png", ".csv", ".json", ".toml"];

/// Choice values as a scenario file writes them (`at_end = "sell"`,
/// `operator = "state"`): an estimated default left unset is listed with
/// the value a planner would write to change it.
const WRITTEN_VALUES: [&str; 2] = ["sell", "state"];

/// English that comes from the parts of the brief being rewritten in
/// parallel (the lead paragraph in src/output/report/view.rs and words.rs,
/// chart titles and axes in src/charts): remove an entry once its source
/// speaks Chinese. Empty: none met on the bundled scenarios at the time of
/// writing.
const PENDING: [&str; 0] = [];

/// Runs `scenario` (a bundled file) in Chinese with few runs; returns
/// (report.md, report.html).
fn chinese_brief(dir: &Path, scenario: &str) -> (String, String) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    villagesim(dir)
        .args([
            "run",
            file.to_str().unwrap(),
            "--runs",
            "64",
            "--lang",
            "zh",
            "--out",
            "out",
            "--quiet",
        ])
        .assert()
        .success();
    let read = |name: &str| std::fs::read_to_string(dir.join("out").join(name)).unwrap();
    (read("report.md"), read("report.html"))
}

/// The ids, groups and keys of a scenario file: its own words, which a
/// brief may quote (in the provenance's command line, chart file names).
fn ids(scenario: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario)).unwrap();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        for key in ["id = \"", "group = \""] {
            if let Some(rest) = line.trim_start().strip_prefix(key) {
                out.insert(rest.split('"').next().unwrap_or_default().to_string());
            }
        }
    }
    out
}

/// `text` without what may be English: code spans, link targets, HTML
/// tags, entities, style and metadata blocks.
fn prose(text: &str) -> String {
    let mut s = text.to_string();
    // The provenance table (tool, file, command line) is code: report.md
    // writes its values in code spans, report.html in a table of its own.
    for (open, close) in [
        ("<style", "</style>"),
        ("<code>", "</code>"),
        ("<title>", "</title>"),
        ("<!--", "-->"),
        ("<table class=\"kv\">", "</table>"),
    ] {
        while let Some(a) = s.find(open) {
            let Some(b) = s[a..].find(close) else { break };
            s.replace_range(a..a + b + close.len(), " ");
        }
    }
    let mut out = String::with_capacity(s.len());
    let (mut in_tag, mut in_code, mut in_target) = (false, false, false);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' if !in_code => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            '`' if !in_tag => in_code = !in_code,
            '(' if i > 0 && chars[i - 1] == ']' => in_target = true,
            ')' if in_target => in_target = false,
            _ if in_tag || in_code || in_target => {}
            _ => out.push(c),
        }
    }
    // Entities (&amp;, &#39;) and Markdown escapes.
    let mut clean = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(a) = rest.find('&') {
        clean.push_str(&rest[..a]);
        match rest[a..].find(';').filter(|&b| b < 10) {
            Some(b) => rest = &rest[a + b + 1..],
            None => {
                clean.push('&');
                rest = &rest[a + 1..];
            }
        }
    }
    clean.push_str(rest);
    clean.replace('\\', "")
}

/// The English words of `text` that no list allows.
fn english_words(text: &str, ids: &BTreeSet<String>) -> BTreeSet<String> {
    let allowed = |w: &str| {
        UNITS.contains(&w)
            || FILES.contains(&w)
            || WRITTEN_VALUES.contains(&w)
            || PENDING.contains(&w)
            || ids.contains(w)
            || FILE_ENDINGS.iter().any(|e| w.ends_with(e))
            || w.chars().any(|c| c.is_ascii_digit())
    };
    prose(text)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map(|w| w.trim_matches(['.', '-']))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !allowed(w))
        .map(str::to_string)
        .collect()
}

fn check(scenario: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (md, html) = chinese_brief(dir.path(), scenario);
    let ids = ids(scenario);
    let md_words = english_words(&md, &ids);
    let html_words = english_words(&html, &ids);
    assert!(md_words.is_empty(), "{scenario}: English in report.md: {md_words:?}");
    assert!(
        html_words.is_empty(),
        "{scenario}: English in report.html: {html_words:?}"
    );
}

#[test]
fn the_chinese_brief_of_wuxing_is_chinese() {
    check("wuxing-2018.toml");
}

#[test]
fn the_chinese_brief_of_huining_is_chinese() {
    check("huining-2025.toml");
}

#[test]
fn the_chinese_brief_of_the_quickstart_is_chinese() {
    check("quickstart.toml");
}

#[test]
fn the_filter_finds_english() {
    let ids = BTreeSet::from(["pv-loans".to_string()]);
    let found = english_words(
        "强村光伏贷的 return rate，`pv_loan`，[图](charts/a.svg) P95 pv-loans 12.5%",
        &ids,
    );
    assert_eq!(found, BTreeSet::from(["return".to_string(), "rate".to_string()]));
    let html = "<p class=\"x\">村 &amp; <code>scenario.toml</code> not</p><style>body{}</style>";
    assert_eq!(english_words(html, &ids), BTreeSet::from(["not".to_string()]));
}

/// `run --lang zh` prints its summary in Chinese, with the policies'
/// Chinese names in a column whose figures line up on a terminal (CJK
/// characters take two columns).
#[test]
fn the_terminal_speaks_chinese_in_aligned_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/wuxing-2018.toml");
    let out = villagesim(dir.path())
        .args([
            "run",
            file.to_str().unwrap(),
            "--runs",
            "32",
            "--lang",
            "zh",
            "--out",
            "out",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("吴兴区 2018：32 次模拟 × 170 个村 × 4 年"), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" 村均收入 ") && l.starts_with("  "))
        .collect();
    assert_eq!(rows.len(), 7, "{text}");
    for name in ["无干预", "抱团购置", "强村光伏贷", "实际实施组合 + 兜底补差"] {
        assert!(
            rows.iter().any(|r| r.trim_start().starts_with(name)),
            "{name} missing:\n{text}"
        );
    }
    let column = |row: &str| unicode_width::UnicodeWidthStr::width(&row[..row.find("村均收入").unwrap()]);
    let first = column(rows[0]);
    assert!(
        rows.iter().all(|r| column(r) == first),
        "columns do not line up:\n{}",
        rows.join("\n")
    );
    assert!(!text.contains("mean village income"), "{text}");
}

/// The report of `sensitivity --lang zh` on a scenario with Chinese names
/// (the inputs in words, the treatment, how to read it) is Chinese too.
#[test]
fn the_chinese_sensitivity_report_of_wuxing_is_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "wuxing-2018.toml";
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    villagesim(dir.path())
        .args(["sensitivity", file.to_str().unwrap(), "--runs", "24", "--samples", "4"])
        .args(["--lang", "zh", "--out", "out", "--quiet"])
        .assert()
        .success();
    let read = |name: &str| std::fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    let (md, html) = (read("report.md"), read("report.html"));
    assert!(md.contains("最取决于"), "{md}");
    let ids = ids(scenario);
    let md_words = english_words(&md, &ids);
    let html_words = english_words(&html, &ids);
    assert!(
        md_words.is_empty(),
        "English in the sensitivity report.md: {md_words:?}"
    );
    assert!(
        html_words.is_empty(),
        "English in the sensitivity report.html: {html_words:?}"
    );
}

/// The brief of `villagesim sweep --lang zh` on a bundled scenario with
/// Chinese names: no English outside the allow-list either, in report.md
/// and report.html (its charts' text included), nor in the label columns
/// of sweep.csv.
#[test]
fn the_chinese_sweep_brief_of_wuxing_is_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "wuxing-2018.toml";
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    villagesim(dir.path())
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--set",
            "interventions.support-fund.return_rate_per_year=4%:8%:3",
            "--runs",
            "16",
            "--lang",
            "zh",
            "--out",
            "out",
            "--quiet",
        ])
        .assert()
        .success();
    let read = |name: &str| std::fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    let ids = ids(scenario);
    for name in ["report.md", "report.html"] {
        let words = english_words(&read(name), &ids);
        assert!(words.is_empty(), "{scenario} sweep: English in {name}: {words:?}");
    }
    let csv = read("sweep.csv");
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let labels: Vec<usize> = head
        .iter()
        .enumerate()
        .filter(|(_, h)| h.ends_with("_label"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(labels.len(), 2, "{head:?}");
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let text: String = labels.iter().map(|&i| format!("{} ", cells[i])).collect();
        let words = english_words(&text, &ids);
        assert!(words.is_empty(), "English in a label column: {words:?} in {line}");
    }
}
