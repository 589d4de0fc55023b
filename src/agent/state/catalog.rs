//! The catalog: nodes, the service instances on them and their health checks, with Consul's
//! create/modify indexes. Registrations are validated whole before anything changes, so a bad
//! one changes nothing. Every change reports the watch keys it touches (the node, each service
//! name concerned, and the node, service and check lists), and the per-node and per-service
//! indexes those blocking queries return move only when something they show changed.
//! Queries live in `catalog_query`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalog_index::Lookups;
use super::watch::WatchKey;
use crate::api::catalog::{health, AgentService, CatalogRegistration, HealthCheck, Node};

/// The catalog tables. Snapshots hold the tables and indexes; the lookups are rebuilt from
/// them (`catalog_index`).
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub(super) nodes: BTreeMap<String, Node>,
    /// node → service ID → instance.
    pub(super) services: BTreeMap<String, BTreeMap<String, AgentService>>,
    /// node → check ID → check.
    pub(super) checks: BTreeMap<String, BTreeMap<String, HealthCheck>>,
    pub(super) indexes: Indexes,
    pub(super) lookups: Lookups,
}

/// The indexes blocking queries return: per table, per node and per service name. Entries stay
/// after a deregistration so an index never goes backwards.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct Indexes {
    pub(super) nodes: u64,
    pub(super) services: u64,
    pub(super) checks: u64,
    pub(super) node: BTreeMap<String, u64>,
    pub(super) service: BTreeMap<String, u64>,
}

/// Why a catalog change was refused; the words are Consul's where it has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CatalogError {
    #[error("Must provide node")]
    MissingNode,
    #[error("Must provide address if SkipNodeUpdate is not set")]
    MissingAddress,
    #[error("Must provide service name with ID")]
    MissingServiceName,
    #[error("Invalid node ID: {0}")]
    InvalidNodeId(String),
    #[error("failed inserting node: Error updating node ID {id:?}: it belongs to node {other:?}")]
    NodeIdTaken { id: String, other: String },
    #[error("Unknown service ID {service_id:?} for check ID {check_id:?}")]
    UnknownService {
        service_id: String,
        check_id: String,
    },
    #[error("Invalid check status {0:?}: must be passing, warning or critical")]
    InvalidStatus(String),
    #[error("Must provide a check ID")]
    MissingCheckId,
}

/// What a change touched.
#[derive(Debug, Default)]
pub struct Touched {
    pub keys: BTreeSet<WatchKey>,
}

impl Touched {
    /// Adds the key of the whole catalog when anything changed (the UI's summaries watch it).
    fn whole_catalog(mut self) -> Self {
        if !self.keys.is_empty() {
            self.keys.insert(WatchKey::Catalog);
        }
        self
    }

    fn node(&mut self, c: &mut Catalog, node: &str, index: u64) {
        c.indexes.node.insert(node.to_string(), index);
        self.keys.insert(WatchKey::Node(node.to_string()));
    }

    fn service(&mut self, c: &mut Catalog, name: &str, index: u64) {
        c.indexes.service.insert(name.to_string(), index);
        self.keys.insert(WatchKey::Service(name.to_string()));
    }

    /// Everything shown with the node's instances changed (node fields or node-level checks).
    fn node_and_its_services(&mut self, c: &mut Catalog, node: &str, index: u64) {
        self.node(c, node, index);
        let names: Vec<String> = c
            .services
            .get(node)
            .map(|s| s.values().map(|s| s.service.clone()).collect())
            .unwrap_or_default();
        for name in names {
            self.service(c, &name, index);
        }
    }
}

impl Catalog {
    /// `PUT /v1/catalog/register` (and anti-entropy): the node, then the service, then checks.
    /// `reg.datacenter` is the servers' own (the HTTP layer sets it before the write).
    pub fn register(
        &mut self,
        index: u64,
        reg: &CatalogRegistration,
    ) -> Result<Touched, CatalogError> {
        let datacenter = reg.datacenter.as_str();
        self.validate(reg)?;
        let mut t = Touched::default();
        let node_name = reg.node.clone();
        let exists = self.nodes.contains_key(&node_name);
        if !(reg.skip_node_update && exists) {
            self.ensure_node(index, datacenter, reg, &mut t);
        }
        if let Some(svc) = &reg.service {
            self.ensure_service(index, datacenter, &node_name, svc, &mut t);
        }
        for check in reg.check.iter().chain(reg.checks.iter()) {
            self.ensure_check(index, &node_name, check, &mut t);
        }
        Ok(t.whole_catalog())
    }

    fn validate(&self, reg: &CatalogRegistration) -> Result<(), CatalogError> {
        if reg.node.is_empty() {
            return Err(CatalogError::MissingNode);
        }
        let exists = self.nodes.contains_key(&reg.node);
        if reg.address.is_empty() && !(reg.skip_node_update && exists) {
            return Err(CatalogError::MissingAddress);
        }
        if !reg.id.is_empty() {
            if uuid::Uuid::parse_str(&reg.id).is_err() {
                return Err(CatalogError::InvalidNodeId(reg.id.clone()));
            }
            let other = self.lookups.node_with_id(&reg.id);
            if let Some(other) = other.filter(|other| *other != reg.node) {
                return Err(CatalogError::NodeIdTaken {
                    id: reg.id.clone(),
                    other: other.to_string(),
                });
            }
        }
        if let Some(svc) = &reg.service {
            if svc.service.is_empty() {
                return Err(CatalogError::MissingServiceName);
            }
        }
        let new_service = reg.service.as_ref().map(service_id);
        for check in reg.check.iter().chain(reg.checks.iter()) {
            if check.check_id.is_empty() && check.name.is_empty() {
                return Err(CatalogError::MissingCheckId);
            }
            if !check.status.is_empty() && !health::is_valid(&check.status) {
                return Err(CatalogError::InvalidStatus(check.status.clone()));
            }
            let sid = &check.service_id;
            let known = sid.is_empty()
                || new_service.as_deref() == Some(sid.as_str())
                || self
                    .services
                    .get(&reg.node)
                    .is_some_and(|s| s.contains_key(sid));
            if !known {
                return Err(CatalogError::UnknownService {
                    service_id: sid.clone(),
                    check_id: check_id(check),
                });
            }
        }
        Ok(())
    }

    fn ensure_node(&mut self, index: u64, dc: &str, reg: &CatalogRegistration, t: &mut Touched) {
        let mut node = Node {
            id: reg.id.to_ascii_lowercase(),
            node: reg.node.clone(),
            address: reg.address.clone(),
            datacenter: dc.to_string(),
            tagged_addresses: reg.tagged_addresses.clone(),
            meta: reg.node_meta.clone(),
            create_index: index,
            modify_index: index,
        };
        if let Some(old) = self.nodes.get(&reg.node) {
            node.create_index = old.create_index;
            node.modify_index = old.modify_index;
            if *old == node {
                return;
            }
            node.modify_index = index;
        }
        let old_id = self.nodes.get(&reg.node).map(|n| n.id.clone());
        self.lookups
            .set_node_id(&reg.node, old_id.as_deref(), &node.id);
        self.nodes.insert(reg.node.clone(), node);
        self.indexes.nodes = index;
        t.keys.insert(WatchKey::Nodes);
        t.node_and_its_services(self, &reg.node, index);
    }

    fn ensure_service(
        &mut self,
        index: u64,
        dc: &str,
        node: &str,
        svc: &AgentService,
        t: &mut Touched,
    ) {
        let id = service_id(svc);
        let mut new = AgentService {
            id: id.clone(),
            datacenter: dc.to_string(),
            create_index: index,
            modify_index: index,
            ..svc.clone()
        };
        let on_node = self.services.entry(node.to_string()).or_default();
        let old = on_node.get(&id).cloned();
        if let Some(old) = &old {
            new.create_index = old.create_index;
            new.modify_index = old.modify_index;
            if *old == new {
                return;
            }
            new.modify_index = index;
            if old.service != new.service {
                self.lookups.remove_instance(&old.service, node, &old.id);
                t.service(self, &old.service, index);
            }
        }
        let tags = new.tags.clone();
        let name = new.service.clone();
        self.services
            .entry(node.to_string())
            .or_default()
            .insert(id.clone(), new);
        self.lookups.add_instance(&name, node, &id);
        // The service's checks carry its name and tags.
        let ids = self.lookups.check_ids(node, &id);
        if let Some(checks) = self.checks.get_mut(node) {
            for id in &ids {
                let Some(c) = checks.get_mut(id) else {
                    continue;
                };
                if c.service_name != name || c.service_tags != tags {
                    c.service_name = name.clone();
                    c.service_tags = tags.clone();
                    c.modify_index = index;
                    self.indexes.checks = index;
                    t.keys.insert(WatchKey::Checks);
                }
            }
        }
        self.indexes.services = index;
        t.keys.insert(WatchKey::Services);
        t.node(self, node, index);
        t.service(self, &name, index);
    }

    fn ensure_check(&mut self, index: u64, node: &str, check: &HealthCheck, t: &mut Touched) {
        let (service_name, service_tags) = self
            .services
            .get(node)
            .and_then(|s| s.get(&check.service_id))
            .map(|s| (s.service.clone(), s.tags.clone()))
            .unwrap_or_default();
        let mut new = HealthCheck {
            node: node.to_string(),
            check_id: check_id(check),
            status: if check.status.is_empty() {
                health::CRITICAL.to_string()
            } else {
                check.status.clone()
            },
            service_name,
            service_tags,
            create_index: index,
            modify_index: index,
            ..check.clone()
        };
        if new.name.is_empty() {
            new.name = new.check_id.clone();
        }
        let on_node = self.checks.entry(node.to_string()).or_default();
        if let Some(old) = on_node.get(&new.check_id) {
            new.create_index = old.create_index;
            new.modify_index = old.modify_index;
            if *old == new {
                return;
            }
            new.modify_index = index;
            self.lookups
                .remove_check(node, &old.service_id, &old.check_id);
        }
        let service = new.service_name.clone();
        self.lookups.add_check(node, &new.service_id, &new.check_id);
        on_node.insert(new.check_id.clone(), new);
        self.indexes.checks = index;
        t.keys.insert(WatchKey::Checks);
        if service.is_empty() {
            t.node_and_its_services(self, node, index);
        } else {
            t.node(self, node, index);
            t.service(self, &service, index);
        }
    }

    /// `PUT /v1/catalog/deregister`: the whole node, one service (with its checks) or one
    /// check. Unknown names change nothing.
    pub fn deregister(
        &mut self,
        index: u64,
        node: &str,
        service_id: &str,
        check_id: &str,
    ) -> Touched {
        let mut t = Touched::default();
        if !self.nodes.contains_key(node) {
            return t;
        }
        if !service_id.is_empty() {
            self.remove_service(index, node, service_id, &mut t);
        } else if !check_id.is_empty() {
            self.remove_check(index, node, check_id, &mut t);
        } else {
            t.node_and_its_services(self, node, index);
            let ids: Vec<String> = self
                .services
                .get(node)
                .map(|s| s.keys().cloned().collect())
                .unwrap_or_default();
            for id in ids {
                self.remove_service(index, node, &id, &mut t);
            }
            let checks: Vec<String> = self
                .checks
                .get(node)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            for id in checks {
                self.remove_check(index, node, &id, &mut t);
            }
            if let Some(old) = self.nodes.remove(node) {
                self.lookups.set_node_id(node, Some(&old.id), "");
            }
            self.services.remove(node);
            self.checks.remove(node);
            self.indexes.nodes = index;
            t.keys.insert(WatchKey::Nodes);
        }
        t.whole_catalog()
    }

    fn remove_service(&mut self, index: u64, node: &str, id: &str, t: &mut Touched) {
        let Some(old) = self.services.get_mut(node).and_then(|s| s.remove(id)) else {
            return;
        };
        self.lookups.remove_instance(&old.service, node, &old.id);
        for c in self.lookups.check_ids(node, id) {
            self.remove_check(index, node, &c, t);
        }
        self.indexes.services = index;
        t.keys.insert(WatchKey::Services);
        t.node(self, node, index);
        t.service(self, &old.service, index);
    }

    fn remove_check(&mut self, index: u64, node: &str, id: &str, t: &mut Touched) {
        let Some(old) = self.checks.get_mut(node).and_then(|c| c.remove(id)) else {
            return;
        };
        self.lookups
            .remove_check(node, &old.service_id, &old.check_id);
        self.indexes.checks = index;
        t.keys.insert(WatchKey::Checks);
        if old.service_name.is_empty() {
            t.node_and_its_services(self, node, index);
        } else {
            t.node(self, node, index);
            t.service(self, &old.service_name, index);
        }
    }
}

/// A service's ID: its own, or its name when none was given.
fn service_id(svc: &AgentService) -> String {
    if svc.id.is_empty() {
        svc.service.clone()
    } else {
        svc.id.clone()
    }
}

/// A check's ID: its own, or its name when none was given.
fn check_id(check: &HealthCheck) -> String {
    if check.check_id.is_empty() {
        check.name.clone()
    } else {
        check.check_id.clone()
    }
}
