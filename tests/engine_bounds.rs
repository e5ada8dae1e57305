//! Incomes that compound beyond what can be summed exactly stop the run
//! with an error naming the village, the year and the intervention, never
//! a panic or `inf` in an output; large incomes within the bounds are
//! summed exactly.

mod common;

use common::{header, model, simulate, villagesim, write};
use villagesim::engine::{self, EngineError, RunOptions};

fn run_error(text: &str, threads: usize) -> String {
    let m = model(text);
    match engine::simulate(
        &m,
        RunOptions {
            threads,
            ..Default::default()
        },
        &|_| {},
    ) {
        Err(EngineError::OutOfRange(e)) => e.to_string(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the run should have stopped"),
    }
}

#[test]
fn runaway_organic_growth_names_the_village_and_year() {
    // Log growth 0.9 a year (within the accepted bound of 1) from 1 M yuan
    // passes 10^12 yuan after 16 years: exp(0.9 * 16) = 1.8e6.
    let text = format!(
        "{}[[villages]]\nid = \"boom\"\noperating_income = \"100万\"\ngrowth = 0.9\n\n[[villages]]\nid = \"calm\"\noperating_income = \"30万\"\n",
        header(30, 4)
    );
    let message = run_error(&text, 1);
    assert!(message.contains("village `boom`"), "{message}");
    assert!(message.contains("in 2040"), "{message}");
    assert!(message.contains("run 0"), "{message}");
    assert!(message.contains("organic growth"), "{message}");
    assert!(message.contains("src/limits.rs"), "{message}");
    // The same error whatever the thread count.
    assert_eq!(run_error(&text, 2), message);
}

#[test]
fn runaway_intervention_names_the_intervention() {
    // An income stream of 10万 growing 900% a year passes 10^12 in 2032:
    // 1e5 * 10^7 = 1e12, then 1e13.
    let text = format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = 3\noperating_income = \"30万\"\n\n[[interventions]]\nid = \"rocket\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = \"10万\"\ngrowth = 9\n",
        header(20, 3)
    );
    let message = run_error(&text, 1);
    assert!(message.contains("intervention `rocket` (income_stream)"), "{message}");
    assert!(message.contains("village `g-01`"), "{message}");
    assert!(message.contains("in 2033"), "{message}");
}

#[test]
fn the_cli_reports_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}[[villages]]\nid = \"boom\"\noperating_income = \"100万\"\ngrowth = 0.9\n",
        header(40, 4)
    );
    let file = write(dir.path(), "boom.toml", &text);
    let out = dir.path().join("out");
    let assert = villagesim(dir.path())
        .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("village `boom`"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "a failed run wrote {left:?}");
}

#[test]
fn large_incomes_within_the_bounds_are_summed_exactly() {
    // 2,000 villages at 9 x 10^11 yuan: totals of 1.8 x 10^15 yuan are
    // 1.8 x 10^17 fen, and their squares far beyond i128 over many runs.
    let text = format!(
        "{}[[villages]]\ngroup = \"rich\"\ncount = 2000\noperating_income = \"9000亿\"\n",
        header(2, 50)
    );
    let results = simulate(&model(&text), 2);
    let year = &results.policies[0].years[2];
    assert_eq!(year.total_income_yuan.mean, 1.8e15);
    assert_eq!(year.total_income_yuan.sd, 0.0);
    assert_eq!(year.total_income_yuan.p5, 1.8e15);
    assert_eq!(year.mean_income_yuan.mean, 9e11);
}

#[test]
fn validate_prints_the_estimated_memory_and_output_size() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = 5\noperating_income = \"30万\"\n",
        header(5, 10)
    );
    let file = write(dir.path(), "small.toml", &text);
    let assert = villagesim(dir.path())
        .args(["validate", file.to_str().unwrap()])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("estimated peak memory"), "{stdout}");
    assert!(stdout.contains("outputs about"), "{stdout}");
}

#[test]
fn a_run_beyond_the_machine_is_refused_before_it_starts() {
    // 100,000 villages x 100 years x 20 policies: hundreds of GB.
    let mut text = format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = 100000\noperating_income = \"30万\"\n",
        header(100, 10)
    );
    for p in 0..19 {
        text += &format!(
            "[[interventions]]\nid = \"s{p}\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = 1000\n[[policies]]\nname = \"p{p}\"\ninterventions = [\"s{p}\"]\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "huge.toml", &text);
    let out = dir.path().join("out");
    let assert = villagesim(dir.path())
        .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("would need about"), "{stderr}");
    assert!(stderr.contains("--ignore-memory-limit"), "{stderr}");
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn many_policies_are_compared_against_the_references_only() {
    let mut text = format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = 4\noperating_income = \"30万\"\n",
        header(3, 5)
    );
    let policies = 25;
    for p in 1..policies {
        text += &format!(
            "[[interventions]]\nid = \"s{p}\"\nkind = \"income_stream\"\nvillages = \"all\"\namount = {}\n[[policies]]\nname = \"p{p}\"\ninterventions = [\"s{p}\"]\n",
            1000 * p
        );
    }
    let results = simulate(&model(&text), 1);
    assert_eq!(results.policies.len(), policies);
    // Every policy against "no intervention", both ways.
    assert_eq!(results.comparisons.len(), 2 * (policies - 1));
    assert!(results
        .comparisons
        .iter()
        .all(|c| c.reference == "no intervention" || c.policy == "no intervention"));
}
