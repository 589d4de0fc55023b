//! `/v1/operator/keyring` (`api/operator_keyring.go`): the gossip encryption keyring's list
//! answer and change request, and what a gossip key is (base64 of 16 or 32 random bytes).

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

/// The body of `POST`/`PUT`/`DELETE /v1/operator/keyring`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyringRequest {
    #[serde(default)]
    pub key: String,
}

/// One pool's answer to a keyring list (`KeyringResponse`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyringResponse {
    #[serde(rename = "WAN", default)]
    pub wan: bool,
    #[serde(default)]
    pub datacenter: String,
    #[serde(default)]
    pub segment: String,
    /// Node name → what it reported instead of its keys (an error, or no answer).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<String, String>,
    /// Each installed key → on how many nodes.
    #[serde(default)]
    pub keys: BTreeMap<String, u32>,
    /// Each primary key → on how many nodes it is the primary.
    #[serde(default)]
    pub primary_keys: BTreeMap<String, u32>,
    #[serde(default)]
    pub num_nodes: u32,
}

/// Decodes a gossip key as `-encrypt`, the keyring file and the keyring API carry it. sd
/// encrypts with AES-128-GCM or AES-256-GCM, so a key is 16 or 32 bytes (`sd keygen` makes
/// 32); memberlist's 24-byte AES-192 keys are refused by name.
pub fn decode_gossip_key(key: &str) -> Result<Vec<u8>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .map_err(|e| format!("not valid base64 ({e})"))?;
    match bytes.len() {
        16 | 32 => Ok(bytes),
        24 => Err(
            "it decodes to 24 bytes (AES-192), which sd does not use: give a 16- or 32-byte key"
                .into(),
        ),
        n => Err(format!("it decodes to {n} bytes, must be 16 or 32")),
    }
}

/// A key as the API shows it.
pub fn encode_gossip_key(key: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_16_and_32_bytes_are_accepted_and_others_refused() {
        let k32 = "YwgWlBvicJN17UOYcutXLpJSZsw5aWpLEEWqgK635zA=";
        assert_eq!(decode_gossip_key(k32).unwrap().len(), 32);
        assert_eq!(encode_gossip_key(&decode_gossip_key(k32).unwrap()), k32);
        assert_eq!(
            decode_gossip_key("r+pUD3yH8bZVHxPrBwmI2g==").unwrap().len(),
            16
        );
        let e24 = decode_gossip_key(&encode_gossip_key(&[7u8; 24])).unwrap_err();
        assert!(e24.contains("AES-192"), "{e24}");
        assert!(decode_gossip_key("abc").unwrap_err().contains("base64"));
        assert!(decode_gossip_key("")
            .unwrap_err()
            .contains("decodes to 0 bytes"));
    }

    #[test]
    fn list_answers_use_consul_field_names() {
        let r = KeyringResponse {
            datacenter: "dc1".into(),
            keys: [("k".to_string(), 3)].into(),
            primary_keys: [("k".to_string(), 3)].into(),
            num_nodes: 3,
            ..Default::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        for f in [
            "WAN",
            "Datacenter",
            "Segment",
            "Keys",
            "PrimaryKeys",
            "NumNodes",
        ] {
            assert!(v.get(f).is_some(), "{f} missing in {v}");
        }
        assert!(v.get("Messages").is_none(), "empty Messages is omitted");
    }
}
