//! `/v1/snapshot`: GET saves the whole replicated state as Consul's archive (a point-in-time
//! copy taken under one read lock, from the leader unless `?stale`); PUT restores one on the
//! leader: the archive is verified whole first, then its state replaces the state through one
//! Raft entry, so every server switches at the same point of the log and nothing changes if
//! anything is wrong with it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::blocking;
use super::body::read_limited;
use super::error::HttpError;
use super::params::{read_opts, Params};
use super::respond;
use crate::agent::state::{Command, CommandResult, Store};
use crate::agent::Agent;
use crate::snapshot::{self, Meta};

/// The largest archive a restore accepts.
const MAX_ARCHIVE: u64 = snapshot::MAX_STATE + (1 << 20);

pub fn routes() -> Router<Arc<Agent>> {
    Router::new().route("/v1/snapshot", get(save).put(restore))
}

async fn save(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (_, opts) = read_opts(&agent, q.as_deref())?;
    blocking::gate(&agent, opts.consistency).await?;
    let (state, index) = agent.store.snapshot_with_index();
    let term = agent.raft()?.metrics().current_term;
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let meta = Meta {
        version: 1,
        id: format!("{term}-{index}-{millis}"),
        index,
        term,
        size: 0,
        producer: snapshot::PRODUCER.into(),
    };
    let archive = tokio::task::spawn_blocking(move || snapshot::write(&meta, &state))
        .await
        .map_err(|e| HttpError::internal(e.to_string()))?
        .map_err(|e| HttpError::internal(e.to_string()))?;
    Ok(respond::gzip(
        archive,
        &agent.query_meta(index, opts.consistency),
    ))
}

async fn restore(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let archive = read_limited(body, MAX_ARCHIVE, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    let (meta, state) = tokio::task::spawn_blocking(move || {
        let (meta, state) = snapshot::read(&archive)?;
        Ok::<_, snapshot::SnapshotError>((meta, state))
    })
    .await
    .map_err(|e| HttpError::internal(e.to_string()))?
    .map_err(|e| HttpError::bad_request(format!("Error restoring snapshot: {e}")))?;
    if let Err(e) = Store::decode(&state) {
        let made_by = if meta.producer.is_empty() {
            "Consul (or another program), not sd"
        } else {
            meta.producer.as_str()
        };
        return Err(HttpError::bad_request(format!(
            "Error restoring snapshot: its state was made by {made_by} and cannot be read: {e}"
        )));
    }
    match agent
        .write(Command::Restore(serde_bytes::ByteBuf::from(state)))
        .await?
        .1
    {
        CommandResult::Restore(Ok(())) => {}
        CommandResult::Restore(Err(e)) => {
            return Err(HttpError::internal(format!(
                "Error restoring snapshot: {e}"
            )))
        }
        other => return Err(HttpError::internal(format!("unexpected result {other:?}"))),
    }
    // The restored sessions' TTLs start over on this leader.
    let sessions: Vec<_> = agent.store.read().sessions.list().cloned().collect();
    for s in &sessions {
        agent.session_timers.reset(s);
    }
    Ok(StatusCode::OK.into_response())
}
