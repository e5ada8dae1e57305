//! The names of a run's entities in the language of an output: the one
//! accessor charts, reports, tables and the terminal use, each falling back
//! to the English name where the scenario gives no Chinese one (see
//! [`crate::format::in_lang`]).

use super::results::{InterventionResults, PolicyBacktest, PolicyResults, Results, VillageInfo};
use crate::format::{in_lang, Lang};
pub use crate::model::NO_INTERVENTION_ZH;
use crate::model::{Intervention, Model, Policy, Village, NO_INTERVENTION};

impl Results {
    /// The scenario's name.
    pub fn scenario_label(&self, lang: Lang) -> &str {
        in_lang(lang, &self.scenario_name, self.scenario_name_zh.as_deref())
    }

    /// The scenario's description, if it has one.
    pub fn description_label(&self, lang: Lang) -> Option<&str> {
        let en = self.description.as_deref()?;
        Some(in_lang(lang, en, self.description_zh.as_deref()))
    }

    /// The name of the policy called `name` (as in [`super::results::PairResults`]);
    /// `name` itself for a policy the results do not hold.
    pub fn policy_label<'a>(&'a self, name: &'a str, lang: Lang) -> &'a str {
        self.policies
            .iter()
            .find(|p| p.name == name)
            .map_or(name, |p| p.label(lang))
    }

    /// The name of factor `name` (`[factors.NAME]`).
    pub fn factor_label<'a>(&'a self, name: &'a str, lang: Lang) -> &'a str {
        self.factors
            .iter()
            .find(|f| f.name == name)
            .map_or(name, |f| in_lang(lang, &f.name, f.name_zh.as_deref()))
    }

    /// The name of the intervention `id`, as the first policy holding it gives it.
    pub fn intervention_label<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        self.policies
            .iter()
            .flat_map(|p| &p.appraisals)
            .find(|a| a.id == id)
            .map_or(id, |a| a.label(lang))
    }
}

/// A kind of intervention in `lang`: its key in English (as scenario files
/// write it), its Chinese name from its records in Chinese ("光伏贷").
pub fn kind_label(kind: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return kind.to_string();
    }
    let docs = crate::model::docs();
    let Some(doc) = docs.iter().find(|d| d.kind == kind) else {
        return kind.to_string();
    };
    let zh = doc.chinese.split([' ', '(', '（']).next().unwrap_or(doc.chinese).trim();
    if zh.is_empty() {
        kind.to_string()
    } else {
        zh.to_string()
    }
}

impl PolicyResults {
    /// The policy's name ("无干预" for the counterfactual in Chinese).
    pub fn label(&self, lang: Lang) -> &str {
        if lang == Lang::Zh && self.name_zh.is_none() && is_no_intervention(&self.name) {
            return NO_INTERVENTION_ZH;
        }
        in_lang(lang, &self.name, self.name_zh.as_deref())
    }

    pub fn description_label(&self, lang: Lang) -> Option<&str> {
        let en = self.description.as_deref()?;
        Some(in_lang(lang, en, self.description_zh.as_deref()))
    }
}

/// Whether `name` is the counterfactual's, however it is spelt.
fn is_no_intervention(name: &str) -> bool {
    name.trim().to_lowercase().replace(['_', '-'], " ") == NO_INTERVENTION
}

impl InterventionResults {
    pub fn label(&self, lang: Lang) -> &str {
        in_lang(lang, &self.name, self.name_zh.as_deref())
    }
}

impl super::results::ExternalResults {
    /// The outside beneficiary's name.
    pub fn label(&self, lang: Lang) -> &str {
        in_lang(lang, &self.name, self.name_zh.as_deref())
    }
}

impl PolicyBacktest {
    /// Where the observation comes from, if the scenario says.
    pub fn source_label(&self, lang: Lang) -> Option<&str> {
        let en = self.source.as_deref()?;
        Some(in_lang(lang, en, self.source_zh.as_deref()))
    }
}

impl VillageInfo {
    pub fn label(&self, lang: Lang) -> &str {
        in_lang(lang, &self.name, self.name_zh.as_deref())
    }

    pub fn township_label(&self, lang: Lang) -> Option<&str> {
        let en = self.township.as_deref()?;
        Some(in_lang(lang, en, self.township_zh.as_deref()))
    }

    pub fn group_label(&self, lang: Lang) -> Option<&str> {
        let en = self.group.as_deref()?;
        Some(in_lang(lang, en, self.group_zh.as_deref()))
    }
}

impl From<&Village> for VillageInfo {
    fn from(v: &Village) -> Self {
        VillageInfo {
            id: v.id.clone(),
            name: v.name.clone(),
            township: v.township.clone(),
            group: v.group.clone(),
            name_zh: v.name_zh.clone(),
            township_zh: v.township_zh.clone(),
            group_zh: v.group_zh.clone(),
        }
    }
}

/// The names of a model's entities, for the terminal (which prints before
/// any results exist).
pub fn policy_label(p: &Policy, lang: Lang) -> &str {
    if lang == Lang::Zh && p.name_zh.is_none() && is_no_intervention(&p.name) {
        return NO_INTERVENTION_ZH;
    }
    in_lang(lang, &p.name, p.name_zh.as_deref())
}

pub fn intervention_label(iv: &Intervention, lang: Lang) -> &str {
    in_lang(lang, &iv.name, iv.name_zh.as_deref())
}

pub fn scenario_label(m: &Model, lang: Lang) -> &str {
    in_lang(lang, &m.name, m.name_zh.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_fall_back_to_english() {
        let v = VillageInfo {
            id: "v1".into(),
            name: "Zhili".into(),
            township: Some("Zhili town".into()),
            group: None,
            name_zh: Some("织里村".into()),
            township_zh: None,
            group_zh: None,
        };
        assert_eq!(v.label(Lang::Zh), "织里村");
        assert_eq!(v.label(Lang::En), "Zhili");
        assert_eq!(v.township_label(Lang::Zh), Some("Zhili town"));
        assert_eq!(v.group_label(Lang::Zh), None);
        assert!(is_no_intervention("No_Intervention"));
        assert_eq!(kind_label("pv_loan", Lang::Zh), "光伏贷");
        assert_eq!(kind_label("cluster_purchase", Lang::Zh), "抱团购置");
        assert_eq!(kind_label("pv_loan", Lang::En), "pv_loan");
        assert_eq!(in_lang(Lang::Zh, "x", Some(" ")), "x");
    }

    #[test]
    fn results_with_an_empty_chinese_name_are_invalid() {
        let text = "[scenario]\nname = \"t\"\nstart_year = 2025\nyears = 2\nruns = 8\n[targets]\nfloor = \"50万\"\n\
                    [[villages]]\nid = \"a\"\ntownship = \"East\"\noperating_income = \"40万\"\n\
                    [[policies]]\nname = \"pv\"\nname_zh = \"光伏\"\n";
        let model = crate::scenario::parse("t.toml", text, std::path::Path::new(".")).unwrap();
        let mut r = crate::model::testing::run(&model);
        assert!(r.check().is_ok());
        assert_eq!(r.policies[1].label(Lang::Zh), "光伏");
        assert_eq!(r.policies[0].label(Lang::Zh), "无干预");
        assert_eq!(r.policy_label("pv", Lang::Zh), "光伏");
        assert_eq!(r.policy_label("pv", Lang::En), "pv");
        r.villages[0].township_zh = Some(" ".into());
        let err = r.check().unwrap_err().to_string();
        assert!(err.contains("villages[0]") && err.contains("township_zh"), "{err}");
        r.villages[0].township_zh = None;
        r.policies[1].name_zh = Some(String::new());
        let err = r.check().unwrap_err().to_string();
        assert!(err.contains("policies[1]") && err.contains("name_zh"), "{err}");
    }
}
