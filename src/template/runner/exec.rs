//! Exec mode (`-exec`, `exec {}`): `sd template` as the supervisor of one child, as
//! consul-template's docs/modes.md describes it. The child starts once every template has
//! rendered; a later change sends it `reload_signal` (or, with none, stops and starts it again)
//! after a random `splay`; signals sd does not use itself are passed on to it; when it exits,
//! sd exits with its status. The child runs in a process group of its own, which is what gets
//! the signals, so an `sh -c` wrapper does not swallow them.

use std::collections::BTreeMap;
use std::process::ExitStatus;
use std::time::Duration;

use rand::Rng;

use super::deliver::command_for;
use crate::process::{signal_named, ProcessGroup};
use crate::template::config::ExecConfig;

pub(crate) struct Supervisor {
    cfg: ExecConfig,
    env: Vec<(String, String)>,
    group: Option<ProcessGroup>,
}

impl Supervisor {
    /// `base` is sd's environment, `consul` the `CONSUL_HTTP_*` variables commands get.
    pub fn new(
        cfg: ExecConfig,
        base: &BTreeMap<String, String>,
        consul: &[(String, String)],
    ) -> Result<Supervisor, String> {
        let env = child_env(&cfg, base, consul)?;
        Ok(Supervisor {
            cfg,
            env,
            group: None,
        })
    }

    pub fn running(&self) -> bool {
        self.group.is_some()
    }

    /// Starts the child.
    pub fn start(&mut self) -> Result<(), String> {
        let mut cmd = command_for(&self.cfg.command)?;
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .process_group(0)
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .map_err(|e| format!("exec {:?}: cannot start: {e}", self.cfg.command))?;
        tracing::info!(
            "(child) spawning {:?} (pid {})",
            self.cfg.command,
            child.id().unwrap_or(0)
        );
        self.group = Some(ProcessGroup::new(child));
        Ok(())
    }

    /// A template changed: signal the child, or restart it when no reload signal is set.
    pub async fn changed(&mut self) -> Result<(), String> {
        if self.group.is_none() {
            return self.start();
        }
        self.splay().await;
        match self.cfg.reload_signal.clone() {
            Some(name) => {
                tracing::info!("(child) sending {name} to the child");
                self.signal(&name);
                Ok(())
            }
            None => {
                tracing::info!("(child) restarting the child");
                self.stop().await;
                self.start()
            }
        }
    }

    /// Passes a signal on to the child's group.
    pub fn signal(&self, name: &str) {
        let (Some(group), Some(sig)) = (&self.group, signal_named(name)) else {
            return;
        };
        if let Err(e) = group.signal(sig) {
            tracing::warn!("(child) cannot send {name}: {e}");
        }
    }

    /// Sends `kill_signal`, waits up to `kill_timeout`, then SIGKILLs the group.
    pub async fn stop(&mut self) {
        let Some(mut group) = self.group.take() else {
            return;
        };
        if let Some(sig) = signal_named(&self.cfg.kill_signal) {
            let _ = group.signal(sig);
        }
        if tokio::time::timeout(self.cfg.kill_timeout, group.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "(child) still running {:?} after {}; killing it",
                self.cfg.kill_signal,
                crate::api::format_duration(self.cfg.kill_timeout)
            );
            group.kill();
            let _ = tokio::time::timeout(Duration::from_secs(5), group.wait()).await;
        }
    }

    /// Resolves when the child exits (never while there is none).
    pub async fn exited(&mut self) -> ExitStatus {
        match &mut self.group {
            Some(group) => match group.wait().await {
                Ok(status) => {
                    self.group = None;
                    status
                }
                Err(_) => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }

    async fn splay(&self) {
        if self.cfg.splay.is_zero() {
            return;
        }
        let max = self.cfg.splay.as_millis().min(u128::from(u64::MAX)) as u64;
        let wait = Duration::from_millis(rand::rng().random_range(0..=max));
        tokio::time::sleep(wait).await;
    }
}

/// The exit code sd ends with when the child exited: its code, or 128 + the signal.
pub(crate) fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(1),
        _ => 1,
    }
}

/// The child's environment: sd's own (or none with `pristine`), filtered by `allowlist` and
/// `denylist` (globs on the name), then the `CONSUL_HTTP_*` variables, then `custom`.
fn child_env(
    cfg: &ExecConfig,
    base: &BTreeMap<String, String>,
    consul: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let globs = |patterns: &[String]| -> Result<Option<globset::GlobSet>, String> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut set = globset::GlobSetBuilder::new();
        for p in patterns {
            set.add(globset::Glob::new(p).map_err(|e| format!("exec env pattern {p:?}: {e}"))?);
        }
        set.build().map(Some).map_err(|e| e.to_string())
    };
    let allow = globs(&cfg.env.allowlist)?;
    let deny = globs(&cfg.env.denylist)?;
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    if !cfg.env.pristine {
        for (k, v) in base {
            let allowed = allow.as_ref().is_none_or(|a| a.is_match(k));
            let denied = deny.as_ref().is_some_and(|d| d.is_match(k));
            if allowed && !denied {
                env.insert(k.clone(), v.clone());
            }
        }
        for (k, v) in consul {
            env.insert(k.clone(), v.clone());
        }
    }
    for kv in &cfg.env.custom {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(format!("exec env custom {kv:?}: expected KEY=value"));
        };
        env.insert(k.to_string(), v.to_string());
    }
    Ok(env.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::config::{CommandSpec, ExecEnv};

    fn cfg(env: ExecEnv) -> ExecConfig {
        ExecConfig {
            env,
            ..ExecConfig::new(CommandSpec::Shell("true".into()))
        }
    }

    #[test]
    fn environment_filters() {
        let base: BTreeMap<String, String> =
            [("PATH", "/bin"), ("SECRET_KEY", "x"), ("APP_MODE", "y")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let consul = vec![("CONSUL_HTTP_ADDR".to_string(), "http://a:1".to_string())];
        let env = child_env(
            &cfg(ExecEnv {
                denylist: vec!["SECRET_*".into()],
                custom: vec!["EXTRA=1".into()],
                ..Default::default()
            }),
            &base,
            &consul,
        )
        .unwrap();
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["APP_MODE", "CONSUL_HTTP_ADDR", "EXTRA", "PATH"]);
        let env = child_env(
            &cfg(ExecEnv {
                allowlist: vec!["APP_*".into()],
                ..Default::default()
            }),
            &base,
            &[],
        )
        .unwrap();
        assert_eq!(env, vec![("APP_MODE".to_string(), "y".to_string())]);
        let env = child_env(
            &cfg(ExecEnv {
                pristine: true,
                custom: vec!["ONLY=1".into()],
                ..Default::default()
            }),
            &base,
            &consul,
        )
        .unwrap();
        assert_eq!(env, vec![("ONLY".to_string(), "1".to_string())]);
        assert!(child_env(
            &cfg(ExecEnv {
                custom: vec!["NOEQUALS".into()],
                ..Default::default()
            }),
            &base,
            &[]
        )
        .is_err());
    }

    #[test]
    fn exit_codes() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(15)), 143);
    }
}
