//! A one-node Slurm cluster for a test, started as root from a temporary
//! folder: its own munge key and munged socket, its own slurm.conf (found by
//! every daemon and client through `SLURM_CONF`), state, spool and logs, and
//! free TCP ports, so it touches no Slurm or munge the machine may already
//! run. Every wait has a deadline, and dropping the [`Cluster`], on success
//! or while a failed test unwinds, stops every process it started.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The programs the cluster needs.
const PROGRAMS: [&str; 7] = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel"];

/// Fewest CPUs and MiB the node offers the recipes (the shard and merge jobs
/// ask for 2 CPUs and 2 GiB); a smaller machine is configured up to them.
const MIN_CPUS: u64 = 2;
const MIN_MEMORY_MIB: u64 = 2048;

/// How long the daemons may take to come up, a client command to answer, and
/// a daemon to stop when asked.
const START_DEADLINE: Duration = Duration::from_secs(30);
const COMMAND_DEADLINE: Duration = Duration::from_secs(30);
const STOP_DEADLINE: Duration = Duration::from_secs(5);

/// Where each program is.
pub struct Tools(Vec<(&'static str, PathBuf)>);

impl Tools {
    /// The path of `program` (one of [`PROGRAMS`]).
    pub fn path(&self, program: &str) -> &Path {
        &self.0.iter().find(|(p, _)| *p == program).expect("a known program").1
    }
}

/// The Slurm and munge programs when they are installed and the test runs
/// as root; otherwise `None` after printing why the test skips, or a panic
/// when `VILLAGESIM_REQUIRE_SLURM=1`.
pub fn tools_or_skip() -> Option<Tools> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for program in PROGRAMS {
        match find(program) {
            Some(path) => found.push((program, path)),
            None => missing.push(program),
        }
    }
    let mut why = Vec::new();
    if !missing.is_empty() {
        why.push(format!("not found: {}", missing.join(", ")));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        why.push("not running as root".to_string());
    }
    if why.is_empty() {
        return Some(Tools(found));
    }
    let why = why.join("; ");
    let required = std::env::var_os("VILLAGESIM_REQUIRE_SLURM").is_some_and(|v| v == "1");
    assert!(!required, "VILLAGESIM_REQUIRE_SLURM=1 but Slurm cannot run here: {why}");
    println!(
        "skipped: needs Slurm and munge, and root to start their daemons ({why}); \
         apt-get install slurm-wlm munge, as .ci/run does"
    );
    None
}

/// `program` on the PATH or in the sbin folders (often not on a user's PATH).
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A running one-node cluster.
pub struct Cluster {
    dir: tempfile::TempDir,
    tools: Tools,
    conf: PathBuf,
    node: String,
    /// The daemons, in the order started.
    daemons: Vec<(&'static str, Child)>,
}

impl Cluster {
    /// Writes the configuration, starts munged, slurmctld and slurmd, and
    /// returns once `sinfo` shows the node idle.
    ///
    /// # Panics
    ///
    /// When a daemon exits or the node is not idle within [`START_DEADLINE`]
    /// (with the daemons' logs); what was started is stopped.
    pub fn start(tools: Tools) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("villagesim-slurm-")
            .tempdir()
            .expect("temp dir");
        // munged wants every folder above its socket searchable by all.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        for sub in ["munge", "state", "spool", "log"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let node = short_hostname();
        let mut cluster = Cluster {
            conf: dir.path().join("slurm.conf"),
            dir,
            tools,
            node,
            daemons: Vec::new(),
        };
        let started = Instant::now();
        cluster.start_munge();
        let text = cluster.slurm_conf();
        std::fs::write(&cluster.conf, &text).unwrap();
        println!("slurm.conf:\n{text}");
        cluster.spawn("slurmctld", &["-D"]);
        cluster.spawn("slurmd", &["-D"]);
        cluster.wait_until("the node to be idle", START_DEADLINE, |c| {
            let out = c.run(c.command("sinfo").args(["-h", "-N", "-o", "%T", "-n", &c.node]));
            String::from_utf8_lossy(&out.stdout).trim() == "idle"
        });
        println!(
            "one-node cluster {} up in {:.1} s",
            cluster.node,
            started.elapsed().as_secs_f64()
        );
        cluster
    }

    /// The temporary folder (configuration, state, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A command for `program` (a path or one of the Slurm programs) that
    /// talks to this cluster: `SLURM_CONF` set, and no `SLURM_*` or
    /// `SBATCH_*` variable of an enclosing job passed on.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = match PROGRAMS.contains(&program) {
            true => Command::new(self.tools.path(program)),
            false => Command::new(program),
        };
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if ["SLURM_", "SBATCH_", "SALLOC_", "SRUN_"]
                .iter()
                .any(|p| k.starts_with(p))
            {
                cmd.env_remove(&key);
            }
        }
        cmd.env("SLURM_CONF", &self.conf);
        cmd
    }

    /// Runs `cmd` to its end, killed at [`COMMAND_DEADLINE`].
    pub fn run(&self, cmd: &mut Command) -> Output {
        run_with_deadline(cmd, COMMAND_DEADLINE).unwrap_or_else(|e| self.fail(&e))
    }

    /// Polls `done` every 200 ms until it holds, failing at `deadline` or
    /// when a daemon has exited.
    pub fn wait_until(&mut self, what: &str, deadline: Duration, mut done: impl FnMut(&Self) -> bool) {
        let start = Instant::now();
        loop {
            let exited = self.daemons.iter_mut().find_map(|(name, child)| {
                let status = child.try_wait().ok().flatten()?;
                Some(format!("{name} exited ({status}) while waiting for {what}"))
            });
            if let Some(msg) = exited {
                self.fail(&msg);
            }
            if done(self) {
                return;
            }
            if start.elapsed() > deadline {
                self.fail(&format!("waited {} s for {what}", deadline.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Panics with `msg` and the end of every log of the cluster.
    pub fn fail(&self, msg: &str) -> ! {
        let mut logs = String::new();
        for entry in std::fs::read_dir(self.dir().join("log"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            logs += &format!("--- {}\n{}\n", entry.path().display(), tail.join("\n"));
        }
        panic!("{msg}\n{logs}");
    }

    /// A munge key of 1,024 random bytes, readable by root alone, and munged
    /// on a socket of its own.
    fn start_munge(&mut self) {
        let munge = self.dir().join("munge");
        let mut key = vec![0u8; 1024];
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(&mut key)
            .unwrap();
        let key_file = munge.join("munge.key");
        std::fs::write(&key_file, &key).unwrap();
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let arg = |flag: &str, name: &str| format!("--{flag}={}", munge.join(name).display());
        let args = [
            "-F".to_string(),
            arg("key-file", "munge.key"),
            arg("socket", "socket"),
            arg("pid-file", "munged.pid"),
            arg("seed-file", "munged.seed"),
            arg("log-file", "munged.log"),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.spawn("munged", &args);
        let socket = munge.join("socket");
        self.wait_until("munged's socket", START_DEADLINE, |_| socket.exists());
    }

    /// The configuration: this host as the one node with its own CPUs and
    /// memory (`slurmd -C`), cores and memory as consumable resources, no
    /// cgroups, no accounting. Finished jobs stay listed by `squeue` for
    /// ten minutes (`MinJobAge`), and a job is started as soon as another
    /// ends (`batch_sched_delay=0`: an array of 4 and its merge take about
    /// 5 s instead of 12 here).
    fn slurm_conf(&self) -> String {
        let d = |name: &str| self.dir().join(name).display().to_string();
        let (ctld_port, node_port) = free_ports();
        let node_line = self.node_line();
        let node = &self.node;
        let socket = d("munge/socket");
        let (spool, state, log) = (d("spool"), d("state"), d("log"));
        format!(
            "ClusterName=villagesimtest\n\
             SlurmctldHost={node}(127.0.0.1)\n\
             SlurmctldPort={ctld_port}\n\
             SlurmdPort={node_port}\n\
             SlurmUser=root\n\
             SlurmdUser=root\n\
             AuthType=auth/munge\n\
             AuthInfo=socket={socket}\n\
             CredType=cred/munge\n\
             StateSaveLocation={state}\n\
             SlurmdSpoolDir={spool}\n\
             SlurmctldPidFile={state}/slurmctld.pid\n\
             SlurmdPidFile={spool}/slurmd.pid\n\
             SlurmctldLogFile={log}/slurmctld.log\n\
             SlurmdLogFile={log}/slurmd.log\n\
             ProctrackType=proctrack/linuxproc\n\
             TaskPlugin=task/none\n\
             SelectType=select/cons_tres\n\
             SelectTypeParameters=CR_Core_Memory\n\
             AccountingStorageType=accounting_storage/none\n\
             JobAcctGatherType=jobacct_gather/none\n\
             JobCompType=jobcomp/none\n\
             MpiDefault=none\n\
             MailProg=/bin/true\n\
             ReturnToService=2\n\
             MinJobAge=600\n\
             SchedulerParameters=batch_sched_delay=0\n\
             {node_line}\n\
             PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP\n"
        )
    }

    /// The node's line: `slurmd -C`'s description of this machine, under
    /// its short host name, with `config_overrides` (and the CPUs or memory
    /// raised to the recipes' request) where the machine has fewer.
    fn node_line(&self) -> String {
        let out = self.run(Command::new(self.tools.path("slurmd")).arg("-C"));
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().next().unwrap_or_default();
        let mut fields: Vec<String> = first
            .split_whitespace()
            .filter(|f| !f.starts_with("NodeName=") && !f.starts_with("UpTime="))
            .map(String::from)
            .collect();
        let mut raised = false;
        for (key, min) in [("CPUs", MIN_CPUS), ("RealMemory", MIN_MEMORY_MIB)] {
            let prefix = format!("{key}=");
            let Some(f) = fields.iter_mut().find(|f| f.starts_with(&prefix)) else {
                self.fail(&format!("slurmd -C gives no {key}: {first}"));
            };
            let value: u64 = f[prefix.len()..].parse().unwrap_or(0);
            if value < min {
                println!("this machine has {key}={value}; the test node is configured with {min}");
                *f = format!("{prefix}{min}");
                raised = true;
            }
        }
        if raised {
            // The node's sockets and cores would then disagree with its CPUs.
            fields.retain(|f| f.starts_with("CPUs=") || f.starts_with("RealMemory="));
        }
        let mut line = format!(
            "NodeName={} NodeAddr=127.0.0.1 {} State=UNKNOWN",
            self.node,
            fields.join(" ")
        );
        if raised {
            line = format!("SlurmdParameters=config_overrides\n{line}");
        }
        line
    }

    /// Starts a daemon in the foreground, its output in `log/NAME.out`.
    fn spawn(&mut self, name: &'static str, args: &[&str]) {
        let out = std::fs::File::create(self.dir().join("log").join(format!("{name}.out"))).unwrap();
        let err = out.try_clone().unwrap();
        let child = self
            .command(name)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| self.fail(&format!("cannot start {name}: {e}")));
        self.daemons.push((name, child));
    }

    /// Processes other than this one whose environment names this cluster's
    /// configuration: what the daemons left running (slurmstepd, job scripts).
    fn strays(&self) -> Vec<i32> {
        let marker = format!("SLURM_CONF={}", self.conf.display()).into_bytes();
        let me = std::process::id() as i32;
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| pid != me)
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|env| env.split(|&b| b == 0).any(|var| var == marker.as_slice()))
            })
            .collect()
    }
}

impl Drop for Cluster {
    /// Cancels the jobs left, stops the daemons (SIGTERM, then SIGKILL after
    /// [`STOP_DEADLINE`]) in the reverse order of their start, then kills
    /// any process they left.
    fn drop(&mut self) {
        if self
            .daemons
            .iter_mut()
            .all(|(_, c)| c.try_wait().is_ok_and(|s| s.is_none()))
        {
            let _ = run_with_deadline(self.command("scancel").args(["--user", "root"]), STOP_DEADLINE);
        }
        while let Some((_, mut child)) = self.daemons.pop() {
            // SAFETY: signalling a child of this process by its pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let start = Instant::now();
            while matches!(child.try_wait(), Ok(None)) && start.elapsed() < STOP_DEADLINE {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        for pid in self.strays() {
            // SAFETY: a process that carries this cluster's SLURM_CONF, so
            // one the cluster started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// Runs `cmd` with its output captured; `Err` when it cannot start or is
/// still running after `deadline` (it is then killed).
pub fn run_with_deadline(cmd: &mut Command, deadline: Duration) -> Result<Output, String> {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    let reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = reader(Box::new(child.stdout.take().unwrap()));
    let stderr = reader(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} still running after {} s", deadline.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

/// The host name up to its first dot, as `hostname -s` prints it.
fn short_hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("the host name");
    name.trim().split('.').next().unwrap_or_default().to_string()
}

/// Two distinct TCP ports free now on this host.
fn free_ports() -> (u16, u16) {
    let bind = || std::net::TcpListener::bind("0.0.0.0:0").expect("a free port");
    let (a, b) = (bind(), bind());
    (a.local_addr().unwrap().port(), b.local_addr().unwrap().port())
}
