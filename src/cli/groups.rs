//! `villagesim run --shard I/K --policies A,B` and the merge of policy
//! groups: a job split by policy as well as by run.
//!
//! A shard of a group simulates the reference policy (policy 0, "no
//! intervention") and the group's policies, and keeps each run's final-year
//! figures of them ([`villagesim::engine::RunFinals`]). `merge` merges each
//! group's shards over the runs as usual, then puts the groups together
//! ([`Partial::assemble`]): each policy's aggregates as its group made
//! them, every pair of policies measured again run by run, so that a pair
//! across two groups is as paired as in one run.

use std::path::PathBuf;

use villagesim::engine::Partial;
use villagesim::model::Model;
use villagesim::shard::{self, ShardHeader};

use super::shard::{check_runs, shard_error};
use super::CliError;

/// Shard files with their headers.
type Shards = Vec<(PathBuf, ShardHeader)>;

/// The policies of `--policies NAMES` in `model`: policy 0 first, then the
/// named ones in the scenario's order.
///
/// # Errors
///
/// [`CliError::Usage`] naming an unknown policy (with the valid names) or
/// an empty list.
pub fn policy_group(model: &Model, names: &str) -> Result<Vec<usize>, CliError> {
    let all: Vec<&str> = model.policies.iter().map(|p| p.name.as_str()).collect();
    let mut keep = vec![0];
    for name in names.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(CliError::Usage(format!(
                "--policies {names}: an empty name; write policy names separated by commas, from: {}",
                all.join(", ")
            )));
        }
        let p = all.iter().position(|n| *n == name).ok_or_else(|| {
            CliError::Usage(format!(
                "--policies {names}: no policy named \"{name}\"; the policies are: {}",
                all.join(", ")
            ))
        })?;
        keep.push(p);
    }
    keep.sort_unstable();
    keep.dedup();
    Ok(keep)
}

/// The part of a shard's file name that tells its group: `policies-1-3`
/// (the indices of the group's policies beyond the reference; `policies-0`
/// for the reference alone), so shards of different groups do not collide.
pub fn file_tag(keep: &[usize]) -> String {
    let shown: Vec<String> = match keep {
        [0] => vec!["0".into()],
        _ => keep.iter().filter(|&&p| p != 0).map(usize::to_string).collect(),
    };
    format!("policies-{}", shown.join("-"))
}

/// Merges shards of policy groups (`headers`, of one job) into the partial
/// of the whole job; with `shard_out`, the shards of a single group may
/// also be merged over their runs alone (to merge in a tree), keeping the
/// group. Returns the partial and its group (empty: every policy).
///
/// # Errors
///
/// [`CliError::Usage`] when shards of every policy are mixed with shards of
/// groups, a policy is in two groups or in none, a group's runs are not
/// complete (or overlap), or the groups cannot be put together.
pub fn merge_groups(
    headers: &[(PathBuf, ShardHeader)],
    model: &Model,
    shard_out: bool,
) -> Result<(Partial, Vec<String>), CliError> {
    if let Some((whole, _)) = headers.iter().find(|(_, h)| h.group.is_empty()) {
        let (part, _) = headers
            .iter()
            .find(|(_, h)| !h.group.is_empty())
            .expect("called with a group");
        return Err(CliError::Usage(format!(
            "{} holds every policy and {} a group of them (--policies): merge shards of one kind, groups with groups",
            whole.display(),
            part.display()
        )));
    }
    // The groups, in the order first met, each with its shards.
    let mut groups: Vec<(Vec<String>, Shards)> = Vec::new();
    for (path, header) in headers {
        match groups.iter_mut().find(|(g, _)| *g == header.group) {
            Some((_, members)) => members.push((path.clone(), header.clone())),
            None => groups.push((header.group.clone(), vec![(path.clone(), header.clone())])),
        }
    }
    let index = |name: &str| model.policies.iter().position(|p| p.name == name);
    let mut indexed: Vec<Vec<usize>> = Vec::new();
    let mut holder: Vec<Option<&PathBuf>> = vec![None; model.policies.len()];
    for (group, members) in &groups {
        let mut indices = Vec::new();
        for name in group {
            let p = index(name).ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: its group names policy \"{name}\", which the scenario does not have",
                    members[0].0.display()
                ))
            })?;
            if p != 0 {
                if let Some(other) = holder[p] {
                    return Err(CliError::Usage(format!(
                        "policy \"{name}\" is in two groups: {} and {}; give each policy to one group",
                        other.display(),
                        members[0].0.display()
                    )));
                }
                holder[p] = Some(&members[0].0);
            }
            indices.push(p);
        }
        indexed.push(indices);
    }
    let tree = shard_out && groups.len() == 1;
    let missing: Vec<&str> = (1..model.policies.len())
        .filter(|&p| holder[p].is_none())
        .map(|p| model.policies[p].name.as_str())
        .collect();
    if !missing.is_empty() && !tree {
        return Err(CliError::Usage(format!(
            "no shard holds {}: run {} with --policies {}, or give those shards",
            missing
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", "),
            if missing.len() == 1 { "it" } else { "them" },
            missing.join(",")
        )));
    }
    let job_runs = headers[0].1.job_runs;
    let mut merged: Vec<(Vec<usize>, Partial)> = Vec::new();
    for ((_, members), indices) in groups.iter().zip(indexed) {
        check_runs(members, (!tree).then_some(job_runs))?;
        let mut total: Option<Partial> = None;
        for (path, _) in members {
            let partial = shard::read(path).and_then(shard::Shard::partial).map_err(shard_error)?;
            if !partial.keeps_finals() {
                return Err(CliError::Usage(format!(
                    "{}: a shard of a group without the runs' final-year figures; run it again",
                    path.display()
                )));
            }
            match &mut total {
                None => total = Some(partial),
                Some(t) => t.merge(partial),
            }
        }
        merged.push((indices, total.expect("every group has a shard")));
    }
    if tree && !missing.is_empty() {
        let (_, partial) = merged.pop().expect("one group");
        return Ok((partial, groups.swap_remove(0).0));
    }
    let whole = Partial::assemble(model, merged)
        .map_err(|e| CliError::Usage(format!("the policy groups cannot be put together: {e}")))?;
    Ok((whole, Vec::new()))
}
