//! The cluster recipes of `docs/cluster.md`, on a real scheduler.
//!
//! - `docs/cluster.md` shows every file of `docs/cluster/` verbatim, so the
//!   doc and the files cannot drift apart.
//! - The commands of the Kubernetes and HTCondor recipes, run here one
//!   after the other as their scheduler would run them (with its
//!   `JOB_COMPLETION_INDEX` or `$(Process)`), make the outputs of one run.
//! - On a one-node Slurm cluster started for the test (`slurm/cluster.rs`),
//!   `docs/cluster/slurm-submit.sh` submits a bundled scenario as a job
//!   array of 4 shards and a merge job that waits for them
//!   (`--dependency=afterok`); the merged outputs must equal, byte for byte
//!   and file for file, those of one `villagesim run` of the same scenario,
//!   runs and seed (`manifest.json` aside: timing and host).
//!
//! The second test needs Slurm and munge (Debian's `slurm-wlm` and `munge`)
//! and root, to run the daemons: where they are absent it says so and
//! skips, unless `VILLAGESIM_REQUIRE_SLURM=1` (set by `.ci/run`, which
//! installs them), when their absence fails it. It builds nothing: the jobs
//! run the binary Cargo built for the tests. About 15 s.

#[path = "slurm/cluster.rs"]
mod cluster;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cluster::Cluster;

/// The scenario, shards, runs (not a multiple of the shards, so that they
/// hold unequal shares) and seed of the Slurm test.
const SCENARIO: &str = "scenarios/quickstart.toml";
const SHARDS: &str = "4";
const RUNS: &str = "301";
const SEED: &str = "7";
/// How long the array and the merge may take together.
const JOBS_DEADLINE: Duration = Duration::from_secs(120);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_cluster_doc_shows_every_recipe_file_verbatim() {
    let doc = std::fs::read_to_string(root().join("docs/cluster.md")).expect("docs/cluster.md");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("docs/cluster"))
        .expect("docs/cluster/")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "recipes in docs/cluster/: {files:?}");
    for file in files {
        let name = format!("docs/cluster/{}", file.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(doc.contains(&name), "docs/cluster.md never names {name}");
        assert!(
            doc.contains(&format!("\n{text}```\n")),
            "docs/cluster.md does not show {name} as it is: copy the file's text into its code block"
        );
    }
}

#[test]
fn a_slurm_job_array_and_its_merge_give_the_outputs_of_one_run() {
    let Some(tools) = cluster::tools_or_skip() else {
        return;
    };
    let started = Instant::now();
    let mut cluster = Cluster::start(tools);
    let bin = Path::new(env!("CARGO_BIN_EXE_villagesim"));
    let work = cluster.dir().join("work");
    std::fs::create_dir(&work).unwrap();
    let (out, scenario) = (work.join("out"), root().join(SCENARIO));

    // The one command a user runs, with the test's binary first on the
    // PATH the jobs inherit.
    let submit = root().join("docs/cluster/slurm-submit.sh");
    let path = std::env::join_paths(
        std::iter::once(bin.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let mut cmd = cluster.command(submit.to_str().unwrap());
    cmd.arg(&scenario)
        .args([SHARDS, out.to_str().unwrap(), "--runs", RUNS, "--seed", SEED])
        .env("PATH", path)
        .current_dir(&work);
    println!("submitting: {cmd:?}");
    let submitted = cluster.run(&mut cmd);
    let ids = String::from_utf8_lossy(&submitted.stdout).trim().to_string();
    if !submitted.status.success() {
        let err = String::from_utf8_lossy(&submitted.stderr);
        cluster.fail(&format!("slurm-submit.sh failed ({}): {ids}\n{err}", submitted.status));
    }
    let Some((array, merge)) = ids.split_once(' ') else {
        cluster.fail(&format!("slurm-submit.sh printed {ids:?}, not two job ids"));
    };
    let (array, merge) = (array.to_string(), merge.to_string());
    println!("array job {array}, merge job {merge}");

    let jobs_started = Instant::now();
    let mut last = String::new();
    cluster.wait_until("the merge job to leave the queue", JOBS_DEADLINE, |c| {
        let states = job_states(c, &array, &merge);
        if states != last {
            println!(
                "{:5.1} s: {}",
                jobs_started.elapsed().as_secs_f64(),
                states.replace('\n', ", ")
            );
            last = states;
        }
        // Pending or running jobs only; a finished one stays known to
        // `squeue -t all` for MinJobAge, longer than the deadline.
        let queued = c.run(c.command("squeue").args(["-h", "-j", &merge, "-o", "%T"]));
        queued.status.success() && queued.stdout.iter().all(u8::is_ascii_whitespace)
    });
    let states = job_states(&cluster, &array, &merge);
    let merged = states.lines().any(|l| l == format!("{merge} COMPLETED"));
    if !merged {
        cluster.fail(&format!(
            "the merge job did not complete:\n{states}\n{}",
            job_logs(&out)
        ));
    }
    println!("array and merge done in {:.1} s", jobs_started.elapsed().as_secs_f64());
    for i in 0..SHARDS.parse::<usize>().unwrap() {
        let shard = out.join(format!("shards/shard-{i}-of-{SHARDS}.vshard"));
        assert!(shard.is_file(), "no {}\n{}", shard.display(), job_logs(&out));
    }
    assert!(out.join("manifest.json").is_file(), "the merge wrote no manifest.json");

    // The one run the merge stands for, word for word and into the same
    // folder, so that only how the runs were made differs: the merged
    // folder moves aside.
    let merged = work.join("merged");
    std::fs::rename(&out, &merged).unwrap();
    let mut run = Command::new(bin);
    run.arg("run")
        .arg(&scenario)
        .args(["--runs", RUNS, "--seed", SEED, "--out"])
        .arg(&out)
        .current_dir(&work);
    println!("the same run in one process: {run:?}");
    let ran = cluster::run_with_deadline(&mut run, JOBS_DEADLINE).unwrap_or_else(|e| cluster.fail(&e));
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    compare_outputs(&out, &merged);
    println!("whole test {:.1} s", started.elapsed().as_secs_f64());
}

/// The scenario of the Slurm test, copied to `path` with `runs` runs.
fn scenario_copy(path: &Path, runs: u64) {
    let text = std::fs::read_to_string(root().join(SCENARIO)).unwrap();
    let mut replaced = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.starts_with("runs =") {
            true => {
                replaced += 1;
                format!("runs = {runs}")
            }
            false => l.to_string(),
        })
        .collect();
    assert_eq!(replaced, 1, "one `runs =` line in {SCENARIO}");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Runs the test's villagesim with `args` in `dir`, with `env` set and no
/// shard index inherited; panics unless it succeeds.
fn villagesim(dir: &Path, args: &[String], env: &[(&str, String)]) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_villagesim"));
    cmd.args(args).current_dir(dir);
    cmd.env_remove("SLURM_ARRAY_TASK_ID").env_remove("JOB_COMPLETION_INDEX");
    for (k, v) in env {
        cmd.env(k, v);
    }
    println!("running: villagesim {}", args.join(" "));
    let out = cluster::run_with_deadline(&mut cmd, JOBS_DEADLINE).unwrap();
    assert!(
        out.status.success(),
        "villagesim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text of a recipe file.
fn recipe(name: &str) -> String {
    std::fs::read_to_string(root().join("docs/cluster").join(name)).unwrap()
}

/// The `command: [...]` of a Kubernetes manifest (a JSON array in YAML's
/// flow style), its container path `/data` moved to `data`.
fn k8s_command(manifest: &str, data: &Path) -> Vec<String> {
    let start = manifest.find("command: [").expect("a command") + "command: ".len();
    let end = start + manifest[start..].find(']').unwrap() + 1;
    let words: Vec<String> = serde_json::from_str(&manifest[start..end]).expect("a JSON array");
    assert_eq!(words[0], "villagesim");
    let data = data.to_str().unwrap();
    words[1..].iter().map(|w| w.replacen("/data", data, 1)).collect()
}

/// The value of `key:` (YAML) or `key =` (HTCondor) at the start of a line.
fn setting<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| {
            let rest = l.trim_start().strip_prefix(key)?.trim_start();
            let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
            Some(value.split('#').next().unwrap().trim())
        })
        .unwrap_or_else(|| panic!("no {key} in the recipe"))
}

#[test]
fn the_kubernetes_recipe_makes_the_outputs_of_one_run() {
    let (shards, merge) = (recipe("k8s-shards-job.yaml"), recipe("k8s-merge-job.yaml"));
    assert_eq!(setting(&shards, "completionMode"), "Indexed");
    let k: usize = setting(&shards, "completions").parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    scenario_copy(&data.join("scenario.toml"), 120);
    let command = k8s_command(&shards, &data);
    assert!(
        command.contains(&format!("auto/{k}")),
        "--shard auto/{k} in {command:?}"
    );
    for index in 0..k {
        villagesim(dir.path(), &command, &[("JOB_COMPLETION_INDEX", index.to_string())]);
    }
    let command = k8s_command(&merge, &data);
    assert_eq!(command.iter().filter(|w| w.ends_with(".vshard")).count(), k);
    villagesim(dir.path(), &command, &[]);
    // The one run, under the name the shards gave the scenario.
    let reference = dir.path().join("reference");
    let scenario = data.join("scenario.toml").display().to_string();
    villagesim(
        dir.path(),
        &["run".into(), scenario, "--out".into(), reference.display().to_string()],
        &[],
    );
    compare_outputs(&reference, &data.join("out"));
}

#[test]
fn the_htcondor_recipe_makes_the_outputs_of_one_run() {
    let (shards, merge, dag) = (
        recipe("htcondor-shards.sub"),
        recipe("htcondor-merge.sub"),
        recipe("htcondor.dag"),
    );
    for line in [
        "JOB shards htcondor-shards.sub",
        "JOB merge htcondor-merge.sub",
        "PARENT shards CHILD merge",
    ] {
        assert!(dag.lines().any(|l| l == line), "{line} in htcondor.dag");
    }
    let queue = shards.lines().find_map(|l| l.strip_prefix("queue ")).expect("queue N");
    let k: usize = queue.trim().parse().unwrap();
    let arguments = |sub: &str| -> Vec<String> {
        let quoted = setting(sub, "arguments");
        let words = quoted
            .strip_prefix('"')
            .and_then(|a| a.strip_suffix('"'))
            .expect("quoted arguments");
        words.split_whitespace().map(String::from).collect()
    };
    let dir = tempfile::tempdir().unwrap();
    scenario_copy(&dir.path().join("scenario.toml"), 120);
    for process in 0..k {
        let args: Vec<String> = arguments(&shards)
            .iter()
            .map(|w| w.replace("$(Process)", &process.to_string()))
            .collect();
        assert!(
            args.contains(&format!("{process}/{k}")),
            "--shard {process}/{k} in {args:?}"
        );
        villagesim(dir.path(), &args, &[]);
    }
    let args = arguments(&merge);
    assert_eq!(args.iter().filter(|w| w.ends_with(".vshard")).count(), k);
    villagesim(dir.path(), &args, &[]);
    villagesim(
        dir.path(),
        &["run".into(), "scenario.toml".into(), "--out".into(), "reference".into()],
        &[],
    );
    compare_outputs(&dir.path().join("reference"), &dir.path().join("out"));
}

/// `squeue`'s "JOBID STATE" lines for the two jobs, finished ones included
/// (the cluster keeps them for `MinJobAge`).
fn job_states(cluster: &Cluster, array: &str, merge: &str) -> String {
    let jobs = format!("{array},{merge}");
    let out = cluster.run(
        cluster
            .command("squeue")
            .args(["-h", "-t", "all", "-j", &jobs, "-o", "%i %T"]),
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect();
    lines.sort();
    lines.join("\n")
}

/// The jobs' own output (`OUTDIR/logs/`, where slurm-submit.sh puts it).
fn job_logs(out: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(out.join("logs")).into_iter().flatten().flatten() {
        let body = std::fs::read_to_string(entry.path()).unwrap_or_default();
        text += &format!("--- {}\n{body}\n", entry.path().display());
    }
    text
}

/// Every file of `reference` but `manifest.json` must be in `merged` with
/// the same bytes, and `merged` must hold no other file outside the shards
/// and the job logs.
fn compare_outputs(reference: &Path, merged: &Path) {
    let skip = ["manifest.json", "shards", "logs"];
    let (want, got) = (files_under(reference, &skip), files_under(merged, &skip));
    assert_eq!(want, got, "the merged outputs are not the files of one run");
    let mut differ = Vec::new();
    println!("comparing the merged outputs with one run's, byte for byte (manifest.json aside):");
    for rel in &want {
        let (a, b) = (
            std::fs::read(reference.join(rel)).unwrap(),
            std::fs::read(merged.join(rel)).unwrap(),
        );
        let verdict = if a == b { "identical" } else { "DIFFERENT" };
        println!("  {verdict}: {} ({} bytes)", rel.display(), a.len());
        if a != b {
            differ.push(rel.display().to_string());
        }
    }
    assert!(differ.is_empty(), "merged outputs differ from one run's: {differ:?}");
}

/// The files under `dir`, relative to it, leaving out the top-level entries
/// named in `skip`.
fn files_under(dir: &Path, skip: &[&str]) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            if d == dir && skip.iter().any(|s| rel == Path::new(s)) {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else {
                files.insert(rel);
            }
        }
    }
    files
}
