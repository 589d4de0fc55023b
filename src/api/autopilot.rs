//! `/v1/operator/autopilot/...` (`api/operator_autopilot.go`): the autopilot configuration
//! (durations as Go strings, numbers of nanoseconds accepted), the servers' health and the
//! autopilot state.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Autopilot's settings, as stored in Raft and shown by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotConfiguration {
    pub cleanup_dead_servers: bool,
    #[serde(with = "go_duration")]
    pub last_contact_threshold: Duration,
    pub max_trailing_logs: u64,
    pub min_quorum: u32,
    #[serde(with = "go_duration")]
    pub server_stabilization_time: Duration,
    /// Enterprise: kept and shown, no effect.
    pub redundancy_zone_tag: String,
    /// Enterprise: kept and shown, no effect.
    pub disable_upgrade_migration: bool,
    /// Enterprise: kept and shown, no effect.
    pub upgrade_version_tag: String,
    pub create_index: u64,
    pub modify_index: u64,
}

impl Default for AutopilotConfiguration {
    fn default() -> Self {
        AutopilotConfiguration {
            cleanup_dead_servers: true,
            last_contact_threshold: Duration::from_millis(200),
            max_trailing_logs: 250,
            min_quorum: 0,
            server_stabilization_time: Duration::from_secs(10),
            redundancy_zone_tag: String::new(),
            disable_upgrade_migration: false,
            upgrade_version_tag: String::new(),
            create_index: 0,
            modify_index: 0,
        }
    }
}

/// One server's health as the leader sees it (`/v1/operator/autopilot/health`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServerHealth {
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    pub address: String,
    pub serf_status: String,
    pub version: String,
    pub leader: bool,
    /// `None` (`"-1ns"` on the wire) when the leader never heard from it.
    #[serde(with = "contact")]
    pub last_contact: Option<Duration>,
    pub last_term: u64,
    pub last_index: u64,
    pub healthy: bool,
    pub voter: bool,
    /// RFC 3339, UTC.
    pub stable_since: String,
}

/// `/v1/operator/autopilot/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct OperatorHealthReply {
    pub healthy: bool,
    pub failure_tolerance: u32,
    pub servers: Vec<ServerHealth>,
}

/// One server in `/v1/operator/autopilot/state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotServer {
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    pub address: String,
    pub node_status: String,
    pub version: String,
    #[serde(with = "contact")]
    pub last_contact: Option<Duration>,
    pub last_term: u64,
    pub last_index: u64,
    pub healthy: bool,
    pub stable_since: String,
    /// `leader`, `voter`, `non-voter` or `staging`.
    pub status: String,
    pub meta: BTreeMap<String, String>,
    /// `voter` (the only kind sd's servers are).
    pub node_type: String,
}

/// `/v1/operator/autopilot/state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutopilotState {
    pub healthy: bool,
    pub failure_tolerance: u32,
    pub optimistic_failure_tolerance: u32,
    pub servers: BTreeMap<String, AutopilotServer>,
    pub leader: String,
    pub voters: Vec<String>,
}

/// Go's `ReadableDuration`: a duration string out, a string or nanoseconds in.
mod go_duration {
    use std::time::Duration;

    use crate::api::duration::{deserialize_opt, format_duration};

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(*d))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(deserialize_opt(d)?.unwrap_or_default())
    }
}

/// A last contact: a duration, or `-1ns` for never.
mod contact {
    use std::time::Duration;

    use crate::api::duration::deserialize_opt;

    const NEVER: &str = "-1ns";

    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::go_duration::serialize(d, s),
            None => s.serialize_str(NEVER),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        if v.as_str() == Some(NEVER) || v.as_i64().is_some_and(|n| n < 0) {
            return Ok(None);
        }
        deserialize_opt(v).map_err(serde::de::Error::custom)
    }

    use serde::Deserialize;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_json_is_consuls() {
        let json = serde_json::to_value(AutopilotConfiguration::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "CleanupDeadServers": true, "LastContactThreshold": "200ms",
                "MaxTrailingLogs": 250, "MinQuorum": 0, "ServerStabilizationTime": "10s",
                "RedundancyZoneTag": "", "DisableUpgradeMigration": false,
                "UpgradeVersionTag": "", "CreateIndex": 0, "ModifyIndex": 0
            })
        );
        let c: AutopilotConfiguration = serde_json::from_str(
            r#"{"LastContactThreshold": 300000000, "ServerStabilizationTime": "1m"}"#,
        )
        .unwrap();
        assert_eq!(c.last_contact_threshold, Duration::from_millis(300));
        assert_eq!(c.server_stabilization_time, Duration::from_secs(60));
        assert!(c.cleanup_dead_servers, "absent fields keep their defaults");
    }
}
