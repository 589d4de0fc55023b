//! The WAN gossip pool: every server of every datacenter gossips on `ports.serf_wan` (8302)
//! under the name `<node>.<dc>`, with WAN timings ([`GossipTiming::wan`]); client agents never
//! join it. Each datacenter keeps its own Raft group and catalog: the pool only tells a server
//! which servers the other datacenters have, where they answer server RPC, and how far away
//! they are (their WAN coordinates).
//!
//! - `router`: the servers of a datacenter and the datacenters in round-trip order (`?dc=`
//!   forwarding, `/v1/catalog/datacenters`, `/v1/coordinate/datacenters`);
//! - `flood`: a server adds the servers of its own LAN to the WAN pool (Consul's flood join), so
//!   one `-join-wan` per datacenter is enough;
//! - joining: `-join-wan`/`-retry-join-wan` (`start_join_wan`, `retry_join_wan`), or the
//!   members of `serf/remote.snapshot` after a restart.
//!
//! Gossip encryption applies here as on the LAN: the same `encrypt` key, its own keyring file
//! (`serf/remote.keyring`).

mod flood;
pub mod router;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use super::gossip::{self, Gossip, GossipThread, GossipTiming, Pool};
use super::Agent;
use super::{cluster, lifecycle};
use crate::config::RuntimeConfig;

pub use flood::run as flood;

/// A server's name in the WAN pool.
pub fn member_name(node: &str, dc: &str) -> String {
    format!("{node}.{dc}")
}

/// Starts this server's WAN member: None on a client agent, or with `ports.serf_wan` -1.
/// `tags` are the server's LAN tags (Consul gives both pools the same). It gossips on
/// `thread`, the LAN member's.
pub async fn start(
    c: &RuntimeConfig,
    node_id: &str,
    data_dir: &Path,
    tags: BTreeMap<String, String>,
    thread: &GossipThread,
) -> Result<Option<Gossip>, gossip::GossipError> {
    let Ok(port) = u16::try_from(c.ports.serf_wan) else {
        return Ok(None);
    };
    if !c.server {
        return Ok(None);
    }
    let bind_ip = c.serf_wan_addr.unwrap_or(c.bind_addr);
    let advertise_ip = c
        .advertise_addr_wan
        .or(c.advertise_addr)
        .unwrap_or(c.bind_addr);
    let mut timing = if c.dev {
        // Consul's -dev gives the WAN pool the LAN's fast timings too.
        GossipTiming::dev()
    } else {
        GossipTiming::wan()
    };
    timing.reconnect_timeout = c.reconnect_timeout_wan;
    let timing = timing.tuned(&c.gossip_wan);
    let serf = data_dir.join("serf");
    let cfg = gossip::GossipConfig {
        pool: Pool::Wan,
        node_name: member_name(&c.node_name, &c.datacenter),
        node_id: node_id.to_string(),
        datacenter: c.datacenter.clone(),
        bind: SocketAddr::new(bind_ip, port),
        advertise: SocketAddr::new(advertise_ip, port),
        tags,
        timing,
        snapshot_path: Some(serf.join("remote.snapshot")),
        rejoin_after_leave: c.rejoin_after_leave,
        encryption: lifecycle::gossip_encryption(c, data_dir, "remote.keyring"),
    };
    Gossip::start_on(cfg, thread).await.map(Some)
}

/// Joins the WAN addresses of `-join-wan`/`-retry-join-wan` (or the members known before a
/// restart). When the retries run out the agent stops, as it does for the LAN.
pub async fn join(agent: Arc<Agent>) -> Result<(), cluster::JoinError> {
    let Some(wan) = &agent.wan else {
        return Ok(());
    };
    let c = &agent.config;
    let joined = cluster::join(
        wan,
        &c.retry_join_wan,
        c.retry_interval_wan,
        c.retry_max_wan,
    )
    .await;
    if let Err(e) = &joined {
        tracing::error!("{e}");
        agent.stop.notify_one();
    }
    joined
}
