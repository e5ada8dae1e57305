//! Closed forms and validation of `pv_loan`.

use super::*;
use crate::engine::intervention_flows;

/// A scenario with `villages` identical villages, years 2021-2035 and
/// the intervention keys `kind_keys`.
fn scenario(villages: usize, years: usize, kind_keys: &str) -> String {
    format!(
        r#"
[scenario]
name = "pv test"
start_year = 2021
years = {years}
runs = 200
seed = 7

[targets]
floor = "50万"

[factors.sunshine]
persistence = 0.2

[[villages]]
group = "g"
count = {villages}
operating_income = "20万"

[[interventions]]
id = "pv"
kind = "pv_loan"
villages = "all"
start_year = 2021
{kind_keys}
"#
    )
}

use crate::model::testing::{close, error, model};

const BASE: &str = r#"
capacity_kw = 1000
capex_per_kw_yuan = 4000
loan_share = 0.8
grant_share = 0.1
loan_rate_per_year = 0.05
loan_term_years = 10
grace_years = 2
repayment = "annuity"
specific_yield_kwh_per_kw = 1000
first_year_degradation = 0.02
degradation_per_year = 0.005
self_use_share = 0.6
retail_price_per_kwh = 0.55
feed_in_tariff_per_kwh = 0.4153
subsidy_per_kwh = 0.05
subsidy_years = 3
om_per_kw_per_year_yuan = 40
inverter_replacement_per_kw_yuan = 250
inverter_replacement_year = 5
credit = { reserve_yuan = "10亿" }
"#;

/// The station of BASE, 2021-2035: no VAT while the sales stay under the
/// 1.2 M exemption of the relief years (to 2027), then 3/103 of the sales
/// and 10% of it in surcharges; depreciation of capex less grant over 20
/// years; the loan paid on schedule (the reserve covers every shortfall).
#[test]
fn closed_form_output_revenue_taxes_depreciation_loan_and_dscr() {
    let m = model(&scenario(2, 15, BASE));
    let f = intervention_flows(&m, 0, 3);
    let loan = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity).unwrap();
    let schedule = loan.schedule();
    let price = 0.6 * 0.55 + 0.4 * 0.4153;
    for t in 0..15 {
        let k = t + 1; // operating year
        let year = 2021 + t as i32;
        let output = 1000.0 * 1000.0 * 0.98 * 0.995_f64.powi(k as i32 - 1);
        let sales = output * price;
        let vat = if year <= 2027 { 0.0 } else { sales * 0.03 / 1.03 };
        let surcharges = 0.10 * vat;
        let subsidy = if k <= 3 { output * 0.05 } else { 0.0 };
        let costs = 40_000.0 + if k == 5 { 250_000.0 } else { 0.0 };
        let cash = sales - vat + subsidy - costs - surcharges;
        let pay = schedule.get(t).copied().unwrap_or_default();
        let equity = if t == 0 { 400_000.0 } else { 0.0 };
        for slot in 0..2 {
            let i = slot * 15 + t;
            assert!(
                close(f.operating(slot)[t], sales - vat, 1e-6),
                "t {t}: {}",
                f.operating(slot)[t]
            );
            assert!(close(f.subsidy_yuan[i], subsidy, 1e-6), "t {t}");
            assert!(close(f.costs_yuan[i], costs, 1e-6), "t {t}");
            assert!(close(f.taxes_yuan[i], surcharges, 1e-6), "t {t}");
            assert!(close(f.depreciation_yuan[i], 3_600_000.0 / 20.0, 1e-9), "t {t}");
            assert!(close(f.interest_yuan[i], pay.interest_yuan, 1e-9), "t {t}");
            let net_income = cash - 180_000.0 - pay.interest_yuan;
            assert!(close(f.net_income(slot, t), net_income, 1e-6), "t {t}");
            assert!(
                close(f.net_cash(slot)[t], cash - pay.payment_yuan() - equity, 1e-6),
                "t {t}"
            );
        }
        let l = &f.ledger[t];
        assert!(close(l.revenue_yuan, 2.0 * (sales - vat + subsidy), 1e-6));
        assert!(close(l.taxes_yuan, 2.0 * (vat + surcharges), 1e-6), "t {t}");
        assert!(close(l.costs_yuan, 2.0 * costs, 1e-6));
        assert!(close(l.depreciation_yuan, 2.0 * 180_000.0, 1e-9));
        assert!(close(l.interest_yuan, 2.0 * pay.interest_yuan, 1e-6));
        assert!(close(l.principal_yuan, 2.0 * pay.principal_yuan, 1e-6));
        let public = 2.0 * subsidy + if t == 0 { 2.0 * 400_000.0 } else { 0.0 };
        assert!(close(l.public_money_yuan(), public, 1e-6), "t {t}");
        assert!(close(l.village_equity_yuan, 2.0 * equity, 1e-6));
        let drawdown = if t == 0 { 6_400_000.0 } else { 0.0 };
        assert_eq!(l.loan_drawdown_yuan, drawdown);
        if t < 10 {
            assert!(close(l.dscr.unwrap(), cash / pay.payment_yuan(), 1e-12), "t {t}");
        } else {
            assert_eq!(l.dscr, None);
        }
        assert_eq!((l.guarantee_calls_yuan, l.bank_loss_yuan), (0.0, 0.0));
    }
    assert_eq!((f.loans, f.loans_defaulted), (2, 0));
    // Grace years: interest only on the full principal.
    for t in 0..2 {
        assert!(close(f.ledger[t].interest_yuan, 2.0 * 160_000.0, 1e-9));
        assert_eq!(f.ledger[t].principal_yuan, 0.0);
    }
    // The whole principal is repaid, to the fen.
    let repaid: f64 = f.ledger.iter().map(|l| l.principal_yuan).sum();
    assert!(close(repaid, 6_400_000.0, 0.01));
    // Subsidy stops after its years.
    assert!(f.ledger[2].public_money_yuan() > 0.0);
    assert!(f.ledger[3..].iter().all(|l| l.public_money_yuan() == 0.0));
    // Residual: 15 of 20 years written off, no loan left.
    assert!(close(f.residual_value_yuan, 2.0 * 3_600_000.0 * 5.0 / 20.0, 1e-6));
}

/// A station stopped at end_year writes off its book value then and has
/// no value at the horizon; its loan is still owed.
#[test]
fn a_station_stopped_at_end_year_is_written_off_then() {
    let text = scenario(1, 8, BASE).replace(
        "start_year = 2021\n\ncapacity_kw",
        "start_year = 2021\nend_year = 2024\n\ncapacity_kw",
    );
    let f = intervention_flows(&model(&text), 0, 0);
    let d = &f.depreciation_yuan;
    assert!(close(d[0], 180_000.0, 1e-9));
    assert!(close(d[3], 3_600_000.0 - 3.0 * 180_000.0, 1e-6), "{}", d[3]);
    assert!(d[4..].iter().all(|x| *x == 0.0));
    assert!(f.operating(0)[4..].iter().all(|x| *x == 0.0));
    // Debt service goes on after the station stops, from the reserve.
    assert!(f.ledger[5].principal_yuan > 0.0);
    let owed = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity)
        .unwrap()
        .schedule()[7]
        .balance_after_yuan;
    assert!(close(f.residual_value_yuan, -owed, 1e-6));
}

/// With no reserve and no other income to draw on, the loan defaults in
/// the first year whose debt service the station does not cover: the
/// guarantee pays 80% of what is owed less what was paid and recovered.
#[test]
fn a_loan_defaults_when_its_shortfall_exceeds_the_cover_and_the_guarantee_pays() {
    let keys = BASE.replace(
        "credit = { reserve_yuan = \"10亿\" }",
        "credit = { reserve_yuan = 0, cover_share_of_other_income = 0, guarantee_share = 0.8, guarantee_fee_per_year = 0.01, recovery_share = 0.5 }",
    );
    let f = intervention_flows(&model(&scenario(1, 12, &keys)), 0, 0);
    let schedule = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity)
        .unwrap()
        .schedule();
    let price = 0.6 * 0.55 + 0.4 * 0.4153;
    // Year 3 (k = 3): the first annuity payment, ~495,000, against the
    // station's cash: sales + subsidy - O&M - the fee on 3.2 M.
    let mut book = 3_600_000.0;
    for t in 0..12 {
        let k = t + 1;
        let output = 1_000_000.0 * 0.98 * 0.995_f64.powi(k as i32 - 1);
        let subsidy = if k <= 3 { output * 0.05 } else { 0.0 };
        let costs = 40_000.0 + if k == 5 { 250_000.0 } else { 0.0 };
        let balance = if t == 0 {
            3_200_000.0
        } else {
            schedule[t - 1].balance_after_yuan
        };
        let fee = 0.01 * balance;
        let cash = output * price + subsidy - costs - fee;
        let pay = schedule[t];
        book -= 180_000.0;
        if cash >= pay.payment_yuan() {
            assert_eq!(f.ledger[t].guarantee_calls_yuan, 0.0, "t {t}");
            assert!(close(f.ledger[t].principal_yuan, pay.principal_yuan, 1e-9));
            assert!(close(f.ledger[t].public_returned_yuan, fee, 1e-9));
            continue;
        }
        // The default year: the station's cash goes to the bank, interest first.
        let owed = balance + pay.interest_yuan;
        let recovery = 0.5 * book;
        let loss = owed - cash - recovery;
        let l = &f.ledger[t];
        assert!(close(l.interest_yuan + l.principal_yuan, cash, 1e-6), "t {t}");
        assert!(close(l.guarantee_calls_yuan, 0.8 * loss, 1e-6), "t {t}");
        assert!(close(l.bank_loss_yuan, 0.2 * loss, 1e-6));
        assert!(close(f.depreciation_yuan[t], 180_000.0 + book, 1e-6), "write-off");
        assert_eq!(f.failed_in_year, Some(t));
        assert_eq!((f.loans, f.loans_defaulted), (1, 1));
        assert!(f.operating(0)[t + 1..].iter().all(|x| *x == 0.0));
        assert!(f.ledger[t + 1..]
            .iter()
            .all(|l| l.principal_yuan + l.interest_yuan == 0.0));
        assert_eq!(f.residual_value_yuan, 0.0);
        return;
    }
    panic!("the loan should default");
}

#[test]
fn equal_principal_schedule_matches_loan_terms() {
    let keys = BASE.replace("\"annuity\"", "\"equal-principal\"");
    let m = model(&scenario(1, 12, &keys));
    let f = intervention_flows(&m, 0, 0);
    let schedule = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::EqualPrincipal)
        .unwrap()
        .schedule();
    for (t, pay) in schedule.iter().enumerate() {
        assert_eq!(f.ledger[t].interest_yuan, pay.interest_yuan);
        assert_eq!(f.ledger[t].principal_yuan, pay.principal_yuan);
    }
    assert_eq!(f.ledger[2].principal_yuan, 400_000.0);
    assert_eq!(f.ledger[10].interest_yuan + f.ledger[10].principal_yuan, 0.0);
}

#[test]
fn high_capex_low_tariff_has_negative_cash_years() {
    let keys = r#"
capacity_kw = 800
capex_per_kw_yuan = 6000
specific_yield_kwh_per_kw = 1000
feed_in_tariff_per_kwh = 0.3
"#;
    // Under the default credit terms (no reserve, 30% of a 200,000-yuan
    // village's other income) the shortfall of ~330,000 defaults at once.
    let f = intervention_flows(&model(&scenario(1, 12, keys)), 0, 0);
    assert_eq!((f.loans_defaulted, f.failed_in_year), (1, Some(0)));
    // With a reserve that covers it, the village pays from it for ten years.
    let keys = format!("{keys}credit = {{ reserve_yuan = \"10亿\" }}\n");
    let m = model(&scenario(1, 12, &keys));
    let f = intervention_flows(&m, 0, 0);
    let negative = negative_cash_years(&f, 0);
    // Revenue ~235k a year, O&M 32k, annuity on 4.32M at 4.3% ~ 535k.
    assert_eq!(negative, (0..10).collect::<Vec<_>>());
    assert!(f.ledger[..10].iter().all(|l| l.dscr.unwrap() < 1.0));
    assert!(f.operating(0).iter().all(|x| *x > 0.0));
    // The default case: 90% loan, 10-year annuity at 4.3%, equity 10%.
    assert!(close(f.ledger[0].loan_drawdown_yuan, 0.9 * 4_800_000.0, 1e-6));
    assert!(close(f.ledger[0].village_equity_yuan, 480_000.0, 1e-6));
}

#[test]
fn sunshine_factor_moves_output_and_keeps_its_mean() {
    let keys = r#"
capacity_kw = 100
capex_per_kw_yuan = 4000
specific_yield_kwh_per_kw = 1000
first_year_degradation = 0
degradation_per_year = 0
feed_in_tariff_per_kwh = 1
om_per_kw_per_year_yuan = 0
sunshine_factor = "sunshine"
sunshine_loading = 0.1
"#;
    let m = model(&scenario(2, 5, keys));
    let mut sum = 0.0;
    let mut sum2 = 0.0;
    let runs = 4000;
    for run in 0..runs {
        let f = intervention_flows(&m, 0, run);
        // Both villages see the same regional factor.
        assert_eq!(f.operating(0), f.operating(1));
        let x = f.operating(0)[0] / 100_000.0; // multiplier of year 0
        sum += x;
        sum2 += x * x;
    }
    let mean = sum / runs as f64;
    let sd = (sum2 / runs as f64 - mean * mean).sqrt();
    // Mean 1, sd 0.1: the standard error of the mean is 0.0016.
    assert!(close(mean, 1.0, 0.007), "{mean}");
    assert!(close(sd, 0.1, 0.01), "{sd}");
}

#[test]
fn station_built_before_the_horizon_enters_mid_life() {
    let text = scenario(1, 6, BASE).replace("start_year = 2021\n\ncapacity_kw", "start_year = 2018\n\ncapacity_kw");
    let m = model(&text);
    let f = intervention_flows(&m, 0, 0);
    let schedule = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity)
        .unwrap()
        .schedule();
    // 2021 is operating year 4: no equity, loan year index 3.
    assert_eq!(f.ledger[0].village_equity_yuan, 0.0);
    assert_eq!(f.ledger[0].loan_drawdown_yuan, 0.0);
    assert_eq!(f.ledger[0].principal_yuan, schedule[3].principal_yuan);
    let output = 1_000_000.0 * 0.98 * 0.995_f64.powi(3);
    let price = 0.6 * 0.55 + 0.4 * 0.4153;
    assert!(close(f.operating(0)[0], output * price, 1e-6));
    assert!(close(f.costs_yuan[0], 40_000.0, 1e-6));
    // 2022 is operating year 5: inverter replacement.
    let output = 1_000_000.0 * 0.98 * 0.995_f64.powi(4);
    assert!(close(f.operating(0)[1], output * price, 1e-6));
    assert!(close(f.costs_yuan[1], 290_000.0, 1e-6));
    // Three years of depreciation were taken before the horizon.
    assert!(close(f.depreciation_yuan[0], 180_000.0, 1e-9));
}

#[test]
fn validation_errors_are_located() {
    let bad = BASE.replace("grace_years = 2", "grace_years = 10");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("interventions[0].grace_years"), "{e}");
    let bad = BASE.replace("grant_share = 0.1", "grant_share = 0.3");
    let e = error(&scenario(1, 5, &bad));
    assert!(
        e.contains("interventions[0].grant_share") && e.contains("exceed 1"),
        "{e}"
    );
    let bad = BASE.replace("retail_price_per_kwh = 0.55\n", "");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("interventions[0].retail_price_per_kwh"), "{e}");
    let bad = BASE.replace("subsidy_years = 3\n", "");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("interventions[0].subsidy_years"), "{e}");
    let bad = format!("{BASE}sunshine_factor = \"sun\"\n");
    let e = error(&scenario(1, 5, &bad));
    assert!(
        e.contains("interventions[0].sunshine_factor") && e.contains("no factor named `sun`"),
        "{e}"
    );
    let bad = BASE.replace("capacity_kw = 1000", "capacity_kw = 0");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("interventions[0].capacity_kw"), "{e}");
    let bad = BASE.replace("self_use_share = 0.6", "self_use_share = 1.6");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("interventions[0].self_use_share"), "{e}");
    let bad = BASE.replace("loan_rate_per_year = 0.05", "loan_rate_per_year = 5");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("interventions[0].loan_rate_per_year"), "{e}");
    let bad = BASE.replace("\"annuity\"", "\"balloon\"");
    let e = error(&scenario(1, 5, &bad));
    assert!(e.contains("balloon"), "{e}");
}

#[test]
fn runs_through_the_engine() {
    let keys = r#"
capacity_kw = 800
capex_per_kw_yuan = "3500 to 4000"
specific_yield_kwh_per_kw = { normal = { mean = 1000, sd = 50 } }
sunshine_factor = "sunshine"
self_use_share = 0.6
retail_price_per_kwh = 0.55
feed_in_tariff_per_kwh = 0.4153
credit = { reserve_yuan = "10亿" }
"#;
    let m = model(&scenario(3, 8, keys));
    let options = crate::engine::RunOptions {
        threads: 2,
        ..Default::default()
    };
    let results = crate::engine::simulate(&m, options, &|_| {}).unwrap();
    assert_eq!(results.policies.len(), 2);
    // Year 8 (2028, after the reliefs): 800 kW x 1000 h x 0.98 x 0.9945^7
    // = 754 MWh at 0.496 yuan/kWh = 374,200, less 3/103 of VAT: 363,300 on
    // the target line (O&M is a cost, not on it).
    let with = results.policies[1].years.last().unwrap().mean_income_yuan.mean;
    let without = results.policies[0].years.last().unwrap().mean_income_yuan.mean;
    assert!(close(with - without, 363_300.0, 10_000.0), "{with} - {without}");
}

/// The loan of BASE runs 2021-2030; a horizon of 2021-2023 projects its
/// DSCR for 2024-2030 in closed form (the cash and the payment of each
/// loan year, as inside the horizon), and nothing of those years reaches
/// the village's lines. The results carry the whole term: the three
/// simulated years, then the seven projected, each with P(DSCR < 1).
#[test]
fn dscr_projected_to_the_end_of_the_term_in_closed_form() {
    let m = model(&scenario(2, 3, BASE));
    assert_eq!(m.years_beyond(), 7);
    let f = intervention_flows(&m, 0, 3);
    assert_eq!(f.projected_dscr.len(), 7);
    assert_eq!(f.years(), 3);
    let loan = LoanTerms::new(3_200_000.0, 0.05, 10, 2, Repayment::Annuity).unwrap();
    let schedule = loan.schedule();
    let price = 0.6 * 0.55 + 0.4 * 0.4153;
    let expected: Vec<f64> = (0..10)
        .map(|t: i32| {
            let k = t + 1;
            let year = 2021 + t;
            let output = 1000.0 * 1000.0 * 0.98 * 0.995_f64.powi(k - 1);
            let sales = output * price;
            let vat = if year <= 2027 { 0.0 } else { sales * 0.03 / 1.03 };
            let subsidy = if k <= 3 { output * 0.05 } else { 0.0 };
            let costs = 40_000.0 + if k == 5 { 250_000.0 } else { 0.0 };
            (sales - vat + subsidy - costs - 0.10 * vat) / schedule[t as usize].payment_yuan()
        })
        .collect();
    for (t, want) in expected[..3].iter().enumerate() {
        assert!(close(f.ledger[t].dscr.unwrap(), *want, 1e-12), "t {t}");
    }
    for (p, d) in f.projected_dscr.iter().enumerate() {
        assert!(close(d.unwrap(), expected[3 + p], 1e-12), "{}: {d:?}", 2024 + p);
    }
    let r = crate::model::testing::run(&m);
    let a = &r.policies[1].appraisals[0];
    assert_eq!(a.loan_end_year, Some(2030));
    let years: Vec<i32> = a.dscr_term.iter().map(|y| y.year).collect();
    assert_eq!(years, (2021..=2030).collect::<Vec<_>>());
    for (y, want) in a.dscr_term.iter().zip(&expected) {
        assert_eq!(y.projected, y.year > 2023, "{}", y.year);
        assert!(
            close(y.dscr.mean, *want, 1e-9) && close(y.dscr.p50, *want, 1e-9),
            "{y:?}"
        );
        assert_eq!(y.p_below_one, if *want < 1.0 { 1.0 } else { 0.0 }, "{y:?}");
    }
    // Interest only in the two grace years: covered; the annuity after them
    // (about 495,000 a year against about 380,000 of cash) is not.
    assert!(expected[..2].iter().all(|d| *d > 1.0) && expected[2..].iter().all(|d| *d < 1.0));
    r.check().unwrap();
}

/// With uncertain inputs drawn each year and a sunshine factor, the DSCR
/// projected past a 3-year horizon is exactly the DSCR a 10-year horizon
/// simulates for those years, run by run: the same draws, the same factor
/// path, the same loan.
#[test]
fn projected_dscr_is_what_a_longer_horizon_simulates() {
    let keys =
        BASE.replace(
            "specific_yield_kwh_per_kw = 1000",
            "specific_yield_kwh_per_kw = { normal = { mean = 1000, sd = 60 }, per = \"village-year\" }",
        )
        .replace(
            "om_per_kw_per_year_yuan = 40",
            "om_per_kw_per_year_yuan = { uniform = { min = 30, max = 50 }, per = \"year\" }",
        ) + "sunshine_factor = \"sunshine\"\nsunshine_loading = 0.05\n";
    let short = model(&scenario(3, 3, &keys));
    let long = model(&scenario(3, 10, &keys));
    for run in [0, 5, 11] {
        let s = intervention_flows(&short, 0, run);
        let l = intervention_flows(&long, 0, run);
        assert!(l.projected_dscr.is_empty());
        for t in 0..3 {
            assert_eq!(s.ledger[t].dscr, l.ledger[t].dscr, "run {run} t {t}");
        }
        for (p, d) in s.projected_dscr.iter().enumerate() {
            let want = l.ledger[3 + p].dscr.unwrap();
            assert!(
                close(d.unwrap(), want, 1e-12),
                "run {run} year {}: {d:?} vs {want}",
                2024 + p
            );
        }
    }
}
