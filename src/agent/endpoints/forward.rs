//! Sending a request this agent cannot serve to the server that can, over the server RPC port:
//! a server sends what only the leader may answer to the leader, a client agent sends what needs
//! server state to a known server (the one that answered last, else another at random; one
//! that cannot be reached is skipped for the next). While no leader or server can be reached,
//! the request is retried for up to `rpc_hold_timeout` (an election usually ends well within
//! it). A request for another datacenter (`?dc=`) goes from a server to one of that
//! datacenter's servers, found in the WAN pool (`wan::router`), trying the next one that cannot
//! be reached. The HTTP middleware (`http/forward.rs`) decides what to forward and uses these.

use std::time::Duration;

use super::EndpointError;
use crate::agent::raft::RaftNode;
use crate::agent::rpc::messages::{PATH_FROM_CLIENT, PATH_FROM_DATACENTER};
use crate::agent::rpc::{ForwardRequest, ForwardResponse, RpcError};
use crate::agent::Agent;

/// How long to wait between attempts to reach a leader or a server.
const RETRY_PAUSE: Duration = Duration::from_millis(50);

/// What became of a request meant for the leader.
pub enum ToLeader {
    /// The leader's answer.
    Answer(ForwardResponse),
    /// This server won an election meanwhile: serve the request here.
    ServeHere,
}

/// How long a forwarded call may take: a blocking query at its longest wait plus jitter.
pub fn call_timeout(agent: &Agent) -> Duration {
    let max_wait = agent.config.max_query_time;
    max_wait + max_wait / 16 + Duration::from_secs(30)
}

/// Sends `message` to the leader, waiting out an election for up to `rpc_hold_timeout`.
pub async fn to_leader(
    agent: &Agent,
    raft: &RaftNode,
    message: &ForwardRequest,
) -> Result<ToLeader, EndpointError> {
    let timeout = call_timeout(agent);
    let hold_until = tokio::time::Instant::now() + agent.config.rpc_hold_timeout;
    loop {
        if raft.is_leader() {
            return Ok(ToLeader::ServeHere);
        }
        let last_error = match raft.leader_addr() {
            None => EndpointError::NoLeader,
            Some(leader) => match agent.rpc.forward(&leader, message, timeout).await {
                Ok(answer) => return Ok(ToLeader::Answer(answer)),
                // Not sent, or refused by a former leader: safe to try again.
                Err(e @ RpcError::Connect { .. }) => rpc_error(&e),
                Err(e) if e.not_sent() => EndpointError::NoLeader,
                Err(e) => return Err(rpc_error(&e)),
            },
        };
        if tokio::time::Instant::now() + RETRY_PAUSE > hold_until {
            return Err(last_error);
        }
        tokio::time::sleep(RETRY_PAUSE).await;
    }
}

/// A client agent's request, sent to a server (which serves it or forwards it to its leader).
pub async fn to_server(
    agent: &Agent,
    message: &ForwardRequest,
) -> Result<ForwardResponse, EndpointError> {
    let timeout = call_timeout(agent);
    let hold_until = tokio::time::Instant::now() + agent.config.rpc_hold_timeout;
    let mut tried: Vec<String> = Vec::new();
    loop {
        let servers = agent.known_servers();
        let preferred = agent.preferred_server();
        let next = preferred
            .filter(|p| servers.contains(p) && !tried.contains(p))
            .or_else(|| {
                let left: Vec<&String> = servers.iter().filter(|s| !tried.contains(s)).collect();
                left.get(rand::random_range(0..left.len().max(1)))
                    .map(|s| (*s).clone())
            });
        let last_error = match next {
            None => {
                // Every known server was tried: start over after a pause.
                tried.clear();
                EndpointError::Remote(if servers.is_empty() {
                    "No known Consul servers".into()
                } else {
                    "no server could be reached".into()
                })
            }
            Some(server) => match agent
                .rpc
                .call::<_, ForwardResponse>(&server, PATH_FROM_CLIENT, message, timeout)
                .await
            {
                Ok(answer) => {
                    agent.set_preferred_server(Some(server));
                    return Ok(answer);
                }
                Err(e) if e.not_sent() => {
                    tracing::debug!(%server, "server unreachable, trying another: {e}");
                    agent.set_preferred_server(None);
                    tried.push(server);
                    if tried.len() < servers.len() {
                        continue;
                    }
                    rpc_error(&e)
                }
                Err(e) => return Err(rpc_error(&e)),
            },
        };
        if tokio::time::Instant::now() + RETRY_PAUSE > hold_until {
            return Err(last_error);
        }
        tokio::time::sleep(RETRY_PAUSE).await;
    }
}

/// A server's request for datacenter `dc`, served by one of its servers (which serves it or
/// forwards it to its own leader). "No path to datacenter" when the WAN pool shows no alive
/// server there.
pub async fn to_datacenter(
    agent: &Agent,
    dc: &str,
    message: &ForwardRequest,
) -> Result<ForwardResponse, EndpointError> {
    let no_path = || EndpointError::NoPathToDatacenter(dc.to_string());
    let mut servers = match &agent.wan {
        Some(wan) => crate::agent::wan::router::servers(wan, dc),
        None => Vec::new(),
    };
    // The server that answered last goes first: one warm connection per datacenter, as
    // Consul's router keeps to one server until it fails.
    if let Some(last) = agent.wan_route.preferred(dc) {
        if let Some(i) = servers.iter().position(|s| s.addr == last) {
            servers.swap(0, i);
        }
    }
    if servers.is_empty() {
        return Err(no_path());
    }
    // Their certificates name their own datacenter: `server.<dc>.<domain>`.
    let name = format!("server.{dc}.{}", agent.config.domain.trim_end_matches('.'));
    let rpc = agent
        .rpc
        .with_server_name(&name)
        .map_err(|e| rpc_error(&e))?;
    let timeout = call_timeout(agent);
    let mut last_error = no_path();
    for server in servers {
        match rpc
            .call::<_, ForwardResponse>(&server.addr, PATH_FROM_DATACENTER, message, timeout)
            .await
        {
            Ok(answer) => {
                agent.wan_route.prefer(dc, &server.addr);
                return Ok(answer);
            }
            Err(e) if e.not_sent() => {
                agent.wan_route.forget(dc);
                tracing::debug!(%dc, server = %server.addr, "server of another datacenter unreachable, trying another: {e}");
                last_error = rpc_error(&e);
            }
            Err(e) => return Err(rpc_error(&e)),
        }
    }
    Err(last_error)
}

fn rpc_error(e: &RpcError) -> EndpointError {
    EndpointError::Remote(format!("rpc error: {e}"))
}
