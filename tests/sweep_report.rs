//! `villagesim sweep` writes a brief of its own (report.html, report.md)
//! beside sweep.csv and the charts, in both languages, staged with them
//! all or nothing; its lead is true of the figures in sweep.csv.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{villagesim, write};
use villagesim::format::{count, interval, odds, Ends, Lang};

/// Ten weak villages (named in both languages), a support fund whose
/// return the sweeps move, and a stream in no policy.
const SCENARIO: &str = r#"
[scenario]
name = "Fund county"
name_zh = "基金县"
start_year = 2025
years = 5
runs = 200
seed = 7

[targets]
floor = "50万"
weak = "30万"
year = 2028

[factors.economy]
name_zh = "区域经济"
persistence = 0.3

[[villages]]
group = "weak"
name_zh = "薄弱村"
count = 10
operating_income = "20万 to 45万"
growth = { normal = { mean = 0.03, sd = 0.06 } }
loadings = { economy = 0.05 }

[[interventions]]
id = "support-fund"
kind = "support_fund"
name = "Support fund"
name_zh = "消薄基金"
villages = { group = "weak" }
government_capital_yuan = "500万"
village_capital_yuan = "500万"
return_rate_per_year = "6%"

[[policies]]
name = "fund"
name_zh = "基金"
interventions = ["support-fund"]
"#;

const RATE: &str = "interventions.support-fund.return_rate_per_year=4%:10%:4";

/// Runs a sweep with `args` into `dir/out`; returns (report.md, report.html, sweep.csv).
fn sweep(dir: &Path, args: &[&str]) -> (String, String, String) {
    write(dir, "county.toml", SCENARIO);
    let mut all = vec!["sweep", "county.toml", "--out", "out", "--quiet", "--runs", "120"];
    all.extend_from_slice(args);
    villagesim(dir).args(&all).assert().success();
    let read = |name: &str| std::fs::read_to_string(dir.join("out").join(name)).unwrap();
    (read("report.md"), read("report.html"), read("sweep.csv"))
}

/// One row of sweep.csv by column name.
type CsvRow = HashMap<String, String>;

fn rows(csv: &str) -> Vec<CsvRow> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn find<'a>(rows: &'a [CsvRow], point: usize, policy: &str, metric: &str) -> &'a CsvRow {
    rows.iter()
        .find(|r| r["point"] == point.to_string() && r["policy"] == policy && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {point} {policy} {metric}"))
}

fn num(r: &CsvRow, col: &str) -> f64 {
    r[col].parse().unwrap_or(f64::NAN)
}

/// "8.0 (90% of runs: 5 to 10)" from a CSV row, as the brief must write it.
fn villages_text(r: &CsvRow, lang: Lang) -> String {
    let (mean, se) = (num(r, "mean"), num(r, "se"));
    match (
        interval(mean, num(r, "p5"), num(r, "p95"), Ends::Whole, |x| count(x, se)),
        lang,
    ) {
        ((m, None), Lang::En) => m,
        ((m, None), Lang::Zh) => format!("{m} 个"),
        ((m, Some((lo, hi))), Lang::En) => format!("{m} (90% of runs: {lo} to {hi})"),
        ((m, Some((lo, hi))), Lang::Zh) => format!("{m} 个（90% 的模拟在 {lo} 至 {hi} 个之间）"),
    }
}

/// The lead paragraph of report.md.
fn lead(md: &str) -> &str {
    let start = md.find("\n**").expect("a lead") + 3;
    let end = md[start..].find("**\n").expect("the lead's end") + start;
    &md[start..end]
}

#[test]
fn the_lead_is_true_of_the_csv_figures_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (md, html, csv) = sweep(dir.path(), &["--set", RATE]);
    let rows = rows(&csv);
    let (first, last) = (
        find(&rows, 0, "fund", "villages_below_floor"),
        find(&rows, 3, "fund", "villages_below_floor"),
    );
    // The target year, not the final one.
    assert_eq!(first["year"], "2028");
    assert_eq!(first["parameter_1_label"], "Support fund: return rate per year");
    assert!(num(last, "mean") < num(first, "mean"), "the case lowers the count");
    let lead_en = lead(&md);
    let want = format!(
        "Raising Support fund: return rate per year from 4% to 10% lowers the villages below the floor of 500,000 yuan in 2028 under “fund” from {} to {}.",
        villages_text(first, Lang::En),
        villages_text(last, Lang::En)
    );
    assert!(lead_en.starts_with(&want), "{lead_en}\nwanted: {want}");
    // Full coverage and the fiscal cost, from the same rows.
    let p_end = |k| num(find(&rows, k, "fund", "p_full_coverage_by_final_year"), "mean");
    let chance = |k| odds(Lang::En, p_end(k), 120);
    assert!(lead_en.contains(&chance(0)), "{lead_en}");
    assert!(lead_en.contains(&chance(3)), "{lead_en}");
    let cost = |k| {
        let r = find(&rows, k, "fund", "fiscal_cost_yuan");
        villagesim::format::with_interval(Lang::En, num(r, "mean"), num(r, "p5"), num(r, "p95"), Ends::Same, |x| {
            villagesim::format::money_mc(Lang::En, x, num(r, "se"))
        })
    };
    let costs = format!(
        "The fiscal cost over the horizon is {} at 4% and {} at 10%.",
        cost(0),
        cost(3)
    );
    assert!(lead_en.contains(&costs), "{lead_en}\nwanted: {costs}");
    // The counterfactual does not use the fund: the same at every point.
    assert!(
        md.contains("- **no intervention**: The outcomes are the same at every point (on the same random numbers)"),
        "{md}"
    );
    // The charts, in the order of what matters, titled by their message.
    let below = md.find("](charts/sweep_below_floor.png)").expect("below-floor chart");
    let coverage = md.find("](charts/sweep_full_coverage.png)").expect("coverage chart");
    let income = md.find("](charts/sweep_mean_income.png)").expect("income chart");
    assert!(below < coverage && coverage < income);
    assert!(
        md.contains("![Villages below 500,000 yuan in 2028 under “fund” fall from about "),
        "{md}"
    );
    // The table of points: 4 points x 2 policies, and the provenance.
    assert_eq!(md.matches("\n| 4% |").count(), 2, "{md}");
    assert!(md.contains("| 10% | fund | ") && md.contains("| Monte Carlo runs per point | `120` |"));
    // Self-contained HTML: the three charts inline, the page font embedded,
    // no script, no external reference.
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("@font-face") && html.contains("@page { size: A4"));
    assert!(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"));

    // In Chinese: the same figures in Chinese words, money in 万元.
    let zh_dir = tempfile::tempdir().unwrap();
    let (md, html, csv) = sweep(zh_dir.path(), &["--set", RATE, "--lang", "zh"]);
    let rows = self::rows(&csv);
    let (first, last) = (
        find(&rows, 0, "fund", "villages_below_floor"),
        find(&rows, 3, "fund", "villages_below_floor"),
    );
    assert_eq!(first["parameter_1_label"], "消薄基金的年回报率");
    assert_eq!(first["policy_label"], "基金");
    let want = format!(
        "将消薄基金的年回报率从 4% 提高到 10%，“基金”下2028年低于底线 50万元的村由 {}减至 {}。",
        villages_text(first, Lang::Zh),
        villages_text(last, Lang::Zh)
    );
    assert!(lead(&md).starts_with(&want), "{}\nwanted: {want}", lead(&md));
    assert!(md.starts_with("# 基金县：消薄基金的年回报率变化的影响"), "{md}");
    assert!(html.contains("<html lang=\"zh-CN\">"));
}

#[test]
fn two_parameters_speak_of_the_charted_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (md, _, _) = sweep(
        dir.path(),
        &["--set", RATE, "--set", "scenario.years=4:5:2", "--policy", "fund"],
    );
    let lead = lead(&md);
    assert!(
        lead.starts_with("Over the 8 points of the grid, the villages below the floor of 500,000 yuan in 2028 under “fund” range from "),
        "{lead}"
    );
    assert!(
        lead.contains("With years simulated at 4, raising Support fund: return rate per year from 4% to 10%"),
        "{lead}"
    );
    // The table holds the charted policy at every point.
    assert!(md.contains("The table shows “fund” at every point"), "{md}");
    assert_eq!(md.matches("\n| 4% | 4 |").count(), 1, "{md}");
}

#[test]
fn the_brief_is_staged_with_the_csv_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (md, html, csv) = sweep(dir.path(), &["--set", RATE]);
    // A sweep that fails at its second point writes nothing: the earlier
    // outputs are left exactly as they were.
    villagesim(dir.path())
        .args([
            "sweep",
            "county.toml",
            "--out",
            "out",
            "--quiet",
            "--set",
            "interventions.support-fund.return_rate_per_year=4%:-900%:2",
        ])
        .assert()
        .failure();
    let read = |name: &str| std::fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    assert_eq!(read("report.md"), md);
    assert_eq!(read("report.html"), html);
    assert_eq!(read("sweep.csv"), csv);
    // Into a fresh folder: no folder at all.
    villagesim(dir.path())
        .args([
            "sweep",
            "county.toml",
            "--out",
            "fresh",
            "--quiet",
            "--set",
            "interventions.support-fund.return_rate_per_year=4%:-900%:2",
        ])
        .assert()
        .failure();
    assert!(!dir.path().join("fresh/report.html").exists());
    // A new sweep replaces the brief together with the CSV.
    let (md2, _, csv2) = sweep(
        dir.path(),
        &["--set", "interventions.support-fund.return_rate_per_year=5%:9%:3"],
    );
    assert!(
        md2.contains("from 5% to 9%") && !md2.contains("from 4% to 10%"),
        "{md2}"
    );
    assert_eq!(
        rows(&csv2)
            .iter()
            .filter(|r| r["metric"] == "villages_below_floor")
            .count(),
        3 * 2
    );
}

/// The terminal speaks the output's language: parameters in words.
#[test]
fn the_terminal_table_uses_words() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "county.toml", SCENARIO);
    for (lang, words, policy) in [
        ("en", "  Support fund: return rate per year", "fund: "),
        ("zh", "  消薄基金的年回报率", "基金："),
    ] {
        let out = villagesim(dir.path())
            .args([
                "sweep",
                "county.toml",
                "--out",
                "out",
                "--runs",
                "50",
                "--set",
                RATE,
                "--lang",
                lang,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.lines().any(|l| l == words), "{text}");
        assert!(text.contains(policy), "{text}");
        assert!(!text.contains("return_rate_per_year"), "{text}");
    }
}
