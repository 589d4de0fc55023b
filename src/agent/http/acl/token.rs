//! `/v1/acl/token`: create, read (by accessor ID, or `self`: the caller's own), update,
//! clone, delete and list (`?policy=`, `?role=`, `?authmethod=`). A missing token is a 403
//! `ACL not found`, as in Consul; secrets are `<hidden>` to callers without `acl:write`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::{
    allowed, apply, body_of, delete_one, hash_of, is_uuid, links, list_all, new_id, not_found, now,
    read_one,
};
use crate::agent::acl::{Access, Caller};
use crate::agent::http::blocking::json_read;
use crate::agent::http::error::HttpError;
use crate::agent::http::params::Params;
use crate::agent::http::respond;
use crate::agent::state::acl::{secret_key, AclOp, AclTable};
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;
use crate::api::acl::{AclToken, AclTokenListEntry, ANONYMOUS_ACCESSOR};

/// What a secret reads as to callers without `acl:write`.
const HIDDEN: &str = "<hidden>";

/// Shortest and longest `ExpirationTTL` Consul accepts.
const MIN_TTL: Duration = Duration::from_secs(60);
const MAX_TTL: Duration = Duration::from_secs(24 * 3600);

/// The token as answered: current link names, the secret shown or hidden.
fn present(acl: &AclTable, token: &AclToken, reveal: bool) -> AclToken {
    let mut t = token.clone();
    t.policies = links::current(&t.policies, |id| acl.policy(id).map(|p| p.name.clone()));
    t.roles = links::current(&t.roles, |id| acl.role(id).map(|r| r.name.clone()));
    if !reveal {
        t.secret_id = HIDDEN.into();
    }
    t
}

pub async fn create(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let token: AclToken = body_of(body).await?;
    let stored = write(&agent, token, None).await?;
    Ok(answer(&agent, &stored, &q))
}

pub async fn update(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let token: AclToken = body_of(body).await?;
    if !token.accessor_id.is_empty() && token.accessor_id != id {
        return Err(HttpError::bad_request(
            "Token Accessor ID in URL and payload do not match",
        ));
    }
    let stored = write(&agent, token, Some(id)).await?;
    Ok(answer(&agent, &stored, &q))
}

pub async fn clone(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let asked: AclToken = body_of(body).await?;
    let original = agent
        .store
        .read()
        .acl
        .token(&id)
        .cloned()
        .ok_or_else(not_found)?;
    let copy = AclToken {
        accessor_id: String::new(),
        secret_id: String::new(),
        description: if asked.description.is_empty() {
            original.description.clone()
        } else {
            asked.description
        },
        create_time: String::new(),
        hash: String::new(),
        ..original
    };
    let stored = write(&agent, copy, None).await?;
    Ok(answer(&agent, &stored, &q))
}

fn answer(agent: &Agent, token: &AclToken, q: &Option<String>) -> Response {
    let t = agent.store.read();
    let shown = present(&t.acl, token, true);
    respond::json(
        StatusCode::OK,
        &shown,
        Params::parse(q.as_deref()).flag("pretty"),
        None,
    )
}

/// Checks and completes a token (`existing`: the accessor ID of the token it replaces),
/// writes it and returns it as stored.
async fn write(
    agent: &Agent,
    mut token: AclToken,
    existing: Option<String>,
) -> Result<AclToken, HttpError> {
    {
        let t = agent.store.read();
        let acl = &t.acl;
        match &existing {
            Some(id) => {
                let old = acl.token(id).ok_or_else(not_found)?;
                if !token.secret_id.is_empty() && token.secret_id != old.secret_id {
                    return Err(HttpError::bad_request(
                        "Changing a token's SecretID is not permitted",
                    ));
                }
                if token.local != old.local {
                    return Err(HttpError::bad_request(format!(
                        "Cannot toggle local mode of {id}"
                    )));
                }
                if token.expiration_time.is_some() && token.expiration_time != old.expiration_time {
                    return Err(HttpError::bad_request(
                        "Cannot change expiration time of a token",
                    ));
                }
                token.accessor_id = id.clone();
                token.secret_id = old.secret_id.clone();
                token.create_time = old.create_time.clone();
                token.expiration_time = old.expiration_time.clone();
                token.auth_method = old.auth_method.clone();
            }
            None => {
                for (field, value) in [
                    ("AccessorID", &token.accessor_id),
                    ("SecretID", &token.secret_id),
                ] {
                    if !value.is_empty() && !is_uuid(value) {
                        return Err(HttpError::bad_request(format!(
                            "Invalid Token: {field} is not a valid UUID"
                        )));
                    }
                }
                if !token.accessor_id.is_empty() && acl.token(&token.accessor_id).is_some() {
                    return Err(HttpError::bad_request(
                        "Invalid Token: AccessorID is already in use",
                    ));
                }
                if !token.secret_id.is_empty()
                    && acl.token_by_secret(&secret_key(&token.secret_id)).is_some()
                {
                    return Err(HttpError::bad_request(
                        "Invalid Token: SecretID is already in use",
                    ));
                }
                if token.accessor_id.is_empty() {
                    token.accessor_id = new_id();
                }
                if token.secret_id.is_empty() {
                    token.secret_id = new_id();
                }
                token.create_time = now();
                token.expiration_time = expiration(&token)?;
                token.auth_method = String::new();
            }
        }
        token.expiration_ttl = None;
        token.policies = links::policies(acl, &token.policies)?;
        token.roles = links::roles(acl, &token.roles)?;
        links::check_identities(
            "Token",
            &token.service_identities,
            &token.node_identities,
            &token.templated_policies,
        )?;
    }
    token.hash = String::new();
    token.hash = hash_of(&(
        &token.description,
        &token.policies,
        &token.roles,
        &token.service_identities,
        &token.node_identities,
        &token.templated_policies,
        token.local,
    ));
    let accessor = token.accessor_id.clone();
    apply(agent, AclOp::TokenSet(Box::new(token))).await?;
    let t = agent.store.read();
    t.acl.token(&accessor).cloned().ok_or_else(not_found)
}

/// `ExpirationTime` from a new token's `ExpirationTime` or `ExpirationTTL` (not both).
fn expiration(token: &AclToken) -> Result<Option<String>, HttpError> {
    let ttl = match &token.expiration_ttl {
        None => None,
        Some(v) => crate::api::duration::from_json(v)
            .map_err(|e| HttpError::bad_request(format!("Invalid ExpirationTTL: {e}")))?,
    };
    match (ttl, &token.expiration_time) {
        (Some(_), Some(_)) => Err(HttpError::bad_request(
            "Token Expiration TTL and Expiration Time cannot both be set",
        )),
        (Some(ttl), None) => {
            if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
                return Err(HttpError::bad_request(format!(
                    "Token Expiration TTL '{}' should be between 1m0s and 24h0m0s",
                    crate::api::format_duration(ttl)
                )));
            }
            let at = chrono::Utc::now() + ttl;
            Ok(Some(at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)))
        }
        (None, Some(at)) => match chrono::DateTime::parse_from_rfc3339(at) {
            Ok(when) if when > chrono::Utc::now() => Ok(Some(at.clone())),
            Ok(_) => Err(HttpError::bad_request(
                "ExpirationTime cannot be in the past",
            )),
            Err(e) => Err(HttpError::bad_request(format!(
                "Invalid ExpirationTime: {e}"
            ))),
        },
        (None, None) => Ok(None),
    }
}

pub async fn read(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let reveal = caller
        .authz
        .allows_scope(crate::agent::acl::Scope::Acl, Access::Write);
    read_one(&agent, &caller, &q, |t| {
        t.acl.token(&id).map(|tok| present(&t.acl, tok, reveal))
    })
    .await
}

/// The caller's own token: the ACL layer already resolved it (its secret, or the default).
pub async fn read_self(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    super::enabled(&agent)?;
    json_read(&agent, q.as_deref(), WatchKey::Acl, |t| {
        let token = t
            .acl
            .token(&caller.accessor)
            .map(|tok| present(&t.acl, tok, true))
            .ok_or_else(not_found);
        (token, t.acl.index().max(1))
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
    if id == ANONYMOUS_ACCESSOR {
        return Err(HttpError::bad_request(
            "Delete of the anonymous token is not allowed",
        ));
    }
    let exists = |t: &Tables| t.acl.token(&id).is_some();
    delete_one(&agent, &caller, &q, exists, AclOp::TokenDelete(id.clone())).await
}

pub async fn list(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let policy = p.get("policy").unwrap_or_default().to_string();
    let role = p.get("role").unwrap_or_default().to_string();
    let method = p.get("authmethod").unwrap_or_default().to_string();
    let reveal = caller
        .authz
        .allows_scope(crate::agent::acl::Scope::Acl, Access::Write);
    list_all(&agent, &caller, &q, |t| {
        t.acl
            .tokens()
            .filter(|tok| policy.is_empty() || tok.policies.iter().any(|l| l.id == policy))
            .filter(|tok| role.is_empty() || tok.roles.iter().any(|l| l.id == role))
            .filter(|tok| method.is_empty() || tok.auth_method == method)
            .map(|tok| AclTokenListEntry::from(&present(&t.acl, tok, reveal)))
            .collect::<Vec<_>>()
    })
    .await
}
