//! Faults while writing outputs: a kill or an interrupt in the writing
//! phase, two runs into one folder, a full disk. Each must leave the
//! earlier result exactly as it was (or one whole new set), never a mix,
//! and no staging folder after the next run.

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The quickstart scenario with `villages` middling villages and `runs` runs.
fn scenario(dir: &Path, name: &str, villages: u32, runs: u32) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/quickstart.toml")).unwrap();
    let text = text
        .replace("count = 14", &format!("count = {villages}"))
        .replace("runs = 5000", &format!("runs = {runs}"));
    assert!(text.contains(&format!("count = {villages}")));
    common::write(dir, name, &text)
}

/// A scenario whose writing phase takes a noticeable time
/// (village_years.csv and village_years.bin of tens of MB, with the
/// workbook and charts).
fn big(dir: &Path) -> PathBuf {
    scenario(dir, "big.toml", 6000, 10)
}

/// A quick one.
fn small(dir: &Path) -> PathBuf {
    scenario(dir, "small.toml", 14, 5)
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("villagesim")
}

fn run_command(dir: &Path, file: &Path, out: &Path, seed: u64) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .arg("run")
        .arg(file)
        .args(["--quiet", "--threads", "2", "--seed", &seed.to_string(), "--out"])
        .arg(out)
        .stdin(Stdio::null());
    cmd
}

fn run(dir: &Path, file: &Path, out: &Path, seed: u64) -> Output {
    run_command(dir, file, out, seed).output().unwrap()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "{:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file under `dir`, by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, at: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                into.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Names beside `out` (and inside it) that are staging or old folders.
fn leftovers(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for dir in [out.parent().unwrap(), out] {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.contains(".staging-") || name.contains(".old-") {
                found.push(name);
            }
        }
    }
    found
}

/// Waits for `child` to start writing into a staging folder beside `out`
/// (after the simulation) and gives it `delay` more.
fn wait_for_writing(child: &mut Child, out: &Path, delay: Duration) {
    let parent = out.parent().unwrap();
    let prefix = format!(".{}.staging-", out.file_name().unwrap().to_string_lossy());
    let started = Instant::now();
    loop {
        let staging = std::fs::read_dir(parent)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(&prefix));
        if staging {
            std::thread::sleep(delay);
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it started writing");
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no staging folder after 300 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the process did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn seed_of(out: &Path, file: &str) -> u64 {
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(file)).unwrap()).unwrap();
    value["seed"].as_u64().unwrap_or_else(|| panic!("{file} has no seed"))
}

/// summary.json, results.json and manifest.json come from one run.
fn one_consistent_set(out: &Path) -> u64 {
    let seed = seed_of(out, "summary.json");
    assert_eq!(seed_of(out, "results.json"), seed);
    assert_eq!(seed_of(out, "manifest.json"), seed);
    seed
}

#[test]
fn sigkill_while_writing_keeps_the_earlier_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run(dir.path(), &small(dir.path()), &out, 1));
    let before = snapshot(&out);

    let mut child = run_command(dir.path(), &big(dir.path()), &out, 2).spawn().unwrap();
    wait_for_writing(&mut child, &out, Duration::from_millis(60));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(snapshot(&out) == before, "the earlier result changed after SIGKILL");

    // The next run removes what the killed one left and succeeds.
    ok(&run(dir.path(), &small(dir.path()), &out, 3));
    assert_eq!(leftovers(&out), Vec::<String>::new());
    assert_eq!(one_consistent_set(&out), 3);
}

#[test]
fn sigint_while_writing_cleans_up_and_keeps_the_earlier_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run(dir.path(), &small(dir.path()), &out, 1));
    let before = snapshot(&out);

    let mut child = run_command(dir.path(), &big(dir.path()), &out, 2).spawn().unwrap();
    wait_for_writing(&mut child, &out, Duration::from_millis(60));
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(130), "{status}");
    assert_eq!(leftovers(&out), Vec::<String>::new(), "staging left after SIGINT");
    assert!(!dir.path().join(".out.lock").exists());
    assert!(snapshot(&out) == before, "the earlier result changed after SIGINT");
}

#[test]
fn sigterm_before_writing_leaves_no_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/out");
    let mut child = run_command(dir.path(), &big(dir.path()), &out, 2).spawn().unwrap();
    // Simulating: the lock is taken, nothing is written yet.
    let started = Instant::now();
    while !dir.path().join("new/.out.lock").exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "no lock file");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = wait_with_timeout(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(143), "{status}");
    assert!(!dir.path().join("new").exists(), "the run left its folders behind");
}

#[test]
fn two_runs_into_one_folder_end_with_one_consistent_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let file = scenario(dir.path(), "medium.toml", 800, 10);
    let spawn = |seed| {
        run_command(dir.path(), &file, &out, seed)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(11), spawn(22));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let seed = one_consistent_set(&out);
    for (output, own) in [(&a, 11), (&b, 22)] {
        if output.status.success() {
            continue;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            // "(pid N)", or "(another process)" when the first has locked
            // the file but not yet written its pid into it.
            stderr.contains("another villagesim (") && stderr.contains("choose another --out"),
            "{stderr}"
        );
        assert_ne!(seed, own, "the refused run's result is in the folder");
    }
    assert!(a.status.success() || b.status.success(), "both refused");
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

/// A run whose files may be at most `bytes` long (RLIMIT_FSIZE), with
/// SIGXFSZ ignored so that a longer write fails with EFBIG.
fn limited(mut cmd: Command, bytes: u64) -> Command {
    // SAFETY: setrlimit and signal are async-signal-safe, and nothing else
    // runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    cmd
}

#[test]
fn a_file_size_limit_gives_a_clean_error_and_keeps_the_earlier_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run(dir.path(), &small(dir.path()), &out, 1));
    let before = snapshot(&out);
    // village_years.csv is some 1.2 MB here and results.json some 3 MB:
    // whichever is written first hits the limit.
    let file = scenario(dir.path(), "medium.toml", 1500, 5);
    let output = limited(run_command(dir.path(), &file, &out, 2), 1 << 20)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    let named = stderr
        .split("cannot write ")
        .nth(1)
        .and_then(|s| s.split(": ").next())
        .unwrap_or_default();
    assert!(
        named.contains("out/") && (named.ends_with(".json") || named.ends_with(".csv")),
        "names the file: {stderr}"
    );
    assert!(stderr.contains("free some space"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(snapshot(&out) == before, "the earlier result changed");
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

#[test]
fn a_failed_first_run_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a/b/out");
    let output = limited(run_command(dir.path(), &small(dir.path()), &out, 2), 10_000)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!dir.path().join("a").exists(), "an empty output folder was left behind");
}

#[test]
fn init_on_a_failing_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir.path()).args(["init", "mine.toml"]);
    let output = limited(cmd, 100).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("mine.toml") && stderr.contains("free some space"),
        "{stderr}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(names.is_empty(), "{names:?}");
    // An empty file, as older versions left, does not block `init`.
    std::fs::write(dir.path().join("mine.toml"), "").unwrap();
    common::villagesim(dir.path())
        .args(["init", "mine.toml"])
        .assert()
        .success();
    assert!(std::fs::metadata(dir.path().join("mine.toml")).unwrap().len() > 100);
}

#[test]
fn report_keeps_the_other_files_and_refuses_a_busy_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run(dir.path(), &small(dir.path()), &out, 1));
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let results = std::fs::read(out.join("results.json")).unwrap();
    common::villagesim(dir.path())
        .args(["report", "out", "--lang", "zh"])
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("results.json")).unwrap(), results);
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert_eq!(leftovers(&out), Vec::<String>::new());

    // Another process holds the folder's lock.
    let lock = std::fs::File::create(dir.path().join(".out.lock")).unwrap();
    lock.try_lock().unwrap();
    std::fs::write(dir.path().join(".out.lock"), "4321").unwrap();
    common::villagesim(dir.path())
        .args(["report", "out"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "another villagesim (pid 4321) is writing to out",
        ));
    common::villagesim(dir.path())
        .args(["run", "small.toml", "--quiet", "--out", "out"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "wait for it to finish or choose another --out",
        ));
    drop(lock);
}

/// A real full disk: an 8 MiB tmpfs, where this test may mount one (room
/// for two small sets of outputs, some 3 MB each, not for a medium one).
#[test]
fn a_full_disk_gives_a_clean_error_and_keeps_the_earlier_result() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipping: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the RLIMIT_FSIZE test covers the same path");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(disk.clone());
    let out = disk.join("out");
    ok(&run(dir.path(), &small(dir.path()), &out, 1));
    let before = snapshot(&out);
    let file = scenario(dir.path(), "medium.toml", 1500, 5);
    let output = run(dir.path(), &file, &out, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("free some space"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(snapshot(&out) == before, "the earlier result changed");
    assert_eq!(leftovers(&out), Vec::<String>::new());
    // The disk is usable again: a small run fits.
    ok(&run(dir.path(), &small(dir.path()), &out, 3));
    assert_eq!(one_consistent_set(&out), 3);
}
