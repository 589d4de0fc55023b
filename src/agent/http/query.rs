//! `/v1/query`: prepared queries. Create, update and delete on the leader (the ID chosen
//! there); list, read, `/execute` and `/explain` from the state (the leader's unless
//! `?stale`). Consul's validation and words; its 500s for a bad definition are 400s here (the
//! client's mistake), and a query that does not exist is 404 "Query not found".

use std::sync::Arc;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

use super::blocking;
use super::body::{decode_canonical, read_limited};
use super::error::HttpError;
use super::forward::origin_node;
use super::params::{read_opts, Params};
use super::respond;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::endpoints::query_failover::{self, RemoteExecute};
use crate::agent::rpc::FromDatacenter;
use crate::agent::state::prepared_query::QueryOp;
use crate::agent::state::query_exec::{
    execute as execute_query, resolve_and_execute, ExecuteOptions,
};
use crate::agent::state::{Command, CommandResult, WatchKey};
use crate::agent::Agent;
use crate::api::prepared_query::{
    PreparedQuery, QueryCreated, QueryExplainResponse, FIELD_NAMES, OPAQUE,
};

/// Largest definition accepted.
const MAX_BODY: u64 = 512 * 1024;
/// What Consul shows instead of a query's token to those who may not see it.
const REDACTED: &str = "<hidden>";

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/query", get(list).post(create))
        .route("/v1/query/", get(list).post(create))
        .route("/v1/query/{id}", get(read).put(update).delete(delete))
        .route("/v1/query/{id}/execute", get(execute))
        .route("/v1/query/{id}/explain", get(explain))
        // `query_failover::EXECUTE_REMOTE`, written out for the route tables the tests read.
        .route("/v1/internal/query/execute-remote", post(execute_remote))
}

fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "Query not found")
}

async fn body_of(req: Request) -> Result<Option<PreparedQuery>, HttpError> {
    let bytes = read_limited(req.into_body(), MAX_BODY, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    decode_canonical(&bytes, FIELD_NAMES, OPAQUE).map(Some)
}

/// Consul's `parseQuery`: what a definition must hold before it is stored.
fn validate(q: &PreparedQuery) -> Result<(), String> {
    if q.name.is_empty() && q.template.kind.is_empty() && q.session.is_empty() {
        return Err("Must be bound to a session".into());
    }
    if q.token == REDACTED {
        return Err(format!(
            "Bad Token '{}', it looks like a query definition with a redacted token was submitted",
            q.token
        ));
    }
    let s = &q.service;
    if s.service.is_empty() {
        return Err("Must provide a Service name to query".into());
    }
    if s.failover.nearest_n < 0 {
        return Err(format!(
            "Bad NearestN '{}', must be >= 0",
            s.failover.nearest_n
        ));
    }
    let targets = s.failover.targets.as_ref().is_some_and(|t| !t.is_empty());
    let datacenters = s
        .failover
        .datacenters
        .as_ref()
        .is_some_and(|d| !d.is_empty());
    if targets && (s.failover.nearest_n != 0 || datacenters) {
        return Err("Targets cannot be populated with NearestN or Datacenters".into());
    }
    if let Some(meta) = &s.node_meta {
        if meta.keys().any(String::is_empty) {
            return Err("Couldn't load metadata pair: Key cannot be blank".into());
        }
    }
    if !q.dns.ttl.is_empty() {
        let ttl = &q.dns.ttl;
        if let Some(rest) = ttl.strip_prefix('-') {
            if crate::api::parse_duration(rest).is_ok() {
                return Err(format!("DNS TTL '{ttl}', must be >=0"));
            }
        }
        crate::api::parse_duration(ttl).map_err(|e| format!("Bad DNS TTL '{ttl}': {e}"))?;
    }
    Ok(())
}

async fn apply(agent: &Agent, op: QueryOp, query: PreparedQuery) -> Result<(), HttpError> {
    if op != QueryOp::Delete {
        validate(&query)
            .map_err(|e| HttpError::bad_request(format!("Invalid prepared query: {e}")))?;
    }
    let cmd = Command::PreparedQuery {
        op,
        query: Box::new(query),
    };
    match agent.write(cmd).await?.1 {
        CommandResult::PreparedQuery(Ok(())) => Ok(()),
        CommandResult::PreparedQuery(Err(e)) if e.starts_with("Cannot modify non-existent") => {
            Err(HttpError::new(StatusCode::NOT_FOUND, e))
        }
        CommandResult::PreparedQuery(Err(e)) => Err(HttpError::bad_request(e)),
        other => Err(HttpError::internal(format!("unexpected result {other:?}"))),
    }
}

async fn create(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let mut query = body_of(req).await?.unwrap_or_default();
    if !query.id.is_empty() {
        return Err(HttpError::bad_request(
            "ID must be empty when creating a new prepared query",
        ));
    }
    query.id = loop {
        let id = uuid::Uuid::new_v4().to_string();
        if agent.store.read().queries.get(&id).is_none() {
            break id;
        }
    };
    let id = query.id.clone();
    apply(&agent, QueryOp::Create, query).await?;
    Ok(respond::json(
        StatusCode::OK,
        &QueryCreated { id },
        p.flag("pretty"),
        None,
    ))
}

async fn update(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let mut query = body_of(req).await?.unwrap_or_default();
    query.id = id.to_lowercase();
    apply(&agent, QueryOp::Update, query).await?;
    Ok(StatusCode::OK.into_response())
}

async fn delete(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let query = PreparedQuery {
        id: id.to_lowercase(),
        ..Default::default()
    };
    apply(&agent, QueryOp::Delete, query).await?;
    Ok(StatusCode::OK.into_response())
}

async fn list(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    blocking::json_read(&agent, q.as_deref(), WatchKey::PreparedQueries, |t| {
        let list: Vec<PreparedQuery> = t.queries.list().cloned().collect();
        (Ok(list), t.queries.index().max(1))
    })
    .await
}

async fn read(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let id = id.to_lowercase();
    blocking::json_read(&agent, q.as_deref(), WatchKey::PreparedQueries, |t| {
        let found = t.queries.get(&id).cloned().map(|q| [q]);
        (found.ok_or_else(not_found), t.queries.index().max(1))
    })
    .await
}

/// `/execute`: `?near=` (`_agent`, `_ip`, a node), `?limit=`, `?connect`.
async fn execute(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    let limit = match p.get("limit") {
        None | Some("") => 0,
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| HttpError::bad_request(format!("Bad limit: {l:?}")))?,
    };
    let agent_node = origin_node(&agent, req.extensions());
    let source_ip = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string());
    let connect = p.flag("connect");
    let o = ExecuteOptions {
        datacenter: &agent.config.datacenter,
        agent_node: &agent_node,
        near: p.get("near"),
        source_ip,
        limit,
    };
    let (result, meta) = blocking::query(&agent, &opts, WatchKey::PreparedQueries, |t| {
        let found = resolve_and_execute(t, &name, &o, connect);
        (found, t.catalog.version().max(1))
    })
    .await?;
    let (local, query) = result
        .map_err(HttpError::bad_request)?
        .ok_or_else(not_found)?;
    let answer = query_failover::run(&agent, local, &query, limit).await;
    Ok(respond::json(
        StatusCode::OK,
        &answer,
        opts.pretty,
        Some(&meta),
    ))
}

/// `POST /v1/internal/query/execute-remote`: another datacenter's query, failing over to this one: run against this server's state
/// (no `near`: the caller's nodes are not here). Only servers of other datacenters reach it,
/// through server RPC; the caller's token must read the service.
async fn execute_remote(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    req: Request,
) -> Result<Response, HttpError> {
    if req.extensions().get::<FromDatacenter>().is_none() {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "only another datacenter's servers run queries here",
        ));
    }
    let body = read_limited(req.into_body(), MAX_BODY, |max| {
        format!("Request body too large, max size: {max} bytes")
    })
    .await?;
    let mut remote: RemoteExecute = serde_json::from_slice(&body)
        .map_err(|e| HttpError::bad_request(format!("Request decode failed: {e}")))?;
    caller.require(
        Resource::Service,
        &remote.query.service.service,
        Access::Read,
    )?;
    remote.query.service.near.clear();
    let o = ExecuteOptions {
        datacenter: &agent.config.datacenter,
        limit: remote.limit,
        ..ExecuteOptions::default()
    };
    let answer = execute_query(&agent.store.read(), &remote.query, &o);
    Ok(respond::json(StatusCode::OK, &answer, false, None))
}

async fn explain(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    blocking::json_read(&agent, q.as_deref(), WatchKey::PreparedQueries, |t| {
        let found = match t.queries.resolve(&name) {
            Ok(Some(query)) => Ok(QueryExplainResponse { query }),
            Ok(None) => Err(not_found()),
            Err(e) => Err(HttpError::bad_request(e)),
        };
        (found, t.queries.index().max(1))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::prepared_query::ServiceQuery;

    fn named(service: &str) -> PreparedQuery {
        PreparedQuery {
            name: "q".into(),
            service: ServiceQuery {
                service: service.into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn definitions_are_checked_as_consul_checks_them() {
        assert!(validate(&named("redis")).is_ok());
        assert_eq!(
            validate(&named("")).unwrap_err(),
            "Must provide a Service name to query"
        );
        let mut q = named("redis");
        q.name.clear();
        assert_eq!(validate(&q).unwrap_err(), "Must be bound to a session");
        let mut q = named("redis");
        q.token = "<hidden>".into();
        assert!(validate(&q)
            .unwrap_err()
            .starts_with("Bad Token '<hidden>'"));
        let mut q = named("redis");
        q.service.failover.nearest_n = -1;
        assert_eq!(validate(&q).unwrap_err(), "Bad NearestN '-1', must be >= 0");
        let mut q = named("redis");
        q.dns.ttl = "soon".into();
        assert!(validate(&q).unwrap_err().starts_with("Bad DNS TTL 'soon'"));
        q.dns.ttl = "-5s".into();
        assert_eq!(validate(&q).unwrap_err(), "DNS TTL '-5s', must be >=0");
        q.dns.ttl = "10s".into();
        assert!(validate(&q).is_ok());
    }
}
