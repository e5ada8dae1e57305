//! Closed forms of `cluster_purchase` under the new accounting (issue 11,
//! items 7 and 8): the company's VAT, surcharges, property tax and income
//! tax by year, its depreciation behind the villages' investment income, a
//! loan's default under the credit table, the sale or carry of the property
//! at `end_year`, and the net-cash invariant on random runs:
//!
//! ```text
//! net cash[v, t] = operating + subsidy - costs - taxes - interest - principal share
//!                  - own equity paid in + capital coming back
//!                = net income + depreciation - principal share - equity + capital back
//! (the village's depreciation line is 0; the company's depreciation and
//! write-offs come back to it as cash: capital back)
//! ```

mod common;

use common::{header, model, simulate};
use villagesim::engine::intervention_flows;
use villagesim::model::{Flows, Kind, Model};

const FEN: f64 = 0.005;

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < FEN, "{what}: {a} vs {b}");
}

/// A scenario of `years` years from calendar year `start`, `runs` runs.
fn header_from(start: i32, years: u32, runs: u32) -> String {
    header(years, runs).replace("start_year = 2025", &format!("start_year = {start}"))
}

/// One cluster purchase by `n` villages of 20万 each with keys `own`.
fn cluster(head: &str, n: usize, own: &str) -> Model {
    model(&format!(
        "{head}[[villages]]\ngroup = \"g\"\ncount = {n}\noperating_income = \"20万\"\n\n\
         [[interventions]]\nid = \"x\"\nkind = \"cluster_purchase\"\nvillages = \"all\"\n{own}\n"
    ))
}

/// 10,000 m2 bought for 30 M with a 2 M grant, let in full at 210 yuan per
/// m2 (2.1 M of rent, VAT included), costs 10 yuan per m2, two villages.
const BIG: &str = "floor_area_m2 = 10000\nprice_per_m2_yuan = 3000\ngrant_yuan = \"200万\"\n\
                   rent_per_m2_per_year_yuan = 210\nleave_probability_per_year = 0\n\
                   operating_cost_per_m2_per_year_yuan = 10";

/// 2025-27 (reliefs): VAT 100,000 (5/105 of 2.1 M: above the 1.2 M
/// threshold), revenue 2,000,000; surcharges 5% of VAT = 5,000; property
/// tax 6% of revenue = 120,000; depreciation 28 M / 20 = 1,400,000; income
/// tax 5% of (2,000,000 - 100,000 - 5,000 - 120,000 - 1,400,000) = 18,750;
/// result 1,756,250 before depreciation; its net profit 356,250 is the
/// villages' investment income, 178,125 each on the target line; the
/// 700,000 of depreciation each comes back as cash: net cash 878,125.
#[test]
fn full_occupancy_in_the_relief_years() {
    let f = intervention_flows(&cluster(&header(3, 1), 2, BIG), 0, 0);
    for t in 0..3 {
        let l = &f.ledger[t];
        close(l.revenue_yuan, 2_000_000.0, "revenue");
        close(l.costs_yuan, 100_000.0, "costs");
        close(l.taxes_yuan, 100_000.0 + 5_000.0 + 120_000.0 + 18_750.0, "taxes");
        close(l.depreciation_yuan, 1_400_000.0, "depreciation");
        assert_eq!((l.interest_yuan, l.principal_yuan, l.dscr), (0.0, 0.0, None));
        for slot in 0..2 {
            close(f.operating(slot)[t], 178_125.0, "operating");
            assert_eq!(f.depreciation_yuan[slot * 3 + t], 0.0, "the building is the company's");
            close(f.net_income(slot, t), 178_125.0, "net income");
            assert_eq!(f.costs_yuan[slot * 3 + t] + f.taxes_yuan[slot * 3 + t], 0.0);
            let equity = if t == 0 { 14_000_000.0 } else { 0.0 };
            close(f.net_cash(slot)[t], 878_125.0 - equity, "net cash");
        }
    }
    assert_eq!(f.ledger[0].public_spent_yuan, 2_000_000.0);
    assert_eq!(f.ledger[0].village_equity_yuan, 28_000_000.0);
    assert_eq!(f.ledger[1].public_spent_yuan, 0.0);
    assert_eq!(f.loans, 0);
    // Held at the horizon: 30 M less three years of depreciation.
    close(f.residual_value_yuan, 30_000_000.0 - 3.0 * 1_400_000.0, "residual");
    let m = cluster(&header(3, 1), 2, BIG);
    assert!(!m.interventions[0].kind.village_income_taxed());
}

/// The same purchase in 2028-30, after the reliefs: surcharges 10% of VAT =
/// 10,000, property tax 12% = 240,000, income tax 20% of 250,000 = 50,000;
/// result 1,600,000, 800,000 a village.
#[test]
fn full_occupancy_after_the_reliefs() {
    let f = intervention_flows(&cluster(&header(6, 1), 2, &format!("{BIG}\nstart_year = 2028")), 0, 0);
    for t in 0..3 {
        assert_eq!(f.ledger[t].revenue_yuan, 0.0);
        assert_eq!(f.operating(0)[t], 0.0);
    }
    for t in 3..6 {
        let l = &f.ledger[t];
        close(l.revenue_yuan, 2_000_000.0, "revenue");
        close(l.taxes_yuan, 100_000.0 + 10_000.0 + 240_000.0 + 50_000.0, "taxes");
        for slot in 0..2 {
            close(f.operating(slot)[t], 100_000.0, "operating");
            close(f.net_income(slot, t), 100_000.0, "net income");
        }
    }
    close(f.net_cash(0)[3], 800_000.0 - 14_000_000.0, "equity in 2028");
}

/// 1,000,000 of rent is below the 1.2 M threshold in 2025: no VAT, no
/// surcharges, property tax 60,000 only (the depreciation leaves no
/// profit to tax). In 2028 there is no threshold: VAT 5/105.
#[test]
fn rent_below_the_threshold_pays_no_vat() {
    let own = BIG.replace("= 210", "= 100");
    let f = intervention_flows(&cluster(&header(4, 1), 2, &own), 0, 0);
    assert_eq!(f.ledger[0].revenue_yuan, 1_000_000.0);
    close(f.ledger[0].taxes_yuan, 60_000.0, "taxes 2025");
    close(
        f.operating(0)[0],
        (1_000_000.0 - 100_000.0 - 60_000.0 - 1_400_000.0) / 2.0,
        "operating",
    );
    let vat = 1_000_000.0 * 0.05 / 1.05;
    close(f.ledger[3].revenue_yuan, 1_000_000.0 - vat, "revenue 2028");
    close(
        f.ledger[3].taxes_yuan,
        vat * 1.1 + 0.12 * (1_000_000.0 - vat),
        "taxes 2028",
    );
}

/// Let in 2025, vacant from 2026 (every tenant leaves, none comes): the
/// vacant units pay property tax on their value, 1.2% x 70% x 50% of each
/// company's share of the price: 0.0042 x 15 M = 63,000 a company of two.
#[test]
fn vacant_units_pay_property_tax_on_value() {
    let own = "companies = 2\nunits = 4\nfloor_area_m2 = 10000\nprice_yuan = \"3000万\"\n\
               rent_per_m2_per_year_yuan = 100\nleave_probability_per_year = 1\nlet_probability_per_year = 0";
    let f = intervention_flows(&cluster(&header(3, 1), 4, own), 0, 0);
    close(f.ledger[0].taxes_yuan, 0.06 * 1_000_000.0, "let: tax on rent");
    for t in 1..3 {
        assert_eq!(f.ledger[t].revenue_yuan, 0.0);
        close(f.ledger[t].taxes_yuan, 2.0 * 63_000.0, "vacant: tax on value");
        for slot in 0..4 {
            // Two villages a company: half of its tax and of its
            // depreciation (15 M / 20) each.
            close(f.operating(slot)[t], -31_500.0 - 375_000.0, "operating");
        }
    }
}

/// One unit of 1,000 m2 at 1,000 yuan, vacant in 2020, let from 2021 with
/// six rent-free months; price 20 M (depreciation 1 M a year: no income
/// tax); a 3 M loan at 0%, equal principal over 6 years (500,000 a year);
/// no cover from other income. Cash for debt service C: 2020 -84,000
/// (property tax on value 0.0042 x 20 M), 2021 500,000 - 30,000 = 470,000,
/// then 940,000: shortfalls 584,000 and 30,000, then none. A reserve of
/// 614,000 pays them; 613,999.99 leaves 29,999.99 for 2021's 30,000: the
/// company defaults in 2021.
fn credit_case(reserve: &str) -> Flows {
    let own = format!(
        "floor_area_m2 = 1000\nprice_yuan = \"2000万\"\nrent_per_m2_per_year_yuan = 1000\n\
         initially_let = false\nlet_probability_per_year = 1\nleave_probability_per_year = 0\nrent_free_months = 6\n\
         loan = {{ principal_yuan = \"300万\", rate_per_year = 0, term_years = 6, repayment = \"equal-principal\" }}\n\
         credit = {{ reserve_yuan = {reserve}, cover_share_of_other_income = 0, guarantee_share = 0.8, \
         guarantee_fee_per_year = 0, recovery_share = 0.1 }}"
    );
    intervention_flows(&cluster(&header_from(2020, 6, 1), 2, &own), 0, 0)
}

#[test]
fn a_loan_defaults_in_the_year_its_reserve_runs_out() {
    let f = credit_case("613999.99");
    assert_eq!((f.loans, f.loans_defaulted, f.failed_in_year), (1, 1, Some(1)));
    let l = &f.ledger[1];
    // Paid: C 470,000 and the reserve left 29,999.99; owed 2,500,000;
    // recovered 10% of the book value 18 M; the loss 200,000.01, 80% of it
    // called on the guarantee.
    close(l.principal_yuan, 499_999.99, "principal paid");
    let loss = 2_500_000.0 - 499_999.99 - 1_800_000.0;
    close(l.guarantee_calls_yuan, 0.8 * loss, "calls");
    close(l.public_spent_yuan, 0.8 * loss, "calls are public money spent");
    close(l.bank_loss_yuan, 0.2 * loss, "bank loss");
    // The book value left, 18 M, is written off with the year's 1 M.
    close(l.depreciation_yuan, 19_000_000.0, "write-off");
    for slot in 0..2 {
        assert_eq!(f.depreciation_yuan[slot * 6 + 1], 0.0);
        // The company's loss: the year's depreciation and the write-off.
        close(f.operating(slot)[1], 235_000.0 - 9_500_000.0, "operating 2021");
        close(f.net_cash(slot)[1], 0.5 * (470_000.0 - 499_999.99), "net cash 2021");
    }
    for t in 2..6 {
        let l = &f.ledger[t];
        assert_eq!(
            (l.revenue_yuan, l.taxes_yuan, l.depreciation_yuan, l.principal_yuan),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!((f.operating(0)[t], f.net_cash(0)[t]), (0.0, 0.0));
    }
    assert_eq!(f.residual_value_yuan, 0.0);
    // 2020 was covered: the full 500,000 paid.
    assert_eq!(f.ledger[0].principal_yuan, 500_000.0);
    close(
        f.net_cash(0)[0],
        0.5 * (-84_000.0 - 500_000.0) - 8_500_000.0,
        "net cash 2020",
    );

    // One fen more and the loan is served to the end.
    let f = credit_case("614000");
    assert_eq!((f.loans, f.loans_defaulted, f.failed_in_year), (1, 0, None));
    assert_eq!(f.ledger.iter().map(|l| l.guarantee_calls_yuan).sum::<f64>(), 0.0);
    for t in 0..6 {
        assert_eq!(f.ledger[t].principal_yuan, 500_000.0);
    }
    close(f.ledger[5].revenue_yuan, 1_000_000.0, "still let");
    close(f.residual_value_yuan, 20_000_000.0 - 6_000_000.0, "residual");
}

/// 1,000 m2 at 1,000 yuan, price 10 M (depreciation 500,000), a 5 M loan at
/// 5%, equal principal over 10 years, two villages, ending in 2027 (the
/// third year of six).
fn ending(at_end: &str) -> Flows {
    let own = format!(
        "floor_area_m2 = 1000\nprice_yuan = \"1000万\"\nrent_per_m2_per_year_yuan = 1000\nleave_probability_per_year = 0\n\
         loan = {{ principal_yuan = \"500万\", rate_per_year = 0.05, term_years = 10, repayment = \"equal-principal\" }}\n\
         credit = {{ reserve_yuan = 0, cover_share_of_other_income = 0 }}\nend_year = 2027\nat_end = \"{at_end}\""
    );
    intervention_flows(&cluster(&header(6, 1), 2, &own), 0, 0)
}

/// Sold at the end of 2027 at its book value, 10 M - 3 x 500,000 = 8.5 M:
/// the year's 500,000 and the balance 3.5 M are repaid from it, 8.5 M comes
/// back to the villages. The company's 2027: revenue 1 M, property tax
/// 60,000, interest 200,000, income tax 5% of 240,000 = 12,000: result
/// 728,000.
#[test]
fn sell_at_end_repays_the_balance_from_the_book_value() {
    let f = ending("sell");
    let l = &f.ledger[2];
    close(l.interest_yuan, 200_000.0, "interest");
    close(l.principal_yuan, 4_000_000.0, "principal and balance");
    close(l.taxes_yuan, 72_000.0, "taxes");
    for slot in 0..2 {
        close(f.operating(slot)[2], 364_000.0 - 250_000.0, "operating");
        close(f.net_cash(slot)[2], 364_000.0 - 2_000_000.0 + 4_250_000.0, "net cash");
    }
    for t in 3..6 {
        assert_eq!(f.ledger[t], villagesim::model::Ledger::default());
        assert_eq!(
            (f.operating(0)[t], f.net_cash(0)[t], f.depreciation_yuan[t]),
            (0.0, 0.0, 0.0)
        );
    }
    assert_eq!((f.loans, f.loans_defaulted, f.residual_value_yuan), (1, 0, 0.0));
}

/// Carried: no rent after 2027, and with no cover the 2028 debt service
/// (500,000 + 175,000) defaults at once: owed 3.5 M + 175,000, nothing
/// paid, 30% of the book value 8 M recovered, the bank loses 1,275,000 (no
/// guarantee); the 8 M is written off with the year's 500,000.
#[test]
fn carry_at_end_defaults_the_first_year_after_end_year() {
    let f = ending("carry");
    assert_eq!((f.loans, f.loans_defaulted, f.failed_in_year), (1, 1, Some(3)));
    close(f.ledger[2].principal_yuan, 500_000.0, "2027 paid from rent");
    let l = &f.ledger[3];
    assert_eq!((l.revenue_yuan, l.interest_yuan, l.principal_yuan), (0.0, 0.0, 0.0));
    close(l.bank_loss_yuan, 3_675_000.0 - 2_400_000.0, "bank loss");
    assert_eq!(l.guarantee_calls_yuan, 0.0);
    close(l.depreciation_yuan, 8_500_000.0, "write-off");
    close(
        f.operating(0)[3],
        -4_250_000.0,
        "operating: the company's loss, each village",
    );
    assert_eq!(f.depreciation_yuan[3], 0.0);
    assert_eq!(f.residual_value_yuan, 0.0);

    // With enough reserve the property is carried to the horizon: still
    // depreciated, worth its book value less the balance owed.
    let own = "floor_area_m2 = 1000\nprice_yuan = \"1000万\"\nrent_per_m2_per_year_yuan = 1000\nleave_probability_per_year = 0\n\
               loan = { principal_yuan = \"500万\", rate_per_year = 0.05, term_years = 10, repayment = \"equal-principal\" }\n\
               credit = { reserve_yuan = \"1000万\", cover_share_of_other_income = 0 }\nend_year = 2027\nat_end = \"carry\"";
    let f = intervention_flows(&cluster(&header(6, 1), 2, own), 0, 0);
    assert_eq!(f.loans_defaulted, 0);
    for t in 3..6 {
        assert_eq!(f.ledger[t].revenue_yuan, 0.0);
        close(f.ledger[t].depreciation_yuan, 500_000.0, "carried: depreciated");
        close(f.ledger[t].principal_yuan, 500_000.0, "carried: debt served");
    }
    close(
        f.residual_value_yuan,
        (10_000_000.0 - 3_000_000.0) - 2_000_000.0,
        "residual",
    );
}

/// The net-cash invariant for every slot and year of random runs, one
/// company (so that each village's principal share is its share of the
/// ledger's): loans that sometimes default, sales at end_year, carries.
#[test]
fn net_cash_invariant_on_random_runs() {
    let base = "floor_area_m2 = 3000\nprice_per_m2_yuan = 3000\ngrant_yuan = \"100万\"\nunits = 6\n\
                rent_per_m2_per_year_yuan = { uniform = { min = 100, max = 600 } }\n\
                rent_growth = { normal = { mean = 0.02, sd = 0.05 }, per = \"year\" }\n\
                leave_probability_per_year = 0.3\nlet_probability_per_year = 0.5\nrent_free_months = 2\n\
                operating_cost_per_m2_per_year_yuan = 5\noperating_cost_share_of_rent = 0.03\n\
                equity_shares = { g-01 = 0.2, g-02 = 0.3, g-03 = 0.5 }\n\
                loan = { principal_yuan = \"500万\", rate_per_year = 0.045, term_years = 8, grace_years = 1 }";
    let cases = [
        format!("{base}\ncredit = {{ reserve_yuan = 100000, guarantee_share = 0.5, recovery_share = 0.2 }}"),
        format!("{base}\ncredit = {{ reserve_yuan = 0, cover_share_of_other_income = 0 }}\nend_year = 2029"),
        format!("{base}\nend_year = 2028\nat_end = \"carry\""),
        format!("{base}\nstart_year = 2027\nbuilding_life_years = 3"),
    ];
    let (price, grant, shares) = (9_000_000.0, 1_000_000.0, [0.2, 0.3, 0.5]);
    let mut defaults = 0;
    for (case, own) in cases.iter().enumerate() {
        let m = cluster(&header(10, 40), 3, own);
        let iv = &m.interventions[0];
        let Kind::ClusterPurchase(cp) = &iv.kind else {
            panic!("a cluster purchase")
        };
        let life = cp.building_life_years as usize;
        let sale = (case == 1).then_some(4usize);
        let start = (iv.start_year - 2025) as usize;
        for run in 0..40 {
            let f = intervention_flows(&m, 0, run);
            defaults += f.loans_defaulted;
            for (slot, w) in shares.iter().enumerate() {
                for t in 0..10usize {
                    let k = t.saturating_sub(start);
                    // Principal paid, and the company's depreciation and
                    // write-offs coming back as cash.
                    let mut capital = w * (f.ledger[t].depreciation_yuan - f.ledger[t].principal_yuan);
                    if t == start {
                        capital -= w * (price - grant - 5_000_000.0);
                    }
                    let held = f.failed_in_year.is_none_or(|d| d >= t);
                    if sale == Some(t) && held {
                        let book = price - (price - grant) * (k + 1).min(life) as f64 / life as f64;
                        capital += w * book;
                    }
                    let i = slot * 10 + t;
                    let lines = f.operating_yuan[i] + f.subsidy_yuan[i]
                        - f.costs_yuan[i]
                        - f.taxes_yuan[i]
                        - f.interest_yuan[i];
                    close(
                        f.net_cash_yuan[i],
                        lines + capital,
                        &format!("case {case} run {run} slot {slot} year {t}"),
                    );
                    close(
                        f.net_cash_yuan[i],
                        f.net_income(slot, t) + f.depreciation_yuan[i] + capital,
                        &format!("case {case} run {run} slot {slot} year {t}: from net income"),
                    );
                }
            }
        }
    }
    assert!(defaults > 0, "the random cases include defaults");
}

/// 1,000 m2 for 10 M (depreciation 500,000 a year bought whole), a 5 M loan
/// at 5%, equal principal over 10 years, two villages, 2025-30, bought in
/// `phases`.
fn phased(phases: &str) -> String {
    format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = 2\noperating_income = \"20万\"\n\n\
         [[interventions]]\nid = \"x\"\nkind = \"cluster_purchase\"\nvillages = \"all\"\n\
         floor_area_m2 = 1000\nprice_yuan = \"1000万\"\nrent_per_m2_per_year_yuan = 1000\nleave_probability_per_year = 0\n\
         loan = {{ principal_yuan = \"500万\", rate_per_year = 0.05, term_years = 10, repayment = \"equal-principal\" }}\n\
         {phases}\n",
        header(6, 1)
    )
}

/// Bought 60% in 2025 and 40% in 2027: 3 M of equity and a 3 M loan in
/// 2025, 2 M and 2 M in 2027; the 2025 loan repays 300,000 a year with
/// interest 5% of 3 M - 300,000 k, the 2027 loan 200,000 a year with
/// interest 5% of 2 M - 200,000 k; depreciation 300,000 a year, then
/// 500,000; the rent 60% of the whole until 2027. At the end of 2030 the
/// book value is 0.6 (10 M - 6 x 500,000) + 0.4 (10 M - 4 x 500,000) =
/// 7.4 M and the balance 1.2 M + 1.2 M: residual 5 M.
#[test]
fn a_purchase_in_phases_pays_exactly_the_scheduled_outlays() {
    let m = model(&phased("purchase_phases = { 2025 = \"60%\", 2027 = \"40%\" }"));
    let whole = model(&phased(""));
    let f = intervention_flows(&m, 0, 0);
    let w = intervention_flows(&whole, 0, 0);
    assert_eq!((f.loans, f.loans_defaulted), (1, 0));
    let expect = [
        // equity, loan drawn, interest, principal, depreciation
        (3_000_000.0, 3_000_000.0, 150_000.0, 300_000.0, 300_000.0),
        (0.0, 0.0, 135_000.0, 300_000.0, 300_000.0),
        (2_000_000.0, 2_000_000.0, 120_000.0 + 100_000.0, 500_000.0, 500_000.0),
        (0.0, 0.0, 105_000.0 + 90_000.0, 500_000.0, 500_000.0),
        (0.0, 0.0, 90_000.0 + 80_000.0, 500_000.0, 500_000.0),
        (0.0, 0.0, 75_000.0 + 70_000.0, 500_000.0, 500_000.0),
    ];
    for (t, &(equity, drawn, interest, principal, dep)) in expect.iter().enumerate() {
        let l = &f.ledger[t];
        let y = 2025 + t;
        close(l.village_equity_yuan, equity, &format!("{y} equity"));
        close(l.loan_drawdown_yuan, drawn, &format!("{y} loan drawn"));
        close(l.interest_yuan, interest, &format!("{y} interest"));
        close(l.principal_yuan, principal, &format!("{y} principal"));
        close(l.depreciation_yuan, dep, &format!("{y} depreciation"));
        // Each village pays in half of the year's equity.
        let back = dep * 0.5 - 0.5 * principal;
        close(
            f.net_cash(0)[t] - f.net_income(0, t),
            back - equity * 0.5,
            &format!("{y} net cash of a village"),
        );
        // The rent is that of the share bought (both below the VAT
        // threshold of the relief years until 2027; the whole from 2027).
        let share = if t < 2 { 0.6 } else { 1.0 };
        close(
            l.revenue_yuan,
            share * w.ledger[t].revenue_yuan,
            &format!("{y} revenue"),
        );
    }
    close(f.residual_value_yuan, 5_000_000.0, "residual");
    let iv = &m.interventions[0];
    assert_eq!(iv.kind.loan_end_year(iv), Some(2036), "the 2027 loan runs to 2036");

    // All of it in the start year is the plain run.
    let one = simulate(&model(&phased("purchase_phases = { 2025 = 1 }")), 2);
    assert_eq!(one.policies[1], simulate(&whole, 2).policies[1]);
}
