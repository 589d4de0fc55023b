//! Starting, probing and stopping the two peers: the real `sd` binary and Debian's etcd 3.4.
//!
//! Every start gets free loopback ports and a fresh temporary data directory (removed with the
//! server). Readiness is polled with a deadline, never a fixed sleep: sd is ready when
//! `/v1/status/leader` names a leader, etcd when `/health` says `"health":"true"`.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::http;
use crate::process::{clean_env, Proc};

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
    proc: Proc,
    _tmp: tempfile::TempDir,
}

/// A TCP port nothing listens on right now on 127.0.0.1 (the OS picks it).
pub fn free_port() -> Result<u16> {
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

/// One etcd member's command line: its name, data directory, client and peer URLs, and the
/// static `--initial-cluster` (`name=peer-url,...`) it belongs to.
pub fn etcd_args(
    name: &str,
    data_dir: &Path,
    client: &str,
    peer: &str,
    cluster: &str,
) -> Vec<String> {
    [
        "--name",
        name,
        "--data-dir",
        &data_dir.display().to_string(),
        "--listen-client-urls",
        client,
        "--advertise-client-urls",
        client,
        "--listen-peer-urls",
        peer,
        "--initial-advertise-peer-urls",
        peer,
        "--initial-cluster",
        cluster,
    ]
    .map(str::to_string)
    .to_vec()
}

impl Server {
    /// Spawns sd (without waiting for it).
    pub fn spawn_sd(l: &Launch, mode: SdMode) -> Result<Server> {
        Self::spawn_sd_with(l, mode, &[])
    }

    /// Spawns sd with `extra` arguments after the bench's own (without waiting for it).
    pub fn spawn_sd_with(l: &Launch, mode: SdMode, extra: &[String]) -> Result<Server> {
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
        args.extend(extra.iter().cloned());
        let mut cmd = clean_env(Command::new(&l.sd_bin));
        cmd.args(&args);
        Self::spawn(Peer::Sd, cmd, http_port, tmp)
    }

    /// Spawns a single-member etcd (without waiting for it).
    pub fn spawn_etcd(l: &Launch) -> Result<Server> {
        let tmp = temp_in(&l.data_root)?;
        let http_port = free_port()?;
        let client = format!("http://127.0.0.1:{http_port}");
        let peer = format!("http://127.0.0.1:{}", free_port()?);
        let data = tmp.path().join("etcd-data");
        let args = etcd_args("bench", &data, &client, &peer, &format!("bench={peer}"));
        let mut cmd = clean_env(Command::new(&l.etcd_bin));
        cmd.args(&args);
        Self::spawn(Peer::Etcd, cmd, http_port, tmp)
    }

    /// Spawns a stand-in that answers the sd endpoints a bench uses on 127.0.0.1:`http_port`
    /// (without waiting for it).
    pub fn spawn_stand_in(cmd: Command, http_port: u16, tmp: tempfile::TempDir) -> Result<Server> {
        Self::spawn(Peer::Sd, clean_env(cmd), http_port, tmp)
    }

    fn spawn(peer: Peer, cmd: Command, http_port: u16, tmp: tempfile::TempDir) -> Result<Server> {
        let proc = Proc::spawn(peer.name(), cmd, &tmp.path().join("server.log"))?;
        Ok(Server {
            peer,
            http: SocketAddr::from(([127, 0, 0, 1], http_port)),
            proc,
            _tmp: tmp,
        })
    }

    /// Waits until the server is ready; returns the time from spawn to ready.
    pub async fn wait_ready(&mut self) -> Result<Duration> {
        let spawned_at = self.proc.spawned_at;
        let deadline = spawned_at + READY_DEADLINE;
        loop {
            if let Some(status) = self.proc.exited()? {
                bail!(
                    "{} exited during start-up ({status})\n{}",
                    self.peer.name(),
                    self.proc.describe()
                );
            }
            if is_ready(self.peer, self.http).await {
                return Ok(spawned_at.elapsed());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} not ready after {READY_DEADLINE:?}\n{}",
                    self.peer.name(),
                    self.proc.describe()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Fails if the process has exited (checked after each load run).
    pub fn check_alive(&mut self) -> Result<()> {
        self.proc.check_alive()
    }

    /// Resident set size (VmRSS from /proc/PID/status), in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        self.proc.rss_kib()
    }

    /// The CPU time the server has used so far (all threads), in ns.
    pub fn cpu_ns(&self) -> Result<u64> {
        crate::process::cpu_ns_of(self.proc.pid().context("the server has exited")?)
    }

    /// The process: its pid, CPU time and memory fields.
    pub fn proc(&self) -> &Proc {
        &self.proc
    }
}

/// One readiness probe: sd has a leader (`/v1/status/leader` names one), etcd's `/health` says
/// `"health":"true"`.
pub async fn is_ready(peer: Peer, http: SocketAddr) -> bool {
    match peer {
        Peer::Sd => http::get(http, "/v1/status/leader")
            .await
            .is_ok_and(|(s, b)| s == 200 && !matches!(b.trim(), "" | "\"\"")),
        Peer::Etcd => http::get(http, "/health")
            .await
            .is_ok_and(|(s, b)| s == 200 && b.contains("\"health\":\"true\"")),
    }
}

pub fn temp_in(root: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("bench-")
        .tempdir_in(root)
        .with_context(|| format!("cannot create a temporary directory in {}", root.display()))
}
