//! `/v1/acl/policy`: create, read (by ID or `name/:name`), update, delete and list. Rules are
//! parsed before they are stored, so a policy that reached Raft always compiles. The built-in
//! `global-management` policy keeps its name and rules.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::Extension;

use super::{
    allowed, apply, body_of, delete_one, hash_of, list_all, new_id, not_found, ok_json, read_one,
};
use crate::agent::acl::{rules, Access, Caller};
use crate::agent::http::error::HttpError;
use crate::agent::state::acl::AclOp;
use crate::agent::state::Tables;
use crate::agent::Agent;
use crate::api::acl::{AclPolicy, AclPolicyListEntry, GLOBAL_MANAGEMENT_ID};

/// Consul's rule for policy and role names.
pub fn valid_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn create(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut policy: AclPolicy = body_of(body).await?;
    if !policy.id.is_empty() {
        return Err(HttpError::bad_request(
            "Cannot specify an ID when creating a policy: use PUT /v1/acl/policy/:id to update one",
        ));
    }
    policy.id = new_id();
    write(&agent, policy, &q).await
}

pub async fn update(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut policy: AclPolicy = body_of(body).await?;
    if !policy.id.is_empty() && policy.id != id {
        return Err(HttpError::bad_request(
            "Policy ID in URL and payload do not match",
        ));
    }
    policy.id = id;
    {
        let t = agent.store.read();
        let old = t.acl.policy(&policy.id).ok_or_else(not_found)?;
        if old.id == GLOBAL_MANAGEMENT_ID {
            if policy.name != old.name {
                return Err(HttpError::bad_request(
                    "Changing the Name for the builtin global-management policy is not permitted",
                ));
            }
            if policy.rules != old.rules {
                return Err(HttpError::bad_request(
                    "Changing the Rules for the builtin global-management policy is not permitted",
                ));
            }
        }
    }
    write(&agent, policy, &q).await
}

async fn write(
    agent: &Agent,
    mut policy: AclPolicy,
    q: &Option<String>,
) -> Result<Response, HttpError> {
    if policy.name.is_empty() {
        return Err(HttpError::bad_request("Invalid Policy: no Name is set"));
    }
    if !valid_name(&policy.name, 128) {
        return Err(HttpError::bad_request(format!(
            "Invalid Policy: invalid Name {:?}: use up to 128 letters, digits, '-' and '_'",
            policy.name
        )));
    }
    rules::parse(&policy.rules).map_err(HttpError::bad_request)?;
    policy.hash = hash_of(&(
        &policy.name,
        &policy.description,
        &policy.rules,
        &policy.datacenters,
    ));
    let id = policy.id.clone();
    apply(agent, AclOp::PolicySet(Box::new(policy))).await?;
    let stored = agent
        .store
        .read()
        .acl
        .policy(&id)
        .cloned()
        .ok_or_else(not_found)?;
    Ok(ok_json(q, &stored))
}

pub async fn read(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read_one(&agent, &caller, &q, |t| t.acl.policy(&id).cloned()).await
}

pub async fn read_by_name(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read_one(&agent, &caller, &q, |t| {
        t.acl.policy_by_name(&name).cloned()
    })
    .await
}

pub async fn delete(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    if id == GLOBAL_MANAGEMENT_ID {
        return Err(HttpError::bad_request(
            "Delete of the builtin global-management policy is not allowed",
        ));
    }
    let exists = |t: &Tables| t.acl.policy(&id).is_some();
    delete_one(&agent, &caller, &q, exists, AclOp::PolicyDelete(id.clone())).await
}

pub async fn list(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    list_all(&agent, &caller, &q, |t| {
        t.acl
            .policies()
            .map(AclPolicyListEntry::from)
            .collect::<Vec<_>>()
    })
    .await
}
