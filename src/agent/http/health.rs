//! `/v1/health/...`: `node/:node`, `checks/:service`, `service/:name` (`?passing`, `?tag`,
//! `?node-meta`) and `state/:state`. All are blocking queries on exactly what they show and
//! honour the consistency modes.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::blocking;
use super::catalog::{meta_matches, node_meta_filter};
use super::error::HttpError;
use super::params::{filter, Params, QueryOptions};
use super::respond;
use crate::agent::filter::schemas;
use crate::agent::state::WatchKey;
use crate::agent::Agent;
use crate::api::catalog::health;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/health/node/{*node}", get(node))
        .route("/v1/health/checks/{*service}", get(checks))
        .route("/v1/health/service/{*service}", get(service))
        .route("/v1/health/state/{state}", get(state))
}

fn read_opts(agent: &Agent, q: Option<&str>) -> Result<(Params, QueryOptions), HttpError> {
    let p = Params::parse(q);
    agent.check_dc(&p)?;
    let opts = QueryOptions::parse(&p, agent.query_limits())?;
    Ok((p, opts))
}

async fn node(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    let f = filter(&p, schemas::health_check())?;
    let key = WatchKey::Node(name.clone());
    let (checks, m) = blocking::query(&agent, &opts, key, |t| {
        let mut checks = t.catalog.node_checks(&name);
        f.retain(&mut checks);
        (checks, t.catalog.node_index(&name).max(1))
    })
    .await?;
    Ok(respond::json(
        StatusCode::OK,
        &checks,
        opts.pretty,
        Some(&m),
    ))
}

async fn checks(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    let meta = node_meta_filter(&p);
    let f = filter(&p, schemas::health_check())?;
    let key = WatchKey::Service(name.clone());
    let (checks, m) = blocking::query(&agent, &opts, key, |t| {
        let mut checks: Vec<_> = t
            .catalog
            .service_checks(&name)
            .into_iter()
            .filter(|c| {
                meta.is_empty()
                    || t.catalog
                        .node(&c.node)
                        .is_some_and(|n| meta_matches(&n.meta, &meta))
            })
            .collect();
        f.retain(&mut checks);
        (checks, t.catalog.service_index(&name).max(1))
    })
    .await?;
    Ok(respond::json(
        StatusCode::OK,
        &checks,
        opts.pretty,
        Some(&m),
    ))
}

async fn service(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    let meta = node_meta_filter(&p);
    let tags: Vec<String> = p.all("tag").into_iter().map(str::to_string).collect();
    let passing = p.flag("passing");
    let f = filter(&p, schemas::service_entry())?;
    let key = WatchKey::Service(name.clone());
    let (entries, m) = blocking::query(&agent, &opts, key, |t| {
        let mut entries: Vec<_> = t
            .catalog
            .health_service(&name, passing)
            .into_iter()
            .filter(|e| tags.iter().all(|tag| e.service.tags.contains(tag)))
            .filter(|e| meta_matches(&e.node.meta, &meta))
            .collect();
        f.retain(&mut entries);
        (entries, t.catalog.service_index(&name).max(1))
    })
    .await?;
    Ok(respond::json(
        StatusCode::OK,
        &entries,
        opts.pretty,
        Some(&m),
    ))
}

async fn state(
    State(agent): State<Arc<Agent>>,
    Path(state): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let (p, opts) = read_opts(&agent, q.as_deref())?;
    if state != "any" && !health::is_valid(&state) {
        return Err(HttpError::bad_request(format!(
            "Invalid state \"{state}\": must be any, passing, warning or critical"
        )));
    }
    let meta = node_meta_filter(&p);
    let f = filter(&p, schemas::health_check())?;
    let (checks, m) = blocking::query(&agent, &opts, WatchKey::Checks, |t| {
        let mut checks: Vec<_> = t
            .catalog
            .checks_in_state(&state)
            .into_iter()
            .filter(|c| {
                meta.is_empty()
                    || t.catalog
                        .node(&c.node)
                        .is_some_and(|n| meta_matches(&n.meta, &meta))
            })
            .collect();
        f.retain(&mut checks);
        (checks, t.catalog.checks_index().max(1))
    })
    .await?;
    Ok(respond::json(
        StatusCode::OK,
        &checks,
        opts.pretty,
        Some(&m),
    ))
}
