//! Reading one `[[interventions]]` entry: its common keys here, its
//! kind's own keys through the kind's `build` with a [`KindChecker`].

use super::*;

impl Checker<'_> {
    /// Every intervention, built in file order. Village-intervention pairs
    /// are counted as they are built, so a file cannot make validation hold
    /// billions of them.
    pub(super) fn interventions(
        &mut self,
        raw: Vec<RawIntervention>,
        villages: &[Village],
        factors: &[Factor],
        start_year: i32,
        years: usize,
    ) -> Vec<Intervention> {
        let mut participations = 0usize;
        let mut built = Vec::new();
        for (i, raw) in raw.into_iter().enumerate() {
            let Some(iv) = self.intervention(i, raw, villages, factors, start_year, years) else {
                continue;
            };
            participations += iv.villages.len() + iv.external.len();
            if participations > MAX_PARTICIPATIONS {
                self.fail(
                &format!("interventions[{i}].villages"),
                format!(
                    "the interventions up to this one take part in {} village-intervention pairs, more than the {} supported",
                    thousands(participations as f64),
                    thousands(MAX_PARTICIPATIONS as f64)
                ),
                Some("each pair is simulated every year of every run: select fewer villages per intervention, or split the scenario".into()),
            );
                break;
            }
            built.push(iv);
        }
        built
    }

    pub(super) fn intervention(
        &mut self,
        i: usize,
        raw: RawIntervention,
        villages: &[Village],
        factors: &[Factor],
        start_year: i32,
        years: usize,
    ) -> Option<Intervention> {
        let path = format!("interventions[{i}]");
        let c = &raw.common;
        // `villages` may be left out only by an intervention whose
        // beneficiaries all lie outside the simulated villages (checked once
        // the kind is built).
        let (chosen, joins) = match (&c.villages, &c.roll_out) {
            (None, None) => (Vec::new(), Vec::new()),
            (given, None) => (self.selector(&format!("{path}.villages"), given, villages), Vec::new()),
            (Some(_), Some(_)) => {
                self.fail(
                    &format!("{path}.roll_out"),
                    "give `villages` or `roll_out`, not both",
                    Some("roll_out names the villages joining each year, e.g. roll_out = { 2025 = [\"a\", \"b\"], 2027 = \"all\" } (\"all\": the villages not yet joined)".into()),
                );
                (Vec::new(), Vec::new())
            }
            (None, Some(plan)) => self.roll_out(&format!("{path}.roll_out"), plan, c.start_year, villages),
        };
        let end_of_horizon = start_year + years as i32 - 1;
        let first = c
            .start_year
            .or(joins.iter().min().map(|&y| i64::from(y)))
            .unwrap_or(start_year as i64);
        self.int_in(&format!("{path}.start_year"), first, 1900, 2200);
        if let Some(end) = c.end_year {
            if !(1900..=2200).contains(&end) {
                self.int_in(&format!("{path}.end_year"), end, 1900, 2200);
            } else if end < first {
                self.fail(
                    &format!("{path}.end_year"),
                    format!("end_year {end} is before start_year {first}"),
                    None,
                );
            }
        }
        let _ = end_of_horizon;
        let clamp_year = |y: i64| y.clamp(1900, 2200) as i32;
        let scope = model::Scope {
            villages,
            participants: &chosen,
            factors,
            start_year,
            years,
            measure_years: (clamp_year(first), c.end_year.map(clamp_year)),
        };
        let mut check = KindChecker {
            checker: self,
            prefix: path.clone(),
            own: &raw.own,
            factors,
            by_year: Vec::new(),
        };
        let built = model::build_kind(&c.kind, scope, &mut check);
        let by_year = std::mem::take(&mut check.by_year);
        let has_externals = matches!(&built, Some(Some(k)) if !k.external_beneficiaries().is_empty());
        if let (Some(Some(kind)), Some(_)) = (&built, &c.roll_out) {
            if let Some(reason) = kind.no_roll_out() {
                self.fail(
                    &format!("{path}.roll_out"),
                    format!("a {} cannot reach its villages year by year: {reason}", c.kind),
                    None,
                );
            }
        }
        if c.villages.is_none() && c.roll_out.is_none() && !has_externals && built.is_some() {
            self.selector(&format!("{path}.villages"), &None, villages);
        }
        let kind = match built {
            Some(kind) => kind?,
            None => {
                let kinds = model::kinds();
                let help = match closest(&c.kind, &kinds) {
                    Some(k) => format!("did you mean `{k}`? known kinds: {}", kinds.join(", ")),
                    None => format!("known kinds: {}", kinds.join(", ")),
                };
                self.fail(
                    &format!("{path}.kind"),
                    format!("unknown kind `{}`", c.kind),
                    Some(help),
                );
                return None;
            }
        };
        self.text_zh(&format!("{path}.description_zh"), c.description_zh.as_ref());
        Some(Intervention {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or(c.id.clone()),
            name_zh: self.text_zh(&format!("{path}.name_zh"), c.name_zh.as_ref()),
            key: key_of(&format!("intervention:{}", c.id)),
            external: kind.external_beneficiaries(),
            villages: chosen,
            start_year: clamp_year(first),
            end_year: c.end_year.map(clamp_year),
            kind,
            forced_failure_year: None,
            by_year,
            joins,
        })
    }

    /// The villages of a roll-out and the year each joins: each year's
    /// selector, in increasing years, adds the villages it selects that have
    /// not joined before. Years lie from `start_year` (if given) to 2200.
    fn roll_out(
        &mut self,
        path: &str,
        plan: &std::collections::BTreeMap<String, Selector>,
        start_year: Option<i64>,
        villages: &[Village],
    ) -> (Vec<usize>, Vec<i32>) {
        let example = "e.g. roll_out = { 2025 = [\"a\", \"b\"], 2027 = \"all\" }";
        let mut joined: Vec<(usize, i32)> = Vec::new();
        let mut seen = vec![false; villages.len()];
        for (key, selector) in plan {
            let year = key.parse::<i64>().ok().filter(|_| key.len() == 4);
            let Some(year) = year.filter(|y| (1900..=2200).contains(y) && start_year.is_none_or(|s| *y >= s)) else {
                let after = start_year.map_or(String::new(), |s| format!(", from start_year ({s})"));
                self.fail(
                    path,
                    format!("`{key}` is not a year of joining: expected a year such as 2026{after}"),
                    Some(example.into()),
                );
                return (Vec::new(), Vec::new());
            };
            let chosen = self.selector(&format!("{path}.{key}"), &Some(selector.clone()), villages);
            for v in chosen {
                if !std::mem::replace(&mut seen[v], true) {
                    joined.push((v, year as i32));
                }
            }
        }
        if joined.is_empty() {
            self.fail(path, "the roll-out reaches no village", Some(example.into()));
        }
        joined.sort();
        joined.into_iter().unzip()
    }
}

/// The located checks a kind's `build` runs (see [`model::Check`]): field
/// names are relative to the intervention, whose keys are in `own`.
struct KindChecker<'c, 's> {
    checker: &'c mut Checker<'s>,
    prefix: String,
    own: &'c Spanned<DeValue<'c>>,
    factors: &'c [Factor],
    /// The fields given by year, as checked.
    by_year: Vec<(String, Param)>,
}

impl KindChecker<'_, '_> {
    fn path(&self, field: &str) -> String {
        format!("{}.{field}", self.prefix)
    }
}

impl model::Check for KindChecker<'_, '_> {
    fn spec<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        T::deserialize(ValueDeserializer::from(self.own.clone()))
            .map_err(|e| {
                let mut err = self.checker.source.from_toml(&e);
                if err.message.starts_with("unknown field") {
                    err.message
                        .push_str(&format!(", or a common key ({})", COMMON_KEYS.join(", ")));
                }
                self.checker.errors.push(err)
            })
            .ok()
    }

    fn fail(&mut self, field: &str, message: String, help: Option<String>) {
        let path = self.path(field);
        self.checker.fail(&path, message, help);
    }

    fn param(&mut self, field: &str, param: &Param, domain: Domain) -> Param {
        let path = self.path(field);
        self.checker.param(&path, param, domain)
    }

    fn as_read(&self, param: &Param) -> Param {
        self.checker.as_read(param)
    }

    fn int_in(&mut self, field: &str, value: i64, lo: i64, hi: i64) -> bool {
        let path = self.path(field);
        self.checker.int_in(&path, value, lo, hi)
    }

    fn loadings(&mut self, field: &str, raw: &BTreeMap<String, Num>) -> Vec<(usize, f64)> {
        let path = self.path(field);
        self.checker.loadings(&path, raw, self.factors)
    }

    fn factor(&mut self, field: &str, name: &str) -> Option<usize> {
        let found = self.factors.iter().position(|f| f.name == name);
        if found.is_none() {
            let names: Vec<&str> = self.factors.iter().map(|f| f.name.as_str()).collect();
            let help = self.checker.known("factors", &names, name);
            self.fail(field, format!("no factor named `{name}`"), Some(help));
        }
        found
    }

    fn has_village(&self, id: &str) -> bool {
        self.checker.village_index.contains_key(id)
    }

    fn by_year(&mut self, field: &str, param: &Param) {
        self.by_year.push((field.to_string(), param.clone()));
    }
}
