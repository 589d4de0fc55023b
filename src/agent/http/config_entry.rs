//! `/v1/config`: config entries. `PUT /v1/config` writes one (`?cas=` for check-and-set, the
//! answer `true` or `false`); `GET /v1/config/:kind` lists a kind and `GET
//! /v1/config/:kind/:name` reads one (404 `Config entry not found for "kind" / "name"`), both
//! blocking reads; `DELETE /v1/config/:kind/:name` removes one (`?cas=` answers whether it did,
//! otherwise `{}`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::Router;

use super::blocking::json_read;
use super::body::read_limited;
use super::error::HttpError;
use super::params::Params;
use super::respond;
use crate::agent::state::config_entry::EntryOp;
use crate::agent::state::{Command, CommandResult, WatchKey};
use crate::agent::Agent;
use crate::api::config_entry::{check_kind, normalize};

/// Largest entry accepted.
const MAX_BODY: u64 = 512 * 1024;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/config", put(apply))
        .route("/v1/config/{kind}", get(list).delete(delete_without_name))
        .route("/v1/config/{kind}/{*name}", get(read).delete(delete))
}

async fn apply(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let cas = p.cas()?;
    let bytes = read_limited(body, MAX_BODY, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    let raw: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| HttpError::bad_request(format!("Request decoding failed: {e}")))?;
    let (kind, name, entry) = normalize(raw).map_err(HttpError::bad_request)?;
    let entry = serde_json::Value::Object(entry).to_string();
    let done = write(&agent, EntryOp::Upsert, kind, name, entry, cas).await?;
    Ok(respond::json(StatusCode::OK, &done, p.flag("pretty"), None))
}

async fn write(
    agent: &Agent,
    op: EntryOp,
    kind: String,
    name: String,
    entry: String,
    cas: Option<u64>,
) -> Result<bool, HttpError> {
    let cmd = Command::ConfigEntry {
        op,
        kind,
        name,
        entry,
        cas,
    };
    match agent.write(cmd).await?.1 {
        CommandResult::ConfigEntry(done) => Ok(done),
        other => Err(HttpError::internal(format!(
            "unexpected result of a config entry write: {other:?}"
        ))),
    }
}

async fn list(
    State(agent): State<Arc<Agent>>,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    check_kind(&kind).map_err(HttpError::bad_request)?;
    json_read(&agent, q.as_deref(), WatchKey::ConfigEntries, |t| {
        (Ok(t.config_entries.list(&kind)), t.config_entries.index())
    })
    .await
}

async fn read(
    State(agent): State<Arc<Agent>>,
    Path((kind, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    check_kind(&kind).map_err(HttpError::bad_request)?;
    json_read(&agent, q.as_deref(), WatchKey::ConfigEntries, |t| {
        let entry = t.config_entries.get(&kind, &name).ok_or_else(|| {
            HttpError::new(
                StatusCode::NOT_FOUND,
                format!("Config entry not found for {kind:?} / {name:?}"),
            )
        });
        (entry, t.config_entries.index())
    })
    .await
}

async fn delete_without_name() -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        "Must provide both a kind and name to delete",
    )
}

async fn delete(
    State(agent): State<Arc<Agent>>,
    Path((kind, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    check_kind(&kind).map_err(HttpError::bad_request)?;
    let cas = p.cas()?;
    let done = write(&agent, EntryOp::Delete, kind, name, String::new(), cas).await?;
    let pretty = p.flag("pretty");
    Ok(match cas {
        Some(_) => respond::json(StatusCode::OK, &done, pretty, None),
        None => respond::json(StatusCode::OK, &serde_json::json!({}), pretty, None),
    })
}
