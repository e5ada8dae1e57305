//! `villagesim solve`: closed-form answers found within the stated
//! tolerance, targets out of range reported as such, whole-number values
//! searched over whole numbers, the Monte Carlo interval, the outputs and
//! clear errors.

mod common;

use common::{flat, header, says, villagesim};
use villagesim::analysis::solve::{self, Answer, Find, SolveResult, SolveSpec};
use villagesim::analysis::{Scenario, Settings};

/// One village at 40万 a year, no growth, and a stream of `amount` a year
/// from 2025: below the 50万 floor exactly while the amount is under 10万.
fn one_village(growth: &str) -> String {
    header(4, 20)
        + &format!(
            r#"
[[villages]]
id = "a"
operating_income = "40万"
growth = {growth}

[[interventions]]
id = "stream"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = 0
"#
        )
}

fn solve(text: &str, target: &str, vary: &str, find: Find, runs: u64) -> SolveResult {
    let scenario = Scenario::from_text("test.toml", text, std::path::Path::new("."));
    let spec = SolveSpec::parse(target, vary, find, None, None).unwrap();
    let settings = Settings {
        runs: Some(runs),
        seed: None,
        threads: 1,
        ignore_memory_limit: false,
    };
    solve::run(&scenario, &spec, &settings, &|| {}).unwrap()
}

fn found(r: &SolveResult) -> (f64, Option<f64>, Option<f64>) {
    match r.answer {
        Answer::Found { value, low, high } => (value, low, high),
        ref other => panic!("not found: {other:?}"),
    }
}

#[test]
fn the_amount_that_lifts_a_village_to_the_floor_is_found_within_the_tolerance() {
    let text = one_village("0");
    let r = solve(
        &text,
        "villages_below_floor[2026] <= 0",
        "interventions.stream.amount=0:30万",
        Find::Smallest,
        5,
    );
    let (value, low, high) = found(&r);
    assert_eq!(r.tolerance, 300_000.0 / 256.0);
    // The first value found to hold is at or above 10万, within the tolerance.
    assert!((100_000.0..=100_000.0 + r.tolerance).contains(&value), "{value}");
    // No uncertainty: the interval is the answer's bracket.
    let (low, high) = (low.unwrap(), high.unwrap());
    assert_eq!(high, value);
    assert!(low < 100_000.0 && high - low <= r.tolerance, "{low} .. {high}");
    assert!(r.evaluations.iter().all(|e| e.estimate.se == 0.0));
    // Bisection: the two ends and 8 halvings.
    assert_eq!(r.evaluations.len(), 2 + 8);
    assert!(solve::sentence(&r, villagesim::format::Lang::En).contains("the smallest value of 0 yuan to 300,000 yuan"));

    // The largest amount at which the village is still below the floor.
    let r = solve(
        &text,
        "villages_below_floor[2026] >= 1",
        "interventions.stream.amount=0:30万",
        Find::Largest,
        5,
    );
    let (value, _, _) = found(&r);
    assert!((100_000.0 - r.tolerance..100_000.0).contains(&value), "{value}");
}

/// Growth is continuous: 40万 e^(3g) reaches 50万 in 2027 (three years
/// after the baseline year 2024) at g = ln(1.25) / 3.
#[test]
fn the_growth_rate_that_reaches_the_floor_by_a_year_matches_its_closed_form() {
    let text = one_village("0");
    let r = solve(
        &text,
        "P(full coverage in 2027) >= 90%",
        "villages.a.growth=0%:20%",
        Find::Smallest,
        5,
    );
    let exact = 1.25f64.ln() / 3.0;
    let (value, _, _) = found(&r);
    assert!(value >= exact && value - exact <= r.tolerance, "{value} vs {exact}");
    assert_eq!(r.year, Some(2027));
}

#[test]
fn a_target_out_of_range_or_already_met_is_reported_as_such() {
    let text = one_village("0");
    let r = solve(
        &text,
        "villages_below_floor[2026] <= 0",
        "interventions.stream.amount=0:5万",
        Find::Smallest,
        5,
    );
    let Answer::Unreachable { nearest } = r.answer else {
        panic!("{:?}", r.answer)
    };
    assert_eq!((nearest.value, nearest.estimate.value), (50_000.0, 1.0));
    let line = solve::sentence(&r, villagesim::format::Lang::En);
    assert!(
        line.contains("is not reached anywhere in interventions.stream.amount = 0 yuan to 50,000 yuan"),
        "{line}"
    );
    assert_eq!(r.evaluations.len(), 2);

    let r = solve(
        &text,
        "villages_below_floor[2026] <= 0",
        "interventions.stream.amount=20万:30万",
        Find::Smallest,
        5,
    );
    assert_eq!(r.answer, Answer::AlreadyMet { value: 200_000.0 });
    assert!(solve::sentence(&r, villagesim::format::Lang::En).contains("widen the range"));
}

/// A value the file gives as a whole number is searched over whole
/// numbers: the largest group of villages at 40万 with at most 3 below the
/// floor is 3.
#[test]
fn whole_numbers_are_searched_as_whole_numbers() {
    let text = header(2, 5) + "[[villages]]\ngroup = \"g\"\ncount = 6\noperating_income = \"40万\"\n";
    let r = solve(
        &text,
        "villages_below_floor <= 3",
        "villages.g.count=1:40",
        Find::Largest,
        5,
    );
    assert!(r.whole);
    let (value, low, high) = found(&r);
    assert_eq!((value, low, high), (3.0, Some(3.0), Some(4.0)));
    assert!(r.evaluations.iter().all(|e| e.value.fract() == 0.0));
}

/// With uncertainty, the interval holds the answer; every point that
/// surely holds is beyond it and every point that surely fails before it;
/// more runs narrow it.
#[test]
fn the_monte_carlo_interval_brackets_the_answer_and_narrows_with_runs() {
    let text = one_village("{ normal = { mean = 0.0, sd = 0.05 }, per = \"run\" }");
    let width = |runs: u64| {
        let r = solve(
            &text,
            "P(full coverage in 2026) >= 50%",
            "interventions.stream.amount=0:30万",
            Find::Smallest,
            runs,
        );
        let (value, low, high) = found(&r);
        let (low, high) = (low.unwrap(), high.unwrap());
        assert!(low < value && value <= high, "{low} {value} {high}");
        for e in &r.evaluations {
            if e.surely_holds {
                assert!(e.value >= high, "{e:?}");
            }
            if e.surely_fails {
                assert!(e.value <= low, "{e:?}");
            }
        }
        // The median village reaches the floor at about 10万.
        assert!((value - 100_000.0).abs() < 20_000.0, "{value}");
        high - low
    };
    let (narrow, wide) = (width(2_000), width(100));
    assert!(narrow < wide, "{narrow} vs {wide}");
}

#[test]
fn solve_writes_its_outputs_and_says_the_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::write(dir, "one.toml", &one_village("0"));
    let a = villagesim(dir)
        .args([
            "solve",
            "one.toml",
            "--target",
            "villages_below_floor[2026] <= 0",
            "--vary",
            "interventions.stream.amount=0:30万",
            "--out",
            "out",
        ])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    // 100,781.25: the first value found to hold, 1,172 yuan (300,000 / 256) from the last that fails.
    assert!(
        says(&said, "from interventions.stream.amount = 100,800 yuan on"),
        "{said}"
    );
    assert!(
        says(&said, "(to within 1,170 yuan)") && says(&said, "between 99,600 yuan and 100,800 yuan"),
        "{said}"
    );
    for f in [
        "solve.csv",
        "report.md",
        "report.html",
        "charts/solve.svg",
        "charts/solve.png",
    ] {
        assert!(dir.join("out").join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(dir.join("out/solve.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 10);
    assert_eq!(csv.lines().filter(|l| l.ends_with(",true")).count(), 1, "{csv}");
    // The same on two threads, byte for byte.
    villagesim(dir)
        .args([
            "solve",
            "one.toml",
            "--target",
            "villages_below_floor[2026] <= 0",
            "--vary",
            "interventions.stream.amount=0:30万",
            "--out",
            "out2",
            "--threads",
            "2",
            "--quiet",
        ])
        .assert()
        .success();
    for f in [
        "solve.csv",
        "results.xlsx",
        "report.md",
        "report.html",
        "charts/solve.svg",
    ] {
        assert_eq!(
            std::fs::read(dir.join("out").join(f)).unwrap(),
            std::fs::read(dir.join("out2").join(f)).unwrap(),
            "{f}"
        );
    }
    // results.xlsx holds solve.csv, number for number.
    use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(dir.join("out/results.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Solve"]);
    let sheet = book.worksheet_range("Solve").unwrap();
    let mut reader = csv::Reader::from_path(dir.join("out/solve.csv")).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
    assert_eq!(rows.len(), records.len());
    for (row, rec) in rows.iter().zip(&records) {
        for (cell, field) in row.iter().zip(rec.iter()) {
            if let Ok(x) = field.parse::<f64>() {
                assert_eq!(cell.as_f64(), Some(x), "{rec:?}");
            }
        }
    }
}

#[test]
fn bad_solve_arguments_say_what_would_be_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::write(dir, "one.toml", &one_village("0"));
    for (target, vary, message) in [
        (
            "villages_below_flor <= 0",
            "interventions.stream.amount=0:1",
            "did you mean `villages_below_floor`",
        ),
        (
            "villages_below_floor[2040] <= 0",
            "interventions.stream.amount=0:1",
            "2040 is not simulated; the scenario simulates 2025 to 2028",
        ),
        (
            "villages_below_floor <= 0",
            "interventions.stream.amount=5:1",
            "LO (5) must be below HI (1)",
        ),
        (
            "villages_below_floor <= 0",
            "interventions.stream.amount",
            "write PATH=LO:HI",
        ),
        (
            "villages_below_floor <= 0",
            "interventions.strem.amount=0:1",
            "did you mean `stream`",
        ),
    ] {
        let a = villagesim(dir)
            .args(["solve", "one.toml", "--target", target, "--vary", vary, "--out", "x"])
            .assert()
            .code(2);
        let e = flat(&String::from_utf8_lossy(&a.get_output().stderr));
        assert!(says(&e, message), "{target} / {vary}: {e}");
        assert!(!dir.join("x").exists());
    }
}

#[test]
fn the_income_added_per_fiscal_yuan_has_its_closed_form() {
    // One village at 40万, a top-up to the 50万 floor (booked on the target
    // line) and a stream of X: the top-up pays 10万 - X, the village gains
    // 10万 in all, so income added per yuan of fiscal cost is 10万 / (10万
    // - X), at least 2 from X = 5万 on.
    let text = header(3, 20)
        + r#"
[[villages]]
id = "a"
operating_income = "40万"

[[interventions]]
id = "stream"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = 0

[[interventions]]
id = "top-up"
kind = "top_up"
villages = ["a"]
start_year = 2025
booked_as = "investment-income"

[[policies]]
name = "both"
interventions = ["stream", "top-up"]
"#;
    let r = solve(
        &text,
        "mean(net_income_per_public_yuan) >= 2",
        "interventions.stream.amount=0:9万",
        Find::Smallest,
        20,
    );
    let Answer::Found { value, .. } = r.answer else {
        panic!("{:?}", r.answer)
    };
    assert!((value - 50_000.0).abs() <= r.tolerance, "{value} {}", r.tolerance);
    for e in &r.evaluations {
        let expected = 100_000.0 / (100_000.0 - e.value);
        assert!((e.estimate.value - expected).abs() < 1e-6, "{e:?} {expected}");
    }
    // Against itself "no intervention" has no ratio.
    let scenario = Scenario::from_text("t.toml", &text, std::path::Path::new("."));
    let spec = SolveSpec::parse(
        "income_added_per_fiscal_yuan >= 2",
        "interventions.stream.amount=0:9万",
        Find::Smallest,
        Some("no intervention".into()),
        None,
    )
    .unwrap();
    let e = solve::run(&scenario, &spec, &Settings::default(), &|| {}).unwrap_err();
    assert!(e.to_string().contains("name another policy"), "{e}");
}
