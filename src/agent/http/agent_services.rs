//! The agent's own services: `PUT /v1/agent/service/register`, `PUT
//! /v1/agent/service/deregister/:id`, `GET /v1/agent/services` and `GET /v1/agent/service/:id`
//! (with `ContentHash` and hash-based blocking). Under ACLs each needs `service:write` (or
//! `read`) on the service's name; the list shows only what the caller may read.
//! They change the local state, which anti-entropy then syncs to the catalog; checks defined
//! with a service are registered through `agent_checks`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Extension, Router};

use super::body::read_json;
use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::checks::CheckSource;
use crate::agent::registration::{apply_service, kept_check, prepare_service, PreparedService};
use crate::agent::Agent;
use crate::api::catalog::{AgentService, AgentServiceRegistration, FIELD_NAMES, OPAQUE_FIELDS};

const MAX_BODY: u64 = 1024 * 1024;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/agent/service/register", put(register))
        .route("/v1/agent/service/deregister/{*id}", put(deregister))
        .route("/v1/agent/services", get(services))
        .route("/v1/agent/service/{*id}", get(service))
}

async fn register(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let reg: AgentServiceRegistration =
        read_json(body, MAX_BODY, FIELD_NAMES, OPAQUE_FIELDS).await?;
    caller.require(Resource::Service, &reg.name, Access::Write)?;
    // Replacing a service of another name needs write on that one too.
    let id = if reg.id.is_empty() {
        &reg.name
    } else {
        &reg.id
    };
    if let Some(old) = agent.local.service(id) {
        caller.require(Resource::Service, &old.service, Access::Write)?;
    }
    let prepared = prepare_service(&agent, reg.clone(), CheckSource::HttpApi)?;
    persist(&agent, reg, &prepared)?;
    apply_service(&agent, prepared, p.flag("replace-existing-checks"))?;
    Ok(ok_empty())
}

/// Keeps an API registration for the next start, as Consul does: the service without its
/// checks, and each of its checks on its own (so one can be deregistered alone).
fn persist(
    agent: &Agent,
    mut reg: AgentServiceRegistration,
    prepared: &PreparedService,
) -> Result<(), HttpError> {
    let raw: Vec<serde_json::Value> = reg
        .check
        .take()
        .into_iter()
        .chain(reg.checks.drain(..))
        .collect();
    reg.id.clone_from(&prepared.service.id);
    let service = serde_json::to_value(&reg).unwrap_or_default();
    agent
        .persisted
        .save_service(&reg.id, &service)
        .map_err(|e| HttpError::internal(e.to_string()))?;
    for (value, c) in raw.into_iter().zip(&prepared.checks) {
        agent
            .persisted
            .save_check(&c.id, &kept_check(value, c))
            .map_err(|e| HttpError::internal(e.to_string()))?;
    }
    Ok(())
}

async fn deregister(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    if let Some(old) = agent.local.service(&id) {
        caller.require(Resource::Service, &old.service, Access::Write)?;
    }
    match agent.remove_service(&id) {
        Some(_) => Ok(ok_empty()),
        None => Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("Unknown service ID {id:?}. Ensure that the service ID is passed, not the service name."),
        )),
    }
}

async fn services(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let f = super::params::filter(&p, crate::agent::filter::schemas::agent_service())?;
    let mut services = agent.local.services();
    super::params::retain_values(&f, &mut services);
    let before = services.len();
    services.retain(|_, s| caller.allows(Resource::Service, &s.service, Access::Read));
    let mut resp = respond::json(StatusCode::OK, &services, p.flag("pretty"), None);
    super::acl_guard::mark_filtered(&mut resp, &caller, services.len() != before);
    Ok(resp)
}

async fn service(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    if let Some(s) = agent.local.service(&id) {
        caller.require(Resource::Service, &s.service, Access::Read)?;
    }
    match super::blocking::by_hash(&agent, &p, || agent.local.service(&id)).await? {
        Some((service, hash)) => {
            let body = WithContentHash {
                service: &service,
                content_hash: &hash,
            };
            let mut response = respond::json(StatusCode::OK, &body, p.flag("pretty"), None);
            if let Ok(value) = HeaderValue::from_str(&hash) {
                response.headers_mut().insert("X-Consul-ContentHash", value);
            }
            Ok(response)
        }
        None => Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("unknown service ID: {id}"),
        )),
    }
}

/// `GET /v1/agent/service/:id`'s body: the service and the hash a client blocks with.
#[derive(serde::Serialize)]
struct WithContentHash<'a> {
    #[serde(flatten)]
    service: &'a AgentService,
    #[serde(rename = "ContentHash")]
    content_hash: &'a str,
}

/// An empty 200, as Consul answers agent writes.
pub fn ok_empty() -> Response {
    axum::response::IntoResponse::into_response(StatusCode::OK)
}
