//! `idle_asset` (盘活闲置资产): a village brings idle collective assets
//! (school buildings, warehouses, weighing stations, workshops) back into
//! use, by leasing them out, operating them itself, or contributing them as
//! equity to a partner.
//!
//! Source: Tumengxian Township, Huining County (Gansu): school buildings,
//! weighing scales, assistance workshops and warehouses rented out, put in
//! as equity or run in cooperation.
//!
//! # Timing and capital
//!
//! Each participating village has `assets` assets of `asset_type`. In the
//! intervention's `start_year` it pays the refurbishment,
//! `assets * refurbishment_cost_yuan[v]`, of which `grant_share` is public
//! money (paid directly, never through the village's account) and the rest
//! village equity. Income starts in `start_year` and runs to `end_year`
//! (inclusive) or the end of the horizon. No loans.
//!
//! # Equations (village `v`, calendar year `y`, `n = assets`)
//!
//! ```text
//! refurbishment[v]   = n * refurbishment_cost_yuan[v]                       (start_year)
//! public money[v]    = grant_share * refurbishment[v]                       (start_year)
//! village equity[v]  = (1 - grant_share) * refurbishment[v]                 (start_year)
//! depreciation[v, y] = village equity[v] / refurbishment_life_years         (from start_year, while it lasts;
//!                      the rest written off in end_year; a refurbishment before the horizon is not depreciated in it)
//!
//! mode = "lease", each asset a on its own:
//!   state at the start of year y: a running lease with years left, or none.
//!   if the asset's lease ended last year: renewed for lease_years with probability p_renew
//!   if it has no lease (vacant, or not renewed): let for lease_years with probability p_let,
//!     the lease starting this year (so the first tenant arrives in year
//!     start_year + T - 1 with T ~ Geometric(p_let), mean 1/p_let years counting the letting year)
//!   rent level[v, y]  = rent_per_year_yuan[v, y] * prod_{j = start_year + 1 .. y} (1 + rent_growth_per_year[j])
//!   revenue[v, y]     = (number of assets let in y) * rent level[v, y]
//!   costs[v, y]       = n * maintenance_per_year_yuan[v, y]                  (let or vacant)
//! mode = "self-operate":
//!   revenue[v, y]     = n * revenue_per_year_yuan[v, y]
//!   costs[v, y]       = n * operating_costs_per_year_yuan[v, y]             (income may be negative)
//! mode = "equity":
//!   revenue[v, y]     = n * asset_value_yuan[v] * dividend_yield[v, y]
//!                       (floored at 0 unless floor_dividend_at_zero = false); costs = 0
//!
//! VAT[v, y]              = tax::vat(revenue, r, exempt[y])   (rent at vat_rate_rent, sales at vat_rate_sales, a dividend none)
//! operating income[v, y] = revenue - VAT   (the target line: rent 发包及上交收入 / sales 经营收入 / dividend 投资收益)
//! taxes[v, y]            = surcharge_rate[y] * VAT    (no property tax outside the levy areas, 房产税暂行条例 art. 1)
//! costs[v, y]            = costs     (the village's costs line: upkeep, operating costs)
//! net income[v, y]       = revenue - costs
//! net cash[v, y]         = net income + depreciation - village equity[v] (start_year only)
//! ```
//!
//! In lease mode every asset of a village has its own tenancy chain, drawn
//! from the village's own stream (two uniforms per asset and year, whatever
//! happens, so a village's tenancy does not depend on other villages); all
//! assets of a village share the village's rent and maintenance draws.
//! The rent level is indexed from `start_year`, whether or not the asset is
//! let, and a renewed lease pays the indexed rent of its years.
//! Chains of interventions that started before the horizon run from their
//! `start_year`, so the horizon starts in the right state.
//!
//! In equity mode the asset is contributed in kind: its value is not cash
//! and is not booked as equity paid in; only the refurbishment is. The
//! refurbishment is the village's capital outlay (equity paid in, net cash
//! in the start year), not a cost of that year; its depreciation over
//! `refurbishment_life_years` is (net income, not cash).
//!
//! # Parameters
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/idle_asset.toml`; `villagesim explain` and
//! `docs/model.md` print them.

use rand::Rng;
use serde::Deserialize;

use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param, Per};

/// How the village uses its assets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Let to tenants (出租).
    Lease,
    /// Run by the village itself (自营).
    SelfOperate,
    /// Contributed as equity to a partner for a dividend (入股).
    Equity,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Lease => "lease",
            Mode::SelfOperate => "self-operate",
            Mode::Equity => "equity",
        }
    }
}

/// What kind of asset (a label for reports; it changes no equation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AssetType {
    School,
    Warehouse,
    WeighingStation,
    Workshop,
    #[default]
    Other,
}

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/idle_asset.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// "lease", "self-operate" or "equity".
    pub mode: Mode,
    /// "school", "warehouse", "weighing-station", "workshop" or "other".
    pub asset_type: Option<AssetType>,
    /// Number of assets per village.
    pub assets: Option<i64>,
    /// Refurbishment per asset in the start year, yuan.
    pub refurbishment_cost_yuan: Option<Param>,
    /// Share of the refurbishment paid by government.
    pub grant_share: Option<Num>,
    /// Years over which the village's part of the refurbishment is depreciated.
    pub refurbishment_life_years: Option<i64>,
    /// Lease: probability a vacant asset is let in a year.
    pub p_let: Option<Param>,
    /// Lease: probability a lease is renewed at its end.
    pub p_renew: Option<Param>,
    /// Lease: length of a lease in years.
    pub lease_years: Option<i64>,
    /// Lease: rent per let asset in the start year, yuan per year.
    pub rent_per_year_yuan: Option<Param>,
    /// Lease: growth of the rent level per year.
    pub rent_growth_per_year: Option<Param>,
    /// Lease: upkeep per asset per year, yuan.
    pub maintenance_per_year_yuan: Option<Param>,
    /// Self-operate: revenue per asset per year, yuan.
    pub revenue_per_year_yuan: Option<Param>,
    /// Self-operate: operating costs per asset per year, yuan.
    pub operating_costs_per_year_yuan: Option<Param>,
    /// Equity: value of each asset credited as the village's stake, yuan.
    pub asset_value_yuan: Option<Param>,
    /// Equity: dividend per year as a share of the value.
    pub dividend_yield: Option<Param>,
    /// Equity: pay nothing rather than a negative dividend.
    pub floor_dividend_at_zero: Option<bool>,
}

/// The mechanics of the chosen mode.
// Built once per scenario: the size difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Use {
    Lease {
        p_let: Param,
        p_renew: Param,
        lease_years: u32,
        rent_per_year_yuan: Param,
        rent_growth_per_year: Param,
        maintenance_per_year_yuan: Param,
    },
    SelfOperate {
        revenue_per_year_yuan: Param,
        operating_costs_per_year_yuan: Param,
    },
    Equity {
        asset_value_yuan: Param,
        dividend_yield: Param,
        floor_at_zero: bool,
    },
}

/// A validated idle-asset intervention.
#[derive(Debug, Clone)]
pub struct IdleAsset {
    pub asset_type: AssetType,
    pub assets: u32,
    pub refurbishment_cost_yuan: Param,
    pub grant_share: f64,
    pub refurbishment_life_years: u32,
    pub use_: Use,
}

/// Keys of the other modes are mistakes: says so.
fn refuse_other_modes_keys(check: &mut KindCheck, spec: &Spec) {
    let mode_keys: [(&str, bool, Mode); 12] = [
        ("p_let", spec.p_let.is_some(), Mode::Lease),
        ("p_renew", spec.p_renew.is_some(), Mode::Lease),
        ("lease_years", spec.lease_years.is_some(), Mode::Lease),
        ("rent_per_year_yuan", spec.rent_per_year_yuan.is_some(), Mode::Lease),
        ("rent_growth_per_year", spec.rent_growth_per_year.is_some(), Mode::Lease),
        (
            "maintenance_per_year_yuan",
            spec.maintenance_per_year_yuan.is_some(),
            Mode::Lease,
        ),
        (
            "revenue_per_year_yuan",
            spec.revenue_per_year_yuan.is_some(),
            Mode::SelfOperate,
        ),
        (
            "operating_costs_per_year_yuan",
            spec.operating_costs_per_year_yuan.is_some(),
            Mode::SelfOperate,
        ),
        ("asset_value_yuan", spec.asset_value_yuan.is_some(), Mode::Equity),
        ("dividend_yield", spec.dividend_yield.is_some(), Mode::Equity),
        (
            "floor_dividend_at_zero",
            spec.floor_dividend_at_zero.is_some(),
            Mode::Equity,
        ),
        ("mode", false, spec.mode),
    ];
    for (field, given, mode) in mode_keys {
        if given && mode != spec.mode {
            check.fail(
                field,
                format!(
                    "`{field}` applies to mode = \"{}\", not mode = \"{}\"",
                    mode.as_str(),
                    spec.mode.as_str()
                ),
                Some(format!("remove it, or set mode = \"{}\"", mode.as_str())),
            );
        }
    }
}

/// What each asset does, with the keys of its mode checked; a key the
/// mode needs and the file leaves out is refused.
fn use_of_mode(check: &mut KindCheck, spec: &Spec) -> Use {
    let required = |check: &mut KindCheck, field: &str, p: &Option<Param>, hint: &str| match p {
        Some(p) => IdleAsset::param(field).read(check, p),
        None => {
            check.fail(
                field,
                format!("missing field `{field}` (needed for mode = \"{}\")", spec.mode.as_str()),
                Some(hint.to_string()),
            );
            Param::fixed(0.0)
        }
    };

    match spec.mode {
        Mode::Lease => {
            let lease_years = IdleAsset::param("lease_years").whole_or(check, spec.lease_years);
            Use::Lease {
                p_let: IdleAsset::param("p_let").read_or(check, &spec.p_let),
                p_renew: IdleAsset::param("p_renew").read_or(check, &spec.p_renew),
                lease_years: IdleAsset::param("lease_years").clamp(lease_years) as u32,
                rent_per_year_yuan: required(
                    check,
                    "rent_per_year_yuan",
                    &spec.rent_per_year_yuan,
                    "rent of one let asset per year, e.g. rent_per_year_yuan = \"2万 to 6万\"",
                ),
                rent_growth_per_year: IdleAsset::param("rent_growth_per_year").read_or(check, &spec.rent_growth_per_year),
                maintenance_per_year_yuan: IdleAsset::param("maintenance_per_year_yuan").read_or(check, &spec.maintenance_per_year_yuan),
            }
        }
        Mode::SelfOperate => Use::SelfOperate {
            revenue_per_year_yuan: required(
                check,
                "revenue_per_year_yuan",
                &spec.revenue_per_year_yuan,
                "revenue per asset per year, e.g. revenue_per_year_yuan = \"3万 to 8万\"",
            ),
            operating_costs_per_year_yuan: required(
                check,
                "operating_costs_per_year_yuan",
                &spec.operating_costs_per_year_yuan,
                "operating costs per asset per year (wages, power, materials), e.g. operating_costs_per_year_yuan = \"2万\"",
            ),
        },
        Mode::Equity => Use::Equity {
            asset_value_yuan: required(
                check,
                "asset_value_yuan",
                &spec.asset_value_yuan,
                "value of each asset credited as the village's stake, e.g. asset_value_yuan = \"120万\"",
            ),
            dividend_yield: required(
                check,
                "dividend_yield",
                &spec.dividend_yield,
                "dividend per year as a share of the value, e.g. dividend_yield = \"3% to 8%\"",
            ),
            floor_at_zero: spec.floor_dividend_at_zero.unwrap_or(true),
        },
    }
}

/// What VAT a revenue carries: rent of immovable property, sales of goods
/// and services, or none (a dividend).
#[derive(Clone, Copy)]
enum Vat {
    Rent,
    Sales,
    None,
}

/// Books revenue and costs of one slot in simulated year `t`: the revenue
/// (rent, sales, dividend; VAT included) less its VAT on the target line,
/// the VAT surcharges on the taxes line, the costs (upkeep, operating
/// costs) on the costs line. VAT is that of a small-scale taxpayer in the
/// year ([`crate::model::finance::tax`]): in practice none below the
/// exemption threshold. No property tax: it is not levied on property
/// outside cities, county towns, built-up towns and industrial and mining
/// areas (房产税暂行条例 art. 1), where village assets are taken to lie.
fn book(flows: &mut Flows, ctx: &SimCtx, (slot, t): (usize, usize), revenue: f64, costs: f64, vat: Vat) {
    let rates = ctx.tax.year(ctx.start_year + t as i32);
    let rate = match vat {
        Vat::Rent => rates.vat_rate_rent,
        Vat::Sales => rates.vat_rate_sales,
        Vat::None => 0.0,
    };
    let (vat, surcharges) = rates.vat_and_surcharges(revenue, rate);
    flows.ledger[t].revenue_yuan += revenue - vat;
    flows.ledger[t].costs_yuan += costs;
    flows.ledger[t].taxes_yuan += vat + surcharges;
    flows.add_income(slot, t, revenue - vat);
    flows.add_cost(slot, t, costs);
    flows.add_tax(slot, t, surcharges);
}

impl IdleAsset {
    /// Refurbishment in the start year, if inside the horizon: the village
    /// pays its equity share, government the grant share.
    fn refurbish(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let villages = &iv.villages;
        let draw = |p: &Param, per: Per, name: &str| ctx.draw(p, per, iv.key, name, villages);
        let years = ctx.years;
        let n = f64::from(self.assets);
        let refurb = draw(&self.refurbishment_cost_yuan, Per::Village, "refurbishment_cost_yuan");
        for slot in 0..villages.len() {
            let start_t = i64::from(iv.start_of(slot)) - i64::from(ctx.start_year);
            if (0..years as i64).contains(&start_t) {
                let t = start_t as usize;
                let cost = n * refurb.at(slot, t);
                let public = self.grant_share * cost;
                let equity = cost - public;
                flows.add_cash(slot, t, -equity);
                flows.ledger[t].village_equity_yuan += equity;
                flows.ledger[t].public_spent_yuan += public;
                // The village's part is depreciated; the grant part was
                // never its money.
                let stop = iv.end_year.and_then(|e| ctx.year_index(e));
                flows.depreciate_straight_line(slot, t, equity, self.refurbishment_life_years, stop);
            }
        }
    }

    /// Lease mode: each asset's tenancy is a chain of leases of
    /// `lease_years`, renewed with `p_renew` when one ends and let with
    /// `p_let` while vacant; a let asset pays the rent, grown from the start
    /// year. The chain runs from the start year (possibly before the
    /// horizon) so the state at the horizon's first year is right.
    fn simulate_lease(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let villages = &iv.villages;
        let draw = |p: &Param, per: Per, name: &str| ctx.draw(p, per, iv.key, name, villages);
        let years = ctx.years;
        let n = f64::from(self.assets);
        let Use::Lease {
            p_let,
            p_renew,
            lease_years,
            rent_per_year_yuan,
            rent_growth_per_year,
            maintenance_per_year_yuan,
        } = &self.use_
        else {
            return;
        };
        let p_let = draw(p_let, Per::Run, "p_let");
        let p_renew = draw(p_renew, Per::Run, "p_renew");
        let rent = draw(rent_per_year_yuan, Per::Village, "rent_per_year_yuan");
        let growth = draw(rent_growth_per_year, Per::Run, "rent_growth_per_year");
        let maintenance = draw(maintenance_per_year_yuan, Per::Village, "maintenance_per_year_yuan");
        let last_year = ctx.start_year + years as i32 - 1;
        let last_year = iv.end_year.map_or(last_year, |end| end.min(last_year));
        let assets = self.assets as usize;
        let mut remaining = vec![0u32; assets];
        let mut just_ended = vec![false; assets];
        for (slot, &v) in villages.iter().enumerate() {
            let mut rng = ctx.stream(crate::rng::combine(iv.key, ctx.village_keys[v]), "tenancy");
            remaining.fill(0);
            just_ended.fill(false);
            let mut level = 1.0;
            for year in iv.start_of(slot)..=last_year {
                let t = i64::from(year) - i64::from(ctx.start_year);
                let tt = t.clamp(0, years as i64 - 1) as usize;
                if year > iv.start_of(slot) {
                    level *= 1.0 + growth.at(slot, tt);
                }
                let (pl, pr) = (p_let.at(slot, tt), p_renew.at(slot, tt));
                let mut let_count = 0u32;
                for a in 0..assets {
                    let u_renew: f64 = rng.random();
                    let u_let: f64 = rng.random();
                    if remaining[a] == 0 && just_ended[a] && u_renew < pr {
                        remaining[a] = *lease_years;
                    }
                    if remaining[a] == 0 && u_let < pl {
                        remaining[a] = *lease_years;
                    }
                    if remaining[a] > 0 {
                        let_count += 1;
                        remaining[a] -= 1;
                        just_ended[a] = remaining[a] == 0;
                    } else {
                        just_ended[a] = false;
                    }
                }
                if t >= 0 {
                    let t = t as usize;
                    let revenue = f64::from(let_count) * rent.at(slot, t) * level;
                    book(flows, ctx, (slot, t), revenue, n * maintenance.at(slot, t), Vat::Rent);
                }
            }
        }
    }
}

impl KindModel for IdleAsset {
    const KIND: &'static str = "idle_asset";
    const RECORDS: &'static str = include_str!("../kinds/idle_asset.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        let assets = Self::param("assets").whole_or(check, spec.assets);
        let grant_share = Self::param("grant_share").number_or(check, spec.grant_share);
        let refurbishment_cost_yuan =
            Self::param("refurbishment_cost_yuan").read_or(check, &spec.refurbishment_cost_yuan);
        refuse_other_modes_keys(check, &spec);
        let use_ = use_of_mode(check, &spec);
        IdleAsset {
            asset_type: spec.asset_type.unwrap_or_default(),
            assets: Self::param("assets").clamp(assets) as u32,
            refurbishment_cost_yuan,
            grant_share,
            refurbishment_life_years: {
                let life = Self::param("refurbishment_life_years");
                life.clamp(life.whole_or(check, spec.refurbishment_life_years)) as u32
            },
            use_,
        }
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let villages = &iv.villages;
        let draw = |p: &Param, per: Per, name: &str| ctx.draw(p, per, iv.key, name, villages);
        let n = f64::from(self.assets);
        self.refurbish(iv, ctx, flows);
        let active_ts = |slot| (0..ctx.years).filter(move |&t| iv.active_for(slot, ctx.start_year + t as i32));
        match &self.use_ {
            Use::Lease { .. } => self.simulate_lease(iv, ctx, flows),
            Use::SelfOperate {
                revenue_per_year_yuan,
                operating_costs_per_year_yuan,
            } => {
                let revenue = draw(revenue_per_year_yuan, Per::VillageYear, "revenue_per_year_yuan");
                let costs = draw(
                    operating_costs_per_year_yuan,
                    Per::VillageYear,
                    "operating_costs_per_year_yuan",
                );
                for slot in 0..villages.len() {
                    for t in active_ts(slot) {
                        book(
                            flows,
                            ctx,
                            (slot, t),
                            n * revenue.at(slot, t),
                            n * costs.at(slot, t),
                            Vat::Sales,
                        );
                    }
                }
            }
            Use::Equity {
                asset_value_yuan,
                dividend_yield,
                floor_at_zero,
            } => {
                let value = draw(asset_value_yuan, Per::Village, "asset_value_yuan");
                let yield_ = draw(dividend_yield, Per::Year, "dividend_yield");
                for slot in 0..villages.len() {
                    for t in active_ts(slot) {
                        let y = yield_.at(slot, t);
                        let y = if *floor_at_zero { y.max(0.0) } else { y };
                        book(flows, ctx, (slot, t), n * value.at(slot, t) * y, 0.0, Vat::None);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
