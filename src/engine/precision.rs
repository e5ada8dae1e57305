//! The precision of a [`Partial`]'s aggregates against `--precision`
//! targets (see [`crate::summary::precision`]).

use super::{Aggregates, Partial};
use crate::model::Model;
use crate::summary::precision::{relative, Figure, Measured, Precision, Targets};

/// The year the precision of a policy's own figures is measured in:
/// `[targets] year` where it is simulated, else the final year (the year
/// the report's lead answers for).
pub fn precision_year(model: &Model) -> i32 {
    model
        .target_year
        .filter(|y| (model.start_year..=model.final_year()).contains(y))
        .unwrap_or(model.final_year())
}

impl Aggregates {
    /// The standard error of every figure `--precision` holds to a target:
    /// per policy, in [`precision_year`], the mean village income
    /// (relative), P(full coverage) and the share of villages below the
    /// floor; per policy paired with policy 0, in the final year (that of
    /// the paired comparisons), the difference in mean village income
    /// (relative to policy 0's mean) and in the share below the floor.
    pub fn precision_measures(&self, model: &Model) -> Vec<Measured> {
        let year = precision_year(model);
        let y = (year - model.baseline_year()) as usize;
        let last = model.years;
        let villages = model.villages.len().max(1) as f64;
        let mut measured = Vec::new();
        for (policy, p) in model.policies.iter().zip(&self.policies) {
            let at = |figure: Figure, se: f64| Measured {
                figure,
                policy: policy.name.clone(),
                reference: None,
                year,
                se,
            };
            let mean = &p.mean[y].moments;
            measured.push(at(Figure::MeanIncome, relative(mean.se(), mean.mean())));
            measured.push(at(Figure::FullCoverage, p.all_above_floor[y].moments().se()));
            measured.push(at(
                Figure::ShareBelowFloor,
                p.count_below_floor[y].moments().se() / villages,
            ));
        }
        let reference = &model.policies[0].name;
        let reference_mean = self.policies[0].mean[last].moments.mean();
        for (a, income, below) in self.comparisons.against(0) {
            let at = |figure: Figure, se: f64| Measured {
                figure,
                policy: model.policies[a].name.clone(),
                reference: Some(reference.clone()),
                year: model.final_year(),
                se,
            };
            measured.push(at(Figure::IncomeDifference, relative(income.se(), reference_mean)));
            measured.push(at(Figure::ShareBelowDifference, below.se() / villages));
        }
        measured.iter_mut().for_each(|m| {
            if m.se.is_nan() {
                m.se = f64::INFINITY;
            }
        });
        measured
    }
}

impl Partial {
    /// The precision of the runs held against `targets`, for a job of at
    /// most `max_runs` runs.
    pub fn precision(&self, model: &Model, targets: Targets, max_runs: u64) -> Precision {
        Precision::assess(
            targets,
            self.aggregates().precision_measures(model),
            self.run_count(),
            max_runs,
        )
    }
}
