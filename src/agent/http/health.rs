//! `/v1/health/...`: `node/:node`, `checks/:service`, `service/:name` (`?passing`, `?tag`,
//! `?node-meta`) and `state/:state`. All are blocking queries on exactly what they show and
//! honour the consistency modes; all but `node/:node` sort by `?near=`.

use std::sync::Arc;

use std::future::Future;

use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::blocking;
use super::catalog::{meta_matches, node_meta_filter};
use super::direct::{Direct, Head};
use super::error::HttpError;
use super::near::Near;
use super::params::Params;
use crate::agent::filter::schemas;
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;
use crate::api::catalog::health;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/health/node/{*node}", get(Direct(node)))
        .route("/v1/health/checks/{*service}", get(Direct(checks)))
        .route("/v1/health/service/{*service}", get(Direct(service)))
        .route("/v1/health/state/{state}", get(Direct(state)))
}

/// Whether the node of `node` carries every wanted meta pair.
fn node_has_meta(t: &Tables, node: &str, wanted: &[(String, String)]) -> bool {
    wanted.is_empty()
        || t.catalog
            .node(node)
            .is_some_and(|n| meta_matches(&n.meta, wanted))
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn node(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, name) = (&head.caller, &head.param);
        let p = Params::parse(head.query.as_deref());
        let key = WatchKey::Node(name.clone());
        // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
        let answer = blocking::list(
            &agent,
            &p,
            "health/node",
            schemas::health_check(),
            key,
            caller,
            |t| (t.catalog.node_checks(name), t.catalog.node_index(name)),
        );
        drop(p);
        answer.await
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn checks(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, name) = (&head.caller, &head.param);
        let p = Params::parse(head.query.as_deref());
        let meta = node_meta_filter(&p);
        let key = WatchKey::Service(name.clone());
        let near = Near::parse(&agent, &p, head.origin.clone());
        // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
        let answer = blocking::list(
            &agent,
            &p,
            &near.endpoint("health/checks"),
            schemas::health_check(),
            key,
            caller,
            |t| {
                let mut checks: Vec<_> = t
                    .catalog
                    .service_checks(name)
                    .into_iter()
                    .filter(|c| node_has_meta(t, &c.node, &meta))
                    .collect();
                near.sort(t, &mut checks, |c| &c.node);
                (checks, t.catalog.service_index(name))
            },
        );
        drop(p);
        answer.await
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn service(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, name) = (&head.caller, &head.param);
        let p = Params::parse(head.query.as_deref());
        let meta = node_meta_filter(&p);
        let tags: Vec<String> = p.all("tag").into_iter().map(str::to_string).collect();
        let passing = p.flag("passing");
        let key = WatchKey::Service(name.clone());
        let near = Near::parse(&agent, &p, head.origin.clone());
        // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
        let answer = blocking::list(
            &agent,
            &p,
            &near.endpoint("health/service"),
            schemas::service_entry(),
            key,
            caller,
            |t| {
                let mut entries: Vec<_> = t
                    .catalog
                    .health_service(name, passing)
                    .into_iter()
                    .filter(|e| tags.iter().all(|tag| e.service.tags.contains(tag)))
                    .filter(|e| meta_matches(&e.node.meta, &meta))
                    .collect();
                near.sort(t, &mut entries, |e| &e.node.node);
                (entries, t.catalog.service_index(name))
            },
        );
        drop(p);
        answer.await
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn state(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, state) = (&head.caller, &head.param);
        let p = Params::parse(head.query.as_deref());
        if state != "any" && !health::is_valid(state) {
            return Err(HttpError::bad_request(format!(
                "Invalid state \"{state}\": must be any, passing, warning or critical"
            )));
        }
        let meta = node_meta_filter(&p);
        let near = Near::parse(&agent, &p, head.origin.clone());
        let endpoint = near.endpoint(&format!("health/state/{state}"));
        let schema = schemas::health_check();
        // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
        let answer = blocking::list(
            &agent,
            &p,
            &endpoint,
            schema,
            WatchKey::Checks,
            caller,
            |t| {
                let mut checks: Vec<_> = t
                    .catalog
                    .checks_in_state(state)
                    .into_iter()
                    .filter(|c| node_has_meta(t, &c.node, &meta))
                    .collect();
                near.sort(t, &mut checks, |c| &c.node);
                (checks, t.catalog.checks_index())
            },
        );
        drop(p);
        answer.await
    }
}
