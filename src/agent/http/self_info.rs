//! `/v1/agent/self`: exactly Consul's top-level keys (Config, DebugConfig, Coord, Member, Meta,
//! Stats, xDS); `/v1/agent/version` (Consul's build info) and `/v1/agent/host` (`agent::host`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/agent/self", get(agent_self))
        .route("/v1/agent/version", get(version))
        .route("/v1/agent/host", get(host))
}

/// `/v1/agent/version`: Consul's `BuildInfo`.
async fn version(State(agent): State<Arc<Agent>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let body = json!({
        "SHA": option_env!("SD_GIT_REVISION").unwrap_or(""),
        "BuildDate": "",
        "HumanVersion": agent.version,
        "FIPS": "",
    });
    respond::json(StatusCode::OK, &body, p.flag("pretty"), None)
}

/// `/v1/agent/host`: the machine's memory, CPUs, host and data-directory disk.
async fn host(State(agent): State<Arc<Agent>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let data_dir = agent.config.data_dir.clone();
    let body =
        tokio::task::spawn_blocking(move || crate::agent::host::collect(data_dir.as_deref()))
            .await
            .unwrap_or(serde_json::Value::Null);
    respond::json(StatusCode::OK, &body, p.flag("pretty"), None)
}

async fn agent_self(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let c = &agent.config;
    let body = json!({
        "Config": {
            "Datacenter": c.datacenter,
            "PrimaryDatacenter": c.primary_datacenter,
            "NodeName": c.node_name,
            "NodeID": agent.node_id,
            "Revision": option_env!("SD_GIT_REVISION").unwrap_or(""),
            "Server": c.server,
            "Version": agent.version,
            "BuildDate": "",
        },
        "DebugConfig": c.merged,
        // null with `disable_coordinates`, as Consul's.
        "Coord": (!c.coordinates.disabled).then(|| agent.gossip.coordinate()),
        "Member": agent.member(),
        "Meta": c.node_meta,
        "Stats": stats(&agent),
        "xDS": {"SupportedProxies": {}, "Port": -1, "Ports": {"Plaintext": -1, "TLS": -1}},
    });
    Ok(respond::json(StatusCode::OK, &body, p.flag("pretty"), None))
}

/// `Stats` as Consul groups it; every value is a string, as in Consul.
fn stats(agent: &Agent) -> Value {
    let s = |v: &dyn ToString| Value::String(v.to_string());
    let raft: BTreeMap<String, String> = agent.raft_opt().map(|r| r.stats()).unwrap_or_default();
    let leader = agent.raft_opt().is_some_and(|r| r.is_leader());
    let leader_addr = agent
        .raft_opt()
        .and_then(|r| r.leader_addr())
        .unwrap_or_default();
    let mut stats = json!({
        "agent": {"check_monitors": "0", "check_ttls": "0", "checks": "0", "services": "0"},
        "build": {"prerelease": "", "revision": option_env!("SD_GIT_REVISION").unwrap_or(""), "version": agent.version, "version_metadata": ""},
        "consul": {
            "acl": "disabled",
            "bootstrap": s(&agent.config.bootstrap),
            "known_datacenters": s(&agent.wan.as_ref().map_or(1, |w| {
                crate::agent::wan::router::datacenters(w, &agent.config.datacenter).len()
            })),
            "leader": s(&leader),
            "leader_addr": leader_addr,
            "server": s(&agent.config.server),
        },
        "raft": raft,
        "runtime": {
            "arch": std::env::consts::ARCH,
            "os": std::env::consts::OS,
            "cpu_count": s(&std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
            "version": concat!("rust ", env!("CARGO_PKG_RUST_VERSION")),
            "uptime_seconds": s(&agent.started.elapsed().as_secs()),
        },
        "serf_lan": agent.gossip.stats(),
        "serf_wan": agent.wan.as_ref().map(|w| w.stats()).unwrap_or_default(),
    });
    // A client agent has no Raft, WAN pool or leadership: Consul shows how many servers it knows.
    if agent.wan.is_none() {
        if let Some(o) = stats.as_object_mut() {
            o.remove("serf_wan");
        }
    }
    if !agent.config.server {
        if let Some(o) = stats.as_object_mut() {
            o.remove("raft");
            o.remove("serf_wan");
            o.insert(
                "consul".into(),
                json!({
                    "acl": "disabled",
                    "known_servers": s(&agent.known_servers().len()),
                    "server": "false",
                }),
            );
        }
    }
    stats
}
