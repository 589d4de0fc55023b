//! The peer for the cluster put: three etcd 3.4 members on 127.0.0.1 with free client and peer
//! ports, a static `--initial-cluster`, data directories under the data root (a real disk; etcd
//! fdatasyncs its WAL before acknowledging, as sd does its Raft log). Ready when every member's
//! `/health` says true; the leader is found through the JSON gateway's
//! `/v3/maintenance/status` (`header.member_id == leader`). All members are killed on drop.

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hyper::Method;

use crate::http::Conn;
use crate::process::{clean_env, Proc};
use crate::servers::{etcd_args, free_port, is_ready, Launch, Peer};

const READY_DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

struct Member {
    client: SocketAddr,
    proc: Proc,
}

/// A running etcd cluster.
pub struct EtcdCluster {
    members: Vec<Member>,
    _tmp: tempfile::TempDir,
}

/// The command line of one member, with placeholders, for printing.
pub fn command_template(l: &Launch) -> String {
    format!(
        "{} --name mN --data-dir DIR --listen-client-urls http://127.0.0.1:PN \
         --advertise-client-urls http://127.0.0.1:PN --listen-peer-urls http://127.0.0.1:QN \
         --initial-advertise-peer-urls http://127.0.0.1:QN \
         --initial-cluster m1=http://127.0.0.1:Q1,m2=...,m3=... --initial-cluster-state new \
         --initial-cluster-token TOKEN",
        l.etcd_bin.display()
    )
}

impl EtcdCluster {
    /// Starts `n` members and waits until all of them are healthy.
    pub async fn start(l: &Launch, n: usize) -> Result<EtcdCluster> {
        let tmp = tempfile::Builder::new()
            .prefix("etcd-")
            .tempdir_in(&l.data_root)
            .with_context(|| format!("temporary directory in {}", l.data_root.display()))?;
        let mut ports = Vec::new();
        for _ in 0..n {
            ports.push((free_port()?, free_port()?));
        }
        let peer_url = |q: u16| format!("http://127.0.0.1:{q}");
        let initial: Vec<String> = ports
            .iter()
            .enumerate()
            .map(|(i, &(_, q))| format!("m{}={}", i + 1, peer_url(q)))
            .collect();
        let initial = initial.join(",");
        let token = tmp
            .path()
            .file_name()
            .map_or_else(|| "bench".into(), |s| s.to_string_lossy().into_owned());
        let mut members = Vec::new();
        for (i, &(p, q)) in ports.iter().enumerate() {
            let name = format!("m{}", i + 1);
            let client = format!("http://127.0.0.1:{p}");
            let mut args = etcd_args(
                &name,
                &tmp.path().join(&name),
                &client,
                &peer_url(q),
                &initial,
            );
            args.extend([
                "--initial-cluster-state".into(),
                "new".into(),
                "--initial-cluster-token".into(),
                token.clone(),
            ]);
            let mut cmd = clean_env(Command::new(&l.etcd_bin));
            cmd.args(&args);
            let log = tmp.path().join(format!("{name}.log"));
            members.push(Member {
                client: SocketAddr::from(([127, 0, 0, 1], p)),
                proc: Proc::spawn(&format!("etcd {name}"), cmd, &log)?,
            });
        }
        let mut cluster = EtcdCluster { members, _tmp: tmp };
        cluster.wait_healthy().await?;
        Ok(cluster)
    }

    async fn wait_healthy(&mut self) -> Result<()> {
        let until = Instant::now() + READY_DEADLINE;
        for m in &mut self.members {
            while !is_ready(Peer::Etcd, m.client).await {
                m.proc.check_alive()?;
                if Instant::now() > until {
                    bail!(
                        "etcd member not healthy within {READY_DEADLINE:?}\n{}",
                        m.proc.describe()
                    );
                }
                tokio::time::sleep(POLL).await;
            }
        }
        Ok(())
    }

    /// The client address of the member that leads, asked of every member until one says it
    /// is the leader.
    pub async fn leader(&self) -> Result<SocketAddr> {
        let until = Instant::now() + READY_DEADLINE;
        loop {
            for m in &self.members {
                if is_leader(m.client).await.unwrap_or(false) {
                    return Ok(m.client);
                }
            }
            if Instant::now() > until {
                bail!("no etcd member says it leads after {READY_DEADLINE:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub fn check_running(&mut self) -> Result<()> {
        for m in &mut self.members {
            m.proc.check_alive()?;
        }
        Ok(())
    }
}

/// Whether the member at `client` is the leader (its status's `header.member_id` is the
/// `leader` it reports; the gateway writes both 64-bit ids as strings).
async fn is_leader(client: SocketAddr) -> Result<bool> {
    let mut c = Conn::connect(client).await?;
    let (status, body) = c
        .request(
            Method::POST,
            "/v3/maintenance/status",
            Some("application/json"),
            Bytes::from_static(b"{}"),
        )
        .await?;
    if status != 200 {
        bail!("status: HTTP {status}");
    }
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let me = &v["header"]["member_id"];
    Ok(!me.is_null() && *me == v["leader"])
}
