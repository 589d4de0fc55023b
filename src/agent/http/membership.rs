//! Gossip membership over HTTP: `GET /v1/agent/members`, `PUT /v1/agent/join/<address>`,
//! `PUT /v1/agent/leave` (graceful leave, then the agent stops) and
//! `PUT /v1/agent/force-leave/<node>` (`?prune`), and `PUT /v1/agent/reload` (config files read
//! again; see `agent::reload`).

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
    if p.flag("wan") {
        if !agent.config.server {
            return Err(HttpError::internal(
                "Cannot list WAN members: this agent is not a server",
            ));
        }
        // One datacenter: the WAN pool is this server alone, named `<node>.<dc>` as in Consul.
        let mut me = agent.member();
        me.name = format!("{}.{}", me.name, agent.config.datacenter);
        return Ok(respond::json(StatusCode::OK, &[me], p.flag("pretty"), None));
    }
    let f = super::params::filter(&p, crate::agent::filter::schemas::agent_member())?;
    let mut members = agent.gossip.members();
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
    if p.flag("wan") {
        return Err(HttpError::internal("WAN join is not supported by sd yet"));
    }
    agent
        .gossip
        .join(&[address])
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(StatusCode::OK.into_response())
}

async fn leave(State(agent): State<Arc<Agent>>) -> Result<Response, HttpError> {
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
    agent
        .gossip
        .force_leave(&node, p.flag("prune"))
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(StatusCode::OK.into_response())
}
