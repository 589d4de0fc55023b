//! `PUT /v1/agent/token/:type`: changes one of the agent's own ACL tokens while it runs
//! (`default`, `agent`, `agent_recovery`, `replication`, `dns`,
//! `config_file_service_registration`, and Consul's older names). Needs `acl:write`. With
//! `acl.enable_token_persistence` the tokens are kept in `<data_dir>/acl-tokens.json` (mode
//! 0600) and win over the configuration at the next start, as in Consul.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::put;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::agent_services::ok_empty;
use super::body::read_json;
use super::error::HttpError;
use crate::agent::Agent;
use crate::api::acl::AgentTokenUpdate;
use crate::config::acl::AgentTokens;

/// The file persisted tokens live in.
pub const TOKENS_FILE: &str = "acl-tokens.json";

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route("/v1/agent/token/{kind}", put(update))
}

/// The tokens as the file keeps them (only those set through the API).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Persisted {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agent_recovery: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replication: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dns: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    config_file_service_registration: Option<String>,
}

/// The slot a token type names, in the agent's tokens and in the file.
fn slots<'a>(
    kind: &str,
    tokens: &'a mut AgentTokens,
    file: &'a mut Persisted,
) -> Option<(&'a mut Option<String>, &'a mut Option<String>)> {
    Some(match kind {
        "default" | "acl_token" => (&mut tokens.default, &mut file.default),
        "agent" | "acl_agent_token" => (&mut tokens.agent, &mut file.agent),
        "agent_recovery" | "agent_master" | "acl_agent_master_token" | "recovery" => {
            (&mut tokens.agent_recovery, &mut file.agent_recovery)
        }
        "replication" | "acl_replication_token" => (&mut tokens.replication, &mut file.replication),
        "dns" => (&mut tokens.dns, &mut file.dns),
        "config_file_service_registration" => (
            &mut tokens.config_file_service_registration,
            &mut file.config_file_service_registration,
        ),
        _ => return None,
    })
}

async fn update(
    State(agent): State<Arc<Agent>>,
    Path(kind): Path<String>,
    body: Body,
) -> Result<Response, HttpError> {
    if !agent.acls.enabled() {
        return Err(crate::agent::endpoints::EndpointError::AclDisabled.into());
    }
    let asked: AgentTokenUpdate = read_json(body, 64 * 1024, &["Token"], &[]).await?;
    let mut tokens = agent.acls.tokens();
    let path = agent.config.data_dir.as_ref().map(|d| d.join(TOKENS_FILE));
    let persist = agent.acls.config.enable_token_persistence && path.is_some();
    let mut file = match (&path, persist) {
        (Some(p), true) => read_file(p),
        _ => Persisted::default(),
    };
    let value = Some(asked.token).filter(|t| !t.is_empty());
    {
        let Some((live, kept)) = slots(&kind, &mut tokens, &mut file) else {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                format!("Token {kind:?} is unknown"),
            ));
        };
        live.clone_from(&value);
        *kept = value;
    }
    if let (Some(p), true) = (&path, persist) {
        let json = serde_json::to_vec_pretty(&file).unwrap_or_default();
        crate::agent::data_dir::write_durably_with_mode(p, &json, 0o600).map_err(|e| {
            HttpError::internal(format!("cannot keep the token in {}: {e}", p.display()))
        })?;
    }
    agent.acls.set_tokens(tokens);
    tracing::info!(token = %kind, "Updated agent's ACL token");
    Ok(ok_empty())
}

fn read_file(path: &std::path::Path) -> Persisted {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The configured tokens with those persisted through the API laid over them (when
/// `enable_token_persistence` is on).
pub fn load_persisted(agent: &Agent) {
    let Some(dir) = agent.config.data_dir.as_ref() else {
        return;
    };
    if !agent.acls.config.enable_token_persistence {
        return;
    }
    let mut file = read_file(&dir.join(TOKENS_FILE));
    let mut tokens = agent.acls.tokens();
    for kind in [
        "default",
        "agent",
        "agent_recovery",
        "replication",
        "dns",
        "config_file_service_registration",
    ] {
        if let Some((live, kept)) = slots(kind, &mut tokens, &mut file) {
            if kept.is_some() {
                live.clone_from(kept);
            }
        }
    }
    agent.acls.set_tokens(tokens);
}
