//! Reading `[[villages]]` entries (inline or from a CSV table) and the
//! selectors (`villages = "all"`, ids, filters) that say which villages an
//! intervention reaches.

use super::*;

impl Checker<'_> {
    pub(super) fn villages(&mut self, entries: &[RawVillages], factors: &[Factor], base: &Path) -> Vec<Village> {
        if entries.is_empty() {
            self.fail("villages", "the scenario has no [[villages]]", Some("add villages inline (id = ...), as a group (group = ..., count = ...) or from a CSV file (file = ...)".into()));
        }
        // Count before building: a village is built only once the total is
        // known to fit (files are read with a row cap of what is left).
        let mut total = 0usize;
        for (i, e) in entries.iter().enumerate() {
            let n = match (&e.id, e.count, &e.file) {
                (Some(_), _, _) => 1,
                (None, Some(count), _) => usize::try_from(count).unwrap_or(0).min(MAX_VILLAGES + 1),
                _ => 0,
            };
            total = total.saturating_add(n);
            if total > MAX_VILLAGES {
                let counted: usize = entries
                    .iter()
                    .filter(|e| e.file.is_none())
                    .map(|e| match (&e.id, e.count) {
                        (Some(_), _) => 1,
                        (None, Some(c)) => usize::try_from(c).unwrap_or(0),
                        _ => 0,
                    })
                    .fold(0usize, usize::saturating_add);
                let field = if e.id.is_some() { "id" } else { "count" };
                self.fail(
                    &format!("villages[{i}].{field}"),
                    format!(
                        "the [[villages]] entries hold {} villages in all, more than the {} accepted (this entry passes the limit)",
                        thousands(counted as f64),
                        thousands(MAX_VILLAGES as f64)
                    ),
                    Some("the largest Chinese city has fewer than 10,000 administrative villages (see src/limits.rs)".into()),
                );
                return Vec::new();
            }
        }
        let mut villages = Vec::with_capacity(total);
        for (i, entry) in entries.iter().enumerate() {
            // Rows a villages file may still hold.
            let room = MAX_VILLAGES.saturating_sub(total);
            let before = villages.len();
            self.village_entry(i, entry, factors, base, room, &mut villages);
            if entry.file.is_some() {
                total += villages.len() - before;
            }
        }
        let mut seen = HashSet::with_capacity(villages.len());
        for v in &villages {
            if !seen.insert(v.id.as_str()) {
                let id = v.id.clone();
                self.fail(
                    "villages",
                    format!("duplicate village id `{id}`"),
                    Some("village ids must be unique across all [[villages]] entries and files".into()),
                );
            }
        }
        villages
    }

    /// What every village of one `[[villages]]` entry shares: growth,
    /// loadings, other income, township and group; ids, names and incomes
    /// are filled per village.
    fn village_template(&mut self, path: &str, e: &RawVillages, factors: &[Factor]) -> Village {
        let growth = e.growth.as_ref().map_or(Param::fixed(0.0), |p| {
            self.param(&format!("{path}.growth"), p, Domain::LogGrowth)
        });
        let loadings = self.loadings(&format!("{path}.loadings"), &e.loadings, factors);
        let other = e.other_income.as_ref().map_or(Param::fixed(0.0), |p| {
            self.param(&format!("{path}.other_income"), p, Domain::Money)
        });
        let label = e.group.clone().or(e.id.clone()).or(e.file.clone()).unwrap_or_default();
        Village {
            id: String::new(),
            name: String::new(),
            township: e.township.clone(),
            group: e.group.clone(),
            name_zh: None,
            township_zh: self.text_zh(&format!("{path}.township_zh"), e.township_zh.as_ref()),
            group_zh: self.text_zh(&format!("{path}.group_zh"), e.group_zh.as_ref()),
            entry_key: key_of(&format!("villages:{label}")),
            entry_label: label,
            key: 0,
            operating_income: Param::fixed(0.0),
            other_income: other,
            other_income_growth: e.other_income_growth.as_ref().map_or(Param::fixed(0.0), |p| {
                self.param(&format!("{path}.other_income_growth"), p, Domain::Rate)
            }),
            growth,
            loadings,
        }
    }

    /// The `sheet`, `columns` and `unit` of a ledger entry, checked; None
    /// (with the errors recorded) when one is wrong.
    fn ledger_options(&mut self, path: &str, e: &RawVillages, file: &str) -> Option<crate::scenario::ledger::Options> {
        use crate::scenario::ledger::{Field, Options};
        let mut ok = true;
        if e.sheet.is_some() && !crate::scenario::villages_sheet::is_workbook(file) {
            self.fail(
                &format!("{path}.sheet"),
                format!("`{file}` is not a workbook: `sheet` is for an .xlsx, .xls or .ods file"),
                None,
            );
            ok = false;
        }
        let columns = e.columns.clone().unwrap_or_default();
        for key in columns.keys() {
            if !Field::ALL.iter().any(|f| f.key() == key) {
                let keys = Field::ALL.map(Field::key).join(", ");
                self.fail(
                    &format!("{path}.columns.{key}"),
                    format!("`{key}` is not a column of a village ledger"),
                    Some(format!("expected one of {keys}")),
                );
                ok = false;
            }
        }
        let unit = match e.unit.as_deref().map(Options::parse_unit) {
            Some(Err(m)) => {
                self.fail(&format!("{path}.unit"), m, None);
                ok = false;
                None
            }
            Some(Ok(u)) => Some(u),
            None => None,
        };
        ok.then(|| Options {
            sheet: e.sheet.clone(),
            columns,
            unit,
        })
    }

    fn village_entry(
        &mut self,
        i: usize,
        e: &RawVillages,
        factors: &[Factor],
        base: &Path,
        room: usize,
        out: &mut Vec<Village>,
    ) {
        let path = format!("villages[{i}]");
        let forms = [e.id.is_some(), e.count.is_some(), e.file.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if forms != 1 {
            self.fail(&path, "a [[villages]] entry needs exactly one of `id` (one village), `count` (a group of similar villages) or `file` (a CSV file or a workbook)", None);
            return;
        }
        if e.file.is_none() {
            for (key, given) in [
                ("sheet", e.sheet.is_some()),
                ("columns", e.columns.is_some()),
                ("unit", e.unit.is_some()),
            ] {
                if given {
                    self.fail(
                        &format!("{path}.{key}"),
                        format!("`{key}` goes with `file`, a village ledger"),
                        None,
                    );
                }
            }
        }
        let template = self.village_template(&path, e, factors);
        let name_zh = self.text_zh(&format!("{path}.name_zh"), e.name_zh.as_ref());
        let with_id = |id: String, name: String, income: Param| Village {
            key: key_of(&format!("village:{id}")),
            id,
            name,
            operating_income: income,
            ..template.clone()
        };
        if let Some(file) = &e.file {
            if e.operating_income.is_some() || e.name.is_some() || e.name_zh.is_some() {
                self.fail(
                    &path,
                    "`operating_income`, `name` and `name_zh` come from the CSV file; remove them here",
                    None,
                );
            }
            let Some(options) = self.ledger_options(&path, e, file) else {
                return;
            };
            let path = base.join(file);
            let rows = if crate::scenario::villages_sheet::is_workbook(file) {
                crate::scenario::villages_sheet::read(&path, file, room, &options)
            } else {
                crate::scenario::villages_csv::read(&path, file, room, &options)
            };
            match rows {
                Ok(rows) => out.extend(rows.into_iter().map(|r| Village {
                    group: r.group.or(template.group.clone()),
                    township: r.township.or(template.township.clone()),
                    township_zh: r.township_zh.or(template.township_zh.clone()),
                    name_zh: r.name_zh,
                    other_income: Param::fixed(r.other_income),
                    ..with_id(r.id, r.name, Param::fixed(r.operating_income))
                })),
                Err(err) => self.errors.push(*err),
            }
            return;
        }
        let Some(income) = &e.operating_income else {
            self.fail(
                &path,
                "missing field `operating_income`",
                Some("baseline operating income in yuan, e.g. operating_income = \"22万\" or a distribution".into()),
            );
            return;
        };
        let income = self.param(&format!("{path}.operating_income"), income, Domain::NonNegative);
        if let Some(id) = &e.id {
            out.push(Village {
                name_zh,
                ..with_id(id.clone(), e.name.clone().unwrap_or(id.clone()), income)
            });
            return;
        }
        let count = e.count.unwrap_or(0);
        if !self.int_in(&format!("{path}.count"), count, 1, MAX_VILLAGES as i64) {
            return;
        }
        let Some(group) = &e.group else {
            self.fail(
                &path,
                "a group of villages needs a `group` name",
                Some("e.g. group = \"underdeveloped\"; village ids become underdeveloped-01, -02, ...".into()),
            );
            return;
        };
        let width = count.to_string().len().max(2);
        let prefix = e.name.clone().unwrap_or(group.clone());
        for k in 1..=count {
            out.push(Village {
                name_zh: name_zh.as_ref().map(|zh| format!("{zh} {k:0width$}")),
                ..with_id(
                    format!("{group}-{k:0width$}"),
                    format!("{prefix} {k:0width$}"),
                    income.clone(),
                )
            });
        }
    }

    pub(super) fn selector(&mut self, path: &str, sel: &Option<Selector>, villages: &[Village]) -> Vec<usize> {
        let Some(sel) = sel else {
            self.fail(
                path,
                "missing field `villages`",
                Some("which villages take part: \"all\", a list of ids, or { group = \"...\", count = N }".into()),
            );
            return Vec::new();
        };
        let chosen = match sel {
            Selector::All => (0..villages.len()).collect(),
            Selector::Ids(ids) => self.ids(path, ids, villages),
            Selector::Filter(f) => self.filter(path, f, villages),
        };
        if chosen.is_empty() && self.errors.is_empty() {
            self.fail(
                path,
                "this selects no village",
                Some("check the group, township or ids".into()),
            );
        }
        chosen
    }

    fn ids(&mut self, path: &str, ids: &[String], villages: &[Village]) -> Vec<usize> {
        let mut chosen = Vec::with_capacity(ids.len());
        let mut listed = HashSet::with_capacity(ids.len());
        for (k, id) in ids.iter().enumerate() {
            match self.village_index.get(id).copied() {
                Some(i) if !listed.insert(i) => {
                    self.fail(&format!("{path}[{k}]"), format!("village `{id}` is listed twice"), None)
                }
                Some(i) => chosen.push(i),
                None => {
                    let names: Vec<&str> = if self.full() {
                        Vec::new()
                    } else {
                        villages.iter().map(|v| v.id.as_str()).collect()
                    };
                    let help = match closest(id, &names) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "use the id of a village defined in [[villages]]".into(),
                    };
                    self.fail(
                        &format!("{path}[{k}]"),
                        format!("no village with id `{id}`"),
                        Some(help),
                    );
                }
            }
        }
        chosen
    }

    fn filter(&mut self, path: &str, f: &crate::scenario::file::Filter, villages: &[Village]) -> Vec<usize> {
        let mut chosen: Vec<usize> = (0..villages.len())
            .filter(|&i| f.group.as_ref().is_none_or(|g| g.contains(villages[i].group.as_ref())))
            .filter(|&i| {
                f.township
                    .as_ref()
                    .is_none_or(|t| t.contains(villages[i].township.as_ref()))
            })
            .collect();
        for (key, wanted) in [("group", &f.group), ("township", &f.township)] {
            for w in wanted.iter().flat_map(|names| names.0.iter()) {
                let names: Vec<&str> = villages
                    .iter()
                    .filter_map(|v| {
                        if key == "group" {
                            v.group.as_deref()
                        } else {
                            v.township.as_deref()
                        }
                    })
                    .collect();
                if !names.contains(&w.as_str()) {
                    let mut unique = names.clone();
                    unique.dedup();
                    let help = self.known(&format!("{key}s"), &unique, w);
                    self.fail(
                        &format!("{path}.{key}"),
                        format!("no village has {key} `{w}`"),
                        Some(help),
                    );
                }
            }
        }
        if f.weakest.is_some() && f.count.is_some() {
            self.fail(path, "give `weakest` or `count`, not both", None);
        }
        if let Some(n) = f.weakest.or(f.count) {
            let field = if f.weakest.is_some() { "weakest" } else { "count" };
            if !self.int_in(&format!("{path}.{field}"), n, 1, chosen.len().max(1) as i64) {
                return Vec::new();
            }
            if f.weakest.is_some() {
                chosen.sort_by(|&a, &b| {
                    villages[a]
                        .operating_income
                        .central()
                        .total_cmp(&villages[b].operating_income.central())
                });
            }
            chosen.truncate(n as usize);
            chosen.sort_unstable();
        }
        chosen
    }
}
