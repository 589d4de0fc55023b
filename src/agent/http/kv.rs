//! `/v1/kv/<key>`: GET (`recurse`, `keys`, `separator`, `raw`, blocking), PUT (`flags`, `cas`,
//! `acquire`, `release`), DELETE (`recurse`, `cas`). Under ACLs, `recurse` and `keys` list only
//! what the caller may read; the rest is checked before the handler runs (`acl_guard`).

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::acl_filter::Trim;
use super::blocking;
use super::body::read_limited;
use super::direct::{Direct, Head};
use super::error::HttpError;
use super::params::{Params, QueryOptions};
use super::respond;
use super::QueryMeta;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::state::{Command, CommandResult, KvOp, KvVerb, WatchKey};
use crate::agent::Agent;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route(
            "/v1/kv",
            get(Direct(read)).put(put_root).delete(delete_root),
        )
        .route(
            "/v1/kv/",
            get(Direct(read)).put(put_root).delete(delete_root),
        )
        .route(
            "/v1/kv/{*key}",
            get(Direct(read)).put(put_key).delete(delete_key),
        )
}

async fn put_root(State(_a): State<Arc<Agent>>) -> HttpError {
    HttpError::bad_request("Missing key name")
}

async fn put_key(
    State(a): State<Arc<Agent>>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    write(a, key, Params::parse(q.as_deref()), body).await
}

async fn delete_root(
    State(a): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    delete(a, String::new(), Params::parse(q.as_deref())).await
}

async fn delete_key(
    State(a): State<Arc<Agent>>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    delete(a, key, Params::parse(q.as_deref())).await
}

/// An answer of several keys or entries: 404 when empty, marked when ACLs hid some.
fn several<T: serde::Serialize>(
    items: &[T],
    filtered: bool,
    caller: &Caller,
    pretty: bool,
    meta: &QueryMeta,
) -> Response {
    let mut resp = if items.is_empty() {
        respond::empty(StatusCode::NOT_FOUND, meta)
    } else {
        respond::json(StatusCode::OK, items, pretty, Some(meta))
    };
    super::acl_guard::mark_filtered(&mut resp, caller, filtered);
    resp
}

/// `GET /v1/kv/<key>` (and of the root, `key` empty). The parameters are read before the
/// query parks, so a parked watcher keeps only the key and its options.
#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn read(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, key) = (&*head.caller, &head.param);
        let p = Params::parse(head.query.as_deref());
        agent.check_dc(p.get("dc"))?;
        let opts = QueryOptions::parse(&p, agent.query_limits())?;
        let (keys, recurse, raw) = (p.flag("keys"), p.flag("recurse"), p.flag("raw"));
        let separator = p.get("separator").unwrap_or("").to_string();
        drop(p);
        let restricted = blocking::restricted(caller);
        if keys {
            // With `enable_key_list_policy`, listing needs `list` on the prefix itself.
            if agent.acls.config.enable_key_list_policy {
                caller.require(Resource::Key, key, Access::List)?;
            }
            let ((keys, filtered), meta) =
                blocking::query(&agent, &opts, WatchKey::Prefix(key.clone()), |t| {
                    let mut keys = t.kv.keys(key, &separator);
                    let before = keys.len();
                    if restricted {
                        keys.retain(|k| caller.allows(Resource::Key, k, Access::Read));
                    }
                    let filtered = keys.len() != before;
                    ((keys, filtered), t.kv.prefix_index(key))
                })
                .await?;
            return Ok(several(&keys, filtered, caller, opts.pretty, &meta));
        }
        if recurse {
            let ((pairs, filtered), meta) =
                blocking::query(&agent, &opts, WatchKey::Prefix(key.clone()), |t| {
                    let mut pairs: Vec<_> =
                        t.kv.list(key).map(|(k, e)| e.to_pair(k, true)).collect();
                    let filtered = restricted && pairs.trim(caller);
                    ((pairs, filtered), t.kv.prefix_index(key))
                })
                .await?;
            return Ok(several(&pairs, filtered, caller, opts.pretty, &meta));
        }
        caller.require(Resource::Key, key, Access::Read)?;
        let (pair, meta) = blocking::query(&agent, &opts, WatchKey::Key(key.clone()), |t| {
            (
                t.kv.get(key).map(|e| e.to_pair(key, true)),
                t.kv.key_index(key),
            )
        })
        .await?;
        Ok(match pair {
            None => respond::empty(StatusCode::NOT_FOUND, &meta),
            Some(pair) if raw => respond::raw(pair.value.unwrap_or_default(), &meta),
            Some(pair) => respond::json(StatusCode::OK, &[pair], opts.pretty, Some(&meta)),
        })
    }
}

async fn write(
    agent: Arc<Agent>,
    key: String,
    p: Params,
    body: Body,
) -> Result<Response, HttpError> {
    agent.check_dc(p.get("dc"))?;
    if key.is_empty() {
        return Err(HttpError::bad_request("Missing key name"));
    }
    let flags = p.u64("flags")?.unwrap_or(0);
    let cas = p.u64("cas")?;
    let (verb, session) = match (p.get("acquire"), p.get("release")) {
        (Some(_), Some(_)) => {
            return Err(HttpError::bad_request(
                "Conflicting flags: acquire and release",
            ))
        }
        (Some(s), None) => (KvVerb::Lock, Some(s.to_string())),
        (None, Some(s)) => (KvVerb::Unlock, Some(s.to_string())),
        (None, None) if cas.is_some() => (KvVerb::Cas, None),
        (None, None) => (KvVerb::Set, None),
    };
    let limit = agent.config.kv_max_value_size;
    let value = read_limited(body, limit, |max| {
        format!("Request body too large, max size: {max} bytes. See the kv_max_value_size limit (limits.kv_max_value_size) in the agent configuration.")
    })
    .await?;
    let op = KvOp {
        verb,
        key,
        value: value.to_vec(),
        flags,
        index: cas.unwrap_or(0),
        session,
    };
    let ok = apply(&agent, vec![op]).await?;
    Ok(respond::json(StatusCode::OK, &ok, p.flag("pretty"), None))
}

async fn delete(agent: Arc<Agent>, key: String, p: Params) -> Result<Response, HttpError> {
    agent.check_dc(p.get("dc"))?;
    let cas = p.u64("cas")?;
    let verb = match (p.flag("recurse"), cas) {
        (true, _) => KvVerb::DeleteTree,
        (false, Some(_)) => KvVerb::DeleteCas,
        (false, None) => KvVerb::Delete,
    };
    if key.is_empty() && verb != KvVerb::DeleteTree {
        return Err(HttpError::bad_request("Missing key name"));
    }
    let op = KvOp {
        verb,
        key,
        value: Vec::new(),
        flags: 0,
        index: cas.unwrap_or(0),
        session: None,
    };
    let ok = apply(&agent, vec![op]).await?;
    Ok(respond::json(StatusCode::OK, &ok, p.flag("pretty"), None))
}

/// Writes one KV operation through Raft; `false` when a CAS or lock condition did not hold.
async fn apply(agent: &Agent, ops: Vec<KvOp>) -> Result<bool, HttpError> {
    let (_, result) = agent.write(Command::KvTxn(ops)).await?;
    match result {
        CommandResult::KvTxn(Ok(_)) => Ok(true),
        // A failed CAS or lock is an answer (`false`); an invalid request (unknown session) is an error.
        CommandResult::KvTxn(Err(errors)) => {
            match errors.into_iter().find(|e| !e.unmet_condition) {
                None => Ok(false),
                Some(e) => Err(HttpError::internal(e.what)),
            }
        }
        other => Err(HttpError::internal(format!("unexpected result {other:?}"))),
    }
}
