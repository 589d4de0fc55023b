//! `/v1/event/fire/:name` (the body is the payload; `?node=`, `?service=`, `?tag=` are
//! regular-expression filters) and `/v1/event/list` (`?name=`, blocking on the newest
//! event's index). Events are this agent's business: fired into gossip from here, listed
//! from what reached here; never forwarded to a server.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::Router;
use tokio::time::Instant;

use super::body::read_limited;
use super::error::HttpError;
use super::params::{read_opts, Params};
use super::respond;
use crate::agent::endpoints::read::{jitter, wait};
use crate::agent::{events, Agent};
use crate::api::event::{UserEvent, SIZE_LIMIT};

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/event/fire/{*name}", put(fire))
        .route("/v1/event/fire/", put(missing_name))
        .route("/v1/event/list", get(list))
}

async fn missing_name() -> HttpError {
    HttpError::bad_request("Missing name")
}

async fn fire(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let payload = read_limited(body, SIZE_LIMIT as u64, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    let event = UserEvent {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        payload: (!payload.is_empty()).then(|| payload.to_vec()),
        node_filter: p.get("node").unwrap_or_default().to_string(),
        service_filter: p.get("service").unwrap_or_default().to_string(),
        tag_filter: p.get("tag").unwrap_or_default().to_string(),
        version: 1,
        ltime: 0,
    };
    events::validate(&event).map_err(HttpError::bad_request)?;
    agent
        .gossip
        .fire_user_event(event.clone())
        .map_err(|e| HttpError::bad_request(e.to_string()))?;
    // As Consul: the answer is the event as fired, before gossip gave it a time.
    Ok(respond::json(
        StatusCode::OK,
        &event,
        p.flag("pretty"),
        None,
    ))
}

async fn list(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    let name = p.get("name").unwrap_or_default();
    let deadline = Instant::now() + opts.wait + jitter(opts.wait);
    let (events, index) = loop {
        let mut changed = agent.events.watch();
        let (events, index) = agent.events.list(name);
        // An empty list answers index 1 (the smallest index Consul's headers carry), so a
        // client blocking on it waits for the first event instead of spinning.
        let index = index.max(1);
        // Consul's event index is no counter: a different newest event is a change.
        if opts.min_index == 0 || index != opts.min_index || Instant::now() >= deadline {
            break (events, index);
        }
        wait(&mut changed, deadline).await;
    };
    let meta = agent.query_meta(index, opts.consistency);
    Ok(respond::json(
        StatusCode::OK,
        &events,
        opts.pretty,
        Some(&meta),
    ))
}
