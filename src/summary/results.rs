//! The finished aggregates of a run: plain, serialisable data.
//!
//! Everything downstream of the engine (CSV, JSON, charts, reports) reads
//! only this type, so a saved `results.json` and the `village_years.bin`
//! beside it (the per-village years: `output::village_file`) are enough to
//! rebuild every output without simulating again. Money is nominal yuan; counts are
//! numbers of villages; probabilities are in [0, 1].

use serde::{Deserialize, Serialize};

pub use crate::model::Assumption;

/// Version of the `results.json` layout; bumped on any incompatible change.
pub const RESULTS_FORMAT_VERSION: u32 = 5;

pub use super::check::Invalid;

/// Distribution of one quantity over the Monte Carlo runs.
///
/// `mean` and `se` are exact (computed from exact sums); the quantiles come
/// from a log-bucket sketch whose relative error is stated in
/// [`Results::quantile_relative_error`], and are clamped to the exact
/// observed minimum and maximum, so a quantity without variance is exact.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Stat {
    #[serde(deserialize_with = "nan_if_null")]
    pub mean: f64,
    /// Monte Carlo standard error of the mean: sd / sqrt(runs).
    #[serde(deserialize_with = "nan_if_null")]
    pub se: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub sd: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub min: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p5: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p10: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p25: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p50: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p75: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p90: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub p95: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub max: f64,
}

/// Reads a number written by `serde_json`, which writes NaN (a statistic
/// over no observations) as `null`; a binary format (postcard, in points
/// shards) wrote the number itself.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    if !d.is_human_readable() {
        return f64::deserialize(d);
    }
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// One bucket of a histogram: values in `[lo, hi)` seen `count` times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
}

/// Portfolio figures of one policy in one year, each over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioYear {
    pub year: i32,
    /// Sum of operating income over all villages, yuan.
    pub total_income_yuan: Stat,
    /// Mean operating income per village, yuan.
    pub mean_income_yuan: Stat,
    /// Other income (grants, transfers) of all villages, yuan: not counted
    /// in the targets.
    #[serde(default)]
    pub other_income_total_yuan: Stat,
    /// Mean total income (operating + other) per village, yuan.
    #[serde(default)]
    pub mean_total_income_yuan: Stat,
    /// Gini coefficient of operating income across villages.
    pub gini: Stat,
    /// Share of all villages' operating income held by the poorest fifth.
    #[serde(default)]
    pub poorest_fifth_share: Stat,
    /// Villages with operating income below the weak threshold.
    pub below_weak: Stat,
    /// Villages with operating income below the floor.
    pub below_floor: Stat,
    /// 1 when every village is at or above the floor, else 0: its mean is
    /// the probability of full coverage.
    pub all_above_floor: Stat,
}

/// One village in one year under one policy, over the runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VillageYear {
    pub year: i32,
    /// Operating income, yuan.
    pub income_yuan: Stat,
    /// Probability that operating income is below the floor.
    pub p_below_floor: f64,
}

/// All aggregates of one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResults {
    pub name: String,
    /// The policy's `name_zh` in the scenario ("无干预" for the counterfactual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// The policy's `description` in the scenario.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_zh: Option<String>,
    /// Ids of the interventions this policy switches on.
    pub interventions: Vec<String>,
    /// One entry per year, baseline year first.
    pub years: Vec<PortfolioYear>,
    /// `villages[v][y]`: village `v` (as in [`Results::villages`]) in year `y`
    /// (as in `years`). Saved in `village_years.bin`, not in `results.json`
    /// (see `output::village_file`).
    #[serde(skip)]
    pub villages: Vec<Vec<VillageYear>>,
    /// Pooled final-year operating income of all villages in all runs.
    pub final_income_histogram: Vec<Bucket>,
    /// When full coverage is first reached, by year.
    #[serde(default)]
    pub coverage: Vec<CoverageYear>,
    /// Probability that full coverage is never reached within the horizon.
    #[serde(default)]
    pub p_coverage_never: f64,
    /// Costs, leverage and value for public money.
    #[serde(default)]
    pub decisions: Option<Decisions>,
    /// Where the scenario's `[backtest]` observation falls, if it has one.
    #[serde(default)]
    pub backtest: Option<PolicyBacktest>,
    /// Appraisal of each intervention of the policy, in the order of
    /// `interventions`.
    #[serde(default)]
    pub appraisals: Vec<InterventionResults>,
    /// The accounts of the policy's interventions: gross and net, true
    /// public cost, who gains (see `model::accounts`).
    #[serde(default)]
    pub accounts: Option<PolicyAccounts>,
}

/// The accounts of a policy's interventions in one year, summed over all
/// villages, each over the runs (yuan; see `model::flows` for the lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountsYear {
    pub year: i32,
    /// The target line (经营性收入) the interventions add.
    pub operating_yuan: Stat,
    /// Subsidy income (补助收入): not on the target line.
    pub subsidy_yuan: Stat,
    pub costs_yuan: Stat,
    /// Taxes the villages pay (surcharges, property tax), before income tax.
    pub taxes_yuan: Stat,
    pub depreciation_yuan: Stat,
    pub interest_yuan: Stat,
    /// The collective's enterprise income tax.
    pub income_tax_yuan: Stat,
    /// What the villages keep: operating + subsidy - costs - taxes -
    /// depreciation - interest - income tax.
    pub net_income_yuan: Stat,
    /// Net cash after costs, taxes, debt service and the villages' own equity.
    pub net_cash_yuan: Stat,
    /// Bank, village and public money committed this year.
    #[serde(default)]
    pub committed: MoneyCommitted,
}

/// The money a policy's interventions commit in a year, summed over its
/// villages, per run (yuan). Means add up over the years; the horizon's
/// total, per run, is [`PolicyAccounts::committed_yuan`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MoneyCommitted {
    /// Bank loans drawn.
    pub bank_loans_yuan: Stat,
    /// Equity paid in by the villages.
    pub village_equity_yuan: Stat,
    /// Public money moved: spent plus capital placed.
    pub public_money_yuan: Stat,
    /// The three together.
    pub total_yuan: Stat,
}

/// The true public cost of a policy over the horizon, per run (yuan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicCost {
    /// Grants, subsidies, top-ups and guarantee calls: gone.
    pub spent_yuan: Stat,
    /// Government capital placed in funds and companies: at risk, not spent.
    pub placed_yuan: Stat,
    /// Government capital returned, recovered or still placed at the end.
    pub returned_yuan: Stat,
    /// Placed less returned: its mean is the expected loss.
    pub loss_on_placed_yuan: Stat,
    /// A state operator's return above the market rate.
    pub implicit_subsidy_yuan: Stat,
    /// Guarantee calls on defaulted loans (part of `spent_yuan`).
    pub guarantee_calls_yuan: Stat,
    /// Spent + implicit subsidy + loss on capital placed.
    pub fiscal_cost_yuan: Stat,
    /// The same at the public discount rate.
    pub fiscal_cost_pv_yuan: Stat,
    /// Another jurisdiction's money (a host district's top-ups): not in the
    /// fiscal cost.
    pub host_district_yuan: Stat,
    pub public_discount_rate: f64,
}

/// Who gains the value a policy's interventions add, summed over the
/// horizon, per run (yuan); the parts sum to `added_value_yuan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoGains {
    /// The collectives' net income.
    pub collective_yuan: Stat,
    /// Wages and members' shares paid to farmers.
    pub farmers_yuan: Stat,
    /// Interest less losses on defaulted loans.
    pub bank_yuan: Stat,
    /// Beneficiaries outside the simulated villages.
    pub partners_yuan: Stat,
    /// Taxes received less the fiscal cost.
    pub public_purse_yuan: Stat,
    /// Less the host district's money.
    pub host_district_yuan: Stat,
    pub added_value_yuan: Stat,
}

/// A policy's accounts (see `model::accounts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyAccounts {
    /// One entry per simulated year.
    pub years: Vec<AccountsYear>,
    pub public_cost: PublicCost,
    /// The money committed over the whole horizon: each run's sum over the
    /// years, aggregated across runs (its mean is the sum of the years'
    /// means; its quantiles are the runs').
    pub committed_yuan: MoneyCommitted,
    pub who_gains: WhoGains,
    /// Interventions whose village equity behaves like debt, and why.
    pub equity_like_debt: Vec<EquityLikeDebt>,
}

/// An intervention whose villages bear no venture risk on their equity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquityLikeDebt {
    pub intervention: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_zh: Option<String>,
}

/// A paired comparison of `policy` against `reference`, run by run on common
/// random numbers (final year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairResults {
    pub policy: String,
    pub reference: String,
    /// Mean village income under `policy` minus under `reference`, yuan.
    pub diff_mean_village_income_yuan: Stat,
    /// Villages below the floor under `policy` minus under `reference`.
    pub diff_villages_below_floor: Stat,
    /// Share of runs where `policy` gives the higher mean village income.
    pub p_higher_income: f64,
    /// Share of runs where `policy` leaves fewer villages below the floor.
    pub p_fewer_below_floor: f64,
}

/// What a policy costs and buys, over the horizon, per run; income added is
/// measured against "no intervention" run by run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decisions {
    /// Public money moved by the county: spent (grants, subsidies, top-ups,
    /// guarantee calls) plus capital placed, yuan; its present value at the
    /// scenario's discount rate.
    pub public_money_yuan: Stat,
    pub public_money_pv_yuan: Stat,
    /// The fiscal cost: spent + implicit subsidy + expected loss on capital
    /// placed (see `model::accounts`), yuan, and its present value at the
    /// public discount rate.
    #[serde(default)]
    pub fiscal_cost_yuan: Stat,
    #[serde(default)]
    pub fiscal_cost_pv_yuan: Stat,
    /// Bank loans drawn and village equity paid in, yuan.
    pub private_money_yuan: Stat,
    /// Operating income of all villages over the simulated years, minus the
    /// same without intervention, yuan.
    pub income_added_yuan: Stat,
    pub income_added_pv_yuan: Stat,
    /// Mean income added per mean yuan of fiscal cost (undefined without a
    /// positive fiscal cost).
    pub income_added_per_fiscal_yuan: Option<f64>,
    /// The same with both discounted at the public discount rate.
    pub income_added_pv_per_fiscal_pv_yuan: Option<f64>,
    /// Bank and village money per yuan of public money.
    pub leverage: Option<f64>,
    /// Probability that some village with a loan has a year of negative net
    /// cash flow after its investment year.
    pub p_negative_cash_with_loan: f64,
    /// Probability that public money stays within `[targets] budget`.
    pub p_within_budget: Option<f64>,
}

/// When full coverage (every village at or above the floor) is first reached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoverageYear {
    pub year: i32,
    /// Probability that this is the first year of full coverage.
    pub p_first_reached: f64,
    /// Probability that full coverage has been reached in this year or before.
    pub p_reached_by: f64,
}

/// Where an observed outcome falls in a policy's simulated distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyBacktest {
    pub year: i32,
    /// Observed mean operating income per village, yuan.
    pub observed_mean_village_income_yuan: Option<f64>,
    /// Share of runs whose mean village income that year is at or below the
    /// observed one: the observation's percentile (exact count).
    pub percentile_of_observed_mean: Option<f64>,
    /// Whether every village was observed at or above the floor.
    pub observed_full_coverage: Option<bool>,
    /// Probability that every village is at or above the floor that year.
    pub p_full_coverage: f64,
    pub p_full_coverage_se: f64,
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_zh: Option<String>,
}

/// Identity of a simulated village, for labelling outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageInfo {
    pub id: String,
    pub name: String,
    pub township: Option<String>,
    pub group: Option<String>,
    /// Chinese names, where the scenario gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_zh: Option<String>,
}

/// Everything a run produced, ready to be written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub format_version: u32,
    pub scenario_name: String,
    /// The scenario's `name_zh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_name_zh: Option<String>,
    /// The baseline year (`start_year - 1`): figures given in the scenario.
    pub baseline_year: i32,
    pub start_year: i32,
    pub final_year: i32,
    pub runs: u64,
    pub seed: u64,
    /// Operating income every village should reach, yuan.
    pub floor_yuan: f64,
    /// Operating income under which a village counts as weak, yuan.
    pub weak_yuan: f64,
    /// Year by which every village should be at the floor (`[targets] year`).
    #[serde(default)]
    pub target_year: Option<i32>,
    /// Public money the policies may spend (`[targets] budget`), yuan.
    #[serde(default)]
    pub budget_yuan: Option<f64>,
    pub discount_rate: f64,
    /// Bound on the relative error of every reported quantile.
    pub quantile_relative_error: f64,
    pub villages: Vec<VillageInfo>,
    /// The "no intervention" counterfactual first, then the scenario's policies.
    pub policies: Vec<PolicyResults>,
    /// Every ordered pair of policies compared run by run.
    #[serde(default)]
    pub comparisons: Vec<PairResults>,
    /// The policy a `villagesim compare` measured the others against (its
    /// `--reference`); `None` for any other command. The report of a
    /// comparison leads with its pairs against this policy.
    #[serde(default)]
    pub reference: Option<String>,
    /// The scenario's `description`.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_zh: Option<String>,
    /// What the scenario file flags as estimates or assumptions.
    #[serde(default)]
    pub assumptions: Vec<Assumption>,
    /// The common factors' names (`[factors.NAME]`), for labels.
    #[serde(default)]
    pub factors: Vec<FactorInfo>,
    /// Where a `run --precision` stopped and the precision it reached;
    /// `None` for a run of a fixed number of runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<super::precision::Precision>,
}

/// A common factor's name and its Chinese name, if the scenario gives one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
}

impl Results {
    /// Years reported, baseline year first.
    pub fn years(&self) -> impl Iterator<Item = i32> {
        self.baseline_year..=self.final_year
    }
}

/// One intervention in one year under one policy, over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterventionYear {
    pub year: i32,
    /// Operating income added to all its villages together, yuan (after any
    /// `capacity` uplift of the policy).
    pub operating_income_yuan: Stat,
    /// Net cash flow of its villages together, yuan.
    pub net_cash_yuan: Stat,
    /// Subsidy income of its villages (补助收入, not on the target line), yuan.
    #[serde(default)]
    pub subsidy_yuan: Stat,
    /// Net income of its villages before the collective's income tax, yuan.
    #[serde(default)]
    pub net_income_yuan: Stat,
    pub public_money_yuan: Stat,
    /// Debt service coverage ratio, over the runs with debt service this year.
    pub dscr: Option<Stat>,
    /// Probability that its villages' net cash flow is negative this year.
    pub p_negative_cash: f64,
}

/// The DSCR of an intervention's loans in one year of their term, over the
/// runs with debt service due that year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DscrYear {
    pub year: i32,
    /// Cash available for debt service / debt service due.
    pub dscr: Stat,
    /// Share of those runs with a DSCR below 1 (the year's cash does not
    /// cover its debt service).
    pub p_below_one: f64,
    /// Past the horizon: projected for the loan alone (the kind's
    /// "Past the horizon"), not in the village's accounts.
    pub projected: bool,
}

/// Income of a beneficiary outside the simulated villages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalResults {
    pub name: String,
    /// Its name in Chinese, if the scenario gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// One entry per simulated year (from `start_year`), yuan.
    pub income_yuan: Vec<Stat>,
}

/// Appraisal of one intervention under one policy, over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterventionResults {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    pub kind: String,
    pub villages: usize,
    /// Whether reports must flag it as an assumption (`capacity`).
    pub assumption: bool,
    /// NPV of the villages' net cash flows at the discount rate, to the
    /// scenario's start year, yuan.
    pub npv_yuan: Stat,
    /// Internal rate of return of the same flows, over the runs where it is
    /// defined.
    pub irr: Option<Stat>,
    /// Share of runs where the IRR is defined.
    pub irr_defined_share: f64,
    /// Public money over the horizon (grants, subsidies, guarantees paid), yuan.
    pub public_money_yuan: Stat,
    /// The same, discounted to the start year, yuan.
    pub public_money_pv_yuan: Stat,
    /// Its fiscal cost over the horizon (`model::accounts`), yuan.
    #[serde(default)]
    pub fiscal_cost_yuan: Stat,
    /// Bank loans it takes out (per run), and the probability that one of
    /// them defaults within the horizon; `None` without loans.
    #[serde(default)]
    pub loans: u32,
    #[serde(default)]
    pub p_loan_default: Option<f64>,
    /// Guarantee calls on its defaulted loans over the horizon, yuan.
    #[serde(default)]
    pub guarantee_calls_yuan: Stat,
    /// Why its village equity behaves like debt, if it does.
    #[serde(default)]
    pub equity_like_debt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equity_like_debt_zh: Option<String>,
    /// Lowest yearly DSCR, over the runs with debt service.
    pub min_dscr: Option<Stat>,
    /// Years with negative net cash flow for its villages together.
    pub negative_cash_years: Stat,
    /// Probability of a default or failure (of any of its ventures) within
    /// the horizon.
    pub p_failure: Stat,
    /// Share of its ventures that failed within the horizon (one venture
    /// per village for cooperatives; otherwise equal to `p_failure`'s draw).
    #[serde(default)]
    pub share_failed: Stat,
    /// Mean operating income added per participating village per active
    /// year, yuan; `None` when no simulated village takes part (all its
    /// beneficiaries lie outside) or it is never active in the horizon.
    #[serde(default)]
    pub income_per_village_year_yuan: Option<Stat>,
    /// One entry per simulated year (from `start_year`).
    pub years: Vec<InterventionYear>,
    pub external: Vec<ExternalResults>,
    /// The last calendar year of debt service on its loans, by their
    /// schedules (`None` without a loan); may lie past the horizon.
    #[serde(default)]
    pub loan_end_year: Option<i32>,
    /// The DSCR in each year of the loans' term with debt service in some
    /// run, in order: the simulated years, then, when the term runs past
    /// the horizon and the kind projects it, the projected years to
    /// `loan_end_year`. Empty without debt service.
    #[serde(default)]
    pub dscr_term: Vec<DscrYear>,
}
