//! The identity every gossip member carries in foca: node name, gossip address, a generation
//! that orders restarts, and Consul's serf tags. Owns nothing else; must not import http, raft,
//! client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::Pool;

/// One member as foca sees it. Foca keys members by [`foca::Identity::addr`], which here is the
/// node name: two identities with the same name are the same node, and the higher generation
/// (a restart, or a renewal after being declared down) replaces the lower one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeId {
    pub name: String,
    pub addr: SocketAddr,
    /// Milliseconds since the epoch at start, plus one per renewal.
    pub generation: u64,
    pub tags: BTreeMap<String, String>,
}

impl NodeId {
    pub fn datacenter(&self) -> &str {
        self.tags.get("dc").map(String::as_str).unwrap_or("")
    }

    /// Why `other` may not gossip with this member in `pool`, if it may not: on the LAN it
    /// must be of this datacenter; on the WAN it must be a server named `<node>.<its dc>`.
    pub fn refuses(&self, other: &NodeId, pool: Pool) -> Option<String> {
        match pool {
            Pool::Lan if other.datacenter() != self.datacenter() => Some(format!(
                "datacenter mismatch: {} ({}) is in datacenter {:?}, but {} ({}) is in {:?}; set -datacenter to match",
                other.name,
                other.addr,
                other.datacenter(),
                self.name,
                self.addr,
                self.datacenter()
            )),
            Pool::Lan => None,
            Pool::Wan => {
                let server = other.tags.get("role").map(String::as_str) == Some("consul");
                let dc = other.datacenter();
                let named = other
                    .name
                    .strip_suffix(dc)
                    .is_some_and(|n| n.len() > 1 && n.ends_with('.'));
                (!server || dc.is_empty() || !named).then(|| {
                    format!(
                        "{} ({}) is not a server named <node>.<datacenter>: only servers gossip in the WAN pool (is its serf LAN port given to -join-wan?)",
                        other.name, other.addr
                    )
                })
            }
        }
    }
}

impl foca::Identity for NodeId {
    type Addr = String;

    fn renew(&self) -> Option<Self> {
        let mut next = self.clone();
        next.generation = self.generation.checked_add(1)?;
        Some(next)
    }

    fn addr(&self) -> String {
        self.name.clone()
    }

    fn win_addr_conflict(&self, adversary: &Self) -> bool {
        (self.generation, self.addr) > (adversary.generation, adversary.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use foca::Identity;

    fn id(generation: u64) -> NodeId {
        NodeId {
            name: "a".into(),
            addr: "127.0.0.1:8301".parse().unwrap(),
            generation,
            tags: BTreeMap::new(),
        }
    }

    #[test]
    fn who_may_gossip_in_each_pool() {
        let member = |name: &str, dc: &str, role: &str| NodeId {
            name: name.into(),
            tags: BTreeMap::from([
                ("dc".to_string(), dc.to_string()),
                ("role".to_string(), role.to_string()),
            ]),
            ..id(1)
        };
        let me = member("s1.dc1", "dc1", "consul");
        // LAN: the datacenter decides.
        assert!(me
            .refuses(&member("c1", "dc1", "node"), Pool::Lan)
            .is_none());
        let e = me.refuses(&member("c2", "dc2", "node"), Pool::Lan).unwrap();
        assert!(e.contains("datacenter mismatch"), "{e}");
        // WAN: servers of any datacenter, named <node>.<dc>.
        assert!(me
            .refuses(&member("s2.dc2", "dc2", "consul"), Pool::Wan)
            .is_none());
        assert!(me
            .refuses(&member("s2.a.b", "a.b", "consul"), Pool::Wan)
            .is_none());
        for bad in [
            member("c1", "dc1", "node"),
            member("s2", "dc2", "consul"),
            member("s2.dc3", "dc2", "consul"),
            member(".dc2", "dc2", "consul"),
            member("s2dc2", "dc2", "consul"),
        ] {
            assert!(me.refuses(&bad, Pool::Wan).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn renewal_wins_over_the_old_identity() {
        let old = id(5);
        let new = old.renew().unwrap();
        assert_eq!(new.generation, 6);
        assert_eq!(new.addr(), old.addr());
        assert!(new.win_addr_conflict(&old));
        assert!(!old.win_addr_conflict(&new));
    }
}
