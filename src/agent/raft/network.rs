//! The Raft network, single-server edition: every RPC to another server fails as `Unreachable`.
//!
//! `sd` has no server-to-server transport yet, so only a one-server cluster can make progress
//! (which is all `-dev` and `-bootstrap` with one server need). A later change replaces this with
//! RPC over the server port (8300); the trait surface stays the same.

use openraft::error::{InstallSnapshotError, RPCError, RaftError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};

use super::types::{ServerNode, TypeConfig};

/// Why a peer cannot be reached.
#[derive(Debug, thiserror::Error)]
#[error("no Raft transport to server {target} at {addr} yet: sd runs as a single Raft server")]
pub struct NoTransport {
    target: u64,
    addr: String,
}

/// Creates [`Connection`]s; stateless.
#[derive(Debug, Clone, Copy, Default)]
pub struct NetworkFactory;

/// A "connection" to one peer that fails every call.
#[derive(Debug)]
pub struct Connection {
    target: u64,
    addr: String,
}

impl Connection {
    fn unreachable<E: std::error::Error>(&self) -> RPCError<u64, ServerNode, E> {
        RPCError::Unreachable(Unreachable::new(&NoTransport {
            target: self.target,
            addr: self.addr.clone(),
        }))
    }
}

impl RaftNetworkFactory<TypeConfig> for NetworkFactory {
    type Network = Connection;

    async fn new_client(&mut self, target: u64, node: &ServerNode) -> Connection {
        Connection {
            target,
            addr: node.addr.clone(),
        }
    }
}

impl RaftNetwork<TypeConfig> for Connection {
    async fn append_entries(
        &mut self,
        _rpc: AppendEntriesRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<u64>, RPCError<u64, ServerNode, RaftError<u64>>> {
        Err(self.unreachable())
    }

    async fn install_snapshot(
        &mut self,
        _rpc: InstallSnapshotRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<u64>,
        RPCError<u64, ServerNode, RaftError<u64, InstallSnapshotError>>,
    > {
        Err(self.unreachable())
    }

    async fn vote(
        &mut self,
        _rpc: VoteRequest<u64>,
        _option: RPCOption,
    ) -> Result<VoteResponse<u64>, RPCError<u64, ServerNode, RaftError<u64>>> {
        Err(self.unreachable())
    }
}
