//! The DNS interface (Consul's port 8600, UDP and TCP): finds healthy service instances, nodes
//! and address owners under the agent's domain with hickory-server, and forwards other names to
//! the recursors. Servers answer from their replicated state, client agents from a cache kept
//! fresh with blocking queries, so no query waits on a server once a name is warm.
//!
//! Files: `name` (query names), `view` (what answers are made of), `local` and `cache` (where
//! views come from on servers and clients) behind `source`, `records` (record shapes), `answer`
//! (one question to a reply), `fast` (replies from pre-encoded records for the commonest
//! question over UDP), `trim` (size limits), `recursor` (forwarding), `handler`
//! (hickory's request handler), `udp` (the UDP receive loops; TCP is hickory-server's),
//! `settings` (configuration).
//!
//! Uses the catalog only through its public queries and `agent.store`, and a client agent's
//! cache through the agent's typed calls (`endpoints::catalog`); must not import
//! `agent::http`.
//!
//! Must not import: `agent::http` (checked by tests/architecture.rs).

mod answer;
mod cache;
mod fast;
mod handler;
mod local;
mod name;
mod question;
mod records;
mod recursor;
mod reply;
mod settings;
mod source;
mod trim;
mod udp;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_server::ServerFuture;

use crate::agent::Agent;

/// How long an idle TCP connection stays open.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// The DNS sockets, bound before the agent serves (so a taken port fails start-up and port 0
/// is resolved to the port the kernel chose).
pub struct DnsListeners {
    sockets: Vec<(std::net::UdpSocket, tokio::net::TcpListener)>,
}

impl DnsListeners {
    /// Binds UDP and TCP on every address at `port`; `None` when the port is -1 (DNS off).
    /// With port 0, the first UDP socket's port is used for every other socket.
    pub async fn bind(ips: &[std::net::IpAddr], port: i32) -> std::io::Result<Option<Self>> {
        let Ok(mut port) = u16::try_from(port) else {
            return Ok(None);
        };
        let mut sockets = Vec::with_capacity(ips.len());
        for ip in ips {
            let (udp, tcp, bound) =
                crate::agent::udp_tcp::bind(SocketAddr::new(*ip, port)).map_err(|f| {
                    std::io::Error::new(f.source.kind(), format!("cannot listen for DNS on {} ({}): {}; another agent may be using it: stop it, or choose another port with -dns-port (ports.dns)", f.addr, f.proto, f.source))
                })?;
            // Port 0: every address gets the port the first one got.
            port = bound.port();
            tcp.set_nonblocking(true)?;
            sockets.push((udp, tokio::net::TcpListener::from_std(tcp)?));
        }
        Ok(Some(DnsListeners { sockets }))
    }

    /// The bound addresses.
    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|(udp, _)| udp.local_addr().ok())
            .collect()
    }

    /// The port every socket is bound to (`None` with no address).
    pub fn port(&self) -> Option<u16> {
        self.addrs().first().map(SocketAddr::port)
    }
}

/// The running DNS server.
pub struct DnsServer {
    /// TCP.
    server: ServerFuture<handler::Handler>,
    /// UDP.
    udp: Vec<udp::UdpServer>,
}

impl DnsServer {
    /// Answers on the bound sockets.
    pub fn start(listeners: DnsListeners, agent: Arc<Agent>) -> std::io::Result<DnsServer> {
        let handler = handler::Handler {
            responder: Arc::new(answer::Responder::new(agent)),
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let handle = Arc::new(handler.clone());
        let mut udp = Vec::new();
        let mut server = ServerFuture::new(handler.clone());
        for (socket, tcp) in listeners.sockets {
            let runtime = tokio::runtime::Handle::current();
            udp.push(udp::UdpServer::spawn(
                socket,
                handle.clone(),
                threads,
                runtime,
            )?);
            server.register_listener(tcp, TCP_IDLE);
        }
        Ok(DnsServer { server, udp })
    }

    pub async fn stop(mut self) {
        let udp = std::mem::take(&mut self.udp);
        let _ =
            tokio::task::spawn_blocking(move || udp.into_iter().for_each(|mut u| u.stop())).await;
        if let Err(e) = self.server.shutdown_gracefully().await {
            tracing::debug!("dns: shutdown: {e}");
        }
    }
}
