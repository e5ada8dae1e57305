//! A value's path in a scenario file (`interventions.support-fund.return_rate_per_year`,
//! `villages.weak.growth`, `targets.floor`) in words for a chart or a table,
//! in English or Chinese: "Support fund: return rate per year",
//! "消薄基金的年回报率". The parameters' words come from their records
//! (`label`, `label_zh` in `src/model/kinds/*.toml`, `accounting.toml`,
//! `finance/credit.toml`); the entities' names from the results.

use super::results::Results;
use crate::format::Lang;
use crate::model::param::PARAM_KEYS;

/// The words of scenario path `path` in `lang`; a path the function does
/// not know keeps its keys, with `_` read as spaces.
pub fn path_words(r: &Results, path: &str, lang: Lang) -> String {
    let steps = steps(path);
    // Keys under a distribution table (`growth.mean`) are the parameter's.
    let mut keys: Vec<&str> = steps.iter().map(String::as_str).collect();
    while keys.len() > 1
        && keys
            .last()
            .is_some_and(|k| PARAM_KEYS.contains(k) || *k == "min" || *k == "max" || *k == "per")
    {
        keys.pop();
    }
    let join = |entity: &str, what: &str| match lang {
        Lang::En => format!("{entity}: {what}"),
        Lang::Zh => format!("{entity}的{what}"),
    };
    match keys.as_slice() {
        ["scenario", key] => fixed(key, lang),
        ["targets", key] => fixed(&format!("targets.{key}"), lang),
        ["accounting", key] => record(crate::model::accounts::doc().params, key, lang),
        ["factors", name, rest @ ..] => {
            let name = r.factor_label(name, lang);
            let what = rest
                .last()
                .map_or_else(String::new, |k| fixed(&format!("factors.{k}"), lang));
            match lang {
                Lang::En => format!("{what} of factor {name}"),
                Lang::Zh => format!("{name}因子的{what}"),
            }
        }
        ["villages", entity, rest @ ..] => {
            let label = r
                .villages
                .iter()
                .find(|v| v.group.as_deref() == Some(entity))
                .and_then(|v| v.group_label(lang))
                .or_else(|| r.villages.iter().find(|v| v.id == *entity).map(|v| v.label(lang)))
                .map_or_else(|| index_or(entity, lang, "village", "村"), str::to_string);
            if rest.is_empty() {
                return label;
            }
            join(&label, &village_key(rest, lang))
        }
        ["interventions", entity, rest @ ..] => intervention(r, entity, rest, lang, join),
        [entity, rest @ ..] if !rest.is_empty() => intervention(r, entity, rest, lang, join),
        _ => plain(path),
    }
}

/// `a.b[2]."c.d"` as its keys: `a`, `b`, `2`, `c.d`.
fn steps(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in path.trim().chars() {
        match c {
            '"' => quoted = !quoted,
            '.' | '[' | ']' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn plain(key: &str) -> String {
    key.replace('_', " ")
}

/// An entry named by position (`interventions[1]`): "intervention 2".
fn index_or(entity: &str, lang: Lang, en: &str, zh: &str) -> String {
    match (entity.parse::<usize>(), lang) {
        (Ok(i), Lang::En) => format!("{en} {}", i + 1),
        (Ok(i), Lang::Zh) => format!("第 {} 项{zh}", i + 1),
        (Err(_), _) => entity.to_string(),
    }
}

fn intervention(r: &Results, id: &str, rest: &[&str], lang: Lang, join: impl Fn(&str, &str) -> String) -> String {
    let found = r.policies.iter().flat_map(|p| &p.appraisals).find(|a| a.id == id);
    let entity = found.map_or_else(
        || index_or(id, lang, "intervention", "措施"),
        |a| a.label(lang).to_string(),
    );
    let docs = crate::model::docs();
    let params = found
        .and_then(|a| docs.iter().find(|d| d.kind == a.kind))
        .map(|d| d.params);
    let what = match rest {
        ["credit", key, ..] => record(crate::model::finance::credit::doc().params, key, lang),
        [key, ..] if COMMON.contains(key) => fixed(&format!("interventions.{key}"), lang),
        [key, ..] => match params {
            Some(params) => record(params, key, lang),
            None => plain(key),
        },
        [] => return entity,
    };
    join(&entity, &what)
}

/// A parameter's words from its records; its key when it has none.
fn record(params: &[crate::model::params::ParamSpec], key: &str, lang: Lang) -> String {
    params
        .iter()
        .find(|p| p.name == key)
        .map_or_else(|| plain(key), |p| p.label(lang).to_string())
}

fn village_key(rest: &[&str], lang: Lang) -> String {
    match rest {
        ["loadings", factor, ..] => match lang {
            Lang::En => format!("loading on {factor}"),
            Lang::Zh => format!("{factor}因子载荷"),
        },
        [key, ..] => fixed(&format!("villages.{key}"), lang),
        [] => String::new(),
    }
}

/// Keys every intervention has, whatever its kind.
const COMMON: [&str; 4] = ["villages", "start_year", "end_year", "description"];

/// The keys of the scenario format itself.
fn fixed(key: &str, lang: Lang) -> String {
    let (en, zh) = match key {
        "years" => ("years simulated", "模拟年数"),
        "start_year" => ("first year", "起始年份"),
        "runs" => ("runs", "模拟次数"),
        "seed" => ("seed", "随机种子"),
        "discount_rate" => ("discount rate", "贴现率"),
        "targets.floor" => ("income floor", "收入底线"),
        "targets.weak" => ("weak-village line", "薄弱村标准"),
        "targets.year" => ("target year", "目标年份"),
        "targets.budget" => ("budget", "预算"),
        "factors.persistence" => ("persistence", "持续性"),
        "villages.operating_income" => ("baseline operating income", "基期经营性收入"),
        "villages.other_income" => ("other income", "其他收入"),
        "villages.growth" => ("organic growth", "自然增长率"),
        "villages.other_income_growth" => ("growth of other income", "其他收入增长率"),
        "villages.count" => ("number of villages", "村数"),
        "villages.loadings" => ("loadings on common factors", "共同因子载荷"),
        "interventions.villages" => ("villages taking part", "参与村"),
        "interventions.start_year" => ("first year", "起始年份"),
        "interventions.end_year" => ("last year", "结束年份"),
        "interventions.description" => ("description", "说明"),
        _ => return plain(key.rsplit('.').next().unwrap_or(key)),
    };
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::results::InterventionResults;

    #[test]
    fn paths_read_as_words() {
        let mut r = crate::charts::tests::sample_results();
        let stat = crate::charts::tests::stat(0.0, 0.0);
        let a: InterventionResults = serde_json::from_value(serde_json::json!({
            "id": "support-fund", "name": "Support fund", "name_zh": "消薄基金", "kind": "support_fund",
            "villages": 2, "assumption": false, "npv_yuan": stat, "irr": null, "irr_defined_share": 0.0,
            "public_money_yuan": stat, "public_money_pv_yuan": stat, "min_dscr": null,
            "negative_cash_years": stat, "p_failure": stat, "years": [], "external": [],
        }))
        .expect("InterventionResults");
        r.policies[1].appraisals.push(a);
        let w = |p: &str, lang| path_words(&r, p, lang);
        assert_eq!(
            w("interventions.support-fund.return_rate_per_year", Lang::En),
            "Support fund: return rate per year"
        );
        assert_eq!(
            w("interventions.support-fund.return_rate_per_year", Lang::Zh),
            "消薄基金的年回报率"
        );
        assert_eq!(
            w("support-fund.return_rate_per_year.mean", Lang::Zh),
            "消薄基金的年回报率"
        );
        assert_eq!(
            w("interventions[support-fund].credit.reserve_yuan", Lang::Zh),
            "消薄基金的风险准备金"
        );
        assert_eq!(w("targets.floor", Lang::Zh), "收入底线");
        assert_eq!(w("accounting.income_tax_rate", Lang::Zh), "所得税税率");
        assert_eq!(w("interventions[3].amount", Lang::Zh), "第 4 项措施的amount");
        assert_eq!(
            w("interventions[support-fund].start_year", Lang::Zh),
            "消薄基金的起始年份"
        );
        assert_eq!(w("interventions[support-fund]", Lang::Zh), "消薄基金");
        assert_eq!(
            w("factors.economy.persistence", Lang::En),
            "persistence of factor economy"
        );
    }
}
