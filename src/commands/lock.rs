//! `sd lock [options] prefix child...`: runs a child while holding a lock (`-n 1`) or one of
//! `-n` semaphore slots under a KV prefix, with `consul lock`'s flags, messages and key layout
//! (`client::lock`). The child gets `CONSUL_LOCK_HELD=true`, and from sd also the session
//! (`SD_LOCK_SESSION`) and a fencing token (`SD_LOCK_INDEX`: the lock's LockIndex, or the
//! semaphore holder list's ModifyIndex). If the lock is lost, or sd is told to stop, the child
//! (its whole process group) gets SIGTERM and, 5 s later, SIGKILL.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use rustix::process::Signal;

use crate::cli::{http_flags, output};
use crate::client::lock::{LockError, LockOptions, Locker};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_all, get_flag, get_int, get_str, opt};
use crate::process::ProcessGroup;

/// How long a child has between SIGTERM and SIGKILL (Consul's `lockKillGracePeriod`).
const KILL_GRACE: Duration = Duration::from_secs(5);
/// The pause between monitoring retries (Consul's `defaultMonitorRetryTime`).
const MONITOR_RETRY_TIME: Duration = Duration::from_secs(1);

pub fn cli() -> Command {
    Command::new("lock")
        .about("Execute a command holding a lock")
        .long_about(
            "Acquires a lock or semaphore at a given KV prefix and runs the child while it is \
             held. If the lock is lost or sd is stopped, the child gets SIGTERM and, after 5 \
             seconds, SIGKILL. With -n 1 there is one holder (the key PREFIX/.lock); a higher \
             -n makes it a semaphore with that many holders.",
        )
        .arg(flag(
            "child-exit-code",
            "Exit 2 if the child process exited with an error; otherwise an error of the \
             child is not propagated. Default false.",
        ))
        .arg(opt(
            "n",
            "INT",
            "Limit on the number of concurrent lock holders: a lock at 1, a semaphore above. \
             Default 1.",
        ))
        .arg(opt(
            "monitor-retry",
            "INT",
            "Number of times to retry a failed read while monitoring the lock before the \
             lock counts as lost, 1s apart; 0 disables retries. Default 3.",
        ))
        .arg(opt(
            "name",
            "NAME",
            "Name of the lock session. Default: one built from the child command.",
        ))
        .arg(flag("pass-stdin", "Pass stdin to the child process."))
        .arg(flag(
            "shell",
            "Run the child with a shell ($SHELL, else /bin/sh). Default true.",
        ))
        .arg(opt(
            "timeout",
            "DURATION",
            "Maximum time to wait to acquire the lock, like \"1s\" or \"3h\". Default 0: wait \
             until acquired.",
        ))
        .arg(opt("try", "DURATION", "Deprecated: use -timeout.").hide(true))
        .arg(flag("verbose", "Enable verbose (debugging) output."))
        .arg(
            Arg::new("args")
                .value_name("PREFIX CHILD...")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let limit = get_int(m, "n", 1).map_err(CliError::usage)?;
    if limit <= 0 {
        return Err(CliError::failure("Lock holder limit must be positive"));
    }
    let args = get_all(m, "args");
    if args.len() < 2 {
        return Err(CliError::failure(
            "Key prefix and child command must be specified",
        ));
    }
    let prefix = args[0].trim_start_matches('/').to_string();
    let child_args = args[1..].to_vec();
    let timeout = match get_str(m, "timeout").or_else(|| get_str(m, "try")) {
        None => Duration::ZERO,
        Some(t) => crate::api::parse_duration(t).map_err(|_| {
            if t.trim_start().starts_with('-') {
                CliError::failure("Timeout must be positive")
            } else {
                CliError::usage(format!(
                    "invalid value {t:?} for flag -timeout: parse error"
                ))
            }
        })?,
    };
    let monitor_retry = get_int(m, "monitor-retry", 3).map_err(CliError::usage)?;
    if monitor_retry < 0 {
        return Err(CliError::failure("Number for 'monitor-retry' must be >= 0"));
    }
    let name = get_str(m, "name").filter(|n| !n.is_empty()).map_or_else(
        || format!("Consul lock for '{}' at '{prefix}'", child_args.join(" ")),
        str::to_string,
    );
    let run = Run {
        verbose: get_flag(m, "verbose"),
        shell: m.get_one::<bool>("shell").copied().unwrap_or(true),
        pass_stdin: get_flag(m, "pass-stdin"),
        child_exit_code: get_flag(m, "child-exit-code"),
        child_args,
    };
    let opts = LockOptions {
        prefix,
        limit: u32::try_from(limit).unwrap_or(u32::MAX),
        session_name: name,
        monitor_retries: u32::try_from(monitor_retry).unwrap_or(u32::MAX),
        monitor_retry_time: MONITOR_RETRY_TIME,
        timeout: (!timeout.is_zero()).then_some(timeout),
    };
    let client = crate::commands::connect(m)?;
    let rt = crate::commands::runtime()?;
    let code = rt.block_on(run.run(client, opts))?;
    Ok(ExitCode::from(code))
}

struct Run {
    verbose: bool,
    shell: bool,
    pass_stdin: bool,
    child_exit_code: bool,
    child_args: Vec<String>,
}

impl Run {
    fn info(&self, text: &str) {
        if self.verbose {
            output::println(text);
        }
    }

    async fn run(&self, client: crate::client::Client, opts: LockOptions) -> Result<u8, CliError> {
        if let Err(e) = client.agent().self_info().await {
            return Err(CliError::failure(format!(
                "Error querying Consul agent: {e}"
            )));
        }
        let semaphore = opts.limit > 1;
        if semaphore {
            self.info(&format!(
                "Setting up semaphore (limit {}) at prefix: {}",
                opts.limit, opts.prefix
            ));
        }
        let mut locker = Locker::new(client, opts);
        if !semaphore {
            self.info(&format!("Setting up lock at path: {}", locker.lock_key()));
        }
        self.info("Attempting lock acquisition");
        let held = match locker.acquire(crate::commands::stop_signal()).await {
            Ok(Some(held)) => held,
            Ok(None) => {
                let _ = locker.release().await;
                return Err(CliError::failure(
                    "Shutdown triggered or timeout during lock acquisition",
                ));
            }
            Err(e) => {
                let _ = locker.release().await;
                return Err(CliError::failure(format!("Lock acquisition failed: {e}")));
            }
        };
        let mut child_code = 0u8;
        match self.start_child(&held.session, held.fencing) {
            Err(e) => {
                output::eprintln(&format!("Error starting handler: {e}"));
                child_code = 2;
            }
            Ok(mut child) => {
                let exited = tokio::select! {
                    status = child.wait() => Some(status),
                    () = crate::commands::stop_signal() => {
                        self.info("Shutdown triggered, killing child");
                        None
                    }
                    _ = held.lost => {
                        self.info("Lock lost, killing child");
                        None
                    }
                };
                match exited {
                    Some(status) => {
                        let ok = status.as_ref().is_ok_and(std::process::ExitStatus::success);
                        if !ok {
                            let why = match status {
                                Ok(s) => s.to_string(),
                                Err(e) => e.to_string(),
                            };
                            output::eprintln(&format!("Error running handler: {why}"));
                            child_code = 2;
                        }
                        self.info("Child terminated, releasing lock");
                    }
                    None => self.kill_child(&mut child).await,
                }
            }
        }
        if let Err(e) = locker.release().await {
            return Err(CliError::failure(format!("Lock release failed: {e}")));
        }
        match locker.cleanup().await {
            Ok(()) => self.info("Cleanup succeeded"),
            Err(LockError::LockInUse | LockError::SemaphoreInUse) => {
                self.info("Cleanup aborted, lock in use");
            }
            Err(e) => return Err(CliError::failure(format!("Lock cleanup failed: {e}"))),
        }
        Ok(if self.child_exit_code { child_code } else { 0 })
    }

    fn start_child(&self, session: &str, fencing: u64) -> std::io::Result<ProcessGroup> {
        self.info("Starting handler");
        let shell = self.shell.then(crate::config::user_shell);
        let mut cmd = crate::process::command(&self.child_args, shell.as_deref())
            .ok_or_else(|| std::io::Error::other("no child command"))?;
        cmd.env("CONSUL_LOCK_HELD", "true")
            .env("SD_LOCK_SESSION", session)
            .env("SD_LOCK_INDEX", fencing.to_string())
            .process_group(0)
            .kill_on_drop(false);
        if self.pass_stdin {
            self.info("Stdin passed to handler process");
        } else {
            cmd.stdin(std::process::Stdio::null());
        }
        Ok(ProcessGroup::new(cmd.spawn()?))
    }

    /// SIGTERM to the child's group, SIGKILL after the grace period.
    async fn kill_child(&self, child: &mut ProcessGroup) {
        if let Some(pid) = child.pid() {
            self.info(&format!("Terminating child pid {pid}"));
        }
        if let Err(e) = child.signal(Signal::TERM) {
            output::eprintln(&format!("Failed to terminate child: {e}"));
        }
        if tokio::time::timeout(KILL_GRACE, child.wait()).await.is_ok() {
            self.info("Child terminated");
            return;
        }
        self.info(&format!(
            "Child did not exit after grace period of {}",
            crate::api::format_duration(KILL_GRACE)
        ));
        child.kill();
        let _ = child.wait().await;
    }
}
