//! The finished aggregates of a run: plain, serialisable data.
//!
//! Everything downstream of the engine (CSV, JSON, charts, reports) reads
//! only this type, so a saved `results.json` is enough to rebuild every
//! output without simulating again. Money is nominal yuan; counts are
//! numbers of villages; probabilities are in [0, 1].

use serde::{Deserialize, Serialize};

use crate::model::Assumption;

/// Version of the `results.json` layout; bumped on any incompatible change.
pub const RESULTS_FORMAT_VERSION: u32 = 1;

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
/// over no observations) as `null`.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
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
    /// The policy's `description` in the scenario.
    #[serde(default)]
    pub description: Option<String>,
    /// Ids of the interventions this policy switches on.
    pub interventions: Vec<String>,
    /// One entry per year, baseline year first.
    pub years: Vec<PortfolioYear>,
    /// `villages[v][y]`: village `v` (as in [`Results::villages`]) in year `y`
    /// (as in `years`).
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
    /// Grants, subsidies and guarantee payments, yuan.
    pub public_money_yuan: Stat,
    pub public_money_pv_yuan: Stat,
    /// Bank loans drawn and village equity paid in, yuan.
    pub private_money_yuan: Stat,
    /// Operating income of all villages over the simulated years, minus the
    /// same without intervention, yuan.
    pub income_added_yuan: Stat,
    pub income_added_pv_yuan: Stat,
    /// Mean income added per mean yuan of public money (undefined without
    /// public money).
    pub income_added_per_public_yuan: Option<f64>,
    /// The same with both discounted to the start year.
    pub income_added_pv_per_public_pv_yuan: Option<f64>,
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
}

/// Identity of a simulated village, for labelling outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageInfo {
    pub id: String,
    pub name: String,
    pub township: Option<String>,
    pub group: Option<String>,
}

/// Everything a run produced, ready to be written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub format_version: u32,
    pub scenario_name: String,
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
    /// The scenario's `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// What the scenario file flags as estimates or assumptions.
    #[serde(default)]
    pub assumptions: Vec<Assumption>,
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
    pub public_money_yuan: Stat,
    /// Debt service coverage ratio, over the runs with debt service this year.
    pub dscr: Option<Stat>,
    /// Probability that its villages' net cash flow is negative this year.
    pub p_negative_cash: f64,
}

/// Income of a beneficiary outside the simulated villages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalResults {
    pub name: String,
    /// One entry per simulated year (from `start_year`), yuan.
    pub income_yuan: Vec<Stat>,
}

/// Appraisal of one intervention under one policy, over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterventionResults {
    pub id: String,
    pub name: String,
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
}

// ---------------------------------------------------------------------------
// Invariants of a results file

/// A field of [`Results`] that breaks one of its invariants: `field` is its
/// path (`policies[2].years[5].all_above_floor.mean`), `problem` what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct Invalid {
    pub field: String,
    pub problem: String,
}

/// Slack for values computed by sums of floats (a cumulative probability
/// may end at 1 + 2e-16).
const SLACK: f64 = 1e-9;

/// What a [`Stat`] holds, for [`Checker::stat`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum Is {
    /// Any finite value.
    Money,
    /// A probability or share, in [0, 1].
    Probability,
    /// A number of villages (or years), in [0, max].
    Count(f64),
}

struct Checker {
    path: Vec<String>,
}

type Check = Result<(), Invalid>;

impl Checker {
    fn at<T>(
        &mut self,
        part: impl Into<String>,
        f: impl FnOnce(&mut Self) -> Result<T, Invalid>,
    ) -> Result<T, Invalid> {
        self.path.push(part.into());
        let out = f(self);
        self.path.pop();
        out
    }

    fn fail<T>(&self, field: &str, problem: String) -> Result<T, Invalid> {
        let mut path = String::new();
        for p in self
            .path
            .iter()
            .map(String::as_str)
            .chain([field])
            .filter(|p| !p.is_empty())
        {
            if !path.is_empty() && !p.starts_with('[') {
                path.push('.');
            }
            path.push_str(p);
        }
        Err(Invalid { field: path, problem })
    }

    fn finite(&self, field: &str, v: f64) -> Check {
        if v.is_nan() {
            self.fail(field, "is missing (null), a number is expected".into())
        } else if !v.is_finite() {
            self.fail(field, format!("is {v}, a finite number is expected"))
        } else {
            Ok(())
        }
    }

    fn probability(&self, field: &str, v: f64) -> Check {
        self.finite(field, v)?;
        if !(-SLACK..=1.0 + SLACK).contains(&v) {
            return self.fail(field, format!("is {v}, a probability must be between 0 and 1"));
        }
        Ok(())
    }

    fn count(&self, field: &str, v: f64, max: f64) -> Check {
        self.finite(field, v)?;
        if !(-SLACK..=max + SLACK * max.max(1.0)).contains(&v) {
            return self.fail(
                field,
                format!("is {v}, a number of villages must be between 0 and {max}"),
            );
        }
        Ok(())
    }

    /// A distribution over the runs: finite, ordered quantiles, in range.
    /// With `may_be_empty`, a statistic over no observations (mean null) is
    /// accepted.
    fn stat(&mut self, field: &str, s: &Stat, is: Is, may_be_empty: bool) -> Check {
        if may_be_empty && s.mean.is_nan() {
            return Ok(());
        }
        self.at(field, |c| {
            let q = [
                ("min", s.min),
                ("p5", s.p5),
                ("p10", s.p10),
                ("p25", s.p25),
                ("p50", s.p50),
                ("p75", s.p75),
                ("p90", s.p90),
                ("p95", s.p95),
                ("max", s.max),
            ];
            for (name, v) in [("mean", s.mean), ("se", s.se), ("sd", s.sd)].iter().chain(&q) {
                match is {
                    Is::Money => c.finite(name, *v)?,
                    Is::Probability => c.probability(name, *v)?,
                    Is::Count(max) => c.count(name, *v, max)?,
                }
            }
            for (name, v) in [("se", s.se), ("sd", s.sd)] {
                if v < 0.0 {
                    return c.fail(
                        name,
                        format!("is {v}, a standard deviation or error cannot be negative"),
                    );
                }
            }
            for w in q.windows(2) {
                let ((a, x), (b, y)) = (w[0], w[1]);
                if x > y + SLACK * x.abs().max(y.abs()) {
                    return c.fail(
                        b,
                        format!("is {y}, below {a} ({x}): quantiles must be in order (min <= p5 <= ... <= max)"),
                    );
                }
            }
            let tol = SLACK * s.min.abs().max(s.max.abs()).max(1.0);
            if s.mean < s.min - tol || s.mean > s.max + tol {
                return c.fail(
                    "mean",
                    format!("is {}, outside min {} and max {}", s.mean, s.min, s.max),
                );
            }
            Ok(())
        })
    }

    /// `years[k].year` must be `first + k` for `n` entries.
    fn years(&self, field: &str, years: impl ExactSizeIterator<Item = i32>, first: i32, n: usize) -> Check {
        if years.len() != n {
            return self.fail(
                field,
                format!(
                    "has {} entries, one per year from {first} ({n}) is expected",
                    years.len()
                ),
            );
        }
        for (k, y) in years.enumerate() {
            let want = i64::from(first) + k as i64;
            if i64::from(y) != want {
                return self.fail(&format!("{field}[{k}].year"), format!("is {y}, {want} is expected"));
            }
        }
        Ok(())
    }
}

impl Results {
    /// Checks every invariant a results file written by this version
    /// holds: its format version, at least one run and one policy, the
    /// years (baseline, then start to final year, in every year list), a
    /// village list per policy matching [`Results::villages`], finite
    /// numbers, probabilities and shares in [0, 1], ordered quantiles,
    /// counts within 0 to the number of villages, comparisons of existing
    /// policies, and `floor >= weak >= 0`. The error names the first field
    /// that breaks one.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut c = Checker { path: Vec::new() };
        if self.format_version != RESULTS_FORMAT_VERSION {
            return c.fail(
                "format_version",
                format!(
                    "is {}, this villagesim reads {RESULTS_FORMAT_VERSION}",
                    self.format_version
                ),
            );
        }
        if self.runs == 0 {
            return c.fail("runs", "is 0, at least 1 run is expected".into());
        }
        if self.policies.is_empty() {
            return c.fail(
                "policies",
                "is empty, at least the \"no intervention\" policy is expected".into(),
            );
        }
        if self.start_year > self.final_year {
            return c.fail(
                "final_year",
                format!("is {}, before start_year {}", self.final_year, self.start_year),
            );
        }
        if i64::from(self.baseline_year) != i64::from(self.start_year) - 1 {
            return c.fail(
                "baseline_year",
                format!(
                    "is {}, start_year - 1 ({}) is expected",
                    self.baseline_year,
                    i64::from(self.start_year) - 1
                ),
            );
        }
        c.finite("floor_yuan", self.floor_yuan)?;
        c.finite("weak_yuan", self.weak_yuan)?;
        if self.weak_yuan < 0.0 {
            return c.fail("weak_yuan", format!("is {}, it cannot be negative", self.weak_yuan));
        }
        if self.floor_yuan < self.weak_yuan {
            return c.fail(
                "floor_yuan",
                format!(
                    "is {}, below weak_yuan {}: the floor must be at least the weak threshold",
                    self.floor_yuan, self.weak_yuan
                ),
            );
        }
        if let Some(b) = self.budget_yuan {
            c.finite("budget_yuan", b)?;
        }
        c.finite("discount_rate", self.discount_rate)?;
        c.probability("quantile_relative_error", self.quantile_relative_error)?;
        // Every year reported, baseline first; the simulated ones from start_year.
        let n_years = (i64::from(self.final_year) - i64::from(self.baseline_year) + 1) as usize;
        let n_sim = n_years - 1;
        let n = self.villages.len() as f64;
        let mut names = std::collections::HashSet::new();
        for (i, p) in self.policies.iter().enumerate() {
            c.at(format!("policies[{i}]"), |c| {
                if !names.insert(p.name.as_str()) {
                    return c.fail("name", format!("is {:?}, the name of an earlier policy", p.name));
                }
                c.years("years", p.years.iter().map(|y| y.year), self.baseline_year, n_years)?;
                for (k, y) in p.years.iter().enumerate() {
                    c.at(format!("years[{k}]"), |c| {
                        c.stat("total_income_yuan", &y.total_income_yuan, Is::Money, false)?;
                        c.stat("mean_income_yuan", &y.mean_income_yuan, Is::Money, false)?;
                        c.stat("other_income_total_yuan", &y.other_income_total_yuan, Is::Money, false)?;
                        c.stat("mean_total_income_yuan", &y.mean_total_income_yuan, Is::Money, false)?;
                        c.stat("gini", &y.gini, Is::Money, true)?;
                        c.stat("poorest_fifth_share", &y.poorest_fifth_share, Is::Money, true)?;
                        c.stat("below_weak", &y.below_weak, Is::Count(n), false)?;
                        c.stat("below_floor", &y.below_floor, Is::Count(n), false)?;
                        c.stat("all_above_floor", &y.all_above_floor, Is::Probability, false)
                    })?;
                }
                if p.villages.len() != self.villages.len() {
                    return c.fail(
                        "villages",
                        format!(
                            "has {} entries, one per village ({}) is expected",
                            p.villages.len(),
                            self.villages.len()
                        ),
                    );
                }
                for (v, ys) in p.villages.iter().enumerate() {
                    c.at(format!("villages[{v}]"), |c| {
                        c.years("", ys.iter().map(|y| y.year), self.baseline_year, n_years)?;
                        for (k, y) in ys.iter().enumerate() {
                            c.at(format!("[{k}]"), |c| {
                                c.stat("income_yuan", &y.income_yuan, Is::Money, false)?;
                                c.probability("p_below_floor", y.p_below_floor)
                            })?;
                        }
                        Ok(())
                    })?;
                }
                for (k, b) in p.final_income_histogram.iter().enumerate() {
                    c.at(format!("final_income_histogram[{k}]"), |c| {
                        c.finite("lo", b.lo)?;
                        c.finite("hi", b.hi)?;
                        if b.lo > b.hi {
                            return c.fail("hi", format!("is {}, below lo {}", b.hi, b.lo));
                        }
                        Ok(())
                    })?;
                }
                if !p.coverage.is_empty() {
                    c.years(
                        "coverage",
                        p.coverage.iter().map(|y| y.year),
                        self.baseline_year,
                        n_years,
                    )?;
                }
                for (k, y) in p.coverage.iter().enumerate() {
                    c.at(format!("coverage[{k}]"), |c| {
                        c.probability("p_first_reached", y.p_first_reached)?;
                        c.probability("p_reached_by", y.p_reached_by)
                    })?;
                }
                c.probability("p_coverage_never", p.p_coverage_never)?;
                if let Some(d) = &p.decisions {
                    c.at("decisions", |c| {
                        c.stat("public_money_yuan", &d.public_money_yuan, Is::Money, true)?;
                        c.stat("public_money_pv_yuan", &d.public_money_pv_yuan, Is::Money, true)?;
                        c.stat("private_money_yuan", &d.private_money_yuan, Is::Money, true)?;
                        c.stat("income_added_yuan", &d.income_added_yuan, Is::Money, true)?;
                        c.stat("income_added_pv_yuan", &d.income_added_pv_yuan, Is::Money, true)?;
                        for (name, v) in [
                            ("income_added_per_public_yuan", d.income_added_per_public_yuan),
                            (
                                "income_added_pv_per_public_pv_yuan",
                                d.income_added_pv_per_public_pv_yuan,
                            ),
                            ("leverage", d.leverage),
                        ] {
                            if let Some(v) = v {
                                c.finite(name, v)?;
                            }
                        }
                        c.probability("p_negative_cash_with_loan", d.p_negative_cash_with_loan)?;
                        if let Some(v) = d.p_within_budget {
                            c.probability("p_within_budget", v)?;
                        }
                        Ok(())
                    })?;
                }
                if let Some(b) = &p.backtest {
                    c.at("backtest", |c| {
                        if b.year < self.baseline_year || b.year > self.final_year {
                            return c.fail(
                                "year",
                                format!("is {}, outside {} to {}", b.year, self.baseline_year, self.final_year),
                            );
                        }
                        if let Some(v) = b.observed_mean_village_income_yuan {
                            c.finite("observed_mean_village_income_yuan", v)?;
                        }
                        if let Some(v) = b.percentile_of_observed_mean {
                            c.probability("percentile_of_observed_mean", v)?;
                        }
                        c.probability("p_full_coverage", b.p_full_coverage)?;
                        c.finite("p_full_coverage_se", b.p_full_coverage_se)
                    })?;
                }
                if !p.appraisals.is_empty() && p.appraisals.len() != p.interventions.len() {
                    return c.fail(
                        "appraisals",
                        format!(
                            "has {} entries, one per intervention ({}) is expected",
                            p.appraisals.len(),
                            p.interventions.len()
                        ),
                    );
                }
                for (k, a) in p.appraisals.iter().enumerate() {
                    c.at(format!("appraisals[{k}]"), |c| {
                        if a.villages > self.villages.len() {
                            return c.fail(
                                "villages",
                                format!("is {}, more than the {} villages", a.villages, self.villages.len()),
                            );
                        }
                        c.stat("npv_yuan", &a.npv_yuan, Is::Money, true)?;
                        if let Some(s) = &a.irr {
                            c.stat("irr", s, Is::Money, true)?;
                        }
                        c.probability("irr_defined_share", a.irr_defined_share)?;
                        c.stat("public_money_yuan", &a.public_money_yuan, Is::Money, true)?;
                        c.stat("public_money_pv_yuan", &a.public_money_pv_yuan, Is::Money, true)?;
                        if let Some(s) = &a.min_dscr {
                            c.stat("min_dscr", s, Is::Money, true)?;
                        }
                        c.stat(
                            "negative_cash_years",
                            &a.negative_cash_years,
                            Is::Count(n_sim as f64),
                            true,
                        )?;
                        c.stat("p_failure", &a.p_failure, Is::Probability, true)?;
                        c.stat("share_failed", &a.share_failed, Is::Probability, true)?;
                        if let Some(s) = &a.income_per_village_year_yuan {
                            c.stat("income_per_village_year_yuan", s, Is::Money, true)?;
                        }
                        c.years("years", a.years.iter().map(|y| y.year), self.start_year, n_sim)?;
                        for (j, y) in a.years.iter().enumerate() {
                            c.at(format!("years[{j}]"), |c| {
                                c.stat("operating_income_yuan", &y.operating_income_yuan, Is::Money, true)?;
                                c.stat("net_cash_yuan", &y.net_cash_yuan, Is::Money, true)?;
                                c.stat("public_money_yuan", &y.public_money_yuan, Is::Money, true)?;
                                if let Some(s) = &y.dscr {
                                    c.stat("dscr", s, Is::Money, true)?;
                                }
                                c.probability("p_negative_cash", y.p_negative_cash)
                            })?;
                        }
                        for (j, e) in a.external.iter().enumerate() {
                            c.at(format!("external[{j}]"), |c| {
                                if e.income_yuan.len() != n_sim {
                                    return c.fail(
                                        "income_yuan",
                                        format!(
                                            "has {} entries, one per simulated year ({n_sim}) is expected",
                                            e.income_yuan.len()
                                        ),
                                    );
                                }
                                for (y, s) in e.income_yuan.iter().enumerate() {
                                    c.stat(&format!("income_yuan[{y}]"), s, Is::Money, true)?;
                                }
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        }
        for (k, pair) in self.comparisons.iter().enumerate() {
            c.at(format!("comparisons[{k}]"), |c| {
                for (field, name) in [("policy", &pair.policy), ("reference", &pair.reference)] {
                    if !names.contains(name.as_str()) {
                        return c.fail(field, format!("is {name:?}, which is not one of the policies"));
                    }
                }
                c.stat(
                    "diff_mean_village_income_yuan",
                    &pair.diff_mean_village_income_yuan,
                    Is::Money,
                    false,
                )?;
                let n = self.villages.len() as f64;
                c.stat(
                    "diff_villages_below_floor",
                    &pair.diff_villages_below_floor,
                    Is::Money,
                    false,
                )?;
                let d = &pair.diff_villages_below_floor;
                if d.min < -n - SLACK || d.max > n + SLACK {
                    return c.fail(
                        "diff_villages_below_floor",
                        format!("goes from {} to {}, beyond the {n} villages", d.min, d.max),
                    );
                }
                c.probability("p_higher_income", pair.p_higher_income)?;
                c.probability("p_fewer_below_floor", pair.p_fewer_below_floor)
            })?;
        }
        Ok(())
    }
}
