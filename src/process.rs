//! Child processes in a process group of their own: a script check, a template's command or
//! the child of `sd template -exec`, and everything they start, are signalled and killed
//! together, so a timed-out `sh -c` leaves no orphan behind. Shared by `agent` and `template`.
//!
//! May import: nothing (checked by tests/architecture.rs).

use std::process::ExitStatus;

use rustix::process::{Pid, Signal};
use tokio::process::Child;

/// A started child that leads its own process group (spawned with `process_group(0)`).
/// Dropping it kills the group unless the child was reaped: a reaped leader's group ID could
/// belong to someone else by now.
pub struct ProcessGroup {
    pub child: Child,
    pid: Option<u32>,
    reaped: bool,
}

impl ProcessGroup {
    pub fn new(child: Child) -> ProcessGroup {
        let pid = child.id();
        ProcessGroup {
            child,
            pid,
            reaped: false,
        }
    }

    /// The leader's process id (none once reaped).
    pub fn pid(&self) -> Option<u32> {
        self.pid.filter(|_| !self.reaped)
    }

    /// Waits for the leader to exit and records that it was reaped.
    pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        self.reaped = true;
        Ok(status)
    }

    /// Records that the leader was reaped by a `wait` on `child` made elsewhere.
    pub fn mark_reaped(&mut self) {
        self.reaped = true;
    }

    /// Sends `signal` to the whole group.
    pub fn signal(&self, signal: Signal) -> std::io::Result<()> {
        match self.pid() {
            Some(pid) => signal_group(pid, signal),
            None => Ok(()),
        }
    }

    /// SIGKILLs the whole group.
    pub fn kill(&mut self) {
        if let Err(e) = self.signal(Signal::KILL) {
            tracing::debug!(pid = ?self.pid, "killing the process group: {e}");
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A child command: `argv` run directly, or, with `shell`, its words joined into one line run
/// by that shell (`shell -c LINE`). `None` for an empty `argv`.
pub fn command(argv: &[String], shell: Option<&str>) -> Option<tokio::process::Command> {
    let (program, rest) = argv.split_first()?;
    Some(match shell {
        Some(sh) => {
            let mut c = tokio::process::Command::new(sh);
            c.arg("-c").arg(argv.join(" "));
            c
        }
        None => {
            let mut c = tokio::process::Command::new(program);
            c.args(rest);
            c
        }
    })
}

/// Sends `signal` to the process group led by `pid` (a child spawned with `process_group(0)`
/// and not yet reaped).
pub fn signal_group(pid: u32, signal: Signal) -> std::io::Result<()> {
    match i32::try_from(pid).ok().and_then(Pid::from_raw) {
        Some(pid) => rustix::process::kill_process_group(pid, signal).map_err(Into::into),
        None => Ok(()),
    }
}

/// The signal called `name` (`SIGHUP`, `HUP`, `hup`).
pub fn signal_named(name: &str) -> Option<Signal> {
    let upper = name.trim().to_ascii_uppercase();
    Some(match upper.strip_prefix("SIG").unwrap_or(&upper) {
        "HUP" => Signal::HUP,
        "INT" => Signal::INT,
        "QUIT" => Signal::QUIT,
        "ILL" => Signal::ILL,
        "TRAP" => Signal::TRAP,
        "ABRT" => Signal::ABORT,
        "BUS" => Signal::BUS,
        "FPE" => Signal::FPE,
        "KILL" => Signal::KILL,
        "USR1" => Signal::USR1,
        "SEGV" => Signal::SEGV,
        "USR2" => Signal::USR2,
        "PIPE" => Signal::PIPE,
        "ALRM" => Signal::ALARM,
        "TERM" => Signal::TERM,
        "CHLD" => Signal::CHILD,
        "CONT" => Signal::CONT,
        "STOP" => Signal::STOP,
        "TSTP" => Signal::TSTP,
        "TTIN" => Signal::TTIN,
        "TTOU" => Signal::TTOU,
        "URG" => Signal::URG,
        "XCPU" => Signal::XCPU,
        "XFSZ" => Signal::XFSZ,
        "VTALRM" => Signal::VTALARM,
        "PROF" => Signal::PROF,
        "WINCH" => Signal::WINCH,
        "IO" => Signal::IO,
        "PWR" => Signal::POWER,
        "SYS" => Signal::SYS,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(signal_named("SIGHUP"), Some(Signal::HUP));
        assert_eq!(signal_named("term"), Some(Signal::TERM));
        assert_eq!(signal_named("SIGNOPE"), None);
    }

    #[tokio::test]
    async fn a_group_is_killed_with_its_children() {
        let mut cmd = tokio::process::Command::new("/bin/sh");
        cmd.arg("-c")
            .arg("sleep 30 & sleep 30; wait")
            .process_group(0);
        let mut group = ProcessGroup::new(cmd.spawn().unwrap());
        let pgid = group.pid().unwrap();
        group.kill();
        let status = group.wait().await.unwrap();
        assert!(!status.success());
        // No live process of the group is left (the background sleep was killed too; it may
        // stay a zombie for a moment until its new parent reaps it).
        let live = || {
            std::fs::read_dir("/proc")
                .unwrap()
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
                .filter(|stat| {
                    let after = stat.rsplit_once(')').map(|(_, a)| a).unwrap_or("");
                    let fields: Vec<&str> = after.split_whitespace().collect();
                    fields.first() != Some(&"Z")
                        && fields.get(2) == Some(&pgid.to_string().as_str())
                })
                .count()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while live() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the group outlived its kill"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
