//! `/v1/acl/auth-method` and `/v1/acl/binding-rule`: create, read, update, delete and list.
//! A method's `Config` is checked for its type before it is stored (only `jwt` exists in sd;
//! other types are refused by name); a binding rule's selector and bind type likewise.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::Extension;

use super::policy::valid_name;
use super::{allowed, apply, body_of, delete_one, list_all, new_id, not_found, ok_json, read_one};
use crate::agent::acl::{login, Access, Caller};
use crate::agent::http::error::HttpError;
use crate::agent::http::params::Params;
use crate::agent::state::acl::AclOp;
use crate::agent::state::Tables;
use crate::agent::Agent;
use crate::api::acl::{AclAuthMethod, AclBindingRule};

/// The shortest and longest `MaxTokenTTL`.
const MIN_TTL: std::time::Duration = std::time::Duration::from_secs(60);
const MAX_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// `MaxTokenTTL` as Go duration text (it may come as text or nanoseconds).
fn max_ttl(m: &AclAuthMethod) -> Result<Option<serde_json::Value>, HttpError> {
    let Some(value) = &m.max_token_ttl else {
        return Ok(None);
    };
    let Some(ttl) = crate::api::duration::from_json(value)
        .map_err(|e| HttpError::bad_request(format!("Invalid Auth Method: MaxTokenTTL: {e}")))?
    else {
        return Ok(None);
    };
    if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
        return Err(HttpError::bad_request(format!(
            "Invalid Auth Method: MaxTokenTTL {} should be between 1m0s and 24h0m0s",
            crate::api::format_duration(ttl)
        )));
    }
    Ok(Some(serde_json::Value::String(
        crate::api::format_duration(ttl),
    )))
}

async fn write_method(
    agent: &Agent,
    mut m: AclAuthMethod,
    q: &Option<String>,
) -> Result<Response, HttpError> {
    if m.name.is_empty() {
        return Err(HttpError::bad_request(
            "Invalid Auth Method: no Name is set",
        ));
    }
    if !valid_name(&m.name, 128) {
        return Err(HttpError::bad_request("Invalid Auth Method: invalid Name"));
    }
    if !login::TYPES.contains(&m.kind.as_str()) {
        return Err(HttpError::bad_request(format!(
            "Invalid Auth Method: Type should be one of: {:?} (sd has no {:?} auth method)",
            login::TYPES,
            m.kind
        )));
    }
    if !matches!(m.token_locality.as_str(), "" | "local" | "global") {
        return Err(HttpError::bad_request(
            "Invalid Auth Method: TokenLocality should be one of 'local' or 'global'",
        ));
    }
    m.max_token_ttl = max_ttl(&m)?;
    login::jwt_method(&m.config)
        .map_err(|e| HttpError::bad_request(format!("Invalid Auth Method: {e}")))?;
    let name = m.name.clone();
    apply(agent, AclOp::AuthMethodSet(Box::new(m))).await?;
    let stored = agent
        .store
        .read()
        .acl
        .auth_method(&name)
        .cloned()
        .ok_or_else(not_found)?;
    Ok(ok_json(q, &stored))
}

pub async fn create_method(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let m: AclAuthMethod = body_of(body).await?;
    if agent.store.read().acl.auth_method(&m.name).is_some() {
        return Err(HttpError::bad_request(
            "Invalid Auth Method: Name already in use",
        ));
    }
    write_method(&agent, m, &q).await
}

pub async fn update_method(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut m: AclAuthMethod = body_of(body).await?;
    if !m.name.is_empty() && m.name != name {
        return Err(HttpError::bad_request(
            "Auth Method name in URL and payload do not match",
        ));
    }
    if agent.store.read().acl.auth_method(&name).is_none() {
        return Err(not_found());
    }
    m.name = name;
    write_method(&agent, m, &q).await
}

pub async fn read_method(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read_one(&agent, &caller, &q, |t| t.acl.auth_method(&name).cloned()).await
}

pub async fn delete_method(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let exists = |t: &Tables| t.acl.auth_method(&name).is_some();
    delete_one(
        &agent,
        &caller,
        &q,
        exists,
        AclOp::AuthMethodDelete(name.clone()),
    )
    .await
}

pub async fn list_methods(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    // Listed without their Config, as Consul's stubs.
    list_all(&agent, &caller, &q, |t| {
        t.acl
            .auth_methods()
            .map(|m| AclAuthMethod {
                config: serde_json::Map::new(),
                ..m.clone()
            })
            .collect::<Vec<_>>()
    })
    .await
}

async fn write_rule(
    agent: &Agent,
    rule: AclBindingRule,
    q: &Option<String>,
) -> Result<Response, HttpError> {
    if rule.auth_method.is_empty() {
        return Err(HttpError::bad_request(
            "Invalid Binding Rule: no AuthMethod is set",
        ));
    }
    if agent
        .store
        .read()
        .acl
        .auth_method(&rule.auth_method)
        .is_none()
    {
        return Err(HttpError::bad_request(format!(
            "Invalid Binding Rule: AuthMethod {:?} does not exist",
            rule.auth_method
        )));
    }
    login::check_rule(&rule).map_err(HttpError::bad_request)?;
    let id = rule.id.clone();
    apply(agent, AclOp::BindingRuleSet(Box::new(rule))).await?;
    let stored = agent
        .store
        .read()
        .acl
        .binding_rule(&id)
        .cloned()
        .ok_or_else(not_found)?;
    Ok(ok_json(q, &stored))
}

pub async fn create_rule(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut rule: AclBindingRule = body_of(body).await?;
    if !rule.id.is_empty() {
        return Err(HttpError::bad_request(
            "Cannot specify an ID when creating a binding rule: use PUT /v1/acl/binding-rule/:id to update one",
        ));
    }
    rule.id = new_id();
    write_rule(&agent, rule, &q).await
}

pub async fn update_rule(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    allowed(&agent, &caller, Access::Write)?;
    let mut rule: AclBindingRule = body_of(body).await?;
    if !rule.id.is_empty() && rule.id != id {
        return Err(HttpError::bad_request(
            "BindingRule ID in URL and payload do not match",
        ));
    }
    if agent.store.read().acl.binding_rule(&id).is_none() {
        return Err(not_found());
    }
    rule.id = id;
    write_rule(&agent, rule, &q).await
}

pub async fn read_rule(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    read_one(&agent, &caller, &q, |t| t.acl.binding_rule(&id).cloned()).await
}

pub async fn delete_rule(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let exists = |t: &Tables| t.acl.binding_rule(&id).is_some();
    delete_one(
        &agent,
        &caller,
        &q,
        exists,
        AclOp::BindingRuleDelete(id.clone()),
    )
    .await
}

pub async fn list_rules(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let method = Params::parse(q.as_deref())
        .get("authmethod")
        .unwrap_or_default()
        .to_string();
    list_all(&agent, &caller, &q, |t| {
        t.acl
            .binding_rules()
            .filter(|r| method.is_empty() || r.auth_method == method)
            .cloned()
            .collect::<Vec<_>>()
    })
    .await
}
