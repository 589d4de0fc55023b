//! The commands around a destination: the `check_command` that validates new content
//! (`{{.src}}` names it) and the command run after a file changed.

use std::path::Path;
use std::time::Duration;

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

/// Runs `spec` (through `sh -c` when it is one string with spaces), waiting at most `timeout`.
pub(crate) async fn run_command(
    spec: &CommandSpec,
    timeout: Duration,
    env: &[(String, String)],
) -> Result<(), String> {
    let mut cmd = match spec {
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
    };
    cmd.envs(env.iter().map(|(k, v)| (k, v))).kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("failed: {status}")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("timed out after {timeout:?}")),
    }
}
