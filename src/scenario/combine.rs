//! Several scenario files over the same villages, as one model, so that
//! `compare` measures the policies of all of them run by run on common
//! random numbers.
//!
//! The first file gives the villages, factors, years and targets; every
//! other file must have the same (same village ids in the same order, same
//! years, floor and weak line, same factor names). Its interventions are
//! added with ids prefixed by the file's label (`label:id`) but keep the
//! random streams of their original ids, so an intervention defined the same
//! way in two files draws the same numbers in both. With several files every
//! policy is named `label: name` (the label is the file stem); there is one
//! "no intervention", the first file's.

use crate::model::{Model, Policy};

/// Combines `models` (with a label each, e.g. the file stem); the error says
/// what differs.
pub fn combine(models: Vec<(String, Model)>) -> Result<Model, String> {
    let several = models.len() > 1;
    let mut models = models.into_iter();
    let (first_label, mut combined) = models.next().ok_or("no scenario to compare")?;
    if several {
        for iv in &mut combined.interventions {
            iv.id = format!("{first_label}:{}", iv.id);
        }
        for policy in combined.policies.iter_mut().skip(1) {
            policy.name = format!("{first_label}: {}", policy.name);
            policy.name_zh = policy.name_zh.as_ref().map(|zh| format!("{first_label}：{zh}"));
        }
    }
    let ids = |m: &Model| m.villages.iter().map(|v| v.id.clone()).collect::<Vec<_>>();
    let factors = |m: &Model| m.factors.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    for (label, model) in models {
        let differs = |what: &str| {
            format!("{label} and {first_label} differ in {what}: compare needs the same villages, years and targets")
        };
        if ids(&model) != ids(&combined) {
            return Err(differs("their villages (ids and order)"));
        }
        if (model.start_year, model.years) != (combined.start_year, combined.years) {
            return Err(differs("their years"));
        }
        if (model.floor_yuan, model.weak_yuan) != (combined.floor_yuan, combined.weak_yuan) {
            return Err(differs("their targets"));
        }
        if factors(&model) != factors(&combined) {
            return Err(differs("their factors"));
        }
        let offset = combined.interventions.len();
        for mut iv in model.interventions {
            iv.id = format!("{label}:{}", iv.id);
            combined.interventions.push(iv);
        }
        for policy in model.policies.into_iter().skip(1) {
            combined.policies.push(Policy {
                name: format!("{label}: {}", policy.name),
                name_zh: policy.name_zh.map(|zh| format!("{label}：{zh}")),
                description: policy.description,
                description_zh: policy.description_zh,
                interventions: policy.interventions.iter().map(|i| i + offset).collect(),
            });
        }
    }
    Ok(combined)
}
