//! The HTTP API: Consul's `/v1/...` routes on axum, one file per API area. Handlers read the
//! replicated state directly and write through Raft; they never print and never panic on input.
//! On a follower, `forward` hands what only the leader may answer to the leader (server RPC).

pub mod agent_checks;
mod agent_health;
mod agent_metrics;
pub mod agent_services;
mod answers;
mod blocking;
mod body;
pub mod catalog;
mod error;
mod forward;
mod health;
mod kv;
mod membership;
mod operator;
mod params;
mod respond;
mod self_info;
mod status;
mod txn;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub use answers::Answers;
pub use error::HttpError;
pub use params::{Consistency, Params, QueryLimits, QueryOptions};
pub use respond::QueryMeta;

use super::Agent;

/// Every route this agent serves.
pub fn router(agent: Arc<Agent>) -> Router {
    Router::new()
        .route("/", get(root))
        .merge(status::routes())
        .merge(kv::routes())
        .merge(catalog::routes())
        .merge(agent_services::routes())
        .merge(agent_checks::routes())
        .merge(agent_health::routes())
        .merge(agent_metrics::routes())
        .merge(health::routes())
        .merge(txn::routes())
        .merge(self_info::routes())
        .merge(membership::routes())
        .merge(operator::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Requests only the leader may answer go there (this layer runs before any handler).
        .layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            forward::middleware,
        ))
        // Bodies are read with explicit, Consul-worded limits in the handlers that take them.
        .layer(DefaultBodyLimit::disable())
        // Outermost: times every routed request, forwarded ones included (`consul.api.http`).
        .layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            agent_metrics::middleware,
        ))
        .with_state(agent)
}

/// Binds every address first (so a taken port fails the start), then serves them all.
pub async fn bind(addrs: &[SocketAddr]) -> Result<Vec<tokio::net::TcpListener>, std::io::Error> {
    let mut listeners = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let l = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot listen for HTTP on {addr}: {e}; another agent may be using it: stop it, or choose another port with -http-port (ports.http) or another address with -client"))
        })?;
        listeners.push(l);
    }
    Ok(listeners)
}

async fn root(axum::extract::State(agent): axum::extract::State<Arc<Agent>>) -> Response {
    if agent.config.ui_enabled {
        (
            StatusCode::MOVED_PERMANENTLY,
            [(axum::http::header::LOCATION, "/ui/")],
        )
            .into_response()
    } else {
        (
            StatusCode::OK,
            "sd agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.\n",
        )
            .into_response()
    }
}

async fn method_not_allowed(method: axum::http::Method) -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} not allowed"),
    )
}

async fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "404 page not found")
}
