//! The agent: a server (Raft + replicated state) or a client (no Raft state: it forwards what
//! it cannot answer itself to a server found through gossip), with its HTTP API and gossip.
//!
//! Nothing outside imports its internals: `commands::agent` calls [`Agent::bind`] and
//! [`BoundAgent::serve`] (`lifecycle`). It may use `api` and `config`, never `client`,
//! `commands`, `docker` or `template`.
//!
//! May import: `api`, `config`, `process`, `snapshot` (checked by tests/architecture.rs).

pub mod acl;
pub mod acl_replication;
pub mod autopilot;
pub mod checks;
mod cluster;
mod coordinates;
mod data_dir;
pub mod dns;
pub mod endpoints;
pub mod events;
pub mod filter;
pub mod gossip;
mod host;
pub mod http;
mod lifecycle;
pub mod local;
pub mod metrics;
pub mod monitor;
pub mod msgpack;
pub mod raft;
mod reconcile;
pub mod registration;
pub mod reload;
mod restore;
pub mod rpc;
pub mod sessions;
pub mod state;
pub mod tls;
mod tombstones;
mod udp_tcp;
pub mod ui;
pub mod wan;

pub use data_dir::{memory_tempdir, MEMORY_DIR};
pub use lifecycle::{BoundAgent, Options, Shutdown};

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crate::api::AgentMember;
use crate::config::RuntimeConfig;
use endpoints::EndpointError;
use http::QueryLimits;
use raft::RaftNode;
use state::{Command, CommandResult, Store};

/// Why the agent could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    DataDir(#[from] data_dir::DataDirError),
    #[error("cannot create a temporary data directory for -dev: {0}")]
    DevDir(std::io::Error),
    #[error(transparent)]
    RaftOpen(#[from] raft::RaftOpenError),
    #[error("cannot bootstrap the Raft cluster: {0}")]
    Bootstrap(#[from] raft::RaftAdminError),
    #[error(transparent)]
    Listen(std::io::Error),
    #[error("cannot serve the web UI: {0}")]
    Ui(std::io::Error),
    #[error(transparent)]
    RpcListen(#[from] rpc::BindError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("data_dir is required; set -data-dir or data_dir in a config file (or use -dev)")]
    NoDataDir,
    #[error(transparent)]
    Gossip(#[from] gossip::GossipError),
    #[error(transparent)]
    Join(#[from] cluster::JoinError),
    #[error("cannot create the registration directories in {dir}: {source}")]
    Persist {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    /// A service or check of the configuration the agent cannot load (the message names it).
    #[error("{0}")]
    Config(String),
}

/// A running agent, shared by every HTTP handler.
pub struct Agent {
    pub config: RuntimeConfig,
    pub node_id: String,
    /// The replicated state (servers); empty and unused on a client agent.
    pub store: Arc<Store>,
    /// Raft, on servers only.
    raft: Option<Arc<RaftNode>>,
    /// Server RPC connections (shared with Raft on a server; to servers on a client).
    pub rpc: rpc::RpcClient,
    pub gossip: gossip::Gossip,
    /// The WAN pool, on servers (unless `ports.serf_wan` is -1).
    pub wan: Option<gossip::Gossip>,
    /// The server of each other datacenter that answered last.
    pub wan_route: wan::router::Preferred,
    pub started: Instant,
    /// Notified to stop the agent from inside (a graceful leave, exhausted join retries).
    pub stop: tokio::sync::Notify,
    /// On a client agent, the server that answered last (RPC address).
    preferred_server: std::sync::Mutex<Option<String>>,
    /// Services and checks registered on this agent.
    pub local: local::LocalState,
    /// The running health checks.
    pub checks: checks::Checks,
    /// DeregisterCriticalServiceAfter bookkeeping.
    pub critical_since: local::reaper::CriticalSince,
    /// API registrations and TTL states kept in the data directory.
    pub persisted: local::persist::Persisted,
    /// Serialised list answers shared by the blocking queries one change wakes.
    pub answers: http::Answers,
    /// Which local services and checks came from config files (replaced on reload).
    pub from_config: reload::FromConfig,
    /// Reads the configuration again for a reload.
    pub reloader: std::sync::OnceLock<reload::Reloader>,
    /// Opens feeds of the process's log lines (`/v1/agent/monitor`).
    pub log_monitor: std::sync::OnceLock<monitor::LogMonitor>,
    /// Telemetry (`/v1/agent/metrics`).
    pub metrics: metrics::Metrics,
    /// The version this agent reports (banner, gossip tags, `/v1/agent/self`).
    pub version: &'static str,
    /// The web UI, when `ui_config.enabled`.
    pub ui: Option<ui::Ui>,
    /// Set once this server, as leader, has brought the catalog in line with gossip (its own
    /// node, `serfHealth`, the `consul` service); cleared when it loses leadership. Until then
    /// `/v1/status/leader` names no leader, so a client that waits for a leader finds them.
    pub leadership_established: std::sync::atomic::AtomicBool,
    /// The TTL timers of sessions (kept while this server leads).
    pub session_timers: sessions::SessionTimers,
    /// The user events that reached this agent (`/v1/event/list`).
    pub events: events::EventBuffer,
    /// Since when each server has been healthy or not (autopilot, on the leader).
    pub autopilot_stability: autopilot::Stability,
    /// Network coordinates the leader has taken and not yet written.
    pub coordinate_updates: coordinates::CoordinateUpdates,
    /// The HTTPS API's and server RPC's TLS configurations (reloaded by `sd reload`).
    pub tls: tls::AgentTls,
    /// ACL settings, the agent's tokens and the token cache.
    pub acls: acl::Acls,
    /// ACL replication from the primary datacenter (on a secondary's servers).
    pub acl_replication: acl_replication::Replication,
}

impl Agent {
    /// An agent of these parts (`raft` is None on a client agent), and the receiving end of
    /// its checks' results, for the task that applies them.
    fn new(
        config: RuntimeConfig,
        node_id: String,
        store: Arc<Store>,
        raft: Option<Arc<RaftNode>>,
        rpc: rpc::RpcClient,
        gossip: gossip::Gossip,
        version: &'static str,
    ) -> (Agent, tokio::sync::mpsc::Receiver<checks::CheckUpdate>) {
        let (updates_tx, updates_rx) = tokio::sync::mpsc::channel(1024);
        let check_update_interval = config.check_update_interval;
        let acls = acl::Acls::new(config.acl.clone(), &config.datacenter);
        let agent = Agent {
            acls,
            acl_replication: acl_replication::Replication::default(),
            config,
            node_id,
            store,
            raft,
            rpc,
            gossip,
            wan: None,
            wan_route: wan::router::Preferred::default(),
            started: Instant::now(),
            stop: tokio::sync::Notify::new(),
            preferred_server: std::sync::Mutex::new(None),
            local: local::LocalState::new(check_update_interval),
            checks: checks::Checks::new(updates_tx),
            critical_since: local::reaper::CriticalSince::default(),
            answers: http::Answers::default(),
            persisted: local::persist::Persisted::default(),
            ui: None,
            leadership_established: std::sync::atomic::AtomicBool::new(false),
            session_timers: sessions::SessionTimers::default(),
            events: events::EventBuffer::default(),
            coordinate_updates: coordinates::CoordinateUpdates::default(),
            tls: tls::AgentTls::default(),
            autopilot_stability: autopilot::Stability::default(),
            from_config: reload::FromConfig::default(),
            reloader: std::sync::OnceLock::new(),
            log_monitor: std::sync::OnceLock::new(),
            metrics: metrics::Metrics::new(),
            version,
        };
        (agent, updates_rx)
    }

    /// Removes a check from the local state (and the data directory) and stops it; false
    /// when unknown.
    pub fn remove_check(&self, id: &str) -> bool {
        self.stop_check(id);
        self.persisted.remove_check(id);
        self.local.remove_check(id)
    }

    /// Removes a service and its checks from the local state (and the data directory) and
    /// stops the checks; `None` when the service is unknown.
    pub fn remove_service(&self, id: &str) -> Option<Vec<String>> {
        let checks = self.local.remove_service(id)?;
        for c in &checks {
            self.stop_check(c);
            self.persisted.remove_check(c);
        }
        self.persisted.remove_service(id);
        Some(checks)
    }

    /// Stops running a check (its local entry is the caller's business).
    pub fn stop_check(&self, id: &str) {
        self.checks.remove(id);
        self.critical_since.set(id, None);
    }

    /// Sets a check's DeregisterCriticalServiceAfter.
    pub fn set_deregister_after(&self, id: &str, after: Option<std::time::Duration>) {
        self.critical_since.set(id, after);
        if let Some(c) = self.local.check(id) {
            self.critical_since
                .observe(id, &c.status, std::time::Instant::now());
        }
    }

    /// This node as anti-entropy registers it in the catalog.
    pub fn node_info(&self) -> local::sync::NodeInfo {
        let addr = self.advertise().to_string();
        local::sync::NodeInfo {
            id: self.node_id.clone(),
            name: self.config.node_name.clone(),
            address: addr.clone(),
            datacenter: self.config.datacenter.clone(),
            tagged_addresses: [
                ("lan", &addr),
                ("lan_ipv4", &addr),
                ("wan", &addr),
                ("wan_ipv4", &addr),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
            meta: self.config.node_meta.clone(),
        }
    }

    /// The RPC addresses of the servers of this datacenter that gossip shows alive.
    pub fn known_servers(&self) -> Vec<String> {
        self.gossip
            .members()
            .iter()
            .filter(|m| m.status == crate::api::agent::member_status::ALIVE)
            .filter_map(|m| cluster::server_of(m, &self.config.datacenter))
            .map(|s| s.addr)
            .collect()
    }

    /// The server a client agent sends requests to first.
    pub fn preferred_server(&self) -> Option<String> {
        self.preferred_server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_preferred_server(&self, server: Option<String>) {
        *self
            .preferred_server
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = server;
    }

    /// `dc` (`?dc=`) naming another datacenter is an error until WAN federation exists.
    pub fn check_dc(&self, dc: Option<&str>) -> Result<(), EndpointError> {
        match dc {
            Some(dc) if !dc.is_empty() && dc != self.config.datacenter => {
                Err(EndpointError::NoPathToDatacenter(dc.to_string()))
            }
            _ => Ok(()),
        }
    }

    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            default_wait: self.config.default_query_time,
            max_wait: self.config.max_query_time,
        }
    }

    /// Raft, or [`EndpointError::NotServer`] on a client agent (whose requests for server
    /// state are forwarded before they reach a handler, so this is a guard, not a path users
    /// take).
    pub fn raft(&self) -> Result<&Arc<RaftNode>, EndpointError> {
        self.raft.as_ref().ok_or(EndpointError::NotServer)
    }

    /// Raft, on a server.
    pub fn raft_opt(&self) -> Option<&Arc<RaftNode>> {
        self.raft.as_ref()
    }

    /// The read headers for a result at `index`.
    pub fn query_meta(
        &self,
        index: u64,
        consistency: endpoints::Consistency,
    ) -> endpoints::QueryMeta {
        endpoints::QueryMeta {
            index,
            known_leader: self
                .raft
                .as_ref()
                .is_some_and(|r| r.leader_addr().is_some()),
            last_contact_ms: self.raft.as_ref().map_or(0, |r| r.last_contact_ms()),
            consistency,
        }
    }

    /// Writes `cmd` through Raft and returns the log index it was applied at and its result.
    pub async fn write(&self, cmd: Command) -> Result<(u64, CommandResult), EndpointError> {
        Ok(self.raft()?.write(cmd).await?)
    }

    /// [`Agent::write`] for a caller that shows its client the entries `cmd` produced, with
    /// their indexes (`/v1/txn`).
    pub async fn write_shown(&self, cmd: Command) -> Result<(u64, CommandResult), EndpointError> {
        Ok(self.raft()?.write_shown(cmd).await?)
    }

    /// This agent's own entry in the gossip pool.
    pub fn member(&self) -> AgentMember {
        self.gossip
            .members()
            .into_iter()
            .find(|m| m.name == self.config.node_name)
            .unwrap_or_else(|| AgentMember {
                name: self.config.node_name.clone(),
                addr: self.advertise().to_string(),
                port: u16::try_from(self.config.ports.serf_lan).unwrap_or(0),
                tags: serf_tags(&self.config, &self.node_id, self.version),
                status: crate::api::agent::member_status::ALIVE,
                ..AgentMember::default()
            })
    }

    fn advertise(&self) -> std::net::IpAddr {
        advertise_addr(&self.config)
    }
}

fn advertise_addr(c: &RuntimeConfig) -> std::net::IpAddr {
    c.advertise_addr.unwrap_or(c.bind_addr)
}

/// The gossip tags Consul's agents carry: role, datacenter, node ID, build and protocol versions,
/// and for servers the RPC port and bootstrap settings.
fn serf_tags(c: &RuntimeConfig, node_id: &str, version: &str) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    tags.insert(
        "role".into(),
        if c.server { "consul" } else { "node" }.into(),
    );
    tags.insert("dc".into(), c.datacenter.clone());
    tags.insert("id".into(), node_id.to_string());
    tags.insert("build".into(), format!("{version}:sd"));
    tags.insert("vsn".into(), "2".into());
    tags.insert("vsn_min".into(), "2".into());
    tags.insert("vsn_max".into(), "3".into());
    tags.insert("segment".into(), String::new());
    if c.server {
        tags.insert("port".into(), c.ports.server.to_string());
        tags.insert("raft_vsn".into(), "3".into());
        if c.bootstrap {
            tags.insert("bootstrap".into(), "1".into());
        }
        if c.bootstrap_expect > 0 {
            tags.insert("expect".into(), c.bootstrap_expect.to_string());
        }
        // Where this server's WAN pool listens, for the other servers' flood joins.
        if c.ports.serf_wan > 0 {
            tags.insert("wan_join_port".into(), c.ports.serf_wan.to_string());
        }
    }
    tags
}
