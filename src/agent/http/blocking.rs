//! Blocking reads as HTTP answers: the consistency gate and the blocking loop are the agent's
//! (`endpoints::read`, re-exported here); this adds hash-based blocking for the agent's own
//! endpoints and the list reads that share their serialised answers (`answers`).

use std::future::{ready, Future};

use futures::future::Either;

use axum::http::StatusCode;
use axum::response::Response;
use tokio::time::Instant;

pub use crate::agent::endpoints::read::{gate, query};
use crate::agent::endpoints::read::{jitter, wait};

use super::acl_filter::{Trim, Visible};
use super::answers::Answer;
use super::error::HttpError;
use super::params::{Params, QueryOptions};
use super::respond::{json_bytes, to_json};
use crate::agent::acl::Caller;
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;

/// Hash-based blocking, as the agent's own endpoints do it: `?hash` is the content hash the
/// client last saw; the answer comes once the content's hash differs from it, or when the wait
/// (`?wait`) ends. `read` gives the content from the local state (`None`: it does not exist).
/// Returns the content and its hash.
pub async fn by_hash<T: serde::Serialize>(
    agent: &Agent,
    p: &Params,
    mut read: impl FnMut() -> Option<T>,
) -> Result<Option<(T, String)>, HttpError> {
    let opts = QueryOptions::parse(p, agent.query_limits())?;
    let seen = p.get("hash").unwrap_or_default();
    let deadline = Instant::now() + opts.wait + jitter(opts.wait);
    loop {
        let mut changed = agent.local.watch();
        let Some(value) = read() else {
            return Ok(None);
        };
        let hash = content_hash(&value);
        if seen.is_empty() || hash != seen || Instant::now() >= deadline {
            return Ok(Some((value, hash)));
        }
        drop(value);
        wait(&mut changed, deadline).await;
    }
}

/// A stable hash of a value's JSON (64-bit FNV-1a), in hex like Consul's `ContentHash`.
pub fn content_hash<T: serde::Serialize>(value: &T) -> String {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    h.write(&to_json(value, false));
    format!("{:x}", h.finish())
}

/// A catalog or health list read: checks `?dc`, reads the query options and `?filter` (for
/// elements shaped like `schema`), runs `read` as a blocking query on `watch`, keeps the
/// elements the filter matches and answers with JSON and the read headers. `read` returns the
/// elements and the index they reflect.
#[allow(clippy::too_many_arguments)]
pub fn list<'a, T: serde::Serialize + Visible + 'a>(
    agent: &'a Agent,
    p: &Params,
    endpoint: &str,
    schema: &crate::agent::filter::Schema,
    watch: WatchKey,
    caller: &'a Caller,
    mut read: impl FnMut(&Tables) -> (Vec<T>, u64) + 'a,
) -> impl Future<Output = Result<Response, HttpError>> + 'a {
    // Checked before the future is made: a parked query keeps none of this room.
    let checked = agent
        .check_dc(p.get("dc"))
        .map_err(HttpError::from)
        .and_then(|()| {
            let opts = QueryOptions::parse(p, agent.query_limits())?;
            let f = super::params::filter(p, schema)?;
            Ok((opts, f))
        });
    match checked {
        Err(e) => Either::Left(ready(Err(e))),
        Ok((opts, f)) => Either::Right(shared(agent, p, opts, endpoint, watch, caller, move |t| {
            let (mut items, index) = read(t);
            f.retain(&mut items);
            let filtered = restricted(caller) && items.trim(caller);
            (items, index, filtered)
        })),
    }
}

/// Whether ACLs may hide something from `caller`.
pub fn restricted(caller: &Caller) -> bool {
    !caller.authz.is_unrestricted()
}

/// Runs `read` as a blocking query on `watch` and answers with its JSON and the read headers
/// (the index reported as at least 1, as Consul's clients need). `endpoint` names the route:
/// with `watch`, the parameters and (under ACLs) the caller's token and the ACL state, it
/// identifies the question, so the queries one change wakes share one serialised answer. `read` gives the value, its index and whether
/// ACLs hid part of it. Only for reads of the catalog.
#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
#[allow(clippy::too_many_arguments)]
pub fn shared<'a, T: serde::Serialize + 'a>(
    agent: &'a Agent,
    p: &Params,
    opts: QueryOptions,
    endpoint: &str,
    watch: WatchKey,
    caller: &'a Caller,
    mut read: impl FnMut(&Tables) -> (T, u64, bool) + 'a,
) -> impl Future<Output = Result<Response, HttpError>> + 'a {
    // Made before the future: a parked query keeps the question, not the parameters.
    let base = format!("{endpoint}\0{watch:?}\0{}", p.question());
    async move {
        let pretty = opts.pretty;
        let (answer, meta) = query(agent, &opts, watch, |t| {
            let question = match restricted(caller) {
                true => format!("{base}\0{}\0{}", caller.accessor, t.acl.index()),
                false => base.clone(),
            };
            let answer = agent
                .answers
                .get_or_compute(&question, t.catalog_version(), || {
                    let (value, index, filtered) = read(t);
                    Answer {
                        body: to_json(&value, pretty).into(),
                        index: index.max(1),
                        filtered,
                    }
                });
            let index = answer.index;
            (answer, index)
        })
        .await?;
        let mut resp = json_bytes(StatusCode::OK, answer.body, Some(&meta));
        super::acl_guard::mark_filtered(&mut resp, caller, answer.filtered);
        Ok(resp)
    }
}

/// A read of the replicated state answered as JSON: checks `?dc`, reads the query options, runs
/// `read` as a blocking query on `watch` and answers 200 with the read headers, or the error
/// `read` gives (a 404 for what does not exist).
pub async fn json_read<T: serde::Serialize>(
    agent: &Agent,
    q: Option<&str>,
    watch: WatchKey,
    read: impl FnMut(&Tables) -> (Result<T, HttpError>, u64),
) -> Result<Response, HttpError> {
    let (_, opts) = super::params::read_opts(agent, q)?;
    let (value, meta) = query(agent, &opts, watch, read).await?;
    Ok(super::respond::json(
        StatusCode::OK,
        &value?,
        opts.pretty,
        Some(&meta),
    ))
}
