//! What both parts of the register-docker bench share: a dev agent behind the counting proxy,
//! `sd register-docker` as a child process, the engine's own event times (`docker events`), a
//! watcher of one service in the catalog (blocking queries), and containers driven through the
//! docker CLI, many at once.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use tokio::io::AsyncBufReadExt;

use crate::process::{clean_env, Proc};
use crate::servers::Launch;

/// `sd register-docker` against `agent` (the proxy), its log in `dir`.
pub fn register_docker(l: &Launch, agent: SocketAddr, dir: &std::path::Path) -> Result<Proc> {
    let mut cmd = clean_env(Command::new(&l.sd_bin));
    cmd.args([
        "register-docker",
        "-ip=127.0.0.1",
        "-docker-host=unix:///var/run/docker.sock",
    ])
    .arg(format!("consul://{agent}"));
    Proc::spawn("sd register-docker", cmd, &dir.join("register-docker.log"))
}

/// `docker <args>`; its trimmed stdout.
pub async fn docker(args: &[String]) -> Result<String> {
    let out = tokio::process::Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .context("run docker")?;
    if !out.status.success() {
        bail!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `docker <verb> <name>` for every name at the same time.
pub async fn docker_each(verb: &[&str], names: &[String]) -> Result<()> {
    let runs = names.iter().map(|n| {
        let mut args: Vec<String> = verb.iter().map(|s| s.to_string()).collect();
        args.push(n.clone());
        async move { docker(&args).await }
    });
    for r in futures::future::join_all(runs).await {
        r?;
    }
    Ok(())
}

/// Containers `<prefix>-<i>` created (not started) from `image`, each publishing port 80 and
/// named service `service`; removed on drop.
pub struct Containers {
    pub names: Vec<String>,
}

impl Containers {
    pub async fn create(prefix: &str, n: usize, image: &str, service: &str) -> Result<Containers> {
        let names: Vec<String> = (0..n).map(|i| format!("{prefix}-{i}")).collect();
        let _ = Command::new("docker")
            .arg("rm")
            .arg("-f")
            .args(&names)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let c = Containers { names };
        let env = format!("SERVICE_NAME={service}");
        for chunk in c.names.chunks(10) {
            let runs = chunk.iter().map(|name| {
                let args: Vec<String> = [
                    "create",
                    "--name",
                    name,
                    "-p",
                    "127.0.0.1::80",
                    "-e",
                    &env,
                    image,
                    "sleep",
                    "3600",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                async move { docker(&args).await }
            });
            for r in futures::future::join_all(runs).await {
                r?;
            }
        }
        Ok(c)
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .arg("rm")
            .arg("-f")
            .args(&self.names)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The engine's time of each `start` and `die`, by container name, from `docker events`.
pub struct EngineEvents {
    pub times: Arc<Mutex<BTreeMap<(String, String), SystemTime>>>,
    child: tokio::process::Child,
}

impl EngineEvents {
    pub async fn follow() -> Result<EngineEvents> {
        let mut child = tokio::process::Command::new("docker")
            .args([
                "events",
                "--filter",
                "type=container",
                "--filter",
                "event=start",
                "--filter",
                "event=die",
                "--format",
                "{{.Actor.Attributes.name}} {{.Action}} {{.TimeNano}}",
            ])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("docker events")?;
        let out = child.stdout.take().context("docker events stdout")?;
        let times: Arc<Mutex<BTreeMap<(String, String), SystemTime>>> = Arc::default();
        let sink = times.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(out).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut parts = line.split(' ');
                let (Some(name), Some(action), Some(nano)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                let Ok(nano) = nano.parse::<u64>() else {
                    continue;
                };
                let t = UNIX_EPOCH + Duration::from_nanos(nano);
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert((name.to_string(), action.to_string()), t);
            }
        });
        // `docker events` subscribes asynchronously: give it a moment before anything starts.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(EngineEvents { times, child })
    }

    pub fn at(&self, name: &str, action: &str) -> Option<SystemTime> {
        self.times
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(name.to_string(), action.to_string()))
            .copied()
    }
}

impl Drop for EngineEvents {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// When each instance of one service appeared in and left the catalog, by container name
/// (the middle part of registrator's `<host>:<container>:<port>` IDs), seen by blocking
/// queries straight to the agent.
pub struct CatalogWatch {
    pub appeared: Arc<Mutex<BTreeMap<String, SystemTime>>>,
    pub left: Arc<Mutex<BTreeMap<String, SystemTime>>>,
    pub now: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl CatalogWatch {
    pub fn start(agent: SocketAddr, service: &str) -> CatalogWatch {
        let appeared: Arc<Mutex<BTreeMap<String, SystemTime>>> = Arc::default();
        let left: Arc<Mutex<BTreeMap<String, SystemTime>>> = Arc::default();
        let now: Arc<Mutex<Vec<String>>> = Arc::default();
        let (a, g, n) = (appeared.clone(), left.clone(), now.clone());
        let url = format!("http://{agent}/v1/catalog/service/{service}");
        let task = tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut index = 0u64;
            let mut seen: Vec<String> = Vec::new();
            loop {
                let Ok(res) = client
                    .get(format!("{url}?index={index}&wait=30s"))
                    .send()
                    .await
                else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let t = SystemTime::now();
                index = res
                    .headers()
                    .get("X-Consul-Index")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let Ok(list) = res.json::<Vec<serde_json::Value>>().await else {
                    continue;
                };
                let names: Vec<String> = list
                    .iter()
                    .filter_map(|s| s["ServiceID"].as_str())
                    .filter_map(|id| id.split(':').nth(1).map(str::to_string))
                    .collect();
                for name in names.iter().filter(|x| !seen.contains(x)) {
                    a.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(name.clone(), t);
                }
                for name in seen.iter().filter(|x| !names.contains(x)) {
                    g.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(name.clone(), t);
                }
                *n.lock().unwrap_or_else(|p| p.into_inner()) = names.clone();
                seen = names;
            }
        });
        CatalogWatch {
            appeared,
            left,
            now,
            task,
        }
    }

    pub fn count(&self) -> usize {
        self.now.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn appeared_at(&self, name: &str) -> Option<SystemTime> {
        self.appeared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .copied()
    }

    pub fn left_at(&self, name: &str) -> Option<SystemTime> {
        self.left
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .copied()
    }
}

impl Drop for CatalogWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls `f` every 2 ms until it holds, at most `timeout`.
pub async fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) -> Result<()> {
    let deadline = std::time::Instant::now() + timeout;
    while !f() {
        if std::time::Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

pub fn ms_between(a: SystemTime, b: SystemTime) -> f64 {
    match b.duration_since(a) {
        Ok(d) => d.as_secs_f64() * 1e3,
        Err(e) => -e.duration().as_secs_f64() * 1e3,
    }
}
