//! The dependencies templates declare by calling data functions, and how each is fetched
//! through the HTTP client. Fetched data is kept engine-neutral as JSON with consul-template's
//! Go field names (`Address`, `Port`, `Tags`, `Key`, `Value`, ...); each engine converts it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::api::catalog::{HealthCheck, ServiceEntry};
use crate::api::KVPair;
use crate::client::{Client, ClientError, QueryMeta, QueryOptions};
use crate::template::query::{KeyQuery, NodeQuery, NodesQuery, ServiceQuery, ServicesQuery};

/// One thing a template reads. Equal dependencies share one watcher and one cache entry,
/// however many templates use them. Serialisable: `-dedup` leaders share their data keyed by it.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Dependency {
    /// `service`: `/v1/health/service/<name>`.
    Service(ServiceQuery),
    /// `services`: `/v1/catalog/services`.
    Services(ServicesQuery),
    /// `node`: `/v1/catalog/node/<name>`.
    Node(NodeQuery),
    /// `nodes`: `/v1/catalog/nodes`.
    Nodes(NodesQuery),
    /// `datacenters`: `/v1/catalog/datacenters` (polled: not a blocking endpoint).
    Datacenters,
    /// `key`, `keyExists`, `keyOrDefault`: `/v1/kv/<key>`; `null` while the key is absent.
    Key(KeyQuery),
    /// `ls`, `tree` and their safe forms: `/v1/kv/<prefix>?recurse`.
    KeyList(KeyQuery),
    /// `file`: a local file (polled).
    File(PathBuf),
}

impl fmt::Display for Dependency {
    /// consul-template's names (`health.service(web|passing)`, `kv.get(a/b)`, ...), used in logs
    /// and in what a blocked template says it waits for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |dc: &Option<String>| dc.as_ref().map(|d| format!("@{d}")).unwrap_or_default();
        match self {
            Dependency::Service(q) => {
                let tag = q.tag.as_ref().map(|t| format!("{t}.")).unwrap_or_default();
                let near = q.near.as_ref().map(|n| format!("~{n}")).unwrap_or_default();
                let filters: Vec<&str> = q.filters.iter().map(|s| s.as_str()).collect();
                write!(
                    f,
                    "health.service({tag}{}{}{near}|{})",
                    q.name,
                    at(&q.dc),
                    filters.join(",")
                )
            }
            Dependency::Services(q) => write!(f, "catalog.services({})", at(&q.dc)),
            Dependency::Node(q) => write!(
                f,
                "catalog.node({}{})",
                q.name.as_deref().unwrap_or(""),
                at(&q.dc)
            ),
            Dependency::Nodes(q) => write!(f, "catalog.nodes({})", at(&q.dc)),
            Dependency::Datacenters => write!(f, "catalog.datacenters"),
            Dependency::Key(q) => write!(f, "kv.get({}{})", q.key, at(&q.dc)),
            Dependency::KeyList(q) => write!(f, "kv.list({}{})", q.key, at(&q.dc)),
            Dependency::File(p) => write!(f, "file({})", p.display()),
        }
    }
}

/// How a dependency learns about changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// A blocking query: ask again at once with the returned index.
    Blocking,
    /// No blocking endpoint: ask again after this pause.
    Poll(Duration),
}

/// A fetch that failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Client(#[from] ClientError),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl Dependency {
    /// Blocking query or poll, and how often a poll runs (consul-template: files every 2 s).
    pub fn refresh(&self) -> Refresh {
        match self {
            Dependency::File(_) => Refresh::Poll(Duration::from_secs(2)),
            Dependency::Datacenters => Refresh::Poll(Duration::from_secs(15)),
            _ => Refresh::Blocking,
        }
    }

    /// Whether its data is the same for every instance of `sd template` (so a `-dedup` leader
    /// may share it): not a local file, nor the agent's own node, nor a sort by distance from
    /// the agent each instance talks to.
    pub fn can_share(&self) -> bool {
        const AGENT: &str = "_agent";
        match self {
            Dependency::File(_) => false,
            Dependency::Node(q) => q.name.is_some(),
            Dependency::Service(q) => q.near.as_deref() != Some(AGENT),
            Dependency::Nodes(q) => q.near.as_deref() != Some(AGENT),
            _ => true,
        }
    }

    /// The datacenter the query names, if any (overrides the client's).
    fn dc(&self) -> Option<&String> {
        match self {
            Dependency::Service(q) => q.dc.as_ref(),
            Dependency::Services(q) => q.dc.as_ref(),
            Dependency::Node(q) => q.dc.as_ref(),
            Dependency::Nodes(q) => q.dc.as_ref(),
            Dependency::Key(q) | Dependency::KeyList(q) => q.dc.as_ref(),
            Dependency::Datacenters | Dependency::File(_) => None,
        }
    }

    /// Reads the dependency once with `q` (index, wait, stale set by the watcher) and returns
    /// its data in consul-template's shape.
    pub async fn fetch(
        &self,
        client: &Client,
        q: &QueryOptions,
    ) -> Result<(Value, QueryMeta), FetchError> {
        let mut q = q.clone();
        if let Some(dc) = self.dc() {
            q.datacenter = Some(dc.clone());
        }
        Ok(match self {
            Dependency::Service(sq) => {
                if let Some(near) = &sq.near {
                    q.near = Some(near.clone());
                }
                let (entries, meta) = client
                    .health()
                    .service(&sq.name, sq.tag.as_deref(), sq.server_side_passing(), &q)
                    .await?;
                (health_services(sq, entries), meta)
            }
            Dependency::Services(_) => {
                let (services, meta) = client.catalog().services(&q).await?;
                let list = services
                    .into_iter()
                    .map(|(name, tags)| json!({"Name": name, "Tags": sorted(tags)}))
                    .collect();
                (Value::Array(list), meta)
            }
            Dependency::Node(nq) => {
                let name = match &nq.name {
                    Some(n) => n.clone(),
                    None => client.agent().self_info().await?.config.node_name,
                };
                let (node, meta) = client.catalog().node(&name, &q).await?;
                (node.map(catalog_node).unwrap_or(Value::Null), meta)
            }
            Dependency::Nodes(nq) => {
                if let Some(near) = &nq.near {
                    q.near = Some(near.clone());
                }
                let (mut nodes, meta) = client.catalog().nodes(&q).await?;
                if nq.near.is_none() {
                    nodes.sort_by(|a, b| (&a.node, &a.address).cmp(&(&b.node, &b.address)));
                }
                let list = nodes.into_iter().map(node_value).collect();
                (Value::Array(list), meta)
            }
            Dependency::Datacenters => {
                let mut dcs = client.catalog().datacenters().await?;
                dcs.sort();
                (json!(dcs), QueryMeta::default())
            }
            Dependency::Key(kq) => {
                let (pair, meta) = client.kv().get(&kq.key, &q).await?;
                let value = pair
                    .map(|p| Value::String(text(&p.value)))
                    .unwrap_or(Value::Null);
                (value, meta)
            }
            Dependency::KeyList(kq) => {
                let (pairs, meta) = client.kv().list(&kq.key, &q).await?;
                let list = pairs.into_iter().map(|p| key_pair(&kq.key, p)).collect();
                (Value::Array(list), meta)
            }
            Dependency::File(path) => {
                let contents = tokio::fs::read(path)
                    .await
                    .map_err(|source| FetchError::File {
                        path: path.display().to_string(),
                        source,
                    })?;
                (
                    Value::String(String::from_utf8_lossy(&contents).into_owned()),
                    QueryMeta::default(),
                )
            }
        })
    }
}

fn text(bytes: &Option<Vec<u8>>) -> String {
    String::from_utf8_lossy(bytes.as_deref().unwrap_or_default()).into_owned()
}

fn sorted(mut tags: Vec<String>) -> Vec<String> {
    tags.sort();
    tags
}

/// An instance's health as consul-template aggregates it: maintenance if a maintenance check
/// is present, else the worst status of its checks (node checks included).
fn aggregated_status(checks: &[HealthCheck]) -> &'static str {
    use crate::api::catalog::health;
    let maintenance = checks.iter().any(|c| {
        c.check_id == "_node_maintenance" || c.check_id.starts_with("_service_maintenance:")
    });
    if maintenance {
        return health::MAINTENANCE;
    }
    let worst = checks
        .iter()
        .map(|c| health::severity(&c.status))
        .max()
        .unwrap_or(0);
    match worst {
        0 => health::PASSING,
        1 => health::WARNING,
        _ => health::CRITICAL,
    }
}

/// `service`'s result: the instances the query keeps, sorted by node then ID (unless `~near`
/// asked for the agent's order).
fn health_services(q: &ServiceQuery, entries: Vec<ServiceEntry>) -> Value {
    let mut kept: Vec<(String, String, Value)> = entries
        .into_iter()
        .filter_map(|e| {
            let status = aggregated_status(&e.checks);
            q.keeps(status).then(|| {
                (
                    e.node.node.clone(),
                    e.service.id.clone(),
                    health_service(e, status),
                )
            })
        })
        .collect();
    if q.near.is_none() {
        kept.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    }
    Value::Array(kept.into_iter().map(|(_, _, v)| v).collect())
}

fn health_service(e: ServiceEntry, status: &str) -> Value {
    let address = if e.service.address.is_empty() {
        e.node.address.clone()
    } else {
        e.service.address.clone()
    };
    let checks = serde_json::to_value(&e.checks).unwrap_or(Value::Array(Vec::new()));
    json!({
        "Node": e.node.node,
        "NodeID": e.node.id,
        "Kind": e.service.kind,
        "NodeAddress": e.node.address,
        "NodeDatacenter": e.node.datacenter,
        "NodeTaggedAddresses": e.node.tagged_addresses,
        "NodeMeta": e.node.meta,
        "ServiceMeta": e.service.meta,
        "Address": address,
        "ServiceTaggedAddresses": e.service.tagged_addresses,
        "ID": e.service.id,
        "Name": e.service.service,
        "Tags": sorted(e.service.tags),
        "Checks": checks,
        "Status": status,
        "Port": e.service.port,
        "Weights": {"Passing": e.service.weights.passing, "Warning": e.service.weights.warning},
        "Namespace": "",
        "Partition": "",
    })
}

fn node_value(n: crate::api::catalog::Node) -> Value {
    json!({
        "ID": n.id,
        "Node": n.node,
        "Address": n.address,
        "Datacenter": n.datacenter,
        "TaggedAddresses": n.tagged_addresses,
        "Meta": n.meta,
    })
}

/// `node`'s result: the node and its services sorted by service name.
fn catalog_node(n: crate::api::catalog::CatalogNode) -> Value {
    let mut services: Vec<_> = n.services.into_values().collect();
    services.sort_by(|a, b| (&a.service, &a.id).cmp(&(&b.service, &b.id)));
    let services: Vec<Value> = services
        .into_iter()
        .map(|s| {
            json!({
                "ID": s.id,
                "Service": s.service,
                "Tags": sorted(s.tags),
                "Meta": s.meta,
                "Port": s.port,
                "Address": s.address,
                "EnableTagOverride": s.enable_tag_override,
            })
        })
        .collect();
    json!({"Node": node_value(n.node), "Services": services})
}

/// A `ls`/`tree` entry: `Path` is the full key, `Key` the part after the prefix.
fn key_pair(prefix: &str, p: KVPair) -> Value {
    let key = p
        .key
        .strip_prefix(prefix)
        .unwrap_or(&p.key)
        .trim_start_matches('/')
        .to_string();
    let mut m = Map::new();
    m.insert("Value".into(), Value::String(text(&p.value)));
    m.insert("Path".into(), Value::String(p.key));
    m.insert("Key".into(), Value::String(key));
    m.insert("CreateIndex".into(), p.create_index.into());
    m.insert("ModifyIndex".into(), p.modify_index.into());
    m.insert("LockIndex".into(), p.lock_index.into());
    m.insert("Flags".into(), p.flags.into());
    m.insert(
        "Session".into(),
        Value::String(p.session.unwrap_or_default()),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::query;

    fn check(id: &str, status: &str) -> HealthCheck {
        HealthCheck {
            check_id: id.into(),
            status: status.into(),
            ..Default::default()
        }
    }

    #[test]
    fn aggregation_takes_the_worst_status_and_maintenance_first() {
        assert_eq!(aggregated_status(&[]), "passing");
        assert_eq!(
            aggregated_status(&[check("a", "passing"), check("b", "warning")]),
            "warning"
        );
        assert_eq!(
            aggregated_status(&[check("a", "critical"), check("b", "warning")]),
            "critical"
        );
        assert_eq!(
            aggregated_status(&[check("_service_maintenance:web", "critical")]),
            "maintenance"
        );
    }

    fn entry(node: &str, id: &str, addr: &str, status: &str) -> ServiceEntry {
        let mut e = ServiceEntry::default();
        e.node.node = node.into();
        e.node.address = "10.0.0.9".into();
        e.service.id = id.into();
        e.service.service = "web".into();
        e.service.address = addr.into();
        e.service.port = 80;
        e.service.tags = vec!["b".into(), "a".into()];
        e.checks = vec![check("c", status)];
        e
    }

    #[test]
    fn services_are_filtered_sorted_and_fall_back_to_the_node_address() {
        let q = query::service("web|passing,warning").unwrap();
        let v = health_services(
            &q,
            vec![
                entry("n2", "w1", "", "passing"),
                entry("n1", "w2", "10.0.0.1", "warning"),
                entry("n1", "w1", "10.0.0.2", "critical"),
            ],
        );
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["Node"], "n1");
        assert_eq!(list[0]["Status"], "warning");
        assert_eq!(list[1]["Address"], "10.0.0.9");
        assert_eq!(list[1]["Tags"], json!(["a", "b"]));
        assert_eq!(list[1]["Port"], 80);
    }

    #[test]
    fn key_pairs_are_relative_to_the_prefix() {
        let p = KVPair {
            key: "app/db/port".into(),
            value: Some(b"5432".to_vec()),
            ..Default::default()
        };
        let v = key_pair("app", p);
        assert_eq!(v["Key"], "db/port");
        assert_eq!(v["Path"], "app/db/port");
        assert_eq!(v["Value"], "5432");
    }

    #[test]
    fn names_follow_consul_template() {
        let d = Dependency::Service(query::service("v1.web@dc2").unwrap());
        assert_eq!(d.to_string(), "health.service(v1.web@dc2|passing)");
        let k = Dependency::Key(query::key("a/b").unwrap());
        assert_eq!(k.to_string(), "kv.get(a/b)");
    }
}
