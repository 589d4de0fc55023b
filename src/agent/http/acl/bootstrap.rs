//! `PUT /v1/acl/bootstrap`: the first management token, once (`BootstrapSecret` in the body
//! chooses its secret). Afterwards it answers 403 `Permission denied: ACL bootstrap no longer
//! allowed (reset index: N)`; writing N to `<data_dir>/acl-bootstrap-reset` on the leader allows
//! one more bootstrap, as in Consul.
//!
//! `GET /v1/internal/acl/resolve`: the rules of the caller's token, for client agents.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::{apply, body_of, is_uuid, new_id, not_found};
use crate::agent::acl::{builtin, effective_rules, Caller, Resolved};
use crate::agent::http::error::HttpError;
use crate::agent::http::respond;
use crate::agent::state::acl::AclOp;
use crate::agent::Agent;

/// The file whose content allows one more bootstrap.
pub const RESET_FILE: &str = "acl-bootstrap-reset";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BootstrapRequest {
    #[serde(default)]
    bootstrap_secret: String,
}

pub async fn bootstrap(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    super::enabled(&agent)?;
    let asked: BootstrapRequest = body_of(body).await?;
    if !asked.bootstrap_secret.is_empty() && !is_uuid(&asked.bootstrap_secret) {
        return Err(HttpError::bad_request(
            "Invalid BootstrapSecret: the secret must be a UUID",
        ));
    }
    let reset_path = agent.config.data_dir.as_ref().map(|d| d.join(RESET_FILE));
    let reset = reset_path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| text.trim().parse::<u64>().ok());
    let token = builtin::bootstrap_token(if asked.bootstrap_secret.is_empty() {
        new_id()
    } else {
        asked.bootstrap_secret
    });
    let accessor = token.accessor_id.clone();
    let op = AclOp::Bootstrap {
        token: Box::new(token),
        reset,
    };
    match apply(&agent, op).await {
        Ok(()) => {}
        Err(e) if e.message.starts_with("ACL bootstrap no longer allowed") => {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                format!("Permission denied: {}", e.message),
            ))
        }
        Err(e) => return Err(e),
    }
    if let (Some(path), Some(_)) = (&reset_path, reset) {
        let _ = std::fs::remove_file(path);
    }
    super::stored_token(&agent, &accessor, &q)
}

/// The rules of the token the ACL layer resolved for this request (it refused unknown and
/// expired secrets already).
pub async fn resolve(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    req: axum::extract::Request,
) -> Result<Response, HttpError> {
    super::enabled(&agent)?;
    // Another datacenter's server asks: a `Local` token is valid only here.
    let remote = req
        .extensions()
        .get::<crate::agent::rpc::FromDatacenter>()
        .is_some();
    let resolved = {
        let t = agent.store.read();
        let token = t
            .acl
            .token(&caller.accessor)
            .filter(|t| !(remote && t.local))
            .ok_or_else(not_found)?;
        Resolved {
            accessor_id: token.accessor_id.clone(),
            rules: effective_rules(&t.acl, token, &agent.config.datacenter),
        }
    };
    Ok(respond::json(StatusCode::OK, &resolved, false, None))
}
