//! Closed forms and validation of `idle_asset`.

use super::*;
use crate::engine::intervention_flows;

fn scenario(villages: usize, years: usize, start_year: i32, kind_keys: &str) -> String {
    format!(
        r#"
[scenario]
name = "idle asset test"
start_year = 2021
years = {years}
runs = 200
seed = 11

[targets]
floor = "50万"

# The reliefs (and so the VAT exemption of small rents) throughout: these
# tests are about the rent stream, VAT has its own test.
[accounting]
reliefs_until_year = 2200

[[villages]]
group = "g"
count = {villages}
operating_income = "20万"

[[interventions]]
id = "idle"
kind = "idle_asset"
villages = "all"
start_year = {start_year}
{kind_keys}
"#
    )
}

use crate::model::testing::{close, error, model};

#[test]
fn certain_lease_gives_the_exact_rent_stream() {
    let keys = r#"
mode = "lease"
asset_type = "school"
assets = 2
refurbishment_cost_yuan = 100000
grant_share = 0.3
p_let = 1
p_renew = 1
lease_years = 3
rent_per_year_yuan = 40000
rent_growth_per_year = 0.02
maintenance_per_year_yuan = 2000
"#;
    let m = model(&scenario(3, 10, 2023, keys));
    let f = intervention_flows(&m, 0, 5);
    for slot in 0..3 {
        for t in 0..10 {
            // The target line is the rent, gross of the 4,000 of upkeep
            // on the costs line (issue 11, item 5: it was net before).
            let (rent, upkeep) = if t < 2 {
                (0.0, 0.0)
            } else {
                (2.0 * 40_000.0 * 1.02_f64.powi(t as i32 - 2), 4_000.0)
            };
            assert!(close(f.operating(slot)[t], rent, 1e-6), "{slot} {t}");
            assert_eq!(f.costs_yuan[slot * 10 + t], upkeep);
            // The village's 140,000 of the refurbishment over 10 years.
            let dep = if t >= 2 { 14_000.0 } else { 0.0 };
            assert!(close(f.depreciation_yuan[slot * 10 + t], dep, 1e-6), "{slot} {t}");
            assert!(close(f.net_income(slot, t), rent - upkeep - dep, 1e-6), "{slot} {t}");
            let equity = if t == 2 { 140_000.0 } else { 0.0 };
            assert!(close(f.net_cash(slot)[t], rent - upkeep - equity, 1e-6), "{slot} {t}");
        }
    }
    // Refurbishment: 3 villages x 2 assets x 100k, 30% public money.
    assert!(close(f.ledger[2].public_money_yuan(), 180_000.0, 1e-6));
    assert!(close(f.ledger[2].village_equity_yuan, 420_000.0, 1e-6));
    assert!(f.net_cash(0)[2] < 0.0);
    assert_eq!(f.ledger[2].loan_drawdown_yuan, 0.0);
    assert!(close(f.ledger[4].revenue_yuan, 6.0 * 40_000.0 * 1.0404, 1e-6));
    assert!(close(f.ledger[4].costs_yuan, 12_000.0, 1e-9));
    assert!(f.ledger.iter().all(|l| l.dscr.is_none()));
}

#[test]
fn end_year_stops_the_income() {
    let keys = r#"
mode = "lease"
p_let = 1
p_renew = 1
rent_per_year_yuan = 40000
"#;
    let text = scenario(1, 6, 2021, keys).replace(
        "start_year = 2021\n\nmode",
        "start_year = 2021\nend_year = 2023\n\nmode",
    );
    let f = intervention_flows(&model(&text), 0, 0);
    assert_eq!(f.operating(0), [40_000.0, 40_000.0, 40_000.0, 0.0, 0.0, 0.0]);
}

/// First year with rent, per village, as "years to first tenant" counting the letting year.
fn first_tenant_years(f: &Flows, villages: usize) -> Vec<f64> {
    (0..villages)
        .map(|s| {
            f.operating(s)
                .iter()
                .position(|x| *x > 0.0)
                .map_or(f64::NAN, |t| t as f64 + 1.0)
        })
        .collect()
}

#[test]
fn time_to_first_tenant_is_geometric() {
    let keys = r#"
mode = "lease"
p_let = 0.3
p_renew = 0.8
lease_years = 2
rent_per_year_yuan = 1
"#;
    let villages = 2000;
    let m = model(&scenario(villages, 40, 2021, keys));
    let mut times = Vec::new();
    for run in 0..2 {
        times.extend(first_tenant_years(&intervention_flows(&m, 0, run), villages));
    }
    assert!(times.iter().all(|x| x.is_finite()), "0.7^40: never unlet for 40 years");
    let n = times.len() as f64;
    let mean = times.iter().sum::<f64>() / n;
    // Geometric(0.3): mean 1/p = 3.333, sd sqrt(1 - p)/p = 2.789; SE = 0.044.
    assert!(close(mean, 1.0 / 0.3, 4.0 * 2.789 / n.sqrt()), "{mean}");
    let p_first_year = times.iter().filter(|x| **x == 1.0).count() as f64 / n;
    assert!(close(p_first_year, 0.3, 0.03), "{p_first_year}");
}

#[test]
fn long_run_occupancy_matches_the_markov_chain() {
    // One-year leases: P(let | let last year) = r + (1 - r) p,
    // P(let | vacant last year) = p; stationary share p / (p + (1 - r)(1 - p)).
    let keys = r#"
mode = "lease"
assets = 10
p_let = 0.3
p_renew = 0.8
rent_per_year_yuan = 1
"#;
    let villages = 500;
    let m = model(&scenario(villages, 30, 2021, keys));
    let f = intervention_flows(&m, 0, 0);
    let mut let_years = 0.0;
    let mut cells = 0.0;
    for s in 0..villages {
        for t in 20..30 {
            let_years += f.operating(s)[t];
            cells += 10.0;
        }
    }
    let share = let_years / cells;
    let expected = 0.3 / (0.3 + 0.2 * 0.7);
    // 50,000 asset-years, positively correlated within an asset: allow 0.02.
    assert!(close(share, expected, 0.02), "{share} vs {expected}");
    // No renewals and no new tenants: never let after the first lease.
    let keys = r#"
mode = "lease"
p_let = 0
rent_per_year_yuan = 1
"#;
    let f = intervention_flows(&model(&scenario(5, 5, 2021, keys)), 0, 0);
    assert!(f.operating_yuan.iter().all(|x| *x == 0.0));
}

#[test]
fn self_operate_is_exact_and_may_lose() {
    let keys = r#"
mode = "self-operate"
asset_type = "workshop"
assets = 2
refurbishment_cost_yuan = 50000
revenue_per_year_yuan = 50000
operating_costs_per_year_yuan = 65000
"#;
    let f = intervention_flows(&model(&scenario(2, 4, 2021, keys)), 0, 0);
    for slot in 0..2 {
        // Revenue on the target line, costs on the costs line: the
        // loss is in net income (it was on the target line before).
        assert_eq!(f.operating(slot), [100_000.0; 4]);
        // The 100,000 refurbishment over 10 years: 10,000 a year.
        assert!((0..4).all(|t| f.net_income(slot, t) == -40_000.0));
        assert_eq!(f.net_cash(slot), [-130_000.0, -30_000.0, -30_000.0, -30_000.0]);
    }
    assert_eq!(f.ledger[0].village_equity_yuan, 200_000.0);
    assert_eq!(f.ledger[0].public_money_yuan(), 0.0);
    assert_eq!(f.ledger[1].revenue_yuan, 200_000.0);
    assert_eq!(f.ledger[1].costs_yuan, 260_000.0);
}

#[test]
fn equity_dividend_is_exact_and_floored() {
    let keys = r#"
mode = "equity"
asset_type = "weighing-station"
asset_value_yuan = "120万"
dividend_yield = "5%"
"#;
    let f = intervention_flows(&model(&scenario(1, 3, 2021, keys)), 0, 0);
    assert!(f.operating(0).iter().all(|x| close(*x, 60_000.0, 1e-6)));
    let negative = keys.replace("\"5%\"", "-0.01");
    let f = intervention_flows(&model(&scenario(1, 3, 2021, &negative)), 0, 0);
    assert_eq!(f.operating(0), [0.0; 3]);
    let unfloored = format!("{negative}floor_dividend_at_zero = false\n");
    let f = intervention_flows(&model(&scenario(1, 3, 2021, &unfloored)), 0, 0);
    assert!(f.operating(0).iter().all(|x| close(*x, -12_000.0, 1e-6)));
    // Uncertain yield drawn per year: the same for every village in a year.
    let uncertain = keys.replace("\"5%\"", "\"3% to 8%\"");
    let f = intervention_flows(&model(&scenario(2, 3, 2021, &uncertain)), 0, 0);
    assert_eq!(f.operating(0), f.operating(1));
    assert_ne!(f.operating(0)[0], f.operating(0)[1]);
}

#[test]
fn validation_errors_are_located() {
    let e = error(&scenario(1, 3, 2021, "mode = \"lease\"\n"));
    assert!(
        e.contains("interventions[0].rent_per_year_yuan") && e.contains("missing"),
        "{e}"
    );
    let e = error(&scenario(
        1,
        3,
        2021,
        "mode = \"equity\"\nasset_value_yuan = 1\ndividend_yield = 0.05\np_let = 0.5\n",
    ));
    assert!(
        e.contains("interventions[0].p_let") && e.contains("mode = \"lease\""),
        "{e}"
    );
    let e = error(&scenario(
        1,
        3,
        2021,
        "mode = \"lease\"\nrent_per_year_yuan = 1\np_let = 1.5\n",
    ));
    assert!(e.contains("interventions[0].p_let"), "{e}");
    let e = error(&scenario(
        1,
        3,
        2021,
        "mode = \"lease\"\nrent_per_year_yuan = 1\ngrant_share = 2\n",
    ));
    assert!(e.contains("interventions[0].grant_share"), "{e}");
    let e = error(&scenario(
        1,
        3,
        2021,
        "mode = \"lease\"\nrent_per_year_yuan = 1\nassets = 0\n",
    ));
    assert!(e.contains("interventions[0].assets"), "{e}");
    let e = error(&scenario(
        1,
        3,
        2021,
        "mode = \"lease\"\nrent_per_year_yuan = 1\nlease_years = 0\n",
    ));
    assert!(e.contains("interventions[0].lease_years"), "{e}");
    let e = error(&scenario(
        1,
        3,
        2021,
        "mode = \"self-operate\"\nrevenue_per_year_yuan = 1\n",
    ));
    assert!(e.contains("interventions[0].operating_costs_per_year_yuan"), "{e}");
    let e = error(&scenario(1, 3, 2021, "mode = \"rent\"\n"));
    assert!(e.contains("rent"), "{e}");
}

#[test]
fn runs_through_the_engine() {
    let keys = r#"
mode = "lease"
refurbishment_cost_yuan = "20万 to 60万"
grant_share = 0.5
rent_per_year_yuan = "2万 to 8万"
"#;
    let m = model(&scenario(4, 5, 2021, keys));
    let results = crate::engine::simulate(
        &m,
        crate::engine::RunOptions {
            threads: 2,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap();
    let last = results.policies[1].years.last().unwrap().mean_income_yuan.mean;
    let base = results.policies[0].years.last().unwrap().mean_income_yuan.mean;
    assert!(last > base, "{last} vs {base}");
}

/// After the reliefs (2028 on) a lease's rent pays VAT of 5/105 and
/// 10% of it in surcharges; in the relief years a small rent pays none.
#[test]
fn lease_rent_pays_vat_after_the_reliefs() {
    let keys = r#"
mode = "lease"
asset_type = "school"
assets = 1
rent_per_year_yuan = 105000
p_let = 1
lease_years = 20
maintenance_per_year_yuan = 0
"#;
    let text = scenario(1, 8, 2021, keys).replace("reliefs_until_year = 2200", "reliefs_until_year = 2027");
    let f = crate::engine::intervention_flows(&model(&text), 0, 0);
    for t in 0..8 {
        let (rent, surcharges) = if 2021 + t as i32 <= 2027 {
            (105_000.0, 0.0)
        } else {
            (100_000.0, 500.0)
        };
        assert!(close(f.operating(0)[t], rent, 1e-6), "{t}: {}", f.operating(0)[t]);
        assert!(close(f.taxes_yuan[t], surcharges, 1e-6), "{t}");
    }
}
