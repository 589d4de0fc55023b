//! Routes to other datacenters from the WAN pool (Consul's `router`): the alive servers of a
//! datacenter with their RPC addresses, the one of each that answered last, and every known
//! datacenter ordered by estimated round trip, from this server's WAN coordinate to the median
//! of each datacenter's servers'.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::seq::SliceRandom;

use crate::agent::cluster;
use crate::agent::gossip::Gossip;
use crate::agent::raft::ServerNode;
use crate::api::agent::member_status;
use crate::api::coordinate::{Coordinate, CoordinateEntry, DatacenterMap};
use crate::api::AgentMember;

/// The server of each other datacenter that answered last (requests go there first).
#[derive(Default)]
pub struct Preferred {
    by_dc: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl Preferred {
    /// The RPC address that answered last for `dc`.
    pub fn preferred(&self, dc: &str) -> Option<String> {
        self.lock().get(dc).cloned()
    }

    pub fn prefer(&self, dc: &str, addr: &str) {
        let mut m = self.lock();
        if m.get(dc).map(String::as_str) != Some(addr) {
            m.insert(dc.to_string(), addr.to_string());
        }
    }

    pub fn forget(&self, dc: &str) {
        self.lock().remove(dc);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, String>> {
        self.by_dc.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The servers of datacenter `dc` that the WAN pool shows alive, in random order (Consul's
/// router shuffles its list too); the caller puts the one that answered last first.
pub fn servers(wan: &Gossip, dc: &str) -> Vec<ServerNode> {
    let mut found = alive_servers(&wan.members(), dc);
    found.shuffle(&mut rand::rng());
    found
}

fn alive_servers(members: &[AgentMember], dc: &str) -> Vec<ServerNode> {
    members
        .iter()
        .filter(|m| m.status == member_status::ALIVE)
        .filter_map(|m| cluster::server_of(m, dc))
        .collect()
}

/// Every datacenter with a server in the WAN pool that has not left, nearest first; `own`
/// is always there (first on ties: its distance is this server's own).
pub fn datacenters(wan: &Gossip, own: &str) -> Vec<String> {
    let me = wan.coordinate();
    let mut by_dc: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    by_dc.entry(own.to_string()).or_default();
    for m in wan.members() {
        if m.status == member_status::LEFT
            || m.tags.get("role").map(String::as_str) != Some("consul")
        {
            continue;
        }
        let Some(dc) = m.tags.get("dc") else { continue };
        let d = match m.name == wan.name() {
            true => Duration::ZERO,
            false => distance(&me, wan.peer_coordinate(&m.name).as_ref()),
        };
        by_dc.entry(dc.clone()).or_default().push(d);
    }
    let mut ranked: Vec<(Duration, bool, String)> = by_dc
        .into_iter()
        .map(|(dc, mut d)| (median(&mut d), dc != own, dc))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, _, dc)| dc).collect()
}

/// Each datacenter's servers with their WAN coordinates (`/v1/coordinate/datacenters`),
/// nearest datacenter first. Nodes are named without their `.<dc>` suffix, as Consul shows
/// them; servers not heard from yet are left out.
pub fn coordinate_maps(wan: &Gossip, own: &str) -> Vec<DatacenterMap> {
    let members = wan.members();
    datacenters(wan, own)
        .into_iter()
        .map(|dc| {
            let suffix = format!(".{dc}");
            let mut coordinates: Vec<CoordinateEntry> = members
                .iter()
                .filter(|m| m.status != member_status::LEFT)
                .filter(|m| cluster::server_of(m, &dc).is_some())
                .filter_map(|m| {
                    let coord = match m.name == wan.name() {
                        true => Some(wan.coordinate()),
                        false => wan.peer_coordinate(&m.name),
                    }?;
                    Some(CoordinateEntry {
                        node: m.name.strip_suffix(&suffix).unwrap_or(&m.name).to_string(),
                        segment: String::new(),
                        coord,
                    })
                })
                .collect();
            coordinates.sort_by(|a, b| a.node.cmp(&b.node));
            DatacenterMap {
                datacenter: dc,
                area_id: "wan".into(),
                coordinates,
            }
        })
        .collect()
}

/// The estimated round trip from `me` to a coordinate; an unknown or incomparable one counts
/// as the farthest possible (a datacenter never heard from sorts last).
fn distance(me: &Coordinate, other: Option<&Coordinate>) -> Duration {
    match other {
        Some(c) if c.is_compatible_with(me) => me.distance_to(c),
        _ => Duration::MAX,
    }
}

/// The median (the upper one of an even count); zero for none.
fn median(d: &mut [Duration]) -> Duration {
    d.sort();
    d.get(d.len() / 2).copied().unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coord(x: f64) -> Coordinate {
        Coordinate {
            vec: vec![x, 0.0],
            error: 0.1,
            adjustment: 0.0,
            height: 0.0,
        }
    }

    #[test]
    fn distances_and_their_median() {
        let me = coord(0.0);
        let ms = Duration::from_millis;
        assert_eq!(distance(&me, Some(&coord(0.020))), ms(20));
        assert_eq!(distance(&me, None), Duration::MAX);
        // Coordinates of another dimensionality cannot be compared.
        let flat = Coordinate {
            vec: vec![1.0],
            ..coord(0.0)
        };
        assert_eq!(distance(&me, Some(&flat)), Duration::MAX);
        assert_eq!(median(&mut [ms(30), ms(10), ms(20)]), ms(20));
        // One server never heard from does not move the median of three much.
        assert_eq!(median(&mut [ms(10), Duration::MAX, ms(30)]), ms(30));
        assert_eq!(median(&mut []), Duration::ZERO);
    }

    #[test]
    fn only_alive_servers_of_the_datacenter_route() {
        let m = |name: &str, dc: &str, role: &str, status: u8| {
            let mut tags = BTreeMap::new();
            tags.insert("role".to_string(), role.to_string());
            tags.insert("dc".to_string(), dc.to_string());
            tags.insert("id".to_string(), format!("id-{name}"));
            tags.insert("port".to_string(), "8300".to_string());
            AgentMember {
                name: name.into(),
                addr: "10.0.0.1".into(),
                status,
                tags,
                ..Default::default()
            }
        };
        let members = vec![
            m("a.dc2", "dc2", "consul", member_status::ALIVE),
            m("b.dc2", "dc2", "consul", member_status::FAILED),
            m("c.dc1", "dc1", "consul", member_status::ALIVE),
            m("d.dc2", "dc2", "node", member_status::ALIVE),
        ];
        let found = alive_servers(&members, "dc2");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "a.dc2");
        assert_eq!(found[0].addr, "10.0.0.1:8300");
        assert!(alive_servers(&members, "dc3").is_empty());
    }
}
