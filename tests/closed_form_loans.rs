//! Loans that can fail and the taxes of a PV station (issue 11, items 7
//! and 8), through the public API: the net-cash invariant of `pv_loan` on
//! random runs that include defaults, the public cost of a guaranteed loan
//! that defaults, the default probability reported per loan, and a station
//! whose sales cross the VAT exemption.
//!
//! ```text
//! sum_v (net income + depreciation - own equity - net cash)[v, t] = principal the bank receives[t]
//! fiscal cost    = guarantee calls - guarantee fees      (a PV loan with no grant or subsidy)
//! ```

mod common;

use common::{header, model, simulate};
use villagesim::engine::intervention_flows;
use villagesim::model::accounts::fiscal_cost;

const FEN: f64 = 0.005;

/// `n` villages of uncertain income, one PV station each, 2025-2036.
fn pv(n: usize, runs: u32, own: &str) -> String {
    format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = {n}\noperating_income = {{ uniform = {{ min = 50000, max = 600000 }} }}\n\n\
         [[interventions]]\nid = \"pv\"\nkind = \"pv_loan\"\nvillages = \"all\"\n\
         capacity_kw = 800\ncapex_per_kw_yuan = \"3500 to 5500\"\nspecific_yield_kwh_per_kw = {{ normal = {{ mean = 1000, sd = 120 }} }}\n\
         feed_in_tariff_per_kwh = \"0.30 to 0.42\"\n{own}\n",
        header(12, runs)
    )
}

const GUARANTEED: &str = "credit = { guarantee_share = 0.8, recovery_share = 0.3 }";

/// The cash identity, with the principal each village paid recovered from
/// its lines; summed over the villages it must be the principal the bank
/// received (the ledger), year by year, in runs with and without defaults.
#[test]
fn the_villages_cash_pays_exactly_the_principal_the_bank_receives_in_every_run() {
    let m = model(&pv(6, 1, GUARANTEED));
    let mut defaults = 0;
    for run in 0..60 {
        let f = intervention_flows(&m, 0, run);
        defaults += f.loans_defaulted;
        let years = f.years();
        for t in 0..years {
            // Capex is drawn per run, so every village pays the same equity.
            let equity = if t == 0 {
                f.ledger[0].village_equity_yuan / 6.0
            } else {
                0.0
            };
            let mut principal = 0.0;
            for slot in 0..6 {
                let i = slot * years + t;
                // net cash = net income + depreciation - principal - equity
                let paid = f.net_income(slot, t) + f.depreciation_yuan[i] - equity - f.net_cash_yuan[i];
                assert!(paid >= -FEN, "run {run} slot {slot} year {t}: principal {paid}");
                principal += paid;
            }
            let bank = f.ledger[t].principal_yuan;
            assert!(
                (principal - bank).abs() < 6.0 * FEN,
                "run {run} year {t}: {principal} vs {bank}"
            );
        }
        // A default's loss is split exactly; the fiscal cost is the calls
        // less the fees.
        let calls: f64 = f.ledger.iter().map(|l| l.guarantee_calls_yuan).sum();
        let fees: f64 = f.ledger.iter().map(|l| l.public_returned_yuan).sum();
        let (cost, _) = fiscal_cost(&f, 0.08);
        assert!(
            (cost - (calls - fees)).abs() < FEN,
            "run {run}: {cost} vs {calls} - {fees}"
        );
        if f.loans_defaulted == 0 {
            assert_eq!(calls, 0.0);
        }
    }
    assert!(defaults > 0, "the case is built to default in some runs");
}

/// The report's probability of default per loan is the share of the
/// loans, over all runs, that default within the horizon.
#[test]
fn the_default_probability_per_loan_is_the_share_of_loans_that_default() {
    let m = model(&pv(4, 400, GUARANTEED));
    let results = simulate(&m, 2);
    let with = &results.policies[1];
    let a = with.appraisals.iter().find(|a| a.id == "pv").expect("appraised");
    assert_eq!(a.loans, 4);
    let mut defaulted = 0u32;
    for run in 0..400 {
        defaulted += intervention_flows(&m, 0, run).loans_defaulted;
    }
    let p = a.p_loan_default.expect("a loan");
    assert!(
        (p - f64::from(defaulted) / 1600.0).abs() < 1e-12,
        "{p} vs {defaulted}/1600"
    );
    assert!(p > 0.0 && p < 1.0, "{p}");
    assert!(a.guarantee_calls_yuan.mean > 0.0);
}

/// A 2,000 kW station sells more than 1.2 M yuan a year: VAT of 1/101 of
/// the sales in 2025-2027 and 3/103 from 2028, surcharges of 5% and then
/// 10% of it; the same station at 1,000 kW sells under the exemption and
/// pays none until 2028.
#[test]
fn vat_follows_the_exemption_and_the_end_of_the_reliefs() {
    let own = |kw: u32| {
        format!(
            "{}[[villages]]\ngroup = \"g\"\ncount = 1\noperating_income = \"50万\"\n\n\
             [[interventions]]\nid = \"pv\"\nkind = \"pv_loan\"\nvillages = \"all\"\ncapacity_kw = {kw}\n\
             capex_per_kw_yuan = 3000\nloan_share = 0\nspecific_yield_kwh_per_kw = 1000\nfirst_year_degradation = 0\n\
             degradation_per_year = 0\nfeed_in_tariff_per_kwh = 0.70\nom_per_kw_per_year_yuan = 0\n",
            header(5, 1)
        )
    };
    let f = intervention_flows(&model(&own(2000)), 0, 0);
    let sales = 2000.0 * 1000.0 * 0.70;
    for t in 0..5 {
        let (r, s) = if 2025 + t <= 2027 { (0.01, 0.05) } else { (0.03, 0.10) };
        let vat = sales * r / (1.0 + r);
        assert!((f.operating_yuan[t as usize] - (sales - vat)).abs() < FEN, "year {t}");
        assert!((f.taxes_yuan[t as usize] - s * vat).abs() < FEN, "year {t}");
        assert!((f.ledger[t as usize].taxes_yuan - (1.0 + s) * vat).abs() < FEN);
        // Depreciation: 6 M over 20 years, no grant.
        assert!((f.depreciation_yuan[t as usize] - 300_000.0).abs() < FEN);
    }
    let f = intervention_flows(&model(&own(1000)), 0, 0);
    assert_eq!(&f.taxes_yuan[..3], &[0.0, 0.0, 0.0]);
    assert_eq!(f.operating_yuan[0], 700_000.0);
    assert!((f.operating_yuan[3] - 700_000.0 / 1.03).abs() < FEN);
}

/// Three villages, one 800 kW station each at `capex` yuan per kW, 90%
/// borrowed, selling enough never to default, 2025-2029.
fn committed_case(capex: &str, runs: u32) -> String {
    format!(
        "{}[[villages]]\ngroup = \"g\"\ncount = 3\noperating_income = \"50万\"\n\n\
         [[interventions]]\nid = \"pv\"\nkind = \"pv_loan\"\nvillages = \"all\"\ncapacity_kw = 800\n\
         capex_per_kw_yuan = {capex}\nloan_share = 0.9\nspecific_yield_kwh_per_kw = 1200\n\
         feed_in_tariff_per_kwh = 0.9\n",
        header(5, runs)
    )
}

/// The money committed over the horizon is a quantity of each run: with a
/// fixed capex its interval has zero width and is the closed form
/// (3 x 800 kW x 4,000 yuan = 9,600,000 yuan: 90% bank loans, 10% village
/// equity); with capex uniform on 3,500 to 5,500 yuan per kW its mean is
/// 2,400 kW x 4,500 = 10,800,000 yuan and its P5 and P95 those of the
/// uniform, 2,400 x 3,600 and 2,400 x 5,400.
#[test]
fn money_committed_over_the_horizon_has_its_interval() {
    let r = simulate(&model(&committed_case("4000", 50)), 2);
    let a = r.policies[1].accounts.as_ref().expect("accounts");
    let c = &a.committed_yuan;
    for (s, want) in [
        (&c.total_yuan, 9_600_000.0),
        (&c.bank_loans_yuan, 8_640_000.0),
        (&c.village_equity_yuan, 960_000.0),
        (&c.public_money_yuan, 0.0),
    ] {
        for (what, x) in [("mean", s.mean), ("p5", s.p5), ("p95", s.p95)] {
            assert!((x - want).abs() < FEN, "{what} {x} vs {want}");
        }
        assert_eq!(s.sd, 0.0);
    }
    // The horizon's mean is the sum of the years' means.
    let by_year: f64 = a.years.iter().map(|y| y.committed.total_yuan.mean).sum();
    assert!((by_year - c.total_yuan.mean).abs() < FEN, "{by_year}");

    let runs = 4000;
    let r = simulate(
        &model(&committed_case("{ uniform = { min = 3500, max = 5500 } }", runs)),
        2,
    );
    let a = r.policies[1].accounts.as_ref().expect("accounts");
    let t = &a.committed_yuan.total_yuan;
    assert!(t.p5 < t.mean && t.mean < t.p95, "{t:?}");
    // The mean to its Monte Carlo error (sd 2,400 x 2,000 / sqrt 12).
    let se = 2400.0 * 2000.0 / 12f64.sqrt() / f64::from(runs).sqrt();
    assert!((t.mean - 10_800_000.0).abs() < 4.0 * se, "{}", t.mean);
    // The quantiles to the sampling error of a quantile of 4,000 runs and
    // the sketch's relative error: well within 2%.
    assert!((t.p5 / 8_640_000.0 - 1.0).abs() < 0.02, "{}", t.p5);
    assert!((t.p95 / 12_960_000.0 - 1.0).abs() < 0.02, "{}", t.p95);
    let by_year: f64 = a.years.iter().map(|y| y.committed.total_yuan.mean).sum();
    assert!((by_year - t.mean).abs() < 1.0, "{by_year} vs {}", t.mean);
}

/// The brief gives the money committed with its interval, in both
/// languages; the fixed case says one value.
#[test]
fn the_brief_gives_the_money_committed_with_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let brief = |file: &str, text: &str, lang: &str| {
        common::write(dir.path(), file, text);
        let out = format!("out-{file}-{lang}");
        common::villagesim(dir.path())
            .args(["run", file, "--out", &out, "--quiet", "--lang", lang])
            .assert()
            .success();
        std::fs::read_to_string(dir.path().join(out).join("report.md")).unwrap()
    };
    let fixed = brief("fixed.toml", &committed_case("4000", 50), "en");
    let want = "Money committed over the horizon: 9,600,000 yuan in all, of which bank loans 8,640,000 yuan, village equity 960,000 yuan.";
    assert!(fixed.contains(want), "{fixed}");
    let zh = brief("fixed.toml", &committed_case("4000", 50), "zh");
    let want = "期内投入资金合计 960万元，其中银行贷款 864万元，村集体出资 96万元。";
    assert!(zh.contains(want), "{zh}");
    let uncertain = brief(
        "uncertain.toml",
        &committed_case("{ uniform = { min = 3500, max = 5500 } }", 400),
        "en",
    );
    let start = uncertain
        .find("Money committed over the horizon: ")
        .expect("the sentence");
    let sentence = &uncertain[start..start + uncertain[start..].find('.').unwrap()];
    assert!(sentence.contains(" yuan (90% of runs: "), "{sentence}");
    assert!(sentence.contains(" in all, of which bank loans "), "{sentence}");
}

/// A station built in stages (issue 15, part 5): 100 kW in two phases,
/// 60% in 2025 at 4,000 yuan per kW and 40% in 2027 at 3,000 (the capex of
/// each build year), 90% lent: 240,000 yuan committed in 2025 (216,000 of
/// loans, 24,000 of village equity), 120,000 in 2027 (108,000 and 12,000),
/// nothing in the other years. Each phase's loan is its own, drawn in its
/// year: the interest of 2025 is 4.3% of 216,000, that of 2027 the first
/// loan's third year plus 4.3% of 108,000. All of it in one phase is the
/// run without `build_phases`, exactly.
#[test]
fn phased_capex_gives_exactly_the_scheduled_outlays() {
    let scenario = |phases: &str| {
        format!(
            "{}[[villages]]\nid = \"a\"\noperating_income = \"20万\"\ngrowth = 0\n\n\
             [[interventions]]\nid = \"pv\"\nkind = \"pv_loan\"\nvillages = \"all\"\n\
             capacity_kw = 100\ncapex_per_kw_yuan = {{ 2025 = 4000, 2027 = 3000 }}\nspecific_yield_kwh_per_kw = 1100\n\
             feed_in_tariff_per_kwh = 0.35\nretail_price_per_kwh = 0.5\n{phases}\n",
            header(6, 4)
        )
    };
    let r = simulate(
        &model(&scenario("build_phases = { 2025 = \"60%\", 2027 = \"40%\" }")),
        2,
    );
    let a = r.policies[1].accounts.as_ref().expect("accounts");
    let year = |y: i32| a.years.iter().find(|x| x.year == y).expect("year");
    for (y, loans, equity) in [
        (2025, 216_000.0, 24_000.0),
        (2026, 0.0, 0.0),
        (2027, 108_000.0, 12_000.0),
        (2028, 0.0, 0.0),
        (2029, 0.0, 0.0),
        (2030, 0.0, 0.0),
    ] {
        let c = &year(y).committed;
        assert!(
            (c.bank_loans_yuan.mean - loans).abs() < FEN,
            "{y}: loans {}",
            c.bank_loans_yuan.mean
        );
        assert!(
            (c.village_equity_yuan.mean - equity).abs() < FEN,
            "{y}: equity {}",
            c.village_equity_yuan.mean
        );
        assert!((c.total_yuan.mean - loans - equity).abs() < FEN, "{y}: total");
    }
    assert!((a.committed_yuan.total_yuan.mean - 360_000.0).abs() < FEN);
    // Annuity of 216,000 at 4.3% over 10 years: the balance after two years.
    let (p, i) = (216_000.0, 0.043f64);
    let payment = p * i / (1.0 - (1.0 + i).powi(-10));
    let balance2 = p * (1.0 + i).powi(2) - payment * ((1.0 + i).powi(2) - 1.0) / i;
    assert!(
        (year(2025).interest_yuan.mean - p * i).abs() < FEN,
        "{}",
        year(2025).interest_yuan.mean
    );
    let want = balance2 * i + 108_000.0 * i;
    assert!(
        (year(2027).interest_yuan.mean - want).abs() < FEN,
        "{} vs {want}",
        year(2027).interest_yuan.mean
    );
    // All in one phase is the plain run.
    let one = simulate(&model(&scenario("build_phases = { 2025 = 1 }")), 2);
    let plain = simulate(&model(&scenario("")), 2);
    assert_eq!(one.policies[1], plain.policies[1]);
}
