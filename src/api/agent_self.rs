//! `GET /v1/agent/self` (`api/agent.go` Self): the agent's configuration summary, its gossip
//! member entry and the `Stats` sections that `consul info` prints.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::api::agent::AgentMember;
pub use crate::api::coordinate::Coordinate;

/// The whole `/v1/agent/self` document (the parts sd produces and reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AgentSelf {
    #[serde(default, deserialize_with = "null_default")]
    pub config: AgentSelfConfig,
    /// The full runtime configuration; its shape is the agent's business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_config: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coord: Option<Coordinate>,
    #[serde(default, deserialize_with = "null_default")]
    pub member: AgentMember,
    /// Section (`agent`, `build`, `consul`, `raft`, `runtime`, `serf_lan`, `serf_wan`) to
    /// key to value. Values are strings on the wire; numbers and booleans are accepted too.
    #[serde(default, deserialize_with = "stats")]
    pub stats: BTreeMap<String, BTreeMap<String, String>>,
    /// The node's metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub meta: BTreeMap<String, String>,
}

/// `Config` of `/v1/agent/self`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct AgentSelfConfig {
    pub datacenter: String,
    pub primary_datacenter: String,
    pub node_name: String,
    #[serde(rename = "NodeID")]
    pub node_id: String,
    pub revision: String,
    pub server: bool,
    pub version: String,
    pub build_date: String,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

type RawStats = BTreeMap<String, Option<BTreeMap<String, serde_json::Value>>>;

fn stats<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, D::Error> {
    let raw: Option<RawStats> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(section, values)| {
            let values = values
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect();
            (section, values)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_consul_shape() {
        let doc = r#"{
            "Config": {"Datacenter": "dc1", "NodeName": "n1", "NodeID": "abc", "Server": true,
                       "Revision": "deadbeef", "Version": "1.0.0", "Unknown": 1},
            "Coord": {"Vec": [0.1, 0.2], "Error": 1.5, "Adjustment": 0, "Height": 1e-5},
            "Member": {"Name": "n1", "Addr": "127.0.0.1", "Port": 8301, "Tags": {"role": "consul"},
                       "Status": 1, "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2,
                       "DelegateMin": 2, "DelegateMax": 5, "DelegateCur": 4},
            "Stats": {"agent": {"checks": "0"}, "raft": {"num_peers": 2, "leader": true}},
            "Meta": null
        }"#;
        let s: AgentSelf = serde_json::from_str(doc).unwrap();
        assert_eq!(s.config.node_id, "abc");
        assert!(s.config.server);
        assert_eq!(s.member.port, 8301);
        assert_eq!(s.stats["agent"]["checks"], "0");
        assert_eq!(s.stats["raft"]["num_peers"], "2");
        assert_eq!(s.stats["raft"]["leader"], "true");
        assert!(s.meta.is_empty());
    }

    #[test]
    fn tolerates_a_minimal_document() {
        let s: AgentSelf = serde_json::from_str("{}").unwrap();
        assert!(s.stats.is_empty());
        assert_eq!(s.config, AgentSelfConfig::default());
    }
}
