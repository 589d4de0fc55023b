//! `POST /v1/acl/login`: a bearer token (a JWT) traded for an ACL token, through an auth
//! method and its binding rules; `POST /v1/acl/logout`: a token made by a login deletes
//! itself. Neither needs a token of its own with any permission.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::{apply, body_of, hash_of, new_id, not_found, now};
use crate::agent::acl::{login, Caller};
use crate::agent::http::error::HttpError;
use crate::agent::state::acl::AclOp;
use crate::agent::Agent;
use crate::api::acl::{AclBindingRule, AclLoginRequest, AclToken, Link};

fn denied(why: &str) -> HttpError {
    HttpError::new(StatusCode::FORBIDDEN, format!("Permission denied: {why}"))
}

pub async fn login(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    super::enabled(&agent)?;
    let asked: AclLoginRequest = body_of(body).await?;
    if asked.auth_method.is_empty() {
        return Err(HttpError::bad_request(
            "Invalid Login request: no AuthMethod is set",
        ));
    }
    if asked.bearer_token.is_empty() {
        return Err(HttpError::bad_request(
            "Invalid Login request: no BearerToken is set",
        ));
    }
    let (method, rules) = {
        let t = agent.store.read();
        let method = t
            .acl
            .auth_method(&asked.auth_method)
            .cloned()
            .ok_or_else(|| {
                HttpError::bad_request(format!("auth method {:?} not found", asked.auth_method))
            })?;
        let rules: Vec<AclBindingRule> = t
            .acl
            .binding_rules()
            .filter(|r| r.auth_method == method.name)
            .cloned()
            .collect();
        (method, rules)
    };
    let jwt = login::jwt_method(&method.config).map_err(HttpError::internal)?;
    let unix_now = chrono::Utc::now().timestamp();
    let claims = crate::agent::acl::jwt::verify(&asked.bearer_token, &jwt.validation, unix_now)
        .map_err(|e| denied(&e))?;
    let vars = jwt.variables(&claims);
    let refs: Vec<&AclBindingRule> = rules.iter().collect();
    let bound = login::bind(&refs, &vars, &agent.config.datacenter);
    // Roles and policies bound by name count only if they exist.
    let (roles, policies) = {
        let t = agent.store.read();
        let roles: Vec<Link> = bound
            .roles
            .iter()
            .filter_map(|l| {
                t.acl.role_by_name(&l.name).map(|r| Link {
                    id: r.id.clone(),
                    name: r.name.clone(),
                })
            })
            .collect();
        let policies: Vec<Link> = bound
            .policies
            .iter()
            .filter_map(|l| {
                t.acl.policy_by_name(&l.name).map(|p| Link {
                    id: p.id.clone(),
                    name: p.name.clone(),
                })
            })
            .collect();
        (roles, policies)
    };
    if bound.services.is_empty()
        && bound.nodes.is_empty()
        && bound.templated.is_empty()
        && roles.is_empty()
        && policies.is_empty()
    {
        return Err(denied(
            "no binding rule of the auth method matched the login",
        ));
    }
    let mut description = "token created via login".to_string();
    if !asked.meta.is_empty() {
        description.push_str(": ");
        description.push_str(&serde_json::to_string(&asked.meta).unwrap_or_default());
    }
    let expiration_time = method
        .max_token_ttl
        .as_ref()
        .and_then(|v| v.as_str())
        .and_then(|s| crate::api::parse_duration(s).ok())
        .map(|ttl| (chrono::Utc::now() + ttl).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true));
    let mut token = AclToken {
        accessor_id: new_id(),
        secret_id: new_id(),
        description,
        policies,
        roles,
        service_identities: bound.services,
        node_identities: bound.nodes,
        templated_policies: bound.templated,
        local: method.token_locality != "global",
        auth_method: method.name.clone(),
        expiration_time,
        create_time: now(),
        ..AclToken::default()
    };
    token.hash = hash_of(&(
        &token.description,
        &token.policies,
        &token.roles,
        &token.auth_method,
    ));
    let accessor = token.accessor_id.clone();
    apply(&agent, AclOp::TokenSet(Box::new(token))).await?;
    super::stored_token(&agent, &accessor, &q)
}

/// Deletes the caller's token (as the ACL layer resolved it) when a login made it.
pub async fn logout(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
) -> Result<Response, HttpError> {
    super::enabled(&agent)?;
    let accessor = {
        let t = agent.store.read();
        let token = t.acl.token(&caller.accessor).ok_or_else(not_found)?;
        if token.auth_method.is_empty() {
            return Err(denied("the token was not created by a login"));
        }
        token.accessor_id.clone()
    };
    apply(&agent, AclOp::TokenDelete(accessor)).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::OK))
}
