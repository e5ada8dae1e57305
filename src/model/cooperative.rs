//! `cooperative` (特色产业/合作社): village equity in a cooperative or a
//! family farm (planting, breeding, processing, supply and marketing), paid
//! a share of the venture's profit, optionally with a guaranteed dividend
//! (保底分红), at the risk of loss years and of the venture failing.
//!
//! Each participating village `v` holds a stake of `equity_yuan` in its own
//! venture (one cooperative or farm per village). In every active year `y`
//! (from `start_year` to `end_year`) while the venture survives:
//!
//! ```text
//! revenue[v, y]  = scale[v] * yield[v, y] * price[y] * exp(sum_f b_f Z_f[y])
//! costs[v, y]    = scale[v] * cost_per_unit[y]
//! profit[v, y]   = revenue[v, y] - costs[v, y]
//! share[v, y]    = dividend_share * max(profit[v, y], 0)      (loss years pay no dividend)
//! guarantee      = guaranteed_dividend_rate * equity_yuan
//! top_up[v, y]   = max(0, guarantee - share[v, y])            (paid by `guarantee_by`)
//! guarantee_by = "cooperative":  operating income[v, y] = share[v, y] + top_up[v, y]   (investment income)
//! guarantee_by = "government":   operating income[v, y] = share[v, y]                  (investment income)
//!                                subsidy income[v, y]   = top_up[v, y]                 (补助收入)
//! ```
//!
//! Accounts (农村集体经济组织会计制度, 财会〔2023〕14号): what the venture pays
//! the village on its stake, dividend and a guarantee it pays itself, is
//! investment income (投资收益), on the target line. A top-up the finance
//! bureau pays is not a return on the village's investment but money the
//! government gives it, subsidy income (补助收入): in net income and net
//! cash, not on the target line. The grant part of the stake is a capital
//! grant (it forms the stake, not income). The model has no members' share
//! of the profit (the part not paid to the village stays in the venture),
//! so it pays farmers nothing (`farmers_yuan` = 0).
//!
//! Capital and insolvency: the venture's own funds start at the stake and
//! keep what it does not pay out; a guarantee top-up it pays itself comes
//! out of them too (a guaranteed dividend paid in a loss year drains the
//! venture):
//!
//! ```text
//! capital[v, start] = equity_yuan      (at the horizon's start for a venture begun before it)
//! capital[v, y]     = capital[v, y-1] + profit[v, y] - share[v, y] - (top_up[v, y] if guarantee_by = "cooperative")
//! ```
//!
//! A venture whose capital is 0 or less at a year's end is insolvent and
//! fails at the start of the next active year (as below). A guarantee paid
//! by the government is public money and leaves the venture's funds alone;
//! a guarantee the venture pays whatever its profit makes the villages'
//! equity behave like a loan to it, and its failure the default. Either
//! way a guaranteed dividend above 0 is flagged (`KindModel::equity_like_debt`).
//!
//! Failure: at the start of each active simulated year a surviving venture
//! fails with probability `failure_hazard_per_year`; a failed venture pays
//! nothing in that year and after (no dividend, no guarantee) and the equity
//! is lost (no recovery): the village's own part of it, `(1 - grant_share) *
//! equity_yuan`, is written off in that year (its depreciation and write-off
//! line), so the loss reaches its net income. The probability that the venture still pays in
//! its k-th active simulated year is `(1 - h)^k`. A venture that started
//! before the first simulated year is taken to be alive at its start.
//! `failed_in_year` of the run is the first simulated year in which any
//! participating village's venture failed.
//!
//! Capital: the stake `equity_yuan` per village is paid in the start year
//! (when inside the horizon); `grant_share` of it is a government grant to
//! the village (public money, e.g. Gansu's cooperative start-up grants), the
//! rest is the village's own money (negative net cash). There is no loan.
//! Terminal value: the villages' own part (`1 - grant_share`) of their stake
//! in each venture still alive at the end of the horizon counts as a
//! residual value in the appraisal, at book value: `min(equity_yuan,
//! capital)`, no appreciation and no claim on retained profits (which other
//! members may share); a failed venture's equity is lost.
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/cooperative.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Ledger (totals over the participating villages' ventures): `revenue_yuan`
//! and `costs_yuan` are the ventures' own sales and production costs (the
//! village gets only its dividend out of the difference); a guarantee top-up
//! is added to `costs_yuan` when the cooperative pays it, to
//! `public_spent_yuan` when the government does; the grant part of the equity
//! is `public_spent_yuan` and the village part `village_equity_yuan` in the
//! start year.

use std::collections::BTreeMap;

use rand::Rng;
use serde::Deserialize;

use super::sim::Drawn;
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param, Per};

/// Who pays the guarantee top-up when the profit share falls short of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GuaranteeBy {
    /// The cooperative pays it out of its own funds (a cost of the venture).
    #[default]
    Cooperative,
    /// The government pays it (public money).
    Government,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/cooperative.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Village stake in the venture, yuan per participating village, paid in the start year.
    pub equity_yuan: Num,
    /// Share 0-1 of the stake that is a government grant.
    pub grant_share: Option<Num>,
    /// Scale of the venture: mu, head of livestock... per village.
    pub scale: Param,
    /// Output per unit of scale per year.
    pub yield_per_unit: Param,
    /// Price, yuan per unit of output.
    pub price_per_output_yuan: Param,
    /// Loadings of the log price on common factors, e.g. { farm_price = 0.2 }.
    #[serde(default)]
    pub price_loadings: BTreeMap<String, Num>,
    /// Production cost, yuan per unit of scale per year.
    pub cost_per_unit_yuan: Option<Param>,
    /// Share 0-1 of positive profit paid to the village.
    pub dividend_share: Param,
    /// Guaranteed dividend (保底分红) per year as a share of equity_yuan.
    pub guaranteed_dividend_rate: Option<Param>,
    /// Who pays a guarantee top-up: "cooperative" or "government".
    #[serde(default)]
    pub guarantee_by: GuaranteeBy,
    /// Probability per year that the venture fails for good.
    pub failure_hazard_per_year: Option<Param>,
}

/// A validated cooperative stake.
#[derive(Debug, Clone)]
pub struct Cooperative {
    pub equity_yuan: f64,
    pub grant_share: f64,
    pub scale: Param,
    pub yield_per_unit: Param,
    pub price_per_output_yuan: Param,
    /// `(factor index, loading)` of the log price.
    pub price_loadings: Vec<(usize, f64)>,
    pub cost_per_unit_yuan: Param,
    pub dividend_share: Param,
    pub guaranteed_dividend_rate: Param,
    pub guarantee_by: GuaranteeBy,
    pub failure_hazard_per_year: Param,
}

impl KindModel for Cooperative {
    const KIND: &'static str = "cooperative";
    const RECORDS: &'static str = include_str!("kinds/cooperative.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        let equity = Self::param("equity_yuan").read(check, &Param::fixed(spec.equity_yuan.0));
        let grant = Self::param("grant_share").read_or(check, &spec.grant_share.map(|n| Param::fixed(n.0)));
        Cooperative {
            equity_yuan: equity.as_fixed().unwrap_or(0.0),
            grant_share: grant.as_fixed().unwrap_or(0.0),
            scale: Self::param("scale").read(check, &spec.scale),
            yield_per_unit: Self::param("yield_per_unit").read(check, &spec.yield_per_unit),
            price_per_output_yuan: Self::param("price_per_output_yuan").read(check, &spec.price_per_output_yuan),
            price_loadings: check.loadings("price_loadings", &spec.price_loadings),
            cost_per_unit_yuan: Self::param("cost_per_unit_yuan").read_or(check, &spec.cost_per_unit_yuan),
            dividend_share: Self::param("dividend_share").read(check, &spec.dividend_share),
            guaranteed_dividend_rate: Self::param("guaranteed_dividend_rate")
                .read_or(check, &spec.guaranteed_dividend_rate),
            guarantee_by: spec.guarantee_by,
            failure_hazard_per_year: Self::param("failure_hazard_per_year")
                .read_or(check, &spec.failure_hazard_per_year),
        }
    }

    /// The village's share of a cooperative's result is income from
    /// agricultural production, exempt from enterprise income tax
    /// (企业所得税法 art. 27(1); 实施条例 art. 86).
    fn village_income_taxed(&self) -> bool {
        false
    }

    fn equity_like_debt(&self, lang: crate::format::Lang) -> Option<String> {
        let rate = self.guaranteed_dividend_rate.central();
        if rate <= 0.0 {
            return None;
        }
        let rate = 100.0 * rate;
        if lang == crate::format::Lang::Zh {
            return Some(match self.guarantee_by {
                GuaranteeBy::Cooperative => format!(
                    "每年按入股资金的 {rate:.1}% 保底分红，由合作社以自有资金支付，与盈亏无关：村集体的股权实为对经营主体的借款，经营失败即为违约"
                ),
                GuaranteeBy::Government => {
                    format!("每年按入股资金的 {rate:.1}% 保底分红，不足部分由政府补足：经营存续期间村集体不承担亏损，由政府承担")
                }
            });
        }
        Some(match self.guarantee_by {
            GuaranteeBy::Cooperative => format!(
                "a guaranteed dividend (保底分红) of {rate:.1}% of the stake a year, paid by the cooperative out of its own capital \
                 whatever its profit: the villages' equity is a loan to the venture, and its failure the default"
            ),
            GuaranteeBy::Government => format!(
                "a guaranteed dividend (保底分红) of {rate:.1}% of the stake a year, topped up by the government: \
                 the villages bear no downside while the venture survives; the government bears it"
            ),
        })
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let vs = &iv.villages;
        let draws = Draws::new(self, iv, ctx);
        let own_equity = (1.0 - self.grant_share) * self.equity_yuan;
        let grant = self.grant_share * self.equity_yuan;
        let price_factor = self.price_factor(ctx);
        let mut first_failure: Option<usize> = None;
        let mut failed = 0usize;
        // Book value of the stakes in the ventures alive at the end.
        let mut stakes = 0.0;
        for (slot, &v) in vs.iter().enumerate() {
            let mut events = ctx.stream(
                crate::rng::combine(iv.key, ctx.village_keys[v]),
                "venture failure events",
            );
            let mut alive = true;
            // The venture's own funds: the stake, then what it keeps.
            let mut capital = self.equity_yuan;
            for (t, &factor) in price_factor.iter().enumerate() {
                let year = ctx.start_year + t as i32;
                if !iv.active_for(slot, year) {
                    continue;
                }
                if year == iv.start_of(slot) {
                    flows.add_cash(slot, t, -own_equity);
                    flows.ledger[t].village_equity_yuan += own_equity;
                    flows.ledger[t].public_spent_yuan += grant;
                }
                if !alive {
                    continue;
                }
                let h = draws.hazard.at(slot, t);
                let insolvent = capital <= 0.0;
                if insolvent || (h > 0.0 && events.random::<f64>() < h) {
                    alive = false;
                    failed += 1;
                    first_failure = Some(first_failure.map_or(t, |f| f.min(t)));
                    // The village's own stake is lost: written off in its
                    // net income (the grant part was never its income).
                    flows.add_depreciation(slot, t, own_equity);
                    flows.ledger[t].depreciation_yuan += own_equity;
                    continue;
                }
                let (kept, guarantee_paid) = self.operate_year(&draws, slot, t, factor, flows);
                capital += kept;
                capital -= guarantee_paid;
            }
            let final_year = ctx.start_year + ctx.years as i32 - 1;
            let paid_in = (ctx.start_year..=final_year).contains(&iv.start_of(slot));
            if alive && paid_in {
                stakes += self.equity_yuan.min(capital.max(0.0));
            }
        }
        flows.failed_in_year = first_failure;
        flows.failed_share = Some(failed as f64 / iv.villages.len().max(1) as f64);
        self.residual_value(iv, ctx, stakes, flows);
    }
}

/// One run's draws of a cooperative's uncertain parameters.
struct Draws {
    scale: Drawn,
    yields: Drawn,
    price: Drawn,
    cost: Drawn,
    share: Drawn,
    rate: Drawn,
    hazard: Drawn,
}

impl Draws {
    fn new(c: &Cooperative, iv: &Intervention, ctx: &SimCtx) -> Draws {
        let draw = |p: &Param, per: Per, name: &str| ctx.draw(p, per, iv.key, name, &iv.villages);
        Draws {
            scale: draw(&c.scale, Per::Village, "scale"),
            yields: draw(&c.yield_per_unit, Per::VillageYear, "yield_per_unit"),
            price: draw(&c.price_per_output_yuan, Per::Year, "price_per_output_yuan"),
            cost: draw(&c.cost_per_unit_yuan, Per::Run, "cost_per_unit_yuan"),
            share: draw(&c.dividend_share, Per::Run, "dividend_share"),
            rate: draw(&c.guaranteed_dividend_rate, Per::Run, "guaranteed_dividend_rate"),
            hazard: draw(&c.failure_hazard_per_year, Per::Run, "failure_hazard_per_year"),
        }
    }
}

impl Cooperative {
    /// Books one year of slot `slot`'s surviving venture (price factor
    /// `factor`): its sales and costs, the village's income (its profit
    /// share or the guarantee) and who pays the top-up; returns what the
    /// year does to the venture's capital: `(profit less the profit share,
    /// the guarantee top-up it pays itself)`.
    fn operate_year(&self, draws: &Draws, slot: usize, t: usize, factor: f64, flows: &mut Flows) -> (f64, f64) {
        let units = draws.scale.at(slot, t);
        let revenue = units * draws.yields.at(slot, t) * draws.price.at(slot, t) * factor;
        let costs = units * draws.cost.at(slot, t);
        let dividend = draws.share.at(slot, t) * (revenue - costs).max(0.0);
        let guarantee = draws.rate.at(slot, t) * self.equity_yuan;
        let top_up = (guarantee - dividend).max(0.0);
        flows.ledger[t].revenue_yuan += revenue;
        flows.ledger[t].costs_yuan += costs;
        let paid_by_venture = match self.guarantee_by {
            GuaranteeBy::Cooperative => {
                // The venture pays the whole guaranteed dividend: the
                // village's investment income (投资收益).
                flows.add_income(slot, t, dividend + top_up);
                flows.ledger[t].costs_yuan += top_up;
                top_up
            }
            GuaranteeBy::Government => {
                // The venture pays its dividend (investment income); the
                // finance bureau pays the rest to the village: subsidy
                // income (补助收入), off the target line.
                flows.add_income(slot, t, dividend);
                flows.add_subsidy(slot, t, top_up);
                flows.ledger[t].public_spent_yuan += top_up;
                0.0
            }
        };
        (revenue - costs - dividend, paid_by_venture)
    }

    /// The common price factor of each year: exp(sum of loading x factor),
    /// 1 without loadings.
    fn price_factor(&self, ctx: &SimCtx) -> Vec<f64> {
        (0..ctx.years)
            .map(|t| {
                if self.price_loadings.is_empty() {
                    1.0
                } else {
                    self.price_loadings
                        .iter()
                        .map(|&(f, b)| b * ctx.factors[f][t])
                        .sum::<f64>()
                        .exp()
                }
            })
            .collect()
    }

    /// Residual value: the villages' own part (`1 - grant_share`) of their
    /// stakes in the ventures still alive at the end of the horizon, `stakes`
    /// yuan at book value (each at most `equity_yuan`, less what losses and
    /// guarantee payments have eaten), of the stakes paid in inside the
    /// horizon (counted so in `simulate`).
    fn residual_value(&self, iv: &Intervention, ctx: &SimCtx, stakes: f64, flows: &mut Flows) {
        let final_year = ctx.start_year + ctx.years as i32 - 1;
        if iv.active(final_year) {
            flows.residual_value_yuan = stakes * (1.0 - self.grant_share);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::intervention_flows;
    use crate::scenario::parse;
    use std::path::Path;

    const TEST: crate::model::testing::OneKind = crate::model::testing::OneKind {
        kind: "cooperative",
        id: "coop",
        seed: 7,
        extra: "[factors.farm_price]\npersistence = 0.4\n",
    };

    /// A guarantee the venture pays itself drains it: 10% of 100,000 a year
    /// with no profit empties the capital in 10 years, and the venture fails
    /// at the start of the 11th; paid by the government, it pays all 12.
    #[test]
    fn a_guarantee_paid_by_the_venture_drains_it() {
        let keys = |by: &str| {
            format!(
                "equity_yuan = 100000\nscale = 100\nyield_per_unit = 1\nprice_per_output_yuan = 10\ncost_per_unit_yuan = 10\n\
                 dividend_share = 0.3\nguaranteed_dividend_rate = 0.1\nguarantee_by = \"{by}\""
            )
        };
        let m = TEST.model(1, 12, 1, &keys("cooperative"));
        let reason = m.interventions[0]
            .kind
            .equity_like_debt(crate::format::Lang::En)
            .expect("flagged");
        assert!(reason.contains("10.0%") && reason.contains("loan"), "{reason}");
        let venture = intervention_flows(&m, 0, 0);
        let mut expected = vec![10_000.0; 10];
        expected.extend([0.0, 0.0]);
        assert_eq!(venture.operating(0), &expected[..]);
        assert_eq!(venture.failed_in_year, Some(10));
        assert_eq!(venture.residual_value_yuan, 0.0);
        let government = intervention_flows(&TEST.model(1, 12, 1, &keys("government")), 0, 0);
        // The government's top-up is subsidy income: off the target line.
        assert_eq!(government.operating(0), &[0.0; 12][..]);
        assert_eq!(government.subsidies(0), &[10_000.0; 12][..]);
        assert_eq!(government.net_cash(0)[11], 10_000.0);
        assert_eq!(government.failed_in_year, None);
        assert_eq!(government.ledger[11].public_money_yuan(), 10_000.0);
        assert_eq!(government.residual_value_yuan, 100_000.0);
    }

    /// The terminal value counted in the appraisal: the villages' own
    /// equity (500,000 less the 40% grant) in each venture still alive.
    #[test]
    fn the_terminal_value_is_the_own_equity_of_ventures_alive() {
        let keys = |hazard: f64| {
            format!(
                "equity_yuan = \"50万\"\ngrant_share = 0.4\nscale = 100\nyield_per_unit = 300\nprice_per_output_yuan = 2.5\n\
                 cost_per_unit_yuan = 400\ndividend_share = 0.3\nfailure_hazard_per_year = {hazard}\nstart_year = 2026"
            )
        };
        let alive = intervention_flows(&TEST.model(2, 3, 1, &keys(0.0)), 0, 0);
        assert_eq!(alive.residual_value_yuan, 2.0 * 300_000.0);
        let failed = intervention_flows(&TEST.model(2, 3, 1, &keys(1.0)), 0, 0);
        assert_eq!(failed.residual_value_yuan, 0.0);
    }

    #[test]
    fn no_variance_is_exact() {
        // revenue 100 mu x 300 kg x 2.5 = 75,000; costs 100 x 400 = 40,000;
        // profit 35,000; dividend 30% = 10,500 < guarantee 5% x 500,000 = 25,000.
        let m = TEST.model(
            2,
            3,
            1,
            r#"equity_yuan = "50万"
grant_share = 0.4
scale = 100
yield_per_unit = 300
price_per_output_yuan = 2.5
cost_per_unit_yuan = 400
dividend_share = 0.3
guaranteed_dividend_rate = "5%"
guarantee_by = "government"
start_year = 2026"#,
        );
        let f = intervention_flows(&m, 0, 0);
        for slot in 0..2 {
            // The dividend is investment income, the government's 14,500
            // top-up subsidy income (it was on the target line before).
            assert_eq!(f.operating(slot), &[0.0, 10_500.0, 10_500.0]);
            assert_eq!(f.subsidies(slot), &[0.0, 14_500.0, 14_500.0]);
            assert_eq!(f.net_income(slot, 2), 25_000.0);
            assert_eq!(f.net_cash(slot), &[0.0, 25_000.0 - 300_000.0, 25_000.0]);
        }
        let reason = m.interventions[0]
            .kind
            .equity_like_debt(crate::format::Lang::En)
            .expect("flagged");
        assert!(reason.contains("5.0%") && reason.contains("government"), "{reason}");
        assert_eq!(f.ledger[0], crate::model::Ledger::default());
        let l = f.ledger[1];
        assert_eq!(l.revenue_yuan, 150_000.0);
        assert_eq!(l.costs_yuan, 80_000.0);
        assert_eq!(l.village_equity_yuan, 600_000.0);
        assert_eq!(l.public_money_yuan(), 400_000.0 + 2.0 * 14_500.0);
        assert_eq!(f.ledger[2].public_money_yuan(), 2.0 * 14_500.0);
        assert_eq!(f.failed_in_year, None);

        // Without a guarantee, the village gets its 30% of profit; a loss
        // year (costs above revenue) pays nothing.
        let m = TEST.model(
            1,
            2,
            1,
            r#"equity_yuan = 200000
scale = 10
yield_per_unit = 1000
price_per_output_yuan = 3
cost_per_unit_yuan = 2000
dividend_share = 0.3"#,
        );
        assert_eq!(m.interventions[0].kind.equity_like_debt(crate::format::Lang::En), None);
        let f = intervention_flows(&m, 0, 0);
        assert_eq!(f.operating(0), &[3_000.0, 3_000.0]);
        assert_eq!(f.net_cash(0), &[3_000.0 - 200_000.0, 3_000.0]);
        let m = TEST.model(
            1,
            1,
            1,
            r#"equity_yuan = 0
scale = 10
yield_per_unit = 100
price_per_output_yuan = 3
cost_per_unit_yuan = 2000
dividend_share = 0.3"#,
        );
        assert_eq!(intervention_flows(&m, 0, 0).operating(0), &[0.0]);
    }

    #[test]
    fn guarantee_is_a_floor_while_the_venture_survives() {
        let m = TEST.model(
            5,
            10,
            400,
            r#"equity_yuan = "50万"
scale = { uniform = { min = 50, max = 150 } }
yield_per_unit = { normal = { mean = 300, sd = 90 } }
price_per_output_yuan = "1.5 to 3.5"
price_loadings = { farm_price = 0.2 }
cost_per_unit_yuan = 500
dividend_share = 0.4
guaranteed_dividend_rate = "5%"
failure_hazard_per_year = 0.08"#,
        );
        let (mut topped, mut above, mut failed) = (0, 0, 0);
        for run in 0..m.runs {
            let f = intervention_flows(&m, 0, run);
            let mut first: Option<usize> = None;
            for slot in 0..5 {
                let op = f.operating(slot);
                let end = op.iter().position(|x| *x == 0.0).unwrap_or(op.len());
                assert!(op[end..].iter().all(|x| *x == 0.0), "income after failure");
                assert!(op[..end].iter().all(|x| *x >= 25_000.0), "below the guarantee: {op:?}");
                topped += op[..end].iter().filter(|x| **x == 25_000.0).count();
                above += op[..end].iter().filter(|x| **x > 25_000.0).count();
                if end < op.len() {
                    first = Some(first.map_or(end, |x: usize| x.min(end)));
                }
            }
            assert_eq!(f.failed_in_year, first);
            failed += usize::from(first.is_some());
        }
        // Both regimes occur, and failures happen.
        assert!(topped > 100 && above > 100, "{topped} {above}");
        assert!(failed > 100);
    }

    #[test]
    fn survival_is_geometric() {
        let (villages, years, runs, h) = (50, 8, 300u64, 0.1);
        let m = TEST.model(
            villages,
            years,
            runs,
            &format!(
                "equity_yuan = 100000\nscale = 1\nyield_per_unit = 1\nprice_per_output_yuan = 100\ndividend_share = 1\nfailure_hazard_per_year = {h}"
            ),
        );
        let mut alive = vec![0usize; years];
        let mut none_failed = 0;
        for run in 0..runs {
            let f = intervention_flows(&m, 0, run);
            for slot in 0..villages {
                for (t, x) in f.operating(slot).iter().enumerate() {
                    alive[t] += usize::from(*x > 0.0);
                }
            }
            none_failed += usize::from(f.failed_in_year.is_none());
        }
        let n = (villages as u64 * runs) as f64;
        for (t, a) in alive.iter().enumerate() {
            let p = (1.0f64 - h).powi(t as i32 + 1);
            let se = (p * (1.0 - p) / n).sqrt();
            let got = *a as f64 / n;
            assert!((got - p).abs() < 4.0 * se, "year {t}: {got} vs {p}");
        }
        // With 50 ventures, almost every run sees a failure.
        assert!(none_failed < 3);
    }

    #[test]
    fn validation_errors_are_located() {
        let text = TEST.scenario(
            1,
            2,
            1,
            "equity_yuan = 1000\nscale = 1\nyield_per_unit = 1\nprice_per_output_yuan = 1\ndividend_share = 1.5",
        );
        let err = parse("test.toml", &text, Path::new(".")).unwrap_err();
        let msg = err.errors[0].to_string();
        assert!(
            msg.contains("interventions[0].dividend_share") && msg.contains("probability"),
            "{msg}"
        );
        let text = TEST.scenario(1, 2, 1, "equity_yuan = -5\ngrant_share = 2\nscale = 1\nyield_per_unit = 1\nprice_per_output_yuan = 1\ndividend_share = 0.5\nguarantee_by = \"bank\"");
        let err = parse("test.toml", &text, Path::new(".")).unwrap_err();
        assert!(err.errors[0].to_string().contains("guarantee_by"), "{}", err.plain());
        let text = TEST.scenario(1, 2, 1, "equity_yuan = -5\ngrant_share = 2\nscale = 1\nyield_per_unit = 1\nprice_per_output_yuan = 1\ndividend_share = 0.5\nprice_loadings = { farm = 0.1 }");
        let err = parse("test.toml", &text, Path::new(".")).unwrap_err().plain();
        assert!(err.contains("interventions[0].equity_yuan"), "{err}");
        assert!(err.contains("interventions[0].grant_share"), "{err}");
        assert!(err.contains("farm"), "{err}");
    }

    #[test]
    fn runs_through_the_engine() {
        let m = TEST.model(
            3,
            4,
            50,
            r#"equity_yuan = "20万"
scale = 40
yield_per_unit = { normal = { mean = 300, sd = 60 } }
price_per_output_yuan = "2 to 3"
price_loadings = { farm_price = 0.2 }
cost_per_unit_yuan = 300
dividend_share = 0.3
guaranteed_dividend_rate = "5%"
failure_hazard_per_year = 0.05"#,
        );
        let r = crate::model::testing::run(&m);
        assert_eq!(r.policies.len(), 2);
        assert_eq!(r.runs, 50);
    }
}
