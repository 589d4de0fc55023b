//! The sd cluster under test: every agent on its own loopback address (`127.X.Y.n`, all of
//! 127/8 reaches lo) with Consul's default ports, servers started with
//! `-server -bootstrap-expect=N`, every agent but the first with `-retry-join` of the first.
//! Agents can be killed with SIGKILL and restarted on the same data directory; all of them are
//! killed when the cluster is dropped. Also the few agent API calls the bench reads
//! (`/v1/agent/members`, `/v1/status/leader`, `/v1/agent/self`).

use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::http::Client;
use crate::process::{clean_env, Proc};
use crate::servers::Launch;

/// Serf member status codes as `/v1/agent/members` shows them.
pub const ALIVE: u8 = 1;
pub const FAILED: u8 = 4;

/// Consul's default ports: HTTP, server RPC, LAN and WAN gossip, DNS.
const HTTP_PORT: u16 = 8500;
const RPC_PORT: u16 = 8300;
const TCP_PORTS: [u16; 5] = [8500, 8300, 8301, 8302, 8600];
const UDP_PORTS: [u16; 3] = [8301, 8302, 8600];

/// Deadline of one API call made while polling.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a cluster may take to form (or re-form after a restart).
pub const SETTLE_DEADLINE: Duration = Duration::from_secs(60);
/// Poll interval while waiting for the cluster to settle.
const SETTLE_POLL: Duration = Duration::from_millis(50);
/// `-retry-interval` of every agent: a joiner started a moment before the first agent
/// listens tries again soon.
const RETRY_INTERVAL: &str = "1s";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Server,
    Client,
}

/// One agent: its address, its command line, and its process while it runs.
pub struct Agent {
    pub name: String,
    pub ip: Ipv4Addr,
    pub role: Role,
    args: Vec<String>,
    log: PathBuf,
    pub proc: Option<Proc>,
}

impl Agent {
    pub fn http(&self) -> SocketAddr {
        SocketAddr::from((self.ip, HTTP_PORT))
    }

    /// The address `/v1/status/leader` names this agent by when it leads.
    pub fn rpc_addr(&self) -> String {
        format!("{}:{RPC_PORT}", self.ip)
    }

    pub fn client(&self) -> Client {
        Client::new(self.http())
    }

    pub fn proc(&self) -> Result<&Proc> {
        self.proc
            .as_ref()
            .with_context(|| format!("{} is not running", self.name))
    }

    fn start(&mut self, bin: &Path) -> Result<()> {
        let mut cmd = clean_env(Command::new(bin));
        cmd.args(&self.args);
        self.proc = Some(Proc::spawn(&self.name, cmd, &self.log)?);
        Ok(())
    }

    /// SIGKILL; returns the moment the process was reaped (it is gone from then on).
    pub fn kill9(&mut self) -> Instant {
        if let Some(mut p) = self.proc.take() {
            p.kill9();
        }
        Instant::now()
    }
}

/// A running cluster; every agent is SIGKILLed and the data directories removed on drop.
pub struct Cluster {
    pub agents: Vec<Agent>,
    bin: PathBuf,
    _tmp: tempfile::TempDir,
}

/// A `127.X.Y` block whose hosts .1 to .`hosts` have all of Consul's ports free. X is chosen
/// outside the range the end-to-end tests use (10-209), and every cluster of this process gets
/// a new Y, so a restarted cluster never meets sockets of the previous one.
fn free_block(hosts: u8) -> Result<[u8; 3]> {
    static NEXT_Y: AtomicU8 = AtomicU8::new(1);
    let x = 230 + (std::process::id() % 20) as u8;
    loop {
        let y = NEXT_Y.fetch_add(1, Ordering::Relaxed);
        if y == 255 {
            bail!("no free loopback block 127.{x}.*: Consul's ports are taken everywhere");
        }
        let free = (1..=hosts).all(|n| {
            let ip = Ipv4Addr::new(127, x, y, n);
            TCP_PORTS
                .iter()
                .all(|&p| TcpListener::bind((ip, p)).is_ok())
                && UDP_PORTS.iter().all(|&p| UdpSocket::bind((ip, p)).is_ok())
        });
        if free {
            return Ok([127, x, y]);
        }
    }
}

/// The command line of the agents, with placeholders, for printing.
pub fn command_template(l: &Launch) -> String {
    format!(
        "{} agent [-server -bootstrap-expect=3] -data-dir=DIR -node=NAME -bind=127.X.Y.n \
         -client=127.X.Y.n -retry-interval={RETRY_INTERVAL} [-retry-join=127.X.Y.1 on all but .1] \
         (Consul's default ports)",
        l.sd_bin.display()
    )
}

impl Cluster {
    /// Starts `servers` servers (`-bootstrap-expect=servers`) and `clients` client agents and
    /// waits until every agent sees every other alive and the servers agree on a leader.
    pub async fn start(l: &Launch, servers: u8, clients: u8) -> Result<Cluster> {
        Cluster::start_in(l, servers, clients, "dc1", &[]).await
    }

    /// [`Cluster::start`] as datacenter `dc`, the first server also given `first_args` (a
    /// `-retry-join-wan`, say). Agents are named `<role>-<n>-<dc>`.
    pub async fn start_in(
        l: &Launch,
        servers: u8,
        clients: u8,
        dc: &str,
        first_args: &[String],
    ) -> Result<Cluster> {
        let tmp = tempfile::Builder::new()
            .prefix("cluster-")
            .tempdir_in(&l.data_root)
            .with_context(|| format!("temporary directory in {}", l.data_root.display()))?;
        let block = free_block(servers + clients)?;
        let first = Ipv4Addr::new(block[0], block[1], block[2], 1);
        let mut agents = Vec::new();
        for n in 1..=servers + clients {
            let ip = Ipv4Addr::new(block[0], block[1], block[2], n);
            let role = if n <= servers {
                Role::Server
            } else {
                Role::Client
            };
            let name = match (role, dc) {
                (Role::Server, "dc1") => format!("server-{n}"),
                (Role::Client, "dc1") => format!("client-{n}"),
                (Role::Server, _) => format!("server-{n}-{dc}"),
                (Role::Client, _) => format!("client-{n}-{dc}"),
            };
            let data = tmp.path().join(&name);
            std::fs::create_dir(&data)?;
            let mut args = vec!["agent".to_string()];
            if role == Role::Server {
                args.push("-server".into());
                args.push(format!("-bootstrap-expect={servers}"));
            }
            args.extend([
                format!("-data-dir={}", data.display()),
                format!("-node={name}"),
                format!("-bind={ip}"),
                format!("-client={ip}"),
                format!("-retry-interval={RETRY_INTERVAL}"),
                format!("-datacenter={dc}"),
            ]);
            if n == 1 {
                args.extend(first_args.iter().cloned());
            }
            // The first agent joins nobody (after a restart it rejoins the members it knew,
            // from its snapshot); joining itself would end the join at once.
            if n > 1 {
                args.push(format!("-retry-join={first}"));
            }
            agents.push(Agent {
                log: tmp.path().join(format!("{name}.log")),
                name,
                ip,
                role,
                args,
                proc: None,
            });
        }
        let mut cluster = Cluster {
            agents,
            bin: l.sd_bin.clone(),
            _tmp: tmp,
        };
        for i in 0..cluster.agents.len() {
            cluster.restart(i)?;
        }
        cluster.wait_settled(SETTLE_DEADLINE).await?;
        Ok(cluster)
    }

    /// Starts agent `i` (again) with its command line and data directory.
    pub fn restart(&mut self, i: usize) -> Result<()> {
        let bin = self.bin.clone();
        self.agents[i].start(&bin)
    }

    pub fn servers(&self) -> impl Iterator<Item = (usize, &Agent)> {
        self.agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.role == Role::Server)
    }

    /// Fails, with the agent's log tail, if any agent that should run has exited.
    pub fn check_running(&mut self) -> Result<()> {
        for a in &mut self.agents {
            if let Some(p) = a.proc.as_mut() {
                p.check_alive()?;
            }
        }
        Ok(())
    }

    /// The index of the agent that every running server names as leader, if they agree.
    pub async fn agreed_leader(&self) -> Option<usize> {
        let mut named = Vec::new();
        for (_, a) in self.servers().filter(|(_, a)| a.proc.is_some()) {
            named.push(leader(&mut a.client()).await.ok().flatten()?);
        }
        let first = named.first()?;
        if named.iter().any(|l| l != first) {
            return None;
        }
        self.agents.iter().position(|a| &a.rpc_addr() == first)
    }

    /// Waits until every running agent lists every agent of the cluster, all alive, and the
    /// running servers agree on a leader that has all servers as Raft peers. Returns the
    /// leader's index.
    pub async fn wait_settled(&mut self, deadline: Duration) -> Result<usize> {
        let until = Instant::now() + deadline;
        let want = self.agents.len();
        let voters = self.servers().count();
        let mut last;
        loop {
            self.check_running()?;
            match self.settled(want, voters).await {
                Ok(leader) => return Ok(leader),
                Err(e) => last = format!("{e:#}"),
            }
            if Instant::now() > until {
                let logs: Vec<String> = self
                    .agents
                    .iter()
                    .filter_map(|a| a.proc.as_ref().map(Proc::describe))
                    .collect();
                bail!(
                    "the cluster did not settle within {deadline:?}: {last}\n{}",
                    logs.join("\n")
                );
            }
            tokio::time::sleep(SETTLE_POLL).await;
        }
    }

    async fn settled(&self, want: usize, voters: usize) -> Result<usize> {
        for a in self.agents.iter().filter(|a| a.proc.is_some()) {
            let m = members(&mut a.client()).await?;
            let alive = m.iter().filter(|(_, s)| *s == ALIVE).count();
            if m.len() != want || alive != want {
                bail!("{} sees {alive} of {want} members alive: {m:?}", a.name);
            }
        }
        let leader = self
            .agreed_leader()
            .await
            .context("the servers do not agree on a leader yet")?;
        let peers = self.agents[leader]
            .client()
            .get_json("/v1/status/peers", CALL_TIMEOUT)
            .await?;
        let n = peers.as_array().map_or(0, Vec::len);
        if n != voters {
            bail!("the leader has {n} of {voters} Raft peers");
        }
        Ok(leader)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for a in &mut self.agents {
            a.kill9();
        }
    }
}

/// `/v1/agent/members` as (name, status) pairs.
pub async fn members(c: &mut Client) -> Result<Vec<(String, u8)>> {
    let v = c.get_json("/v1/agent/members", CALL_TIMEOUT).await?;
    let list = v.as_array().context("members: not a list")?;
    Ok(list
        .iter()
        .map(|m| {
            let status = m["Status"].as_u64().unwrap_or(0);
            (
                m["Name"].as_str().unwrap_or_default().to_string(),
                u8::try_from(status).unwrap_or(u8::MAX),
            )
        })
        .collect())
}

/// `/v1/status/leader`: the leader's `IP:8300`, or None while there is none.
pub async fn leader(c: &mut Client) -> Result<Option<String>> {
    let v = c.get_json("/v1/status/leader", CALL_TIMEOUT).await?;
    Ok(v.as_str().filter(|s| !s.is_empty()).map(str::to_string))
}

/// `Stats.serf_lan.health_score` of `/v1/agent/self` (serf's local health, 0 is healthy), if
/// the agent reports it.
pub async fn health_score(c: &mut Client) -> Result<Option<u32>> {
    let v = c.get_json("/v1/agent/self", CALL_TIMEOUT).await?;
    let score = &v["Stats"]["serf_lan"]["health_score"];
    Ok(match score {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    })
}
