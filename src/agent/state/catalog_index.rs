//! The catalog's lookups: every instance of a service name, the checks of each service
//! instance (and a node's own checks under the empty service ID), and which node holds a node
//! ID. They are derived from the tables, so snapshots leave them out and a restore rebuilds
//! them: a snapshot can never hold lookups that disagree with its tables.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::catalog::{Catalog, Indexes};
use crate::api::catalog::{AgentService, HealthCheck, Node};

/// Lookups kept in step with the catalog tables.
#[derive(Debug, Default, Clone)]
pub struct Lookups {
    /// service name → (node, service ID) of every instance.
    pub(super) by_name: BTreeMap<String, BTreeSet<(String, String)>>,
    /// node → service ID (`""` for node-level checks) → check IDs.
    checks_by_service: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// lower-case node ID → node name.
    node_ids: BTreeMap<String, String>,
}

impl Lookups {
    pub(super) fn add_instance(&mut self, name: &str, node: &str, id: &str) {
        self.by_name
            .entry(name.to_string())
            .or_default()
            .insert((node.to_string(), id.to_string()));
    }

    pub(super) fn remove_instance(&mut self, name: &str, node: &str, id: &str) {
        if let Some(set) = self.by_name.get_mut(name) {
            set.remove(&(node.to_string(), id.to_string()));
            if set.is_empty() {
                self.by_name.remove(name);
            }
        }
    }

    pub(super) fn add_check(&mut self, node: &str, service_id: &str, check_id: &str) {
        self.checks_by_service
            .entry(node.to_string())
            .or_default()
            .entry(service_id.to_string())
            .or_default()
            .insert(check_id.to_string());
    }

    pub(super) fn remove_check(&mut self, node: &str, service_id: &str, check_id: &str) {
        let Some(on_node) = self.checks_by_service.get_mut(node) else {
            return;
        };
        if let Some(ids) = on_node.get_mut(service_id) {
            ids.remove(check_id);
            if ids.is_empty() {
                on_node.remove(service_id);
            }
        }
        if on_node.is_empty() {
            self.checks_by_service.remove(node);
        }
    }

    /// The IDs of the checks on `node` that belong to `service_id` (`""`: the node's own).
    pub(super) fn check_ids(&self, node: &str, service_id: &str) -> Vec<String> {
        self.checks_of(node, service_id).cloned().collect()
    }

    pub(super) fn checks_of<'a>(
        &'a self,
        node: &str,
        service_id: &str,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.checks_by_service
            .get(node)
            .and_then(|s| s.get(service_id))
            .into_iter()
            .flatten()
    }

    /// The node holding node ID `id` (any case).
    pub(super) fn node_with_id(&self, id: &str) -> Option<&str> {
        self.node_ids
            .get(&id.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Records that `node`'s ID changed from `old` to `new` (either may be empty).
    pub(super) fn set_node_id(&mut self, node: &str, old: Option<&str>, new: &str) {
        if let Some(old) = old.filter(|o| !o.is_empty()) {
            let old = old.to_ascii_lowercase();
            if self.node_ids.get(&old).is_some_and(|n| n == node) {
                self.node_ids.remove(&old);
            }
        }
        if !new.is_empty() {
            self.node_ids
                .insert(new.to_ascii_lowercase(), node.to_string());
        }
    }

    /// Builds the lookups for these tables.
    fn build(
        nodes: &BTreeMap<String, Node>,
        services: &BTreeMap<String, BTreeMap<String, AgentService>>,
        checks: &BTreeMap<String, BTreeMap<String, HealthCheck>>,
    ) -> Lookups {
        let mut l = Lookups::default();
        for n in nodes.values() {
            l.set_node_id(&n.node, None, &n.id);
        }
        for (node, on_node) in services {
            for s in on_node.values() {
                l.add_instance(&s.service, node, &s.id);
            }
        }
        for (node, on_node) in checks {
            for c in on_node.values() {
                l.add_check(node, &c.service_id, &c.check_id);
            }
        }
        l
    }
}

impl Catalog {
    /// The checks that apply to one instance: the node's own, then the instance's.
    pub(super) fn instance_checks<'a>(
        &'a self,
        node: &str,
        service_id: &str,
    ) -> impl Iterator<Item = &'a HealthCheck> + 'a {
        let on_node = self.checks.get(node);
        let ids: Vec<&String> = self
            .lookups
            .checks_of(node, "")
            .chain(self.lookups.checks_of(node, service_id))
            .collect();
        ids.into_iter()
            .filter_map(move |id| on_node.and_then(|c| c.get(id)))
    }

    /// The checks of one instance only.
    pub(super) fn service_instance_checks<'a>(
        &'a self,
        node: &str,
        service_id: &str,
    ) -> impl Iterator<Item = &'a HealthCheck> + 'a {
        let on_node = self.checks.get(node);
        self.lookups
            .checks_of(node, service_id)
            .filter_map(move |id| on_node.and_then(|c| c.get(id)))
    }
}

/// What a snapshot holds of the catalog (borrowed for writing).
#[derive(Serialize)]
struct Tables<'a> {
    nodes: &'a BTreeMap<String, Node>,
    services: &'a BTreeMap<String, BTreeMap<String, AgentService>>,
    checks: &'a BTreeMap<String, BTreeMap<String, HealthCheck>>,
    indexes: &'a Indexes,
}

/// What a snapshot holds of the catalog (owned for reading; unknown fields are ignored).
#[derive(Deserialize)]
struct OwnedTables {
    #[serde(default)]
    nodes: BTreeMap<String, Node>,
    #[serde(default)]
    services: BTreeMap<String, BTreeMap<String, AgentService>>,
    #[serde(default)]
    checks: BTreeMap<String, BTreeMap<String, HealthCheck>>,
    #[serde(default)]
    indexes: Indexes,
}

impl Serialize for Catalog {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Tables {
            nodes: &self.nodes,
            services: &self.services,
            checks: &self.checks,
            indexes: &self.indexes,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Catalog {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = OwnedTables::deserialize(d)?;
        let lookups = Lookups::build(&t.nodes, &t.services, &t.checks);
        Ok(Catalog {
            nodes: t.nodes,
            services: t.services,
            checks: t.checks,
            indexes: t.indexes,
            lookups,
        })
    }
}
