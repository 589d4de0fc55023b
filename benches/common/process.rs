//! A child process the bench started: its output goes to a log file (appended to, so a restarted
//! agent keeps one log), it is killed with SIGKILL and reaped when dropped (also while a panic
//! unwinds), and its command line and last log lines are at hand for error messages. Its memory
//! and CPU time are read from /proc.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// A running child process; SIGKILLed and reaped on drop.
pub struct Proc {
    /// A short name for messages (`sd`, `etcd`, `agent 3`, ...).
    pub name: String,
    child: Option<Child>,
    pub spawned_at: Instant,
    log_path: PathBuf,
    cmdline: String,
}

impl Proc {
    /// Starts `cmd` with stdin closed and stdout and stderr appended to `log_path`.
    pub fn spawn(name: &str, mut cmd: Command, log_path: &Path) -> Result<Proc> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .with_context(|| format!("log file {}", log_path.display()))?;
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let cmdline = std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let spawned_at = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {name}: {cmdline}"))?;
        Ok(Proc {
            name: name.to_string(),
            child: Some(child),
            spawned_at,
            log_path: log_path.to_path_buf(),
            cmdline,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Sends SIGKILL and reaps the process; returns when it is gone. No-op if already stopped.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The exit status if the process has exited (an already stopped one counts as running no
    /// more: `Ok(None)` only while it runs).
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        match self.child.as_mut() {
            Some(c) => Ok(c.try_wait()?),
            None => Ok(Some(ExitStatus::default())),
        }
    }

    /// Fails, with the log tail, if the process has exited.
    pub fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.exited()? {
            bail!("{} exited ({status})\n{}", self.name, self.describe());
        }
        Ok(())
    }

    /// Resident set size (VmRSS from /proc/PID/status), in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        self.status_kib("VmRSS")
    }

    /// A `kB` field of /proc/PID/status (`VmRSS`, `RssAnon`, `RssFile`, ...), in KiB.
    pub fn status_kib(&self, field: &str) -> Result<u64> {
        let pid = self
            .pid()
            .with_context(|| format!("{} is not running", self.name))?;
        let path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&path).with_context(|| path.clone())?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {field} in {path}"))
    }

    /// CPU time the process has used so far, in clock ticks ([`cpu_ticks_of`]).
    pub fn cpu_ticks(&self) -> Result<u64> {
        let pid = self
            .pid()
            .with_context(|| format!("{} is not running", self.name))?;
        cpu_ticks_of(pid)
    }

    /// Command line and the last lines of the log, for error messages.
    pub fn describe(&self) -> String {
        let mut log = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let _ = f.read_to_string(&mut log);
        }
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!(
            "command: {}\n--- last lines of {} ---\n{tail}",
            self.cmdline,
            self.log_path.display()
        )
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// `cmd` with every variable that would point a client or a server elsewhere removed
/// (`CONSUL_HTTP_ADDR`, `SD_*`, `ETCD*`), so the bench measures exactly its own command line.
pub fn clean_env(mut cmd: Command) -> Command {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CONSUL_") || k.starts_with("SD_") || k.starts_with("ETCD") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// CPU time process `pid` has used so far, user plus system, in clock ticks (`utime` and
/// `stime` of /proc/PID/stat; see [`crate::machine::clock_ticks_per_sec`]).
pub fn cpu_ticks_of(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| path.clone())?;
    // The command name (field 2) may hold spaces; the fields after it start at `)`.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .with_context(|| format!("{path}: no `)`"))?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime field 15.
    let field = |i: usize| -> Result<u64> {
        f.get(i - 3)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{path}: no field {i}"))
    };
    Ok(field(14)? + field(15)?)
}

/// CPU time the threads of process `pid` have used so far, in nanoseconds: the first field of
/// each /proc/PID/task/TID/schedstat (the scheduler's own accounting, not rounded to clock
/// ticks; threads that have exited no longer count).
pub fn cpu_ns_of(pid: u32) -> Result<u64> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0;
    for task in std::fs::read_dir(&dir).with_context(|| dir.clone())? {
        let path = task?.path().join("schedstat");
        // A thread that ended since the listing has no file any more: it is not counted.
        let Ok(stat) = std::fs::read_to_string(&path) else {
            continue;
        };
        total += stat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .with_context(|| format!("{}: no run time", path.display()))?;
    }
    Ok(total)
}
