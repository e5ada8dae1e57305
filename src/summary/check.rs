//! The invariants of a results file: what [`Results::check`] verifies
//! before a saved `results.json` is reported on.
//!
//! A file written by this version holds them all; a file edited by hand or
//! by another program may not, and then the error names the first field
//! that breaks one (`policies[2].years[5].all_above_floor.mean`), so no
//! chart or report is drawn from numbers that cannot be.

use std::collections::HashSet;

use super::results::{
    Decisions, InterventionResults, PairResults, PolicyAccounts, PolicyResults, Results, Stat, VillageYear,
    RESULTS_FORMAT_VERSION,
};

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
    /// Whether the policies' per-village years are checked.
    village_years: bool,
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
    /// policies, and `floor >= weak >= 0`.
    ///
    /// # Errors
    ///
    /// [`Invalid`] naming the first field that breaks an invariant.
    pub fn check(&self) -> Result<(), Invalid> {
        self.check_parts(true)
    }

    /// [`Results::check`] without the policies' per-village years: what
    /// `results.json` alone holds (the years are in `village_years.bin`).
    ///
    /// # Errors
    ///
    /// [`Invalid`] naming the first field that breaks an invariant.
    pub fn check_without_village_years(&self) -> Result<(), Invalid> {
        self.check_parts(false)
    }

    fn check_parts(&self, village_years: bool) -> Result<(), Invalid> {
        let mut c = Checker {
            path: Vec::new(),
            village_years,
        };
        self.check_header(&mut c)?;
        let mut names = HashSet::new();
        for (i, p) in self.policies.iter().enumerate() {
            c.at(format!("policies[{i}]"), |c| {
                if !names.insert(p.name.as_str()) {
                    return c.fail("name", format!("is {:?}, the name of an earlier policy", p.name));
                }
                named(c, "name_zh", p.name_zh.as_deref())?;
                self.check_policy(c, p)
            })?;
        }
        named(&c, "scenario_name_zh", self.scenario_name_zh.as_deref())?;
        for (i, v) in self.villages.iter().enumerate() {
            c.at(format!("villages[{i}]"), |c| {
                for (field, zh) in [
                    ("name_zh", &v.name_zh),
                    ("township_zh", &v.township_zh),
                    ("group_zh", &v.group_zh),
                ] {
                    named(c, field, zh.as_deref())?;
                }
                Ok(())
            })?;
        }
        for (k, pair) in self.comparisons.iter().enumerate() {
            c.at(format!("comparisons[{k}]"), |c| self.check_comparison(c, pair, &names))?;
        }
        if let Some(reference) = self.reference.as_deref().filter(|r| !names.contains(r)) {
            return c.fail(
                "reference",
                format!("is {reference:?}, which is not one of the policies"),
            );
        }
        Ok(())
    }

    /// Number of years reported per list (baseline year included).
    fn n_years(&self) -> usize {
        (i64::from(self.final_year) - i64::from(self.baseline_year) + 1) as usize
    }

    /// Format version, runs, policies, years, thresholds and run-wide numbers.
    fn check_header(&self, c: &mut Checker) -> Check {
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
        c.probability("quantile_relative_error", self.quantile_relative_error)
    }

    /// One policy's years, villages, histogram, coverage, decisions,
    /// backtest and appraisals.
    fn check_policy(&self, c: &mut Checker, p: &PolicyResults) -> Check {
        let n_years = self.n_years();
        let n = self.villages.len() as f64;
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
        if c.village_years {
            self.check_villages(c, &p.villages)?;
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
            c.at("decisions", |c| check_decisions(c, d))?;
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
            c.at(format!("appraisals[{k}]"), |c| self.check_appraisal(c, a))?;
        }
        if let Some(a) = &p.accounts {
            c.at("accounts", |c| self.check_accounts(c, a))?;
        }
        Ok(())
    }

    /// A policy's accounts: one entry per simulated year, every figure a
    /// finite amount of money.
    fn check_accounts(&self, c: &mut Checker, a: &PolicyAccounts) -> Check {
        c.years(
            "years",
            a.years.iter().map(|y| y.year),
            self.start_year,
            self.n_years() - 1,
        )?;
        for (j, y) in a.years.iter().enumerate() {
            c.at(format!("years[{j}]"), |c| {
                for (name, s) in [
                    ("operating_yuan", &y.operating_yuan),
                    ("subsidy_yuan", &y.subsidy_yuan),
                    ("costs_yuan", &y.costs_yuan),
                    ("taxes_yuan", &y.taxes_yuan),
                    ("depreciation_yuan", &y.depreciation_yuan),
                    ("interest_yuan", &y.interest_yuan),
                    ("income_tax_yuan", &y.income_tax_yuan),
                    ("net_income_yuan", &y.net_income_yuan),
                    ("net_cash_yuan", &y.net_cash_yuan),
                ] {
                    c.stat(name, s, Is::Money, true)?;
                }
                Ok(())
            })?;
        }
        c.at("committed_yuan", |c| {
            let m = &a.committed_yuan;
            for (name, s) in [
                ("bank_loans_yuan", &m.bank_loans_yuan),
                ("village_equity_yuan", &m.village_equity_yuan),
                ("public_money_yuan", &m.public_money_yuan),
                ("total_yuan", &m.total_yuan),
            ] {
                c.stat(name, s, Is::Money, true)?;
            }
            Ok(())
        })?;
        let (p, g) = (&a.public_cost, &a.who_gains);
        c.at("public_cost", |c| {
            c.finite("public_discount_rate", p.public_discount_rate)?;
            for (name, s) in [
                ("spent_yuan", &p.spent_yuan),
                ("placed_yuan", &p.placed_yuan),
                ("returned_yuan", &p.returned_yuan),
                ("loss_on_placed_yuan", &p.loss_on_placed_yuan),
                ("implicit_subsidy_yuan", &p.implicit_subsidy_yuan),
                ("guarantee_calls_yuan", &p.guarantee_calls_yuan),
                ("fiscal_cost_yuan", &p.fiscal_cost_yuan),
                ("fiscal_cost_pv_yuan", &p.fiscal_cost_pv_yuan),
                ("host_district_yuan", &p.host_district_yuan),
            ] {
                c.stat(name, s, Is::Money, true)?;
            }
            Ok(())
        })?;
        c.at("who_gains", |c| {
            for (name, s) in [
                ("collective_yuan", &g.collective_yuan),
                ("farmers_yuan", &g.farmers_yuan),
                ("bank_yuan", &g.bank_yuan),
                ("partners_yuan", &g.partners_yuan),
                ("public_purse_yuan", &g.public_purse_yuan),
                ("host_district_yuan", &g.host_district_yuan),
                ("added_value_yuan", &g.added_value_yuan),
            ] {
                c.stat(name, s, Is::Money, true)?;
            }
            Ok(())
        })
    }

    /// One list of years per village, matching [`Results::villages`].
    fn check_villages(&self, c: &mut Checker, villages: &[Vec<VillageYear>]) -> Check {
        if villages.len() != self.villages.len() {
            return c.fail(
                "villages",
                format!(
                    "has {} entries, one per village ({}) is expected",
                    villages.len(),
                    self.villages.len()
                ),
            );
        }
        for (v, ys) in villages.iter().enumerate() {
            c.at(format!("villages[{v}]"), |c| {
                c.years("", ys.iter().map(|y| y.year), self.baseline_year, self.n_years())?;
                for (k, y) in ys.iter().enumerate() {
                    c.at(format!("[{k}]"), |c| {
                        c.stat("income_yuan", &y.income_yuan, Is::Money, false)?;
                        c.probability("p_below_floor", y.p_below_floor)
                    })?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// One intervention's appraisal: NPV, IRR, money, DSCR, cash, failure,
    /// years and external beneficiaries.
    fn check_appraisal(&self, c: &mut Checker, a: &InterventionResults) -> Check {
        let n_sim = self.n_years() - 1;
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
        c.stat("fiscal_cost_yuan", &a.fiscal_cost_yuan, Is::Money, true)?;
        c.stat("guarantee_calls_yuan", &a.guarantee_calls_yuan, Is::Money, true)?;
        if let Some(p) = a.p_loan_default {
            c.probability("p_loan_default", p)?;
        }
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
                c.stat("subsidy_yuan", &y.subsidy_yuan, Is::Money, true)?;
                c.stat("net_income_yuan", &y.net_income_yuan, Is::Money, true)?;
                c.stat("public_money_yuan", &y.public_money_yuan, Is::Money, true)?;
                if let Some(s) = &y.dscr {
                    c.stat("dscr", s, Is::Money, true)?;
                }
                c.probability("p_negative_cash", y.p_negative_cash)
            })?;
        }
        let final_year = self.final_year;
        let mut before: Option<i32> = None;
        for (j, y) in a.dscr_term.iter().enumerate() {
            c.at(format!("dscr_term[{j}]"), |c| {
                if before.is_some_and(|b| y.year <= b) {
                    return c.fail("year", format!("{} does not follow {}", y.year, before.unwrap_or(0)));
                }
                if y.projected != (y.year > final_year) {
                    return c.fail(
                        "projected",
                        format!("is {} for {}, the horizon ends in {final_year}", y.projected, y.year),
                    );
                }
                if y.projected && a.loan_end_year.is_none_or(|end| y.year > end) {
                    return c.fail("year", format!("{} lies past the end of the loans' term", y.year));
                }
                c.stat("dscr", &y.dscr, Is::Money, true)?;
                c.probability("p_below_one", y.p_below_one)
            })?;
            before = Some(y.year);
        }
        for (j, e) in a.external.iter().enumerate() {
            c.at(format!("external[{j}]"), |c| {
                named(c, "name_zh", e.name_zh.as_deref())?;
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
    }

    /// A paired comparison: of two existing policies, with differences in range.
    fn check_comparison(&self, c: &mut Checker, pair: &PairResults, names: &HashSet<&str>) -> Check {
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
    }
}

/// A policy's decision figures: money, returns per public yuan, risk of a
/// negative-cash year, chance of staying within budget.
/// A Chinese name, where there is one, is not empty (reports would show nothing).
fn named(c: &Checker, field: &str, zh: Option<&str>) -> Check {
    match zh {
        Some(zh) if zh.trim().is_empty() => c.fail(field, "is empty; leave it out to show the English name".into()),
        _ => Ok(()),
    }
}

fn check_decisions(c: &mut Checker, d: &Decisions) -> Check {
    c.stat("public_money_yuan", &d.public_money_yuan, Is::Money, true)?;
    c.stat("public_money_pv_yuan", &d.public_money_pv_yuan, Is::Money, true)?;
    c.stat("fiscal_cost_yuan", &d.fiscal_cost_yuan, Is::Money, true)?;
    c.stat("fiscal_cost_pv_yuan", &d.fiscal_cost_pv_yuan, Is::Money, true)?;
    c.stat("private_money_yuan", &d.private_money_yuan, Is::Money, true)?;
    c.stat("income_added_yuan", &d.income_added_yuan, Is::Money, true)?;
    c.stat("income_added_pv_yuan", &d.income_added_pv_yuan, Is::Money, true)?;
    for (name, v) in [
        ("income_added_per_fiscal_yuan", d.income_added_per_fiscal_yuan),
        (
            "income_added_pv_per_fiscal_pv_yuan",
            d.income_added_pv_per_fiscal_pv_yuan,
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
}
