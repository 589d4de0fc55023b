//! `GET /v1/agent/health/service/id/:id` and `.../name/:name`: the local health of this agent's
//! services, as load balancers poll it. The aggregated status is maintenance > critical >
//! warning > passing over the service's checks and the node's own; the HTTP status says it
//! (200 passing, 429 warning, 503 critical or maintenance), and `?format=text` answers with the
//! word alone.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Serialize;

use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::registration::maintenance::{NODE_MAINT, SERVICE_MAINT_PREFIX};
use crate::agent::Agent;
use crate::api::catalog::{health, AgentService, HealthCheck};

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/agent/health/service/id/{*id}", get(by_id))
        .route("/v1/agent/health/service/name/{*name}", get(by_name))
}

/// One service's local health, as Consul's `AgentServiceChecksInfo`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ServiceHealth {
    aggregated_status: String,
    service: AgentService,
    checks: Vec<HealthCheck>,
}

fn health_of(agent: &Agent, service: AgentService) -> ServiceHealth {
    let checks: Vec<HealthCheck> = agent
        .local
        .checks()
        .into_values()
        .filter(|c| c.service_id.is_empty() || c.service_id == service.id)
        .collect();
    let maintenance = checks
        .iter()
        .any(|c| c.check_id == NODE_MAINT || c.check_id.starts_with(SERVICE_MAINT_PREFIX));
    let status = if maintenance {
        health::MAINTENANCE
    } else {
        checks
            .iter()
            .map(|c| c.status.as_str())
            .max_by_key(|s| health::severity(s))
            .unwrap_or(health::PASSING)
    };
    ServiceHealth {
        aggregated_status: status.to_string(),
        service,
        checks,
    }
}

fn code(status: &str) -> StatusCode {
    match status {
        health::PASSING => StatusCode::OK,
        health::WARNING => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn answer<T: Serialize>(p: &Params, status: &str, body: &T) -> Response {
    if p.get("format") == Some("text") {
        return (code(status), status.to_string()).into_response();
    }
    respond::json(code(status), body, p.flag("pretty"), None)
}

async fn by_id(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let Some(service) = agent.local.service(&id) else {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("ServiceId {id} not found"),
        ));
    };
    caller.require(Resource::Service, &service.service, Access::Read)?;
    let h = health_of(&agent, service);
    let status = h.aggregated_status.clone();
    Ok(answer(&p, &status, &h))
}

async fn by_name(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    caller.require(Resource::Service, &name, Access::Read)?;
    let all: Vec<ServiceHealth> = agent
        .local
        .services()
        .into_values()
        .filter(|s| s.service == name)
        .map(|s| health_of(&agent, s))
        .collect();
    if all.is_empty() {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("ServiceName {name} Not Found"),
        ));
    }
    let worst = all
        .iter()
        .map(|h| h.aggregated_status.as_str())
        .max_by_key(|s| health::severity(s))
        .unwrap_or(health::PASSING)
        .to_string();
    Ok(answer(&p, &worst, &all))
}
