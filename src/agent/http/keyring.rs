//! `/v1/operator/keyring`: list the gossip keys of every member (GET), install a key (POST),
//! make one primary (PUT), remove one (DELETE), each run by the gossip layer
//! (`gossip::key_query`) across the WAN pool of servers first (unless `?local-only`), then this
//! datacenter's LAN pool, as Consul does: one answer per pool. A server runs them (a client
//! agent forwards the request to one, like every server endpoint), and any member that fails
//! or stays silent makes the answer a 500 naming it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::body::read_json;
use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::gossip::{KeyOp, KeyOutcome};
use crate::agent::Agent;
use crate::api::keyring::{decode_gossip_key, KeyringRequest};

const MAX_BODY: u64 = 4 * 1024;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route(
        "/v1/operator/keyring",
        get(list).post(install).put(use_key).delete(remove),
    )
}

/// The query parameters every keyring request may carry, checked as Consul checks them.
fn check_params(agent: &Agent, q: Option<&str>, list: bool) -> Result<Params, HttpError> {
    let p = Params::parse(q);
    agent.check_dc(p.get("dc"))?;
    if let Some(v) = p.get("relay-factor").filter(|v| !v.is_empty()) {
        let n: i64 = v
            .parse()
            .map_err(|e| HttpError::bad_request(format!("Error parsing relay factor: {e}")))?;
        if !(0..=5).contains(&n) {
            return Err(HttpError::bad_request(
                "Invalid relay-factor: Relay factor must be in range: [0, 5]",
            ));
        }
    }
    if p.get("local-only").is_some() && p.flag("local-only") && !list {
        return Err(HttpError::bad_request(
            "Invalid use of local-only: local-only can only be set for list requests",
        ));
    }
    Ok(p)
}

async fn list(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = check_params(&agent, q.as_deref(), true)?;
    let outcomes = run(&agent, KeyOp::List, p.flag("local-only")).await;
    errors_or_none(&outcomes)?;
    let responses: Vec<_> = outcomes.into_iter().map(|o| o.response).collect();
    Ok(respond::json(
        StatusCode::OK,
        &responses,
        p.flag("pretty"),
        None,
    ))
}

async fn install(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    change(agent, q, body, KeyOp::Install).await
}

async fn use_key(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    change(agent, q, body, KeyOp::Use).await
}

async fn remove(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    change(agent, q, body, KeyOp::Remove).await
}

async fn change(
    agent: Arc<Agent>,
    q: Option<String>,
    body: Body,
    op: fn(String) -> KeyOp,
) -> Result<Response, HttpError> {
    check_params(&agent, q.as_deref(), false)?;
    let req: KeyringRequest = read_json(body, MAX_BODY, &["Key"], &[]).await?;
    decode_gossip_key(&req.key).map_err(|e| HttpError::bad_request(format!("Invalid key: {e}")))?;
    let outcomes = run(&agent, op(req.key), false).await;
    errors_or_none(&outcomes)?;
    Ok(Response::new(Body::empty()))
}

/// Runs `op` on the WAN pool (a server's, unless `local_only`), then on the LAN pool.
async fn run(agent: &Agent, op: KeyOp, local_only: bool) -> Vec<KeyOutcome> {
    let mut out = Vec::new();
    if let Some(wan) = agent.wan.as_ref().filter(|_| !local_only) {
        out.push(wan.key_operation(op.clone()).await);
    }
    out.push(agent.gossip.key_operation(op).await);
    out
}

/// Consul's `keyringErrorsOrNil`: each failing pool's summary, then its members' messages, in
/// the layout of Go's multierror.
fn errors_or_none(outcomes: &[KeyOutcome]) -> Result<(), HttpError> {
    let mut errors = Vec::new();
    for outcome in outcomes {
        let Some(summary) = outcome.error() else {
            continue;
        };
        let r = &outcome.response;
        let pool = if r.wan { "WAN" } else { "LAN" };
        errors.push(format!("{} ({pool}) error: {summary}", r.datacenter));
        errors.extend(r.messages.iter().map(|(node, m)| format!("{node}: {m}")));
    }
    if errors.is_empty() {
        return Ok(());
    }
    let head = match errors.len() {
        1 => "1 error occurred:".to_string(),
        n => format!("{n} errors occurred:"),
    };
    let list: String = errors.iter().map(|e| format!("\n\t* {e}")).collect();
    Err(HttpError::internal(format!("{head}{list}\n\n")))
}
