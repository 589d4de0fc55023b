//! The identity every gossip member carries in foca: node name, gossip address, a generation
//! that orders restarts, and Consul's serf tags. Owns nothing else; must not import http, raft,
//! client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

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
    fn renewal_wins_over_the_old_identity() {
        let old = id(5);
        let new = old.renew().unwrap();
        assert_eq!(new.generation, 6);
        assert_eq!(new.addr(), old.addr());
        assert!(new.win_addr_conflict(&old));
        assert!(!old.win_addr_conflict(&new));
    }
}
