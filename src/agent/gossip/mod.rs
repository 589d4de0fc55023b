//! Gossip membership (serf LAN, and the servers' WAN pool with [`Pool::Wan`] and
//! [`GossipTiming::wan`]): SWIM via foca over UDP on the serf port, TCP on the same
//! port for push/pull full-state exchange, Consul's member statuses (alive, leaving, left,
//! failed), leave intents, reaping, a local snapshot for rejoin, and Lifeguard-style
//! local-health awareness. It must not import http, raft, client or commands; the agent wires
//! it in and reacts to its [`MemberEvent`]s.
//!
//! Layout: `core` is the I/O-free state machine (foca, timers, table, awareness), with
//! `leave` and `pushpull` adding to it; `driver` runs it on sockets on a thread of its own
//! (`thread`, which a server's LAN and WAN members share); `table` maps foca's up/down plus
//! leave intents onto Consul's statuses; `wire` is the packet and frame format; `keyring`,
//! `encryption` and `key_query` are gossip encryption (AES-GCM with a keyring, like
//! memberlist's) and its cluster-wide key rotation.
//!
//! Timings ([`GossipTiming::lan`]): probe every 400 ms, 200 ms probe timeout, 1 s of
//! suspicion (times max(1, log10 n)), gossip every 200 ms to 3. A kill -9 is first probed by
//! whichever member reaches it first in its round-robin (in 4 members, 0.26 s on the median),
//! suspected one period later, failed 1 s after that and spread in a gossip round: p50 1.8 s,
//! p99 2.4 s (`cargo bench --bench cluster -- --only detect`, 5 agents on loopback, 20 kills).
//!
//! No false positives under load, with foca lacking Lifeguard:
//! - awareness (`awareness`): failed probes of two different members in a row, timers firing
//!   late (event-loop lag) and hearing ourselves suspected raise a score; acks lower it. (A
//!   single member failing its probes is most likely dead: without nacks, which foca lacks,
//!   blaming ourselves for it would double every real detection.) The multiplier (score + 1,
//!   max 8) stretches this node's probe interval, probe timeout and suspicion timeouts, so a
//!   starved node slows down instead of declaring healthy peers failed;
//! - foca refutes a suspicion of this node as soon as one arrives (new incarnation, gossiped
//!   at once), and a node declared down renews its identity and rejoins;
//! - gossip runs on its own thread and runtime, so agent load (HTTP, Raft) cannot delay acks
//!   (a server's two pools share it: neither does much work);
//! - a remote "down" learned by push/pull only makes a member suspect here.
//!
//! Must not import: `agent::http`, `agent::raft`, `client`, `commands` (checked by tests/architecture.rs).

mod awareness;
mod coordinates;
mod core;
mod driver;
mod encryption;
#[doc(hidden)]
pub mod fuzzing;
mod identity;
mod key_query;
mod keyring;
mod leave;
mod net;
mod pushpull;
mod snapshot;
mod table;
mod thread;
mod timing;
mod user_event;
mod vivaldi;
mod wire;

#[cfg(test)]
mod encryption_tests;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod sim_tests;
#[cfg(test)]
mod socket_tests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

pub use driver::Gossip;
pub use encryption::EncryptionConfig;
pub use key_query::{KeyOp, KeyOutcome};
pub use table::{MemberEvent, Status};
pub use thread::GossipThread;
pub use timing::GossipTiming;

/// Which of Consul's two gossip pools a member belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pool {
    /// The agents of one datacenter (`ports.serf_lan`, 8301).
    #[default]
    Lan,
    /// The servers of every datacenter (`ports.serf_wan`, 8302), named `<node>.<dc>`.
    Wan,
}

impl std::fmt::Display for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Pool::Lan => "LAN",
            Pool::Wan => "WAN",
        })
    }
}

impl Pool {
    /// The setting that names this pool's port.
    pub fn port_setting(self) -> &'static str {
        match self {
            Pool::Lan => "ports.serf_lan",
            Pool::Wan => "ports.serf_wan",
        }
    }
}

/// What a gossip member is and how it talks.
#[derive(Debug, Clone)]
pub struct GossipConfig {
    /// LAN or WAN: only names in logs and errors depend on it.
    pub pool: Pool,
    pub node_name: String,
    pub node_id: String,
    pub datacenter: String,
    /// Serf LAN bind address, UDP and TCP (port 0 picks a free port, for tests).
    pub bind: SocketAddr,
    /// The address others reach this node at (port 0: the bound port).
    pub advertise: SocketAddr,
    /// Consul's serf tags (`role`, `dc`, `port`, `id`, `build`, `vsn`, ...); `dc` and `id` are
    /// filled from `datacenter` and `node_id` when missing.
    pub tags: BTreeMap<String, String>,
    pub timing: GossipTiming,
    /// Known members persisted here for a rejoin after restart.
    pub snapshot_path: Option<PathBuf>,
    /// Rejoin from the snapshot even after a graceful leave (`-rejoin`).
    pub rejoin_after_leave: bool,
    /// Gossip encryption (`-encrypt`, the keyring file, `encrypt_verify_*`).
    pub encryption: EncryptionConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum GossipError {
    #[error("cannot listen on the serf {pool} port {addr} ({proto}): {source}; another agent may be using it: change -bind or {}", pool.port_setting())]
    Bind {
        pool: Pool,
        addr: SocketAddr,
        proto: &'static str,
        source: std::io::Error,
    },
    #[error("{0}")]
    Join(String),
    #[error("user event exceeds limit of {0} bytes")]
    UserEventTooLarge(usize),
    #[error("No node found with name {0:?}")]
    UnknownNode(String),
    #[error("cannot start the gossip thread: {0}")]
    Runtime(std::io::Error),
    #[error("the node's name and tags take {0} bytes, over the {1}-byte limit for gossip; use fewer or shorter tags")]
    TagsTooLarge(usize, usize),
    #[error("gossip encryption: {0}")]
    Keyring(String),
}
