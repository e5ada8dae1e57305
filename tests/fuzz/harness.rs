//! The campaign runner: proptest generates and shrinks the inputs, each case
//! runs in its own thread under a watchdog with panics caught, and every
//! distinct failure is shrunk, saved and reported at the end (a campaign
//! does not stop at the first failure, except after a hang).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// What a case did, when it held every property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The input was refused with a located error.
    Rejected,
    /// Accepted and simulated to finite results.
    Simulated,
    /// Simulated, and its outputs written and checked.
    Written,
    /// Accepted but too large to simulate within the case budget.
    TooLarge,
}

/// A property that did not hold.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Where it happened: "parse", "simulate", "write", "report", ...
    pub stage: &'static str,
    /// What went wrong, without case-specific details, so that failures
    /// with the same cause share it (it names the distinct failures).
    pub symptom: String,
    /// The details of this case.
    pub detail: String,
}

impl Failure {
    pub fn new(stage: &'static str, symptom: impl Into<String>, detail: impl Into<String>) -> Self {
        Failure {
            stage,
            symptom: symptom.into(),
            detail: detail.into(),
        }
    }

    fn signature(&self) -> String {
        format!("{}: {}", self.stage, self.symptom)
    }
}

pub type CaseResult = Result<Outcome, Failure>;

/// Cases of a generator: `VILLAGESIM_FUZZ_CASES` times `share`, or
/// `default` when it is not set.
pub fn cases(default: u32, share: f64) -> u32 {
    match env_number("VILLAGESIM_FUZZ_CASES") {
        Some(n) => ((n as f64 * share).round() as u32).max(1),
        None => default,
    }
}

/// The campaign seed: `VILLAGESIM_FUZZ_SEED`, default fixed.
pub fn seed() -> u64 {
    env_number("VILLAGESIM_FUZZ_SEED").unwrap_or(20_250_601)
}

fn timeout() -> Duration {
    Duration::from_secs(env_number("VILLAGESIM_FUZZ_TIMEOUT").unwrap_or(20))
}

/// Write the outputs of every Nth accepted case.
pub fn write_every() -> u64 {
    env_number("VILLAGESIM_FUZZ_WRITE_EVERY").unwrap_or(5).max(1)
}

fn max_hangs() -> usize {
    env_number("VILLAGESIM_FUZZ_MAX_HANGS").unwrap_or(1).max(1) as usize
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a whole number")),
    )
}

/// Where failing inputs are saved: `target/fuzz-failures/`.
pub fn failure_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map_or(tmp.clone(), |t| t.to_path_buf())
        .join("fuzz-failures")
}

// One case at a time in this test binary: the panic hook below attributes a
// panic to the running case, and the machine's cores go to the case.
static ONE_CASE: Mutex<()> = Mutex::new(());
static IN_CASE: AtomicBool = AtomicBool::new(false);
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static STAGE: Mutex<&'static str> = Mutex::new("start");

/// Records which stage of a case is running (a panic is reported with it).
pub fn stage(name: &'static str) {
    *STAGE.lock().unwrap_or_else(|e| e.into_inner()) = name;
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // A case's own thread, or an (unnamed) worker of its engine.
            let name = std::thread::current().name().map(str::to_string);
            let of_case = name.as_deref().is_none_or(|n| n == "fuzz-case");
            if IN_CASE.load(Ordering::SeqCst) && of_case {
                // Quietly keep the first panic of the case (a worker
                // thread's panic is re-raised in the case thread).
                let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
                if last.is_none() {
                    let location = info
                        .location()
                        .map_or("unknown location".into(), |l| format!("{}:{}", l.file(), l.line()));
                    *last = Some(format!("{location}: {}", payload_text(info.payload())));
                }
            } else {
                default(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

type Check = Arc<dyn Fn(&str) -> CaseResult + Send + Sync>;

/// Runs one case in its own thread; a panic or a timeout is a failure.
/// Returns whether the case hung (its thread is then left running).
fn run_one(check: &Check, input: &str) -> (CaseResult, bool) {
    run_timed(check, input).0
}

/// [`run_one`], with the time the case took (not counting the wait for
/// another campaign's case).
fn run_timed(check: &Check, input: &str) -> ((CaseResult, bool), Duration) {
    let _one = ONE_CASE.lock().unwrap_or_else(|e| e.into_inner());
    let t0 = Instant::now();
    let result = run_locked(check, input);
    (result, t0.elapsed())
}

fn run_locked(check: &Check, input: &str) -> (CaseResult, bool) {
    *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
    stage("start");
    IN_CASE.store(true, Ordering::SeqCst);
    let (tx, rx) = mpsc::channel();
    let (check, owned) = (Arc::clone(check), input.to_string());
    let spawned = std::thread::Builder::new().name("fuzz-case".into()).spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&owned)));
        let _ = tx.send(result);
    });
    if let Err(e) = spawned {
        IN_CASE.store(false, Ordering::SeqCst);
        panic!("cannot start a case thread: {e}");
    }
    let received = rx.recv_timeout(timeout());
    let stage_now = *STAGE.lock().unwrap_or_else(|e| e.into_inner());
    IN_CASE.store(false, Ordering::SeqCst);
    match received {
        Ok(Ok(result)) => (result, false),
        Ok(Err(payload)) => {
            let message = LAST_PANIC
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_else(|| format!("unknown location: {}", payload_text(payload.as_ref())));
            let location = message.split(": ").next().unwrap_or_default().to_string();
            (
                Err(Failure::new(stage_now, format!("panic at {location}"), message)),
                false,
            )
        }
        Err(_) => (
            Err(Failure::new(
                stage_now,
                "hang",
                format!(
                    "no answer within {} s (still in stage `{stage_now}`)",
                    timeout().as_secs()
                ),
            )),
            true,
        ),
    }
}

/// One distinct failure: its first (shrunk) input and how often it was seen.
struct Found {
    failure: Failure,
    input: String,
    original_len: usize,
    count: usize,
    first_case: u32,
    file: PathBuf,
}

/// A campaign of `cases` generated inputs.
pub struct Campaign {
    name: &'static str,
    cases: u32,
}

impl Campaign {
    pub fn new(name: &'static str, cases: u32) -> Self {
        Campaign { name, cases }
    }

    /// Generates `cases` inputs from `strategy` and checks each; panics at
    /// the end with every distinct failure, each shrunk and saved.
    pub fn run<S>(self, strategy: &S, check: impl Fn(&str) -> CaseResult + Send + Sync + 'static)
    where
        S: Strategy<Value = String>,
    {
        install_panic_hook();
        let check: Check = Arc::new(check);
        let seed = seed();
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        seed_bytes[8..8 + self.name.len().min(24)].copy_from_slice(&self.name.as_bytes()[..self.name.len().min(24)]);
        let config = Config {
            cases: self.cases,
            failure_persistence: None,
            rng_algorithm: RngAlgorithm::ChaCha,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
        let started = Instant::now();
        let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
        let mut found: Vec<Found> = Vec::new();
        let mut hangs = 0;
        let mut slowest = (Duration::ZERO, 0);
        let mut ran = 0;
        for case in 0..self.cases {
            let mut tree = match strategy.new_tree(&mut runner) {
                Ok(tree) => tree,
                Err(e) => panic!("{}: cannot generate case {case}: {e}", self.name),
            };
            let input = tree.current();
            let ((result, hung), took) = run_timed(&check, &input);
            ran += 1;
            if took > slowest.0 {
                slowest = (took, case);
            }
            match result {
                Ok(outcome) => *outcomes.entry(format!("{outcome:?}")).or_default() += 1,
                Err(failure) => {
                    *outcomes.entry("Failed".into()).or_default() += 1;
                    let signature = failure.signature();
                    if let Some(f) = found.iter_mut().find(|f| f.failure.signature() == signature) {
                        f.count += 1;
                    } else {
                        // Shrink (not a hang: every try could take the whole timeout).
                        let (failure, small) = if hung {
                            (failure, input.clone())
                        } else {
                            let (failure, small) = shrink(&check, &mut tree, failure, input.clone());
                            if self.name == "results" {
                                (failure, small)
                            } else {
                                reduce_lines(&check, failure, small)
                            }
                        };
                        let n = found.len() + 1;
                        let file = save(self.name, n, &failure, &small, seed, case);
                        found.push(Found {
                            failure,
                            input: small,
                            original_len: input.len(),
                            count: 1,
                            first_case: case,
                            file,
                        });
                    }
                    if hung {
                        hangs += 1;
                        if hangs >= max_hangs() {
                            break;
                        }
                    }
                }
            }
        }
        let elapsed = started.elapsed();
        let mut report = format!(
            "fuzz campaign `{}`: {ran} of {} cases, seed {seed}, {:.1} s (slowest case #{} {:.2} s); outcomes {:?}; {} distinct failures\n",
            self.name,
            self.cases,
            elapsed.as_secs_f64(),
            slowest.1,
            slowest.0.as_secs_f64(),
            outcomes,
            found.len()
        );
        for (i, f) in found.iter().enumerate() {
            let _ = writeln!(
                report,
                "\n#{} {} (seen {}x, first in case {}; saved as {})\n  {}\n  shrunk input ({} of {} bytes):\n{}",
                i + 1,
                f.failure.signature(),
                f.count,
                f.first_case,
                f.file.display(),
                f.failure.detail.replace('\n', "\n  "),
                f.input.len(),
                f.original_len,
                indent(&f.input, 200)
            );
        }
        eprintln!("{report}");
        assert!(found.is_empty(), "{report}");
    }
}

/// proptest's shrinking loop, keeping the simplest input that fails with
/// the same signature; bounded in tries and time.
fn shrink(
    check: &Check,
    tree: &mut impl ValueTree<Value = String>,
    failure: Failure,
    input: String,
) -> (Failure, String) {
    let signature = failure.signature();
    let (mut best_failure, mut best) = (failure, input);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut tries = 0;
    if !tree.simplify() {
        return (best_failure, best);
    }
    while tries < 300 && Instant::now() < deadline {
        tries += 1;
        let candidate = tree.current();
        let (result, hung) = run_one(check, &candidate);
        if hung {
            break;
        }
        match result {
            Err(f) if f.signature() == signature => {
                if candidate.len() <= best.len() {
                    best = candidate;
                    best_failure = f;
                }
                if !tree.simplify() {
                    break;
                }
            }
            _ => {
                if !tree.complicate() {
                    break;
                }
            }
        }
    }
    (best_failure, best)
}

/// Then removes lines (halves, quarters, ... single lines) while the input
/// still fails the same way: a repro of a few lines, comments gone.
fn reduce_lines(check: &Check, failure: Failure, input: String) -> (Failure, String) {
    let signature = failure.signature();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut best_failure = failure;
    let mut lines: Vec<String> = input.split('\n').map(str::to_string).collect();
    let mut chunk = lines.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < lines.len() {
            if Instant::now() > deadline {
                return (best_failure, lines.join("\n"));
            }
            let end = (i + chunk).min(lines.len());
            let candidate: Vec<String> = lines[..i].iter().chain(&lines[end..]).cloned().collect();
            let (result, hung) = run_one(check, &candidate.join("\n"));
            if hung {
                return (best_failure, lines.join("\n"));
            }
            match result {
                Err(f) if f.signature() == signature => {
                    lines = candidate;
                    best_failure = f;
                }
                _ => i += chunk,
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    (best_failure, lines.join("\n"))
}

fn save(campaign: &str, n: usize, failure: &Failure, input: &str, seed: u64, case: u32) -> PathBuf {
    let dir = failure_dir();
    let _ = std::fs::create_dir_all(&dir);
    let ext = if campaign == "results" { "json" } else { "toml" };
    let path = dir.join(format!("{campaign}-{n:03}.{ext}"));
    let mut text = String::new();
    if ext == "toml" {
        for line in format!(
            "{}\n{}\nfound by campaign `{campaign}`, seed {seed}, case {case}",
            failure.signature(),
            failure.detail
        )
        .lines()
        {
            let _ = writeln!(text, "# {line}");
        }
    }
    text.push_str(input);
    let _ = std::fs::write(&path, text);
    if ext == "json" {
        let note = format!(
            "{}\n{}\nfound by campaign `{campaign}`, seed {seed}, case {case}\n",
            failure.signature(),
            failure.detail
        );
        let _ = std::fs::write(path.with_extension("txt"), note);
    }
    path
}

fn indent(text: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines.iter().take(max_lines).map(|l| format!("    | {l}")).collect();
    if lines.len() > max_lines {
        out.push(format!("    | ... ({} more lines)", lines.len() - max_lines));
    }
    out.join("\n")
}
