//! Malformed scenarios: each gives a located, readable error, a non-zero
//! exit, no panic and no output.

mod common;

use std::path::Path;

use common::{villagesim, write};

const GOOD_HEAD: &str = "[scenario]\nname = \"bad\"\nstart_year = 2025\nyears = 5\nruns = 10\nseed = 1\n\n[targets]\nfloor = \"50万\"\nweak = \"30万\"\n\n";
/// A support fund's first keys, from line 16: the next key is on line 21.
const FUND: &str =
    "[[interventions]]\nid = \"f\"\nkind = \"support_fund\"\nvillages = \"all\"\ngovernment_capital_yuan = 1000000\n";
/// A PV loan's required keys, from line 16: the next key is on line 25.
const PV: &str = "[[interventions]]\nid = \"p\"\nkind = \"pv_loan\"\nvillages = \"all\"\ncapacity_kw = 100\ncapex_per_kw_yuan = 4000\nspecific_yield_kwh_per_kw = 1100\nfeed_in_tariff_per_kwh = 0.35\nretail_price_per_kwh = 0.5\n";
const GOOD_VILLAGES: &str = "[[villages]]\ngroup = \"g\"\ncount = 3\noperating_income = \"20万\"\n";

/// (name, scenario text, expected fragment, expected line).
fn cases() -> Vec<(&'static str, String, &'static str, usize)> {
    let h = GOOD_HEAD;
    let v = GOOD_VILLAGES;
    vec![
        ("syntax", format!("{h}[[villages]\n"), "bad.toml:12:", 12),
        ("misspelt key", format!("{h}{v}growht = 0.1\n"), "did you mean `growth`", 16),
        ("unknown section", format!("{h}{v}[scenery]\nx = 1\n"), "unknown field `scenery`", 16),
        ("wrong type", format!("{h}{v}count2 = 1\n").replace("count = 3", "count = \"three\""), "invalid type", 14),
        ("negative count", format!("{h}{v}").replace("count = 3", "count = -3"), "`villages[0].count`", 14),
        ("zero years", format!("{h}{v}").replace("years = 5", "years = 0"), "`scenario.years`", 4),
        ("absurd runs", format!("{h}{v}").replace("runs = 10", "runs = 1000000000000"), "`scenario.runs`", 5),
        ("zero runs", format!("{h}{v}").replace("runs = 10", "runs = 0"), "use a whole number from 1", 5),
        ("nan", format!("{h}{v}growth = nan\n"), "not a finite number", 16),
        ("infinite", format!("{h}{v}growth = inf\n"), "not a finite number", 16),
        ("negative sd", format!("{h}{v}growth = {{ normal = {{ mean = 0, sd = -1 }} }}\n"), "sd must be >= 0", 16),
        ("min above max", format!("{h}{v}growth = {{ uniform = {{ min = 2, max = 1 }} }}\n"), "must not exceed", 16),
        ("clamp min above max", format!("{h}{v}growth = {{ normal = {{ mean = 0, sd = 1 }}, min = 1, max = 0 }}\n"), "must not exceed", 16),
        ("bad money", format!("{h}{v}").replace("\"20万\"", "\"20 thousand\""), "150万", 15),
        ("negative income", format!("{h}{v}").replace("\"20万\"", "-5"), "expected a number >= 0", 15),
        ("bad per", format!("{h}{v}growth = {{ fixed = 1, per = \"decade\" }}\n"), "village-year", 16),
        ("two distributions", format!("{h}{v}growth = {{ fixed = 1, normal = {{ mean = 0, sd = 1 }} }}\n"), "exactly one distribution", 16),
        ("weak above floor", format!("{h}{v}").replace("weak = \"30万\"", "weak = \"60万\""), "`targets.weak`", 10),
        ("persistence", format!("{h}[factors.economy]\npersistence = 1.5\n\n{v}"), "`factors.economy.persistence`", 13),
        ("unknown factor", format!("{h}{v}loadings = {{ econ = 0.1 }}\n"), "no factor named `econ`", 16),
        ("duplicate village", format!("{h}{v}[[villages]]\nid = \"g-01\"\noperating_income = 1\n"), "duplicate village id", 0),
        ("unknown kind", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_strem\"\nvillages = \"all\"\n"), "did you mean `income_stream`", 18),
        ("unknown intervention key", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namout = 5\n"), "did you mean `amount`", 20),
        ("unknown village id", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = [\"g-1\"]\namount = 5\n"), "did you mean `g-01`", 19),
        ("unknown group", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = {{ group = \"h\" }}\namount = 5\n"), "no village has group `h`", 19),
        ("duplicate intervention", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n"), "duplicate id `x`", 22),
        ("policy unknown id", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n[[policies]]\nname = \"p\"\ninterventions = [\"y\"]\n"), "no intervention with id `y`", 23),
        ("policy named like the counterfactual", format!("{h}{v}[[policies]]\nname = \"No intervention\"\n"), "always simulated", 17),
        ("end before start", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\nstart_year = 2027\nend_year = 2026\n"), "before start_year", 22),
        ("missing targets", format!("{h}{v}").replace("[targets]\nfloor = \"50万\"\nweak = \"30万\"\n", ""), "[targets]", 0),
        ("no villages", h.to_string(), "has no [[villages]]", 0),
        ("discount rate", format!("{h}{v}").replace("seed = 1\n", "seed = 1\ndiscount_rate = -0.5\n"), "discount rate from -10%", 7),
        ("missing csv", format!("{h}[[villages]]\nfile = \"nope.csv\"\n"), "cannot read villages file", 0),
        // Magnitudes that cannot be money, rates or growth: refused with the bound.
        ("end year", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\nend_year = 99999999999\n"), "`interventions[0].end_year`", 21),
        ("unit margin", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"service_business\"\nvillages = \"all\"\nmean_quantity = 10\nunit_margin_yuan = -1e300\n"), "expected money from -1万亿 to 1万亿 yuan", 21),
        ("rate in percent", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\ngrowth = 50\n"), "at most 1,000% a year", 21),
        ("projects", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"project_service\"\nvillages = \"all\"\nprojects_per_year = 1e9\nproject_value_yuan = \"30万\"\nservice_margin = 0.1\n"), "at most 1,000 projects", 20),
        ("other income", format!("{h}{v}other_income = \"-2e13\"\n"), "`villages[0].other_income`", 16),
        ("normal beyond the magnitudes", format!("{h}{v}growth = {{ normal = {{ mean = 0, sd = 1e200 }} }}\n"), "got a 90% range from -1.6", 16),
        ("clamp beyond the bounds", format!("{h}{v}growth = {{ normal = {{ mean = 0, sd = 0.1 }}, max = 3 }}\n"), "got a clamp at 3", 16),
        // Values by year (docs/scenario-format.md, "Values that change by year").
        ("year given twice", format!("{h}{v}{FUND}return_rate_per_year = {{ 2025 = \"6%\", 2025 = \"4%\" }}\n"), "duplicate key", 21),
        ("between without years", format!("{h}{v}{FUND}return_rate_per_year = {{ between = \"linear\" }}\n"), "`between` goes with values by year", 21),
        ("clamp beside years", format!("{h}{v}{FUND}return_rate_per_year = {{ 2025 = \"6%\", 2028 = \"4%\", min = 0 }}\n"), "takes only years, `between` and `per`", 21),
        ("per inside a year", format!("{h}{v}{FUND}return_rate_per_year = {{ 2025 = {{ fixed = 0.06, per = \"run\" }}, 2028 = \"4%\" }}\n"), "the value of 2025 gives its own `per`", 21),
        ("bad between", format!("{h}{v}{FUND}return_rate_per_year = {{ 2025 = \"6%\", 2028 = \"4%\", between = \"step\" }}\n"), "expected \"hold\"", 21),
        ("a year out of its domain", format!("{h}{v}{FUND}return_rate_per_year = {{ 2025 = \"6%\", 2028 = \"-4%\" }}\n"), "the value of 2028: expected a rate >= 0", 21),
        ("village growth by year", format!("{h}{v}growth = {{ 2025 = 0.01, 2028 = 0.02 }}\n"), "cannot change by year", 16),
        ("stream growth by year", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\ngrowth = {{ 2025 = 0.01, 2028 = 0.02 }}\n"), "of this kind only amount may be given by year", 21),
        ("phases not summing to 1", format!("{h}{v}{PV}build_phases = {{ 2025 = \"60%\", 2027 = \"30%\" }}\n"), "the shares of capacity_kw sum to 90.0%: they must sum to 100%", 25),
        ("phase before the start", format!("{h}{v}{PV}build_phases = {{ 2024 = \"60%\", 2027 = \"40%\" }}\n"), "`2024` is not a year of this intervention", 25),
        ("purchase phase past the end", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"cluster_purchase\"\nvillages = \"all\"\nend_year = 2027\nfloor_area_m2 = 100\nprice_yuan = 100\nrent_per_m2_per_year_yuan = 10\npurchase_phases = {{ 2025 = \"50%\", 2028 = \"50%\" }}\n"), "`2028` is not a year of this intervention: expected a year from 2025 to 2027", 24),
        ("roll-out beside villages", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\nroll_out = {{ 2025 = [\"g-01\"], 2027 = \"all\" }}\namount = 5\n"), "give `villages` or `roll_out`, not both", 20),
        ("roll-out year", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nroll_out = {{ 25 = [\"g-01\"] }}\namount = 5\n"), "`25` is not a year of joining", 19),
        ("roll-out unknown village", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nroll_out = {{ 2025 = [\"g-1\"] }}\namount = 5\n"), "did you mean `g-01`", 19),
        ("roll-out of a pooled fund", format!("{h}{v}[[interventions]]\nid = \"f\"\nkind = \"support_fund\"\nroll_out = {{ 2025 = [\"g-01\"], 2027 = \"all\" }}\ngovernment_capital_yuan = 100\nreturn_rate_per_year = 0.05\n"), "the villages share one pool", 19),
        ("loan principal", format!("{h}{v}[[interventions]]\nid = \"x\"\nkind = \"cluster_purchase\"\nvillages = \"all\"\nfloor_area_m2 = 100\nprice_yuan = 100\nrent_per_m2_per_year_yuan = 10\nloan = {{ principal_yuan = 1e300, rate_per_year = 0.04, term_years = 10 }}\n"), "`interventions[0].loan.principal_yuan`", 23),
    ]
}

#[test]
fn every_malformed_file_gets_a_located_error_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, fragment, line) in cases() {
        let file = write(dir.path(), "bad.toml", &text);
        let out = dir.path().join("out");
        let assert = villagesim(dir.path())
            .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
            .assert()
            .failure()
            .code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(fragment), "{name}: expected `{fragment}` in\n{stderr}");
        if line > 0 {
            let located = format!(":{line}:");
            assert!(stderr.contains(&located), "{name}: expected line {line} in\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        assert!(!out.exists(), "{name}: an output folder was written");
    }
}

#[test]
fn library_reports_every_problem_at_once() {
    let text = format!("{GOOD_HEAD}{GOOD_VILLAGES}")
        .replace("years = 5", "years = 0")
        .replace("count = 3", "count = 0");
    let err = villagesim::scenario::parse("bad.toml", &text, std::path::Path::new(".")).unwrap_err();
    assert_eq!(err.errors.len(), 2, "{}", err.plain());
    assert_eq!(err.errors[0].line, 4);
    assert_eq!(err.errors[0].field.as_deref(), Some("scenario.years"));
}

#[test]
fn a_failed_run_keeps_the_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", &format!("{GOOD_HEAD}{GOOD_VILLAGES}"));
    let out = dir.path().join("out");
    let run = |file: &std::path::Path| {
        villagesim(dir.path())
            .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
            .assert()
    };
    run(&good).success();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let bad = write(
        dir.path(),
        "bad.toml",
        &format!("{GOOD_HEAD}{GOOD_VILLAGES}").replace("runs = 10", "runs = 0"),
    );
    run(&bad).failure();
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".staging"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_scenario_name_cannot_escape_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{GOOD_HEAD}{GOOD_VILLAGES}").replace("name = \"bad\"", "name = \"../../escape\"");
    let file = write(dir.path(), "s.toml", &text);
    villagesim(dir.path())
        .args(["run", file.to_str().unwrap(), "--quiet"])
        .assert()
        .success();
    assert!(dir.path().join("output/escape/summary.json").exists());
    assert!(!dir.path().parent().unwrap().join("escape").exists());
}

/// Runs `villagesim validate FILE` in `dir`; returns stderr of the failure (exit code 1).
fn refused(dir: &Path, file: &Path) -> String {
    let assert = villagesim(dir)
        .args(["validate", file.to_str().unwrap()])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    stderr
}

/// Asserts `stderr` holds every fragment.
fn says(stderr: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(stderr.contains(f), "expected `{f}` in\n{stderr}");
    }
}

#[test]
fn magnitudes_beyond_money_rates_and_growth_are_refused_with_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let h = GOOD_HEAD;
    let v = GOOD_VILLAGES;
    let stream = |amount: &str| {
        format!(
            "{h}{v}[[interventions]]\nid = \"x\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = {amount}\n"
        )
    };
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("{h}{v}growth = 120\n"),
            vec!["bad.toml:16:", "`villages[0].growth`", "from -1 to 1", "got 120"],
        ),
        (
            format!("{h}{v}").replace("\"20万\"", "1e307"),
            vec![
                "bad.toml:15:",
                "`villages[0].operating_income`",
                "money up to 1万亿 yuan (10^12, about the GDP of a large city",
                "got 1e307",
            ],
        ),
        (
            stream("1e308"),
            vec![
                "bad.toml:20:",
                "`interventions[0].amount`",
                "expected money from -1万亿 to 1万亿 yuan",
                "got 1e308",
            ],
        ),
        (
            stream("\"-1e308 to 1e308\""),
            vec![
                "bad.toml:20:",
                "`interventions[0].amount`",
                "from -1万亿 to 1万亿 yuan",
                "got a 90% range from -1e308 to 1e308",
            ],
        ),
        (
            format!("{h}[factors.economy]\npersistence = 0.5\n\n{v}loadings = {{ economy = 1e300 }}\n"),
            vec![
                "bad.toml:19:",
                "`villages[0].loadings.economy`",
                "a loading from -5 to 5",
                "got 1e300",
            ],
        ),
    ];
    for (text, fragments) in cases {
        let file = write(dir.path(), "bad.toml", &text);
        says(&refused(dir.path(), &file), &fragments);
        // `run` refuses it the same way, before writing anything.
        let out = dir.path().join("out");
        villagesim(dir.path())
            .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
            .assert()
            .failure()
            .code(1);
        assert!(!out.exists());
    }
}

#[test]
fn village_totals_are_checked_before_any_village_is_built() {
    let dir = tempfile::tempdir().unwrap();
    // 1,000 entries of 100,000 villages: 10^8 villages, refused at once.
    let mut text = GOOD_HEAD.to_string();
    for i in 0..1000 {
        text += &format!("[[villages]]\ngroup = \"g{i}\"\ncount = 100000\noperating_income = \"20万\"\n\n");
    }
    let file = write(dir.path(), "bad.toml", &text);
    let started = std::time::Instant::now();
    let stderr = refused(dir.path(), &file);
    says(
        &stderr,
        &[
            "bad.toml:19:",
            "`villages[1].count`",
            "100,000,000 villages",
            "more than the 100,000 accepted",
        ],
    );
    // No timing assertion (shared machines), but it must not build 10^8 villages.
    eprintln!("refused in {:?}", started.elapsed());
}

#[test]
fn a_villages_csv_is_read_up_to_the_cap_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,operating_income\n");
    for i in 0..100_001 {
        csv += &format!("v{i},100000\n");
    }
    write(dir.path(), "villages.csv", &csv);
    let file = write(
        dir.path(),
        "bad.toml",
        &format!("{GOOD_HEAD}[[villages]]\nfile = \"villages.csv\"\n"),
    );
    says(
        &refused(dir.path(), &file),
        &["villages.csv:100002:1: `rows`", "more than 100,000 rows"],
    );
    // With other villages, the file may hold only what is left.
    let file = write(
        dir.path(),
        "bad.toml",
        &format!("{GOOD_HEAD}{GOOD_VILLAGES}[[villages]]\nfile = \"villages.csv\"\n"),
    );
    says(
        &refused(dir.path(), &file),
        &[
            "villages.csv:99999:1: `rows`",
            "more than 99,997 rows",
            "100,000 villages accepted",
        ],
    );
}

#[test]
fn files_above_the_size_cap_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let cap = villagesim::limits::MAX_FILE_BYTES;
    // Sparse files: refused from their size.
    let file = write(dir.path(), "big.toml", &format!("{GOOD_HEAD}{GOOD_VILLAGES}"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(cap + 1)
        .unwrap();
    says(
        &refused(dir.path(), &file),
        &["big.toml:1:1:", "more than the 64 MiB accepted"],
    );
    let csv = write(dir.path(), "big.csv", "id,operating_income\nv1,100\n");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&csv)
        .unwrap()
        .set_len(cap + 1)
        .unwrap();
    let file = write(
        dir.path(),
        "s.toml",
        &format!("{GOOD_HEAD}[[villages]]\nfile = \"big.csv\"\n"),
    );
    says(
        &refused(dir.path(), &file),
        &[
            "big.csv:1:1:",
            "villages file is 64.0 MiB, more than the 64 MiB accepted",
        ],
    );
    // A real one: a scenario with a comment longer than the cap.
    let mut text = format!("{GOOD_HEAD}{GOOD_VILLAGES}# ");
    text.push_str(&"x".repeat(cap as usize));
    let file = write(dir.path(), "long.toml", &text);
    says(
        &refused(dir.path(), &file),
        &["long.toml:1:1:", "more than the 64 MiB accepted"],
    );
}

fn interventions(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "[[interventions]]\nid = \"iv{i}\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = \"1万\"\n\n"
            )
        })
        .collect()
}

#[test]
fn policies_interventions_and_factors_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let base = format!("{GOOD_HEAD}{GOOD_VILLAGES}\n{}", interventions(2));
    // Line of the first table beyond the cap: header 11, villages 4 + 1, interventions 6 each.
    let policy_line = |k: usize| 11 + 5 + 2 * 6 + 3 * k + 1;
    let policies: String = (0..1001)
        .map(|p| format!("[[policies]]\nname = \"p{p}\"\n\n"))
        .collect();
    let file = write(dir.path(), "bad.toml", &format!("{base}{policies}"));
    says(
        &refused(dir.path(), &file),
        &[
            &format!("bad.toml:{}:", policy_line(999)),
            "`policies[999]`",
            "1,002 policies",
            "1,000 accepted",
        ],
    );
    let file = write(
        dir.path(),
        "bad.toml",
        &format!("{GOOD_HEAD}{GOOD_VILLAGES}\n{}", interventions(10_001)),
    );
    says(
        &refused(dir.path(), &file),
        &[
            &format!("bad.toml:{}:", 16 + 6 * 10_000 + 1),
            "`interventions[10000]`",
            "10,001 interventions",
            "10,000 accepted",
        ],
    );
    let factors: String = (0..101)
        .map(|f| format!("[factors.f{f:03}]\npersistence = 0.5\n"))
        .collect();
    let file = write(dir.path(), "bad.toml", &format!("{GOOD_HEAD}{factors}{GOOD_VILLAGES}"));
    says(
        &refused(dir.path(), &file),
        &["bad.toml:12:", "`factors`", "101 factors", "100 accepted"],
    );
}

#[test]
fn many_policies_and_interventions_validate_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{GOOD_HEAD}{GOOD_VILLAGES}\n{}", interventions(4000));
    for p in 0..999 {
        let ids: Vec<String> = (0..40).map(|k| format!("\"iv{}\"", (p * 40 + k) % 4000)).collect();
        text += &format!(
            "[[policies]]\nname = \"p{p}\"  # an estimate\ninterventions = [{}]\n\n",
            ids.join(", ")
        );
    }
    let file = write(dir.path(), "many.toml", &text);
    let started = std::time::Instant::now();
    let assert = villagesim(dir.path())
        .args(["validate", file.to_str().unwrap()])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    says(&stdout, &["interventions: 4000", "policies: 1000"]);
    eprintln!("validated in {:?}", started.elapsed());
}

#[test]
fn an_empty_scenario_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["", "   "] {
        let text = format!("{GOOD_HEAD}{GOOD_VILLAGES}").replace("name = \"bad\"", &format!("name = \"{name}\""));
        let file = write(dir.path(), "bad.toml", &text);
        says(
            &refused(dir.path(), &file),
            &["bad.toml:2:", "`scenario.name`", "the scenario name is empty"],
        );
    }
}

#[test]
fn a_csv_column_named_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "v.csv", "id,id\nv1,v2\n");
    let file = write(
        dir.path(),
        "bad.toml",
        &format!("{GOOD_HEAD}[[villages]]\nfile = \"v.csv\"\n"),
    );
    says(
        &refused(dir.path(), &file),
        &["v.csv:1:4: `header`", "the column `id` appears twice"],
    );
}

#[test]
fn invalid_utf8_is_located_to_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    // GBK bytes for 吴兴 in a comment on line 3, after "# 区 " (4 characters).
    let mut bytes = b"[scenario]\nname = \"bad\"\n# \xe5\x8c\xba \xce\xe2\xd0\xcb\n".to_vec();
    bytes.extend_from_slice(&GOOD_HEAD.as_bytes()[GOOD_HEAD.find("start_year").unwrap()..]);
    bytes.extend_from_slice(GOOD_VILLAGES.as_bytes());
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, &bytes).unwrap();
    says(
        &refused(dir.path(), &file),
        &["bad.toml:3:5:", "invalid UTF-8", "GB18030"],
    );
    // In a villages CSV too.
    std::fs::write(
        dir.path().join("v.csv"),
        b"id,operating_income\nv1,100\nv\xce\xe2,100\n",
    )
    .unwrap();
    let file = write(
        dir.path(),
        "s.toml",
        &format!("{GOOD_HEAD}[[villages]]\nfile = \"v.csv\"\n"),
    );
    says(&refused(dir.path(), &file), &["v.csv:3:2:", "invalid UTF-8"]);
}

#[test]
fn too_many_village_intervention_pairs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = GOOD_HEAD.to_string();
    text += "[[villages]]\ngroup = \"g\"\ncount = 100000\noperating_income = \"20万\"\n";
    for i in 0..101 {
        text +=
            &format!("[[interventions]]\nid = \"s{i}\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 5\n");
    }
    let file = write(dir.path(), "pairs.toml", &text);
    let assert = villagesim(dir.path())
        .args(["validate", file.to_str().unwrap()])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("interventions[100].villages"), "{stderr}");
    assert!(stderr.contains("10,000,000"), "{stderr}");
}
