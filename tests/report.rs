//! The policy brief: report.html is self-contained and well formed, every
//! section and chart is in it, `villagesim report` rebuilds byte-identical
//! charts from the saved results, in English and Chinese.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::villagesim;
use predicates::str::contains;

const CHARTS: [&str; 3] = ["fan_mean_income", "below_floor", "final_distribution"];

const SCENARIO: &str = r#"
[scenario]
name = "Report county"
description = "Six villages & one measure <for the brief>"
start_year = 2025
years = 4
runs = 300
seed = 11

[targets]
floor = "50万"
weak = "30万"

[[villages]]
group = "weak"
township = "Hillside"
count = 4
operating_income = "15万 to 30万"   # estimate: no published figures
growth = { normal = { mean = 0.04, sd = 0.08 } }

[[villages]]
group = "strong"
count = 2
operating_income = "60万 to 120万"
growth = 0.03

[[interventions]]
id = "stream"
kind = "income_stream"
name = "Four-ticket income"
villages = { group = "weak" }
start_year = 2025
amount = "10万 to 25万"

[[interventions]]
id = "training"
kind = "capacity"
name = "Cadre training"
villages = { group = "weak" }
start_year = 2026
target = "returns"
uplift = "2% to 6%"

[[policies]]
name = "package"
description = "income stream with training"
interventions = ["stream", "training"]
"#;

/// Runs the test scenario into `dir/out` with extra arguments; returns the output folder.
fn run(dir: &Path, extra: &[&str]) -> PathBuf {
    common::write(dir, "county.toml", SCENARIO);
    let mut args = vec!["run", "county.toml", "--out", "out", "--quiet"];
    args.extend_from_slice(extra);
    villagesim(dir).args(&args).assert().success();
    dir.join("out")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn chart_bytes(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for stem in CHARTS {
        for ext in ["svg", "png"] {
            let name = format!("charts/{stem}.{ext}");
            let bytes = std::fs::read(out.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            files.insert(name, bytes);
        }
    }
    files
}

/// HTML elements without an end tag.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "link", "input"];

/// A small well-formedness check: every element is closed in order (void
/// elements and `/>` aside), attributes are quoted, and text holds no raw
/// `<`. Returns the element names in document order.
fn check_well_formed(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i += html[i..].find("-->").expect("comment closed") + 3;
            continue;
        }
        if html[i..].starts_with("<!") {
            i += html[i..].find('>').expect("doctype closed") + 1;
            continue;
        }
        // Find the end of the tag, skipping quoted attribute values.
        let mut j = i + 1;
        let mut quote: Option<u8> = None;
        while j < b.len() {
            match (quote, b[j]) {
                (Some(q), c) if c == q => quote = None,
                (None, b'"') | (None, b'\'') => quote = Some(b[j]),
                (None, b'>') => break,
                (None, b'<') => panic!("'<' inside a tag at byte {j}: {}", &html[i..j.min(i + 80)]),
                _ => {}
            }
            j += 1;
        }
        assert!(j < b.len(), "unterminated tag at byte {i}");
        let tag = &html[i + 1..j];
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(
            !name.is_empty(),
            "raw '<' in text at byte {i}: {}",
            &html[i..j.min(i + 80)]
        );
        if closing {
            let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else {
            seen.push(name.clone());
            if !self_closing && !VOID.contains(&name.as_str()) {
                if name == "style" || name == "script" {
                    let end = format!("</{name}>");
                    j += html[j..].find(&end).expect("raw text element closed") + end.len() - 1;
                } else {
                    stack.push(name);
                }
            }
        }
        i = j + 1;
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    seen
}

#[test]
fn report_html_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[]);
    let html = read(&out.join("report.html"));
    let md = read(&out.join("report.md"));
    for text in [&html, &md] {
        assert!(!text.contains("http://") && !text.contains("https://"), "external URL");
    }
    // Nothing is loaded from elsewhere: no scripts, links, images or imports.
    for forbidden in [
        "<script", "<link", "<img", "<iframe", "<object", "@import", "src=", "href=",
    ] {
        assert!(!html.contains(forbidden), "report.html contains {forbidden}");
    }
    // The page carries the font once: one @font-face, none left in the
    // inlined charts (each standalone SVG keeps its own).
    assert_eq!(html.matches("@font-face").count(), 1, "@font-face rules in report.html");
    let svg = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.path().extension().is_some_and(|x| x == "svg"))
        .map(|e| read(&e.path()))
        .expect("a chart");
    assert_eq!(svg.matches("@font-face").count(), 1, "a chart file keeps its font");
    // The only url() is the page's font embedded as data.
    assert_eq!(
        html.matches("url(").count(),
        html.matches("url(data:font/otf;base64,").count(),
        "report.html loads something by url()"
    );
    let elements = check_well_formed(&html);
    // Every chart the run drew is in the report, once.
    let mut stems: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    stems.sort();
    assert!(stems.len() > CHARTS.len(), "decision charts missing: {stems:?}");
    assert_eq!(elements.iter().filter(|e| *e == "svg").count(), stems.len());
    for stem in &stems {
        assert!(html.contains(&format!("id=\"chart-{stem}\"")), "{stem} missing");
        assert!(
            md.contains(&format!("](charts/{stem}.png)")),
            "{stem} missing from report.md"
        );
        assert!(out.join(format!("charts/{stem}.png")).is_file());
    }
    for heading in [
        "The question and the policies compared",
        "Headline figures",
        "Charts",
        "Villages at risk",
        "All villages",
        "Assumptions",
        "Provenance",
    ] {
        assert!(html.contains(heading), "report.html lacks {heading}");
        assert!(md.contains(heading), "report.md lacks {heading}");
    }
    assert!(html.contains("@page { size: A4"));
    // User text is escaped, figures are in sentences with intervals.
    assert!(html.contains("Six villages &amp; one measure &lt;for the brief&gt;"));
    assert!(html.contains("runs out of 10") || html.contains("of the 300 runs"));
    assert!(html.contains("90% of runs"));
    // Every village is in the full table; assumptions are flagged.
    for v in ["weak 01", "weak 04", "strong 01", "strong 02"] {
        assert!(html.contains(v), "village {v} missing");
    }
    assert!(html.contains("Cadre training (capacity) [assumption]"));
    assert!(html.contains("estimate: no published figures"));
    assert!(html.contains("villages[weak].operating_income"));
    // Provenance comes from the manifest.
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert!(html.contains(manifest["scenario_sha256"].as_str().unwrap()));
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert!(files.contains(&"report.html") && files.contains(&"report.md"));
}

#[test]
fn report_command_rebuilds_identical_charts_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[]);
    let charts = chart_bytes(&out);
    let html = std::fs::read(out.join("report.html")).unwrap();
    let results = std::fs::read(out.join("results.json")).unwrap();
    let village_years = std::fs::read(out.join("village_years.bin")).unwrap();
    // Remove the charts and reports: they must come back from results.json
    // and village_years.bin alone.
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    villagesim(dir.path())
        .args(["report", "out"])
        .assert()
        .success()
        .stdout(contains("without simulating"));
    assert!(chart_bytes(&out) == charts, "charts differ after `villagesim report`");
    assert!(std::fs::read(out.join("report.html")).unwrap() == html);
    assert!(std::fs::read(out.join("results.json")).unwrap() == results);
    assert!(std::fs::read(out.join("village_years.bin")).unwrap() == village_years);
    assert!(
        std::fs::read_dir(&out)
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().starts_with(".staging")),
        "staging folder left behind"
    );

    // A Chinese run, then the same through `report --lang zh` on the English output.
    let zh_dir = tempfile::tempdir().unwrap();
    let zh_out = run(zh_dir.path(), &["--lang", "zh"]);
    villagesim(dir.path())
        .args(["report", "out", "--lang", "zh"])
        .assert()
        .success();
    assert!(
        chart_bytes(&out) == chart_bytes(&zh_out),
        "zh charts differ between run and report"
    );
    assert!(chart_bytes(&out) != charts, "--lang zh changed no chart");
}

#[test]
fn chinese_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--lang", "zh"]);
    let html = read(&out.join("report.html"));
    let md = read(&out.join("report.md"));
    check_well_formed(&html);
    for text in [&html, &md] {
        for heading in [
            "问题与比较的政策",
            "主要结论",
            "图表",
            "风险村",
            "全部村庄",
            "假设与估计",
            "来源与可追溯信息",
        ] {
            assert!(text.contains(heading), "missing {heading}");
        }
        assert!(text.contains("万元"));
        assert!(text.contains("50万元"), "floor in 万元");
        assert!(!text.contains("Headline figures"));
    }
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("无干预"), "chart legend in Chinese");
}

#[test]
fn report_without_results_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    villagesim(dir.path())
        .args(["report", "empty"])
        .assert()
        .code(1)
        .stderr(contains("no results.json"));
    // A results file of another format version is refused with the versions named.
    let out = run(dir.path(), &[]);
    let path = out.join("results.json");
    let mut results: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    results["format_version"] = serde_json::json!(999);
    std::fs::write(&path, serde_json::to_vec(&results).unwrap()).unwrap();
    villagesim(dir.path())
        .args(["report", "out"])
        .assert()
        .code(1)
        .stderr(contains("results format 999"));
    villagesim(dir.path())
        .args(["report", "out", "--lang", "fr"])
        .assert()
        .code(2);
}
