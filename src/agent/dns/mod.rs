//! The DNS interface (Consul's port 8600, UDP and TCP): finds healthy service instances, nodes
//! and address owners under the agent's domain with hickory-server, and forwards other names to
//! the recursors. Servers answer from their replicated state, client agents from a cache kept
//! fresh with blocking queries, so no query waits on a server once a name is warm.
//!
//! Files: `name` (query names), `view` (what answers are made of), `local` and `cache` (where
//! views come from on servers and clients) behind `source`, `records` (record shapes), `answer`
//! (one question to a reply), `trim` (size limits), `recursor` (forwarding), `handler`
//! (hickory's request handler), `udp` (the UDP receive loops; TCP is hickory-server's),
//! `settings` (configuration).
//!
//! Uses the catalog only through its public queries and `agent.store`; must not import
//! `agent::http` (it reaches the HTTP API only through `Agent::internal_call`).

mod answer;
mod cache;
mod handler;
mod local;
mod name;
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

/// The running DNS server.
pub struct DnsServer {
    /// TCP.
    server: ServerFuture<handler::Handler>,
    /// UDP.
    udp: Vec<udp::UdpServer>,
}

impl DnsServer {
    /// Binds UDP and TCP on every client address at `ports.dns`; `None` when the port is -1.
    /// A port already taken is a start-up error.
    pub async fn start(agent: Arc<Agent>) -> std::io::Result<Option<DnsServer>> {
        let Ok(port) = u16::try_from(agent.config.ports.dns) else {
            return Ok(None);
        };
        let addrs: Vec<SocketAddr> = agent
            .config
            .client_addrs
            .iter()
            .map(|ip| SocketAddr::new(*ip, port))
            .collect();
        let handler = handler::Handler {
            responder: Arc::new(answer::Responder::new(agent)),
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let handle = Arc::new(handler.clone());
        let mut udp = Vec::new();
        let mut server = ServerFuture::new(handler.clone());
        for addr in addrs {
            let socket = std::net::UdpSocket::bind(addr)?;
            let runtime = tokio::runtime::Handle::current();
            udp.push(udp::UdpServer::spawn(
                socket,
                handle.clone(),
                threads,
                runtime,
            )?);
            server.register_listener(tokio::net::TcpListener::bind(addr).await?, TCP_IDLE);
            tracing::info!("DNS listening on {addr} (udp and tcp)");
        }
        Ok(Some(DnsServer { server, udp }))
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
