//! `/v1/acl/*`: the bootstrap, tokens, policies, roles, templated policies, auth methods and
//! binding rules, and login/logout, as Consul serves them. Writes go to the leader (`http/forward.rs`) and through Raft; reads block on any
//! ACL change. Every route answers 401 `ACL support disabled` while ACLs are off. Reading
//! needs `acl:read` and writing `acl:write`; secrets are shown only to `acl:write`.
//!
//! `/v1/internal/acl/resolve` (sd's own) tells a client agent the rules of the token a request
//! carried, so that it can enforce them on its own endpoints.

mod auth_method;
mod bootstrap;
mod links;
mod login;
mod policy;
mod role;
mod templated;
mod token;

use std::sync::Arc;

use axum::body::Body;
use axum::routing::{get, post, put};
use axum::Router;
use serde::Serialize;

use super::body::read_json;
use super::error::HttpError;
pub use crate::agent::acl::stamp::{hash_of, new_id, now};
use crate::agent::acl::{Access, Caller, Scope};
use crate::agent::state::acl::AclOp;
use crate::agent::state::{Command, CommandResult};
use crate::agent::Agent;

/// Largest body accepted.
const MAX_BODY: u64 = 1024 * 1024;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/acl/bootstrap", put(bootstrap::bootstrap))
        .route(
            crate::agent::endpoints::RESOLVE_PATH,
            get(bootstrap::resolve),
        )
        .route("/v1/acl/token", put(token::create))
        .route("/v1/acl/token/self", get(token::read_self))
        .route(
            "/v1/acl/token/{id}",
            get(token::read).put(token::update).delete(token::delete),
        )
        .route("/v1/acl/token/{id}/clone", put(token::clone))
        .route("/v1/acl/tokens", get(token::list))
        .route("/v1/acl/policy", put(policy::create))
        .route(
            "/v1/acl/policy/{id}",
            get(policy::read).put(policy::update).delete(policy::delete),
        )
        .route("/v1/acl/policy/name/{name}", get(policy::read_by_name))
        .route("/v1/acl/policies", get(policy::list))
        .route("/v1/acl/role", put(role::create))
        .route(
            "/v1/acl/role/{id}",
            get(role::read).put(role::update).delete(role::delete),
        )
        .route("/v1/acl/role/name/{name}", get(role::read_by_name))
        .route("/v1/acl/roles", get(role::list))
        .route("/v1/acl/templated-policies", get(templated::list))
        .route(
            "/v1/acl/templated-policy/name/{*name}",
            get(templated::read),
        )
        .route(
            "/v1/acl/templated-policy/preview/{*name}",
            post(templated::preview),
        )
        .route("/v1/acl/replication", get(templated::replication))
        .route("/v1/acl/auth-method", put(auth_method::create_method))
        .route(
            "/v1/acl/auth-method/{name}",
            get(auth_method::read_method)
                .put(auth_method::update_method)
                .delete(auth_method::delete_method),
        )
        .route("/v1/acl/auth-methods", get(auth_method::list_methods))
        .route("/v1/acl/binding-rule", put(auth_method::create_rule))
        .route(
            "/v1/acl/binding-rule/{id}",
            get(auth_method::read_rule)
                .put(auth_method::update_rule)
                .delete(auth_method::delete_rule),
        )
        .route("/v1/acl/binding-rules", get(auth_method::list_rules))
        .route("/v1/acl/login", post(login::login))
        .route("/v1/acl/logout", post(login::logout))
}

/// 401 while ACLs are off, then the caller's `acl` permission.
fn allowed(agent: &Agent, caller: &Caller, wanted: Access) -> Result<(), HttpError> {
    enabled(agent)?;
    Ok(caller.require_scope(Scope::Acl, wanted)?)
}

/// A request body read with Consul's field names in any case.
async fn body_of<T: serde::de::DeserializeOwned + Default>(body: Body) -> Result<T, HttpError> {
    let bytes = super::body::read_limited(body, MAX_BODY, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    read_json(
        Body::from(bytes),
        MAX_BODY,
        crate::api::acl::FIELD_NAMES,
        crate::api::acl::OPAQUE_FIELDS,
    )
    .await
}

/// Proposes one ACL change; a refusal is a 400 with the reason.
async fn apply(agent: &Agent, op: AclOp) -> Result<(), HttpError> {
    match agent.write(Command::Acl(op)).await?.1 {
        CommandResult::Acl(Ok(())) => Ok(()),
        CommandResult::Acl(Err(reason)) => Err(HttpError::bad_request(reason)),
        other => Err(HttpError::internal(format!(
            "unexpected result of an ACL write: {other:?}"
        ))),
    }
}

/// Consul's 403 for what does not exist.
fn not_found() -> HttpError {
    crate::agent::endpoints::EndpointError::AclNotFound.into()
}

/// Whether an ID is a UUID as Consul writes them (lower or upper hex, 8-4-4-4-12).
fn is_uuid(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok() && id.len() == 36
}

/// 200 with `value` as JSON (`?pretty` honoured).
fn ok_json<T: Serialize>(q: &Option<String>, value: &T) -> axum::response::Response {
    super::respond::json(
        axum::http::StatusCode::OK,
        value,
        super::params::Params::parse(q.as_deref()).flag("pretty"),
        None,
    )
}

/// A read of one ACL object (`acl:read`), blocking on ACL changes; 403 `ACL not found` when
/// `find` finds nothing.
async fn read_one<T: Serialize>(
    agent: &Agent,
    caller: &Caller,
    q: &Option<String>,
    find: impl Fn(&crate::agent::state::Tables) -> Option<T>,
) -> Result<axum::response::Response, HttpError> {
    allowed(agent, caller, Access::Read)?;
    super::blocking::json_read(
        agent,
        q.as_deref(),
        crate::agent::state::WatchKey::Acl,
        |t| (find(t).ok_or_else(not_found), t.acl.index().max(1)),
    )
    .await
}

/// A listing (`acl:read`), blocking on ACL changes.
async fn list_all<T: Serialize>(
    agent: &Agent,
    caller: &Caller,
    q: &Option<String>,
    list: impl Fn(&crate::agent::state::Tables) -> Vec<T>,
) -> Result<axum::response::Response, HttpError> {
    allowed(agent, caller, Access::Read)?;
    super::blocking::json_read(
        agent,
        q.as_deref(),
        crate::agent::state::WatchKey::Acl,
        |t| (Ok(list(t)), t.acl.index().max(1)),
    )
    .await
}

/// A delete (`acl:write`): `op` is applied when `exists` says there is something to delete;
/// the answer is `true` either way, as Consul's.
async fn delete_one(
    agent: &Agent,
    caller: &Caller,
    q: &Option<String>,
    exists: impl Fn(&crate::agent::state::Tables) -> bool,
    op: AclOp,
) -> Result<axum::response::Response, HttpError> {
    allowed(agent, caller, Access::Write)?;
    let found = exists(&agent.store.read());
    if found {
        apply(agent, op).await?;
    }
    Ok(ok_json(q, &true))
}

/// The stored token `accessor` as the answer of a write (its secret shown).
fn stored_token(
    agent: &Agent,
    accessor: &str,
    q: &Option<String>,
) -> Result<axum::response::Response, HttpError> {
    let stored = agent
        .store
        .read()
        .acl
        .token(accessor)
        .cloned()
        .ok_or_else(not_found)?;
    Ok(ok_json(q, &stored))
}

/// 401 `ACL support disabled` while ACLs are off.
fn enabled(agent: &Agent) -> Result<(), HttpError> {
    match agent.acls.enabled() {
        true => Ok(()),
        false => Err(crate::agent::endpoints::EndpointError::AclDisabled.into()),
    }
}
