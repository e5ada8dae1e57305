//! The Chinese names and descriptions a scenario may give beside the
//! English ones (`name_zh`, `description_zh`, `township_zh`, `group_zh`,
//! `source_zh`): optional, never empty when given.

use super::*;

impl Checker<'_> {
    /// A Chinese text at `path`: refused (and dropped) when it is given but
    /// empty, since an empty name would show as nothing in a report.
    pub(super) fn text_zh(&mut self, path: &str, value: Option<&String>) -> Option<String> {
        let value = value?;
        if value.trim().is_empty() {
            let key = path.rsplit('.').next().unwrap_or(path);
            let en = key.strip_suffix("_zh").unwrap_or(key);
            self.fail(
                path,
                format!("`{key}` is empty"),
                Some(format!(
                    "write the Chinese text, e.g. {key} = \"织里镇\", or remove the key: reports in Chinese then show `{en}`"
                )),
            );
            return None;
        }
        Some(value.trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scenario::parse;

    const HEAD: &str = "[scenario]\nname = \"Wuxing\"\nname_zh = \"吴兴区\"\ndescription = \"d\"\ndescription_zh = \"说明\"\n\
        start_year = 2019\nyears = 2\n[targets]\nfloor = \"50万\"\n[backtest]\nyear = 2020\nsource = \"report\"\nsource_zh = \"报道\"\n\
        [factors.economy]\nname_zh = \"区域经济\"\ndescription_zh = \"全区经济\"\n";
    const REST: &str = "[[villages]]\ngroup = \"weak\"\ngroup_zh = \"薄弱村\"\nname = \"Zhili weak\"\nname_zh = \"织里镇薄弱村\"\n\
        township = \"Zhili\"\ntownship_zh = \"织里镇\"\ncount = 2\noperating_income = \"20万\"\n\
        [[villages]]\nid = \"rb\"\nname = \"River Bend\"\nname_zh = \"河湾村\"\noperating_income = \"60万\"\n\
        [[interventions]]\nid = \"s\"\nkind = \"income_stream\"\nname = \"Stream\"\nname_zh = \"四票增收\"\ndescription_zh = \"说明\"\n\
        villages = \"all\"\nstart_year = 2019\namount = \"1万\"\n\
        [[policies]]\nname = \"stream\"\nname_zh = \"四票\"\ndescription_zh = \"四票增收\"\ninterventions = [\"s\"]\n";

    #[test]
    fn chinese_names_are_read_into_the_model() {
        let m = parse("t.toml", &format!("{HEAD}{REST}"), Path::new(".")).unwrap();
        assert_eq!(m.name_zh.as_deref(), Some("吴兴区"));
        assert_eq!(m.description_zh.as_deref(), Some("说明"));
        assert_eq!(m.backtest.unwrap().source_zh.as_deref(), Some("报道"));
        assert_eq!(m.factors[0].name_zh.as_deref(), Some("区域经济"));
        let v = &m.villages[1];
        assert_eq!(
            (v.name_zh.as_deref(), v.township_zh.as_deref(), v.group_zh.as_deref()),
            (Some("织里镇薄弱村 02"), Some("织里镇"), Some("薄弱村"))
        );
        assert_eq!(m.villages[2].name_zh.as_deref(), Some("河湾村"));
        assert_eq!(m.interventions[0].name_zh.as_deref(), Some("四票增收"));
        assert_eq!(m.policies[0].name_zh.as_deref(), Some("无干预"));
        assert_eq!(m.policies[1].name_zh.as_deref(), Some("四票"));
        assert_eq!(m.policies[1].description_zh.as_deref(), Some("四票增收"));
    }

    #[test]
    fn an_empty_chinese_name_is_a_located_error() {
        let text = format!("{HEAD}{REST}").replace("township_zh = \"织里镇\"", "township_zh = \"  \"");
        let err = parse("t.toml", &text, Path::new(".")).unwrap_err();
        let e = &err.errors[0];
        assert_eq!(e.field.as_deref(), Some("villages[0].township_zh"), "{err:?}");
        assert_eq!(e.message, "`township_zh` is empty");
        assert_eq!((e.line, e.column), (23, 15), "{e:?}");
        assert!(
            e.help
                .as_deref()
                .is_some_and(|h| h.contains("reports in Chinese then show `township`")),
            "{e:?}"
        );
        for (from, field) in [
            ("name_zh = \"吴兴区\"", "scenario.name_zh"),
            ("source_zh = \"报道\"", "backtest.source_zh"),
            ("name_zh = \"区域经济\"", "factors.economy.name_zh"),
            ("name_zh = \"四票增收\"", "interventions[0].name_zh"),
            ("name_zh = \"四票\"", "policies[0].name_zh"),
        ] {
            let key = from.split(" =").next().unwrap();
            let text = format!("{HEAD}{REST}").replace(from, &format!("{key} = \"\""));
            let err = parse("t.toml", &text, Path::new(".")).unwrap_err();
            assert_eq!(err.errors[0].field.as_deref(), Some(field), "{err:?}");
        }
    }

    #[test]
    fn two_policies_with_one_chinese_name_are_refused() {
        let text =
            format!("{HEAD}{REST}[[policies]]\nname = \"stream again\"\nname_zh = \"四票\"\ninterventions = [\"s\"]\n");
        let err = parse("t.toml", &text, Path::new(".")).unwrap_err();
        assert_eq!(err.errors[0].field.as_deref(), Some("policies[1].name_zh"), "{err:?}");
        assert_eq!(err.errors[0].message, "duplicate Chinese policy name `四票`");
    }

    #[test]
    fn a_misspelt_chinese_key_is_refused() {
        let text = format!("{HEAD}{REST}").replace("township_zh", "township_cn");
        let err = parse("t.toml", &text, Path::new(".")).unwrap_err();
        assert!(err.errors[0].message.contains("township_cn"), "{err:?}");
    }
}
