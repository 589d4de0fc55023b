//! `/v1/agent/self` (exactly Consul's top-level keys: Config, DebugConfig, Coord, Member, Meta,
//! Stats, xDS) and `/v1/agent/members` (this agent alone until gossip exists).

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
        .route("/v1/agent/members", get(members))
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
            "Version": crate::VERSION,
            "BuildDate": "",
        },
        "DebugConfig": c.merged,
        "Coord": {"Vec": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], "Error": 1.5, "Adjustment": 0.0, "Height": 1.0e-5},
        "Member": agent.member(),
        "Meta": c.node_meta,
        "Stats": stats(&agent),
        "xDS": {"SupportedProxies": {}, "Port": -1, "Ports": {"Plaintext": -1, "TLS": -1}},
    });
    Ok(respond::json(StatusCode::OK, &body, p.flag("pretty"), None))
}

async fn members(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    if p.flag("wan") && !agent.config.server {
        return Err(HttpError::internal(
            "Cannot list WAN members: this agent is not a server",
        ));
    }
    Ok(respond::json(
        StatusCode::OK,
        &[agent.member()],
        p.flag("pretty"),
        None,
    ))
}

/// `Stats` as Consul groups it; every value is a string, as in Consul.
fn stats(agent: &Agent) -> Value {
    let s = |v: &dyn ToString| Value::String(v.to_string());
    let raft: BTreeMap<String, String> = agent.raft.stats();
    let leader = agent.raft.is_leader();
    json!({
        "agent": {"check_monitors": "0", "check_ttls": "0", "checks": "0", "services": "0"},
        "build": {"prerelease": "", "revision": option_env!("SD_GIT_REVISION").unwrap_or(""), "version": crate::VERSION, "version_metadata": ""},
        "consul": {
            "acl": "disabled",
            "bootstrap": s(&agent.config.bootstrap),
            "known_datacenters": "1",
            "leader": s(&leader),
            "leader_addr": agent.raft.leader_addr().unwrap_or_default(),
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
        "serf_lan": {
            "encrypted": "false", "event_queue": "0", "event_time": "1", "failed": "0", "health_score": "0",
            "intent_queue": "0", "left": "0", "member_time": "1", "members": "1", "query_queue": "0", "query_time": "1",
        },
        "serf_wan": {
            "encrypted": "false", "event_queue": "0", "event_time": "1", "failed": "0", "health_score": "0",
            "intent_queue": "0", "left": "0", "member_time": "1", "members": "1", "query_queue": "0", "query_time": "1",
        },
    })
}
