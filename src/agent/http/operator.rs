//! `/v1/operator/raft/configuration`, `DELETE /v1/operator/raft/peer` and
//! `POST /v1/operator/raft/transfer-leader`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;

use super::blocking;
use super::error::HttpError;
use super::params::{read_opts, Params};
use super::respond;
use crate::agent::raft::PeerRef;
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/operator/raft/configuration", get(configuration))
        .route("/v1/operator/raft/peer", delete(remove_peer))
        .route("/v1/operator/raft/transfer-leader", post(transfer_leader))
}

async fn transfer_leader(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    agent
        .raft()?
        .transfer_leader(p.get("id"))
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(respond::json(
        StatusCode::OK,
        &serde_json::json!({"Success": true}),
        p.flag("pretty"),
        None,
    ))
}

async fn configuration(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (_, opts) = read_opts(&agent, q.as_deref())?;
    blocking::gate(&agent, opts.consistency).await?;
    Ok(respond::json(
        StatusCode::OK,
        &agent.raft()?.configuration(),
        opts.pretty,
        None,
    ))
}

async fn remove_peer(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let peer = match (p.get("id").filter(|s| !s.is_empty()), p.get("address").filter(|s| !s.is_empty())) {
        (Some(id), None) => PeerRef::Id(id.to_string()),
        (None, Some(addr)) => PeerRef::Address(addr.to_string()),
        _ => {
            return Err(HttpError::bad_request(
                "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove",
            ))
        }
    };
    agent
        .raft()?
        .remove_peer(peer)
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(respond::json(
        StatusCode::OK,
        &serde_json::Value::Null,
        false,
        None,
    ))
}
