//! `/v1/status/leader` and `/v1/status/peers`: the leader's and the voters' server RPC addresses.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/status/leader", get(leader))
        .route("/v1/status/peers", get(peers))
}

async fn leader(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let raft = agent.raft()?;
    // A leader that has not yet put itself in the catalog is not announced yet (reconcile.rs).
    let establishing = raft.is_leader()
        && !agent
            .leadership_established
            .load(std::sync::atomic::Ordering::Acquire);
    let addr = match establishing {
        true => String::new(),
        false => raft.leader_addr().unwrap_or_default(),
    };
    Ok(respond::json(StatusCode::OK, &addr, p.flag("pretty"), None))
}

async fn peers(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let peers: Vec<String> = agent
        .raft()?
        .configuration()
        .servers
        .into_iter()
        .filter(|s| s.voter)
        .map(|s| s.address)
        .collect();
    Ok(respond::json(
        StatusCode::OK,
        &peers,
        p.flag("pretty"),
        None,
    ))
}
