//! The agent: a server (Raft + replicated state) or a client (no Raft state: it forwards what
//! it cannot answer itself to a server found through gossip), with its HTTP API and gossip.
//!
//! Nothing outside imports its internals: `commands::agent` calls [`run`]. It may use `api` and
//! `config`, never `client`, `commands`, `docker` or `template`.

pub mod checks;
mod cluster;
mod data_dir;
pub mod dns;
pub mod filter;
pub mod gossip;
pub mod http;
pub mod local;
pub mod metrics;
pub mod raft;
mod reconcile;
pub mod registration;
pub mod reload;
mod restore;
pub mod rpc;
pub mod state;
mod tombstones;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use crate::api::AgentMember;
use crate::config::RuntimeConfig;
use data_dir::DataDir;
use http::{HttpError, Params, QueryLimits};
use raft::{RaftNode, ServerNode, WriteError};
use state::{Command, CommandResult, Store};

/// Why the agent could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    DataDir(#[from] data_dir::DataDirError),
    #[error("cannot create a temporary data directory for -dev: {0}")]
    DevDir(std::io::Error),
    #[error("{0}")]
    Raft(String),
    #[error(transparent)]
    Listen(std::io::Error),
    #[error(transparent)]
    RpcListen(#[from] rpc::BindError),
    #[error("data_dir is required; set -data-dir or data_dir in a config file (or use -dev)")]
    NoDataDir,
    #[error("{0}")]
    Gossip(String),
    #[error("{0}")]
    Join(String),
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
    pub started: Instant,
    /// Notified to stop the agent from inside (a graceful leave, exhausted join retries).
    pub stop: tokio::sync::Notify,
    /// On a client agent, the server that answered last (RPC address).
    preferred_server: std::sync::Mutex<Option<String>>,
    /// Services and checks registered on this agent.
    pub local: local::LocalState,
    /// The agent's own HTTP API, for requests it makes to itself (anti-entropy).
    router: std::sync::OnceLock<axum::Router>,
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
    /// Telemetry (`/v1/agent/metrics`).
    pub metrics: metrics::Metrics,
    /// Check results, taken once by the task that applies them.
    check_updates: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<checks::CheckUpdate>>>,
}

impl Agent {
    /// An agent of these parts; `raft` is None on a client agent.
    pub fn new(
        config: RuntimeConfig,
        node_id: String,
        store: Arc<Store>,
        raft: Option<Arc<RaftNode>>,
        rpc: rpc::RpcClient,
        gossip: gossip::Gossip,
    ) -> Agent {
        let (updates_tx, updates_rx) = tokio::sync::mpsc::channel(1024);
        let check_update_interval = config.check_update_interval;
        Agent {
            config,
            node_id,
            store,
            raft,
            rpc,
            gossip,
            started: Instant::now(),
            stop: tokio::sync::Notify::new(),
            preferred_server: std::sync::Mutex::new(None),
            local: local::LocalState::new(check_update_interval),
            router: std::sync::OnceLock::new(),
            checks: checks::Checks::new(updates_tx),
            critical_since: local::reaper::CriticalSince::default(),
            answers: http::Answers::default(),
            persisted: local::persist::Persisted::default(),
            from_config: reload::FromConfig::default(),
            reloader: std::sync::OnceLock::new(),
            metrics: metrics::Metrics::new(),
            check_updates: std::sync::Mutex::new(Some(updates_rx)),
        }
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

    /// Sends a request through this agent's own HTTP API (forwarding included) and decodes a
    /// 200 answer; any other status is an error with the body.
    pub async fn internal_json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        uri: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Option<T>, String> {
        let (_, bytes) = self.internal_call(method, uri, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{method} {uri}: {e}"))
    }

    /// Sends a request through this agent's own HTTP API (forwarding included); a 200 answer's
    /// headers and body, any other status is an error with the body.
    pub async fn internal_call(
        &self,
        method: &str,
        uri: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(axum::http::HeaderMap, bytes::Bytes), String> {
        let router = self
            .router
            .get()
            .cloned()
            .ok_or("the HTTP API is not running yet")?;
        let req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .body(axum::body::Body::from(body.unwrap_or_default()))
            .map_err(|e| e.to_string())?;
        let resp = match tower::ServiceExt::oneshot(router, req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .map_err(|e| e.to_string())?;
        if status != axum::http::StatusCode::OK {
            return Err(format!(
                "{method} {uri}: {status}: {}",
                String::from_utf8_lossy(&bytes).trim()
            ));
        }
        Ok((headers, bytes))
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

    /// `?dc=` naming another datacenter is an error until WAN federation exists.
    pub fn check_dc(&self, p: &Params) -> Result<(), HttpError> {
        match p.get("dc") {
            Some(dc) if !dc.is_empty() && dc != self.config.datacenter => Err(HttpError::internal(
                format!("No path to datacenter: {dc:?} is not known to this agent"),
            )),
            _ => Ok(()),
        }
    }

    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            default_wait: self.config.default_query_time,
            max_wait: self.config.max_query_time,
        }
    }

    /// Raft, or a 500 on a client agent (whose requests for server state are forwarded before
    /// they reach a handler, so this is a guard, not a path users take).
    pub fn raft(&self) -> Result<&Arc<RaftNode>, HttpError> {
        self.raft.as_ref().ok_or_else(|| {
            HttpError::internal("this agent is not a server: it holds no Raft state")
        })
    }

    /// Raft, on a server.
    pub fn raft_opt(&self) -> Option<&Arc<RaftNode>> {
        self.raft.as_ref()
    }

    /// The read headers for a result at `index`.
    pub fn query_meta(&self, index: u64, consistency: http::Consistency) -> http::QueryMeta {
        http::QueryMeta {
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
    pub async fn write(&self, cmd: Command) -> Result<(u64, CommandResult), HttpError> {
        self.raft()?.write(cmd).await.map_err(|e| match e {
            WriteError::NoLeader => HttpError::no_leader(),
            #[allow(unreachable_patterns)]
            other => HttpError::internal(other.to_string()),
        })
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
                tags: serf_tags(&self.config, &self.node_id),
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
fn serf_tags(c: &RuntimeConfig, node_id: &str) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    tags.insert(
        "role".into(),
        if c.server { "consul" } else { "node" }.into(),
    );
    tags.insert("dc".into(), c.datacenter.clone());
    tags.insert("id".into(), node_id.to_string());
    tags.insert("build".into(), format!("{}:sd", crate::VERSION));
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
    }
    tags
}

/// Starts the LAN gossip member for this agent.
async fn start_gossip(
    c: &RuntimeConfig,
    node_id: &str,
    data_dir: &DataDir,
) -> Result<gossip::Gossip, AgentError> {
    let port = u16::try_from(c.ports.serf_lan).unwrap_or(8301);
    let bind_ip = c.serf_lan_addr.unwrap_or(c.bind_addr);
    let cfg = gossip::GossipConfig {
        node_name: c.node_name.clone(),
        node_id: node_id.to_string(),
        datacenter: c.datacenter.clone(),
        bind: SocketAddr::new(bind_ip, port),
        advertise: SocketAddr::new(advertise_addr(c), port),
        tags: serf_tags(c, node_id),
        timing: if c.dev {
            gossip::GossipTiming::dev()
        } else {
            gossip::GossipTiming::lan()
        },
        snapshot_path: Some(data_dir.path().join("serf").join("local.snapshot")),
        rejoin_after_leave: c.rejoin_after_leave,
    };
    gossip::Gossip::start(cfg)
        .await
        .map_err(|e| AgentError::Gossip(e.to_string()))
}

/// Starts the agent and serves until SIGINT or SIGTERM. `ready` is called once the HTTP API
/// listens, with the banner lines to show.
pub async fn run(
    config: RuntimeConfig,
    reloader: Option<reload::Reloader>,
    ready: impl FnOnce(Vec<(String, String)>),
) -> Result<(), AgentError> {
    for name in &config.not_yet_supported {
        tracing::warn!("{name} is accepted but not supported by sd yet; it has no effect");
    }
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    if config.enable_script_checks {
        tracing::warn!(
            "enable_script_checks is on: anyone who can reach the HTTP API can run commands on this host through a script check (remote code execution); use enable_local_script_checks to allow script checks from config files only"
        );
    }
    // -dev keeps its data in a directory removed at exit.
    let (dev_dir, dir_path) = match (&config.data_dir, config.dev) {
        (Some(p), _) => (None, p.clone()),
        (None, true) => {
            let t = tempfile::Builder::new()
                .prefix("sd-dev-")
                .tempdir()
                .map_err(AgentError::DevDir)?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
        (None, false) => return Err(AgentError::NoDataDir),
    };
    let data_dir = DataDir::open(&dir_path)?;
    let node_id = data_dir.node_id(config.node_id.as_deref())?;
    let store = Store::new();
    let rpc_client = rpc::RpcClient::new();
    // Servers bind the server RPC port before anything starts: a taken port is a start-up
    // error. Then Raft opens its log.
    let server = if config.server {
        Some(start_server(&config, &node_id, &data_dir, &store, &rpc_client).await?)
    } else {
        None
    };
    let gossip = start_gossip(&config, &node_id, &data_dir).await?;

    let http_addrs: Vec<SocketAddr> = match u16::try_from(config.ports.http) {
        Ok(port) => config
            .http_listen
            .ips
            .iter()
            .map(|ip| SocketAddr::new(*ip, port))
            .collect(),
        Err(_) => Vec::new(),
    };
    let listeners = http::bind(&http_addrs).await.map_err(AgentError::Listen)?;
    let unix_listeners = http::bind_unix(&config.http_listen.unix, &config.unix_socket_perms)
        .map_err(AgentError::Listen)?;
    let (raft, rpc_listener) = match server {
        Some((raft, listener)) => (Some(raft), Some(listener)),
        None => (None, None),
    };
    let mut agent = Agent::new(config, node_id, store, raft, rpc_client, gossip);
    agent.persisted = local::persist::Persisted::open(data_dir.path()).map_err(|e| {
        AgentError::Config(format!(
            "cannot create the registration directories in {}: {e}",
            data_dir.path().display()
        ))
    })?;
    let agent = Arc::new(agent);
    let router = http::router(agent.clone());
    let _ = agent.router.set(router.clone());
    if let Some(r) = reloader {
        let _ = agent.reloader.set(r);
    }
    reload::load_initial(&agent).map_err(AgentError::Config)?;
    let dns = dns::DnsServer::start(agent.clone())
        .await
        .map_err(AgentError::Listen)?;
    let mut tasks = Vec::new();
    let rpc_server = match (rpc_listener, agent.raft_opt()) {
        (Some(listener), Some(raft)) => {
            tasks.push(tokio::spawn(tombstones::run(agent.clone(), raft.clone())));
            tasks.push(tokio::spawn(cluster::run(agent.clone(), raft.clone())));
            tasks.push(tokio::spawn(reconcile::run(agent.clone(), raft.clone())));
            Some(rpc::RpcServer::spawn(
                listener,
                rpc::router(raft.clone(), Some(router.clone())),
            ))
        }
        _ => None,
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut servers = Vec::new();
    for l in listeners {
        servers.push(tokio::spawn(http::serve(
            l,
            router.clone(),
            stop_rx.clone(),
        )));
    }
    for l in unix_listeners {
        servers.push(tokio::spawn(http::serve(
            l,
            router.clone(),
            stop_rx.clone(),
        )));
    }
    tasks.push(tokio::spawn(local::sync::run(agent.clone())));
    let updates = agent
        .check_updates
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(rx) = updates {
        tasks.push(tokio::spawn(local::reaper::apply_updates(
            agent.clone(),
            rx,
        )));
    }
    tasks.push(tokio::spawn(local::reaper::run(
        agent.clone(),
        local::reaper::REAP_EVERY,
    )));
    let join_failed = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    tasks.push({
        let agent = agent.clone();
        let join_failed = join_failed.clone();
        tokio::spawn(async move {
            let c = &agent.config;
            if let Err(e) =
                cluster::join(&agent.gossip, &c.retry_join, c.retry_interval, c.retry_max).await
            {
                tracing::error!("{e}");
                *join_failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                agent.stop.notify_one();
            }
        })
    });
    ready(banner(&agent));
    tracing::info!(node = %agent.config.node_name, id = %agent.node_id, "agent started");

    let mut signals = Signals::new();
    let leave = loop {
        tokio::select! {
            signal = signals.next() => match signal {
                Signal::Hangup => {
                    tracing::info!("caught SIGHUP, reloading configuration");
                    if let Err(e) = reload::reload(&agent) {
                        tracing::error!("Failed to reload configs: {e}");
                    }
                }
                Signal::Terminate => {
                    tracing::info!("caught signal, shutting down");
                    break agent.config.leave_on_terminate;
                }
                Signal::Interrupt => {
                    tracing::info!("caught signal, shutting down");
                    break !agent.config.skip_leave_on_interrupt;
                }
            },
            _ = agent.stop.notified() => {
                tracing::info!("shutting down");
                break false;
            }
        }
    };
    if leave {
        // Clients leave on SIGINT and SIGTERM by default (servers do not): others see `left`.
        if let Err(e) = agent.gossip.leave().await {
            tracing::warn!("graceful leave failed: {e}");
        }
    }
    let _ = stop_tx.send(true);
    if let Some(dns) = dns {
        dns.stop().await;
    }
    for t in &tasks {
        t.abort();
    }
    agent.checks.stop_all();
    agent.gossip.shutdown().await;
    if let Some(rpc_server) = rpc_server {
        rpc_server.stop(std::time::Duration::from_secs(2)).await;
    }
    for s in servers {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s).await;
    }
    if let Some(raft) = agent.raft_opt() {
        raft.shutdown().await;
    }
    drop(data_dir);
    drop(dev_dir);
    let join_error = join_failed.lock().unwrap_or_else(|p| p.into_inner()).take();
    match join_error {
        Some(e) => Err(AgentError::Join(e)),
        None => Ok(()),
    }
}

/// A server's own parts: the RPC listener (bound first, so a taken port fails start-up) and
/// Raft with its log, bootstrapped alone with `-bootstrap`, `-bootstrap-expect=1` or `-dev`.
async fn start_server(
    config: &RuntimeConfig,
    node_id: &str,
    data_dir: &DataDir,
    store: &Arc<Store>,
    rpc_client: &rpc::RpcClient,
) -> Result<(Arc<RaftNode>, tokio::net::TcpListener), AgentError> {
    let rpc_port = u16::try_from(config.ports.server).unwrap_or(8300);
    let listener = rpc::bind(SocketAddr::new(config.bind_addr, rpc_port)).await?;
    let me = ServerNode {
        id: node_id.to_string(),
        name: config.node_name.clone(),
        addr: SocketAddr::new(advertise_addr(config), rpc_port).to_string(),
    };
    let raft = RaftNode::open(
        &data_dir.raft_dir(),
        me,
        &config.raft,
        store.clone(),
        rpc_client.clone(),
    )
    .await
    .map_err(|e| AgentError::Raft(e.to_string()))?;
    let raft = Arc::new(raft);
    if config.bootstrap || config.dev || config.bootstrap_expect == 1 {
        raft.bootstrap_single()
            .await
            .map_err(|e| AgentError::Raft(e.to_string()))?;
    }
    Ok((raft, listener))
}

fn banner(agent: &Agent) -> Vec<(String, String)> {
    let c = &agent.config;
    let clients: Vec<String> = c.client_addrs.iter().map(ToString::to_string).collect();
    vec![
        ("Version".into(), format!("'{}'", crate::VERSION)),
        ("Node ID".into(), format!("'{}'", agent.node_id)),
        ("Node name".into(), format!("'{}'", c.node_name)),
        (
            "Datacenter".into(),
            format!("'{}' (Segment: '<all>')", c.datacenter),
        ),
        (
            "Server".into(),
            format!("{} (Bootstrap: {})", c.server, c.bootstrap || c.dev),
        ),
        (
            "Client Addr".into(),
            format!(
                "[{}] (HTTP: {}, HTTPS: {}, gRPC: {}, DNS: {})",
                clients.join(" "),
                c.ports.http,
                c.ports.https,
                c.ports.grpc,
                c.ports.dns
            ),
        ),
        (
            "Cluster Addr".into(),
            format!(
                "{} (LAN: {}, WAN: {})",
                agent.advertise(),
                c.ports.serf_lan,
                c.ports.serf_wan
            ),
        ),
        (
            "Data Dir".into(),
            c.data_dir
                .as_ref()
                .map_or("(temporary, -dev)".into(), |p| p.display().to_string()),
        ),
    ]
}

/// A signal the agent acts on.
enum Signal {
    Terminate,
    Interrupt,
    Hangup,
}

/// SIGTERM, SIGINT and SIGHUP, installed once.
struct Signals {
    handlers: Option<(
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
    )>,
}

impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        let handlers = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(t), Ok(i), Ok(h)) => Some((t, i, h)),
            _ => None,
        };
        Signals { handlers }
    }

    async fn next(&mut self) -> Signal {
        let Some((term, int, hup)) = self.handlers.as_mut() else {
            // Without signal handlers, run until killed.
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => Signal::Terminate,
            _ = int.recv() => Signal::Interrupt,
            _ = hup.recv() => Signal::Hangup,
        }
    }
}
