//! `/v1/operator/raft/configuration` (`api/operator_raft.go`) and `/v1/operator/usage`
//! (`api/operator_usage.go`).

use serde::{Deserialize, Serialize};

/// One Raft server as Consul reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RaftServer {
    /// The node ID (a UUID).
    #[serde(rename = "ID")]
    pub id: String,
    /// The node name.
    pub node: String,
    /// `IP:port` of the server RPC listener.
    pub address: String,
    pub leader: bool,
    /// Raft protocol version, `"3"`.
    pub protocol_version: String,
    pub voter: bool,
    /// Last log index this server is known to have (Consul 1.16+).
    #[serde(default)]
    pub last_index: u64,
}

/// The whole configuration plus the Raft index it was read at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RaftConfiguration {
    pub servers: Vec<RaftServer>,
    pub index: u64,
}

/// `/v1/operator/usage`'s body (the parts sd reads).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Usage {
    pub usage: std::collections::BTreeMap<String, ServiceUsage>,
}

/// One datacenter's counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceUsage {
    pub services: u64,
    pub service_instances: u64,
    pub connect_service_instances: std::collections::BTreeMap<String, u64>,
    pub billable_service_instances: u64,
    pub nodes: u64,
}
