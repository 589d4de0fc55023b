//! User events as `/v1/event/fire` answers them and `/v1/event/list` lists them
//! (`api/event.go`); also what gossip carries between agents.

use serde::{Deserialize, Serialize};

use crate::api::kv::base64_opt;

/// One user event. `LTime` is the gossip pool's Lamport time when it was sent (0 in the
/// answer to a fire, before it is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UserEvent {
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    #[serde(with = "base64_opt", default)]
    pub payload: Option<Vec<u8>>,
    #[serde(default)]
    pub node_filter: String,
    #[serde(default)]
    pub service_filter: String,
    #[serde(default)]
    pub tag_filter: String,
    #[serde(default)]
    pub version: u32,
    #[serde(rename = "LTime", default)]
    pub ltime: u64,
}

/// The largest name plus payload plus filters an event may carry (serf's
/// `UserEventSizeLimit`): events travel in single gossip datagrams.
pub const SIZE_LIMIT: usize = 512;

impl UserEvent {
    /// The bytes of the event that count against [`SIZE_LIMIT`].
    pub fn size(&self) -> usize {
        self.name.len()
            + self.payload.as_ref().map_or(0, Vec::len)
            + self.node_filter.len()
            + self.service_filter.len()
            + self.tag_filter.len()
    }
}

/// The blocking index of an event list: Consul's `uuidToUint64` of the newest event's ID
/// (the two halves of the UUID XORed), so a change of the newest event changes it.
pub fn index_of(id: &str) -> u64 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return 0;
    }
    let low = u64::from_str_radix(&hex[..16], 16).unwrap_or(0);
    let high = u64::from_str_radix(&hex[16..], 16).unwrap_or(0);
    low ^ high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_xor_of_the_halves() {
        assert_eq!(index_of("00000000-0000-0001-0000-000000000003"), 1 ^ 3);
        assert_eq!(index_of("garbage"), 0);
    }
}
