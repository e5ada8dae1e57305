//! Throughput, scaling and memory of the whole `villagesim run`, as ratios
//! against the yardsticks in `../shared/bench/` measured in the same run
//! (issue 13; absolute speeds differ 2-3x between machines of one kind).
//!
//! `cargo bench` prints, on the yardsticks' `bench.toml` (1,000 villages x
//! 20 years, two policies; village-years = runs x villages x years x
//! policies):
//!
//! - the whole `villagesim run` (simulation, aggregation, every output file)
//!   at 1 and 2 threads, in million village-years/s;
//! - the NumPy peer (`peer_numpy.py`, one core) and the random-number floor
//!   (`floor/`, built here with its own lock file) measured right then, and
//!   the ratios against the targets: one thread >= 5x NumPy and >= 0.5 of
//!   the floor, two threads >= 1.9x one thread;
//! - the cost per village-year at 20,000 villages against 1,000 villages
//!   (same model, same village-years; target <= 1.5x);
//! - peak memory per village-year-policy cell above the fixed base (the
//!   peak of the same model with 10 villages: the binary, its fonts, the
//!   thread pool), at two numbers of runs (target <= 1 KiB).
//!
//! The yardsticks are called from their folder, not copied:
//! `VILLAGESIM_BENCH_DIR` (default `../shared/bench` beside the crate). A
//! yardstick that cannot run (no folder, no `python3` with NumPy) is skipped
//! with the reason printed. `VILLAGESIM_BENCH_RUNS` sets the runs of the
//! throughput measurements (default 2,000, as `bench.toml`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Village-years of one run of `bench.toml` with `villages` villages.
fn village_years_per_run(villages: u64) -> f64 {
    villages as f64 * 20.0 * 2.0
}

struct Measured {
    seconds: f64,
    peak_mb: f64,
}

/// Runs `villagesim run` on `scenario` and times the whole process.
fn run(scenario: &Path, runs: u64, threads: usize, out: &Path) -> Measured {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_villagesim"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "--runs",
            &runs.to_string(),
        ])
        .args(["--threads", &threads.to_string(), "--out", out.to_str().unwrap()])
        .status()
        .expect("villagesim runs");
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "villagesim failed on {}", scenario.display());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest")).expect("json");
    Measured {
        seconds,
        peak_mb: manifest["peak_memory_mb"].as_f64().unwrap_or(f64::NAN),
    }
}

/// The first number in `text` followed by " M village-years/s".
fn rate_in(text: &str) -> Option<f64> {
    let at = text.find(" M village-years/s")?;
    let start = text[..at]
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    text[start..at].parse::<f64>().ok().map(|m| m * 1e6)
}

/// The random-number floor, built with cargo into our own target folder.
fn floor(bench: &Path, runs: u64) -> Result<f64, String> {
    let manifest = bench.join("floor/Cargo.toml");
    if !manifest.exists() {
        return Err(format!("{} not found", manifest.display()));
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-floor");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !built.success() {
        return Err("the floor did not build".into());
    }
    let output = Command::new(target.join("release/floor"))
        .args([&runs.to_string(), "vy"])
        .output()
        .map_err(|e| format!("cannot run the floor: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    rate_in(&text).ok_or_else(|| format!("unexpected output of the floor: {text}"))
}

/// The NumPy peer, one core (its BLAS threads pinned to one).
fn numpy(bench: &Path, runs: u64) -> Result<f64, String> {
    let script = bench.join("peer_numpy.py");
    if !script.exists() {
        return Err(format!("{} not found", script.display()));
    }
    let output = Command::new("python3")
        .arg(&script)
        .arg(runs.to_string())
        .envs([
            ("OMP_NUM_THREADS", "1"),
            ("OPENBLAS_NUM_THREADS", "1"),
            ("MKL_NUM_THREADS", "1"),
        ])
        .output()
        .map_err(|e| format!("python3 is missing ({e})"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let reason = if err.contains("No module named 'numpy'") {
            "NumPy is missing (pip install numpy)".to_string()
        } else {
            format!("the peer failed: {}", err.lines().last().unwrap_or(""))
        };
        return Err(reason);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    rate_in(&text).ok_or_else(|| format!("unexpected output of the peer: {text}"))
}

/// `bench.toml` with `villages` villages, written into `dir`.
fn scenario_with(bench_toml: &str, villages: u64, dir: &Path) -> PathBuf {
    assert!(bench_toml.contains("count = 1000"), "bench.toml has no `count = 1000`");
    let path = dir.join(format!("bench-{villages}.toml"));
    std::fs::write(
        &path,
        bench_toml.replace("count = 1000", &format!("count = {villages}")),
    )
    .unwrap();
    path
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

fn main() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = std::env::var_os("VILLAGESIM_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../shared/bench"));
    let runs: u64 = std::env::var("VILLAGESIM_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let work = std::env::temp_dir().join(format!("villagesim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let out = work.join("out");
    let bench_toml = match std::fs::read_to_string(bench.join("bench.toml")) {
        Ok(text) => text,
        Err(e) => {
            println!(
                "skipped: {} cannot be read ({e}); set VILLAGESIM_BENCH_DIR",
                bench.join("bench.toml").display()
            );
            return;
        }
    };
    let scenario = scenario_with(&bench_toml, 1000, &work);
    let vy = runs as f64 * village_years_per_run(1000);
    println!(
        "villagesim on {} ({runs} runs, {vy:.1e} village-years), whole run with outputs:",
        bench.join("bench.toml").display()
    );
    let mut rates = Vec::new();
    for threads in [1, 2] {
        let m = run(&scenario, runs, threads, &out);
        rates.push(vy / m.seconds);
        println!(
            "  {threads} thread(s): {:.2} s, {:.1} M village-years/s, peak {:.0} MiB",
            m.seconds,
            vy / m.seconds / 1e6,
            m.peak_mb
        );
    }
    println!("yardsticks, measured now:");
    match numpy(&bench, runs) {
        Ok(r) => println!(
            "  NumPy peer (1 core): {:.1} M village-years/s; villagesim 1 thread = {:.2}x (target >= 5x: {})",
            r / 1e6,
            rates[0] / r,
            verdict(rates[0] / r >= 5.0)
        ),
        Err(reason) => println!("  NumPy peer skipped: {reason}"),
    }
    match floor(&bench, runs) {
        Ok(r) => println!(
            "  random-number floor: {:.1} M village-years/s; villagesim 1 thread = {:.2} of it (target >= 0.5: {})",
            r / 1e6,
            rates[0] / r,
            verdict(rates[0] / r >= 0.5)
        ),
        Err(reason) => println!("  floor skipped: {reason}"),
    }
    let speedup = rates[1] / rates[0];
    println!(
        "  2 threads / 1 thread: {speedup:.2}x (target >= 1.9x: {})",
        verdict(speedup >= 1.9)
    );

    // Scale: the same model and village-years at 1,000 and 20,000 villages.
    let scale_runs = (runs / 2).max(20);
    let small = run(&scenario, scale_runs, 1, &out);
    let province = scenario_with(&bench_toml, 20_000, &work);
    let large_runs = (scale_runs / 20).max(1);
    let large = run(&province, large_runs, 1, &out);
    let per_vy = |m: &Measured, runs: u64, villages: u64| m.seconds / (runs as f64 * village_years_per_run(villages));
    let ratio = per_vy(&large, large_runs, 20_000) / per_vy(&small, scale_runs, 1000);
    println!(
        "scale, 1 thread: 1,000 villages x {scale_runs} runs {:.2} s, 20,000 villages x {large_runs} runs {:.2} s: cost per village-year {ratio:.2}x (target <= 1.5x: {})",
        small.seconds,
        large.seconds,
        verdict(ratio <= 1.5)
    );

    // Memory per village-year-policy cell above the base (10 villages).
    let base = run(&scenario_with(&bench_toml, 10, &work), large_runs, 2, &out).peak_mb;
    let cells = 20_000.0 * 21.0 * 2.0;
    print!("memory, 2 threads: base (10 villages) {base:.0} MiB;");
    let mut worst: f64 = 0.0;
    for r in [large_runs, large_runs * 4] {
        let m = run(&province, r, 2, &out);
        let per_cell = (m.peak_mb - base) * 1024.0 * 1024.0 / cells;
        worst = worst.max(per_cell);
        print!(
            " 20,000 villages x {r} runs: peak {:.0} MiB, {per_cell:.0} B per cell;",
            m.peak_mb
        );
    }
    println!(" (target <= 1,024 B: {})", verdict(worst <= 1024.0));
    let _ = std::fs::remove_dir_all(&work);
}
