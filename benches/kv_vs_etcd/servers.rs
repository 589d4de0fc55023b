//! Starting, probing and stopping the two peers: the real `sd` binary and Debian's etcd 3.4.
//!
//! Every start gets free loopback ports and a fresh temporary data directory (removed with the
//! server). Readiness is polled with a deadline, never a fixed sleep: sd is ready when
//! `/v1/status/leader` names a leader, etcd when `/health` says `"health":"true"`.

use std::fs::File;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::http;

/// How long a server may take to become ready before the bench gives up.
const READY_DEADLINE: Duration = Duration::from_secs(30);
/// Readiness poll interval (also the resolution of the start-up times reported).
const POLL: Duration = Duration::from_millis(5);

/// The two systems under comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Sd,
    Etcd,
}

impl Peer {
    pub fn name(self) -> &'static str {
        match self {
            Peer::Sd => "sd",
            Peer::Etcd => "etcd",
        }
    }
}

/// How to start the servers.
#[derive(Debug, Clone)]
pub struct Launch {
    pub sd_bin: PathBuf,
    pub etcd_bin: PathBuf,
    /// Parent directory of every temporary data directory (must be a real disk for durability).
    pub data_root: PathBuf,
}

/// The sd flavours the bench starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdMode {
    /// `-server -bootstrap -data-dir=…`: on-disk Raft log, fdatasync before acknowledging.
    Durable,
    /// `-dev`: in-memory, only used for the start-to-leader figure.
    Dev,
}

/// A running server process; killed (SIGKILL) and its data directory removed on drop.
pub struct Server {
    pub peer: Peer,
    pub http: SocketAddr,
    child: Child,
    spawned_at: Instant,
    log_path: PathBuf,
    args: Vec<String>,
    _tmp: tempfile::TempDir,
}

/// A TCP port nothing listens on right now on 127.0.0.1 (the OS picks it).
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The command lines the bench uses, with placeholders, for printing.
pub fn command_templates(l: &Launch) -> [String; 2] {
    [
        format!(
            "{} agent -server -bootstrap -data-dir=DIR -bind=127.0.0.1 -client=127.0.0.1 \
             -node=bench -http-port=P -dns-port=-1 -server-port=P -serf-lan-port=P -serf-wan-port=P",
            l.sd_bin.display()
        ),
        format!(
            "{} --name bench --data-dir DIR --listen-client-urls http://127.0.0.1:P \
             --advertise-client-urls http://127.0.0.1:P --listen-peer-urls http://127.0.0.1:Q \
             --initial-advertise-peer-urls http://127.0.0.1:Q --initial-cluster bench=http://127.0.0.1:Q",
            l.etcd_bin.display()
        ),
    ]
}

impl Server {
    /// Spawns sd (without waiting for it).
    pub fn spawn_sd(l: &Launch, mode: SdMode) -> Result<Server> {
        let tmp = temp_in(&l.data_root)?;
        let http_port = free_port()?;
        let mut args = vec!["agent".to_string()];
        match mode {
            SdMode::Durable => {
                let data = tmp.path().join("sd-data");
                std::fs::create_dir(&data)?;
                args.extend([
                    "-server".into(),
                    "-bootstrap".into(),
                    format!("-data-dir={}", data.display()),
                    "-node=bench".into(),
                ]);
            }
            SdMode::Dev => args.push("-dev".into()),
        }
        args.extend([
            "-bind=127.0.0.1".into(),
            "-client=127.0.0.1".into(),
            format!("-http-port={http_port}"),
            "-dns-port=-1".into(),
            format!("-server-port={}", free_port()?),
            format!("-serf-lan-port={}", free_port()?),
            format!("-serf-wan-port={}", free_port()?),
        ]);
        let mut cmd = Command::new(&l.sd_bin);
        cmd.args(&args)
            .env_remove("CONSUL_HTTP_ADDR")
            .env_remove("SD_HTTP_ADDR");
        Self::spawn(Peer::Sd, cmd, args, http_port, tmp)
    }

    /// Spawns a single-member etcd (without waiting for it).
    pub fn spawn_etcd(l: &Launch) -> Result<Server> {
        let tmp = temp_in(&l.data_root)?;
        let client = format!("http://127.0.0.1:{}", free_port()?);
        let peer = format!("http://127.0.0.1:{}", free_port()?);
        let http_port: u16 = client.rsplit(':').next().unwrap_or_default().parse()?;
        let args = vec![
            "--name".to_string(),
            "bench".into(),
            "--data-dir".into(),
            tmp.path().join("etcd-data").display().to_string(),
            "--listen-client-urls".into(),
            client.clone(),
            "--advertise-client-urls".into(),
            client,
            "--listen-peer-urls".into(),
            peer.clone(),
            "--initial-advertise-peer-urls".into(),
            peer.clone(),
            "--initial-cluster".into(),
            format!("bench={peer}"),
        ];
        let mut cmd = Command::new(&l.etcd_bin);
        cmd.args(&args);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("ETCD") {
                cmd.env_remove(k);
            }
        }
        Self::spawn(Peer::Etcd, cmd, args, http_port, tmp)
    }

    fn spawn(
        peer: Peer,
        mut cmd: Command,
        args: Vec<String>,
        http_port: u16,
        tmp: tempfile::TempDir,
    ) -> Result<Server> {
        let log_path = tmp.path().join("server.log");
        let log = File::create(&log_path)?;
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let spawned_at = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", peer.name()))?;
        Ok(Server {
            peer,
            http: SocketAddr::from(([127, 0, 0, 1], http_port)),
            child,
            spawned_at,
            log_path,
            args,
            _tmp: tmp,
        })
    }

    /// Waits until the server is ready; returns the time from spawn to ready.
    pub async fn wait_ready(&mut self) -> Result<Duration> {
        let deadline = self.spawned_at + READY_DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited during start-up ({status})\n{}",
                    self.peer.name(),
                    self.describe()
                );
            }
            let ready = match self.peer {
                Peer::Sd => http::get(self.http, "/v1/status/leader")
                    .await
                    .is_ok_and(|(s, b)| s == 200 && !matches!(b.trim(), "" | "\"\"")),
                Peer::Etcd => http::get(self.http, "/health")
                    .await
                    .is_ok_and(|(s, b)| s == 200 && b.contains("\"health\":\"true\"")),
            };
            if ready {
                return Ok(self.spawned_at.elapsed());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} not ready after {READY_DEADLINE:?}\n{}",
                    self.peer.name(),
                    self.describe()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Fails if the process has exited (checked after each load run).
    pub fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited during the run ({status})\n{}",
                self.peer.name(),
                self.describe()
            );
        }
        Ok(())
    }

    /// Resident set size (VmRSS from /proc/PID/status), in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).with_context(|| path.clone())?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no VmRSS in {path}"))
    }

    /// Command line and the last lines of the log, for error messages.
    fn describe(&self) -> String {
        let mut log = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let _ = f.read_to_string(&mut log);
        }
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!(
            "command: {} {}\n--- last log lines ---\n{tail}",
            self.peer.name(),
            self.args.join(" ")
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_in(root: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("kv_vs_etcd-")
        .tempdir_in(root)
        .with_context(|| format!("cannot create a temporary directory in {}", root.display()))
}
