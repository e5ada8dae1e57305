//! `project_service` (项目承建): villages execute small public works
//! (agricultural infrastructure, living-environment improvement, 以工代赈
//! projects) funded by central and provincial money, and keep a service
//! margin as operating income.
//!
//! Eligibility: in each run, each participating village is eligible
//! independently with probability `eligible_share` (a village either has the
//! organisation, qualifications and track record to be given projects in the
//! horizon or not), so on average `eligible_share` of the villages take
//! part. For each eligible village `v` and active year `y`:
//!
//! ```text
//! N[v, y]        ~ Poisson(projects_per_year)
//! value[v, y, j] ~ project_value_yuan, drawn afresh for each project j
//! income[v, y]   = service_margin * sum_{j < N[v, y]} value[v, y, j]     (operating income)
//! E[income[v, y]] = eligible_share * projects_per_year * E[value] * service_margin
//! wages[y]       = min(wage_share, 1 - service_margin) * sum_v sum_j value[v, y, j]   (farmers' income)
//! ```
//!
//! The project is executed by the village's company or cooperative: the
//! village's income is its margin, the result of that venture
//! (the venture's revenue, the project value, and its costs, wages and
//! materials, are in the ledger, not on the village's lines). The wages it
//! pays local labour are income of the farmers (`Ledger::farmers_yuan`):
//! in work-relief (以工代赈) projects the labour remuneration must be at
//! least 30% of the central funds (NDRC, 2023).
//!
//! `project_value_yuan` is usually a lognormal, e.g. `"30万 to 200万"` (a 90%
//! range). Without a `per` key every project draws its own value; with
//! `per = "run" | "village" | "year" | "village-year"` every project of that
//! run, village, year or village-year shares one value.
//!
//! The parameters, their units, defaults, domains and sources are
//! declared once, in `src/model/kinds/project_service.toml`; `villagesim explain` and
//! `docs/model.md` print them.
//!
//! Capital and public money: the project money is central or provincial
//! funds, budgeted for the projects whether or not villages execute them;
//! letting villages execute moves who earns the margin, not whether the money
//! is spent. So only `additional_share` of each project's value (default 0)
//! is recorded as `public_money_yuan`, the fiscal cost of the measure, in the
//! year of the project; the village contributes no capital. Ledger:
//! `revenue_yuan` = project value (the contract the village's company
//! books), `costs_yuan` = (1 - margin) x value (wages, materials), so the
//! village's operating income is revenue - costs = margin x value.

use rand::Rng;
use serde::Deserialize;

use super::service_business::poisson;
use super::{Flows, Intervention, KindCheck, KindModel, SimCtx};
use crate::model::param::{Num, Param, Per};

/// The kind's own keys in a scenario file; their defaults, units and
/// sources are in `kinds/project_service.toml`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Mean number of projects per eligible village per year (Poisson; default per run).
    pub projects_per_year: Param,
    /// Value of one project, yuan, e.g. "30万 to 200万".
    pub project_value_yuan: Param,
    /// Share 0-1 of the project value the village keeps as operating income.
    pub service_margin: Param,
    /// Probability 0-1 that a village is eligible for projects, decided once per run.
    pub eligible_share: Option<Param>,
    /// Share 0-1 of the project value that is public spending the measure adds.
    pub additional_share: Option<Num>,
    /// Share 0-1 of the project value paid as wages to local labour.
    pub wage_share: Option<Num>,
}

/// A validated project-service measure.
#[derive(Debug, Clone)]
pub struct ProjectService {
    pub projects_per_year: Param,
    pub project_value_yuan: Param,
    pub service_margin: Param,
    pub eligible_share: Param,
    /// Share of the project value counted as public money.
    pub additional_share: f64,
    /// Share of the project value paid as wages to local labour.
    pub wage_share: f64,
}

impl KindModel for ProjectService {
    const KIND: &'static str = "project_service";
    const RECORDS: &'static str = include_str!("kinds/project_service.toml");
    type Spec = Spec;

    fn build(spec: Spec, check: &mut KindCheck) -> Self {
        if let Some(p) = &spec.eligible_share {
            if matches!(p.per, Some(Per::Year | Per::VillageYear)) {
                check.fail(
                    "eligible_share",
                    "eligibility is decided once per run for each village: `per` must be \"run\" or \"village\"",
                    None,
                );
            }
        }
        ProjectService {
            projects_per_year: Self::param("projects_per_year").read(check, &spec.projects_per_year),
            project_value_yuan: Self::param("project_value_yuan").read(check, &spec.project_value_yuan),
            service_margin: Self::param("service_margin").read(check, &spec.service_margin),
            eligible_share: Self::param("eligible_share").read_or(check, &spec.eligible_share),
            additional_share: Self::param("additional_share").number_or(check, spec.additional_share),
            wage_share: Self::param("wage_share").number_or(check, spec.wage_share),
        }
    }

    fn no_roll_out(&self) -> Option<&'static str> {
        None
    }

    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
        let vs = &iv.villages;
        let rate = ctx.draw(&self.projects_per_year, Per::Run, iv.key, "projects_per_year", vs);
        let margin = ctx.draw(&self.service_margin, Per::Run, iv.key, "service_margin", vs);
        let eligible_share = ctx.draw(&self.eligible_share, Per::Run, iv.key, "eligible_share", vs);
        // With a `per` key, projects share one value at that level; without,
        // each project draws its own.
        let shared_value = self
            .project_value_yuan
            .per
            .map(|per| ctx.draw(&self.project_value_yuan, per, iv.key, "project_value_yuan", vs));
        for (slot, &v) in vs.iter().enumerate() {
            let entity = crate::rng::combine(iv.key, ctx.village_keys[v]);
            let p = eligible_share.at(slot, 0);
            if p < 1.0 && ctx.stream(entity, "eligibility event").random::<f64>() >= p {
                continue;
            }
            let mut counts = ctx.stream(entity, "project count draws");
            let mut values = ctx.stream(entity, "project value draws (per project)");
            for t in 0..ctx.years {
                if !iv.active_for(slot, ctx.start_year + t as i32) {
                    continue;
                }
                let n = poisson(rate.at(slot, t), &mut counts) as u64;
                let value: f64 = match &shared_value {
                    Some(d) => n as f64 * d.at(slot, t),
                    None => (0..n).map(|_| self.project_value_yuan.sample(&mut values)).sum(),
                };
                if value == 0.0 {
                    continue;
                }
                let m = margin.at(slot, t);
                let income = m * value;
                let ledger = &mut flows.ledger[t];
                ledger.revenue_yuan += value;
                ledger.costs_yuan += value - income;
                ledger.public_spent_yuan += self.additional_share * value;
                // Wages are part of the costs: at most what the margin leaves.
                ledger.farmers_yuan += self.wage_share.min(1.0 - m) * value;
                flows.add_income(slot, t, income);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::intervention_flows;

    const TEST: crate::model::testing::OneKind = crate::model::testing::OneKind {
        kind: "project_service",
        id: "projects",
        seed: 3,
        extra: "",
    };

    fn incomes(m: &crate::model::Model, villages: usize) -> Vec<f64> {
        let mut out = Vec::new();
        for run in 0..m.runs {
            let f = intervention_flows(m, 0, run);
            for slot in 0..villages {
                out.extend_from_slice(f.operating(slot));
            }
        }
        out
    }

    fn mean_var(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        (mean, x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
    }

    #[test]
    fn poisson_count_has_its_mean_and_variance() {
        // Fixed value 100,000 and margin 1: income / 100,000 is the count.
        let m = TEST.model(
            20,
            5,
            300,
            "projects_per_year = 0.7\nproject_value_yuan = 100000\nservice_margin = 1",
        );
        let counts: Vec<f64> = incomes(&m, 20).iter().map(|x| x / 100_000.0).collect();
        assert!(counts.iter().all(|c| c.fract() == 0.0));
        let (mean, var) = mean_var(&counts);
        let se = (0.7 / counts.len() as f64).sqrt();
        assert!((mean - 0.7).abs() < 4.0 * se, "{mean}");
        assert!((var / 0.7 - 1.0).abs() < 0.05, "{var}");
        let zero = counts.iter().filter(|c| **c == 0.0).count() as f64 / counts.len() as f64;
        assert!((zero - (-0.7f64).exp()).abs() < 0.02, "{zero}");
    }

    #[test]
    fn mean_income_is_rate_times_value_times_margin() {
        // E[value] = 500,000 (lognormal given by mean and sd), margin 5%,
        // 0.5 projects a year, 60% of villages eligible.
        let m = TEST.model(
            25,
            4,
            400,
            "projects_per_year = 0.5\nproject_value_yuan = { lognormal = { mean = 500000, sd = 300000 } }\nservice_margin = 0.05\neligible_share = 0.6",
        );
        let x = incomes(&m, 25);
        // The years of one village share its eligibility: the independent
        // units are the village totals over the 4 years.
        let totals: Vec<f64> = x.chunks(4).map(|c| c.iter().sum::<f64>() / 4.0).collect();
        let (mean, var) = mean_var(&totals);
        let expected = 0.6 * 0.5 * 500_000.0 * 0.05;
        let se = (var / totals.len() as f64).sqrt();
        assert!((mean - expected).abs() < 4.0 * se, "{mean} vs {expected} (se {se})");
        // Eligibility is per village per run: a village with no income in
        // every year is either ineligible or unlucky; the share of villages
        // with any income is 0.6 * (1 - exp(-0.5 * 4)).
        let any = x.chunks(4).filter(|c| c.iter().any(|v| *v > 0.0)).count() as f64 / (x.len() / 4) as f64;
        let want = 0.6 * (1.0 - (-2.0f64).exp());
        assert!((any - want).abs() < 0.025, "{any} vs {want}");
    }

    #[test]
    fn public_money_is_the_additional_share_of_the_project_value() {
        let keys = "projects_per_year = 5\nproject_value_yuan = { fixed = 200000, per = \"village\" }\nservice_margin = 0.05\nstart_year = 2026";
        // By default the project money would be spent anyway: no fiscal cost.
        let f = intervention_flows(&TEST.model(2, 3, 1, keys), 0, 0);
        assert_eq!(f.ledger[1].public_money_yuan(), 0.0);
        assert!(f.ledger[1].revenue_yuan > 0.0);
        let m = TEST.model(2, 3, 1, &format!("{keys}\nadditional_share = 1"));
        let f = intervention_flows(&m, 0, 0);
        assert!((0..2).all(|s| f.operating(s)[0] == 0.0));
        let total: f64 = (0..2).map(|s| f.operating(s)[1]).sum();
        let l = f.ledger[1];
        assert!(total > 0.0);
        assert!((l.public_money_yuan() * 0.05 - total).abs() < 1e-6);
        assert_eq!(l.revenue_yuan, l.public_money_yuan());
        assert!((l.revenue_yuan - l.costs_yuan - total).abs() < 1e-6);
        assert_eq!(f.operating(0), f.net_cash(0));
        // Shared value per run: every project of the run has the same value.
        let m = TEST.model(
            3,
            3,
            20,
            "projects_per_year = 2\nproject_value_yuan = { lognormal = { median = 500000, sigma = 0.5 }, per = \"run\" }\nservice_margin = 1",
        );
        for run in 0..20 {
            let f = intervention_flows(&m, 0, run);
            let x: Vec<f64> = (0..3)
                .flat_map(|s| f.operating(s).to_vec())
                .filter(|x| *x > 0.0)
                .collect();
            let unit = x.iter().cloned().fold(f64::INFINITY, f64::min);
            // unit = k * value for the smallest count k: every income is a
            // whole multiple of unit / k for some small k.
            let whole = |k: f64| x.iter().all(|v| (v * k / unit - (v * k / unit).round()).abs() < 1e-9);
            assert!((1..=8).any(|k| whole(k as f64)), "{x:?}");
        }
    }

    /// Five projects of 200,000 a year per village at a 5% margin: 50,000
    /// of operating income each, and 30% of the 1 M, 300,000, of wages to
    /// local labour per village; a wage share above what the margin leaves
    /// is cut to 1 - margin.
    #[test]
    fn wages_are_the_wage_share_of_the_project_value() {
        let keys =
            "projects_per_year = 5\nproject_value_yuan = { fixed = 200000, per = \"village\" }\nservice_margin = 0.05";
        let f = intervention_flows(&TEST.model(2, 1, 1, keys), 0, 0);
        let value: f64 = f.ledger[0].revenue_yuan;
        assert!(value > 0.0 && value % 200_000.0 == 0.0);
        assert!((f.ledger[0].farmers_yuan - 0.3 * value).abs() < 1e-6);
        let total: f64 = (0..2).map(|s| f.operating(s)[0]).sum();
        assert!((total - 0.05 * value).abs() < 1e-6);
        let f = intervention_flows(&TEST.model(2, 1, 1, &format!("{keys}\nwage_share = 1")), 0, 0);
        assert!((f.ledger[0].farmers_yuan - 0.95 * f.ledger[0].revenue_yuan).abs() < 1e-6);
    }

    #[test]
    fn validation_errors_are_located() {
        let err = TEST.invalid(
            1,
            2,
            1,
            "projects_per_year = 1\nproject_value_yuan = 100000\nservice_margin = 1.2",
        );
        let msg = err.errors[0].to_string();
        assert!(
            msg.contains("interventions[0].service_margin") && msg.contains("probability"),
            "{msg}"
        );
        let err = TEST.invalid(
                1,
                2,
                1,
                "projects_per_year = -1\nproject_value_yuan = 100000\nservice_margin = 0.1\neligible_share = { fixed = 0.5, per = \"year\" }",
            )
        .plain();
        assert!(
            err.contains("interventions[0].eligible_share") && err.contains("once per run"),
            "{err}"
        );
        assert!(err.contains("interventions[0].projects_per_year"), "{err}");
    }

    #[test]
    fn runs_through_the_engine() {
        let m = TEST.model(3, 4, 50, "projects_per_year = 0.3\nproject_value_yuan = \"30万 to 200万\"\nservice_margin = \"3% to 8%\"\neligible_share = 0.7");
        let r = crate::model::testing::run(&m);
        assert_eq!(r.policies.len(), 2);
    }
}
