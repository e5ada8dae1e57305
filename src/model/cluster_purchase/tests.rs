use super::*;
use crate::engine;
use crate::model::accounts::Accounting;
use crate::model::finance::tax::{self, YearTax};
use crate::model::finance::Repayment;
use crate::model::Model;

/// The default tax rates of calendar year `year`.
fn rates(year: i32) -> YearTax {
    Accounting::default().tax.year(year)
}

/// A company's year by the module doc's equations, for full occupancy:
/// rent collected `s`, other operating costs `costs`, depreciation `dep`,
/// interest `interest`: `(revenue, taxes, result before depreciation)`.
fn company(year: i32, s: f64, costs: f64, dep: f64, interest: f64) -> (f64, f64, f64) {
    let y = rates(year);
    let vat = tax::vat(s, y.vat_rate_rent, y.exempt_sales_yuan);
    let r = s - vat;
    let surcharges = y.surcharge_rate * vat;
    let ptax = y.property_tax_rent_rate * r;
    let cit = y.income_tax_rate * (r - costs - surcharges - ptax - interest - dep).max(0.0);
    (
        r,
        vat + surcharges + ptax + cit,
        r - costs - surcharges - ptax - interest - cit,
    )
}

fn scenario(villages: usize, years: usize, runs: usize, own: &str) -> String {
    format!(
        r#"
[scenario]
name = "t"
start_year = 2020
years = {years}
runs = {runs}
seed = 7

[targets]
floor = "50万"

[factors.property]
persistence = 0.5

[[villages]]
group = "z"
count = {villages}
operating_income = "20万"

[[interventions]]
id = "cluster"
kind = "cluster_purchase"
villages = "all"
{own}
"#
    )
}

fn model(villages: usize, years: usize, runs: usize, own: &str) -> Model {
    let text = scenario(villages, years, runs, own);
    crate::scenario::parse("test.toml", &text, std::path::Path::new(".")).unwrap()
}

fn error(own: &str) -> String {
    let text = scenario(16, 5, 10, own);
    crate::scenario::parse("test.toml", &text, std::path::Path::new("."))
        .unwrap_err()
        .errors[0]
        .to_string()
}

#[test]
fn full_occupancy_profit_is_shared_equally() {
    let m = model(
        16,
        5,
        3,
        r#"companies = 4
units = 8
floor_area_m2 = 20000
price_per_m2_yuan = 3000
rent_per_m2_per_year_yuan = 150
leave_probability_per_year = 0
operating_cost_per_m2_per_year_yuan = 5
operating_cost_share_of_rent = 0.02"#,
    );
    let (area, rent) = (20_000.0, 150.0);
    // Each company: a quarter of the area, 750,000 of rent (below the VAT
    // threshold in 2020-24), costs on its area and 2% of the rent.
    let gross = area * rent / 4.0;
    let costs = area / 4.0 * 5.0 + 0.02 * gross;
    // Depreciation 60 M / 20 / 4 = 750,000 a company: no income tax.
    let dep = area * 3000.0 / 20.0 / 4.0;
    let (revenue, taxes, result) = company(2020, gross, costs, dep, 0.0);
    assert_eq!(revenue, gross);
    assert!((taxes - 0.06 * gross).abs() < 1e-6);
    // The villages' investment income is the company's net profit.
    let expected = (result - dep) / 4.0;
    for run in 0..3 {
        let f = engine::intervention_flows(&m, 0, run);
        for slot in 0..16 {
            for t in 0..5 {
                assert!(
                    (f.operating(slot)[t] - expected).abs() < 1e-6,
                    "{}",
                    f.operating(slot)[t]
                );
            }
            // Equity: the whole price, shared equally, in the start year.
            let equity = area * 3000.0 / 16.0;
            // The depreciation costs no cash: it comes back to the villages.
            let cash = expected + dep / 4.0;
            assert!((f.net_cash(slot)[0] - (cash - equity)).abs() < 1e-6);
            assert!((f.net_cash(slot)[1] - cash).abs() < 1e-6);
            assert_eq!(f.depreciation_yuan[slot * 5 + 1], 0.0);
        }
        assert!((f.ledger[0].revenue_yuan - 4.0 * gross).abs() < 1e-6);
        assert!((f.ledger[0].costs_yuan - 4.0 * costs).abs() < 1e-6);
        assert!((f.ledger[0].taxes_yuan - 4.0 * taxes).abs() < 1e-6);
        assert!((f.ledger[0].depreciation_yuan - 4.0 * dep).abs() < 1e-6);
        assert_eq!(f.ledger[0].village_equity_yuan, area * 3000.0);
        assert_eq!(f.ledger[0].public_money_yuan(), 0.0);
        assert_eq!(f.ledger[1].village_equity_yuan, 0.0);
        assert_eq!(f.ledger[0].dscr, None);
    }
}

#[test]
fn explicit_equity_shares_within_companies() {
    let m = model(
        4,
        2,
        1,
        r#"companies = 2
units = 2
floor_area_m2 = 1000
price_yuan = "100万"
rent_per_m2_per_year_yuan = 100
leave_probability_per_year = 0
equity_shares = { z-01 = 0.25, z-02 = 0.75, z-03 = 0.5, z-04 = 0.5 }"#,
    );
    let f = engine::intervention_flows(&m, 0, 0);
    // Each company: 500 m2 * 100 = 50,000 yuan a year, no VAT, property
    // tax 3,000, depreciation 25,000, income tax 5% of 22,000 = 1,100:
    // a result of 45,900.
    let (_, _, result) = company(2021, 50_000.0, 0.0, 25_000.0, 0.0);
    assert!((result - 45_900.0).abs() < 1e-9);
    let shares = [0.25, 0.75, 0.5, 0.5];
    for (slot, w) in shares.iter().enumerate() {
        assert!((f.operating(slot)[1] - w * (result - 25_000.0)).abs() < 1e-9);
        assert!((f.net_cash(slot)[0] - w * (result - 500_000.0)).abs() < 1e-6);
    }
}

#[test]
fn tenant_chain_long_run_occupancy() {
    let (p_let, p_leave) = (0.3, 0.1);
    let units = 1000;
    let runs = 20;
    let m = model(
        2,
        20,
        runs,
        &format!(
            r#"units = {units}
floor_area_m2 = {units}
price_yuan = 0
rent_per_m2_per_year_yuan = 1
initially_let = false
let_probability_per_year = {p_let}
leave_probability_per_year = {p_leave}"#
        ),
    );
    let mut occupied = 0.0;
    for run in 0..runs as u64 {
        let f = engine::intervention_flows(&m, 0, run);
        // Rent of 1 yuan per unit, VAT 5/105 in 2039: revenue x 1.05 = units let.
        occupied += (f.ledger[19].revenue_yuan * 1.05).round();
    }
    let n = (units * runs) as f64;
    let share = occupied / n;
    let pi = p_let / (p_let + p_leave);
    let se = (pi * (1.0 - pi) / n).sqrt();
    assert!((share - pi).abs() < 4.0 * se, "occupancy {share} vs {pi} (se {se})");
    // Starting vacant, the first year earns nothing.
    assert_eq!(engine::intervention_flows(&m, 0, 0).ledger[0].revenue_yuan, 0.0);
}

#[test]
fn rent_free_months_reduce_first_year_rent() {
    let m = model(
        3,
        3,
        1,
        r#"floor_area_m2 = 1200
price_yuan = 0
rent_per_m2_per_year_yuan = 100
rent_free_months = 3
leave_probability_per_year = 0"#,
    );
    let f = engine::intervention_flows(&m, 0, 0);
    assert_eq!(f.ledger[0].revenue_yuan, 1200.0 * 100.0 * 9.0 / 12.0);
    assert_eq!(f.ledger[1].revenue_yuan, 120_000.0);
    // 90,000 - property tax 5,400 - income tax 5% of 84,600 (no price, no
    // depreciation) = 80,370, for three villages.
    assert!((f.operating(0)[0] - 80_370.0 / 3.0).abs() < 1e-9);
}

#[test]
fn loan_payments_follow_the_schedule() {
    let m = model(
        4,
        12,
        1,
        r#"companies = 2
floor_area_m2 = 10000
price_per_m2_yuan = 2000
grant_yuan = "200万"
loan = { principal_yuan = "800万", rate_per_year = 0.049, term_years = 10, grace_years = 1 }
rent_per_m2_per_year_yuan = 200
leave_probability_per_year = 0"#,
    );
    let terms = LoanTerms::new(8_000_000.0, 0.049, 10, 1, Repayment::Annuity).unwrap();
    let schedule = terms.schedule();
    let f = engine::intervention_flows(&m, 0, 0);
    // Each company: rent 1,000,000 (no VAT in 2020-27, VAT 5/105 from
    // 2028), depreciation half of 18 M over 20 years.
    let dep = 0.5 * 18_000_000.0 / 20.0;
    for t in 0..12 {
        let expected = schedule.get(t).copied().unwrap_or_default();
        assert_eq!(f.ledger[t].interest_yuan, expected.interest_yuan);
        assert_eq!(f.ledger[t].principal_yuan, expected.principal_yuan);
        let (_, taxes, result) = company(2020 + t as i32, 1_000_000.0, 0.0, dep, 0.5 * expected.interest_yuan);
        assert!((f.ledger[t].taxes_yuan - 2.0 * taxes).abs() < 1e-6);
        assert!((f.operating(1)[t] - (result - dep) / 2.0).abs() < 1e-6, "{t}");
        assert_eq!(f.depreciation_yuan[12 + t], 0.0, "the building is the company's");
        let equity = if t == 0 { 10_000_000.0 / 4.0 } else { 0.0 };
        let cash = result / 2.0 - expected.principal_yuan / 4.0 - equity;
        assert!((f.net_cash(1)[t] - cash).abs() < 1e-6);
        let available = 2.0 * (result + 0.5 * expected.interest_yuan);
        if t < 10 {
            let d = f.ledger[t].dscr.unwrap();
            assert!((d - available / expected.payment_yuan()).abs() < 1e-9);
        } else {
            assert_eq!(f.ledger[t].dscr, None);
        }
    }
    assert_eq!((f.loans, f.loans_defaulted, f.failed_in_year), (2, 0, None));
    // Held at the horizon: book value 20 M - 12 years of 900,000, the loan repaid.
    assert!((f.residual_value_yuan - (20_000_000.0 - 12.0 * 900_000.0)).abs() < 1e-6);
    assert_eq!(f.ledger[0].public_money_yuan(), 2_000_000.0);
    assert_eq!(f.ledger[0].loan_drawdown_yuan, 8_000_000.0);
    assert_eq!(f.ledger[0].village_equity_yuan, 10_000_000.0);
}

#[test]
fn validation_errors() {
    let base = "floor_area_m2 = 1000\nrent_per_m2_per_year_yuan = 100\n";
    let e = error(&format!("{base}price_yuan = 1\ncompanies = 17"));
    assert!(
        e.contains("interventions[0].companies") && e.contains("out of range"),
        "{e}"
    );
    let e = error(&format!("{base}price_yuan = 1\ncompanies = 4\nunits = 3"));
    assert!(e.contains("interventions[0].units"), "{e}");
    let e = error(base);
    assert!(e.contains("price_yuan") && e.contains("exactly one"), "{e}");
    let e = error(&format!("{base}price_yuan = 100\ngrant_yuan = 200"));
    assert!(e.contains("grant_yuan") && e.contains("exceed the price"), "{e}");
    let e = error(&format!("{base}price_yuan = 1\nrent_free_months = 13"));
    assert!(e.contains("rent_free_months"), "{e}");
    let e = error(&format!("{base}price_yuan = 1\nleave_probability_per_year = 1.5"));
    assert!(
        e.contains("leave_probability_per_year") && e.contains("probability"),
        "{e}"
    );
    let e = error(&format!(
        "{base}price_yuan = 1\nloan = {{ principal_yuan = 1, rate_per_year = 0.05, term_years = 5, grace_years = 5 }}"
    ));
    assert!(e.contains("interventions[0].loan") && e.contains("grace"), "{e}");
    let e = error(
        "floor_area_m2 = 1000\nprice_yuan = 1\nrent_per_m2_per_year_yuan = { uniform = { min = 1, max = 2 }, per = \"village\" }",
    );
    assert!(
        e.contains("rent_per_m2_per_year_yuan") && e.contains("per village"),
        "{e}"
    );
    let shares: Vec<String> = (1..=16).map(|k| format!("z-{k:02} = 0.1")).collect();
    let e = error(&format!(
        "{base}price_yuan = 1\nequity_shares = {{ {} }}",
        shares.join(", ")
    ));
    assert!(e.contains("equity_shares") && e.contains("sum to 1"), "{e}");
    let e = error(&format!("{base}price_yuan = 1\nequity_shares = {{ z-99 = 1 }}"));
    assert!(e.contains("equity_shares.z-99"), "{e}");
    let e = error(&format!("{base}price_yuan = 1\nloadings = {{ propery = 0.1 }}"));
    assert!(e.contains("loadings.propery") && e.contains("no factor"), "{e}");
    let e = error(&format!("{base}price_yuan = 1\nbuilding_life_years = 0"));
    assert!(e.contains("building_life_years"), "{e}");
    let e = error(&format!("{base}price_yuan = 1\ncredit = {{ guarantee_share = 2 }}"));
    assert!(e.contains("interventions[0].credit.guarantee_share"), "{e}");
    let text = scenario(16, 5, 10, &format!("{base}price_yuan = 1\nat_end = \"keep\""));
    assert!(crate::scenario::parse("test.toml", &text, std::path::Path::new(".")).is_err());
    let text = scenario(
        16,
        5,
        10,
        &format!("{base}price_yuan = 1\nproperty_tax_share_of_rent = 0.1"),
    );
    assert!(crate::scenario::parse("test.toml", &text, std::path::Path::new(".")).is_err());
}

#[test]
fn depreciation_and_book_value_follow_the_life() {
    let m = model(
        4,
        2,
        1,
        r#"companies = 2
units = 4
floor_area_m2 = 1000
price_yuan = "100万"
grant_yuan = "20万"
building_life_years = 4
rent_per_m2_per_year_yuan = 100"#,
    );
    let crate::model::Kind::ClusterPurchase(cp) = &m.interventions[0].kind else {
        panic!("a cluster purchase")
    };
    assert!(!cp.village_income_taxed());
    // a_c = 0.5: 0.5 x 800,000 / 4 = 100,000 a year for four years.
    assert_eq!(cp.depreciation_yuan(0, 0), 100_000.0);
    assert_eq!(cp.depreciation_yuan(1, 3), 100_000.0);
    assert_eq!(cp.depreciation_yuan(0, 4), 0.0);
    assert_eq!(cp.book_value_yuan(0, 0), 400_000.0);
    // Fully depreciated: the grant's share stays on the books.
    assert_eq!(cp.book_value_yuan(0, 3), 100_000.0);
    assert_eq!(cp.book_value_yuan(0, 10), 100_000.0);
    assert_eq!(cp.at_end, AtEnd::Sell);
    assert_eq!(cp.building_life_years, 4);
}

#[test]
fn runs_through_the_engine() {
    let m = model(
        16,
        6,
        200,
        r#"companies = 4
units = 16
floor_area_m2 = 24000
price_per_m2_yuan = 2000
loan = { principal_yuan = "2000万", rate_per_year = 0.045, term_years = 10 }
rent_per_m2_per_year_yuan = "200 to 260"
rent_growth = { normal = { mean = 0.02, sd = 0.01 } }
loadings = { property = 0.1 }
rent_free_months = 2"#,
    );
    let results = engine::simulate(
        &m,
        engine::RunOptions {
            threads: 2,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap();
    let all = &results.policies[1];
    let none = &results.policies[0];
    let last = all.years.len() - 1;
    assert!(all.years[last].mean_income_yuan.mean > none.years[last].mean_income_yuan.mean);
}

/// The documented parameters are exactly the keys of each kind's spec.
#[test]
fn docs_match_specs() {
    use crate::model::{mountain_sea_workshop, support_fund};
    fn check<K: KindModel>() {
        let schema = serde_json::to_value(schemars::schema_for!(K::Spec)).unwrap();
        let mut keys: Vec<String> = schema["properties"].as_object().unwrap().keys().cloned().collect();
        let mut documented: Vec<String> = K::doc().params.iter().map(|p| p.name.to_string()).collect();
        keys.sort();
        documented.sort();
        assert_eq!(keys, documented, "{}", K::KIND);
        assert!(K::doc().explain().contains(K::KIND));
        assert!(K::doc().markdown().contains(K::doc().chinese));
    }
    check::<ClusterPurchase>();
    check::<support_fund::SupportFund>();
    check::<mountain_sea_workshop::MountainSeaWorkshop>();
}

/// Sold at the end of 2021 for its book value, 5 M (10 M less two years
/// of 2.5 M over a life of 4 years), with a 9 M bullet loan at 5% still
/// owed: cash 940,000 (rent 1 M less property tax; no income tax) plus 5 M
/// against 9.45 M due, no cover: the company defaults at the sale; the bank
/// loses the 3.51 M not paid (no guarantee, nothing left to seize, no
/// write-off: the property was sold).
#[test]
fn a_sale_short_of_the_balance_defaults() {
    let m = model(
        2,
        4,
        1,
        r#"floor_area_m2 = 1000
price_yuan = "1000万"
building_life_years = 4
rent_per_m2_per_year_yuan = 1000
leave_probability_per_year = 0
loan = { principal_yuan = "900万", rate_per_year = 0.05, term_years = 10, repayment = "bullet" }
credit = { reserve_yuan = 0, cover_share_of_other_income = 0 }
end_year = 2021"#,
    );
    let f = engine::intervention_flows(&m, 0, 0);
    assert_eq!((f.loans_defaulted, f.failed_in_year), (1, Some(1)));
    let l = &f.ledger[1];
    assert!((l.interest_yuan - 450_000.0).abs() < 1e-6);
    assert!((l.principal_yuan - 5_490_000.0).abs() < 1e-6);
    assert!((l.bank_loss_yuan - 3_510_000.0).abs() < 1e-6);
    assert_eq!(l.guarantee_calls_yuan, 0.0);
    assert!((l.depreciation_yuan - 2_500_000.0).abs() < 1e-6);
    // Each village: half of (940,000 - 450,000 - the year's depreciation
    // 2,500,000) on the target line, half of the proceeds back less half
    // the principal paid: nothing left.
    assert!((f.operating(0)[1] - (245_000.0 - 1_250_000.0)).abs() < 1e-6);
    assert!(f.net_cash(0)[1].abs() < 1e-6);
    assert_eq!(f.ledger[2], crate::model::Ledger::default());
    assert_eq!(f.residual_value_yuan, 0.0);
}
