//! The Monte Carlo engine: runs in parallel, aggregated as they finish.
//!
//! Each run draws the common factors, every village's organic path and every
//! intervention's cash flows once, from streams keyed by (seed, run, entity,
//! purpose) (see [`crate::rng`]). Each policy then sums the organic paths and
//! the flows of its interventions: all policies of a run see the same random
//! numbers, so differences between policies are differences of policy, not
//! of luck.
//!
//! Workers (one per thread) take chunks of runs from a shared counter and
//! fold them into their own [`Aggregates`]; the workers' aggregates are then
//! merged. Sums are integers and sketches hold integer counts, so the merge
//! is exact and the result is the same for any number of threads. Memory is
//! one set of aggregates and one run's scratch per thread, whatever the
//! number of runs.

pub mod bounds;
mod cells;
pub mod footprint;
mod partial;
pub mod precision;
pub mod samples;

use crate::model::accounts;
use crate::model::capacity::uplifted;
use crate::model::{village, Flows, Kind, Model, Policy, SimCtx};
use crate::summary::accounts::{AccountsAggregates, AccountsBuffers};
use crate::summary::accum::{CountTally, Tally, FEN_PER_YUAN, RATIO_SCALE};
use crate::summary::compare::{Comparisons, RunOutcome};
use crate::summary::gini::{gini_of_sorted, IncomeSort};
use crate::summary::interventions::{Buffers, InterventionAggregates};
use crate::summary::lanes;
use crate::summary::results::{
    FactorInfo, PolicyBacktest, PolicyResults, PortfolioYear, Results, VillageInfo, RESULTS_FORMAT_VERSION,
};
use crate::summary::sketch::{Sketch, RELATIVE_ERROR};
pub use bounds::OutOfRange;
use cells::VillageTallies;
pub(crate) use cells::VillageTally;
pub use partial::{Partial, RunFinals};

/// Most runs simulated in one chunk.
const MAX_CHUNK_RUNS: usize = 256;
/// Bytes the incomes of a chunk of runs may take, whatever the model's size.
const CHUNK_BUDGET_BYTES: usize = 32 << 20;

/// Runs per chunk: as many as fit the budget, at least one per thread (so
/// that every thread has a run to simulate), a multiple of the threads.
fn chunk_runs(model: &Model, threads: usize, total_runs: u64) -> usize {
    let per_run = model.policies.len() * model.villages.len() * (model.years + 1) * 8;
    let threads = threads.max(1);
    let runs = (CHUNK_BUDGET_BYTES / per_run.max(1)).clamp(threads, MAX_CHUNK_RUNS.max(threads));
    (runs / threads * threads).min((total_runs as usize).div_ceil(threads) * threads)
}

/// How to execute a simulation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Index of the policy the others are compared with when there are too
    /// many policies to compare every pair (see
    /// [`crate::limits::MAX_PAIRWISE_POLICIES`]); 0 is "no intervention".
    pub reference: usize,
    /// Run even when the estimated memory ([`footprint::estimate`]) exceeds
    /// what the machine has available.
    pub ignore_memory_limit: bool,
    /// Keep each run's final-year figures of every policy
    /// ([`partial::RunFinals`]), so that a shard of a group of policies can
    /// later be paired with the other groups ([`Partial::assemble`]).
    pub keep_finals: bool,
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    /// An income or cash flow left the accepted range (see [`bounds`]).
    #[error("{0}")]
    OutOfRange(Box<OutOfRange>),
    /// The run would not fit in the machine's memory (see [`footprint`]).
    #[error(transparent)]
    TooLarge(Box<footprint::TooLarge>),
    /// The samples of the runs could not be written (see [`samples`]).
    #[error("{0}")]
    Samples(String),
}

/// Simulates every run of `model`, calling `progress(runs_done)` after each
/// chunk of runs, and returns the finished aggregates.
///
/// # Errors
///
/// [`EngineError::TooLarge`] before anything is allocated when the run's
/// estimated memory exceeds what the machine has (unless
/// [`RunOptions::ignore_memory_limit`]); [`EngineError::OutOfRange`] when an
/// income or cash flow of a run leaves the accepted range.
pub fn simulate(model: &Model, options: RunOptions, progress: &(dyn Fn(u64) + Sync)) -> Result<Results, EngineError> {
    simulate_sampled(model, options, progress, None)
}

/// [`simulate`], handing every run's samples to `samples` (the columns
/// found by [`samples::columns`] and the sink) as the runs finish, in run
/// order; the results are those of [`simulate`].
///
/// # Errors
///
/// As [`simulate`], and [`EngineError::Samples`] when the sink fails.
pub fn simulate_sampled(
    model: &Model,
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    samples: Option<(&samples::SampleColumns, &mut dyn samples::SampleSink)>,
) -> Result<Results, EngineError> {
    let mut partial = Partial::new(model, options)?;
    partial.extend_sampled(model, options, 0..model.runs, progress, samples)?;
    let pool = pool(options.threads)?;
    Ok(pool.install(|| partial.finish(model)))
}

/// The worker pool of `threads` threads (0: one per core).
fn pool(threads: usize) -> Result<rayon::ThreadPool, EngineError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| EngineError::Threads {
            threads,
            message: e.to_string(),
        })
}

/// One worker's reusable buffers.
struct Scratch {
    factors: Vec<Vec<f64>>,
    village_keys: Vec<u64>,
    /// Organic paths, village-major: `[v * (years + 1) + y]`, y = 0 baseline.
    organic: Vec<f64>,
    flows: Vec<Flows>,
    /// Sorts each year's incomes for the Gini coefficient.
    ranks: IncomeSort,
    /// Other income of all villages per reported year (policy-independent).
    other: Vec<f64>,
    /// The run's outcome under each policy, for paired comparisons.
    outcomes: Vec<RunOutcome>,
    /// `capacity` uplifts of one policy: cumulative growth factor and return
    /// multiplier, `[v * years + t]`.
    growth_factor: Vec<f64>,
    return_factor: Vec<f64>,
    buffers: Buffers,
    accounts: AccountsBuffers,
    /// With `--samples`: the run's draws and the rows of the chunk.
    sampling: Option<samples::Sampling>,
}

impl Scratch {
    fn new(model: &Model) -> Self {
        let (v, y) = (model.villages.len(), model.years + 1);
        Scratch {
            factors: Vec::new(),
            village_keys: model.villages.iter().map(|v| v.key).collect(),
            organic: vec![0.0; v * y],
            flows: vec![Flows::default(); model.interventions.len()],
            ranks: IncomeSort::default(),
            outcomes: Vec::with_capacity(model.policies.len()),
            other: Vec::with_capacity(y),
            growth_factor: Vec::new(),
            return_factor: Vec::new(),
            buffers: Buffers::default(),
            accounts: AccountsBuffers::default(),
            sampling: None,
        }
    }
}

/// Simulates run `run`: portfolio figures are recorded now, the village
/// incomes of every policy written to `incomes`, `[p * cells + y * villages
/// + v]`, for the village tallies. Fails when an income or cash flow leaves
/// the accepted range ([`bounds`]); nothing of the run is recorded then.
fn simulate_run(
    model: &Model,
    run: u64,
    out: &mut [f64],
    s: &mut Scratch,
    aggregates: &mut Aggregates,
) -> Result<(), Box<OutOfRange>> {
    let span = model.years + 1;
    village::factor_paths(&model.factors, model.seed, run, model.factor_years(), &mut s.factors);
    if let Some(sampling) = &s.sampling {
        sampling.start(&s.factors, model.years);
    }
    let ctx = SimCtx {
        seed: model.seed,
        run,
        start_year: model.start_year,
        years: model.years,
        factors: &s.factors,
        village_keys: &s.village_keys,
        tax: &model.accounting.tax,
        organic: &[],
        log: s.sampling.as_ref().map(|x| &x.log),
    };
    s.other.clear();
    s.other.resize(span, 0.0);
    for (v, village) in model.villages.iter().enumerate() {
        village::organic_path(village, &ctx, &mut s.organic[v * span..(v + 1) * span]);
        village::add_other_income(village, &ctx, &mut s.other);
    }
    bounds::check_villages(model, &ctx, &s.organic, &s.other)?;
    let ctx = SimCtx {
        organic: &s.organic,
        ..ctx
    };
    for (i, (iv, flows)) in model.interventions.iter().zip(s.flows.iter_mut()).enumerate() {
        flows.reset(iv.villages.len(), iv.external.len(), model.years);
        iv.kind.simulate(iv, &ctx, flows);
        bounds::check_flows(model, i, run, flows)?;
    }

    s.outcomes.clear();
    let n = model.villages.len();
    let policies = model
        .policies
        .iter()
        .zip(aggregates.policies.iter_mut())
        .zip(out.chunks_exact_mut(span * n));
    for ((policy, acc), incomes) in policies {
        let has_uplift = capacity_uplift(model, policy, &s.flows, &mut s.growth_factor, &mut s.return_factor);
        reset_top_ups(model, policy, &mut s.flows);
        combine(
            model,
            policy,
            &s.organic,
            &s.flows,
            has_uplift.then_some((&s.growth_factor[..], &s.return_factor[..])),
            incomes,
        );
        // A failure abandons the whole simulation, so what this run has
        // recorded so far is never reported. Incomes are checked before the
        // top-ups too, which could otherwise lift an out-of-range income
        // back into range, and each top-up's own flows once paid.
        let top_ups = || {
            (policy.interventions.iter().copied()).filter(|&i| matches!(model.interventions[i].kind, Kind::TopUp(_)))
        };
        if top_ups().next().is_some() {
            bounds::check_incomes(model, policy, run, &s.flows, incomes)?;
            pay_top_ups(model, policy, &mut s.flows, incomes);
            for i in top_ups() {
                bounds::check_flows(model, i, run, &s.flows[i])?;
            }
        }
        bounds::check_incomes(model, policy, run, &s.flows, incomes)?;
        let mut outcome = acc.record_portfolio(model, incomes, &s.other, &mut s.ranks);
        spending(model, policy, &s.flows, &mut outcome);
        let returns = has_uplift.then_some(&s.return_factor[..]);
        (outcome.fiscal_cost_yuan, outcome.fiscal_cost_pv_yuan) =
            acc.accounts.record(model, policy, &s.flows, returns, &mut s.accounts);
        s.outcomes.push(outcome);
        for (&i, ia) in policy.interventions.iter().zip(acc.interventions.iter_mut()) {
            let iv = &model.interventions[i];
            let returns = (has_uplift && s.flows[i].return_uplift.is_empty() && iv.kind.managed())
                .then_some(&s.return_factor[..]);
            ia.record(
                iv,
                &s.flows[i],
                model.start_year,
                (model.discount_rate, model.accounting.public_discount_rate),
                returns,
                &mut s.buffers,
            );
        }
    }
    aggregates.comparisons.record(&s.outcomes, span);
    if let Some(finals) = &mut aggregates.finals {
        finals.push(run, &s.outcomes);
    }
    if let Some(sampling) = &mut s.sampling {
        sampling.finish(run, &s.outcomes);
    }
    Ok(())
}

/// Empties the flows of the policy's top-ups (`top_up` interventions),
/// which hold what an earlier policy paid, before its incomes are combined.
fn reset_top_ups(model: &Model, policy: &Policy, flows: &mut [Flows]) {
    for &i in &policy.interventions {
        let iv = &model.interventions[i];
        if matches!(iv.kind, Kind::TopUp(_)) {
            flows[i].reset(iv.villages.len(), iv.external.len(), model.years);
        }
    }
}

/// Pays the policy's top-ups, last: each lifts the villages below its
/// target given every other measure of the policy (see `model::top_up`),
/// adding to `incomes` and writing its own flows.
fn pay_top_ups(model: &Model, policy: &Policy, flows: &mut [Flows], incomes: &mut [f64]) {
    for &i in &policy.interventions {
        let iv = &model.interventions[i];
        if let Kind::TopUp(top_up) = &iv.kind {
            top_up.pay(
                iv,
                model.start_year,
                model.floor_yuan,
                model.villages.len(),
                incomes,
                &mut flows[i],
            );
        }
    }
}

/// Adds to `outcome` the public and private money of the policy's
/// interventions, and whether a village with a loan had a year of negative
/// net cash flow after its investment year.
fn spending(model: &Model, policy: &Policy, flows: &[Flows], outcome: &mut RunOutcome) {
    let discount = 1.0 + model.discount_rate;
    for &i in &policy.interventions {
        let f = &flows[i];
        let mut borrowed = false;
        for (t, l) in f.ledger.iter().enumerate() {
            outcome.public_yuan += l.public_money_yuan();
            outcome.public_pv_yuan += l.public_money_yuan() / discount.powi(t as i32);
            outcome.private_yuan += l.loan_drawdown_yuan + l.village_equity_yuan;
            borrowed |= l.interest_yuan + l.principal_yuan > 0.0;
        }
        if !borrowed || outcome.negative_cash_with_loan {
            continue;
        }
        let first = (model.interventions[i].start_year - model.start_year).max(0) as usize + 1;
        outcome.negative_cash_with_loan = (0..model.interventions[i].villages.len())
            .any(|slot| f.net_cash(slot).iter().skip(first).any(|x| *x < -0.005));
    }
}

/// Fills the `capacity` uplifts of `policy` into `growth` (the cumulative
/// factor on organic income, `exp(sum_{k<=t} growth_uplift[k])`) and
/// `returns` (`1 + return_uplift`), both `[v * years + t]`; false when the
/// policy has no `capacity` intervention.
fn capacity_uplift(
    model: &Model,
    policy: &Policy,
    flows: &[Flows],
    growth: &mut Vec<f64>,
    returns: &mut Vec<f64>,
) -> bool {
    let years = model.years;
    let mut any = false;
    for &i in &policy.interventions {
        let f = &flows[i];
        if f.growth_uplift.is_empty() {
            continue;
        }
        if !any {
            growth.clear();
            growth.resize(model.villages.len() * years, 0.0);
            returns.clear();
            returns.resize(model.villages.len() * years, 1.0);
            any = true;
        }
        for (slot, &v) in model.interventions[i].villages.iter().enumerate() {
            for t in 0..years {
                growth[v * years + t] += f.growth_uplift[slot * years + t];
                returns[v * years + t] += f.return_uplift[slot * years + t];
            }
        }
    }
    if any {
        for row in growth.chunks_exact_mut(years) {
            let mut cumulative = 0.0;
            for g in row.iter_mut() {
                cumulative += *g;
                *g = f64::exp(cumulative);
            }
        }
    }
    any
}

/// Writes the incomes of one policy, `incomes[y * villages + v]`: the
/// organic paths (times any growth uplift) plus the operating income of the
/// policy's interventions (times any return uplift, except on `capacity`
/// interventions themselves).
fn combine(
    model: &Model,
    policy: &Policy,
    organic: &[f64],
    flows: &[Flows],
    uplift: Option<(&[f64], &[f64])>,
    incomes: &mut [f64],
) {
    let (n, span, years) = (model.villages.len(), model.years + 1, model.years);
    for v in 0..n {
        incomes[v] = organic[v * span];
        for t in 0..years {
            let factor = uplift.map_or(1.0, |(g, _)| g[v * years + t]);
            incomes[(t + 1) * n + v] = organic[v * span + t + 1] * factor;
        }
    }
    for &i in &policy.interventions {
        let (iv, f) = (&model.interventions[i], &flows[i]);
        let returns = uplift
            .filter(|_| f.growth_uplift.is_empty() && iv.kind.managed())
            .map(|(_, r)| r);
        for (slot, &v) in iv.villages.iter().enumerate() {
            let transfers = f.transfers(slot);
            let costs = &f.costs_yuan[slot * years..(slot + 1) * years];
            for (t, x) in f.operating(slot).iter().enumerate() {
                let factor = returns.map_or(1.0, |r| r[v * years + t]);
                incomes[(t + 1) * n + v] += uplifted(*x, transfers[t], costs[t], factor);
            }
        }
    }
}

/// The aggregates of one policy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct PolicyAggregates {
    /// Per year.
    total: Vec<Tally>,
    mean: Vec<Tally>,
    other_total: Vec<Tally>,
    mean_total: Vec<Tally>,
    gini: Vec<Tally>,
    poorest_fifth: Vec<Tally>,
    count_below_weak: Vec<CountTally>,
    count_below_floor: Vec<CountTally>,
    all_above_floor: Vec<CountTally>,
    /// One per intervention of the policy, in its order.
    interventions: Vec<InterventionAggregates>,
    accounts: AccountsAggregates,
    /// Runs whose mean village income in the backtest year is at or below
    /// the observed one.
    at_or_below_observed: u64,
}

impl PolicyAggregates {
    fn new(model: &Model, policy: &Policy) -> Self {
        let (n, span) = (model.villages.len(), model.years + 1);
        PolicyAggregates {
            total: vec![Tally::new(FEN_PER_YUAN); span],
            mean: vec![Tally::new(FEN_PER_YUAN); span],
            other_total: vec![Tally::new(FEN_PER_YUAN); span],
            mean_total: vec![Tally::new(FEN_PER_YUAN); span],
            gini: vec![Tally::new(RATIO_SCALE); span],
            poorest_fifth: vec![Tally::new(RATIO_SCALE); span],
            count_below_weak: vec![CountTally::new(n); span],
            count_below_floor: vec![CountTally::new(n); span],
            all_above_floor: vec![CountTally::new(1); span],
            interventions: policy
                .interventions
                .iter()
                .map(|&i| InterventionAggregates::new(&model.interventions[i], model.years, model.final_year()))
                .collect(),
            accounts: AccountsAggregates::new(model.years),
            at_or_below_observed: 0,
        }
    }

    /// Records the portfolio figures of one run: `incomes[y * villages + v]`.
    fn record_portfolio(
        &mut self,
        model: &Model,
        incomes: &[f64],
        other: &[f64],
        ranks: &mut IncomeSort,
    ) -> RunOutcome {
        let n = model.villages.len();
        let mut outcome = RunOutcome::default();
        let target = (crate::summary::samples::target_year(model) - model.baseline_year()) as usize;
        for (y, row) in incomes.chunks_exact(n).enumerate() {
            let total = lanes::sum(row);
            let below_floor = row.iter().filter(|&&x| x < model.floor_yuan).count();
            let below_weak = row.iter().filter(|&&x| x < model.weak_yuan).count();
            self.total[y].add(total);
            self.mean[y].add(total / n as f64);
            self.other_total[y].add(other[y]);
            self.mean_total[y].add((total + other[y]) / n as f64);
            if let Some(b) = model
                .backtest
                .as_ref()
                .filter(|b| model.baseline_year() + y as i32 == b.year)
            {
                let mean = total / n as f64;
                self.at_or_below_observed += u64::from(b.mean_village_income_yuan.is_some_and(|o| mean <= o));
                outcome.backtest_mean_yuan = mean;
                outcome.backtest_below_floor = below_floor;
            }
            let sorted = ranks.sort(row);
            let gini = gini_of_sorted(sorted);
            self.gini[y].add(gini);
            outcome.final_gini = gini;
            // Ascending: the poorest fifth comes first.
            let fifth = ((n as f64 / 5.0).round() as usize).max(1);
            let poorest = lanes::sum(&sorted[..fifth]);
            self.poorest_fifth[y].add(if total > 0.0 { poorest / total } else { 0.0 });
            if y > 0 {
                outcome.income_sum_yuan += total;
                outcome.income_pv_yuan += total / (1.0 + model.discount_rate).powi(y as i32 - 1);
                // At the end of its year, as the fiscal cost's flows.
                outcome.income_public_pv_yuan += total * accounts::discount(model.accounting.public_discount_rate, y);
            }
            self.count_below_weak[y].add(below_weak);
            self.count_below_floor[y].add(below_floor);
            self.all_above_floor[y].add(usize::from(below_floor == 0));
            if below_floor == 0 && outcome.coverage_year.is_none() {
                outcome.coverage_year = Some(y);
            }
            outcome.final_mean_yuan = total / n as f64;
            outcome.final_below_floor = below_floor;
            if y == target {
                outcome.target_below_floor = below_floor;
            }
        }
        outcome
    }

    fn merge(&mut self, other: &PolicyAggregates) {
        fn each<T>(a: &mut [T], b: &[T], f: impl Fn(&mut T, &T)) {
            a.iter_mut().zip(b).for_each(|(x, y)| f(x, y));
        }
        each(&mut self.total, &other.total, Tally::merge);
        each(&mut self.mean, &other.mean, Tally::merge);
        each(&mut self.other_total, &other.other_total, Tally::merge);
        each(&mut self.mean_total, &other.mean_total, Tally::merge);
        each(&mut self.gini, &other.gini, Tally::merge);
        each(&mut self.poorest_fifth, &other.poorest_fifth, Tally::merge);
        each(&mut self.count_below_weak, &other.count_below_weak, CountTally::merge);
        each(&mut self.count_below_floor, &other.count_below_floor, CountTally::merge);
        each(&mut self.all_above_floor, &other.all_above_floor, CountTally::merge);
        each(
            &mut self.interventions,
            &other.interventions,
            InterventionAggregates::merge,
        );
        self.accounts.merge(&other.accounts);
        self.at_or_below_observed += other.at_or_below_observed;
    }

    fn finish(&self, model: &Model, policy: &Policy, cells: &[VillageTally], runs: u64) -> PolicyResults {
        let (n, span) = (model.villages.len(), model.years + 1);
        let year = |y: usize| model.baseline_year() + y as i32;
        let years = (0..span)
            .map(|y| PortfolioYear {
                year: year(y),
                total_income_yuan: self.total[y].stat(),
                mean_income_yuan: self.mean[y].stat(),
                other_income_total_yuan: self.other_total[y].stat(),
                mean_total_income_yuan: self.mean_total[y].stat(),
                gini: self.gini[y].stat(),
                poorest_fifth_share: self.poorest_fifth[y].stat(),
                below_weak: self.count_below_weak[y].stat(),
                below_floor: self.count_below_floor[y].stat(),
                all_above_floor: self.all_above_floor[y].stat(),
            })
            .collect();
        let villages = cells::village_years(cells, n, span, model.baseline_year(), runs);
        let runs = runs as f64;
        let final_year = &cells[(span - 1) * n..span * n];
        PolicyResults {
            name: policy.name.clone(),
            name_zh: policy.name_zh.clone(),
            description: policy.description.clone(),
            description_zh: policy.description_zh.clone(),
            interventions: policy
                .interventions
                .iter()
                .map(|&i| model.interventions[i].id.clone())
                .collect(),
            years,
            villages,
            final_income_histogram: Sketch::pooled_buckets(final_year.iter().map(|c| &c.income.sketch)),
            // Filled from the paired comparisons by `Aggregates::finish`.
            coverage: Vec::new(),
            p_coverage_never: 0.0,
            decisions: None,
            backtest: model.backtest.as_ref().map(|b| {
                let y = (b.year - model.baseline_year()) as usize;
                let coverage = self.all_above_floor[y].stat();
                PolicyBacktest {
                    year: b.year,
                    observed_mean_village_income_yuan: b.mean_village_income_yuan,
                    percentile_of_observed_mean: b
                        .mean_village_income_yuan
                        .map(|_| self.at_or_below_observed as f64 / runs),
                    observed_full_coverage: b.full_coverage,
                    p_full_coverage: coverage.mean,
                    p_full_coverage_se: coverage.se,
                    source: b.source.clone(),
                    source_zh: b.source_zh.clone(),
                }
            }),
            appraisals: policy
                .interventions
                .iter()
                .zip(&self.interventions)
                .map(|(&i, a)| a.finish(&model.interventions[i], model.start_year))
                .collect(),
            accounts: Some(self.accounts.finish(model, policy)),
        }
    }
}

/// The aggregates of every policy over a range of runs, but for the village
/// tallies ([`VillageTallies`]); merging two gives exactly the aggregates of
/// both ranges.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Aggregates {
    policies: Vec<PolicyAggregates>,
    comparisons: Comparisons,
    /// With [`RunOptions::keep_finals`].
    finals: Option<partial::RunFinals>,
}

impl Aggregates {
    /// Empty aggregates; `reference` is the policy compared with every other
    /// when there are too many to compare every pair.
    pub fn new(model: &Model, reference: usize) -> Self {
        Aggregates {
            policies: model.policies.iter().map(|p| PolicyAggregates::new(model, p)).collect(),
            comparisons: Comparisons::new(
                model.policies.len(),
                reference,
                model.years + 1,
                model.villages.len(),
                model.budget_yuan,
            ),
            finals: None,
        }
    }

    pub fn merge(&mut self, other: &Aggregates) {
        if let (Some(mine), Some(theirs)) = (&mut self.finals, &other.finals) {
            mine.merge(theirs);
        }
        self.policies
            .iter_mut()
            .zip(&other.policies)
            .for_each(|(a, b)| a.merge(b));
        self.comparisons.merge(&other.comparisons);
    }

    /// The finished results of the runs aggregated so far, with `cells`
    /// the village tallies of the same runs (each policy's tallies are
    /// freed once its results are made).
    pub fn finish(&self, model: &Model, cells: VillageTallies, runs: u64) -> Results {
        let policies = model
            .policies
            .iter()
            .zip(&self.policies)
            .zip(cells.into_policies())
            .map(|((p, acc), cells)| acc.finish(model, p, &cells, runs))
            .collect::<Vec<_>>();
        let span = model.years + 1;
        let mut policies = policies;
        for (p, results) in policies.iter_mut().enumerate() {
            results.coverage = self.comparisons.coverage(p, model.baseline_year(), span);
            results.p_coverage_never = self.comparisons.p_never(p, span);
            results.decisions = Some(self.comparisons.decisions(p));
        }
        let names: Vec<String> = model.policies.iter().map(|p| p.name.clone()).collect();
        Results {
            format_version: RESULTS_FORMAT_VERSION,
            scenario_name: model.name.clone(),
            scenario_name_zh: model.name_zh.clone(),
            baseline_year: model.baseline_year(),
            start_year: model.start_year,
            final_year: model.final_year(),
            runs,
            seed: model.seed,
            floor_yuan: model.floor_yuan,
            weak_yuan: model.weak_yuan,
            target_year: model.target_year,
            budget_yuan: model.budget_yuan,
            discount_rate: model.discount_rate,
            quantile_relative_error: RELATIVE_ERROR,
            villages: model.villages.iter().map(VillageInfo::from).collect(),
            policies,
            comparisons: self.comparisons.pairs(&names, runs),
            reference: None,
            description: model.description.clone(),
            description_zh: model.description_zh.clone(),
            assumptions: model.assumptions.clone(),
            factors: model
                .factors
                .iter()
                .map(|f| FactorInfo {
                    name: f.name.clone(),
                    name_zh: f.name_zh.clone(),
                })
                .collect(),
            precision: None,
        }
    }
}

/// The cash flows of one intervention (index `i` into the model's
/// interventions) in run `run`: what the engine computes inside a run,
/// exposed for tests and for inspecting a single run.
pub fn intervention_flows(model: &Model, i: usize, run: u64) -> Flows {
    let mut factors = Vec::new();
    village::factor_paths(&model.factors, model.seed, run, model.factor_years(), &mut factors);
    let village_keys: Vec<u64> = model.villages.iter().map(|v| v.key).collect();
    let ctx = SimCtx {
        seed: model.seed,
        run,
        start_year: model.start_year,
        years: model.years,
        factors: &factors,
        village_keys: &village_keys,
        tax: &model.accounting.tax,
        organic: &[],
        log: None,
    };
    let span = model.years + 1;
    let mut organic = vec![0.0; model.villages.len() * span];
    for (v, village) in model.villages.iter().enumerate() {
        village::organic_path(village, &ctx, &mut organic[v * span..(v + 1) * span]);
    }
    let ctx = SimCtx {
        organic: &organic,
        ..ctx
    };
    let iv = &model.interventions[i];
    let mut flows = Flows::default();
    flows.reset(iv.villages.len(), iv.external.len(), model.years);
    iv.kind.simulate(iv, &ctx, &mut flows);
    flows
}
