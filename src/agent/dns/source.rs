//! Where answers come from: a server reads its own replicated state (`local`); a client agent,
//! which has none, reads its cache kept fresh by blocking queries (`cache`). Both give the same
//! views, so the answering code does not know which it has.

use std::net::IpAddr;
use std::sync::Arc;

use super::cache::{CacheError, NodeEntry, NodeList, Reading, Watched};
use super::local::{self, LocalSource};
use super::settings::Settings;
use super::view::{owner_of, Instance, NodeView, Owner, ServiceView, Target};
use crate::agent::acl::{Access, Caller, Resource};
use crate::agent::endpoints::{Consistency, EndpointError, QueryOptions};
use crate::agent::Agent;

/// Why a lookup could not be answered (SERVFAIL).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("no cluster leader is known and dns_config.allow_stale is off")]
    NoLeader,
    #[error("the last contact with the leader is older than dns_config.max_stale")]
    TooStale,
    #[error("prepared query: {0}")]
    Query(String),
    #[error("another datacenter: {0}")]
    Remote(String),
}

pub enum Source {
    Local(LocalSource),
    Cached {
        services: Arc<Watched<ServiceView>>,
        nodes: Arc<Watched<NodeEntry>>,
        node_list: Arc<Watched<NodeList>>,
    },
}

impl Source {
    /// The source for this agent: local state on a server, a cache on a client.
    pub fn for_agent(agent: &Agent) -> Source {
        match agent.raft_opt() {
            Some(_) => Source::Local(LocalSource::default()),
            None => Source::Cached {
                services: Arc::default(),
                nodes: Arc::default(),
                node_list: Arc::default(),
            },
        }
    }

    /// The healthy instances of service `lower` that the DNS token may see.
    pub async fn service(
        &self,
        agent: &Arc<Agent>,
        s: &Settings,
        lower: &str,
    ) -> Result<Arc<ServiceView>, SourceError> {
        let view = match self {
            Source::Local(l) => {
                fresh_enough(agent, s)?;
                l.service(&agent.store, lower, s.only_passing)
            }
            Source::Cached { services, .. } => services.get(agent, lower, reading(s)).await?,
        };
        visible(agent, lower, view).await
    }

    /// The healthy instances of service `lower` in datacenter `dc` (another one), asked of a
    /// server there at query time; `None` when no server of `dc` can be reached.
    pub async fn remote_service(
        agent: &Arc<Agent>,
        s: &Settings,
        dc: &str,
        lower: &str,
    ) -> Result<Option<Arc<ServiceView>>, SourceError> {
        let q = remote_read(s, dc);
        let entries = match agent.service_health(lower, &q).await {
            Ok((entries, _)) => entries,
            Err(EndpointError::NoPathToDatacenter(_)) => return Ok(None),
            Err(e) => return Err(SourceError::Remote(e.to_string())),
        };
        let view = Arc::new(ServiceView::from_entries(&entries, s.only_passing));
        visible(agent, lower, view).await.map(Some)
    }

    /// Node `lower` of datacenter `dc` (another one), if it exists there and the DNS token
    /// may see it.
    pub async fn remote_node(
        agent: &Arc<Agent>,
        s: &Settings,
        dc: &str,
        lower: &str,
    ) -> Result<Option<NodeView>, SourceError> {
        let q = remote_read(s, dc);
        let node = match agent.catalog_node(lower, &q).await {
            Ok((node, _)) => node.map(|n| NodeView::from_node(&n.node)),
            Err(EndpointError::NoPathToDatacenter(_)) => return Ok(None),
            Err(e) => return Err(SourceError::Remote(e.to_string())),
        };
        match dns_caller(agent).await {
            Some(c) if !c.allows(Resource::Node, lower, Access::Read) => Ok(None),
            _ => Ok(node),
        }
    }
}

/// A read of another datacenter, stale when `dns_config.allow_stale` lets answers be.
fn remote_read(s: &Settings, dc: &str) -> QueryOptions {
    QueryOptions {
        consistency: if s.allow_stale {
            Consistency::Stale
        } else {
            Consistency::Default
        },
        datacenter: Some(dc.to_string()),
        ..QueryOptions::default()
    }
}

/// The part of `view` (service `lower`) that the DNS token may see.
async fn visible(
    agent: &Arc<Agent>,
    lower: &str,
    view: Arc<ServiceView>,
) -> Result<Arc<ServiceView>, SourceError> {
    let Some(caller) = dns_caller(agent).await else {
        return Ok(view);
    };
    if !caller.allows(Resource::Service, lower, Access::Read) {
        return Ok(Arc::default());
    }
    let readable = |i: &&Instance| caller.allows(Resource::Node, &i.node, Access::Read);
    if view.instances.iter().all(|i| readable(&i)) {
        return Ok(view);
    }
    Ok(Arc::new(ServiceView {
        instances: view.instances.iter().filter(readable).cloned().collect(),
        ..ServiceView::default()
    }))
}

impl Source {
    /// Node `lower`, if it exists and the DNS token may see it.
    pub async fn node(
        &self,
        agent: &Arc<Agent>,
        s: &Settings,
        lower: &str,
    ) -> Result<Option<NodeView>, SourceError> {
        let node = match self {
            Source::Local(_) => {
                fresh_enough(agent, s)?;
                local::node(&agent.store, lower)
            }
            Source::Cached { nodes, .. } => nodes.get(agent, lower, reading(s)).await?.0.clone(),
        };
        match dns_caller(agent).await {
            Some(c) if !c.allows(Resource::Node, lower, Access::Read) => Ok(None),
            _ => Ok(node),
        }
    }

    /// The owner of `ip`, if the DNS token may see it.
    pub async fn owner(
        &self,
        agent: &Arc<Agent>,
        s: &Settings,
        ip: IpAddr,
    ) -> Result<Option<Owner>, SourceError> {
        let owner = self.any_owner(agent, s, ip).await?;
        let Some(caller) = dns_caller(agent).await else {
            return Ok(owner);
        };
        Ok(owner.filter(|o| match o {
            Owner::Node { node, .. } => caller.allows(Resource::Node, node, Access::Read),
            Owner::Service { service, .. } => {
                caller.allows(Resource::Service, service, Access::Read)
            }
        }))
    }

    /// The owner of `ip`. A client agent knows every node, but only the services it was asked
    /// about.
    async fn any_owner(
        &self,
        agent: &Arc<Agent>,
        s: &Settings,
        ip: IpAddr,
    ) -> Result<Option<Owner>, SourceError> {
        match self {
            Source::Local(_) => {
                fresh_enough(agent, s)?;
                Ok(local::owner(&agent.store, ip))
            }
            Source::Cached {
                services,
                node_list,
                ..
            } => {
                let nodes = node_list.get(agent, "", reading(s)).await?;
                let cached = services.cached();
                let addrs: Vec<(String, String, String)> = cached
                    .iter()
                    .flat_map(|(name, view)| {
                        view.instances.iter().filter(|i| i.own_address).filter_map(
                            move |i| match &i.target {
                                Target::Ip(a) => {
                                    Some((name.clone(), i.datacenter.clone(), a.to_string()))
                                }
                                Target::Host(_) => None,
                            },
                        )
                    })
                    .collect();
                let services = addrs
                    .iter()
                    .map(|(n, dc, a)| (n.as_str(), dc.as_str(), a.as_str()));
                Ok(owner_of(ip, &nodes.0, services))
            }
        }
    }
}

/// What DNS lookups act as (`acl.tokens.dns`, else the default token), when ACLs may hide
/// something; `None` when they are off. A token that cannot be resolved sees nothing.
async fn dns_caller(agent: &Agent) -> Option<Arc<Caller>> {
    if !agent.acls.enabled() {
        return None;
    }
    let secret = agent.acls.dns_secret();
    Some(match agent.caller(Some(&secret)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("DNS lookups see nothing: their ACL token cannot be used: {e}");
            Arc::new(Caller {
                authz: Arc::new(crate::agent::acl::Authorizer::new(&[], false)),
                accessor: String::new(),
            })
        }
    })
}

fn reading(s: &Settings) -> Reading {
    Reading {
        allow_stale: s.allow_stale,
        max_stale: s.max_stale,
        only_passing: s.only_passing,
    }
}

/// A server answers from its own state only while that state is fresh enough: with
/// `allow_stale` off it needs a known leader, and its last contact with the leader must be
/// within `max_stale`.
fn fresh_enough(agent: &Agent, s: &Settings) -> Result<(), SourceError> {
    let Some(raft) = agent.raft_opt() else {
        return Ok(());
    };
    if !s.allow_stale && raft.leader_addr().is_none() {
        return Err(SourceError::NoLeader);
    }
    // No contact can be older than the agent itself (the default max_stale is ten years).
    if s.max_stale < agent.started.elapsed()
        && u128::from(raft.last_contact_ms()) > s.max_stale.as_millis()
    {
        return Err(SourceError::TooStale);
    }
    Ok(())
}
