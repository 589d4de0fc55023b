//! Reads of the catalog as the web UI shows it: one summary per service name (instances,
//! nodes, tags, check counts) and every node with its services and checks. They back Consul's
//! UI-private endpoints, so the services and nodes views are one blocking query each.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::Catalog;
use crate::api::catalog::health;
use crate::api::ui::{NodeInfo, ServiceSummary};

/// What one service name gathers while the instances are walked.
#[derive(Default)]
struct Gathered<'a> {
    kind: &'a str,
    datacenter: &'a str,
    tags: BTreeSet<&'a str>,
    nodes: BTreeSet<&'a str>,
    sources: Vec<&'a str>,
    instances: usize,
    /// (node, check ID) → status: a node's own check counts once per node.
    checks: BTreeMap<(&'a str, &'a str), &'a str>,
}

impl Catalog {
    /// `/v1/internal/ui/services`: every service name with its summary, sorted by name.
    pub fn service_summaries(&self) -> Vec<ServiceSummary> {
        let mut by_name: BTreeMap<&str, Gathered> = BTreeMap::new();
        for (node_name, services) in &self.services {
            let Some(node) = self.nodes.get(node_name) else {
                continue;
            };
            for s in services.values() {
                let g = by_name.entry(s.service.as_str()).or_default();
                g.kind = &s.kind;
                g.datacenter = &node.datacenter;
                g.instances += 1;
                g.nodes.insert(&node.node);
                g.tags.extend(s.tags.iter().map(String::as_str));
                if let Some(source) = s.meta.get("external-source").filter(|v| !v.is_empty()) {
                    if !g.sources.contains(&source.as_str()) {
                        g.sources.push(source);
                    }
                }
                for c in self.instance_checks(node_name, &s.id) {
                    g.checks.insert((&c.node, &c.check_id), &c.status);
                }
            }
        }
        by_name
            .into_iter()
            .map(|(name, g)| {
                let count = |status: &str| g.checks.values().filter(|s| **s == status).count();
                ServiceSummary {
                    kind: g.kind.to_string(),
                    name: name.to_string(),
                    datacenter: g.datacenter.to_string(),
                    tags: non_empty(g.tags.into_iter().map(str::to_string).collect()),
                    nodes: g.nodes.into_iter().map(str::to_string).collect(),
                    external_sources: non_empty(
                        g.sources.into_iter().map(str::to_string).collect(),
                    ),
                    instance_count: g.instances,
                    checks_passing: count(health::PASSING),
                    checks_warning: count(health::WARNING),
                    checks_critical: count(health::CRITICAL),
                    ..ServiceSummary::default()
                }
            })
            .collect()
    }

    /// `/v1/internal/ui/nodes`: every node with its services and checks, sorted by name.
    pub fn node_dump(&self) -> Vec<NodeInfo> {
        self.nodes
            .keys()
            .filter_map(|name| self.node_info(name))
            .collect()
    }

    /// `/v1/internal/ui/node/:node`.
    pub fn node_info(&self, name: &str) -> Option<NodeInfo> {
        let node = self.nodes.get(name)?;
        Some(NodeInfo {
            id: node.id.clone(),
            node: node.node.clone(),
            address: node.address.clone(),
            tagged_addresses: node.tagged_addresses.clone(),
            meta: node.meta.clone(),
            services: self
                .services
                .get(name)
                .map(|s| s.values().cloned().collect())
                .unwrap_or_default(),
            checks: self.node_checks(name),
        })
    }
}

fn non_empty(v: Vec<String>) -> Option<Vec<String>> {
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use crate::agent::state::catalog::Catalog;
    use crate::api::catalog::CatalogRegistration;

    fn register(c: &mut Catalog, index: u64, json: serde_json::Value) {
        let reg: CatalogRegistration = serde_json::from_value(json).unwrap();
        c.register(index, &reg).unwrap();
    }

    /// Two nodes, three instances of `web` (two on n1), one `db`; n1 has a failing node check.
    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        for (i, node) in ["n1", "n2"].iter().enumerate() {
            register(
                &mut c,
                1 + i as u64,
                serde_json::json!({"Node": node, "Address": format!("10.0.0.{}", i + 1),
                    "Datacenter": "dc1"}),
            );
        }
        register(
            &mut c,
            3,
            serde_json::json!({"Node": "n1", "Address": "10.0.0.1", "Datacenter": "dc1",
                "Check": {"CheckID": "disk", "Name": "disk", "Status": "critical"}}),
        );
        for (index, node, id, tags, status) in [
            (4, "n1", "web-a", vec!["v1"], "passing"),
            (5, "n1", "web-b", vec!["v2", "v1"], "warning"),
            (6, "n2", "web-c", vec![], "passing"),
            (7, "n2", "db", vec!["primary"], "passing"),
        ] {
            let name = if id == "db" { "db" } else { "web" };
            register(
                &mut c,
                index,
                serde_json::json!({"Node": node, "Address": "x", "SkipNodeUpdate": true,
                    "Datacenter": "dc1",
                    "Service": {"ID": id, "Service": name, "Tags": tags,
                        "Meta": {"external-source": if id == "db" { "" } else { "docker" }}},
                    "Check": {"CheckID": format!("c-{id}"), "Name": "c", "Status": status,
                        "ServiceID": id}}),
            );
        }
        c
    }

    #[test]
    fn summaries_count_instances_nodes_tags_and_each_check_once_per_node() {
        let s = catalog().service_summaries();
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["db", "web"]);
        let web = &s[1];
        assert_eq!(web.instance_count, 3);
        assert_eq!(web.nodes, ["n1", "n2"]);
        assert_eq!(
            web.tags.as_deref(),
            Some(&["v1".to_string(), "v2".into()][..])
        );
        assert_eq!(
            web.external_sources.as_deref(),
            Some(&["docker".to_string()][..])
        );
        // n1's disk check counts once although n1 runs two instances.
        assert_eq!(
            (web.checks_passing, web.checks_warning, web.checks_critical),
            (2, 1, 1)
        );
        assert_eq!(web.datacenter, "dc1");
        let db = &s[0];
        assert_eq!(db.external_sources, None);
        assert_eq!(
            (db.instance_count, db.checks_passing, db.checks_critical),
            (1, 1, 0)
        );
        let json = serde_json::to_value(db).unwrap();
        assert_eq!(json["ExternalSources"], serde_json::Value::Null);
        assert_eq!(json["GatewayConfig"], serde_json::json!({}));
        assert!(json.get("Kind").is_none());
    }

    #[test]
    fn node_dump_holds_every_node_with_its_services_and_checks() {
        let c = catalog();
        let dump = c.node_dump();
        assert_eq!(dump.len(), 2);
        let n1 = &dump[0];
        assert_eq!((n1.node.as_str(), n1.address.as_str()), ("n1", "10.0.0.1"));
        assert_eq!(n1.services.len(), 2);
        assert_eq!(n1.checks.len(), 3);
        assert_eq!(c.node_info("n2").unwrap().services.len(), 2);
        assert!(c.node_info("nope").is_none());
    }
}
