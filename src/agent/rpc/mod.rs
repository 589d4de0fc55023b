//! Server RPC on the server port (8300): HTTP/2 cleartext with msgpack bodies, one multiplexed
//! connection per peer. It carries Raft replication (`/raft/append`, `/raft/vote`,
//! `/raft/snapshot`) and HTTP API requests forwarded to the leader (`/forward`).
//!
//! `client` (the connection pool, used by `raft::network` and by HTTP forwarding), `messages`
//! (paths and the forwarded request/response), `server` (the listener, which hands Raft messages
//! to the local node through its own [`RaftHandler`] trait). It is the transport under `raft`:
//! it never imports `raft`, nor `client` (the HTTP API client), `commands`, `docker` or
//! `template`.
//!
//! Must not import: `agent::raft` (checked by tests/architecture.rs).

mod client;
pub mod messages;
mod server;

#[cfg(test)]
mod tests;

pub use client::{decode, encode};
pub use client::{RpcClient, RpcError};
pub use messages::{ForwardRequest, ForwardResponse, Forwarded, FromDatacenter, OriginNode};
pub use server::{bind, router, BindError, RaftCallError, RaftHandler, RpcServer};

use std::time::Duration;

impl RpcClient {
    /// Sends an HTTP API request to the server at `addr` (the leader) and returns its answer.
    pub async fn forward(
        &self,
        addr: &str,
        req: &ForwardRequest,
        timeout: Duration,
    ) -> Result<ForwardResponse, RpcError> {
        self.call(addr, messages::PATH_FORWARD, req, timeout).await
    }
}
