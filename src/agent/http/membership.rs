//! Gossip membership over HTTP: `GET /v1/agent/members`, `PUT /v1/agent/join/<address>`,
//! `PUT /v1/agent/leave` (graceful leave, then the agent stops) and
//! `PUT /v1/agent/force-leave/<node>` (`?prune`), and `PUT /v1/agent/reload` (config files read
//! again; see `agent::reload`). `?wan` makes members, join and force-leave act on a server's
//! WAN pool (members named `<node>.<dc>`) instead of the LAN.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Extension, Router};

use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::acl::Caller;
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/agent/members", get(members))
        .route("/v1/agent/join/{*address}", put(join))
        .route("/v1/agent/leave", put(leave))
        .route("/v1/agent/reload", put(reload))
        .route("/v1/agent/force-leave/{*node}", put(force_leave))
}

async fn members(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let f = super::params::filter(&p, crate::agent::filter::schemas::agent_member())?;
    let mut members = match p.flag("wan") {
        false => agent.gossip.members(),
        true if !agent.config.server => {
            return Err(HttpError::internal(
                "Cannot list WAN members: this agent is not a server",
            ))
        }
        // A server with `ports.serf_wan` -1 is in no WAN pool.
        true => agent.wan.as_ref().map(|w| w.members()).unwrap_or_default(),
    };
    members.sort_by(|a, b| a.name.cmp(&b.name));
    f.retain(&mut members);
    let filtered = super::acl_filter::Trim::trim(&mut members, &caller);
    let mut resp = respond::json(StatusCode::OK, &members, p.flag("pretty"), None);
    super::acl_guard::mark_filtered(&mut resp, &caller, filtered);
    Ok(resp)
}

async fn join(
    State(agent): State<Arc<Agent>>,
    Path(address): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    wan_or_lan(
        &agent,
        p.flag("wan"),
        "Must be a server to join WAN cluster",
    )?
    .join(&[address])
    .await
    .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(StatusCode::OK.into_response())
}

async fn leave(State(agent): State<Arc<Agent>>) -> Result<Response, HttpError> {
    // A server leaves the WAN pool first, then its datacenter, as Consul's does.
    if let Some(wan) = &agent.wan {
        wan.leave()
            .await
            .map_err(|e| HttpError::internal(e.to_string()))?;
    }
    agent
        .gossip
        .leave()
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    tracing::info!("graceful leave complete");
    agent.stop.notify_one();
    Ok(StatusCode::OK.into_response())
}

async fn reload(State(agent): State<Arc<Agent>>) -> Result<Response, HttpError> {
    crate::agent::reload::reload(&agent)
        .map_err(|e| HttpError::internal(format!("Failed reloading config: {e}")))?;
    Ok(StatusCode::OK.into_response())
}

async fn force_leave(
    State(agent): State<Arc<Agent>>,
    Path(node): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let not_server = "Must be a server to force-leave a node from the WAN cluster";
    wan_or_lan(&agent, p.flag("wan"), not_server)?
        .force_leave(&node, p.flag("prune"))
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(StatusCode::OK.into_response())
}

/// The pool `?wan` asks for: the WAN pool on a server that has one, else an error
/// (`not_server` on a client agent); the LAN pool without `?wan`.
fn wan_or_lan<'a>(
    agent: &'a Agent,
    wan: bool,
    not_server: &str,
) -> Result<&'a crate::agent::gossip::Gossip, HttpError> {
    match (wan, &agent.wan) {
        (false, _) => Ok(&agent.gossip),
        (true, Some(w)) => Ok(w),
        (true, None) if !agent.config.server => Err(HttpError::internal(not_server)),
        (true, None) => Err(HttpError::internal(
            "WAN Federation is disabled (ports.serf_wan is -1)",
        )),
    }
}
