//! Network coordinates as the servers keep them (Consul's `coordinates` table): one per node
//! and network segment, written in batches by the leader, dropped with their node, and the
//! distance sort behind `?near=` and prepared queries' `Near`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use crate::api::coordinate::{Coordinate, CoordinateEntry};

/// node → segment → coordinate, and the index of the last change.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CoordinateTable {
    entries: BTreeMap<String, BTreeMap<String, Coordinate>>,
    index: u64,
}

impl CoordinateTable {
    /// Stores a batch at `index`. Updates for nodes the catalog does not have are skipped (the
    /// node may have been deregistered while its update waited). Returns how many were stored.
    pub fn update(&mut self, index: u64, batch: &[CoordinateEntry], catalog: &Catalog) -> usize {
        let mut stored = 0;
        for e in batch {
            if catalog.node(&e.node).is_none() {
                continue;
            }
            self.entries
                .entry(e.node.clone())
                .or_default()
                .insert(e.segment.clone(), e.coord.clone());
            stored += 1;
        }
        if stored > 0 {
            self.index = index;
        }
        stored
    }

    /// Drops a deregistered node's coordinates; true when it had any.
    pub fn remove_node(&mut self, index: u64, node: &str) -> bool {
        let removed = self.entries.remove(node).is_some();
        if removed {
            self.index = index;
        }
        removed
    }

    /// The index of the last change.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Every coordinate, by node name then segment.
    pub fn list(&self) -> Vec<CoordinateEntry> {
        self.entries
            .iter()
            .flat_map(|(node, segments)| entries(node, segments))
            .collect()
    }

    /// One node's coordinates (one per segment).
    pub fn node(&self, node: &str) -> Vec<CoordinateEntry> {
        self.entries
            .get(node)
            .map(|segments| entries(node, segments).collect())
            .unwrap_or_default()
    }

    /// A node's coordinate in a segment.
    pub fn get(&self, node: &str, segment: &str) -> Option<&Coordinate> {
        self.entries.get(node).and_then(|s| s.get(segment))
    }

    /// Sorts `items` by the estimated round trip from the node `source`, nearest first (a
    /// stable sort; items whose node has no coordinate go last). Nothing moves when `source`
    /// is empty or has no coordinate, as in Consul.
    pub fn sort_by_distance<T>(&self, source: &str, items: &mut [T], node_of: impl Fn(&T) -> &str) {
        let Some(from) = self.get(source, "") else {
            return;
        };
        items.sort_by_cached_key(|item| {
            self.get(node_of(item), "")
                .map(|c| from.distance_to(c))
                .map_or((1, std::time::Duration::ZERO), |d| (0, d))
        });
    }
}

fn entries<'a>(
    node: &'a str,
    segments: &'a BTreeMap<String, Coordinate>,
) -> impl Iterator<Item = CoordinateEntry> + 'a {
    segments
        .iter()
        .map(move |(segment, coord)| CoordinateEntry {
            node: node.to_string(),
            segment: segment.clone(),
            coord: coord.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::catalog::CatalogRegistration;

    fn catalog(nodes: &[&str]) -> Catalog {
        let mut c = Catalog::default();
        for (i, n) in nodes.iter().enumerate() {
            let reg = CatalogRegistration {
                node: n.to_string(),
                address: format!("10.0.0.{i}"),
                ..Default::default()
            };
            c.register(i as u64 + 1, &reg).unwrap();
        }
        c
    }

    fn at(node: &str, x: f64) -> CoordinateEntry {
        CoordinateEntry {
            node: node.into(),
            segment: String::new(),
            coord: Coordinate {
                vec: vec![x, 0.0],
                error: 0.2,
                adjustment: 0.0,
                height: 1.0e-5,
            },
        }
    }

    #[test]
    fn updates_skip_unknown_nodes_and_go_with_their_node() {
        let c = catalog(&["a", "b"]);
        let mut t = CoordinateTable::default();
        assert_eq!(t.update(10, &[at("a", 0.0), at("ghost", 1.0)], &c), 1);
        assert_eq!(t.index(), 10);
        assert_eq!(t.list(), vec![at("a", 0.0)]);
        assert_eq!(t.update(11, &[at("ghost", 1.0)], &c), 0);
        assert_eq!(t.index(), 10);
        assert!(t.remove_node(12, "a"));
        assert!(t.list().is_empty());
        assert_eq!(t.index(), 12);
        assert!(!t.remove_node(13, "a"));
    }

    #[test]
    fn sorts_nearest_first_and_unknown_last() {
        let c = catalog(&["src", "near", "far", "none"]);
        let mut t = CoordinateTable::default();
        t.update(5, &[at("src", 0.0), at("near", 0.001), at("far", 0.05)], &c);
        let mut items = vec!["none", "far", "near", "src"];
        t.sort_by_distance("src", &mut items, |s| s);
        assert_eq!(items, vec!["src", "near", "far", "none"]);
        // No coordinate for the source: the order is left alone.
        let mut items = vec!["far", "near"];
        t.sort_by_distance("none", &mut items, |s| s);
        assert_eq!(items, vec!["far", "near"]);
    }
}
