//! The simulations of a sensitivity analysis: each input alone at its P10
//! and P90, and the Latin-hypercube design over all of them.

use super::{setting, strata, InputResult, Outcome, Treatment};
use crate::analysis::overrides::{NewValue, Override, UncertainInput};
use crate::analysis::{AnalysisError, Scenario, Settings};
use crate::model::Model;

/// Where one input is put for a simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Setting {
    /// Fixed at the value in every run.
    Fix(f64),
    /// Its distribution shifted by this many of its standard deviations.
    Shift(f64),
}

/// The domain's bounds of `input` (the whole line when unknown).
fn within(input: &UncertainInput) -> (f64, f64) {
    input.domain.map_or((f64::NEG_INFINITY, f64::INFINITY), |d| d.bounds())
}

/// The change to the file that puts `input` where `s` says; a fixed value
/// is first moved into its domain.
pub(super) fn change(input: &UncertainInput, s: Setting) -> Override {
    Override {
        path: input.path.clone(),
        value: match s {
            Setting::Fix(v) => {
                let (lo, hi) = within(input);
                NewValue::Fixed(v.clamp(lo, hi))
            }
            Setting::Shift(sds) => NewValue::Shifted {
                sds,
                within: within(input),
            },
        },
    }
}

/// What every simulation of the analysis shares: the scenario, its
/// uncertain inputs and their treatments, the policy and year of the
/// outcome, and the progress callback.
pub(super) struct Design<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) settings: &'a Settings,
    pub(super) inputs: &'a [UncertainInput],
    pub(super) treatments: &'a [(Treatment, Option<u64>)],
    pub(super) policy: usize,
    pub(super) year: i32,
    pub(super) done: &'a (dyn Fn() + Sync),
}

impl Design<'_> {
    /// The domain's bounds of input `i` (the whole line when unknown).
    fn within(&self, i: usize) -> (f64, f64) {
        within(&self.inputs[i])
    }

    /// The changes to the file that put the inputs where `settings` says; a
    /// fixed value is first moved into its domain.
    fn overrides(&self, settings: &[(usize, Setting)]) -> Vec<Override> {
        settings.iter().map(|&(i, s)| change(&self.inputs[i], s)).collect()
    }

    /// The validated model with the inputs put where `settings` says, and
    /// only the analysed policy kept: the engine then does the work of one
    /// policy (the interventions' draws are keyed by their ids, so the
    /// policy's figures are those it has among all the others).
    fn model(&self, settings: &[(usize, Setting)]) -> Result<Model, AnalysisError> {
        let mut model = self.scenario.model(&self.overrides(settings), self.settings)?;
        let policy = model.policies.swap_remove(self.policy);
        model.policies = vec![policy];
        Ok(model)
    }

    /// The outcome with the inputs put where `settings` says.
    fn outcome(&self, settings: &[(usize, Setting)]) -> Result<Outcome, AnalysisError> {
        let model = self.model(settings)?;
        let outcome = Outcome::of(&self.settings.simulate(&model)?, 0, self.year);
        (self.done)();
        Ok(outcome)
    }

    /// The value input `i` takes under `s`: the fixed value (in its
    /// domain), or the mean of its shifted distribution.
    fn value(&self, i: usize, s: Setting) -> f64 {
        let (lo, hi) = self.within(i);
        match s {
            Setting::Fix(v) => v.clamp(lo, hi),
            Setting::Shift(sds) => {
                let shifted = self.inputs[i].param.shifted(sds, (lo, hi));
                // The model clamps an unbounded distribution to its domain.
                let (a, b) = (
                    shifted.min.map_or(lo, |m| m.max(lo)),
                    shifted.max.map_or(hi, |m| m.min(hi)),
                );
                crate::model::param::Param {
                    min: a.is_finite().then_some(a),
                    max: b.is_finite().then_some(b),
                    ..shifted
                }
                .mean()
            }
        }
    }

    /// Input `i`'s settings at its 10th and its 90th percentile.
    pub(super) fn ends(&self, i: usize) -> [Setting; 2] {
        [0.1, 0.9].map(|u| setting(&self.inputs[i].param, self.treatments[i], u))
    }

    /// Input `i` as the tornado reads it, its outcomes not yet filled in
    /// (see [`super::assemble`]).
    pub(super) fn input_result(&self, i: usize) -> InputResult {
        let input = &self.inputs[i];
        let ends = self.ends(i);
        let (treatment, draws) = self.treatments[i];
        InputResult {
            name: input.name.clone(),
            // Filled by `run_points`, which has the baseline's names.
            words: Default::default(),
            path: input.path.text.clone(),
            per: input.per,
            unit: super::ValueUnit::of(input.domain),
            treatment,
            draws,
            p10: self.value(i, ends[0]),
            p90: self.value(i, ends[1]),
            at_p10: Outcome::default(),
            at_p90: Outcome::default(),
            swing: 0.0,
            rank_correlation: None,
            rank: 0,
        }
    }

    /// Where every input sits at point `point` of a Latin-hypercube design
    /// of `k` points with these `strata`: input `i` at its quantile
    /// `(strata[i][point] + 0.5) / k`.
    fn design_point(&self, strata: &[Vec<usize>], point: usize, k: usize) -> Vec<(usize, Setting)> {
        strata
            .iter()
            .enumerate()
            .map(|(i, stratum)| {
                let u = (stratum[point] as f64 + 0.5) / k as f64;
                (i, setting(&self.inputs[i].param, self.treatments[i], u))
            })
            .collect()
    }

    /// Each input's position at each of the `k` design points
    /// (`positions[i][point]`), what its rank correlation ranks: a fixed
    /// input by the value it took (values moved to the domain's edge tie),
    /// a shifted one by its shift.
    pub(super) fn positions(&self, k: usize) -> Vec<Vec<f64>> {
        let strata = strata(self.inputs.len(), k);
        let mut positions = vec![Vec::with_capacity(k); self.inputs.len()];
        for point in 0..k {
            for (i, s) in self.design_point(&strata, point, k) {
                positions[i].push(match s {
                    Setting::Fix(_) => self.value(i, s),
                    Setting::Shift(sds) => sds,
                });
            }
        }
        positions
    }

    /// The outcome of simulation `j` of the analysis (numbered as
    /// [`super::SensitivityPoints`] says: input `j / 2` at its P10 for even
    /// `j` and its P90 for odd `j` below `2 n`, then design point
    /// `j - 2 n` of `k`), the other inputs as in the scenario.
    pub(super) fn simulation(&self, j: usize, k: usize) -> Result<Outcome, AnalysisError> {
        let n = self.inputs.len();
        if j < 2 * n {
            let i = j / 2;
            self.outcome(&[(i, self.ends(i)[j % 2])])
        } else {
            let strata = strata(n, k);
            self.outcome(&self.design_point(&strata, j - 2 * n, k))
        }
    }
}
