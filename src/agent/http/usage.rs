//! `GET /v1/operator/usage`: how many nodes, services and service instances the catalog holds,
//! per datacenter, in Consul's shape (its query metadata repeated in the body). sd has no
//! Connect, so every Connect kind counts 0, and the billable instances are all but the servers'
//! own `consul` instances, as Consul counts them. A blocking read on the catalog.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::blocking;
use super::error::HttpError;
use super::params::read_opts;
use super::respond;
use crate::agent::state::WatchKey;
use crate::agent::Agent;
use crate::api::operator::ServiceUsage;

/// The kinds of Connect instances Consul counts.
const CONNECT_KINDS: [&str; 6] = [
    "api-gateway",
    "connect-native",
    "connect-proxy",
    "ingress-gateway",
    "mesh-gateway",
    "terminating-gateway",
];

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route("/v1/operator/usage", get(usage))
}

async fn usage(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (_, opts) = read_opts(&agent, q.as_deref())?;
    let (counts, meta) = blocking::query(&agent, &opts, WatchKey::Catalog, |t| {
        let (nodes, services, instances) = t.catalog.usage();
        let servers = t.catalog.instances("consul").len();
        let index = t.catalog.nodes_index().max(t.catalog.services_index());
        ((nodes, services, instances, servers), index)
    })
    .await?;
    let (nodes, services, instances, servers) = counts;
    let here = ServiceUsage {
        services: services as u64,
        service_instances: instances as u64,
        connect_service_instances: CONNECT_KINDS.iter().map(|k| (k.to_string(), 0)).collect(),
        billable_service_instances: instances.saturating_sub(servers) as u64,
        nodes: nodes as u64,
    };
    let body = json!({
        "Usage": { agent.config.datacenter.as_str(): here },
        "Index": meta.index,
        "LastContact": meta.last_contact_ms,
        "KnownLeader": meta.known_leader,
        "ConsistencyLevel": meta.consistency.header_value(),
        "NotModified": false,
        "Backend": 0,
        "ResultsFilteredByACLs": false,
    });
    Ok(respond::json(
        StatusCode::OK,
        &body,
        opts.pretty,
        Some(&meta),
    ))
}
