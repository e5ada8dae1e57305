//! Reading `[stress.NAME]`: named stress tests. The factors and
//! interventions they force are checked here (names, years, kinds); the
//! paths they set, scale or put in a tail are checked when
//! `villagesim stress` applies them, as `sweep --set` paths are.

use super::*;
use crate::model::param::standard_normal_quantile;
use crate::model::stress::{FactorStress, Stress, StressValue};
use crate::scenario::file::RawStressValue;

impl Checker<'_> {
    pub(super) fn stresses(
        &mut self,
        raw: &RawScenario,
        start_year: i32,
        years: usize,
        factors: &[Factor],
        interventions: &[Intervention],
    ) -> Vec<model::stress::Stress> {
        let last = start_year as i64 + years as i64 - 1;
        let mut out = Vec::new();
        for (name, s) in &raw.stress {
            let at = |key: &str| format!("stress.{name}.{key}");
            let set = (s.set.iter())
                .map(|(path, v)| {
                    let value = match v {
                        RawStressValue::Number(x) => StressValue::Number(*x),
                        RawStressValue::Text(t) => StressValue::Text(t.clone()),
                    };
                    (path.clone(), value)
                })
                .collect();
            let mut scale = Vec::new();
            for (path, k) in &s.scale {
                if !(k.0.is_finite() && k.0 > 0.0) {
                    self.fail(
                        &at(&format!("scale.{path}")),
                        format!("a scale of {} is not above 0", k.0),
                        Some("give the factor the value is multiplied by, e.g. \"70%\" for a cut of 30%".into()),
                    );
                }
                scale.push((path.clone(), k.0));
            }
            let mut tail = Vec::new();
            for (path, q) in &s.tail {
                if !(q.0 > 0.0 && q.0 < 1.0) {
                    self.fail(
                        &at(&format!("tail.{path}")),
                        format!("{} is not a quantile strictly between 0 and 1", q.0),
                        Some("give the quantile the value is fixed at, e.g. \"5%\" for its P5".into()),
                    );
                }
                tail.push((path.clone(), q.0));
            }
            let mut forced = Vec::new();
            for (factor, f) in &s.factors {
                let path = at(&format!("factors.{factor}"));
                let Some(index) = factors.iter().position(|x| &x.name == factor) else {
                    let names: Vec<String> = factors.iter().map(|f| f.name.clone()).collect();
                    self.fail(
                        &path,
                        format!("no factor named `{factor}`"),
                        Some(if names.is_empty() {
                            "the file declares no [factors.NAME]".into()
                        } else {
                            format!("declared factors: {}", names.join(", "))
                        }),
                    );
                    continue;
                };
                let value = match (f.value, f.tail) {
                    (Some(v), None) if v.is_finite() && v.abs() <= 10.0 => v,
                    (None, Some(q)) if q.0 > 0.0 && q.0 < 1.0 => standard_normal_quantile(q.0),
                    _ => {
                        self.fail(
                            &path,
                            "give the factor's standard normal `value` (-10 to 10) or its `tail` quantile (between 0% and 100%), one of the two",
                            Some("e.g. { tail = \"5%\", from = 2021, to = 2023 } or { value = -1.645, from = 2021 }".into()),
                        );
                        continue;
                    }
                };
                let to = f.to.unwrap_or(f.from);
                let ok = self.int_in(&format!("{path}.from"), f.from, start_year as i64, last)
                    & self.int_in(&format!("{path}.to"), to, f.from.clamp(start_year as i64, last), last);
                if ok {
                    forced.push(FactorStress {
                        factor: index,
                        value,
                        from: f.from as i32,
                        to: to as i32,
                    });
                }
            }
            let mut fail = Vec::new();
            for (id, year) in &s.fail {
                let path = at(&format!("fail.{id}"));
                let Some(i) = interventions.iter().position(|iv| &iv.id == id) else {
                    self.fail(&path, format!("no intervention with id `{id}`"), None);
                    continue;
                };
                if !matches!(interventions[i].kind, model::Kind::SupportFund(_)) {
                    self.fail(
                        &path,
                        format!("`{id}` cannot be made to fail"),
                        Some("only a support_fund (its operator defaults) can be made to fail in a given year; stress other kinds through their values with set, scale or tail".into()),
                    );
                    continue;
                }
                let first = i64::from(interventions[i].start_year.max(start_year));
                if self.int_in(&path, *year, first, last) {
                    fail.push((i, *year as i32));
                }
            }
            if s.set.is_empty() && s.scale.is_empty() && s.tail.is_empty() && s.factors.is_empty() && s.fail.is_empty()
            {
                self.fail(
                    &format!("stress.{name}"),
                    format!("the stress `{name}` forces nothing"),
                    Some("give set, scale, tail, factors or fail".into()),
                );
            }
            out.push(Stress {
                name: name.clone(),
                description: s.description.clone(),
                description_zh: self.text_zh(&at("description_zh"), s.description_zh.as_ref()),
                set,
                scale,
                tail,
                factors: forced,
                fail,
            });
        }
        out
    }
}
