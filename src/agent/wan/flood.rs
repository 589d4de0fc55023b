//! Flood join (Consul's `Flood`): each server puts the servers of its own datacenter's LAN
//! pool into the WAN pool, on their `wan_join_port` tag, so a datacenter joins the WAN with a
//! single `-join-wan` and a server added later is in it without one. Runs on every LAN
//! membership change and every [`FLOOD_EVERY`].

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::member_name;
use crate::agent::cluster;
use crate::agent::gossip::Gossip;
use crate::agent::Agent;
use crate::api::agent::member_status;

/// How often a server checks its LAN servers against the WAN pool without a LAN change.
pub const FLOOD_EVERY: Duration = Duration::from_secs(30);

/// Floods until the agent stops (returns at once without a WAN pool).
pub async fn run(agent: Arc<Agent>) {
    let Some(wan) = agent.wan.clone() else {
        return;
    };
    let mut lan_events = agent.gossip.subscribe();
    loop {
        flood_once(&agent, &wan).await;
        tokio::select! {
            _ = lan_events.recv() => {}
            _ = tokio::time::sleep(FLOOD_EVERY) => {}
        }
    }
}

/// The `host:port` WAN addresses of this datacenter's alive LAN servers that the WAN pool
/// does not show alive.
fn missing(agent: &Agent, wan: &Gossip) -> Vec<String> {
    let dc = &agent.config.datacenter;
    let alive_in_wan: HashSet<String> = wan
        .members()
        .into_iter()
        .filter(|m| m.status == member_status::ALIVE)
        .map(|m| m.name)
        .collect();
    agent
        .gossip
        .members()
        .into_iter()
        .filter(|m| m.status == member_status::ALIVE && m.name != agent.config.node_name)
        .filter(|m| cluster::server_of(m, dc).is_some())
        .filter(|m| !alive_in_wan.contains(&member_name(&m.name, dc)))
        .filter_map(|m| {
            let port = m.tags.get("wan_join_port")?;
            Some(format!("{}:{port}", m.addr))
        })
        .collect()
}

async fn flood_once(agent: &Agent, wan: &Gossip) {
    let addrs = missing(agent, wan);
    if addrs.is_empty() {
        return;
    }
    tracing::debug!(servers = ?addrs, "adding LAN servers to the WAN pool");
    if let Err(e) = wan.join(&addrs).await {
        tracing::debug!("flood join: {e}");
    }
}
