//! `support_fund` (政银帮扶 / 消薄基金): government capital and village
//! capital pooled and run by an operator (e.g. a district urban investment
//! group) that pays a return rate on the pool each year; the returns go to
//! the participating villages.
//!
//! Source: Wuxing district, Huzhou: the city and district put in 22 million
//! yuan, the villages 22.85 million, run by the District Urban Investment
//! Group: +2.691 million yuan a year for 33 villages (6.0% of the pool).
//!
//! # Capital (intervention start year)
//!
//! ```text
//! village contributions  c_v = village_capital_yuan / n          (equal split, the default)
//!                        c_v = village_capital_by_village_yuan[v] (explicit)
//! pool                   K = government_capital_yuan + sum_v c_v
//! ```
//!
//! The government capital is public money in the start year; each village's
//! contribution leaves its net cash in the start year.
//!
//! # Returns (years `y` with the intervention active)
//!
//! ```text
//! rate      rho[y] = the draw of return_rate_per_year for period floor((y - start_year) / reset_years)
//!                    (one draw from the stream for the whole term when reset_years is not given)
//!                    given by year ({ 2025 = "6%", 2028 = "4%" }, see model::param::Schedule): each
//!                    period draws every given year's value, in order, and rho[y] is the schedule's
//!                    value in y from that period's draws (held or interpolated)
//! returns   R[y]   = K * rho[y]                  while the operator has not defaulted
//! village   operating income[v, y] = weight_v * R[y]
//! weights   equal:            weight_v = 1 / n
//!           by-contribution:  weight_v = c_v / sum_u c_u
//!           weakest:          weight_v = (1 / max(I_v, 1)) / sum_u (1 / max(I_u, 1))
//!                             I_v = central value of the village's baseline operating income (yuan)
//! ```
//!
//! # Operator default
//!
//! In each simulated active year the operator defaults with probability
//! `h = default_hazard_per_year` (one uniform draw per year from the
//! intervention's own stream). In the default year `d` and after, no returns
//! are paid; in year `d` each village recovers `recovery_rate * c_v`, recorded
//! as net cash only (capital coming back is not operating income), writes
//! off the rest, `(1 - recovery_rate) * c_v`, in its net income (its
//! depreciation and write-off line), and the
//! run records `failed_in_year = d`. The probability that the fund still pays
//! in the `n`-th simulated year is `(1 - h)^n`.
//!
//! If `end_year` lies inside the horizon and the operator has not defaulted,
//! the villages' contributions are repaid in `end_year` (net cash).
//!
//! # Accounts and public cost
//!
//! The returns are the villages' investment income (投资收益), on the target
//! line; the fund's capital is not income when it comes back. The
//! government's capital `G = government_capital_yuan` is placed, not spent
//! (counted only when `start_year` lies inside the horizon):
//!
//! ```text
//! placed[start_year]  = G
//! returned[d]         = recovery_rate * G                  (operator default in year d)
//! returned[end_year]  = G                                  (repaid, no default)
//! residual            = G if still placed at the horizon's end, else 0   (Flows::public_residual_yuan)
//! implicit[y]         = max(0, rho[y] - market_rate_per_year) * K   in each paying year, operator = "state"
//! fiscal cost         = implicit + placed - returned - residual        (nothing is spent)
//! ```
//!
//! A state operator (a district urban investment group) paying a fixed
//! return above the market rate gives the whole pool, villages' capital
//! included, a subsidy of the difference; a market operator does not. The
//! villages' equity earns a contractual return and is repaid: it behaves
//! like a deposit with the operator ([`KindModel::equity_like_debt`]).
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/support_fund.toml`; `villagesim explain` and
//! `docs/model.md` print them.

use std::collections::BTreeMap;

use rand::Rng;
use serde::Deserialize;

use super::cluster_purchase::{non_negative, shared_param};
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param, Per};

/// How the returns are divided among the participating villages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Allocation {
    /// Equal shares.
    Equal,
    /// In proportion to each village's contribution.
    ByContribution,
    /// Inversely proportional to the village's baseline operating income.
    Weakest,
}

/// Who runs the fund and pays its return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    /// A state-owned operator (a district urban investment group): a return
    /// above the market rate is an implicit subsidy of the public purse.
    #[default]
    State,
    /// A market operator: its return costs the public purse nothing.
    Market,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/support_fund.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Government (city, district) capital put in the pool, yuan.
    pub government_capital_yuan: Option<Num>,
    /// Total village capital, split equally among the villages.
    pub village_capital_yuan: Option<Num>,
    /// Capital of each village, yuan, instead of `village_capital_yuan`.
    pub village_capital_by_village_yuan: Option<BTreeMap<String, Num>>,
    /// Return the operator pays on the pool, per year.
    pub return_rate_per_year: Param,
    /// The rate is redrawn every this many years.
    pub reset_years: Option<i64>,
    /// "equal", "by-contribution" or "weakest".
    pub allocation: Option<Allocation>,
    /// Probability per year that the operator defaults.
    pub default_hazard_per_year: Option<Param>,
    /// Share of their capital the villages recover on default.
    pub recovery_rate: Option<Param>,
    /// "state" or "market": who pays the return.
    pub operator: Option<Operator>,
    /// Market rate a state operator's return is compared with, per year.
    pub market_rate_per_year: Option<Num>,
}

/// A validated support fund.
#[derive(Debug, Clone)]
pub struct SupportFund {
    pub government_capital_yuan: f64,
    /// Contribution of each slot, yuan.
    pub contributions: Vec<f64>,
    /// Share of the returns of each slot.
    pub weights: Vec<f64>,
    pub pool_yuan: f64,
    pub rate: Param,
    pub reset_years: Option<u32>,
    pub allocation: Allocation,
    pub hazard: Param,
    pub recovery: Param,
    pub operator: Operator,
    pub market_rate_per_year: f64,
}

impl KindModel for SupportFund {
    const KIND: &'static str = "support_fund";
    const RECORDS: &'static str = include_str!("kinds/support_fund.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        let government_capital_yuan = spec
            .government_capital_yuan
            .map_or(0.0, |g| non_negative(check, "government_capital_yuan", g));
        let contributions = village_contributions(check, &spec);
        let village_total: f64 = contributions.iter().sum();
        let allocation = spec.allocation.unwrap_or(Allocation::Equal);
        let weights = allocation_weights(check, allocation, &contributions, village_total);
        let rate = Self::param("return_rate_per_year").read(check, &spec.return_rate_per_year);
        if matches!(rate.per, Some(p) if p != Per::Run) {
            check.fail(
                "return_rate_per_year",
                "the return rate is drawn once per reset period: `per` can only be \"run\" (set reset_years to redraw it)",
                Some("to redraw it, set reset_years (reset_years = 1 redraws it every year)".into()),
            );
        }
        let reset_years = spec.reset_years.and_then(|r| {
            check
                .int_in("reset_years", r, 1, crate::limits::MAX_YEARS)
                .then_some(r as u32)
        });
        let hazard = Self::param("default_hazard_per_year").read_or(check, &spec.default_hazard_per_year);
        let recovery = Self::param("recovery_rate").read_or(check, &spec.recovery_rate);
        shared_param(check, "default_hazard_per_year", &hazard);
        shared_param(check, "recovery_rate", &recovery);
        let market_rate_per_year = Self::param("market_rate_per_year").number_or(check, spec.market_rate_per_year);
        SupportFund {
            operator: spec.operator.unwrap_or_default(),
            market_rate_per_year,
            government_capital_yuan,
            pool_yuan: government_capital_yuan + village_total,
            contributions,
            weights,
            rate,
            reset_years,
            allocation,
            hazard,
            recovery,
        }
    }

    /// A contractual return: no `capacity` uplift applies to it.
    fn managed(&self) -> bool {
        false
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        Some("the villages share one pool, its capital paid in at the start: a village joining later would change what every other village gets; write one fund for each year of joining")
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let hazard = ctx.draw(&self.hazard, Per::Run, iv.key, "default_hazard_per_year", &iv.villages);
        let recovery = ctx.draw(&self.recovery, Per::Run, iv.key, "recovery_rate", &iv.villages);
        let mut rate_rng = ctx.stream(iv.key, "return_rate_per_year");
        let mut default_rng = ctx.stream(iv.key, "operator_default");
        // The draw of each part of the rate (each given year of a
        // schedule, else the rate itself) for each reset period.
        let parts = self.rate.parts();
        let mut rates: Vec<Vec<f64>> = Vec::new();
        let draw_period = |rng: &mut crate::rng::Stream| parts.iter().map(|p| p.sample(rng)).collect();
        let mut defaulted = false;
        // The government's capital counts only when placed inside the
        // horizon: then its return (or recovery) and its residual do too.
        let final_year = ctx.start_year + ctx.years as i32 - 1;
        let in_horizon = iv.start_year >= ctx.start_year && iv.start_year <= final_year;
        let government = if in_horizon { self.government_capital_yuan } else { 0.0 };
        for t in 0..ctx.years {
            let year = ctx.start_year + t as i32;
            if !iv.active(year) {
                continue;
            }
            if year == iv.start_year {
                let ledger = &mut flows.ledger[t];
                ledger.public_placed_yuan += government;
                ledger.village_equity_yuan += self.contributions.iter().sum::<f64>();
                for (slot, c) in self.contributions.iter().enumerate() {
                    flows.add_cash(slot, t, -c);
                }
            }
            if defaulted {
                continue;
            }
            let u: f64 = default_rng.random();
            let fails = match iv.forced_failure_year {
                Some(forced) => year == forced,
                None => u < hazard.at(0, t),
            };
            if fails {
                defaulted = true;
                flows.failed_in_year = Some(t);
                self.capital_back(flows, t, recovery.at(0, t), government);
                continue;
            }
            let period = match self.reset_years {
                Some(k) => ((year - iv.start_year) / k as i32) as usize,
                None => 0,
            };
            while rates.len() <= period {
                rates.push(draw_period(&mut rate_rng));
            }
            self.pay_returns(flows, t, self.rate.in_year(year, &rates[period]));
            if iv.end_year == Some(year) {
                self.capital_back(flows, t, 1.0, government);
            }
        }
        if ctx.log.is_some() && self.rate.as_fixed().is_none() {
            // For `--samples`: the rate of every period of the horizon,
            // paid or not (the periods after a default drawn now, from the
            // rate's own stream, which nothing else reads).
            let periods = (0..ctx.years)
                .map(|t| ctx.start_year + t as i32)
                .filter(|&year| iv.active(year))
                .map(|year| {
                    self.reset_years
                        .map_or(0, |k| ((year - iv.start_year) / k as i32) as usize)
                        + 1
                })
                .max()
                .unwrap_or(0);
            while rates.len() < periods {
                rates.push(draw_period(&mut rate_rng));
            }
            match &self.rate.schedule {
                Some(s) => {
                    for k in 0..parts.len() {
                        let drawn: Vec<f64> = rates[..periods].iter().map(|r| r[k]).collect();
                        ctx.note(iv.key, &s.purpose("return_rate_per_year", k), &drawn);
                    }
                }
                None => {
                    let drawn: Vec<f64> = rates[..periods].iter().map(|r| r[0]).collect();
                    ctx.note(iv.key, "return_rate_per_year", &drawn);
                }
            }
        }
        // Residual value: the capital still in the pool at the end of the
        // horizon, when paid in inside it and neither lost nor repaid.
        if !defaulted && in_horizon && iv.active(final_year) && iv.end_year != Some(final_year) {
            flows.residual_value_yuan = self.contributions.iter().sum();
            flows.public_residual_yuan = government;
        }
    }

    fn equity_like_debt(&self, lang: crate::format::Lang) -> Option<String> {
        if lang == crate::format::Lang::Zh {
            let by = match self.operator {
                Operator::State => "国有运营主体",
                Operator::Market => "市场化运营主体",
            };
            return Some(format!(
                "资金池按约定回报率由{by}支付，村集体出资到期返还：其股权实为存放于运营主体的存款（运营主体违约是其承担的唯一风险，不承担经营风险）"
            ));
        }
        let by = match self.operator {
            Operator::State => "a state operator",
            Operator::Market => "a market operator",
        };
        Some(format!(
            "a contractual return on the pool paid by {by}, the villages' capital repaid at end_year: \
             their equity is a deposit with the operator (its default is the only risk they bear, no venture risk)"
        ))
    }
}

impl SupportFund {
    /// Pays the operator's return `rate` on the pool in year `t`: the
    /// villages' operating income (investment income, 投资收益) by weight,
    /// and a state operator's implicit subsidy above the market rate.
    fn pay_returns(&self, flows: &mut Flows, t: usize, rate: f64) {
        let returns = self.pool_yuan * rate;
        flows.ledger[t].revenue_yuan += returns;
        if self.operator == Operator::State {
            flows.ledger[t].implicit_subsidy_yuan += (rate - self.market_rate_per_year).max(0.0) * self.pool_yuan;
        }
        for (slot, w) in self.weights.iter().enumerate() {
            flows.add_income(slot, t, w * returns);
        }
    }

    /// Capital coming back in year `t`: `share` of each village's
    /// contribution (its net cash, not income) and of the government's
    /// capital `government` (public money returned). What does not come back
    /// is written off: a loss in the village's net income (its
    /// depreciation and write-off line), not only in its cash.
    fn capital_back(&self, flows: &mut Flows, t: usize, share: f64, government: f64) {
        for (slot, c) in self.contributions.iter().enumerate() {
            flows.add_cash(slot, t, share * c);
            flows.add_depreciation(slot, t, (1.0 - share) * c);
            flows.ledger[t].depreciation_yuan += (1.0 - share) * c;
        }
        flows.ledger[t].public_returned_yuan += share * government;
    }
}

/// Each participating village's capital, in slot order: a total split
/// equally, or one amount per village (every village named, none other).
fn village_contributions(check: &mut KindCheck, spec: &Spec) -> Vec<f64> {
    let n = check.participants.len();
    let ids: Vec<String> = check
        .participants
        .iter()
        .map(|&v| check.villages[v].id.clone())
        .collect();
    match (&spec.village_capital_yuan, &spec.village_capital_by_village_yuan) {
        (Some(_), Some(_)) => {
            check.fail(
                "village_capital_by_village_yuan",
                "give `village_capital_yuan` (a total split equally) or `village_capital_by_village_yuan`, not both",
                None,
            );
            vec![0.0; n]
        }
        (Some(total), None) => {
            let total = non_negative(check, "village_capital_yuan", *total);
            vec![total / n.max(1) as f64; n]
        }
        (None, Some(map)) => {
            let mut c = vec![f64::NAN; n];
            let slot_of = check.slots();
            for (id, amount) in map {
                let field = format!("village_capital_by_village_yuan.{id}");
                let amount = non_negative(check, &field, *amount);
                match slot_of.get(id.as_str()).copied() {
                    Some(slot) => c[slot] = amount,
                    None => check.fail(
                        &field,
                        format!("village `{id}` does not take part in this intervention"),
                        Some(format!("the intervention's villages: {}", ids.join(", "))),
                    ),
                }
            }
            let missing: Vec<&str> = (0..n).filter(|&s| c[s].is_nan()).map(|s| ids[s].as_str()).collect();
            if !missing.is_empty() {
                check.fail(
                    "village_capital_by_village_yuan",
                    format!("no capital given for {}", missing.join(", ")),
                    Some("give every participating village an amount (0 if it puts in nothing)".into()),
                );
            }
            c.into_iter().map(|x| if x.is_nan() { 0.0 } else { x }).collect()
        }
        (None, None) => vec![0.0; n],
    }
}

/// Each village's share of the fund's returns under `allocation`: equal,
/// by contribution, or in inverse proportion to central baseline income
/// (the weakest first).
fn allocation_weights(
    check: &mut KindCheck,
    allocation: Allocation,
    contributions: &[f64],
    village_total: f64,
) -> Vec<f64> {
    let n = contributions.len();
    match allocation {
        Allocation::Equal => vec![1.0 / n.max(1) as f64; n],
        Allocation::ByContribution => {
            if village_total <= 0.0 {
                check.fail(
                    "allocation",
                    "\"by-contribution\" needs village capital above 0",
                    Some("give village_capital_yuan or village_capital_by_village_yuan, or use \"equal\"".into()),
                );
                vec![1.0 / n.max(1) as f64; n]
            } else {
                contributions.iter().map(|c| c / village_total).collect()
            }
        }
        Allocation::Weakest => {
            let inverse: Vec<f64> = check
                .participants
                .iter()
                .map(|&v| 1.0 / check.villages[v].operating_income.central().max(1.0))
                .collect();
            let sum: f64 = inverse.iter().sum();
            inverse.iter().map(|x| x / sum).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine;
    use crate::model::Model;

    const FEN: f64 = 0.005;

    fn scenario(years: usize, runs: usize, villages: &str, own: &str) -> String {
        format!(
            r#"
[scenario]
name = "t"
start_year = 2020
years = {years}
runs = {runs}
seed = 11

[targets]
floor = "50万"

{villages}

[[interventions]]
id = "fund"
kind = "support_fund"
villages = "all"
{own}
"#
        )
    }

    const GROUP33: &str = "[[villages]]\ngroup = \"w\"\ncount = 33\noperating_income = \"25万\"\n";
    const THREE: &str = "[[villages]]\nid = \"a\"\noperating_income = \"10万\"\n[[villages]]\nid = \"b\"\noperating_income = \"20万\"\n[[villages]]\nid = \"c\"\noperating_income = \"40万\"\n";

    fn model(years: usize, runs: usize, villages: &str, own: &str) -> Model {
        crate::scenario::parse(
            "test.toml",
            &scenario(years, runs, villages, own),
            std::path::Path::new("."),
        )
        .unwrap()
    }

    fn error(villages: &str, own: &str) -> String {
        crate::scenario::parse("test.toml", &scenario(3, 1, villages, own), std::path::Path::new("."))
            .unwrap_err()
            .errors[0]
            .to_string()
    }

    #[test]
    fn source_figures_equal_allocation_to_the_fen() {
        let m = model(
            5,
            2,
            GROUP33,
            "government_capital_yuan = \"2200万\"\nvillage_capital_yuan = \"2285万\"\nreturn_rate_per_year = 0.06",
        );
        let f = engine::intervention_flows(&m, 0, 1);
        let pool: f64 = 22_000_000.0 + 22_850_000.0;
        assert!((pool * 0.06 - 2_691_000.0).abs() < FEN);
        for slot in 0..33 {
            for t in 0..5 {
                assert!((f.operating(slot)[t] - pool * 0.06 / 33.0).abs() < FEN);
            }
            let c = 22_850_000.0 / 33.0;
            assert!((f.net_cash(slot)[0] - (pool * 0.06 / 33.0 - c)).abs() < FEN);
        }
        assert_eq!(f.ledger[0].public_money_yuan(), 22_000_000.0);
        assert!((f.ledger[0].village_equity_yuan - 22_850_000.0).abs() < FEN);
        assert!((f.ledger[3].revenue_yuan - 2_691_000.0).abs() < FEN);
        assert_eq!(f.failed_in_year, None);
    }

    /// Wuxing's figures: 22 M of government capital and 22.85 M of the
    /// villages' at a fixed 6% against a 3% market rate. Nothing is spent;
    /// the 22 M is placed in 2020, comes back in 2022 (end_year), and the
    /// state operator's 3 points above the market rate on 44.85 M are an
    /// implicit subsidy of 1,345,500 yuan in each paying year.
    #[test]
    fn public_cost_splits_into_placed_returned_residual_and_implicit() {
        let own = "government_capital_yuan = \"2200万\"\nvillage_capital_yuan = \"2285万\"\nreturn_rate_per_year = 0.06\nmarket_rate_per_year = 0.03";
        let implicit: f64 = 0.03 * 44_850_000.0;
        assert!((implicit - 1_345_500.0).abs() < FEN);
        let f = engine::intervention_flows(&model(5, 1, GROUP33, &format!("{own}\nend_year = 2022")), 0, 0);
        for (t, l) in f.ledger.iter().enumerate() {
            assert_eq!(l.public_spent_yuan, 0.0);
            assert_eq!(l.public_placed_yuan, if t == 0 { 22_000_000.0 } else { 0.0 });
            assert_eq!(l.public_returned_yuan, if t == 2 { 22_000_000.0 } else { 0.0 });
            let want = if t <= 2 { implicit } else { 0.0 };
            assert!(
                (l.implicit_subsidy_yuan - want).abs() < FEN,
                "{t}: {}",
                l.implicit_subsidy_yuan
            );
        }
        assert_eq!(f.public_residual_yuan, 0.0);
        let fiscal: f64 = f.ledger.iter().map(|l| l.fiscal_cost_yuan()).sum::<f64>() - f.public_residual_yuan;
        assert!((fiscal - 3.0 * implicit).abs() < FEN);
        // Still placed at the horizon's end: the residual nets the placement.
        let f = engine::intervention_flows(&model(5, 1, GROUP33, own), 0, 0);
        assert_eq!(f.public_residual_yuan, 22_000_000.0);
        let fiscal: f64 = f.ledger.iter().map(|l| l.fiscal_cost_yuan()).sum::<f64>() - f.public_residual_yuan;
        assert!((fiscal - 5.0 * implicit).abs() < FEN);
        // A market operator: no implicit subsidy.
        let f = engine::intervention_flows(&model(5, 1, GROUP33, &format!("{own}\noperator = \"market\"")), 0, 0);
        assert!(f.ledger.iter().all(|l| l.implicit_subsidy_yuan == 0.0));
        // Default in the first year: 60% of the 22 M comes back, the 40%
        // lost is the cost; no return is paid, so no implicit subsidy.
        let f = engine::intervention_flows(
            &model(
                5,
                1,
                GROUP33,
                &format!("{own}\ndefault_hazard_per_year = 1\nrecovery_rate = 0.6"),
            ),
            0,
            0,
        );
        assert_eq!(f.failed_in_year, Some(0));
        assert!((f.ledger[0].public_returned_yuan - 13_200_000.0).abs() < FEN);
        assert_eq!(f.public_residual_yuan, 0.0);
        let fiscal: f64 = f.ledger.iter().map(|l| l.fiscal_cost_yuan()).sum();
        assert!((fiscal - 8_800_000.0).abs() < FEN);
        // A fund placed before the horizon: neither its capital nor its
        // return counts, only the implicit subsidy of the horizon's years.
        let f = engine::intervention_flows(
            &model(5, 1, GROUP33, &format!("{own}\nstart_year = 2019\nend_year = 2021")),
            0,
            0,
        );
        assert!(f
            .ledger
            .iter()
            .all(|l| l.public_placed_yuan == 0.0 && l.public_returned_yuan == 0.0));
        assert!((f.ledger[1].implicit_subsidy_yuan - implicit).abs() < FEN);
        assert_eq!(f.ledger[2].implicit_subsidy_yuan, 0.0);
    }

    #[test]
    fn the_villages_equity_is_flagged_as_debt_like() {
        let m = model(
            2,
            1,
            THREE,
            "village_capital_yuan = 300000\nreturn_rate_per_year = 0.05",
        );
        let reason = m.interventions[0]
            .kind
            .equity_like_debt(crate::format::Lang::En)
            .expect("flagged");
        assert!(
            reason.contains("state operator") && reason.contains("repaid"),
            "{reason}"
        );
    }

    #[test]
    fn by_contribution_and_weakest_allocations() {
        let own = "government_capital_yuan = 1000000\nvillage_capital_by_village_yuan = { a = 100000, b = 300000, c = 600000 }\nreturn_rate_per_year = 0.05";
        let pool = 2_000_000.0;
        let m = model(3, 1, THREE, &format!("{own}\nallocation = \"by-contribution\""));
        let f = engine::intervention_flows(&m, 0, 0);
        for (slot, w) in [0.1, 0.3, 0.6].iter().enumerate() {
            assert!((f.operating(slot)[1] - pool * 0.05 * w).abs() < FEN);
        }
        assert!((f.net_cash(2)[0] - (pool * 0.05 * 0.6 - 600_000.0)).abs() < FEN);
        // Weakest: weights 1/10 : 1/20 : 1/40 = 4/7, 2/7, 1/7.
        let m = model(3, 1, THREE, &format!("{own}\nallocation = \"weakest\""));
        let f = engine::intervention_flows(&m, 0, 0);
        for (slot, w) in [4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0].iter().enumerate() {
            assert!((f.operating(slot)[2] - pool * 0.05 * w).abs() < FEN);
        }
        // Equal.
        let m = model(3, 1, THREE, own);
        let f = engine::intervention_flows(&m, 0, 0);
        for slot in 0..3 {
            assert!((f.operating(slot)[0] - pool * 0.05 / 3.0).abs() < FEN);
        }
    }

    #[test]
    fn rate_is_redrawn_every_reset_period() {
        let m = model(
            7,
            3,
            THREE,
            "village_capital_yuan = 300000\nreturn_rate_per_year = { uniform = { min = 0.03, max = 0.08 } }\nreset_years = 3",
        );
        for run in 0..3 {
            let f = engine::intervention_flows(&m, 0, run);
            let r: Vec<f64> = f.ledger.iter().map(|l| l.revenue_yuan).collect();
            assert_eq!(r[0], r[1]);
            assert_eq!(r[1], r[2]);
            assert_ne!(r[2], r[3]);
            assert_eq!(r[3], r[5]);
            assert_ne!(r[5], r[6]);
            assert!(r.iter().all(|x| (300_000.0 * 0.03..=300_000.0 * 0.08).contains(x)));
        }
        // Never reset: one rate for the whole term.
        let m = model(
            7,
            1,
            THREE,
            "village_capital_yuan = 300000\nreturn_rate_per_year = { uniform = { min = 0.03, max = 0.08 } }",
        );
        let f = engine::intervention_flows(&m, 0, 0);
        assert!(f.ledger.iter().all(|l| l.revenue_yuan == f.ledger[0].revenue_yuan));
    }

    #[test]
    fn survival_follows_the_hazard() {
        let (h, years, runs) = (0.1_f64, 10, 4000u64);
        let m = model(
            years,
            runs as usize,
            THREE,
            "village_capital_yuan = 300000\nreturn_rate_per_year = 0.05\ndefault_hazard_per_year = 0.1\nrecovery_rate = 0.5",
        );
        let mut paying = vec![0u64; years];
        for run in 0..runs {
            let f = engine::intervention_flows(&m, 0, run);
            for (t, p) in paying.iter_mut().enumerate() {
                let still = f.ledger[t].revenue_yuan > 0.0;
                assert_eq!(still, f.failed_in_year.is_none_or(|d| d > t));
                *p += u64::from(still);
            }
            if let Some(d) = f.failed_in_year {
                // Recovery is cash, not operating income.
                assert_eq!(f.operating(0)[d], 0.0);
                let paid_in = if d == 0 { -100_000.0 } else { 0.0 };
                assert!((f.net_cash(0)[d] - (paid_in + 50_000.0)).abs() < FEN);
                assert!(f.operating(0)[d..].iter().all(|x| *x == 0.0));
            }
        }
        for (t, p) in paying.iter().enumerate() {
            let expected = (1.0 - h).powi(t as i32 + 1);
            let share = *p as f64 / runs as f64;
            let se = (expected * (1.0 - expected) / runs as f64).sqrt();
            assert!((share - expected).abs() < 4.0 * se, "year {t}: {share} vs {expected}");
        }
    }

    #[test]
    fn contributions_come_back_at_end_year() {
        let m = model(
            5,
            1,
            THREE,
            "village_capital_yuan = 300000\nreturn_rate_per_year = 0.05\nend_year = 2022",
        );
        let f = engine::intervention_flows(&m, 0, 0);
        assert!((f.net_cash(0)[2] - (5_000.0 + 100_000.0)).abs() < FEN);
        assert_eq!(f.operating(0)[3], 0.0);
        assert_eq!(f.net_cash(0)[3], 0.0);
    }

    #[test]
    fn validation_errors() {
        let e = error(THREE, "village_capital_yuan = 1\nreturn_rate_per_year = -0.01");
        assert!(
            e.contains("interventions[0].return_rate_per_year") && e.contains(">= 0"),
            "{e}"
        );
        let e = error(THREE, "return_rate_per_year = 0.05\nallocation = \"by-contribution\"");
        assert!(e.contains("interventions[0].allocation"), "{e}");
        let e = error(THREE, "return_rate_per_year = 0.05\nallocation = \"weakst\"");
        assert!(e.contains("weakest"), "{e}");
        let e = error(THREE, "return_rate_per_year = 0.05\nreset_years = 0");
        assert!(e.contains("interventions[0].reset_years"), "{e}");
        let e = error(THREE, "return_rate_per_year = 0.05\ndefault_hazard_per_year = 2");
        assert!(e.contains("default_hazard_per_year"), "{e}");
        let e = error(
            THREE,
            "return_rate_per_year = 0.05\nvillage_capital_by_village_yuan = { a = 1, b = 2 }",
        );
        assert!(e.contains("village_capital_by_village_yuan") && e.contains("c"), "{e}");
        let e = error(
            THREE,
            "return_rate_per_year = 0.05\nvillage_capital_by_village_yuan = { a = 1, b = 2, c = 3, d = 4 }",
        );
        assert!(e.contains("village_capital_by_village_yuan.d"), "{e}");
        let e = error(
            THREE,
            "return_rate_per_year = { uniform = { min = 0.03, max = 0.08 }, per = \"year\" }",
        );
        assert!(e.contains("reset_years"), "{e}");
        let e = error(THREE, "return_rate_per_year = 0.05\nvillage_capital_yuan = 1\nvillage_capital_by_village_yuan = { a = 1, b = 2, c = 3 }");
        assert!(e.contains("not both"), "{e}");
    }

    #[test]
    fn runs_through_the_engine() {
        let m = model(
            6,
            300,
            GROUP33,
            "government_capital_yuan = \"2200万\"\nvillage_capital_yuan = \"2285万\"\nreturn_rate_per_year = \"5% to 7%\"\nreset_years = 3\ndefault_hazard_per_year = 0.01",
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
        let (none, all) = (&results.policies[0], &results.policies[1]);
        let gain = all.years[1].mean_income_yuan.mean - none.years[1].mean_income_yuan.mean;
        assert!((gain - 2_691_000.0 / 33.0).abs() < 0.1 * 2_691_000.0 / 33.0, "{gain}");
    }
}
