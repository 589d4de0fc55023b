//! `/v1/catalog/...`: register and deregister (written through Raft), datacenters, nodes,
//! services, `service/:name` (`?tag`, `?node-meta`), `node/:node` and `node-services/:node`;
//! the lists of nodes and instances sort by `?near=`.
//! Reads block on exactly the service, node or list they show.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Extension, Router};

use super::acl_filter::{trim_node, Trim};
use super::blocking;
use super::body::read_json;
use super::direct::{Direct, Head};
use super::error::HttpError;
use super::near::Near;
use super::params::{filter, read_opts, Params};
use super::respond;
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::endpoints;
use crate::agent::filter::schemas;
use crate::agent::state::WatchKey;
use crate::agent::Agent;
use crate::api::catalog::{
    CatalogDeregistration, CatalogNodeServiceList, CatalogRegistration, Meta, FIELD_NAMES,
    OPAQUE_FIELDS,
};

/// Largest registration body accepted.
const MAX_BODY: u64 = 4 * 1024 * 1024;

pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/v1/catalog/register", put(register))
        .route("/v1/catalog/deregister", put(deregister))
        .route("/v1/catalog/datacenters", get(datacenters))
        .route("/v1/catalog/nodes", get(Direct(nodes)))
        .route("/v1/catalog/services", get(Direct(services)))
        .route("/v1/catalog/service/{*name}", get(Direct(service)))
        .route("/v1/catalog/node/{*node}", get(Direct(node)))
        .route(
            "/v1/catalog/node-services/{*node}",
            get(Direct(node_services)),
        )
}

async fn body_of<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, HttpError> {
    read_json(body, MAX_BODY, FIELD_NAMES, OPAQUE_FIELDS).await
}

async fn register(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let reg: CatalogRegistration = body_of(body).await?;
    if blocking::restricted(&caller) {
        vet_register(&agent.store.read(), &caller, &reg)?;
    }
    endpoints::catalog::register(&agent, reg).await?;
    Ok(respond::json(StatusCode::OK, &true, p.flag("pretty"), None))
}

async fn deregister(
    State(agent): State<Arc<Agent>>,
    Extension(caller): Extension<Arc<Caller>>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    agent.check_dc(p.get("dc"))?;
    let d: CatalogDeregistration = body_of(body).await?;
    if blocking::restricted(&caller) {
        vet_deregister(&agent.store.read(), &caller, &d)?;
    }
    endpoints::catalog::deregister(&agent, d).await?;
    Ok(respond::json(StatusCode::OK, &true, p.flag("pretty"), None))
}

/// What a registration needs, as Consul vets it: `node:write` when the node is new or its
/// address changes, `service:write` on the service (and on the one of the same ID it
/// replaces), and for each check the permission of what it checks.
fn vet_register(
    t: &crate::agent::state::Tables,
    caller: &Caller,
    reg: &CatalogRegistration,
) -> Result<(), endpoints::EndpointError> {
    let node_changes = match t.catalog.node(&reg.node) {
        None => true,
        Some(n) => !reg.skip_node_update && (!reg.address.is_empty() && n.address != reg.address),
    };
    if node_changes {
        caller.require(Resource::Node, &reg.node, Access::Write)?;
    }
    let existing = t.catalog.catalog_node(&reg.node);
    let service_name = |id: &str| {
        existing
            .as_ref()
            .and_then(|n| n.services.get(id))
            .map(|s| s.service.clone())
    };
    if let Some(svc) = &reg.service {
        caller.require(Resource::Service, &svc.service, Access::Write)?;
        let id = if svc.id.is_empty() {
            &svc.service
        } else {
            &svc.id
        };
        if let Some(old) = service_name(id) {
            caller.require(Resource::Service, &old, Access::Write)?;
        }
    }
    for check in reg.check.iter().chain(&reg.checks) {
        let of_service = if check.service_id.is_empty() {
            None
        } else {
            reg.service
                .as_ref()
                .filter(|s| s.id == check.service_id || s.service == check.service_id)
                .map(|s| s.service.clone())
                .or_else(|| service_name(&check.service_id))
        };
        match of_service {
            Some(name) => caller.require(Resource::Service, &name, Access::Write)?,
            None => caller.require(Resource::Node, &reg.node, Access::Write)?,
        }
    }
    Ok(())
}

/// What a deregistration needs: the permission of the service or check it removes, or
/// `node:write` for the whole node.
fn vet_deregister(
    t: &crate::agent::state::Tables,
    caller: &Caller,
    d: &CatalogDeregistration,
) -> Result<(), endpoints::EndpointError> {
    let node = t.catalog.catalog_node(&d.node);
    let service_name = |id: &str| {
        node.as_ref()
            .and_then(|n| n.services.get(id))
            .map(|s| s.service.clone())
    };
    if !d.service_id.is_empty() {
        return match service_name(&d.service_id) {
            Some(name) => caller.require(Resource::Service, &name, Access::Write),
            None => caller.require(Resource::Node, &d.node, Access::Write),
        };
    }
    if !d.check_id.is_empty() {
        let service = t
            .catalog
            .check(&d.node, &d.check_id)
            .filter(|c| !c.service_name.is_empty())
            .map(|c| c.service_name.clone());
        return match service {
            Some(name) => caller.require(Resource::Service, &name, Access::Write),
            None => caller.require(Resource::Node, &d.node, Access::Write),
        };
    }
    caller.require(Resource::Node, &d.node, Access::Write)
}

/// Every datacenter the WAN pool knows, nearest first (this server's own alone without one).
async fn datacenters(
    State(agent): State<Arc<Agent>>,
    RawQuery(q): RawQuery,
) -> Result<Response, HttpError> {
    let p = Params::parse(q.as_deref());
    let own = &agent.config.datacenter;
    let dcs = match &agent.wan {
        Some(wan) => crate::agent::wan::router::datacenters(wan, own),
        None => vec![own.clone()],
    };
    Ok(respond::json(StatusCode::OK, &dcs, p.flag("pretty"), None))
}

/// `?node-meta=key:value` (repeatable): every pair must match.
pub fn node_meta_filter(p: &Params) -> Vec<(String, String)> {
    p.all("node-meta")
        .into_iter()
        .map(|kv| match kv.split_once(':') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}

pub fn meta_matches(meta: &Meta, wanted: &[(String, String)]) -> bool {
    wanted
        .iter()
        .all(|(k, v)| meta.get(k).is_some_and(|have| have == v))
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn nodes(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let caller = &head.caller;
        let p = Params::parse(head.query.as_deref());
        let meta = node_meta_filter(&p);
        let near = Near::parse(&agent, &p, head.origin.clone());
        // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
        let answer = blocking::list(
            &agent,
            &p,
            &near.endpoint("catalog/nodes"),
            schemas::node(),
            WatchKey::Nodes,
            caller,
            |t| {
                let mut nodes: Vec<_> = t
                    .catalog
                    .nodes()
                    .into_iter()
                    .filter(|n| meta_matches(&n.meta, &meta))
                    .collect();
                near.sort(t, &mut nodes, |n| &n.node);
                (nodes, t.catalog.nodes_index())
            },
        );
        drop(p);
        answer.await
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn services(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let caller = &head.caller;
        let (p, opts) = read_opts(&agent, head.query.as_deref())?;
        let meta = node_meta_filter(&p);
        let f = filter(&p, schemas::catalog_service())?;
        let answer = blocking::shared(
            &agent,
            &p,
            opts,
            "catalog/services",
            WatchKey::Services,
            caller,
            |t| {
                let mut services = t.catalog.services();
                if !f.is_all() {
                    // The filter selects instances; the list shows the names (and tags) left.
                    services = BTreeMap::new();
                    for name in t.catalog.services().into_keys() {
                        let mut instances = t.catalog.catalog_service(&name);
                        f.retain(&mut instances);
                        if !instances.is_empty() {
                            let tags: BTreeSet<String> =
                                instances.into_iter().flat_map(|i| i.service_tags).collect();
                            services.insert(name, tags.into_iter().collect());
                        }
                    }
                }
                if !meta.is_empty() {
                    services.retain(|name, _| {
                        t.catalog
                            .instances(name)
                            .iter()
                            .any(|(n, _)| meta_matches(&n.meta, &meta))
                    });
                }
                let filtered = blocking::restricted(caller) && services.trim(caller);
                (services, t.catalog.services_index(), filtered)
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
        let key = WatchKey::Service(name.clone());
        let near = Near::parse(&agent, &p, head.origin.clone());
        // Made, then awaited once the parameters are gone: a parked query keeps only what it reads.
        let answer = blocking::list(
            &agent,
            &p,
            &near.endpoint("catalog/service"),
            schemas::catalog_service(),
            key,
            caller,
            |t| {
                let mut list: Vec<_> = t
                    .catalog
                    .catalog_service(name)
                    .into_iter()
                    .filter(|s| tags.iter().all(|tag| s.service_tags.contains(tag)))
                    .filter(|s| meta_matches(&s.node_meta, &meta))
                    .collect();
                near.sort(t, &mut list, |s| &s.node);
                (list, t.catalog.service_index(name))
            },
        );
        drop(p);
        answer.await
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn node(agent: Arc<Agent>, head: Head) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, name) = (&head.caller, &head.param);
        let (p, opts) = read_opts(&agent, head.query.as_deref())?;
        let f = filter(&p, schemas::agent_service())?;
        let key = WatchKey::Node(name.clone());
        // An unknown node is `null`, as in Consul.
        let answer = blocking::shared(&agent, &p, opts, "catalog/node", key, caller, |t| {
            let mut found = t.catalog.catalog_node(name).map(|mut n| {
                super::params::retain_values(&f, &mut n.services);
                n
            });
            let filtered = blocking::restricted(caller) && trim_node(&mut found, name, caller);
            (found, t.catalog.node_index(name), filtered)
        });
        drop(p);
        answer.await
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice while parked
fn node_services(
    agent: Arc<Agent>,
    head: Head,
) -> impl Future<Output = Result<Response, HttpError>> {
    async move {
        let (caller, name) = (&head.caller, &head.param);
        let (p, opts) = read_opts(&agent, head.query.as_deref())?;
        let f = filter(&p, schemas::agent_service())?;
        let key = WatchKey::Node(name.clone());
        let answer = blocking::shared(
            &agent,
            &p,
            opts,
            "catalog/node-services",
            key,
            caller,
            |t| {
                let mut found = t.catalog.catalog_node(name).map(|n| {
                    let mut services: Vec<_> = n.services.into_values().collect();
                    f.retain(&mut services);
                    CatalogNodeServiceList {
                        node: n.node,
                        services,
                    }
                });
                let filtered = blocking::restricted(caller) && trim_node(&mut found, name, caller);
                (found, t.catalog.node_index(name), filtered)
            },
        );
        drop(p);
        answer.await
    }
}
