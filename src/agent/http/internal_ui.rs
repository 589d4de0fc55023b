//! `/v1/internal/ui/...`: the summaries Consul's web UI reads (`services`, `nodes`,
//! `node/:node`), in Consul's shapes, so the embedded UI and a user's own build of Consul's UI
//! both work. Each is one blocking query: the services and nodes views watch the whole catalog,
//! the node view its node.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};

use super::acl_filter::{trim_node, trim_nodes, Trim};
use super::blocking;
use super::error::HttpError;
use super::params::read_opts;
use super::respond;
use crate::agent::acl::Caller;
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/internal/ui/services", get(services))
        .route("/v1/internal/ui/nodes", get(nodes))
        .route("/v1/internal/ui/node/{*node}", get(node))
}

async fn services(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    whole_catalog(&agent, q, "internal/ui/services", &caller, |t| {
        let mut all = t.catalog.service_summaries();
        let filtered = blocking::restricted(&caller) && all.trim(&caller);
        (all, filtered)
    })
    .await
}

async fn nodes(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    whole_catalog(&agent, q, "internal/ui/nodes", &caller, |t| {
        let mut all = t.catalog.node_dump();
        let filtered = blocking::restricted(&caller) && trim_nodes(&mut all, &caller);
        (all, filtered)
    })
    .await
}

/// A summary of the whole catalog, blocking on any change to it.
async fn whole_catalog<T: serde::Serialize>(
    agent: &Agent,
    q: Option<String>,
    endpoint: &str,
    caller: &Caller,
    read: impl Fn(&Tables) -> (T, bool),
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(agent, q.as_deref())?;
    blocking::shared(agent, &p, opts, endpoint, WatchKey::Catalog, caller, |t| {
        let (value, filtered) = read(t);
        (value, t.catalog.version(), filtered)
    })
    .await
}

/// One node; an unknown node is a 404 with an empty body, as in Consul.
async fn node(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    let key = WatchKey::Node(name.clone());
    let (info, meta) = blocking::query(&agent, &opts, key, |t| {
        let mut info = t.catalog.node_info(&name);
        trim_node(&mut info, &name, &caller);
        (info, t.catalog.node_index(&name).max(1))
    })
    .await?;
    Ok(match info {
        Some(info) => respond::json(StatusCode::OK, &info, p.flag("pretty"), Some(&meta)),
        None => respond::empty(StatusCode::NOT_FOUND, &meta),
    })
}
