//! What travels over the server RPC port besides openraft's own messages: the route paths and
//! the forwarded HTTP request and answer. Plain serde types, no logic.

use serde::{Deserialize, Serialize};

/// openraft AppendEntries.
pub const PATH_APPEND: &str = "/raft/append";
/// openraft RequestVote.
pub const PATH_VOTE: &str = "/raft/vote";
/// One chunk of an openraft InstallSnapshot.
pub const PATH_SNAPSHOT: &str = "/raft/snapshot";
/// Leadership transfer: the leader tells a voter to hold back or to campaign.
pub const PATH_ELECTION: &str = "/raft/election";
/// An HTTP API request handed to the leader.
pub const PATH_FORWARD: &str = "/forward";
/// An HTTP API request from a client agent: any server serves it as if a user had sent it to
/// its own HTTP API (stale reads here, the rest forwarded on to the leader).
pub const PATH_FROM_CLIENT: &str = "/forward/client";
/// An HTTP API request from a server of another datacenter (`?dc=` naming this one): served
/// as if it came from a client agent, but never sent on to a third datacenter.
pub const PATH_FROM_DATACENTER: &str = "/forward/datacenter";

/// An HTTP API request a server could not answer itself, sent to the leader verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardRequest {
    pub method: String,
    /// Path and query, e.g. `/v1/kv/a?cas=3`.
    pub uri: String,
    /// End-to-end headers (hop-by-hop ones are left out).
    pub headers: Vec<(String, serde_bytes::ByteBuf)>,
    pub body: serde_bytes::ByteBuf,
    /// The node of the agent the user sent the request to: what "this agent's node" means
    /// for the request (a session's default node), wherever it is served.
    #[serde(default)]
    pub origin_node: Option<String>,
}

/// A request extension naming the node of the agent a forwarded request first reached
/// ([`ForwardRequest::origin_node`]). Only the RPC listener sets it.
#[derive(Debug, Clone)]
pub struct OriginNode(pub String);

/// The leader's answer to a [`ForwardRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardResponse {
    pub status: u16,
    pub headers: Vec<(String, serde_bytes::ByteBuf)>,
    pub body: serde_bytes::ByteBuf,
}

/// What the leader asks of a voter during a leadership transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElectionControl {
    /// Do not start elections for this long (it ends by itself).
    Hold { millis: u64 },
    /// Start elections again.
    Release,
    /// Start an election now.
    Campaign,
}

/// A request extension marking an HTTP request that arrived through [`PATH_FORWARD`]: the
/// router serves it here or fails, it never forwards it again. Only the RPC listener can set it
/// (clients cannot send extensions).
#[derive(Debug, Clone, Copy)]
pub struct Forwarded;

/// A request extension marking an HTTP request that arrived through [`PATH_FROM_DATACENTER`]:
/// if its `?dc=` does not name this server's datacenter, it fails rather than travel on.
#[derive(Debug, Clone, Copy)]
pub struct FromDatacenter;

/// Headers that describe one connection, not the message, and so are not carried across.
pub fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
    )
}
