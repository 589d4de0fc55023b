//! The Raft network: openraft's AppendEntries, RequestVote and InstallSnapshot sent to the peer's
//! server RPC listener through the shared [`RpcClient`] (HTTP/2, one connection per peer).
//!
//! Timeouts come from openraft's `RPCOption`. A peer that cannot be reached (or stops answering)
//! is reported as `Unreachable`, so openraft backs off instead of hammering it; an error the
//! peer's Raft returned comes back as a `RemoteError`. Uses `rpc`'s client and messages only.
//! Each AppendEntries answered (heartbeats included) is the peer's last contact ([`Contacts`]),
//! which autopilot's server health reads on the leader.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::error::{
    InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable,
};
use openraft::network::{Backoff, RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::types::{ServerNode, TypeConfig};
use crate::agent::rpc::messages::{PATH_APPEND, PATH_SNAPSHOT, PATH_VOTE};
use crate::agent::rpc::{RpcClient, RpcError};

/// When each peer last answered an AppendEntries from this node, by Raft node ID.
#[derive(Default)]
pub struct Contacts(Mutex<HashMap<u64, Instant>>);

impl Contacts {
    fn record(&self, target: u64) {
        self.lock().insert(target, Instant::now());
    }

    /// When `target` last answered, if it ever did.
    pub fn last(&self, target: u64) -> Option<Instant> {
        self.lock().get(&target).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Instant>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Creates a [`Connection`] per peer; they all share one [`RpcClient`] and the [`Contacts`].
#[derive(Clone, Default)]
pub struct NetworkFactory {
    client: RpcClient,
    contacts: Arc<Contacts>,
}

impl NetworkFactory {
    pub fn new(client: RpcClient, contacts: Arc<Contacts>) -> NetworkFactory {
        NetworkFactory { client, contacts }
    }
}

/// openraft's handle on one peer.
pub struct Connection {
    client: RpcClient,
    target: u64,
    node: ServerNode,
    contacts: Arc<Contacts>,
}

impl RaftNetworkFactory<TypeConfig> for NetworkFactory {
    type Network = Connection;

    async fn new_client(&mut self, target: u64, node: &ServerNode) -> Connection {
        Connection {
            client: self.client.clone(),
            target,
            node: node.clone(),
            contacts: self.contacts.clone(),
        }
    }
}

impl Connection {
    /// One RPC: the peer's `Result` on success, the transport failure mapped for openraft.
    async fn call<Req, Resp, E>(
        &self,
        path: &str,
        req: &Req,
        timeout: Duration,
    ) -> Result<Resp, RPCError<u64, ServerNode, RaftError<u64, E>>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
        E: std::error::Error + DeserializeOwned,
        RaftError<u64, E>: DeserializeOwned,
    {
        let answer: Result<Result<Resp, RaftError<u64, E>>, RpcError> =
            self.client.call(&self.node.addr, path, req, timeout).await;
        match answer {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(remote)) => Err(RPCError::RemoteError(RemoteError::new_with_node(
                self.target,
                self.node.clone(),
                remote,
            ))),
            Err(e @ (RpcError::Connect { .. } | RpcError::Timeout { .. })) => {
                Err(RPCError::Unreachable(Unreachable::new(&e)))
            }
            Err(e) => Err(RPCError::Network(NetworkError::new(&e))),
        }
    }
}

impl RaftNetwork<TypeConfig> for Connection {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<u64>, RPCError<u64, ServerNode, RaftError<u64>>> {
        let answer = self.call(PATH_APPEND, &rpc, option.hard_ttl()).await;
        if answer.is_ok() {
            self.contacts.record(self.target);
        }
        answer
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<u64>,
        RPCError<u64, ServerNode, RaftError<u64, InstallSnapshotError>>,
    > {
        self.call(PATH_SNAPSHOT, &rpc, option.hard_ttl()).await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<u64>,
        option: RPCOption,
    ) -> Result<VoteResponse<u64>, RPCError<u64, ServerNode, RaftError<u64>>> {
        self.call(PATH_VOTE, &rpc, option.hard_ttl()).await
    }

    /// Retry an unreachable peer quickly at first (a restarting server), then every 500 ms.
    fn backoff(&self) -> Backoff {
        let quick = [50u64, 100, 200].into_iter().map(Duration::from_millis);
        Backoff::new(quick.chain(std::iter::repeat(Duration::from_millis(500))))
    }
}
