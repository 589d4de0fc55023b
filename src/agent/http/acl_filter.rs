//! Hiding what a caller may not read, as Consul filters its answers: nodes need `node:read`,
//! service instances `service:read` (and `node:read` on their node), checks the permission of
//! what they check, keys `key:read`, members `node:read`, sessions `session:read` on their node. [`Trim::trim`] removes what must not
//! be seen and says whether anything was removed (`X-Consul-Results-Filtered-By-ACLs`).

use std::collections::BTreeMap;

use crate::agent::acl::{Access, Caller, Resource};
use crate::api::catalog::{
    AgentService, CatalogNode, CatalogNodeServiceList, CatalogService, HealthCheck, Node,
    ServiceEntry,
};
use crate::api::ui::{NodeInfo, ServiceSummary};

/// One element of an answer, shown or hidden whole.
pub trait Visible {
    fn visible_to(&self, caller: &Caller) -> bool;
}

/// An answer that can lose the parts a caller may not see.
pub trait Trim {
    /// Removes what `caller` may not read; true when something was removed.
    fn trim(&mut self, caller: &Caller) -> bool;
}

fn node_read(caller: &Caller, node: &str) -> bool {
    caller.allows(Resource::Node, node, Access::Read)
}

fn service_read(caller: &Caller, service: &str) -> bool {
    caller.allows(Resource::Service, service, Access::Read)
}

impl Visible for () {
    fn visible_to(&self, _: &Caller) -> bool {
        true
    }
}

impl Visible for Node {
    fn visible_to(&self, caller: &Caller) -> bool {
        node_read(caller, &self.node)
    }
}

impl Visible for CatalogService {
    fn visible_to(&self, caller: &Caller) -> bool {
        node_read(caller, &self.node) && service_read(caller, &self.service_name)
    }
}

impl Visible for ServiceEntry {
    fn visible_to(&self, caller: &Caller) -> bool {
        node_read(caller, &self.node.node) && service_read(caller, &self.service.service)
    }
}

impl Visible for HealthCheck {
    fn visible_to(&self, caller: &Caller) -> bool {
        if self.service_name.is_empty() {
            node_read(caller, &self.node)
        } else {
            service_read(caller, &self.service_name)
        }
    }
}

impl Visible for AgentService {
    fn visible_to(&self, caller: &Caller) -> bool {
        service_read(caller, &self.service)
    }
}

impl Visible for ServiceSummary {
    fn visible_to(&self, caller: &Caller) -> bool {
        service_read(caller, &self.name)
    }
}

impl Visible for crate::api::AgentMember {
    fn visible_to(&self, caller: &Caller) -> bool {
        node_read(caller, &self.name)
    }
}

impl Visible for crate::api::session::SessionEntry {
    fn visible_to(&self, caller: &Caller) -> bool {
        caller.allows(Resource::Session, &self.node, Access::Read)
    }
}

impl Visible for crate::api::KVPair {
    fn visible_to(&self, caller: &Caller) -> bool {
        caller.allows(Resource::Key, &self.key, Access::Read)
    }
}

impl<T: Visible> Trim for Vec<T> {
    fn trim(&mut self, caller: &Caller) -> bool {
        let before = self.len();
        self.retain(|item| item.visible_to(caller));
        self.len() != before
    }
}

impl<T: Trim> Trim for Option<T> {
    fn trim(&mut self, caller: &Caller) -> bool {
        self.as_mut().is_some_and(|v| v.trim(caller))
    }
}

/// `/v1/catalog/services`: service name → tags.
impl Trim for BTreeMap<String, Vec<String>> {
    fn trim(&mut self, caller: &Caller) -> bool {
        let before = self.len();
        self.retain(|name, _| service_read(caller, name));
        self.len() != before
    }
}

impl Trim for CatalogNode {
    fn trim(&mut self, caller: &Caller) -> bool {
        let before = self.services.len();
        self.services.retain(|_, s| s.visible_to(caller));
        self.services.len() != before
    }
}

impl Trim for CatalogNodeServiceList {
    fn trim(&mut self, caller: &Caller) -> bool {
        self.services.trim(caller)
    }
}

impl Trim for NodeInfo {
    fn trim(&mut self, caller: &Caller) -> bool {
        self.services.trim(caller) | self.checks.trim(caller)
    }
}

impl Visible for NodeInfo {
    fn visible_to(&self, caller: &Caller) -> bool {
        node_read(caller, &self.node)
    }
}

/// A node's answer: hidden whole without `node:read`, else its parts trimmed.
pub fn trim_node<T: Trim>(found: &mut Option<T>, node: &str, caller: &Caller) -> bool {
    if found.is_some() && !node_read(caller, node) {
        *found = None;
        return true;
    }
    found.trim(caller)
}

/// The node dump: nodes hidden without `node:read`, the rest trimmed.
pub fn trim_nodes(nodes: &mut Vec<NodeInfo>, caller: &Caller) -> bool {
    let mut filtered = nodes.trim(caller);
    for n in nodes.iter_mut() {
        filtered |= n.trim(caller);
    }
    filtered
}
