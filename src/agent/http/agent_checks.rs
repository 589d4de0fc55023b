//! The agent's own checks: `GET /v1/agent/checks`, `PUT /v1/agent/check/register`,
//! `deregister/:id`, `pass|warn|fail/:id?note=`, `update/:id` and maintenance mode
//! (`/v1/agent/maintenance`, `/v1/agent/service/maintenance/:id`). Registration itself
//! (validation, the script policy, running the check) is `agent::registration`'s; results flow
//! back into the local state and from there to the catalog through anti-entropy.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Extension, Router};
use serde::Deserialize;

use super::agent_services::ok_empty;
use super::body::read_json;
use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::checks::{CheckSource, ChecksError, Status};
use crate::agent::local::persist::TtlState;
use crate::agent::registration::{
    add_check, kept_check, maintenance, parse_check, RegistrationError,
};
use crate::agent::Agent;
use crate::api::catalog::{FIELD_NAMES, OPAQUE_FIELDS};

const MAX_BODY: u64 = 1024 * 1024;
const DEFAULT_MAINT_REASON: &str = "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.";
const DEFAULT_SERVICE_MAINT_REASON: &str = "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.";

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/agent/checks", get(checks))
        .route("/v1/agent/check/register", put(register))
        .route("/v1/agent/check/deregister/{*id}", put(deregister))
        .route("/v1/agent/check/pass/{*id}", put(pass))
        .route("/v1/agent/check/warn/{*id}", put(warn))
        .route("/v1/agent/check/fail/{*id}", put(fail))
        .route("/v1/agent/check/update/{*id}", put(update))
        .route("/v1/agent/maintenance", put(node_maintenance))
        .route(
            "/v1/agent/service/maintenance/{*id}",
            put(service_maintenance),
        )
}

impl From<RegistrationError> for HttpError {
    fn from(e: RegistrationError) -> HttpError {
        match e {
            RegistrationError::Invalid(message) => HttpError::bad_request(message),
            RegistrationError::Checks(e) => checks_error(e),
        }
    }
}

/// `service:write` on `service`, or for a node check (no service) `node:write` on this node.
fn require_write(agent: &Agent, caller: &Caller, service: &str) -> Result<(), HttpError> {
    let checked = if service.is_empty() {
        caller.require(Resource::Node, &agent.config.node_name, Access::Write)
    } else {
        caller.require(Resource::Service, service, Access::Write)
    };
    Ok(checked?)
}

/// The permission to change a local check: that of what it checks (an unknown ID passes, to
/// get the handler's 404).
fn require_check_write(agent: &Agent, caller: &Caller, id: &str) -> Result<(), HttpError> {
    match agent.local.check(id) {
        Some(c) => require_write(agent, caller, &c.service_name),
        None => Ok(()),
    }
}

fn checks_error(e: ChecksError) -> HttpError {
    match e {
        ChecksError::Unknown(_) => HttpError::new(StatusCode::NOT_FOUND, e.to_string()),
        ChecksError::Invalid(d) => HttpError::bad_request(format!("Invalid check: {d}")),
        other => HttpError::bad_request(other.to_string()),
    }
}

async fn checks(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let f = super::params::filter(&p, crate::agent::filter::schemas::health_check())?;
    let mut checks = agent.local.checks();
    super::params::retain_values(&f, &mut checks);
    let before = checks.len();
    checks.retain(|_, c| super::acl_filter::Visible::visible_to(c, &caller));
    let mut resp = respond::json(StatusCode::OK, &checks, p.flag("pretty"), None);
    super::acl_guard::mark_filtered(&mut resp, &caller, checks.len() != before);
    Ok(resp)
}

async fn register(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    body: Body,
) -> Result<Response, HttpError> {
    let value: serde_json::Value = read_json(body, MAX_BODY, FIELD_NAMES, OPAQUE_FIELDS).await?;
    let parsed = parse_check(&agent, &value, CheckSource::HttpApi)?;
    let service = agent
        .local
        .service(&parsed.service_id)
        .map(|s| s.service)
        .unwrap_or_default();
    require_write(&agent, &caller, &service)?;
    require_check_write(&agent, &caller, &parsed.id)?;
    let id = parsed.id.clone();
    // Kept for the next start under its final ID.
    let kept = kept_check(value, &parsed);
    add_check(&agent, parsed)?;
    if let Err(e) = agent.persisted.save_check(&id, &kept) {
        agent.remove_check(&id);
        return Err(HttpError::internal(e.to_string()));
    }
    Ok(ok_empty())
}

async fn deregister(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    require_check_write(&agent, &caller, &id)?;
    if agent.remove_check(&id) {
        Ok(ok_empty())
    } else {
        Err(checks_error(ChecksError::Unknown(id)))
    }
}

async fn ttl(agent: &Agent, id: &str, status: Status, output: &str) -> Result<Response, HttpError> {
    let stored = agent
        .checks
        .ttl_update(id, status, output)
        .map_err(checks_error)?;
    agent.local.update_check(id, status.as_str(), &stored);
    // Kept so that a restart within the TTL does not turn the check critical.
    if let Some(ttl) = agent.checks.ttl_period(id) {
        let state = TtlState::new(id, status.as_str(), &stored, ttl);
        agent
            .persisted
            .save_ttl_state(&state)
            .map_err(|e| HttpError::internal(e.to_string()))?;
    }
    Ok(ok_empty())
}

async fn pass(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    require_check_write(&agent, &caller, &id)?;
    ttl(&agent, &id, Status::Passing, p.get("note").unwrap_or("")).await
}

async fn warn(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    require_check_write(&agent, &caller, &id)?;
    ttl(&agent, &id, Status::Warning, p.get("note").unwrap_or("")).await
}

async fn fail(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    require_check_write(&agent, &caller, &id)?;
    ttl(&agent, &id, Status::Critical, p.get("note").unwrap_or("")).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Update {
    status: String,
    output: String,
}

async fn update(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, HttpError> {
    require_check_write(&agent, &caller, &id)?;
    let u: Update = read_json(body, MAX_BODY, &["Status", "Output"], &[]).await?;
    let status: Status = u
        .status
        .parse()
        .map_err(|e: crate::agent::checks::InvalidStatus| HttpError::bad_request(e.to_string()))?;
    ttl(&agent, &id, status, &u.output).await
}

/// `?enable=true|false` is required, as in Consul.
fn enable_flag(p: &Params) -> Result<bool, HttpError> {
    match p.get("enable") {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(HttpError::bad_request(format!(
            "Invalid value for \"enable\": {other:?}"
        ))),
        None => Err(HttpError::bad_request("Missing value for enable")),
    }
}

async fn node_maintenance(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    if enable_flag(&p)? {
        let reason = p.get("reason").filter(|r| !r.is_empty());
        maintenance::enable(&agent, "", reason.unwrap_or(DEFAULT_MAINT_REASON))
            .map_err(|e| HttpError::internal(e.to_string()))?;
    } else {
        maintenance::disable(&agent, "");
    }
    Ok(ok_empty())
}

async fn service_maintenance(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    if let Some(s) = agent.local.service(&id) {
        caller.require(Resource::Service, &s.service, Access::Write)?;
    }
    let enable = enable_flag(&p)?;
    if agent.local.service(&id).is_none() {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("Unknown service ID {id:?}"),
        ));
    }
    if enable {
        let reason = p.get("reason").filter(|r| !r.is_empty());
        maintenance::enable(&agent, &id, reason.unwrap_or(DEFAULT_SERVICE_MAINT_REASON))
            .map_err(|e| HttpError::internal(e.to_string()))?;
    } else {
        maintenance::disable(&agent, &id);
    }
    Ok(ok_empty())
}
