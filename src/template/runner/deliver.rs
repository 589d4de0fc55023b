//! The commands around a destination: the `check_command` that validates new content
//! (`{{.src}}` names it) and the command run after a file changed.

use std::path::Path;
use std::time::Duration;

use crate::process::ProcessGroup;
use crate::template::config::CommandSpec;

/// `spec` with every `{{.src}}` replaced by `path` (a `check_command` names the new content
/// that way, as confd's `check_cmd` does).
pub(crate) fn with_src(spec: &CommandSpec, path: &Path) -> CommandSpec {
    let path = path.display().to_string();
    match spec {
        CommandSpec::Shell(s) => CommandSpec::Shell(s.replace("{{.src}}", &path)),
        CommandSpec::Args(a) => {
            CommandSpec::Args(a.iter().map(|s| s.replace("{{.src}}", &path)).collect())
        }
    }
}

/// How long a killed command's group may take to be reaped before sd goes on.
const REAP_WAIT: Duration = Duration::from_secs(5);

/// The process for `spec`: through `sh -c` when it is one string with spaces (as
/// consul-template does), else exec'd directly.
pub(crate) fn command_for(spec: &CommandSpec) -> Result<tokio::process::Command, String> {
    Ok(match spec {
        CommandSpec::Shell(s) if s.contains(char::is_whitespace) => {
            let mut c = tokio::process::Command::new("/bin/sh");
            c.arg("-c").arg(s);
            c
        }
        CommandSpec::Shell(s) => tokio::process::Command::new(s),
        CommandSpec::Args(args) => {
            let Some((first, rest)) = args.split_first() else {
                return Err("empty command".into());
            };
            let mut c = tokio::process::Command::new(first);
            c.args(rest);
            c
        }
    })
}

/// Runs `spec` in a process group of its own, its output going to sd's, waiting at most
/// `timeout`; past it the whole group (`sh -c` and what it started) is killed.
pub(crate) async fn run_command(
    spec: &CommandSpec,
    timeout: Duration,
    env: &[(String, String)],
) -> Result<(), String> {
    let mut cmd = command_for(spec)?;
    cmd.envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let mut group = ProcessGroup::new(child);
    match tokio::time::timeout(timeout, group.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("failed: {status}")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => {
            group.kill();
            let _ = tokio::time::timeout(REAP_WAIT, group.wait()).await;
            Err(format!(
                "timed out after {}; its process group was killed",
                crate::api::format_duration(timeout)
            ))
        }
    }
}
