//! Reading `[[policies]]`: named sets of interventions, with the
//! "no intervention" counterfactual always first.

use super::*;

impl Checker<'_> {
    pub(super) fn policies(&mut self, raw: &RawScenario, interventions: &[Intervention]) -> Vec<Policy> {
        // "no intervention" is one of the policies.
        if raw.policies.len() + 1 > MAX_POLICIES {
            self.fail(
                &format!("policies[{}]", MAX_POLICIES - 1),
                format!(
                    "{} policies (with \"no intervention\") is more than the {} accepted",
                    thousands((raw.policies.len() + 1) as f64),
                    thousands(MAX_POLICIES as f64)
                ),
                Some("every policy is simulated in every run and compared with the others: split the study into several scenario files (see src/limits.rs)".into()),
            );
            return Vec::new();
        }
        let ids: Vec<&str> = interventions.iter().map(|iv| iv.id.as_str()).collect();
        let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut policies = vec![Policy {
            name: NO_INTERVENTION.into(),
            name_zh: Some(model::NO_INTERVENTION_ZH.into()),
            description: Some("the counterfactual: organic growth only".into()),
            description_zh: Some("对照：仅自然增长".into()),
            interventions: Vec::new(),
        }];
        if raw.policies.is_empty() && !interventions.is_empty() {
            policies.push(Policy {
                name: "all interventions".into(),
                name_zh: Some("全部措施".into()),
                description: None,
                description_zh: None,
                interventions: (0..interventions.len()).collect(),
            });
        }
        for (p, rp) in raw.policies.iter().enumerate() {
            let path = format!("policies[{p}]");
            if rp.name.trim().eq_ignore_ascii_case(NO_INTERVENTION) {
                self.fail(
                    &format!("{path}.name"),
                    "\"no intervention\" is always simulated as the counterfactual",
                    Some("give this policy another name, or remove it".into()),
                );
            }
            let mut chosen = Vec::with_capacity(rp.interventions.len());
            let mut listed = HashSet::with_capacity(rp.interventions.len());
            for (k, id) in rp.interventions.iter().enumerate() {
                match index.get(id.as_str()).copied() {
                    Some(i) if !listed.insert(i) => self.fail(
                        &format!("{path}.interventions[{k}]"),
                        format!("`{id}` is listed twice"),
                        None,
                    ),
                    Some(i) => chosen.push(i),
                    None => {
                        let help = if self.full() {
                            String::new()
                        } else {
                            self.known("intervention ids", &ids, id)
                        };
                        self.fail(
                            &format!("{path}.interventions[{k}]"),
                            format!("no intervention with id `{id}`"),
                            Some(help),
                        );
                    }
                }
            }
            policies.push(Policy {
                name: rp.name.clone(),
                name_zh: self.text_zh(&format!("{path}.name_zh"), rp.name_zh.as_ref()),
                description: rp.description.clone(),
                description_zh: self.text_zh(&format!("{path}.description_zh"), rp.description_zh.as_ref()),
                interventions: chosen,
            });
        }
        let names: Vec<String> = policies.iter().map(|p| p.name.to_lowercase()).collect();
        let mut seen = HashSet::new();
        for (p, name) in names.iter().enumerate().skip(1) {
            if !seen.insert(name.clone()) {
                self.fail(
                    &format!("policies[{}].name", p - 1 - usize::from(raw.policies.is_empty())),
                    format!("duplicate policy name `{}`", policies[p].name),
                    None,
                );
            }
        }
        let mut seen_zh = HashSet::new();
        for (p, rp) in raw.policies.iter().enumerate() {
            let zh = rp.name_zh.as_deref().map(str::trim).filter(|n| !n.is_empty());
            if let Some(zh) = zh.filter(|zh| !seen_zh.insert(*zh)) {
                self.fail(
                    &format!("policies[{p}].name_zh"),
                    format!("duplicate Chinese policy name `{zh}`"),
                    Some("reports in Chinese tell policies apart by this name: give each its own".into()),
                );
            }
        }
        policies
    }
}
