//! `villagesim validate`: check a scenario file and print what would be
//! simulated.

use std::path::Path;

use villagesim::engine;
use villagesim::model::Model;

use super::print::thousands;
use super::CliError;

/// `villagesim validate`.
pub fn validate(file: &Path) -> Result<(), CliError> {
    let (model, _) = super::run::load(file, Default::default(), None, None)?;
    say_raw!("{}", describe(&model));
    let f = engine::footprint::estimate(&model, 0, 0);
    let available = engine::footprint::available_memory_bytes().map_or(String::new(), |a| {
        format!(" of {} available", engine::footprint::bytes(a))
    });
    say!(
        "  estimated peak memory {} on {} threads{available}; outputs about {}",
        engine::footprint::bytes(f.memory_bytes),
        f.threads,
        engine::footprint::bytes(f.output_bytes)
    );
    Ok(())
}

/// What `validate` prints: what would be simulated.
pub fn describe(model: &Model) -> String {
    let mut s = format!("{}: valid\n", model.name);
    s += &format!(
        "  {} runs, seed {}, years {}..{} (baseline {}), discount rate {}\n",
        model.runs,
        model.seed,
        model.start_year,
        model.final_year(),
        model.baseline_year(),
        model.discount_rate
    );
    s += &format!(
        "  targets: floor {} yuan, weak {} yuan\n",
        thousands(model.floor_yuan),
        thousands(model.weak_yuan)
    );
    let baseline: f64 = model.villages.iter().map(|v| v.operating_income.central()).sum();
    let other: f64 = model.villages.iter().map(|v| v.other_income.central()).sum();
    s += &format!(
        "  villages: {} (baseline operating income {} yuan in all, {} per village; other income {} yuan)\n",
        model.villages.len(),
        thousands(baseline),
        thousands(baseline / model.villages.len().max(1) as f64),
        thousands(other)
    );
    // Groups in the order first seen, counted through an index (linear in
    // villages); at most MAX_GROUPS_LISTED lines.
    const MAX_GROUPS_LISTED: usize = 50;
    let mut groups: Vec<(String, usize)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for v in &model.villages {
        let g = v.group.clone().or(v.township.clone()).unwrap_or("(no group)".into());
        match index.get(&g) {
            Some(&i) => groups[i].1 += 1,
            None => {
                index.insert(g.clone(), groups.len());
                groups.push((g, 1));
            }
        }
    }
    for (g, n) in groups.iter().take(MAX_GROUPS_LISTED) {
        s += &format!("    {g}: {n}\n");
    }
    if groups.len() > MAX_GROUPS_LISTED {
        s += &format!("    (and {} more groups)\n", groups.len() - MAX_GROUPS_LISTED);
    }
    for f in &model.factors {
        s += &format!("  factor {}: persistence {}\n", f.name, f.persistence);
    }
    s += &format!("  interventions: {}\n", model.interventions.len());
    for iv in &model.interventions {
        let end = iv.end_year.map_or("end".into(), |e| e.to_string());
        s += &format!(
            "    {} ({}): {} villages, {}..{}\n",
            iv.id,
            iv.kind.name(),
            iv.villages.len(),
            iv.start_year,
            end
        );
    }
    s += &format!("  policies: {}\n", model.policies.len());
    for p in &model.policies {
        let ids: Vec<&str> = p
            .interventions
            .iter()
            .map(|&i| model.interventions[i].id.as_str())
            .collect();
        s += &format!("    {}: [{}]\n", p.name, ids.join(", "));
    }
    s
}
