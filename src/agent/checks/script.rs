//! Script checks: run `Args` (or `/bin/sh -c Script`) in a process group of its own, stdin
//! from /dev/null, stdout and stderr captured through one pipe (the last OutputMaxSize bytes, with
//! Consul's `Captured N of M bytes` note when more came). Exit 0 is passing, 1 warning,
//! anything else (or a signal) critical.
//!
//! Past the timeout (30 s by default) the whole process group is killed and the check is
//! critical with Consul's `Timed out (30s) running check`, followed by what was captured.
//! A runner stopped mid-run kills the group too.

use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::unix::pipe::Receiver;
use tokio::process::Command;

use super::output::{go_io_error, TailBuffer};
use super::Status;
use crate::api::format_duration;
use crate::process::ProcessGroup;

/// How long to wait for a killed script to be reaped before reporting anyway.
const REAP_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub(super) struct ScriptProbe {
    argv: Vec<String>,
    timeout: Duration,
    output_max: usize,
}

impl ScriptProbe {
    pub(super) fn new(argv: Vec<String>, timeout: Duration, output_max: usize) -> ScriptProbe {
        ScriptProbe {
            argv,
            timeout,
            output_max,
        }
    }

    pub(super) async fn run(&self) -> (Status, String) {
        let Some((program, args)) = self.argv.split_first() else {
            return (Status::Critical, "need an executable to run".to_string());
        };
        // One pipe for stdout and stderr, as Go's os/exec does when both go to the same
        // writer: the output keeps the order the script wrote it in.
        let pipe = std::io::pipe().and_then(|(reader, writer)| {
            let second = writer.try_clone()?;
            Ok((reader, writer, second))
        });
        let (reader, stdout, stderr) = match pipe {
            Ok(ends) => ends,
            Err(e) => return (Status::Critical, format!("pipe: {}", go_io_error(&e))),
        };
        let output = match Receiver::from_owned_fd(OwnedFd::from(reader)) {
            Ok(output) => output,
            Err(e) => return (Status::Critical, format!("pipe: {}", go_io_error(&e))),
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0)
            .kill_on_drop(true);
        let spawned = command.spawn();
        // The command holds our copies of the pipe's write end; with them closed, the read side
        // ends once the script (and anything it left running) has closed theirs.
        drop(command);
        let child = match spawned {
            Ok(child) => child,
            Err(e) => return (Status::Critical, spawn_error(program, &e)),
        };
        let mut group = ProcessGroup::new(child);
        let captured = Mutex::new(TailBuffer::new(self.output_max));

        let child = &mut group.child;
        let finished = tokio::time::timeout(self.timeout, async {
            let (_, exit) = tokio::join!(pump(output, &captured), child.wait());
            exit
        })
        .await;
        match finished {
            Ok(Ok(exit)) => {
                group.mark_reaped();
                (classify(exit), text(&captured))
            }
            Ok(Err(e)) => (Status::Critical, format!("wait: {}", go_io_error(&e))),
            Err(_) => {
                group.kill();
                let _ = tokio::time::timeout(REAP_WAIT, group.wait()).await;
                let mut message = format!(
                    "Timed out ({}) running check",
                    format_duration(self.timeout)
                );
                tracing::warn!(command = ?self.argv, timeout = %format_duration(self.timeout), "timed out running check");
                let output = text(&captured);
                if !output.is_empty() {
                    message.push_str("\n\n");
                    message.push_str(&output);
                }
                (Status::Critical, message)
            }
        }
    }
}

/// Exit 0 passing, 1 warning, anything else critical.
fn classify(exit: ExitStatus) -> Status {
    match exit.code() {
        Some(0) => Status::Passing,
        Some(1) => Status::Warning,
        _ => Status::Critical,
    }
}

/// The captured output, with Consul's note when some was dropped.
fn text(captured: &Mutex<TailBuffer>) -> String {
    let buffer = captured.lock().unwrap_or_else(|p| p.into_inner());
    if buffer.truncated() {
        format!(
            "Captured {} of {} bytes\n...\n{}",
            buffer.len(),
            buffer.total(),
            buffer.text()
        )
    } else {
        buffer.text()
    }
}

async fn pump(mut stream: impl AsyncRead + Unpin, captured: &Mutex<TailBuffer>) {
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => captured
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .write(&chunk[..n]),
        }
    }
}

/// Go's wording for a command that cannot start.
fn spawn_error(program: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound && !program.contains('/') {
        format!("exec: {program:?}: executable file not found in $PATH")
    } else {
        format!("fork/exec {program}: {}", go_io_error(e))
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
