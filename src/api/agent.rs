//! `/v1/agent/members` entries (`api/agent.go` AgentMember).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Serf member status as an integer, the way Consul's JSON carries it.
pub mod member_status {
    pub const NONE: u8 = 0;
    pub const ALIVE: u8 = 1;
    pub const LEAVING: u8 = 2;
    pub const LEFT: u8 = 3;
    pub const FAILED: u8 = 4;

    /// The word `consul members` prints for a status integer.
    pub fn name(status: u8) -> &'static str {
        match status {
            ALIVE => "alive",
            LEAVING => "leaving",
            LEFT => "left",
            FAILED => "failed",
            _ => "none",
        }
    }
}

/// One gossip pool member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AgentMember {
    pub name: String,
    pub addr: String,
    pub port: u16,
    pub tags: BTreeMap<String, String>,
    pub status: u8,
    pub protocol_min: u8,
    pub protocol_max: u8,
    pub protocol_cur: u8,
    pub delegate_min: u8,
    pub delegate_max: u8,
    pub delegate_cur: u8,
}
