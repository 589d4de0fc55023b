//! Consul Connect's routes, answered as a Consul agent with Connect disabled answers them, so a
//! client learns that Connect is off rather than meeting a 404 it cannot explain: the CA, leaf
//! certificates, authorization, intentions and discovery chains fail with 500 "Connect must be
//! enabled in order to use this endpoint"; the Connect-capable and gateway listings of the
//! catalog and health endpoints are empty lists, blocking on the service like their plain
//! forms (sd has no sidecar proxies or gateways).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;

use super::blocking;
use super::error::HttpError;
use super::params::Params;
use crate::agent::filter::schemas;
use crate::agent::state::WatchKey;
use crate::agent::Agent;

/// Consul's `ErrConnectNotEnabled`.
const NOT_ENABLED: &str = "Connect must be enabled in order to use this endpoint";

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/connect/ca/roots", any(disabled))
        .route("/v1/connect/ca/configuration", any(disabled))
        .route("/v1/connect/intentions", any(disabled))
        .route("/v1/connect/intentions/exact", any(disabled))
        .route("/v1/connect/intentions/match", any(disabled))
        .route("/v1/connect/intentions/check", any(disabled))
        .route("/v1/connect/intentions/{id}", any(disabled))
        .route("/v1/agent/connect/authorize", any(disabled))
        .route("/v1/agent/connect/ca/roots", any(disabled))
        .route("/v1/agent/connect/ca/leaf/{*service}", any(disabled))
        .route("/v1/discovery-chain/{*service}", any(disabled))
        .route("/v1/health/connect/{*service}", get(no_instances))
        .route("/v1/health/ingress/{*service}", get(no_instances))
        .route("/v1/catalog/connect/{*service}", get(no_instances))
        .route("/v1/catalog/gateway-services/{*gateway}", get(no_instances))
}

async fn disabled() -> HttpError {
    HttpError::internal(NOT_ENABLED)
}

/// An empty list with the read headers of `service`, blocking on it as the plain listing does.
async fn no_instances(
    State(agent): State<Arc<Agent>>,
    Path(service): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let key = WatchKey::Service(service.clone());
    let everyone = agent.acls.everyone();
    // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
    let answer = blocking::list(
        &agent,
        &p,
        "connect/none",
        schemas::service_entry(),
        key,
        &everyone,
        |t| (Vec::<()>::new(), t.catalog.service_index(&service)),
    );
    drop(p);
    answer.await
}
