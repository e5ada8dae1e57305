//! `villagesim validate`: check a scenario file and print what would be
//! simulated, in English or Chinese (`--lang`).

use std::path::Path;

use villagesim::engine;
use villagesim::format::{in_lang, Lang};
use villagesim::model::Model;
use villagesim::summary::names;

use super::print::thousands;
use super::CliError;

/// `villagesim validate`.
/// With `threads`, the memory is estimated for that many threads; with
/// `policies`, for a shard of that policy group (the group's tallies and
/// each run's final-year figures, [`villagesim::engine::RunFinals`]).
pub fn validate(file: &Path, lang: Lang, threads: Option<usize>, policies: Option<&str>) -> Result<(), CliError> {
    let (model, _) = super::run::load(file, Default::default(), None, None)?;
    say_raw!("{}", describe(&model, lang));
    if threads == Some(0) {
        return Err(CliError::Usage("--threads 0: give at least one thread".into()));
    }
    let group = policies
        .map(|names| super::groups::policy_group(&model, names))
        .transpose()?;
    let (simulated, finals_bytes) = match &group {
        Some(keep) => (model.with_policies(keep), model.runs * finals_bytes_per_run(keep.len())),
        None => (model.clone(), 0),
    };
    let f = engine::footprint::estimate(&simulated, threads.unwrap_or(0), 0);
    // The outputs are the whole job's, whichever task the memory is for.
    let output_bytes = engine::footprint::estimate(&model, 1, 0).output_bytes;
    let memory = f.memory_bytes + finals_bytes as f64;
    let bytes = engine::footprint::bytes;
    let of_group = |zh: bool| match &group {
        Some(keep) => {
            let names: Vec<&str> = keep
                .iter()
                .map(|&p| {
                    let p = &model.policies[p];
                    if zh {
                        p.name_zh.as_deref().unwrap_or(&p.name)
                    } else {
                        &p.name
                    }
                })
                .collect();
            if zh {
                format!("，策略组 {} 的一个分片", names.join("、"))
            } else {
                format!(" for a shard of the policies {}", names.join(", "))
            }
        }
        None => String::new(),
    };
    let line = match (lang, engine::footprint::available_memory_bytes()) {
        (Lang::En, a) => format!(
            "  estimated peak memory {} on {} threads{}{}; outputs about {}",
            bytes(memory),
            f.threads,
            a.map_or(String::new(), |a| format!(" of {} available", bytes(a))),
            of_group(false),
            bytes(output_bytes)
        ),
        (Lang::Zh, a) => format!(
            "  预计内存峰值 {}（{} 个线程{}{}）；输出约 {}",
            bytes(memory),
            f.threads,
            a.map_or(String::new(), |a| format!("，可用 {}", bytes(a))),
            of_group(true),
            bytes(output_bytes)
        ),
    };
    say!("{line}");
    Ok(())
}

/// Bytes a shard of a group of `policies` policies keeps per run for its
/// final-year figures: a row (run number and vector, 32 bytes), 16 bytes a
/// policy, and the allocator's overhead of the row's vector (16 bytes).
fn finals_bytes_per_run(policies: usize) -> u64 {
    (48 + 16 * policies) as u64
}

/// Most groups `validate` lists one by one.
const MAX_GROUPS_LISTED: usize = 50;

/// What `validate` prints: what would be simulated, with the scenario's
/// names in `lang` (the English name where the file gives no Chinese one).
pub fn describe(model: &Model, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let name = names::scenario_label(model, lang);
    let mut s = if zh {
        format!("{name}：有效\n")
    } else {
        format!("{name}: valid\n")
    };
    let (first, last, base) = (model.start_year, model.final_year(), model.baseline_year());
    s += &if zh {
        format!(
            "  模拟 {} 次，随机种子 {}，{first}–{last} 年（基期 {base} 年），贴现率 {}\n",
            model.runs,
            model.seed,
            rate(model.discount_rate)
        )
    } else {
        format!(
            "  {} runs, seed {}, years {first}..{last} (baseline {base}), discount rate {}\n",
            model.runs,
            model.seed,
            rate(model.discount_rate)
        )
    };
    let (floor, weak) = (thousands(model.floor_yuan), thousands(model.weak_yuan));
    s += &if zh {
        let m = |y| villagesim::format::money_exact(lang, y);
        format!(
            "  目标：收入底线 {}，薄弱线 {}\n",
            m(model.floor_yuan),
            m(model.weak_yuan)
        )
    } else {
        format!("  targets: floor {floor} yuan, weak {weak} yuan\n")
    };
    let n = model.villages.len();
    let baseline: f64 = model.villages.iter().map(|v| v.operating_income.central()).sum();
    let other_yuan: f64 = model.villages.iter().map(|v| v.other_income.central()).sum();
    let (all, each, other) = (
        thousands(baseline),
        thousands(baseline / n.max(1) as f64),
        thousands(other_yuan),
    );
    s += &if zh {
        let m = |y| villagesim::format::money(lang, y);
        format!(
            "  村：{n} 个（基期经营性收入合计 {}，村均 {}；其他收入 {}）\n",
            m(baseline),
            m(baseline / n.max(1) as f64),
            m(other_yuan)
        )
    } else {
        format!("  villages: {n} (baseline operating income {all} yuan in all, {each} per village; other income {other} yuan)\n")
    };
    s += &groups(model, lang);
    for f in &model.factors {
        let label = in_lang(lang, &f.name, f.name_zh.as_deref());
        s += &if zh {
            format!("  共同因子 {label}：持续性 {}\n", f.persistence)
        } else {
            format!("  factor {label}: persistence {}\n", f.persistence)
        };
    }
    s += &if zh {
        format!("  干预措施：{} 项\n", model.interventions.len())
    } else {
        format!("  interventions: {}\n", model.interventions.len())
    };
    for iv in &model.interventions {
        let label = names::intervention_label(iv, lang);
        let kind = names::kind_label(iv.kind.name(), lang);
        let start = iv.start_year;
        let villages = iv.villages.len();
        s += &match (zh, iv.end_year) {
            (false, end) => format!(
                "    {label} ({}, {kind}): {villages} villages, {start}..{}\n",
                iv.id,
                end.map_or("end".into(), |e| e.to_string())
            ),
            (true, Some(end)) => format!("    {label}（{}，{kind}）：{villages} 个村，{start}–{end} 年\n", iv.id),
            (true, None) => format!(
                "    {label}（{}，{kind}）：{villages} 个村，{start} 年起至期末\n",
                iv.id
            ),
        };
        for (key, param) in &iv.by_year {
            s += &by_year(model, key, param, zh);
        }
        for line in iv.kind.years_in_words(iv, lang) {
            s += &format!("      {line}\n");
        }
        s += &roll_out(&iv.joins, zh);
    }
    s += &if zh {
        format!("  政策：{} 项\n", model.policies.len())
    } else {
        format!("  policies: {}\n", model.policies.len())
    };
    let sep = if zh { "、" } else { ", " };
    for p in &model.policies {
        let measures: Vec<&str> = p
            .interventions
            .iter()
            .map(|&i| names::intervention_label(&model.interventions[i], lang))
            .collect();
        let label = names::policy_label(p, lang);
        s += &match (zh, measures.is_empty()) {
            (true, true) => format!("    {label}：（无措施）\n"),
            (true, false) => format!("    {label}：{}\n", measures.join(sep)),
            (false, true) => format!("    {label}: (no measures)\n"),
            (false, false) => format!("    {label}: {}\n", measures.join(sep)),
        };
    }
    s
}

/// One line per group of villages (the group, else the township), in the
/// order first seen, counted through an index (linear in villages); at most
/// [`MAX_GROUPS_LISTED`] lines.
fn groups(model: &Model, lang: Lang) -> String {
    let mut groups: Vec<(String, usize)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for v in &model.villages {
        let g = match (&v.group, &v.township) {
            (Some(g), _) => in_lang(lang, g, v.group_zh.as_deref()).to_string(),
            (None, Some(t)) => in_lang(lang, t, v.township_zh.as_deref()).to_string(),
            (None, None) if lang == Lang::Zh => "（未分组）".into(),
            (None, None) => "(no group)".into(),
        };
        match index.get(&g) {
            Some(&i) => groups[i].1 += 1,
            None => {
                index.insert(g.clone(), groups.len());
                groups.push((g, 1));
            }
        }
    }
    let mut s = String::new();
    for (g, n) in groups.iter().take(MAX_GROUPS_LISTED) {
        s += &if lang == Lang::Zh {
            format!("    {g}：{n} 个\n")
        } else {
            format!("    {g}: {n}\n")
        };
    }
    if groups.len() > MAX_GROUPS_LISTED {
        let more = groups.len() - MAX_GROUPS_LISTED;
        s += &if lang == Lang::Zh {
            format!("    （另有 {more} 组）\n")
        } else {
            format!("    (and {more} more groups)\n")
        };
    }
    s
}

/// A rate as a percentage with at most two decimals: `0.04` is `"4%"`.
/// What each simulated year gets of a parameter given by year: one line,
/// `return_rate_per_year by year (held): 2025 0.06, 2026 0.06, ...`.
fn by_year(model: &Model, key: &str, param: &villagesim::model::param::Param, zh: bool) -> String {
    let Some(schedule) = &param.schedule else {
        return String::new();
    };
    let plain = |x: f64| {
        let t = format!("{x:.6}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let show = |p: &villagesim::model::param::Param| p.as_fixed().map_or(p.to_string(), plain);
    let fixed: Option<Vec<f64>> = schedule.years.iter().map(|(_, p)| p.as_fixed()).collect();
    let years: Vec<String> = (model.start_year..=model.final_year())
        .map(|year| match &fixed {
            Some(v) => format!("{year} {}", plain(schedule.value(year, |k| v[k]))),
            None => format!("{year} {}", schedule.describe(year, show)),
        })
        .collect();
    let how = match (zh, schedule.between) {
        (false, villagesim::model::param::Between::Hold) => "held until the next year given",
        (false, villagesim::model::param::Between::Linear) => "interpolated between the years given",
        (true, villagesim::model::param::Between::Hold) => "保持至下一个给定年份",
        (true, villagesim::model::param::Between::Linear) => "在给定年份之间线性插值",
    };
    if zh {
        format!("      {key} 按年取值（{how}）：{}\n", years.join("，"))
    } else {
        format!("      {key} by year ({how}): {}\n", years.join(", "))
    }
}

/// A staggered roll-out: the villages joining each year and the total.
fn roll_out(joins: &[i32], zh: bool) -> String {
    if joins.is_empty() {
        return String::new();
    }
    let mut by_year = std::collections::BTreeMap::new();
    for &year in joins {
        *by_year.entry(year).or_insert(0usize) += 1;
    }
    let mut total = 0;
    let steps: Vec<String> = by_year
        .iter()
        .map(|(year, n)| {
            total += n;
            if zh {
                format!("{year} 年 {n} 个村（累计 {total}）")
            } else {
                format!("{year} {n} (in all {total})")
            }
        })
        .collect();
    if zh {
        format!("      分批推开，新加入的村：{}\n", steps.join("，"))
    } else {
        format!("      roll-out, villages joining: {}\n", steps.join(", "))
    }
}

fn rate(r: f64) -> String {
    let t = format!("{:.2}", 100.0 * r);
    format!("{}%", t.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str =
        "[scenario]\nname = \"Test county\"\nname_zh = \"测试县\"\nstart_year = 2025\nyears = 3\nruns = 8\n\
        discount_rate = \"3.5%\"\n[targets]\nfloor = \"50万\"\nweak = \"30万\"\n\
        [[villages]]\ngroup = \"weak\"\ngroup_zh = \"薄弱村\"\ncount = 2\noperating_income = \"20万\"\n\
        [[villages]]\nid = \"e1\"\ntownship = \"East\"\ntownship_zh = \"东镇\"\noperating_income = \"80万\"\n\
        [[interventions]]\nid = \"stream\"\nkind = \"income_stream\"\nname = \"Rent\"\nname_zh = \"租金\"\n\
        villages = { group = \"weak\" }\nstart_year = 2026\nend_year = 2027\namount = \"5万\"\n\
        [[policies]]\nname = \"rent\"\nname_zh = \"出租\"\ninterventions = [\"stream\"]\n";

    fn model() -> Model {
        villagesim::scenario::parse("t.toml", FILE, Path::new(".")).unwrap()
    }

    #[test]
    fn describes_the_scenario_in_english() {
        let s = describe(&model(), Lang::En);
        assert!(s.starts_with("Test county: valid\n"), "{s}");
        assert!(s.contains("8 runs, seed"), "{s}");
        assert!(s.contains("discount rate 3.5%"), "{s}");
        assert!(s.contains("targets: floor 500,000 yuan, weak 300,000 yuan"), "{s}");
        assert!(
            s.contains("villages: 3 (baseline operating income 1,200,000 yuan in all, 400,000 per village"),
            "{s}"
        );
        assert!(s.contains("    weak: 2\n    East: 1\n"), "{s}");
        assert!(
            s.contains("    Rent (stream, income_stream): 2 villages, 2026..2027\n"),
            "{s}"
        );
        assert!(
            s.contains("    no intervention: (no measures)\n    rent: Rent\n"),
            "{s}"
        );
    }

    #[test]
    fn describes_the_scenario_in_chinese_with_its_chinese_names() {
        let s = describe(&model(), Lang::Zh);
        assert!(s.starts_with("测试县：有效\n"), "{s}");
        assert!(s.contains("模拟 8 次"), "{s}");
        assert!(s.contains("贴现率 3.5%"), "{s}");
        assert!(s.contains("目标：收入底线 50万元，薄弱线 30万元"), "{s}");
        assert!(s.contains("村：3 个（基期经营性收入合计 120万元，村均 40万元"), "{s}");
        assert!(s.contains("    薄弱村：2 个\n    东镇：1 个\n"), "{s}");
        assert!(
            s.contains("    租金（stream，其他收入）：2 个村，2026–2027 年\n"),
            "{s}"
        );
        assert!(s.contains("    无干预：（无措施）\n    出租：租金\n"), "{s}");
        // No English word but the intervention's id.
        let words: Vec<&str> = s
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty() && *w != "stream")
            .collect();
        assert!(words.is_empty(), "English in the Chinese description: {words:?}\n{s}");
    }
}
