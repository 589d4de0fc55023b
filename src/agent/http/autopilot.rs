//! `/v1/operator/autopilot/...`: the configuration (GET; PUT with `?cas=`), the servers' health
//! (429 when any is unhealthy, as Consul answers) and the autopilot state. Health and state are
//! the leader's judgement, so they are forwarded to it like writes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::blocking;
use super::body::read_json;
use super::error::HttpError;
use super::params::{read_opts, Params};
use super::respond;
use crate::agent::{autopilot, Agent};
use crate::api::autopilot::AutopilotConfiguration;

/// Largest configuration body accepted.
const MAX_BODY: u64 = 64 * 1024;
/// Key names of a configuration body, matched in any case.
const FIELD_NAMES: &[&str] = &[
    "CleanupDeadServers",
    "LastContactThreshold",
    "MaxTrailingLogs",
    "MinQuorum",
    "ServerStabilizationTime",
    "RedundancyZoneTag",
    "DisableUpgradeMigration",
    "UpgradeVersionTag",
    "CreateIndex",
    "ModifyIndex",
];

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route(
            "/v1/operator/autopilot/configuration",
            get(configuration).put(set_configuration),
        )
        .route("/v1/operator/autopilot/health", get(health))
        .route("/v1/operator/autopilot/state", get(state))
}

async fn configuration(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (_, opts) = read_opts(&agent, q.as_deref())?;
    blocking::gate(&agent, opts.consistency).await?;
    agent.raft()?;
    Ok(respond::json(
        StatusCode::OK,
        &autopilot::configuration(&agent),
        opts.pretty,
        None,
    ))
}

async fn set_configuration(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let cas = p.cas()?;
    let config: AutopilotConfiguration = read_json(body, MAX_BODY, FIELD_NAMES, &[])
        .await
        .map_err(|e| HttpError::bad_request(format!("Error parsing autopilot config: {e}")))?;
    let written = autopilot::set_configuration(&agent, config, cas).await?;
    // Without ?cas the answer is always true, as Consul's.
    let answer = cas.is_none() || written;
    Ok(respond::json(
        StatusCode::OK,
        &answer,
        p.flag("pretty"),
        None,
    ))
}

async fn health(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let reply = autopilot::health(&agent, agent.raft()?);
    let status = match reply.healthy {
        true => StatusCode::OK,
        false => StatusCode::TOO_MANY_REQUESTS,
    };
    Ok(respond::json(status, &reply, p.flag("pretty"), None))
}

async fn state(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let state = autopilot::state(&agent, agent.raft()?);
    Ok(respond::json(
        StatusCode::OK,
        &state,
        p.flag("pretty"),
        None,
    ))
}
