//! What DNS answers are made of, distilled once per catalog change rather than per query: the
//! healthy instances of a service (any critical or maintenance check excludes an instance;
//! warning ones stay unless `only_passing`), a node's address and meta, and the owner of an
//! address for reverse lookups. Built from the catalog's own read shapes, on servers and on
//! client agents alike.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use hickory_proto::rr::{Name, Record};

use super::fast::Wire;

use crate::api::catalog::{health, Meta, Node, ServiceEntry};

/// Where an instance is reached: an IP, or a host name (answered with a CNAME).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ip(IpAddr),
    Host(String),
}

impl Target {
    pub fn parse(address: &str) -> Option<Target> {
        if address.is_empty() {
            return None;
        }
        Some(match address.parse::<IpAddr>() {
            Ok(ip) => Target::Ip(ip),
            Err(_) => Target::Host(address.trim_end_matches('.').to_string()),
        })
    }
}

/// One healthy service instance, as DNS shows it.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The node's name, lower case (SRV targets and de-duplication).
    pub node: String,
    pub datacenter: String,
    /// The service's own address when it has one, else the node's.
    pub target: Target,
    /// Whether `target` is the service's own address (SRV then points at `<hex>.addr.`).
    pub own_address: bool,
    pub port: u16,
    /// Lower-case tags, for case-insensitive tag filters.
    pub tags: Vec<String>,
    /// SRV weight: `Weights.Passing`, or `Weights.Warning` for an instance with a warning.
    pub weight: u16,
    /// The node's meta (TXT records in the additional section).
    pub node_meta: Arc<Meta>,
}

/// The healthy instances of one service name.
#[derive(Debug, Default)]
pub struct ServiceView {
    pub instances: Vec<Instance>,
    /// Each instance's SRV target and its additional records, made on first use, per domain
    /// (primary, alternate): SRV answers then only copy them.
    pub srv_targets: [OnceLock<Vec<Option<SrvTarget>>>; 2],
    /// The instances' records encoded for the UDP fast path, per domain, made on first use.
    pub wire: [OnceLock<Wire>; 2],
}

/// An SRV answer's target name and the additional records it brings.
#[derive(Debug, Clone)]
pub struct SrvTarget {
    /// The target, lower case (de-duplication of additional records).
    pub key: String,
    pub name: Name,
    pub address: Option<Record>,
    /// The target node's meta as TXT (empty when `enable_additional_node_meta_txt` is off).
    pub meta: Vec<Record>,
}

impl ServiceView {
    /// The healthy instances among `entries` (`/v1/health/service/:name` entries).
    pub fn from_entries(entries: &[ServiceEntry], only_passing: bool) -> ServiceView {
        let instances = entries
            .iter()
            .filter_map(|e| instance(e, only_passing))
            .collect();
        ServiceView {
            instances,
            ..ServiceView::default()
        }
    }

    /// Instances carrying `tag` (case-insensitive), or all without a tag.
    pub fn with_tag<'a>(&'a self, tag: Option<&'a str>) -> impl Iterator<Item = &'a Instance> {
        self.instances
            .iter()
            .filter(move |i| tag.is_none_or(|t| i.tags.iter().any(|x| x == t)))
    }
}

fn instance(e: &ServiceEntry, only_passing: bool) -> Option<Instance> {
    let worst = e
        .checks
        .iter()
        .map(|c| health::severity(&c.status))
        .max()
        .unwrap_or(0);
    let warning = health::severity(health::WARNING);
    if worst > warning || (only_passing && worst == warning) {
        return None;
    }
    let (target, own_address) = match Target::parse(&e.service.address) {
        Some(t) => (t, true),
        None => (Target::parse(&e.node.address)?, false),
    };
    let weights = e.service.weights;
    let weight = if worst == warning {
        weights.warning
    } else {
        weights.passing
    };
    Some(Instance {
        node: e.node.node.to_ascii_lowercase(),
        datacenter: e.node.datacenter.to_ascii_lowercase(),
        target,
        own_address,
        port: e.service.port,
        tags: e
            .service
            .tags
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect(),
        weight: u16::try_from(weight).unwrap_or(u16::MAX),
        node_meta: Arc::new(e.node.meta.clone()),
    })
}

/// A node as DNS shows it.
#[derive(Debug, Clone)]
pub struct NodeView {
    pub target: Option<Target>,
    pub meta: Arc<Meta>,
}

impl NodeView {
    pub fn from_node(n: &Node) -> NodeView {
        NodeView {
            target: Target::parse(&n.address),
            meta: Arc::new(n.meta.clone()),
        }
    }
}

/// Who owns an address, for PTR answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// `<node>.node.<dc>.<domain>`.
    Node { node: String, datacenter: String },
    /// `<service>.service.<dc>.<domain>`.
    Service { service: String, datacenter: String },
}

/// The owner of `ip` among `nodes`, then among service instances with their own address
/// (`(service name, datacenter, address)`).
pub fn owner_of<'a>(
    ip: IpAddr,
    nodes: impl IntoIterator<Item = &'a Node>,
    services: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> Option<Owner> {
    let same = |a: &str| a.parse::<IpAddr>().is_ok_and(|a| a == ip);
    if let Some(n) = nodes.into_iter().find(|n| same(&n.address)) {
        return Some(Owner::Node {
            node: n.node.to_ascii_lowercase(),
            datacenter: n.datacenter.to_ascii_lowercase(),
        });
    }
    services
        .into_iter()
        .find(|(_, _, addr)| same(addr))
        .map(|(service, dc, _)| Owner::Service {
            service: service.to_ascii_lowercase(),
            datacenter: dc.to_ascii_lowercase(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::catalog::{AgentService, HealthCheck, Weights};

    fn entry(node_addr: &str, svc_addr: &str, statuses: &[&str]) -> ServiceEntry {
        ServiceEntry {
            node: Node {
                node: "N1".into(),
                address: node_addr.into(),
                datacenter: "dc1".into(),
                ..Node::default()
            },
            service: AgentService {
                service: "web".into(),
                address: svc_addr.into(),
                port: 80,
                tags: vec!["V1".into()],
                weights: Weights {
                    passing: 10,
                    warning: 2,
                },
                ..AgentService::default()
            },
            checks: statuses
                .iter()
                .map(|s| HealthCheck {
                    status: s.to_string(),
                    ..HealthCheck::default()
                })
                .collect(),
        }
    }

    #[test]
    fn health_filtering_and_weights() {
        let entries = vec![
            entry("10.0.0.1", "", &["passing"]),
            entry("10.0.0.2", "", &["passing", "warning"]),
            entry("10.0.0.3", "", &["passing", "critical"]),
            entry("10.0.0.4", "", &["maintenance"]),
        ];
        let v = ServiceView::from_entries(&entries, false);
        let weights: Vec<u16> = v.instances.iter().map(|i| i.weight).collect();
        assert_eq!(weights, vec![10, 2]);
        assert_eq!(ServiceView::from_entries(&entries, true).instances.len(), 1);
    }

    #[test]
    fn service_address_wins_over_node_address() {
        let v = ServiceView::from_entries(
            &[
                entry("10.0.0.1", "192.0.2.1", &[]),
                entry("10.0.0.2", "", &[]),
                entry("10.0.0.3", "db.example.com.", &[]),
            ],
            false,
        );
        let i = &v.instances;
        assert_eq!(i[0].target, Target::Ip("192.0.2.1".parse().unwrap()));
        assert!(i[0].own_address);
        assert_eq!(i[1].target, Target::Ip("10.0.0.2".parse().unwrap()));
        assert!(!i[1].own_address);
        assert_eq!(i[2].target, Target::Host("db.example.com".into()));
        assert_eq!(i[0].node, "n1");
        assert_eq!(v.with_tag(Some("v1")).count(), 3);
        assert_eq!(v.with_tag(Some("v2")).count(), 0);
    }

    #[test]
    fn owners_for_reverse_lookups() {
        let nodes = [Node {
            node: "N1".into(),
            address: "10.0.0.1".into(),
            datacenter: "dc1".into(),
            ..Node::default()
        }];
        let services = [("Web", "dc1", "192.0.2.1")];
        assert_eq!(
            owner_of("10.0.0.1".parse().unwrap(), &nodes, services),
            Some(Owner::Node {
                node: "n1".into(),
                datacenter: "dc1".into()
            })
        );
        assert_eq!(
            owner_of("192.0.2.1".parse().unwrap(), &nodes, services),
            Some(Owner::Service {
                service: "web".into(),
                datacenter: "dc1".into()
            })
        );
        assert_eq!(
            owner_of("192.0.2.9".parse().unwrap(), &nodes, services),
            None
        );
    }
}
