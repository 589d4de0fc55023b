//! Reads of the catalog in the shapes the catalog and health endpoints return, each with the
//! index a blocking query on it reports: the per-service or per-node index when it has one,
//! otherwise the table's (never 0 once anything was written, as Consul's clients require).

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::Catalog;
use crate::api::catalog::{
    health, AgentService, CatalogNode, CatalogService, HealthCheck, Node, ServiceEntry,
};

impl Catalog {
    /// The index of the latest change to anything in the catalog: every change moves the
    /// node, service or check table's index.
    pub fn version(&self) -> u64 {
        self.indexes
            .nodes
            .max(self.indexes.services)
            .max(self.indexes.checks)
    }

    /// Index for `/v1/catalog/nodes`.
    pub fn nodes_index(&self) -> u64 {
        self.indexes.nodes
    }

    /// Index for `/v1/catalog/services`.
    pub fn services_index(&self) -> u64 {
        self.indexes.services
    }

    /// Index for `/v1/health/state/:state`.
    pub fn checks_index(&self) -> u64 {
        self.indexes.checks.max(self.indexes.nodes)
    }

    /// Index for queries on one service name.
    pub fn service_index(&self, name: &str) -> u64 {
        self.indexes
            .service
            .get(name)
            .copied()
            .unwrap_or(self.indexes.services)
    }

    /// Index for queries on one node.
    pub fn node_index(&self, node: &str) -> u64 {
        self.indexes
            .node
            .get(node)
            .copied()
            .unwrap_or(self.indexes.nodes)
    }

    /// How many nodes, service names and service instances there are (`consul.state.*`).
    pub fn usage(&self) -> (usize, usize, usize) {
        let instances = self.services.values().map(BTreeMap::len).sum();
        (self.nodes.len(), self.lookups.by_name.len(), instances)
    }

    /// Every node, by name.
    pub fn nodes(&self) -> Vec<Node> {
        self.nodes.values().cloned().collect()
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.get(name)
    }

    /// Service name → the union of its instances' tags, sorted.
    pub fn services(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, instances) in &self.lookups.by_name {
            let tags = out.entry(name.clone()).or_default();
            for (node, id) in instances {
                if let Some(s) = self.services.get(node).and_then(|s| s.get(id)) {
                    tags.extend(s.tags.iter().cloned());
                }
            }
        }
        out.into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect()
    }

    /// Every instance of `name` with its node.
    pub fn instances(&self, name: &str) -> Vec<(&Node, &AgentService)> {
        let Some(set) = self.lookups.by_name.get(name) else {
            return Vec::new();
        };
        set.iter()
            .filter_map(|(node, id)| {
                let n = self.nodes.get(node)?;
                let s = self.services.get(node)?.get(id)?;
                Some((n, s))
            })
            .collect()
    }

    /// `/v1/catalog/service/:name`.
    pub fn catalog_service(&self, name: &str) -> Vec<CatalogService> {
        self.instances(name)
            .into_iter()
            .map(|(n, s)| CatalogService {
                id: n.id.clone(),
                node: n.node.clone(),
                address: n.address.clone(),
                datacenter: n.datacenter.clone(),
                tagged_addresses: n.tagged_addresses.clone(),
                node_meta: n.meta.clone(),
                service_id: s.id.clone(),
                service_name: s.service.clone(),
                service_address: s.address.clone(),
                service_tagged_addresses: s.tagged_addresses.clone(),
                service_tags: s.tags.clone(),
                service_meta: s.meta.clone(),
                service_port: s.port,
                service_weights: s.weights,
                service_enable_tag_override: s.enable_tag_override,
                service_kind: s.kind.clone(),
                create_index: s.create_index,
                modify_index: s.modify_index,
            })
            .collect()
    }

    /// `/v1/catalog/node/:node`.
    pub fn catalog_node(&self, name: &str) -> Option<CatalogNode> {
        let node = self.nodes.get(name)?.clone();
        let services = self.services.get(name).cloned().unwrap_or_default();
        Some(CatalogNode { node, services })
    }

    /// One check of a node (node-level or of one of its services).
    pub fn check(&self, node: &str, check_id: &str) -> Option<&HealthCheck> {
        self.checks.get(node)?.get(check_id)
    }

    /// The checks of a node: node-level ones and those of its services.
    pub fn node_checks(&self, node: &str) -> Vec<HealthCheck> {
        self.checks
            .get(node)
            .map(|c| c.values().cloned().collect())
            .unwrap_or_default()
    }

    /// `/v1/health/checks/:service`: the checks of every instance of the service.
    pub fn service_checks(&self, name: &str) -> Vec<HealthCheck> {
        self.instances(name)
            .into_iter()
            .flat_map(|(n, s)| self.service_instance_checks(&n.node, &s.id).cloned())
            .collect()
    }

    /// `/v1/health/state/:state` (`any` for every check).
    pub fn checks_in_state(&self, state: &str) -> Vec<HealthCheck> {
        self.checks
            .values()
            .flat_map(|c| c.values())
            .filter(|c| state == "any" || c.status == state)
            .cloned()
            .collect()
    }

    /// `/v1/health/service/:name`: each instance with its node and every check that applies to
    /// it (the node's own checks, such as `serfHealth`, first, then the instance's, as Consul). With `passing`,
    /// only instances whose checks all pass.
    pub fn health_service(&self, name: &str, passing: bool) -> Vec<ServiceEntry> {
        self.instances(name)
            .into_iter()
            .map(|(n, s)| {
                let checks: Vec<HealthCheck> =
                    self.instance_checks(&n.node, &s.id).cloned().collect();
                ServiceEntry {
                    node: n.clone(),
                    service: s.clone(),
                    checks,
                }
            })
            .filter(|e| !passing || e.checks.iter().all(|c| c.status == health::PASSING))
            .collect()
    }
}
