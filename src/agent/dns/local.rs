//! Answers from a server's own replicated state (`agent.store`), never a round trip. A service's
//! healthy view is computed once and reused until the catalog's index for that name moves, so
//! a query costs a read lock and two index look-ups. Names are matched case-insensitively (the
//! exact lower-case name first, then a scan when that finds nothing).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};

use super::view::{owner_of, NodeView, Owner, ServiceView};
use crate::agent::state::catalog::Catalog;
use crate::agent::state::Store;

/// How many service names the view cache holds before it starts over (names that do not
/// exist are cached too, so random names must not grow it without bound).
const MAX_CACHED: usize = 4096;

/// A service view and what it was computed from.
struct Cached {
    /// The catalog name it resolved to (may differ in case from the query).
    name: String,
    /// Index of the queried name and of the resolved one when computed.
    key: (u64, u64),
    view: Arc<ServiceView>,
}

/// Views over the local state.
#[derive(Default)]
pub struct LocalSource {
    services: RwLock<HashMap<String, Arc<Cached>>>,
}

impl LocalSource {
    /// The healthy view of service `lower` (a lower-case name).
    pub fn service(&self, store: &Store, lower: &str, only_passing: bool) -> Arc<ServiceView> {
        let tables = store.read();
        let cat = &tables.catalog;
        let hit = self
            .services
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(lower)
            .cloned();
        if let Some(c) = hit {
            if c.key == key(cat, lower, &c.name) {
                return c.view.clone();
            }
        }
        let name = resolve(cat, lower);
        let entries = cat.health_service(&name, false);
        let view = Arc::new(ServiceView::from_entries(&entries, only_passing));
        let cached = Arc::new(Cached {
            key: key(cat, lower, &name),
            name,
            view: view.clone(),
        });
        let mut services = self.services.write().unwrap_or_else(|p| p.into_inner());
        if services.len() >= MAX_CACHED {
            services.clear();
        }
        services.insert(lower.to_string(), cached);
        view
    }
}

fn key(cat: &Catalog, lower: &str, name: &str) -> (u64, u64) {
    (cat.service_index(lower), cat.service_index(name))
}

/// The catalog's name for `lower`: itself when registered, else a case-insensitive match.
fn resolve(cat: &Catalog, lower: &str) -> String {
    if !cat.instances(lower).is_empty() {
        return lower.to_string();
    }
    cat.services()
        .into_keys()
        .find(|n| n.eq_ignore_ascii_case(lower))
        .unwrap_or_else(|| lower.to_string())
}

/// Node `lower`, matched case-insensitively.
pub fn node(store: &Store, lower: &str) -> Option<NodeView> {
    let tables = store.read();
    let cat = &tables.catalog;
    if let Some(n) = cat.node(lower) {
        return Some(NodeView::from_node(n));
    }
    cat.nodes()
        .iter()
        .find(|n| n.node.eq_ignore_ascii_case(lower))
        .map(NodeView::from_node)
}

/// Who owns `ip`: a node, else a service instance with that address.
pub fn owner(store: &Store, ip: IpAddr) -> Option<Owner> {
    let tables = store.read();
    let cat = &tables.catalog;
    let nodes = cat.nodes();
    let names: Vec<String> = cat.services().into_keys().collect();
    let instances: Vec<_> = names.iter().flat_map(|n| cat.instances(n)).collect();
    let services = instances.iter().map(|(n, s)| {
        (
            s.service.as_str(),
            n.datacenter.as_str(),
            s.address.as_str(),
        )
    });
    owner_of(ip, &nodes, services)
}
