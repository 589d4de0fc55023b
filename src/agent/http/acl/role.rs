//! `/v1/acl/role`: create, read (by ID or `name/:name`), update, delete and list (`?policy=`).
//! A role bundles policies and identities that tokens link to by ID or name.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::Extension;

use super::policy::valid_name;
use super::{
    allowed, apply, body_of, delete_one, hash_of, links, list_all, new_id, not_found, ok_json,
    read_one,
};
use crate::agent::acl::{Access, Caller};
use crate::agent::http::error::HttpError;
use crate::agent::http::params::Params;
use crate::agent::state::acl::{AclOp, AclTable};
use crate::agent::state::Tables;
use crate::agent::Agent;
use crate::api::acl::AclRole;

/// The role as answered, with current policy names.
fn present(acl: &AclTable, role: &AclRole) -> AclRole {
    let mut r = role.clone();
    r.policies = links::current(&r.policies, |id| acl.policy(id).map(|p| p.name.clone()));
    r
}

pub async fn create(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut role: AclRole = body_of(body).await?;
    if !role.id.is_empty() {
        return Err(HttpError::bad_request(
            "Cannot specify an ID when creating a role: use PUT /v1/acl/role/:id to update one",
        ));
    }
    role.id = new_id();
    write(&agent, role, &q).await
}

pub async fn update(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut role: AclRole = body_of(body).await?;
    if !role.id.is_empty() && role.id != id {
        return Err(HttpError::bad_request(
            "Role ID in URL and payload do not match",
        ));
    }
    if agent.store.read().acl.role(&id).is_none() {
        return Err(not_found());
    }
    role.id = id;
    write(&agent, role, &q).await
}

async fn write(
    agent: &Agent,
    mut role: AclRole,
    q: &Option<String>,
) -> Result<Response, HttpError> {
    if role.name.is_empty() {
        return Err(HttpError::bad_request("Invalid Role: no Name is set"));
    }
    if !valid_name(&role.name, 256) {
        return Err(HttpError::bad_request(format!(
            "Invalid Role: invalid Name {:?}: use up to 256 letters, digits, '-' and '_'",
            role.name
        )));
    }
    {
        let t = agent.store.read();
        role.policies = links::policies(&t.acl, &role.policies)?;
    }
    links::check_identities(
        "Role",
        &role.service_identities,
        &role.node_identities,
        &role.templated_policies,
    )?;
    role.hash = hash_of(&(
        &role.name,
        &role.description,
        &role.policies,
        &role.service_identities,
        &role.node_identities,
        &role.templated_policies,
    ));
    let id = role.id.clone();
    apply(agent, AclOp::RoleSet(Box::new(role))).await?;
    let t = agent.store.read();
    let stored = t
        .acl
        .role(&id)
        .map(|r| present(&t.acl, r))
        .ok_or_else(not_found)?;
    Ok(ok_json(q, &stored))
}

pub async fn read(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read_one(&agent, &caller, &q, |t| {
        t.acl.role(&id).map(|r| present(&t.acl, r))
    })
    .await
}

pub async fn read_by_name(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read_one(&agent, &caller, &q, |t| {
        t.acl.role_by_name(&name).map(|r| present(&t.acl, r))
    })
    .await
}

pub async fn delete(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let exists = |t: &Tables| t.acl.role(&id).is_some();
    delete_one(&agent, &caller, &q, exists, AclOp::RoleDelete(id.clone())).await
}

pub async fn list(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let policy = Params::parse(q.as_deref())
        .get("policy")
        .unwrap_or_default()
        .to_string();
    list_all(&agent, &caller, &q, |t| {
        t.acl
            .roles()
            .filter(|r| policy.is_empty() || r.policies.iter().any(|l| l.id == policy))
            .map(|r| present(&t.acl, r))
            .collect::<Vec<_>>()
    })
    .await
}
