//! Throughput and memory benchmark of the whole `villagesim run`.
//!
//! `cargo bench` runs the release binary on `benches/throughput.toml`
//! (1,000 villages x 20 years, organic growth on a factor, an income stream
//! on every village, two policies) and prints village-years per second,
//! counting runs x villages x years x policies, for 1 and 2 threads, timing
//! the whole process: simulation, aggregation and every output file.
//! It then compares the peak memory of 10,000 and 100,000 runs.
//!
//! Targets (issue 2): >= 25 million village-years/s on one thread, >= 1.8x
//! that on two; peak memory of 100,000 runs within 1.2x that of 10,000.
//! Set `VILLAGESIM_BENCH_QUICK=1` to skip the 100,000-run memory check.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const VILLAGE_YEARS_PER_RUN: f64 = 1_000.0 * 20.0 * 2.0;

struct Measured {
    seconds: f64,
    peak_mb: f64,
}

fn run(runs: u64, threads: usize, out: &Path) -> Measured {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/throughput.toml");
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
    assert!(status.success(), "villagesim failed");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest")).expect("json");
    Measured {
        seconds,
        peak_mb: manifest["peak_memory_mb"].as_f64().unwrap_or(f64::NAN),
    }
}

fn main() {
    let out = std::env::temp_dir().join(format!("villagesim-bench-{}", std::process::id()));
    let runs = 10_000;
    let village_years = runs as f64 * VILLAGE_YEARS_PER_RUN;
    println!("villagesim throughput: {runs} runs x 1,000 villages x 20 years x 2 policies = {village_years:.1e} village-years");
    let mut rates = Vec::new();
    for threads in [1, 2] {
        let m = run(runs, threads, &out);
        let rate = village_years / m.seconds;
        rates.push(rate);
        println!(
            "  {threads} thread(s): {:.2} s, {:.1} million village-years/s (whole run with outputs), peak {:.0} MiB",
            m.seconds,
            rate / 1e6,
            m.peak_mb
        );
    }
    println!(
        "  targets: one thread >= 25 million/s ({}); two threads >= 1.8 x 25 = 45 million/s ({}); measured speed-up {:.2}x",
        if rates[0] >= 25e6 { "met" } else { "NOT met" },
        if rates[1] >= 45e6 { "met" } else { "NOT met" },
        rates[1] / rates[0]
    );
    if std::env::var_os("VILLAGESIM_BENCH_QUICK").is_none() {
        let small = run(10_000, 2, &out);
        let large = run(100_000, 2, &out);
        println!(
            "memory: 10,000 runs peak {:.0} MiB, 100,000 runs peak {:.0} MiB: ratio {:.3} (target <= 1.2)",
            small.peak_mb,
            large.peak_mb,
            large.peak_mb / small.peak_mb
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
