//! The openraft type configuration of `sd`: what a log entry carries ([`Request`]), what applying
//! it returns ([`Response`]), how a server is named ([`ServerNode`]) and numbered (`u64`, derived
//! from the Consul node UUID by [`node_id_from_uuid`]). Plus short aliases for the generic
//! openraft types the rest of `raft/` uses. No logic beyond the id derivation lives here.

use std::fmt;
use std::io::Cursor;

use serde::{Deserialize, Serialize};

use crate::agent::state::{Request, Response};

openraft::declare_raft_types!(
    /// The Raft type configuration: app data is a batch of state commands.
    pub TypeConfig:
        D = Request,
        R = Response,
        NodeId = u64,
        Node = ServerNode,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// A Raft server as the membership config records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerNode {
    /// The Consul node ID (a UUID).
    pub id: String,
    /// The node name.
    pub name: String,
    /// `ip:port` of the server RPC listener, e.g. `10.0.0.1:8300`.
    pub addr: String,
}

impl fmt::Display for ServerNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {})", self.name, self.id, self.addr)
    }
}

/// The numeric Raft node id of a Consul node UUID.
///
/// It is the first 8 bytes of the parsed UUID read as a big-endian `u64`, so it is stable across
/// restarts and identical on every server (all of them derive it from the same UUID). A random
/// (v4) UUID has 60 random bits in those bytes, which makes collisions practically impossible.
/// A string that is not a UUID (Consul requires one, but be total) is hashed with 64-bit FNV-1a
/// instead.
pub fn node_id_from_uuid(uuid: &str) -> u64 {
    match uuid::Uuid::parse_str(uuid.trim()) {
        Ok(parsed) => {
            let bytes = parsed.as_bytes();
            let mut first = [0u8; 8];
            first.copy_from_slice(&bytes[..8]);
            u64::from_be_bytes(first)
        }
        Err(_) => fnv1a64(uuid.as_bytes()),
    }
}

/// 64-bit FNV-1a of `data`.
pub(crate) fn fnv1a64(data: &[u8]) -> u64 {
    let mut hasher = Fnv64::default();
    std::hash::Hasher::write(&mut hasher, data);
    std::hash::Hasher::finish(&hasher)
}

/// Incremental 64-bit FNV-1a (also the checksum of snapshot files): `write` then `finish`.
pub(crate) type Fnv64 = fnv::FnvHasher;

/// The running Raft instance.
pub type Raft = openraft::Raft<TypeConfig>;
/// A log id: (term, leader node id, index).
pub type LogId = openraft::LogId<u64>;
/// A persisted vote.
pub type Vote = openraft::Vote<u64>;
/// A log entry.
pub type Entry = openraft::Entry<TypeConfig>;
/// The error every storage method returns.
pub type StorageError = openraft::StorageError<u64>;
/// The metadata of a snapshot: last log id included and the membership at that point.
pub type SnapshotMeta = openraft::SnapshotMeta<u64, ServerNode>;
/// A membership config with the log id it was stored at.
pub type StoredMembership = openraft::StoredMembership<u64, ServerNode>;
/// A snapshot: metadata plus the state bytes.
pub type Snapshot = openraft::Snapshot<TypeConfig>;
/// Raft metrics of this node.
pub type RaftMetrics = openraft::RaftMetrics<u64, ServerNode>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_is_the_standard_one_snapshot_files_were_written_with() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn node_id_is_first_eight_bytes_big_endian() {
        let id = node_id_from_uuid("01234567-89ab-cdef-0011-223344556677");
        assert_eq!(id, 0x0123_4567_89ab_cdef);
        assert_eq!(id, node_id_from_uuid("0123456789ABCDEF0011223344556677"));
    }

    #[test]
    fn non_uuid_hashes_stably() {
        assert_eq!(node_id_from_uuid("node-a"), node_id_from_uuid("node-a"));
        assert_ne!(node_id_from_uuid("node-a"), node_id_from_uuid("node-b"));
    }
}
