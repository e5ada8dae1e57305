//! The report's lead on a scenario built so that exactly one policy lifts
//! villages: three villages fixed at 20万 under a floor of 50万, a top-up
//! that lifts them (2,700,000 yuan of public money over three years) and a
//! small income stream that lifts none. Every figure is exact, so the lead's
//! numbers and sentences are asserted word for word, in English and
//! Chinese, for `run` and for `compare`.

mod common;

use std::path::{Path, PathBuf};

use common::villagesim;

const SCENARIO: &str = r#"
[scenario]
name = "Lead county"
start_year = 2025
years = 3
runs = 200
seed = 3

[targets]
floor = "50万"
weak = "30万"
year = 2027

[backtest]
year = 2026
full_coverage = true
source = "County report"

[[villages]]
id = "dongshan"
name = "Dongshan"
township = "Hill"
group = "weak"
operating_income = "20万"
growth = 0

[[villages]]
id = "xishan"
name = "Xishan"
township = "Hill"
group = "weak"
operating_income = "20万"
growth = 0

[[villages]]
id = "nanhe"
name = "Nanhe"
township = "River"
group = "weak"
operating_income = "20万"
growth = 0

[[villages]]
id = "beiling"
name = "Beiling"
township = "River"
operating_income = "80万"
growth = 0

[[interventions]]
id = "top"
kind = "top_up"
name = "Top-up to the floor"
villages = { group = "weak" }
start_year = 2025
booked_as = "investment-income"

[[interventions]]
id = "stream"
kind = "income_stream"
name = "Small stream"
villages = { group = "weak" }
start_year = 2025
amount = "10万"

[[policies]]
name = "top-up"
interventions = ["top"]

[[policies]]
name = "stream"
interventions = ["stream"]
"#;

/// Runs `args` on the scenario into `dir/out`; returns report.md.
fn report(dir: &Path, args: &[&str]) -> String {
    common::write(dir, "lead.toml", SCENARIO);
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["lead.toml", "--out", "out", "--quiet"]);
    villagesim(dir).args(&all).assert().success();
    let path: PathBuf = dir.join("out").join("report.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of section 2, the headline.
fn headline(md: &str) -> &str {
    let start = md.find("\n## 2").or_else(|| md.find("\n## 二")).expect("section 2");
    let end = md[start + 4..].find("\n## ").map_or(md.len(), |e| start + 4 + e);
    &md[start..end]
}

fn assert_has(text: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(text.contains(w), "missing {w:?} in:\n{text}");
    }
}

#[test]
fn the_lead_answers_the_question_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), &["run"]);
    let h = headline(&md);
    assert_has(
        h,
        &[
            "**In 2027, 0 villages stay below the floor of 500,000 yuan under “top-up”, the policy that leaves the fewest; without any measure, 3.**",
            "| top-up | 0 | 2025 | 2,700,000 | 2,700,000 | 900,000 |",
            "| stream | 3 | after 2027 | 0 | 0 | – |",
            "3 villages stay below the floor of 500,000 yuan in 2027. Below the floor in at least 20% of runs (chance in brackets): Hill: Dongshan (100%), Xishan (100%); River: Nanhe (100%). Full coverage (every village at the floor) is reached in none of the 200 runs within the horizon (2027).",
            "no village is below the floor of 500,000 yuan in 2027, in any run. Every village is at the floor by 2025 in at least half the runs (the median first year of full coverage); by 2027, in every one of the 200 runs. Public cost (fiscal cost over the horizon, section 4): 2,700,000 yuan. Money committed over the horizon: 2,700,000 yuan in all, of which public money moved 2,700,000 yuan. It lifts 3 villages above the floor in 2027 against no intervention: 900,000 yuan of public cost per village lifted. In 2027 the measures add 900,000 yuan to the official operating income (the target line)",
            "It commits no bank, village or public money. It lifts fewer than one village above the floor in 2027 on average against no intervention.",
            "The model puts the observed full coverage (every village at the floor) in 2026 in 0 of 200 runs under “no intervention” and “stream”: it does not reproduce it. The model puts the observed full coverage (every village at the floor) in 2026 in 200 of 200 runs under “top-up”: it reproduces it.",
        ],
    );
    // Section 5: the villages at risk first, unmarked (all are at risk);
    // the summary by township; the full table, where only the village
    // names of the rows at risk are in bold.
    assert_has(
        &md,
        &[
            "### Villages at risk\n\n",
            "| ※ | Dongshan | Hill / weak | 200,000 | 300,000 | 300,000 | 300,000 | 100% | 100% |",
            "| Hill | 2 | 300,000 | 2.0 | 2 | 2.0 |\n| River | 2 | 550,000 | 1.0 | 1 | 1.0 |",
            "### All villages (4)",
            "| ※ | **Dongshan** | Hill / weak | 200,000 |",
            "|  | Beiling | River | 800,000 |",
        ],
    );
    assert!(
        md.find("### Villages at risk") < md.find("### By township")
            && md.find("### By township") < md.find("### All villages")
    );
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert_has(&html, &["<details>\n<summary>All villages (4)</summary>", "</details>"]);
    // One policy lifts villages: only it has a cost per village lifted.
    assert_eq!(h.matches("per village lifted.").count(), 1, "{h}");
    // The lead never speaks of half the runs when no run reaches full coverage.
    assert!(!h.contains("not reached by 2027 in half the runs"), "{h}");
}

#[test]
fn the_lead_answers_the_question_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), &["run", "--lang", "zh"]);
    let h = headline(&md);
    assert_has(
        h,
        &[
            "**2027年，在“top-up”（低于底线村数最少的政策）下有 0 个村低于底线 50万元；不采取任何措施时为 3 个。**",
            "| top-up | 0 | 2025 | 270 | 270 | 90 |",
            "2027年有 3 个村低于底线 50万元。至少 20% 的模拟中低于底线的村（括号内为概率）：Hill：Dongshan (100%)、Xishan (100%)；River：Nanhe (100%)。期内（至2027年）200 次模拟中没有一次实现全覆盖（所有村达到底线）。",
            "2027年在任何一次模拟中都没有村低于底线 50万元。半数及以上的模拟到2025年已实现所有村达到底线（全覆盖首年的中位数）；到2027年，200 次模拟中每次都实现全覆盖。财政成本（期内，见第四部分）：270万元。期内投入资金合计 270万元，其中动用财政资金 270万元。与无干预相比，2027年使 3 个村达到底线：每个达标村的财政成本 90万元。",
            "不动用银行贷款、村集体出资或财政资金。与无干预相比，2027年平均达到底线的村不足 1 个。",
            "2026年实际观测到的全覆盖（所有村达到底线）仅出现在 200 次模拟中的 0 次：模型未能再现这一观测。",
        ],
    );
}

#[test]
fn compare_leads_with_the_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), &["compare"]);
    let h = headline(&md);
    let lead = "**Compared run by run with “no intervention” in 2027, on the same random draws: fewer villages stay below the floor under “top-up” in every one of the 200 runs; under “stream” in none of the 200 runs.**";
    assert_has(
        h,
        &[
            lead,
            "against “no intervention”: fewer villages below the floor in every one of the 200 runs, more in none of the 200 runs; villages below the floor -3 on average. Higher mean village income in every one of the 200 runs; the difference is +225,000 yuan a village.",
        ],
    );
    // The pairs come first, and the run report's lead is not repeated.
    assert!(h.find(lead) < h.find("| Policy |"), "{h}");
    assert!(!h.contains("the policy that leaves the fewest"), "{h}");
    // In Chinese too, every chance reads as a clause with its verb.
    let zh_dir = tempfile::tempdir().unwrap();
    let zh = report(zh_dir.path(), &["compare", "--lang", "zh"]);
    assert_has(
        headline(&zh),
        &[
            "**2027年与“无干预”在相同随机抽样下逐次配对比较：“top-up”200 次模拟中每次都使低于底线的村更少；“stream”200 次模拟中没有一次使低于底线的村更少。**",
            "与“无干预”相比：200 次模拟中每次都使低于底线的村更少，200 次模拟中没有一次使其更多；低于底线的村平均 -3 个。200 次模拟中每次都使村均收入更高；差额为每村 +22.5万元。",
        ],
    );
    // `run` has no pairs lead.
    let run_dir = tempfile::tempdir().unwrap();
    assert!(!report(run_dir.path(), &["run"]).contains("Compared run by run"));
}

/// `compare` records its reference in the results: `villagesim report`
/// rebuilds the pairs lead from results.json alone, whatever the manifest's
/// command line says; a reference that names no policy is refused.
#[test]
fn compare_records_its_reference_in_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), &["compare", "--reference", "stream"]);
    let lead = "**Compared run by run with “stream” in 2027";
    assert!(headline(&md).contains(lead), "{md}");
    let out = dir.path().join("out");
    let results_path = out.join("results.json");
    let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&results_path).unwrap()).unwrap();
    assert_eq!(results["reference"], "stream");
    assert_eq!(results["format_version"], 5);
    // The command line is no longer read: a manifest that says `run` still
    // rebuilds the compare report.
    let manifest_path = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["command_line"] = serde_json::json!(["villagesim", "run", "lead.toml"]);
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    std::fs::remove_file(out.join("report.md")).unwrap();
    villagesim(dir.path()).args(["report", "out"]).assert().success();
    let rebuilt = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(headline(&rebuilt).contains(lead), "{rebuilt}");
    // A run records no reference, and its report has no pairs lead.
    let run_dir = tempfile::tempdir().unwrap();
    report(run_dir.path(), &["run"]);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.path().join("out/results.json")).unwrap()).unwrap();
    assert!(run["reference"].is_null(), "{}", run["reference"]);
    // A reference that is not a policy: refused, the field named.
    let mut bad = results.clone();
    bad["reference"] = serde_json::json!("nothing");
    std::fs::write(&results_path, serde_json::to_vec(&bad).unwrap()).unwrap();
    villagesim(dir.path())
        .args(["report", "out"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "reference is \"nothing\", which is not one of the policies",
        ));
    // A results file of the previous format (4, per-village years inside)
    // is refused with both versions named.
    let mut old = results;
    old["format_version"] = serde_json::json!(4);
    std::fs::write(&results_path, serde_json::to_vec(&old).unwrap()).unwrap();
    villagesim(dir.path())
        .args(["report", "out"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "results format 4, this villagesim reads format 5",
        ));
}
