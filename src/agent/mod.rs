//! The agent: a server (Raft + replicated state) with its HTTP API; client agents arrive with
//! the cluster work.
//!
//! Nothing outside imports its internals: `commands::agent` calls [`run`]. It may use `api` and
//! `config`, never `client`, `commands`, `docker` or `template`.

mod data_dir;
pub mod http;
pub mod raft;
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
    #[error("sd agent without -server is not supported yet: client agents need gossip (a later release); start with -server")]
    ClientMode,
    #[error("data_dir is required; set -data-dir or data_dir in a config file (or use -dev)")]
    NoDataDir,
}

/// A running agent, shared by every HTTP handler.
pub struct Agent {
    pub config: RuntimeConfig,
    pub node_id: String,
    pub store: Arc<Store>,
    pub raft: RaftNode,
    pub started: Instant,
}

impl Agent {
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

    /// The read headers for a result at `index`.
    pub fn query_meta(&self, index: u64, consistency: http::Consistency) -> http::QueryMeta {
        http::QueryMeta {
            index,
            known_leader: self.raft.leader_addr().is_some(),
            last_contact_ms: self.raft.last_contact_ms(),
            consistency,
        }
    }

    /// Writes `cmd` through Raft and returns the log index it was applied at and its result.
    pub async fn write(&self, cmd: Command) -> Result<(u64, CommandResult), HttpError> {
        self.raft.write(cmd).await.map_err(|e| match e {
            WriteError::NoLeader => HttpError::no_leader(),
            #[allow(unreachable_patterns)]
            other => HttpError::internal(other.to_string()),
        })
    }

    /// This agent as a gossip member, with the tags Consul's servers carry.
    pub fn member(&self) -> AgentMember {
        let c = &self.config;
        let mut tags = BTreeMap::new();
        tags.insert(
            "role".into(),
            if c.server { "consul" } else { "node" }.into(),
        );
        tags.insert("dc".into(), c.datacenter.clone());
        tags.insert("id".into(), self.node_id.clone());
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
        AgentMember {
            name: c.node_name.clone(),
            addr: self.advertise().to_string(),
            port: u16::try_from(c.ports.serf_lan).unwrap_or(0),
            tags,
            status: crate::api::agent::member_status::ALIVE,
            protocol_min: 1,
            protocol_max: 5,
            protocol_cur: 2,
            delegate_min: 2,
            delegate_max: 5,
            delegate_cur: 4,
        }
    }

    fn advertise(&self) -> std::net::IpAddr {
        advertise_addr(&self.config)
    }
}

fn advertise_addr(c: &RuntimeConfig) -> std::net::IpAddr {
    c.advertise_addr.unwrap_or(c.bind_addr)
}

/// Starts the agent and serves until SIGINT or SIGTERM. `ready` is called once the HTTP API
/// listens, with the banner lines to show.
pub async fn run(
    config: RuntimeConfig,
    ready: impl FnOnce(Vec<(String, String)>),
) -> Result<(), AgentError> {
    if !config.server {
        return Err(AgentError::ClientMode);
    }
    for name in &config.not_yet_supported {
        tracing::warn!("{name} is accepted but not supported by sd yet; it has no effect");
    }
    for warning in &config.warnings {
        tracing::warn!("{warning}");
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
    let me = ServerNode {
        id: node_id.clone(),
        name: config.node_name.clone(),
        addr: SocketAddr::new(
            advertise_addr(&config),
            u16::try_from(config.ports.server).unwrap_or(8300),
        )
        .to_string(),
    };
    let raft = RaftNode::open(&data_dir.raft_dir(), me, &config.raft, store.clone())
        .await
        .map_err(|e| AgentError::Raft(e.to_string()))?;
    if config.bootstrap || config.dev || config.bootstrap_expect == 1 {
        raft.bootstrap_single()
            .await
            .map_err(|e| AgentError::Raft(e.to_string()))?;
    } else {
        tracing::warn!("no -bootstrap: waiting for a leader; forming a cluster with other servers arrives with gossip support");
    }

    let http_addrs: Vec<SocketAddr> = match u16::try_from(config.ports.http) {
        Ok(port) => config
            .client_addrs
            .iter()
            .map(|ip| SocketAddr::new(*ip, port))
            .collect(),
        Err(_) => Vec::new(),
    };
    let listeners = http::bind(&http_addrs).await.map_err(AgentError::Listen)?;
    let agent = Arc::new(Agent {
        config,
        node_id,
        store,
        raft,
        started: Instant::now(),
    });
    let router = http::router(agent.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut servers = Vec::new();
    for l in listeners {
        let mut rx = stop_rx.clone();
        let app = router.clone();
        servers.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            axum::serve(l, app).with_graceful_shutdown(shutdown).await
        }));
    }
    let reaper = tokio::spawn(tombstones::run(agent.clone()));
    ready(banner(&agent));
    tracing::info!(node = %agent.config.node_name, id = %agent.node_id, "agent started");

    wait_for_signal().await;
    tracing::info!("caught signal, shutting down");
    let _ = stop_tx.send(true);
    reaper.abort();
    for s in servers {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s).await;
    }
    agent.raft.shutdown().await;
    drop(data_dir);
    drop(dev_dir);
    Ok(())
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

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers, run until killed.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
