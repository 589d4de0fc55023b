//! Helpers for tests that run several agents: polling with a deadline that prints every
//! agent's log on failure, and the few HTTP reads and writes cluster tests make (leader, peers,
//! members, KV put and stale get).

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{http, http_get, Agent, AgentBuilder};

/// How long a cluster may take to settle after a change.
pub const SETTLE: Duration = Duration::from_secs(30);

/// Gossip member statuses as `/v1/agent/members` reports them.
pub const ALIVE: u64 = 1;
pub const LEFT: u64 = 3;
pub const FAILED: u64 = 4;

/// Polls `cond` every 50 ms; panics with `what` and the logs of `agents` after `timeout`.
pub fn eventually_within(
    what: &str,
    timeout: Duration,
    agents: &[&Agent],
    mut cond: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        if Instant::now() > deadline {
            let logs: Vec<String> = agents
                .iter()
                .map(|a| format!("--- {} ---\n{}", a.args.join(" "), a.log()))
                .collect();
            panic!("timed out after {timeout:?}: {what}\n{}", logs.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// [`eventually_within`] with [`SETTLE`].
pub fn eventually(what: &str, agents: &[&Agent], cond: impl FnMut() -> bool) {
    eventually_within(what, SETTLE, agents, cond)
}

/// `/v1/status/leader` (empty when none or unreachable).
pub fn leader(a: &Agent) -> String {
    match http_get(&format!("{}/v1/status/leader", a.url())) {
        Ok((200, body)) => serde_json::from_str::<String>(&body).unwrap_or_default(),
        _ => String::new(),
    }
}

/// `/v1/status/peers` (empty when unreachable).
pub fn peers(a: &Agent) -> Vec<String> {
    match http_get(&format!("{}/v1/status/peers", a.url())) {
        Ok((200, body)) => serde_json::from_str(&body).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `/v1/agent/members` as (name, status) pairs.
pub fn members(a: &Agent) -> Vec<(String, u64)> {
    pool_members(a, "")
}

/// `/v1/agent/members?wan=1` (a server's WAN pool) as (name, status) pairs.
pub fn wan_members(a: &Agent) -> Vec<(String, u64)> {
    pool_members(a, "?wan=1")
}

fn pool_members(a: &Agent, query: &str) -> Vec<(String, u64)> {
    let Ok((200, body)) = http_get(&format!("{}/v1/agent/members{query}", a.url())) else {
        return Vec::new();
    };
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    v.as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    (
                        m["Name"].as_str().unwrap_or_default().to_string(),
                        m["Status"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The status `a` sees `node` in, if it knows it.
pub fn status_of(a: &Agent, node: &str) -> Option<u64> {
    members(a)
        .into_iter()
        .find(|(n, _)| n == node)
        .map(|(_, s)| s)
}

/// `PUT /v1/kv/<key>`; true when acknowledged.
pub fn put(a: &Agent, key: &str, value: &str) -> bool {
    matches!(
        http("PUT", &format!("{}/v1/kv/{key}", a.url()), value.as_bytes()),
        Ok((200, body)) if body.trim() == "true"
    )
}

/// `GET /v1/kv/<key>?raw&stale` from `a`'s own state.
pub fn stale_get(a: &Agent, key: &str) -> Option<String> {
    match http_get(&format!("{}/v1/kv/{key}?raw&stale", a.url())) {
        Ok((200, body)) => Some(body),
        _ => None,
    }
}

/// The seed's first server: `-server -bootstrap -ui -data-dir=... -bind=IP -client=IP -node=...`.
pub fn first_server(ip: Ipv4Addr, dir: &Path, node: &str) -> AgentBuilder {
    AgentBuilder::dev_free()
        .arg("-server")
        .arg("-bootstrap")
        .arg("-ui")
        .arg(format!("-data-dir={}", dir.display()))
        .arg(format!("-node={node}"))
        .at(ip)
}

/// The seed's other servers: `... -enable-script-checks=true -datacenter=dc1 -join IP1`.
pub fn joining_server(ip: Ipv4Addr, dir: &Path, node: &str, join: Ipv4Addr) -> AgentBuilder {
    AgentBuilder::dev_free()
        .arg("-server")
        .arg("-ui")
        .arg(format!("-data-dir={}", dir.display()))
        .arg(format!("-node={node}"))
        .arg("-enable-script-checks=true")
        .arg("-datacenter=dc1")
        .arg("-join")
        .arg(join.to_string())
        .at(ip)
}

pub fn client_agent(ip: Ipv4Addr, dir: &Path, node: &str, join: Ipv4Addr) -> AgentBuilder {
    AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", dir.display()))
        .arg(format!("-node={node}"))
        .arg(format!("-join={join}"))
        .at(ip)
}

/// The seed's topology: three servers and a client agent on their own loopback addresses
/// (nodes s1, s2, s3 and c1), started and settled: every member alive everywhere, three
/// voters, the client's node and serfHealth in the catalog.
pub struct Cluster {
    pub servers: Vec<Agent>,
    pub client: Agent,
    _dir: tempfile::TempDir,
}

impl Cluster {
    pub fn start() -> Cluster {
        let block = super::loopback_block();
        let ip = |n| super::loopback_host(block, n);
        let dir = tempfile::tempdir().expect("tempdir");
        let d = |n: &str| dir.path().join(n);
        let s1 = first_server(ip(1), &d("s1"), "s1").start();
        let s2 = joining_server(ip(2), &d("s2"), "s2", ip(1)).spawn();
        let s3 = joining_server(ip(3), &d("s3"), "s3", ip(1)).spawn();
        let client = client_agent(ip(4), &d("c1"), "c1", ip(1)).spawn();
        let all = [&s1, &s2, &s3, &client];
        for a in all {
            eventually("four alive members", &all, || {
                let m = members(a);
                m.len() == 4 && m.iter().all(|(_, s)| *s == ALIVE)
            });
        }
        eventually("three voters", &all, || peers(&s1).len() == 3);
        eventually(
            "the client in the catalog",
            &all,
            || matches!(http_get(&format!("{}/v1/health/node/c1", client.url())), Ok((200, b)) if b.contains("serfHealth")),
        );
        Cluster {
            servers: vec![s1, s2, s3],
            client,
            _dir: dir,
        }
    }

    /// Every agent, servers first.
    pub fn all(&self) -> Vec<&Agent> {
        self.servers.iter().chain([&self.client]).collect()
    }
}
