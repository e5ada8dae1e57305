//! The accounts tables: `accounts.csv` (gross and net, per policy and
//! year), `public_cost.csv` (the true public cost) and `who_gains.csv`
//! (how the added value is shared). The equations are in
//! `model::accounts`.

use csv::Writer;

use super::atomic::OutputError;
use super::tables::{encode, finish, stat_header, stat_row};
use crate::summary::results::{Results, Stat};

/// `accounts.csv`: per policy, year and line, the interventions' accounts
/// summed over the villages (the target line, subsidy income, costs, taxes,
/// depreciation, interest, income tax, net income, net cash), yuan.
pub fn accounts(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "accounts.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(stat_header(&["policy", "year", "line", "unit"]))
        .map_err(encode(name))?;
    for p in &results.policies {
        let Some(a) = &p.accounts else { continue };
        for y in &a.years {
            let lines: [(&str, &Stat); 9] = [
                ("operating_income_target_line", &y.operating_yuan),
                ("subsidy_income", &y.subsidy_yuan),
                ("operating_costs", &y.costs_yuan),
                ("taxes_and_surcharges", &y.taxes_yuan),
                ("depreciation", &y.depreciation_yuan),
                ("interest", &y.interest_yuan),
                ("income_tax", &y.income_tax_yuan),
                ("net_income", &y.net_income_yuan),
                ("net_cash", &y.net_cash_yuan),
            ];
            for (line, stat) in lines {
                let first = vec![p.name.clone(), y.year.to_string(), line.into(), "yuan".into()];
                w.write_record(stat_row(first, stat, 2)).map_err(encode(name))?;
            }
        }
    }
    finish(w, name)
}

/// `public_cost.csv`: per policy, the parts of its public cost over the
/// horizon, yuan.
pub fn public_cost(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "public_cost.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(stat_header(&["policy", "part", "unit"]))
        .map_err(encode(name))?;
    for p in &results.policies {
        let Some(a) = &p.accounts else { continue };
        let c = &a.public_cost;
        let rate = format!("yuan at {}% a year", 100.0 * c.public_discount_rate);
        let parts: [(&str, &str, &Stat); 9] = [
            ("spent", "yuan", &c.spent_yuan),
            ("placed_at_risk", "yuan", &c.placed_yuan),
            ("returned_or_still_placed", "yuan", &c.returned_yuan),
            ("loss_on_placed", "yuan", &c.loss_on_placed_yuan),
            ("implicit_subsidy", "yuan", &c.implicit_subsidy_yuan),
            ("guarantee_calls", "yuan", &c.guarantee_calls_yuan),
            ("fiscal_cost", "yuan", &c.fiscal_cost_yuan),
            ("fiscal_cost_pv", &rate, &c.fiscal_cost_pv_yuan),
            ("host_district_money", "yuan", &c.host_district_yuan),
        ];
        for (part, unit, stat) in parts {
            let first = vec![p.name.clone(), part.into(), unit.into()];
            w.write_record(stat_row(first, stat, 2)).map_err(encode(name))?;
        }
    }
    finish(w, name)
}

/// `who_gains.csv`: per policy, each party's share of the added value over
/// the horizon, yuan; the parties sum to `added_value`.
pub fn who_gains(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "who_gains.csv";
    let mut w = Writer::from_writer(Vec::new());
    w.write_record(stat_header(&["policy", "party", "unit"]))
        .map_err(encode(name))?;
    for p in &results.policies {
        let Some(a) = &p.accounts else { continue };
        let g = &a.who_gains;
        let parties: [(&str, &Stat); 7] = [
            ("collective", &g.collective_yuan),
            ("farmers", &g.farmers_yuan),
            ("bank", &g.bank_yuan),
            ("partners_outside", &g.partners_yuan),
            ("public_purse", &g.public_purse_yuan),
            ("host_district", &g.host_district_yuan),
            ("added_value", &g.added_value_yuan),
        ];
        for (party, stat) in parties {
            let first = vec![p.name.clone(), party.into(), "yuan".into()];
            w.write_record(stat_row(first, stat, 2)).map_err(encode(name))?;
        }
    }
    finish(w, name)
}
