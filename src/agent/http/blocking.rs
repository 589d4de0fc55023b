//! Reads with Consul's consistency modes and blocking queries. The gate decides whether this
//! agent may answer (leader, confirmed leader, or anyone for `?stale`); the loop parks a query
//! on the exact key or prefix it reads until the result's index passes `?index` or `wait` ends.

use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use super::error::HttpError;
use super::params::{Consistency, QueryOptions};
use super::respond::QueryMeta;
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;

/// Checks that this agent may serve a read in the requested mode.
pub async fn gate(agent: &Agent, consistency: Consistency) -> Result<(), HttpError> {
    match consistency {
        Consistency::Stale => Ok(()),
        Consistency::Default => {
            if agent.raft()?.is_leader() {
                Ok(())
            } else {
                Err(HttpError::no_leader())
            }
        }
        Consistency::Consistent => agent
            .raft()?
            .ensure_linearizable()
            .await
            .map_err(|_| HttpError::no_leader()),
    }
}

/// Runs `read` against the state, blocking per `opts` until what `watch` covers changes past
/// `opts.min_index`. `read` returns the result and the index it reflects.
pub async fn query<T>(
    agent: &Agent,
    opts: &QueryOptions,
    watch: WatchKey,
    mut read: impl FnMut(&Tables) -> (T, u64),
) -> Result<(T, QueryMeta), HttpError> {
    gate(agent, opts.consistency).await?;
    let store = &agent.store;
    let deadline = (opts.min_index > 0).then(|| Instant::now() + opts.wait + jitter(opts.wait));
    loop {
        let mut changed = store.watch(watch.clone());
        let (value, index) = read(&store.read());
        let done = match deadline {
            None => true,
            Some(d) => index > opts.min_index || Instant::now() >= d,
        };
        if done {
            return Ok((value, agent.query_meta(index, opts.consistency)));
        }
        drop(value);
        if let Some(d) = deadline {
            tokio::select! {
                _ = changed.changed() => {}
                _ = tokio::time::sleep_until(d) => {}
            }
        }
    }
}

/// Up to `wait / 16` of random extra wait, so watchers of one key don't return in lockstep.
fn jitter(wait: Duration) -> Duration {
    let max = wait.as_millis() as u64 / 16;
    if max == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::rng().random_range(0..=max))
}

/// A catalog or health list read: checks `?dc`, reads the query options and `?filter` (for
/// elements shaped like `schema`), runs `read` as a blocking query on `watch`, keeps the
/// elements the filter matches and answers with JSON and the read headers. `read` returns the
/// elements and the index they reflect (reported as at least 1, as Consul's clients need).
pub async fn list<T: serde::Serialize>(
    agent: &Agent,
    p: &super::params::Params,
    schema: &crate::agent::filter::Schema,
    watch: WatchKey,
    mut read: impl FnMut(&Tables) -> (Vec<T>, u64),
) -> Result<axum::response::Response, HttpError> {
    agent.check_dc(p)?;
    let opts = QueryOptions::parse(p, agent.query_limits())?;
    let f = super::params::filter(p, schema)?;
    let (items, meta) = query(agent, &opts, watch, |t| {
        let (mut items, index) = read(t);
        f.retain(&mut items);
        (items, index.max(1))
    })
    .await?;
    Ok(super::respond::json(
        axum::http::StatusCode::OK,
        &items,
        opts.pretty,
        Some(&meta),
    ))
}
