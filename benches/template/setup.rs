//! What both parts of the template bench share: a dev agent, writes to it, `sd template` as a
//! child process, and the moments files in a directory are renamed into place (inotify).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use notify::Watcher as _;

use crate::process::{clean_env, Proc};
use crate::servers::{Launch, SdMode, Server};

/// A ready `sd agent -dev`.
pub async fn agent(l: &Launch) -> Result<Server> {
    let mut agent = Server::spawn_sd(l, SdMode::Dev)?;
    agent.wait_ready().await?;
    Ok(agent)
}

/// `sd template <args>` against `http`, its log in `dir/sd-template.log`.
pub fn sd_template(l: &Launch, http: SocketAddr, args: &[String], dir: &Path) -> Result<Proc> {
    let mut cmd = clean_env(Command::new(&l.sd_bin));
    cmd.arg("template")
        .arg(format!("-consul-addr={http}"))
        .arg("-log-level=warn")
        .args(args);
    Proc::spawn("sd template", cmd, &dir.join("sd-template.log"))
}

/// Polls `f` every millisecond until it holds, at most `timeout`.
pub async fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while !f() {
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

/// When files of one directory were last put in place: the wall-clock time of each inotify
/// event that created or renamed a file there, taken in the watcher's callback.
pub struct Landings {
    times: Arc<Mutex<Vec<(PathBuf, SystemTime)>>>,
    _watcher: notify::RecommendedWatcher,
}

impl Landings {
    pub fn watch(dir: &Path) -> Result<Landings> {
        let times: Arc<Mutex<Vec<(PathBuf, SystemTime)>>> = Arc::default();
        let sink = times.clone();
        let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let now = SystemTime::now();
            let Ok(ev) = ev else { return };
            let landed = matches!(
                ev.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
            );
            if landed {
                let mut t = sink.lock().unwrap_or_else(|p| p.into_inner());
                t.extend(ev.paths.into_iter().map(|p| (p, now)));
            }
        })?;
        watcher
            .watch(dir, notify::RecursiveMode::NonRecursive)
            .with_context(|| format!("watch {}", dir.display()))?;
        Ok(Landings {
            times,
            _watcher: watcher,
        })
    }

    /// The first time `path` landed at or after `since`.
    pub fn first_since(&self, path: &Path, since: SystemTime) -> Option<SystemTime> {
        let t = self.times.lock().unwrap_or_else(|p| p.into_inner());
        t.iter()
            .filter(|(p, at)| p == path && *at >= since)
            .map(|(_, at)| *at)
            .min()
    }
}

/// `b - a` in milliseconds (negative when `b` is earlier).
pub fn ms_between(a: SystemTime, b: SystemTime) -> f64 {
    match b.duration_since(a) {
        Ok(d) => d.as_secs_f64() * 1e3,
        Err(e) => -e.duration().as_secs_f64() * 1e3,
    }
}

/// CPU time of `p` so far, in nanoseconds.
pub fn cpu_ns(p: &Proc) -> Result<u64> {
    crate::process::cpu_ns_of(p.pid().context("sd template has exited")?)
}
