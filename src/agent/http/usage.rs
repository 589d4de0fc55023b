//! `GET /v1/operator/usage`: how many nodes, services and service instances the catalog holds,
//! per datacenter, in Consul's shape (its query metadata repeated in the body). sd has no
//! Connect, so every Connect kind counts 0, and the billable instances are all but the servers'
//! own `consul` instances, as Consul counts them. A blocking read on the catalog; `?global`
//! adds every other datacenter's, asked of its servers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
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
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
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
    let mut usage = BTreeMap::from([(agent.config.datacenter.clone(), here)]);
    if p.flag("global") {
        // Every other datacenter's, asked of its servers with the caller's token.
        let token = super::acl_guard::token_of(&p, &headers);
        let others = match &agent.wan {
            Some(wan) => crate::agent::wan::router::datacenters(wan, &agent.config.datacenter),
            None => Vec::new(),
        };
        for dc in others.iter().filter(|dc| **dc != agent.config.datacenter) {
            let stale = opts.consistency == crate::agent::endpoints::Consistency::Stale;
            usage.extend(agent.usage_of(dc, token.as_deref(), stale).await?);
        }
    }
    let body = json!({
        "Usage": usage,
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
