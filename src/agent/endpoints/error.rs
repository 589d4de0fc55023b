//! Why the agent could not serve a request, in its own terms: the HTTP layer maps these onto
//! Consul's status codes and texts (`http/error.rs`), the agent's own callers (anti-entropy, the
//! DNS cache) log or retry them. ACL denials are among them.

use crate::agent::raft::WriteError;

/// A request the agent could not serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// No leader is known (Consul's `No cluster leader`).
    #[error("No cluster leader")]
    NoLeader,
    /// A server-state operation reached an agent that holds none (a guard: client agents
    /// forward such requests before they get here).
    #[error("this agent is not a server: it holds no Raft state")]
    NotServer,
    /// `dc` names a datacenter this agent cannot reach (Consul's `No path to datacenter`).
    #[error("No path to datacenter: {0:?} is not known to this agent")]
    NoPathToDatacenter(String),
    /// What the request names does not exist (a 404, e.g. `Query not found`).
    #[error("{0}")]
    NotFound(String),
    /// The request is not valid (a 400: the catalog refused a change, a field is missing).
    #[error("{0}")]
    Invalid(String),
    /// Raft refused or lost the write.
    #[error("{0}")]
    Write(String),
    /// The leader's disk cannot take a write now (a 507; reads still work).
    #[error("{0}")]
    InsufficientStorage(String),
    /// The server that was asked failed or answered with an error.
    #[error("{0}")]
    Remote(String),
    /// The answer could not be read.
    #[error("{0}")]
    Decode(String),
    /// The caller's token lacks a permission (Consul's `Permission denied: ...` text).
    #[error("{0}")]
    PermissionDenied(String),
    /// The request carried a secret no token has.
    #[error("ACL not found")]
    AclNotFound,
    /// An ACL endpoint was called while ACLs are off.
    #[error("ACL support disabled")]
    AclDisabled,
}

impl From<WriteError> for EndpointError {
    fn from(e: WriteError) -> EndpointError {
        match e {
            WriteError::NoLeader => EndpointError::NoLeader,
            WriteError::DiskFull(why) => EndpointError::InsufficientStorage(why),
            other => EndpointError::Write(other.to_string()),
        }
    }
}
