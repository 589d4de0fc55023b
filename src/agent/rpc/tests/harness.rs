//! In-process servers for the cluster tests: each has its own data dir, a `RaftNode`, an
//! `Agent` with the real HTTP router and a real RPC listener on its own loopback address
//! (127.0.0.N, an OS-chosen port). Polling helpers wait with deadlines, never fixed sleeps.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;

use crate::agent::gossip::{Gossip, GossipConfig, GossipTiming};
use crate::agent::raft::{RaftNode, ServerNode};
use crate::agent::rpc::{self, RpcServer};
use crate::agent::state::{Command, KvOp, KvVerb, Store};
use crate::agent::Agent;
use crate::config::{RaftTuning, RuntimeConfig};

/// One server under test.
pub struct TestServer {
    pub me: ServerNode,
    pub raft: Arc<RaftNode>,
    pub store: Arc<Store>,
    pub http: Router,
    rpc: Option<RpcServer>,
    _dir: tempfile::TempDir,
}

/// The node UUID of server `n`: its first bytes differ per server, so Raft ids do too.
pub fn uuid(n: u8) -> String {
    format!("{n:08x}-0000-4000-8000-00000000000{}", n % 10)
}

impl TestServer {
    /// Opens server `n` on 127.0.0.`n` (not yet part of any cluster).
    pub async fn start(n: u8, tuning: &RaftTuning) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let listener = rpc::bind(SocketAddr::from(([127, 0, 0, n], 0)))
            .await
            .expect("bind RPC");
        let addr = listener.local_addr().expect("local addr").to_string();
        let me = ServerNode {
            id: uuid(n),
            name: format!("server-{n}"),
            addr,
        };
        Self::open(dir, me, listener, tuning).await
    }

    /// Stops this server and starts it again on the same data dir and address.
    pub async fn restart(self, tuning: &RaftTuning) -> TestServer {
        let mut old = self;
        old.stop().await;
        let TestServer {
            me,
            _dir: dir,
            raft,
            http,
            ..
        } = old;
        drop(http);
        // Connections the listener served drop their handles on the node once they close.
        eventually("the old node is released", Duration::from_secs(10), || {
            Arc::strong_count(&raft) == 1
        })
        .await;
        drop(raft);
        let addr: SocketAddr = me.addr.parse().expect("address");
        let listener = rpc::bind(addr).await.expect("rebind RPC");
        Self::open(dir, me, listener, tuning).await
    }

    async fn open(
        dir: tempfile::TempDir,
        me: ServerNode,
        listener: tokio::net::TcpListener,
        tuning: &RaftTuning,
    ) -> TestServer {
        let store = Store::new();
        let raft = RaftNode::open(
            dir.path(),
            me.clone(),
            tuning,
            store.clone(),
            rpc::RpcClient::new(),
        )
        .await
        .expect("open RaftNode");
        let raft = Arc::new(raft);
        let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let gossip = Gossip::start(GossipConfig {
            node_name: me.name.clone(),
            node_id: me.id.clone(),
            datacenter: "dc1".into(),
            bind: any,
            advertise: any,
            tags: Default::default(),
            timing: GossipTiming::dev(),
            snapshot_path: None,
            rejoin_after_leave: false,
        })
        .await
        .expect("gossip");
        let config = RuntimeConfig {
            node_name: me.name.clone(),
            server: true,
            ..RuntimeConfig::default()
        };
        let agent = Arc::new(Agent::new(
            config,
            me.id.clone(),
            store.clone(),
            Some(raft.clone()),
            raft.rpc_client().clone(),
            gossip,
        ));
        let http = crate::agent::http::router(agent);
        let rpc = RpcServer::spawn(listener, rpc::router(raft.clone(), Some(http.clone())));
        TestServer {
            me,
            raft,
            store,
            http,
            rpc: Some(rpc),
            _dir: dir,
        }
    }

    /// Stops the RPC listener and Raft (like a crashed server, as far as peers can tell).
    pub async fn stop(&mut self) {
        if let Some(rpc) = self.rpc.take() {
            rpc.stop(Duration::from_millis(500)).await;
        }
        self.raft.shutdown().await;
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
