//! What goes through Raft: a [`Request`] is a batch of [`Command`]s (group commit puts many
//! client writes in one log entry); its [`Response`] carries one result per command.

use serde::{Deserialize, Serialize};

/// One log entry's payload: the commands of every client write batched into it, and the
/// leader's clock when it proposed them (ms since the Unix epoch), so that anything timed, such
/// as a lock delay, is applied the same way on every server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Request {
    pub commands: Vec<Command>,
    #[serde(default)]
    pub time_ms: u64,
}

impl Request {
    /// A batch stamped with the current time.
    pub fn now(commands: Vec<Command>) -> Request {
        let time_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Request { commands, time_ms }
    }
}

/// The results of a [`Request`], in the same order as its commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Response {
    pub results: Vec<CommandResult>,
}

/// A state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// KV operations applied atomically: all or none (a single `PUT /v1/kv` is a one-op txn).
    KvTxn(Vec<KvOp>),
    /// Forget KV tombstones at or below `index` (issued by the leader once they are old enough
    /// that no blocking query still depends on them).
    KvReapTombstones { index: u64 },
    /// `PUT /v1/catalog/register`, in the datacenter of the servers.
    CatalogRegister(Box<crate::api::catalog::CatalogRegistration>),
    /// `PUT /v1/catalog/deregister`: a node, or one of its services or checks.
    CatalogDeregister {
        node: String,
        service_id: String,
        check_id: String,
    },
    /// `PUT /v1/session/create`: the session with the ID the leader chose.
    SessionCreate(Box<crate::api::session::SessionEntry>),
    /// Invalidates a session (destroyed, or its TTL ran out): its locks are released or its
    /// keys deleted. Unknown IDs change nothing.
    SessionDestroy { id: String },
    /// `PUT /v1/snapshot`: replaces the whole state with a snapshot's (checked before it was
    /// proposed), on every server at the same point of the log.
    Restore(serde_bytes::ByteBuf),
    /// `/v1/query`: a prepared query created, updated or deleted (its ID chosen by the
    /// leader; a delete looks only at the ID).
    PreparedQuery {
        op: super::prepared_query::QueryOp,
        query: Box<crate::api::prepared_query::PreparedQuery>,
    },
    /// Network coordinates the leader gathered (`Coordinate.Update`) since its last batch.
    CoordinateBatchUpdate(Vec<crate::api::coordinate::CoordinateEntry>),
    /// Autopilot's settings replaced, only if their `ModifyIndex` is `cas` when one is given.
    AutopilotSetConfig {
        config: Box<crate::api::autopilot::AutopilotConfiguration>,
        cas: Option<u64>,
    },
    /// `/v1/config`: a config entry written or deleted (`entry` is its JSON, checked by the
    /// leader before it was proposed; empty for a delete).
    ConfigEntry {
        op: super::config_entry::EntryOp,
        kind: String,
        name: String,
        entry: String,
        cas: Option<u64>,
    },
    /// `/v1/acl/*`: a token, policy or role written or deleted, or the bootstrap.
    Acl(super::acl::AclOp),
}

/// A KV verb as Consul's `/v1/txn` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvVerb {
    Set,
    Cas,
    Lock,
    Unlock,
    Get,
    GetOrEmpty,
    GetTree,
    CheckIndex,
    CheckSession,
    CheckNotExists,
    Delete,
    DeleteTree,
    DeleteCas,
}

/// One KV operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvOp {
    pub verb: KvVerb,
    pub key: String,
    #[serde(with = "serde_bytes")]
    pub value: Vec<u8>,
    pub flags: u64,
    pub index: u64,
    pub session: Option<String>,
}

/// The outcome of one [`Command`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandResult {
    /// A KV transaction: either the entries the operations produced, or the errors that rolled it back.
    KvTxn(Result<Vec<KvOpResult>, Vec<KvOpError>>),
    /// How many tombstones were removed.
    Reaped(usize),
    /// A catalog change: done, or refused with the reason.
    Catalog(Result<(), super::catalog::CatalogError>),
    /// A session created or destroyed, or refused with the reason.
    Session(Result<(), super::session::SessionError>),
    /// A snapshot restored, or why its state could not be read.
    Restore(Result<(), String>),
    /// A prepared query written, or refused with the reason (Consul's words).
    PreparedQuery(Result<(), String>),
    /// How many coordinates of a batch were stored (those of unknown nodes are not).
    Coordinates(usize),
    /// Whether autopilot's settings were replaced (a failed check-and-set is false).
    Autopilot(bool),
    /// Whether a config entry write took effect (a failed check-and-set is false).
    ConfigEntry(bool),
    /// An ACL change made, or refused with the reason (Consul's words).
    Acl(Result<(), String>),
}

/// Why one operation of a KV transaction failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvOpError {
    /// Position of the operation in the transaction.
    pub op_index: usize,
    /// Consul's wording, e.g. `failed to set key "k", index is stale`.
    pub what: String,
    /// True when a condition (CAS index, lock holder, existence check) did not hold: a single
    /// `PUT /v1/kv` answers `false` then. False when the request itself was invalid.
    pub unmet_condition: bool,
}

/// What one KV operation returns: the entry it read or wrote (value only for reads), if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvOpResult {
    pub entries: Vec<crate::api::KVPair>,
}
