//! Closed forms of a policy's accounts (`model::accounts`): the target line
//! beside net income, the collective's income tax, the fiscal cost and a
//! benefit split that sums to the added value.

mod common;

use common::{header, model, simulate};

/// Village a at 300,000 with an income stream of 100,000 a year, village b
/// at 450,000, and a top-up to the floor of 500,000: the top-up pays
/// 100,000 + 50,000 a year. Per year: operating income added 250,000,
/// income tax 5% of it, net income 237,500. Over 3 years the public purse
/// spends 450,000 and receives 37,500; the collectives keep 712,500; the
/// value added is the stream's 300,000 (the top-up is a transfer).
#[test]
fn a_top_up_is_a_transfer_and_the_benefit_split_sums_to_the_added_value() {
    let text = header(3, 4)
        + r#"
[[villages]]
id = "a"
operating_income = "30万"

[[villages]]
id = "b"
operating_income = "45万"

[[interventions]]
id = "stream"
kind = "income_stream"
villages = ["a"]
start_year = 2025
amount = "10万"

[[interventions]]
id = "floor"
kind = "top_up"
villages = "all"
start_year = 2025

[[policies]]
name = "both"
interventions = ["stream", "floor"]
"#;
    let results = simulate(&model(&text), 2);
    let p = results.policies.iter().find(|p| p.name == "both").expect("the policy");
    let a = p.accounts.as_ref().expect("accounts");
    assert_eq!(a.years.len(), 3);
    for y in &a.years {
        let booked = y.operating_yuan.mean + y.subsidy_yuan.mean;
        assert!((booked - 250_000.0).abs() < 1e-6, "{}: {booked}", y.year);
        assert!((y.income_tax_yuan.mean - 12_500.0).abs() < 1e-6);
        assert!((y.net_income_yuan.mean - 237_500.0).abs() < 1e-6);
        assert!((y.net_cash_yuan.mean - 237_500.0).abs() < 1e-6);
        assert_eq!(y.net_income_yuan.p5, y.net_income_yuan.p95);
    }
    let c = &a.public_cost;
    assert!((c.spent_yuan.mean - 450_000.0).abs() < 1e-6);
    assert!((c.fiscal_cost_yuan.mean - 450_000.0).abs() < 1e-6);
    // At 8% a year, each year's payment at the end of its year.
    let pv: f64 = (1..=3).map(|t| 150_000.0 / 1.08f64.powi(t)).sum();
    assert!((c.fiscal_cost_pv_yuan.mean - pv).abs() < 1e-4);
    let g = &a.who_gains;
    assert!((g.collective_yuan.mean - 712_500.0).abs() < 1e-6);
    assert!((g.public_purse_yuan.mean - (37_500.0 - 450_000.0)).abs() < 1e-6);
    assert!((g.added_value_yuan.mean - 300_000.0).abs() < 1e-6);
    let parts = g.collective_yuan.mean
        + g.farmers_yuan.mean
        + g.bank_yuan.mean
        + g.partners_yuan.mean
        + g.public_purse_yuan.mean
        + g.host_district_yuan.mean;
    assert!((parts - g.added_value_yuan.mean).abs() < 1e-6);
    // The decision figures use the same fiscal cost.
    let d = p.decisions.as_ref().expect("decisions");
    assert!((d.fiscal_cost_yuan.mean - 450_000.0).abs() < 1e-6);
}

/// `[accounting]` sets the public discount rate and the income tax; a rate
/// outside its domain is refused with the key named.
#[test]
fn the_accounting_table_is_read_and_checked() {
    let base = header(2, 2)
        + "[[villages]]\nid = \"a\"\noperating_income = \"30万\"\n\n[[interventions]]\nid = \"s\"\nkind = \"income_stream\"\nvillages = \"all\"\nstart_year = 2025\namount = \"10万\"\n";
    let text = base.replace(
        "[targets]",
        "[accounting]\nincome_tax_rate = 0\npublic_discount_rate = \"3%\"\n\n[targets]",
    );
    let m = model(&text);
    assert_eq!(
        (m.accounting.tax.income_tax_rate, m.accounting.public_discount_rate),
        (0.0, 0.03)
    );
    let results = simulate(&m, 1);
    let y = &results.policies[1].accounts.as_ref().unwrap().years[0];
    assert_eq!((y.income_tax_yuan.mean, y.net_income_yuan.mean), (0.0, 100_000.0));
    let bad = base.replace("[targets]", "[accounting]\nincome_tax_rate = 2\n\n[targets]");
    let err = villagesim::scenario::parse("test.toml", &bad, std::path::Path::new("."))
        .expect_err("refused")
        .plain();
    assert!(err.contains("accounting.income_tax_rate"), "{err}");
}
