//! Puts a rendered template where it belongs: stdout under `-dry`, else its destination file
//! (written only when the content changed), and runs the commands of the files that changed.

use std::path::Path;
use std::time::Duration;

use crate::template::config::CommandSpec;

/// Writes `contents` to `dest` unless it already holds exactly that; returns whether it wrote.
pub(crate) fn write_if_changed(dest: &Path, contents: &[u8]) -> std::io::Result<bool> {
    if std::fs::read(dest).is_ok_and(|old| old == contents) {
        return Ok(false);
    }
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = dest.with_extension("sd-template.tmp");
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, dest)?;
    Ok(true)
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
