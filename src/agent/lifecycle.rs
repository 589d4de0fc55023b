//! The agent's lifecycle in two steps, as mini-redis splits `run`: [`Agent::bind`] opens the
//! data directory and binds every socket (HTTP, unix sockets, DNS, server RPC, gossip), so a
//! taken port fails start-up and a port 0 becomes the port the kernel chose, written back into
//! the configuration; [`BoundAgent::serve`] starts the background tasks and serves until the
//! shutdown future resolves or the agent stops itself. Signals belong to the caller
//! (`commands::agent`); tests start real agents in-process the same way, on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::TapIo;
use tokio::net::{TcpListener, TcpStream};

use super::data_dir::DataDir;
use super::dns::{DnsListeners, DnsServer};
use super::raft::{RaftNode, ServerNode};
use super::state::Store;
use super::tls::{AgentTls, Plain, TlsError, TlsListener};
use super::{
    acl_replication, advertise_addr, autopilot, cluster, coordinates, events, gossip, http, local,
    reconcile, reload, rpc, serf_tags, sessions, tombstones, wan, Agent, AgentError,
};
use crate::config::RuntimeConfig;

/// How long a TLS handshake may take (Consul's `limits.https_handshake_timeout` and
/// `rpc_handshake_timeout` default).
const HANDSHAKE: Duration = Duration::from_secs(5);

/// How a serving agent stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Leave the gossip pool first, so others see this node `left` (not `failed`).
    Leave,
    /// Stop at once, as a crash looks to the others.
    Stop,
}

/// What the caller gives an agent besides its configuration.
pub struct Options {
    /// Reads the configuration again on a reload (`None`: reloads keep the running one).
    pub reloader: Option<reload::Reloader>,
    /// The process's log lines, for `/v1/agent/monitor` (`None`: it answers that none are
    /// available).
    pub log_monitor: Option<super::monitor::LogMonitor>,
    /// The version the agent reports (banner, gossip tags, `/v1/agent/self`).
    pub version: &'static str,
}

/// An agent whose sockets are all bound and whose state is open, not serving yet.
pub struct BoundAgent {
    agent: Arc<Agent>,
    /// The HTTP API (it holds the agent; the agent does not hold it).
    router: axum::Router,
    http: Vec<tokio::net::TcpListener>,
    /// The HTTPS API's sockets (`ports.https`), served through `agent::tls`.
    https: Vec<tokio::net::TcpListener>,
    unix: Vec<tokio::net::UnixListener>,
    dns: Option<DnsListeners>,
    rpc: Option<tokio::net::TcpListener>,
    /// The checks' results, for the task that applies them.
    check_updates: tokio::sync::mpsc::Receiver<crate::agent::checks::CheckUpdate>,
    data_dir: DataDir,
    /// `-dev`'s temporary data directory, removed when the agent stops.
    dev_dir: Option<tempfile::TempDir>,
}

impl Agent {
    /// Opens the data directory (and on a server the Raft log), binds every socket and loads
    /// the services and checks of the configuration.
    pub async fn bind(
        mut config: RuntimeConfig,
        options: Options,
    ) -> Result<BoundAgent, AgentError> {
        log_config_warnings(&config);
        // -dev keeps its data in a directory removed at exit, in memory (tmpfs) where the
        // machine has one: Consul's -dev keeps its state in memory too.
        let (dev_dir, dir_path) = match (&config.data_dir, config.dev) {
            (Some(p), _) => (None, p.clone()),
            (None, true) => {
                // In the tmpfs of POSIX shared memory when there is one: nothing reaches a
                // disk and syncs cost nothing.
                let t = super::memory_tempdir("sd-dev-").map_err(AgentError::DevDir)?;
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
            (None, false) => return Err(AgentError::NoDataDir),
        };
        let data_dir = DataDir::open(&dir_path)?;
        if config.free_ports {
            // Every enabled port becomes 0: the kernel picks, and the bound ports are written
            // back below.
            let p = &mut config.ports;
            for port in [
                &mut p.http,
                &mut p.https,
                &mut p.dns,
                &mut p.server,
                &mut p.serf_lan,
                &mut p.serf_wan,
            ] {
                if *port >= 0 {
                    *port = 0;
                }
            }
        }
        let node_id = data_dir.node_id(config.node_id.as_deref())?;
        let tls = AgentTls::load(&config.tls, config.server, config.ports.https)?;

        let rpc_listener = if config.server {
            let port = u16::try_from(config.ports.server).unwrap_or(8300);
            let l = rpc::bind(SocketAddr::new(config.bind_addr, port)).await?;
            config.ports.server = i32::from(local_port(&l)?);
            Some(l)
        } else {
            None
        };
        let http = match u16::try_from(config.ports.http) {
            Ok(port) => {
                let ls = http::bind(&config.http_listen.ips, port)
                    .await
                    .map_err(AgentError::Listen)?;
                if let Some(l) = ls.first() {
                    config.ports.http = i32::from(local_port(l)?);
                }
                ls
            }
            Err(_) => Vec::new(),
        };
        let https = match u16::try_from(config.ports.https) {
            Ok(port) => {
                let ls = http::bind(&config.https_addrs, port)
                    .await
                    .map_err(AgentError::Listen)?;
                if let Some(l) = ls.first() {
                    config.ports.https = i32::from(local_port(l)?);
                }
                ls
            }
            Err(_) => Vec::new(),
        };
        let unix = http::bind_unix(&config.http_listen.unix, &config.unix_socket_perms)
            .map_err(AgentError::Listen)?;
        let dns = DnsListeners::bind(&config.client_addrs, config.ports.dns)
            .await
            .map_err(AgentError::Listen)?;
        if let Some(port) = dns.as_ref().and_then(DnsListeners::port) {
            config.ports.dns = i32::from(port);
        }

        let store = Store::new();
        let rpc_client = match &tls.rpc_client {
            Some(c) => rpc::RpcClient::with_tls(c.clone(), &server_name(&config))
                .map_err(|e| AgentError::Tls(TlsError::Config(e.to_string())))?,
            None => rpc::RpcClient::new(),
        };
        let raft = match &rpc_listener {
            Some(_) => Some(open_raft(&config, &node_id, &data_dir, &store, &rpc_client).await?),
            None => None,
        };
        // The WAN pool first: the LAN tags carry its port (`wan_join_port`).
        let mut wan_tags = serf_tags(&config, &node_id, options.version);
        wan_tags.remove("wan_join_port");
        let gossip_thread = gossip::GossipThread::spawn("gossip")?;
        let wan = wan::start(&config, &node_id, data_dir.path(), wan_tags, &gossip_thread).await?;
        if let Some(w) = &wan {
            config.ports.serf_wan = i32::from(w.advertise().port());
        }
        let gossip = start_gossip(
            &config,
            &node_id,
            &data_dir,
            options.version,
            &gossip_thread,
        )
        .await?;
        drop(gossip_thread);
        config.ports.serf_lan = i32::from(gossip.advertise().port());

        log_listeners(
            &config,
            &http,
            &https,
            dns.as_ref(),
            rpc_listener.as_ref(),
            &gossip,
            wan.as_ref(),
        );
        let (mut agent, check_updates) = Agent::new(
            config,
            node_id,
            store,
            raft,
            rpc_client,
            gossip,
            options.version,
        );
        agent.tls = tls;
        agent.wan = wan;
        agent.persisted = local::persist::Persisted::open(data_dir.path()).map_err(|source| {
            AgentError::Persist {
                dir: data_dir.path().to_path_buf(),
                source,
            }
        })?;
        if agent.config.ui_enabled {
            agent.ui = Some(super::ui::Ui::new(&agent).map_err(AgentError::Ui)?);
        }
        http::load_persisted_tokens(&agent);
        let agent = Arc::new(agent);
        let router = http::router(agent.clone());
        if let Some(m) = options.log_monitor {
            let _ = agent.log_monitor.set(m);
        }
        if let Some(r) = options.reloader {
            let _ = agent.reloader.set(r);
        }
        reload::load_initial(&agent).map_err(AgentError::Config)?;
        Ok(BoundAgent {
            agent,
            router,
            http,
            https,
            unix,
            dns,
            rpc: rpc_listener,
            check_updates,
            data_dir,
            dev_dir,
        })
    }
}

impl BoundAgent {
    /// The agent, to act on while it serves (a reload, a test's reads).
    pub fn agent(&self) -> &Arc<Agent> {
        &self.agent
    }

    /// The HTTP API the listeners serve (a test can send it requests in-process).
    pub fn http_router(&self) -> axum::Router {
        self.router.clone()
    }

    /// The lines `sd agent` prints before the logs start, Consul's banner.
    pub fn banner(&self) -> Vec<(String, String)> {
        banner(&self.agent)
    }

    /// Serves until `shutdown` resolves or the agent stops itself (a graceful leave through the
    /// API, exhausted join retries), then stops every task and releases the data directory.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = Shutdown>,
    ) -> Result<(), AgentError> {
        let BoundAgent {
            agent,
            router,
            http,
            https,
            unix,
            dns,
            rpc,
            check_updates,
            data_dir,
            dev_dir,
        } = self;
        let dns = match dns {
            Some(listeners) => {
                Some(DnsServer::start(listeners, agent.clone()).map_err(AgentError::Listen)?)
            }
            None => None,
        };
        let mut tasks = Vec::new();
        let rpc_server = match (rpc, agent.raft_opt()) {
            (Some(listener), Some(raft)) => {
                tasks.push(tokio::spawn(tombstones::run(agent.clone(), raft.clone())));
                tasks.push(tokio::spawn(cluster::run(agent.clone(), raft.clone())));
                tasks.push(tokio::spawn(reconcile::run(agent.clone(), raft.clone())));
                tasks.push(tokio::spawn(sessions::run(agent.clone(), raft.clone())));
                tasks.push(tokio::spawn(autopilot::run(agent.clone(), raft.clone())));
                tasks.push(tokio::spawn(acl_replication::run(
                    agent.clone(),
                    raft.clone(),
                )));
                if !agent.config.coordinates.disabled {
                    tasks.push(tokio::spawn(coordinates::run_batches(
                        agent.clone(),
                        raft.clone(),
                    )));
                }
                let rpc_router = rpc::router(raft.clone(), Some(router.clone()));
                Some(match &agent.tls.rpc_server {
                    Some(config) => {
                        let plain = match agent.tls.rpc_verify_incoming {
                            true => Plain::Refuse,
                            false => Plain::Serve,
                        };
                        let l = TlsListener::new(listener, config.clone(), plain, HANDSHAKE, "rpc")
                            .map_err(AgentError::Listen)?;
                        rpc::RpcServer::spawn(l, rpc_router)
                    }
                    None => rpc::RpcServer::spawn(no_delay(listener), rpc_router),
                })
            }
            _ => None,
        };
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut servers = Vec::new();
        for l in http {
            servers.push(tokio::spawn(http::serve(
                no_delay(l),
                router.clone(),
                stop_rx.clone(),
            )));
        }
        if let Some(config) = &agent.tls.https {
            for l in https {
                let l = TlsListener::new(l, config.clone(), Plain::AnswerHttps, HANDSHAKE, "https")
                    .map_err(AgentError::Listen)?;
                servers.push(tokio::spawn(http::serve(
                    l,
                    router.clone(),
                    stop_rx.clone(),
                )));
            }
        }
        for l in unix {
            servers.push(tokio::spawn(http::serve(
                l,
                router.clone(),
                stop_rx.clone(),
            )));
        }
        tasks.push(tokio::spawn(local::sync::run(agent.clone())));
        tasks.push(tokio::spawn(events::run(agent.clone())));
        if !agent.config.coordinates.disabled {
            tasks.push(tokio::spawn(coordinates::run_sender(agent.clone())));
        }
        tasks.push(tokio::spawn(local::reaper::apply_updates(
            agent.clone(),
            check_updates,
        )));
        tasks.push(tokio::spawn(local::reaper::run(
            agent.clone(),
            local::reaper::REAP_EVERY,
        )));
        tasks.push(tokio::spawn(wan::flood(agent.clone())));
        let joining = tokio::spawn(join(agent.clone()));
        let joining_wan = tokio::spawn(wan::join(agent.clone()));
        tracing::info!(node = %agent.config.node_name, id = %agent.node_id, "agent started");

        let how = tokio::select! {
            how = shutdown => how,
            _ = agent.stop.notified() => {
                tracing::info!("shutting down");
                Shutdown::Stop
            }
        };
        if how == Shutdown::Leave {
            // A server leaves the WAN pool first, then its datacenter (as Consul does).
            if let Some(wan) = &agent.wan {
                if let Err(e) = wan.leave().await {
                    tracing::warn!("graceful leave of the WAN pool failed: {e}");
                }
            }
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
        if let Some(wan) = &agent.wan {
            wan.shutdown().await;
        }
        if let Some(rpc_server) = rpc_server {
            rpc_server.stop(Duration::from_secs(2)).await;
        }
        for s in servers {
            let _ = tokio::time::timeout(Duration::from_secs(5), s).await;
        }
        if let Some(raft) = agent.raft_opt() {
            raft.shutdown().await;
        }
        drop(data_dir);
        drop(dev_dir);
        // A join that ran out of retries stopped the agent: that is its exit status.
        for j in [&joining, &joining_wan] {
            if !j.is_finished() {
                j.abort();
            }
        }
        match (joining.await, joining_wan.await) {
            (Ok(Err(e)), _) | (_, Ok(Err(e))) => Err(AgentError::Join(e)),
            _ => Ok(()),
        }
    }
}

/// Joins the addresses of `-join`/`-retry-join`; when the retries run out, stops the agent and
/// returns why.
async fn join(agent: Arc<Agent>) -> Result<(), cluster::JoinError> {
    let c = &agent.config;
    let joined = cluster::join(&agent.gossip, &c.retry_join, c.retry_interval, c.retry_max).await;
    if let Err(e) = &joined {
        tracing::error!("{e}");
        agent.stop.notify_one();
    }
    joined
}

/// Says where the agent listens, one line per socket in Consul's words (`Started HTTP server`
/// ...), with the bound addresses: a port 0 shows as the port chosen.
fn log_listeners(
    config: &RuntimeConfig,
    http: &[tokio::net::TcpListener],
    https: &[tokio::net::TcpListener],
    dns: Option<&DnsListeners>,
    rpc: Option<&tokio::net::TcpListener>,
    gossip: &gossip::Gossip,
    wan: Option<&gossip::Gossip>,
) {
    for l in http {
        if let Ok(a) = l.local_addr() {
            tracing::info!(address = %a, network = %"tcp", "Started HTTP server");
        }
    }
    for l in https {
        if let Ok(a) = l.local_addr() {
            tracing::info!(address = %a, network = %"tcp", "Started HTTPS server");
        }
    }
    for path in &config.http_listen.unix {
        tracing::info!(address = %path.display(), network = %"unix", "Started HTTP server");
    }
    if let Some(d) = dns {
        for a in d.addrs() {
            tracing::info!(address = %a, network = %"udp+tcp", "Started DNS server");
        }
    }
    if let Some(Ok(a)) = rpc.map(tokio::net::TcpListener::local_addr) {
        tracing::info!(address = %a, network = %"tcp", "Started server RPC listener");
    }
    tracing::info!(address = %gossip.advertise(), network = %"udp+tcp", "Started serf LAN");
    if let Some(w) = wan {
        tracing::info!(address = %w.advertise(), network = %"udp+tcp", "Started serf WAN");
    }
}

/// The name servers' certificates carry: `server.<datacenter>.<domain>` (Consul's).
fn server_name(config: &RuntimeConfig) -> String {
    format!(
        "server.{}.{}",
        config.datacenter,
        config.domain.trim_end_matches('.')
    )
}

fn log_config_warnings(config: &RuntimeConfig) {
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
}

fn local_port(l: &tokio::net::TcpListener) -> Result<u16, AgentError> {
    l.local_addr().map(|a| a.port()).map_err(AgentError::Listen)
}

/// Opens Raft with its log, bootstrapped alone with `-bootstrap`, `-bootstrap-expect=1` or
/// `-dev`. The RPC port is already bound (`config.ports.server` is the bound one).
async fn open_raft(
    config: &RuntimeConfig,
    node_id: &str,
    data_dir: &DataDir,
    store: &Arc<Store>,
    rpc_client: &rpc::RpcClient,
) -> Result<Arc<RaftNode>, AgentError> {
    let rpc_port = u16::try_from(config.ports.server).unwrap_or(8300);
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
    .await?;
    let raft = Arc::new(raft);
    if config.bootstrap || config.dev || config.bootstrap_expect == 1 {
        raft.bootstrap_single().await?;
    }
    Ok(raft)
}

/// Starts the LAN gossip member for this agent on `thread`.
async fn start_gossip(
    c: &RuntimeConfig,
    node_id: &str,
    data_dir: &DataDir,
    version: &str,
    thread: &gossip::GossipThread,
) -> Result<gossip::Gossip, AgentError> {
    let port = u16::try_from(c.ports.serf_lan).unwrap_or(8301);
    let bind_ip = c.serf_lan_addr.unwrap_or(c.bind_addr);
    let cfg = gossip::GossipConfig {
        pool: gossip::Pool::Lan,
        node_name: c.node_name.clone(),
        node_id: node_id.to_string(),
        datacenter: c.datacenter.clone(),
        bind: SocketAddr::new(bind_ip, port),
        advertise: SocketAddr::new(advertise_addr(c), port),
        tags: serf_tags(c, node_id, version),
        timing: gossip::GossipTiming {
            reconnect_timeout: c.reconnect_timeout,
            ..if c.dev {
                gossip::GossipTiming::dev()
            } else {
                gossip::GossipTiming::lan()
            }
        }
        .tuned(&c.gossip_lan),
        snapshot_path: Some(data_dir.path().join("serf").join("local.snapshot")),
        rejoin_after_leave: c.rejoin_after_leave,
        encryption: gossip_encryption(c, data_dir.path(), "local.keyring"),
    };
    gossip::Gossip::start_on(cfg, thread)
        .await
        .map_err(AgentError::from)
}

/// A gossip pool's encryption settings: the `encrypt` key, the `encrypt_verify_*` flags and
/// its keyring file `serf/<keyring>` (none with `disable_keyring_file` or `-dev`).
pub(super) fn gossip_encryption(
    c: &RuntimeConfig,
    data_dir: &std::path::Path,
    keyring: &str,
) -> gossip::EncryptionConfig {
    gossip::EncryptionConfig {
        keys: c.encrypt.iter().cloned().collect(),
        keyring_file: (!c.disable_keyring_file && !c.dev)
            .then(|| data_dir.join("serf").join(keyring)),
        verify_incoming: c.encrypt_verify_incoming,
        verify_outgoing: c.encrypt_verify_outgoing,
    }
}

fn banner(agent: &Agent) -> Vec<(String, String)> {
    let c = &agent.config;
    let clients: Vec<String> = c.client_addrs.iter().map(ToString::to_string).collect();
    vec![
        ("Version".into(), format!("'{}'", agent.version)),
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
            "Encrypt".into(),
            format!(
                "Gossip: {}, TLS-Outgoing: {}, TLS-Incoming: {}, Auto-Encrypt-TLS: false",
                agent.gossip.encrypted(),
                agent.tls.rpc_client.is_some(),
                agent.tls.rpc_verify_incoming
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

/// A TCP listener whose connections have Nagle's algorithm off, as Go's listeners (and so
/// Consul's) have them. With it on, the second part of a reply written in two (an HTTP/2
/// frame after the one before it, say) waits until the peer acknowledges the first, which
/// Linux may delay by up to 40 ms: a Raft round trip that stalls now and then. (TLS
/// listeners set it on each connection before the handshake.)
fn no_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    use axum::serve::ListenerExt;
    listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    })
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let mut listener = super::no_delay(tcp);
        let _client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (stream, _) = listener.accept().await;
        assert!(stream.nodelay().unwrap());
    }
}
