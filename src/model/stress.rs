//! A named stress test (`[stress.NAME]`), validated: what it forces. The
//! values it sets, scales or puts in a tail are changes to the file's text
//! (applied by `analysis::stress`, as `sweep --set` changes are); the
//! factors and failures it forces are applied to the model.

/// One stress test.
#[derive(Debug, Clone, PartialEq)]
pub struct Stress {
    pub name: String,
    pub description: Option<String>,
    pub description_zh: Option<String>,
    /// Values set, by path: a number or text as the file would hold it.
    pub set: Vec<(String, StressValue)>,
    /// Values multiplied by a factor above 0.
    pub scale: Vec<(String, f64)>,
    /// Uncertain values fixed at a quantile, in (0, 1).
    pub tail: Vec<(String, f64)>,
    pub factors: Vec<FactorStress>,
    /// Interventions (index into `Model::interventions`) made to fail in a
    /// year.
    pub fail: Vec<(usize, i32)>,
}

/// A value a stress sets.
#[derive(Debug, Clone, PartialEq)]
pub enum StressValue {
    Number(f64),
    Text(String),
}

/// A common factor forced to a standard normal value from one year to
/// another (inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactorStress {
    /// Index into `Model::factors`.
    pub factor: usize,
    pub value: f64,
    pub from: i32,
    pub to: i32,
}

impl Stress {
    /// Forces the stress's factors and failures on `model` (its values
    /// set, scaled or put in a tail are already in the model's file).
    pub fn force(&self, model: &mut super::Model) {
        for f in &self.factors {
            let factor = &mut model.factors[f.factor];
            let span = model.years;
            factor.forced.resize(span, None);
            for year in f.from..=f.to {
                let t = (year - model.start_year) as usize;
                if t < span {
                    factor.forced[t] = Some(f.value);
                }
            }
        }
        for &(i, year) in &self.fail {
            model.interventions[i].forced_failure_year = Some(year);
        }
    }
}
