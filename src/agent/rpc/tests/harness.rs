//! In-process servers for the cluster tests: each is a real agent started the way `sd agent`
//! starts one ([`Agent::bind`] then [`BoundAgent::serve`](crate::agent::BoundAgent::serve)),
//! with its own data dir, every port 0 on its own loopback address (127.0.0.N), DNS off. The
//! servers are not joined through gossip: the tests shape Raft's membership themselves.
//! Polling helpers wait with deadlines, never fixed sleeps.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;

use crate::agent::raft::{RaftNode, ServerNode};
use crate::agent::state::{Command, KvOp, KvVerb, Store};
use crate::agent::{Agent, Options, Shutdown};
use crate::config::http_listen::HttpListen;
use crate::config::{RaftTuning, RuntimeConfig};

/// A serving agent: the sender that stops it and its task.
type Serving = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), crate::agent::AgentError>>,
);

/// One server under test.
pub struct TestServer {
    pub me: ServerNode,
    pub raft: Arc<RaftNode>,
    pub store: Arc<Store>,
    pub http: Router,
    agent: Arc<Agent>,
    serving: Option<Serving>,
    dir: tempfile::TempDir,
    n: u8,
}

/// The node UUID of server `n`: its first bytes differ per server, so Raft ids do too.
pub fn uuid(n: u8) -> String {
    format!("{n:08x}-0000-4000-8000-00000000000{}", n % 10)
}

impl TestServer {
    /// Starts server `n` on 127.0.0.`n` (not yet part of any cluster).
    pub async fn start(n: u8, tuning: &RaftTuning) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::open(dir, n, 0, tuning).await
    }

    /// Stops this server and starts it again on the same data dir and address.
    pub async fn restart(self, tuning: &RaftTuning) -> TestServer {
        let mut old = self;
        old.stop().await;
        let TestServer {
            me,
            dir,
            raft,
            http,
            agent,
            n,
            ..
        } = old;
        drop((http, agent));
        // Connections the listener served drop their handles on the node once they close.
        eventually("the old node is released", Duration::from_secs(10), || {
            Arc::strong_count(&raft) == 1
        })
        .await;
        drop(raft);
        let port: SocketAddr = me.addr.parse().expect("address");
        Self::open(dir, n, port.port(), tuning).await
    }

    async fn open(dir: tempfile::TempDir, n: u8, rpc_port: u16, tuning: &RaftTuning) -> TestServer {
        let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, n));
        let mut config = RuntimeConfig {
            node_name: format!("server-{n}"),
            node_id: Some(uuid(n)),
            server: true,
            data_dir: Some(dir.path().to_path_buf()),
            bind_addr: ip,
            client_addrs: vec![ip],
            http_listen: HttpListen {
                ips: vec![ip],
                unix: Vec::new(),
            },
            raft: tuning.clone(),
            ..RuntimeConfig::default()
        };
        config.ports.server = i32::from(rpc_port);
        config.ports.serf_lan = 0;
        config.ports.serf_wan = 0;
        config.ports.http = 0;
        config.ports.dns = -1;
        let bound = Agent::bind(
            config,
            Options {
                reloader: None,
                log_monitor: None,
                version: crate::VERSION,
            },
        )
        .await
        .expect("bind the agent");
        let agent = bound.agent().clone();
        let http = bound.http_router();
        let raft = agent.raft_opt().expect("a server has Raft").clone();
        let me = ServerNode {
            id: agent.node_id.clone(),
            name: agent.config.node_name.clone(),
            addr: SocketAddr::new(ip, u16::try_from(agent.config.ports.server).expect("port"))
                .to_string(),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(bound.serve(async move {
            let _ = stopped.await;
            Shutdown::Stop
        }));
        TestServer {
            me,
            raft,
            store: agent.store.clone(),
            http,
            agent,
            serving: Some((stop, serving)),
            dir,
            n,
        }
    }

    /// Stops the agent without leaving (like a crashed server, as far as peers can tell).
    pub async fn stop(&mut self) {
        if let Some((stop, serving)) = self.serving.take() {
            let _ = stop.send(());
            serving
                .await
                .expect("join")
                .expect("the agent stops cleanly");
        }
    }

    pub fn has_key(&self, key: &str) -> bool {
        self.store.read().kv.get(key).is_some()
    }

    /// Sends an HTTP API request through this server's router: status, body, index header.
    pub async fn http(&self, method: &str, uri: &str, body: &str) -> (StatusCode, String, u64) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::from(body.to_string()))
            .expect("request");
        let resp = tower::ServiceExt::oneshot(self.http.clone(), req)
            .await
            .expect("infallible");
        let status = resp.status();
        let index = resp
            .headers()
            .get("X-Consul-Index")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned(), index)
    }
}

/// A KV set command.
pub fn put(key: &str) -> Command {
    Command::KvTxn(vec![KvOp {
        verb: KvVerb::Set,
        key: key.to_string(),
        value: b"v".to_vec(),
        flags: 0,
        index: 0,
        session: None,
    }])
}

/// Polls `cond` every 20 ms until it holds; panics with `what` after `timeout`.
pub async fn eventually(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the running servers agree on one leader among them; returns its position.
pub async fn one_leader(servers: &[&TestServer], timeout: Duration) -> usize {
    let mut found = None;
    eventually("exactly one agreed leader", timeout, || {
        let leaders: Vec<usize> = (0..servers.len())
            .filter(|i| servers[*i].raft.is_leader())
            .collect();
        let [leader] = leaders[..] else {
            return false;
        };
        let id = servers[leader].raft.id();
        let agreed = servers
            .iter()
            .all(|s| s.raft.metrics().current_leader == Some(id));
        found = agreed.then_some(leader);
        agreed
    })
    .await;
    found.unwrap_or_default()
}

/// The tuning of test clusters: fast timers, and snapshots after `threshold` entries.
pub fn tuning(threshold: u64) -> RaftTuning {
    RaftTuning {
        snapshot_threshold: threshold,
        trailing_logs: threshold / 4,
        ..RaftTuning::default()
    }
}
