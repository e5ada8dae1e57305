//! `mountain_sea_workshop` (山海协作 飞地): a richer district sets aside
//! workshop floor area whose net rental income goes to partner villages or
//! towns, which may lie outside the simulated villages.
//!
//! Source: 2,670 m2 of workshop in the Wuxing High-tech Zone for Chongtou
//! Town, Yunhe County: about 1 million yuan a year.
//!
//! # Beneficiaries and villages
//!
//! `beneficiaries` lists who receives the income, with shares summing to 1:
//! simulated villages by id (`{ village = "id", share = 0.5 }`) and outside
//! beneficiaries by name (`{ external = "Chongtou Town, Yunhe County", share
//! = 0.5 }`). The simulated beneficiaries ARE the intervention's villages:
//! `villages` must select exactly them, and may be left out when every
//! beneficiary is outside the simulated villages. Outside beneficiaries are
//! reported as external flows, never in the villages' figures.
//!
//! # Yearly accounts (years `y` with the intervention active)
//!
//! ```text
//! rent      r[y] = rent_per_m2_per_year_yuan[y] * prod_{k = start_year + 1 .. y} (1 + rent_growth[k])
//!                  * exp(sum_f b_f Z_f[y])
//! gross     G[y] = floor_area_m2 * r[y] * occupancy[y]
//! net       N[y] = G[y] * (1 - cost_share_of_rent)
//! guarantee M    = guaranteed_return_rate * investment_yuan          (0 without a guarantee)
//! top-up    T[y] = max(0, M - N[y])     (the host district's money, host_public_yuan; with
//!                                        guarantee_paid_by = "local", public money spent)
//! paid      D[y] = N[y] + T[y] = max(N[y], M)
//! village   operating income[v, y] = share_v * D[y]    (rent and guaranteed return: the target line)
//! outside   external[b, y] = share_b * D[y]
//! ```
//!
//! The village books what it is paid, `D`, on the target line (rent and a
//! guaranteed return, 保底收益, are operating and investment income): the
//! costs withheld, `G - N`, are the managing host's, not the village's, and
//! stay in the ledger. The top-up is a transfer a `capacity` uplift leaves
//! alone. A host district guaranteeing the return pays with another
//! jurisdiction's money (its own column, not this county's public money);
//! when the scenario's own government is the host (as Wuxing is for
//! Chongtou Town), set `guarantee_paid_by = "local"`. A guarantee makes the
//! beneficiaries' stake behave like a loan (`KindModel::equity_like_debt`).
//!
//! Growth counts from the intervention's `start_year`, also when it lies
//! before the horizon ([`super::sim::GrowthLevel`]): years before the
//! horizon are not drawn and grow at the first simulated year's draw.
//!
//! If `investment_paid_by_beneficiaries = true`, the beneficiaries pay
//! `share * investment_yuan` in the start year: village equity (their net
//! cash) for simulated villages, a negative external flow for outside ones.
//! Otherwise (the default) `investment_yuan` is only the base of the
//! guarantee (paid by others, e.g. the partner county's government).
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/mountain_sea_workshop.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Rent, occupancy, growth and costs are the same for every beneficiary:
//! `per = "village"` or `"village-year"` is rejected for them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::cluster_purchase::{fixed_in, non_negative, shared_param};
use super::sim::GrowthLevel;
use super::{ExternalBeneficiary, Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Domain, Num, Param, Per};

/// One receiver of the income.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BeneficiarySpec {
    /// Id of a simulated village (one of the intervention's villages).
    pub village: Option<String>,
    /// Name of a town or village outside the scenario.
    pub external: Option<String>,
    /// Its name in Chinese (`external_zh = "云和县崇头镇"`), for outputs in Chinese.
    pub external_zh: Option<String>,
    /// Share of the income, 0-1; all shares sum to 1.
    pub share: Num,
}

/// Whose money the guarantee top-up is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaidBy {
    /// The host (partner) district: another jurisdiction's money
    /// (`Ledger::host_public_yuan`).
    #[default]
    Host,
    /// The scenario's own government (when the simulated jurisdiction is
    /// the host): public money spent.
    Local,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/mountain_sea_workshop.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Workshop floor area set aside, m2.
    pub floor_area_m2: Num,
    /// Rent, yuan per m2 per year.
    pub rent_per_m2_per_year_yuan: Param,
    /// Share of the area let.
    pub occupancy: Option<Param>,
    /// Rent growth per year.
    pub rent_growth: Option<Param>,
    /// Loadings of the log rent on the common factors.
    #[serde(default)]
    pub loadings: BTreeMap<String, Num>,
    /// Costs withheld as a share of gross rent.
    pub cost_share_of_rent: Option<Param>,
    /// Who receives the income, with shares summing to 1.
    pub beneficiaries: Vec<BeneficiarySpec>,
    /// The partner's investment, yuan: the base of the guaranteed return.
    pub investment_yuan: Option<Num>,
    /// Guaranteed minimum return per year on `investment_yuan`.
    pub guaranteed_return_rate: Option<Num>,
    /// Whether the beneficiaries pay the investment in the start year.
    pub investment_paid_by_beneficiaries: Option<bool>,
    /// Whose money the guarantee top-up is: "host" or "local".
    pub guarantee_paid_by: Option<PaidBy>,
}

/// A validated mountain-sea workshop.
#[derive(Debug, Clone)]
pub struct MountainSeaWorkshop {
    pub floor_area_m2: f64,
    pub rent: Param,
    pub occupancy: Param,
    pub rent_growth: Param,
    pub loadings: Vec<(usize, f64)>,
    pub cost_share: Param,
    /// Share of each village slot.
    pub slot_shares: Vec<f64>,
    /// Outside beneficiaries and their shares.
    pub external: Vec<(ExternalBeneficiary, f64)>,
    pub investment_yuan: f64,
    /// Guaranteed income per year, yuan (0: no guarantee).
    pub guaranteed_yuan: f64,
    pub investment_paid_in: bool,
    pub guarantee_paid_by: PaidBy,
}

/// The share of each village slot and the outside beneficiaries, checked:
/// every selected village is a beneficiary once, outside names are unique
/// and the shares sum to 1.
fn beneficiaries(
    check: &mut KindCheck,
    beneficiaries: &[BeneficiarySpec],
) -> (Vec<f64>, Vec<(ExternalBeneficiary, f64)>) {
    let ids: Vec<String> = check
        .participants
        .iter()
        .map(|&v| check.villages[v].id.clone())
        .collect();
    let mut slot_shares = vec![f64::NAN; ids.len()];
    let mut external: Vec<(ExternalBeneficiary, f64)> = Vec::new();
    let mut shares = Vec::new();
    if beneficiaries.is_empty() {
        check.fail(
            "beneficiaries",
            "no beneficiaries",
            Some("e.g. beneficiaries = [{ external = \"Chongtou Town, Yunhe County\", share = 1 }]".into()),
        );
    }
    let slot_of = check.slots();
    let mut external_names = std::collections::HashSet::new();
    for (k, b) in beneficiaries.iter().enumerate() {
        let field = format!("beneficiaries[{k}]");
        shares.push(b.share.0);
        if b.external_zh.is_some() && b.external.is_none() {
            check.fail(
                &format!("{field}.external_zh"),
                "`external_zh` names an outside beneficiary, but this one has no `external` name",
                Some("write { external = \"Chongtou Town\", external_zh = \"崇头镇\", share = ... }; a simulated village's Chinese name is its own `name_zh`".into()),
            );
        }
        match (&b.village, &b.external) {
            (Some(id), None) => match slot_of.get(id.as_str()).copied() {
                Some(slot) if !slot_shares[slot].is_nan() => {
                    check.fail(&format!("{field}.village"), format!("village `{id}` is listed twice"), None)
                }
                Some(slot) => slot_shares[slot] = b.share.0,
                None => {
                    let in_scenario = check.has_village(id);
                    let help = if in_scenario {
                        format!("add `{id}` to this intervention's `villages`: the simulated beneficiaries are its villages")
                    } else {
                        "for a town or village outside the scenario write { external = \"name\", share = ... }".into()
                    };
                    check.fail(
                        &format!("{field}.village"),
                        format!("village `{id}` is not among this intervention's villages"),
                        Some(help),
                    );
                }
            },
            (None, Some(name)) => {
                if name.trim().is_empty() {
                    check.fail(&format!("{field}.external"), "the name of an outside beneficiary is empty", None);
                } else if !external_names.insert(name.as_str()) {
                    check.fail(&format!("{field}.external"), format!("`{name}` is listed twice"), None);
                }
                if b.external_zh.as_deref().is_some_and(|z| z.trim().is_empty()) {
                    check.fail(
                        &format!("{field}.external_zh"),
                        "the Chinese name of an outside beneficiary is empty",
                        Some("give its name in Chinese, or leave `external_zh` out to use the English name".into()),
                    );
                }
                let name_zh = b.external_zh.clone();
                external.push((ExternalBeneficiary { name: name.clone(), name_zh }, b.share.0));
            }
            _ => check.fail(
                &field,
                "a beneficiary needs exactly one of `village` (a simulated village id) or `external` (a name outside the scenario)",
                None,
            ),
        }
    }
    if !beneficiaries.is_empty() {
        check.shares("beneficiaries", &shares);
    }
    every_village_listed(check, &ids, &slot_shares);
    let slot_shares = slot_shares
        .into_iter()
        .map(|s| if s.is_nan() { 0.0 } else { s })
        .collect();
    (slot_shares, external)
}

/// Fails for each selected village that is not among the beneficiaries
/// (its share is still NaN).
fn every_village_listed(check: &mut KindCheck, ids: &[String], slot_shares: &[f64]) {
    let missing: Vec<&str> = (0..ids.len())
        .filter(|&s| slot_shares[s].is_nan())
        .map(|s| ids[s].as_str())
        .collect();
    if !missing.is_empty() {
        check.fail(
            "beneficiaries",
            format!(
                "the intervention's villages {} are not beneficiaries",
                missing.join(", ")
            ),
            Some(
                "list each selected village in beneficiaries, or select only the beneficiary villages in `villages`"
                    .into(),
            ),
        );
    }
}

/// `(investment_yuan, guaranteed_yuan per year, paid in by the beneficiaries)`.
fn investment(check: &mut KindCheck, spec: &Spec) -> (f64, f64, bool) {
    let investment_yuan = spec
        .investment_yuan
        .map_or(0.0, |x| non_negative(check, "investment_yuan", x));
    let guaranteed_yuan = match (spec.investment_yuan, spec.guaranteed_return_rate) {
        (_, None) => 0.0,
        (Some(_), Some(rate)) => {
            fixed_in(check, "guaranteed_return_rate", rate, Domain::NonNegativeRate) * investment_yuan
        }
        (None, Some(_)) => {
            check.fail(
                "guaranteed_return_rate",
                "a guaranteed return needs `investment_yuan`, the amount it is a return on",
                None,
            );
            0.0
        }
    };
    let investment_paid_in = spec.investment_paid_by_beneficiaries.unwrap_or(false);
    if investment_paid_in && spec.investment_yuan.is_none() {
        check.fail(
            "investment_paid_by_beneficiaries",
            "there is no `investment_yuan` to pay",
            None,
        );
    }
    (investment_yuan, guaranteed_yuan, investment_paid_in)
}

impl KindModel for MountainSeaWorkshop {
    const KIND: &'static str = "mountain_sea_workshop";
    const RECORDS: &'static str = include_str!("kinds/mountain_sea_workshop.toml");
    type Spec = Spec;

    /// The host district runs the workshop and sets its rent; the
    /// beneficiaries' management cannot change it, so a `capacity` uplift
    /// leaves it alone.
    fn managed(&self) -> bool {
        false
    }

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        let floor_area_m2 = fixed_in(check, "floor_area_m2", spec.floor_area_m2, Domain::Quantity);
        if floor_area_m2 <= 0.0 && spec.floor_area_m2.0 <= 0.0 {
            check.fail("floor_area_m2", "the floor area must be above 0", None);
        }
        let rent = Self::param("rent_per_m2_per_year_yuan").read(check, &spec.rent_per_m2_per_year_yuan);
        let occupancy = Self::param("occupancy").read_or(check, &spec.occupancy);
        let rent_growth = Self::param("rent_growth").read_or(check, &spec.rent_growth);
        let cost_share = Self::param("cost_share_of_rent").read_or(check, &spec.cost_share_of_rent);
        for (field, p) in [
            ("rent_per_m2_per_year_yuan", &rent),
            ("occupancy", &occupancy),
            ("rent_growth", &rent_growth),
            ("cost_share_of_rent", &cost_share),
        ] {
            shared_param(check, field, p);
        }

        let (slot_shares, external) = beneficiaries(check, &spec.beneficiaries);
        let (investment_yuan, guaranteed_yuan, investment_paid_in) = investment(check, &spec);
        MountainSeaWorkshop {
            floor_area_m2,
            rent,
            occupancy,
            rent_growth,
            loadings: check.loadings("loadings", &spec.loadings),
            cost_share,
            slot_shares,
            external,
            investment_yuan,
            guaranteed_yuan,
            investment_paid_in,
            guarantee_paid_by: spec.guarantee_paid_by.unwrap_or_default(),
        }
    }

    fn equity_like_debt(&self, lang: crate::format::Lang) -> Option<String> {
        if self.guaranteed_yuan <= 0.0 {
            return None;
        }
        if lang == crate::format::Lang::Zh {
            let by = match self.guarantee_paid_by {
                PaidBy::Host => "结对帮扶的发达地区",
                PaidBy::Local => "当地政府",
            };
            let stake = if self.investment_paid_in {
                "无论租金高低，受益方的投资至少获得这一收益：保底以下不承担经营风险"
            } else {
                "无论租金高低，受益方的收入都有保底"
            };
            return Some(format!(
                "每年按投资额的 {:.1}% 保底收益，由{by}支付：{stake}",
                100.0 * self.guaranteed_yuan / self.investment_yuan
            ));
        }
        let by = match self.guarantee_paid_by {
            PaidBy::Host => "the host district",
            PaidBy::Local => "the local government",
        };
        let stake = if self.investment_paid_in {
            "the beneficiaries' investment earns at least that whatever the rent: it bears no venture risk below the floor"
        } else {
            "the beneficiaries' income has a floor whatever the rent"
        };
        Some(format!(
            "a guaranteed return (保底收益) of {:.1}% a year on investment_yuan, paid by {by}: {stake}",
            100.0 * self.guaranteed_yuan / self.investment_yuan
        ))
    }

    fn external_beneficiaries(&self) -> Vec<ExternalBeneficiary> {
        self.external.iter().map(|(b, _)| b.clone()).collect()
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        Some("one workshop's income is shared by its beneficiaries from start_year: write one workshop for each year of joining")
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let rent = ctx.draw(&self.rent, Per::Run, iv.key, "rent_per_m2_per_year_yuan", &iv.villages);
        let occupancy = ctx.draw(&self.occupancy, Per::Year, iv.key, "occupancy", &iv.villages);
        let growth = ctx.draw(&self.rent_growth, Per::Run, iv.key, "rent_growth", &iv.villages);
        let cost_share = ctx.draw(&self.cost_share, Per::Run, iv.key, "cost_share_of_rent", &iv.villages);
        let mut growth = GrowthLevel::new(ctx, iv.start_year, &growth, 0);
        for t in 0..ctx.years {
            let year = ctx.start_year + t as i32;
            let level = growth.next(year, t);
            if !iv.active(year) {
                continue;
            }
            if year == iv.start_year && self.investment_paid_in {
                for (slot, s) in self.slot_shares.iter().enumerate() {
                    flows.add_cash(slot, t, -s * self.investment_yuan);
                    flows.ledger[t].village_equity_yuan += s * self.investment_yuan;
                }
                for (b, (_, s)) in self.external.iter().enumerate() {
                    flows.add_external(b, t, -s * self.investment_yuan);
                }
            }
            let shock: f64 = self.loadings.iter().map(|&(f, b)| b * ctx.factors[f][t]).sum();
            let factor = if self.loadings.is_empty() { 1.0 } else { shock.exp() };
            let gross = self.floor_area_m2 * rent.at(0, t) * level * factor * occupancy.at(0, t);
            let costs = gross * cost_share.at(0, t);
            let net = gross - costs;
            let top_up = (self.guaranteed_yuan - net).max(0.0);
            let paid = net + top_up;
            let ledger = &mut flows.ledger[t];
            ledger.revenue_yuan += gross;
            ledger.costs_yuan += costs;
            match self.guarantee_paid_by {
                PaidBy::Host => ledger.host_public_yuan += top_up,
                PaidBy::Local => ledger.public_spent_yuan += top_up,
            }
            for (slot, s) in self.slot_shares.iter().enumerate() {
                flows.add_income(slot, t, s * paid);
                flows.note_transfer(slot, t, s * top_up);
            }
            for (b, (_, s)) in self.external.iter().enumerate() {
                flows.add_external(b, t, s * paid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine;
    use crate::model::Model;

    const FEN: f64 = 0.005;
    const VILLAGES: &str = "[[villages]]\nid = \"a\"\noperating_income = \"20万\"\n[[villages]]\nid = \"b\"\noperating_income = \"30万\"\n";

    fn scenario(years: usize, runs: usize, own: &str) -> String {
        format!(
            r#"
[scenario]
name = "t"
start_year = 2020
years = {years}
runs = {runs}
seed = 3

[targets]
floor = "50万"

{VILLAGES}

[[interventions]]
id = "feidi"
kind = "mountain_sea_workshop"
{own}
"#
        )
    }

    fn model(years: usize, runs: usize, own: &str) -> Model {
        crate::scenario::parse("test.toml", &scenario(years, runs, own), std::path::Path::new(".")).unwrap()
    }

    /// Every error of the scenario, one per line.
    fn error(own: &str) -> String {
        let err = crate::scenario::parse("test.toml", &scenario(3, 1, own), std::path::Path::new(".")).unwrap_err();
        err.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn deterministic_income_split_between_village_and_outside() {
        let m = model(
            4,
            1,
            r#"villages = ["a"]
floor_area_m2 = 2670
rent_per_m2_per_year_yuan = 400
occupancy = 0.9
rent_growth = 0.02
cost_share_of_rent = 0.05
beneficiaries = [{ village = "a", share = 0.4 }, { external = "Chongtou Town, Yunhe County", external_zh = "云和县崇头镇", share = 0.6 }]"#,
        );
        assert_eq!(
            m.interventions[0].external,
            vec![crate::model::ExternalBeneficiary {
                name: "Chongtou Town, Yunhe County".into(),
                name_zh: Some("云和县崇头镇".into())
            }]
        );
        let f = engine::intervention_flows(&m, 0, 0);
        for t in 0..4 {
            let gross = 2670.0 * 400.0 * 1.02_f64.powi(t as i32) * 0.9;
            let net = gross * 0.95;
            assert!((f.operating(0)[t] - 0.4 * net).abs() < FEN);
            assert!((f.net_cash(0)[t] - 0.4 * net).abs() < FEN);
            assert!((f.external_yuan[t] - 0.6 * net).abs() < FEN);
            assert!((f.ledger[t].revenue_yuan - gross).abs() < FEN);
            assert_eq!(f.ledger[t].public_money_yuan(), 0.0);
        }
    }

    #[test]
    fn external_income_stays_out_of_village_figures() {
        // All beneficiaries outside: `villages` may be left out.
        let m = model(
            5,
            50,
            r#"floor_area_m2 = 2670
rent_per_m2_per_year_yuan = "300 to 450"
occupancy = { uniform = { min = 0.7, max = 1 } }
beneficiaries = [{ external = "Chongtou Town, Yunhe County", share = 1 }]"#,
        );
        assert!(m.interventions[0].villages.is_empty());
        let f = engine::intervention_flows(&m, 0, 0);
        assert!(f.operating_yuan.is_empty() && f.net_cash_yuan.is_empty());
        for t in 0..5 {
            assert!((f.external_yuan[t] - f.ledger[t].revenue_yuan).abs() < FEN);
            assert!(f.external_yuan[t] > 0.0);
        }
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
        assert_eq!(none.years, all.years);
        assert_eq!(none.villages, all.villages);
    }

    #[test]
    fn guarantee_tops_up_with_the_host_districts_money() {
        let m = model(
            10,
            200,
            r#"villages = ["a", "b"]
floor_area_m2 = 2670
rent_per_m2_per_year_yuan = "250 to 450"
occupancy = { uniform = { min = 0.3, max = 1 } }
cost_share_of_rent = 0.1
investment_yuan = "1000万"
guaranteed_return_rate = 0.08
beneficiaries = [{ village = "a", share = 0.25 }, { village = "b", share = 0.25 }, { external = "Chongtou Town", share = 0.5 }]"#,
        );
        let guaranteed = 800_000.0;
        let (mut topped, mut not_topped) = (0, 0);
        for run in 0..200 {
            let f = engine::intervention_flows(&m, 0, run);
            for t in 0..10 {
                let paid = f.operating(0)[t] + f.operating(1)[t] + f.external_yuan[t];
                assert!(paid >= guaranteed - 1e-6, "{paid}");
                let net = f.ledger[t].revenue_yuan - f.ledger[t].costs_yuan;
                // The host district's money, not this county's.
                let top_up = f.ledger[t].host_public_yuan;
                assert_eq!(f.ledger[t].public_money_yuan(), 0.0);
                assert!((top_up - (guaranteed - net).max(0.0)).abs() < 1e-6);
                assert!((paid - (net + top_up)).abs() < 1e-6);
                if top_up > 0.0 {
                    topped += 1;
                } else {
                    not_topped += 1;
                }
            }
        }
        assert!(topped > 0 && not_topped > 0, "{topped} {not_topped}");
    }

    /// 1,000 m2 at 100 yuan, 10% withheld: 90,000 net against a guarantee
    /// of 10% of 1 M: the host tops up 10,000 a year (its own column), or
    /// the scenario's government does (public money spent) when "local".
    #[test]
    fn a_deterministic_guarantee_is_the_hosts_money_and_flagged() {
        let keys = r#"villages = ["a"]
floor_area_m2 = 1000
rent_per_m2_per_year_yuan = 100
cost_share_of_rent = 0.1
investment_yuan = 1000000
guaranteed_return_rate = 0.1
beneficiaries = [{ village = "a", share = 0.5 }, { external = "X", share = 0.5 }]"#;
        let m = model(2, 1, keys);
        let f = engine::intervention_flows(&m, 0, 0);
        for t in 0..2 {
            assert_eq!(f.operating(0)[t], 50_000.0);
            assert_eq!(f.transfers(0)[t], 5_000.0);
            assert_eq!(f.external_yuan[t], 50_000.0);
            let l = f.ledger[t];
            assert_eq!((l.revenue_yuan, l.costs_yuan), (100_000.0, 10_000.0));
            assert_eq!((l.host_public_yuan, l.public_spent_yuan), (10_000.0, 0.0));
        }
        let reason = m.interventions[0]
            .kind
            .equity_like_debt(crate::format::Lang::En)
            .expect("flagged");
        assert!(reason.contains("10.0%") && reason.contains("host district"), "{reason}");
        let m = model(2, 1, &format!("{keys}\nguarantee_paid_by = \"local\""));
        let f = engine::intervention_flows(&m, 0, 0);
        assert_eq!(
            (f.ledger[1].host_public_yuan, f.ledger[1].public_spent_yuan),
            (0.0, 10_000.0)
        );
        // No guarantee: no flag.
        let plain = keys.replace("guaranteed_return_rate = 0.1\n", "");
        assert_eq!(
            model(2, 1, &plain).interventions[0]
                .kind
                .equity_like_debt(crate::format::Lang::En),
            None
        );
    }

    #[test]
    fn investment_paid_by_beneficiaries() {
        let m = model(
            2,
            1,
            r#"villages = ["b"]
floor_area_m2 = 1000
rent_per_m2_per_year_yuan = 100
investment_yuan = 500000
guaranteed_return_rate = 0.1
investment_paid_by_beneficiaries = true
beneficiaries = [{ village = "b", share = 0.2 }, { external = "X", share = 0.8 }]"#,
        );
        let f = engine::intervention_flows(&m, 0, 0);
        assert!((f.operating(0)[0] - 0.2 * 100_000.0).abs() < FEN);
        assert!((f.net_cash(0)[0] - (0.2 * 100_000.0 - 100_000.0)).abs() < FEN);
        assert!((f.external_yuan[0] - (0.8 * 100_000.0 - 400_000.0)).abs() < FEN);
        assert!((f.external_yuan[1] - 80_000.0).abs() < FEN);
        assert_eq!(f.ledger[0].village_equity_yuan, 100_000.0);
        assert_eq!(f.ledger[0].public_money_yuan(), 0.0);
    }

    #[test]
    fn validation_errors() {
        let base = "floor_area_m2 = 100\nrent_per_m2_per_year_yuan = 100\n";
        let e = error(&format!(
            "{base}villages = [\"a\"]\nbeneficiaries = [{{ village = \"a\", share = 0.5 }}, {{ external = \"X\", share = 0.4 }}]"
        ));
        assert!(
            e.contains("interventions[0].beneficiaries") && e.contains("sum to 1"),
            "{e}"
        );
        let e = error(&format!(
            "{base}villages = [\"a\"]\nbeneficiaries = [{{ village = \"b\", share = 1 }}]"
        ));
        assert!(e.contains("beneficiaries[0].village") && e.contains("not among"), "{e}");
        let e = error(&format!("{base}beneficiaries = [{{ village = \"a\", share = 1 }}]"));
        assert!(
            e.contains("interventions[0].villages") && e.contains("missing field"),
            "{e}"
        );
        let e = error(&format!(
            "{base}villages = [\"a\", \"b\"]\nbeneficiaries = [{{ village = \"a\", share = 1 }}]"
        ));
        assert!(
            e.contains("beneficiaries") && e.contains("b are not beneficiaries"),
            "{e}"
        );
        let e = error(&format!(
            "{base}villages = [\"a\"]\nbeneficiaries = [{{ village = \"a\", external = \"X\", share = 1 }}]"
        ));
        assert!(e.contains("beneficiaries[0]") && e.contains("exactly one"), "{e}");
        let e = error(&format!(
            "{base}guaranteed_return_rate = 0.1\nbeneficiaries = [{{ external = \"X\", share = 1 }}]"
        ));
        assert!(
            e.contains("guaranteed_return_rate") && e.contains("investment_yuan"),
            "{e}"
        );
        let e = error(&format!(
            "{base}occupancy = 1.2\nbeneficiaries = [{{ external = \"X\", share = 1 }}]"
        ));
        assert!(e.contains("occupancy"), "{e}");
        let e = error(&format!("{base}villages = [\"a\"]\nbeneficiaries = []"));
        assert!(e.contains("beneficiaries"), "{e}");
        let e = error(&format!(
            "{base}beneficiaries = [{{ external = \"X\", external_zh = \" \", share = 1 }}]"
        ));
        assert!(e.contains("beneficiaries[0].external_zh") && e.contains("empty"), "{e}");
        let e = error(&format!(
            "{base}villages = [\"a\"]\nbeneficiaries = [{{ village = \"a\", external_zh = \"甲\", share = 1 }}]"
        ));
        assert!(
            e.contains("beneficiaries[0].external_zh") && e.contains("no `external`"),
            "{e}"
        );
    }

    #[test]
    fn other_kinds_still_need_villages() {
        let text = scenario(3, 1, "").replace(
            "kind = \"mountain_sea_workshop\"",
            "kind = \"income_stream\"\namount = 1",
        );
        let e = crate::scenario::parse("test.toml", &text, std::path::Path::new("."))
            .unwrap_err()
            .errors[0]
            .to_string();
        assert!(
            e.contains("interventions[0].villages") && e.contains("missing field"),
            "{e}"
        );
    }
}
