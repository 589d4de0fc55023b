//! Brings one parsed config source into the shape the schema expects, the way Consul does
//! before merging: `null` means unset; a block given as a list of objects (HCL repeated blocks,
//! or HCL1-style `ports = [{...}]`) becomes one object for keys that are objects, and a single
//! block becomes a one-element list for keys that are lists (`config_entries { bootstrap {} }`);
//! `service {}`
//! and `check {}` (one or many) join `services`/`checks` so that later sources add to earlier
//! ones instead of replacing them; deprecated keys move to their successors with a warning.
//!
//! Part of `config`, the only module that reads environment variables.

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::merge::{append_path, get_path, merge, set_path, strip_nulls, take_path};

/// Keys whose value is an object, parents before children.
const OBJECT_KEYS: &[&str] = &[
    "acl",
    "acl.tokens",
    "addresses",
    "audit",
    "auto_config",
    "auto_encrypt",
    "autopilot",
    "cache",
    "cloud",
    "config_entries",
    "connect",
    "connect.ca_config",
    "dns_config",
    "dns_config.service_ttl",
    "dns_config.soa",
    "gossip_lan",
    "gossip_wan",
    "http_config",
    "http_config.response_headers",
    "limits",
    "limits.request_limits",
    "locality",
    "log_sublevels",
    "node_meta",
    "peering",
    "performance",
    "ports",
    "raft_logstore",
    "reporting",
    "rpc",
    "snapshot_agent",
    "tagged_addresses",
    "telemetry",
    "tls",
    "tls.defaults",
    "tls.grpc",
    "tls.https",
    "tls.internal_rpc",
    "ui_config",
    "ui_config.dashboard_url_templates",
    "ui_config.metrics_proxy",
    "unix_sockets",
    "xds",
];

/// Keys whose value is a list of objects: a single object (one HCL block) becomes a list.
const LIST_KEYS: &[&str] = &[
    "acl.tokens.managed_service_provider",
    "checks",
    "config_entries.bootstrap",
    "segments",
    "services",
    "watches",
];

/// Deprecated key -> its successor (`agent/config/deprecated.go`).
const RENAMED: &[(&str, &str)] = &[
    ("ui", "ui_config.enabled"),
    ("ui_dir", "ui_config.dir"),
    ("ui_content_path", "ui_config.content_path"),
    ("non_voting_server", "read_replica"),
    ("acl_datacenter", "primary_datacenter"),
    ("acl_default_policy", "acl.default_policy"),
    ("acl_down_policy", "acl.down_policy"),
    ("acl_ttl", "acl.token_ttl"),
    ("acl_enable_key_list_policy", "acl.enable_key_list_policy"),
    ("enable_acl_replication", "acl.enable_token_replication"),
    ("acl_token", "acl.tokens.default"),
    ("acl_agent_token", "acl.tokens.agent"),
    ("acl_agent_master_token", "acl.tokens.agent_recovery"),
    ("acl_master_token", "acl.tokens.initial_management"),
    ("acl_replication_token", "acl.tokens.replication"),
    ("acl.tokens.master", "acl.tokens.initial_management"),
    ("acl.tokens.agent_master", "acl.tokens.agent_recovery"),
    ("ca_file", "tls.defaults.ca_file"),
    ("ca_path", "tls.defaults.ca_path"),
    ("cert_file", "tls.defaults.cert_file"),
    ("key_file", "tls.defaults.key_file"),
    ("tls_cipher_suites", "tls.defaults.tls_cipher_suites"),
    ("tls_min_version", "tls.defaults.tls_min_version"),
    ("verify_incoming", "tls.defaults.verify_incoming"),
    ("verify_outgoing", "tls.defaults.verify_outgoing"),
    ("verify_incoming_https", "tls.https.verify_incoming"),
    ("verify_incoming_rpc", "tls.internal_rpc.verify_incoming"),
    (
        "verify_server_hostname",
        "tls.internal_rpc.verify_server_hostname",
    ),
    ("raft_boltdb", "raft_logstore.boltdb"),
];

/// Deprecated list keys whose elements are added to their successor.
const APPENDED: &[(&str, &str)] = &[
    ("start_join", "retry_join"),
    ("start_join_wan", "retry_join_wan"),
];

/// Checks that `value` is an object of config keys and normalises it (see the module doc).
/// Sections whose keys are the user's own (metadata, header names, templates by kind): kept
/// as written.
const USER_KEYED: &[&str] = &[
    "node_meta",
    "tagged_addresses",
    "http_config.response_headers",
    "ui_config.dashboard_url_templates",
    "log_sublevels",
];

/// Config keys are matched case-insensitively, as Consul's decoder (mapstructure) matches
/// them: `{"Service": {...}}`, `Ports { HTTP = 9500 }`. Every key of the top level and of each
/// section is lowered (Consul's keys are all lower case), except in sections of the user's own
/// keys; a key already given in lower case wins over another spelling of it. Service and check
/// definitions inside are read in any case by their own decoder.
fn fold_case(value: &mut Value) {
    lower_keys(value);
    for path in OBJECT_KEYS {
        if USER_KEYED.contains(path) {
            continue;
        }
        let lowered = get_path(value, path)
            .filter(|v| v.is_object())
            .cloned()
            .map(|mut v| {
                lower_keys(&mut v);
                v
            });
        if let Some(v) = lowered {
            set_path(value, path, v);
        }
    }
}

/// Lowers the keys of one object (not of the objects inside it).
fn lower_keys(value: &mut Value) {
    let Value::Object(map) = value else { return };
    let upper: Vec<String> = map
        .keys()
        .filter(|k| k.chars().any(char::is_uppercase))
        .cloned()
        .collect();
    for key in upper {
        let lower = key.to_lowercase();
        if let Some(v) = map.remove(&key) {
            map.entry(lower).or_insert(v);
        }
    }
}

pub(crate) fn prepare(mut value: Value, source_name: &str) -> Result<Value, ConfigError> {
    if !value.is_object() {
        return Err(ConfigError::Parse {
            source_name: source_name.to_string(),
            message: "the top level must be an object of config keys".into(),
        });
    }
    strip_nulls(&mut value);
    fold_case(&mut value);
    for path in OBJECT_KEYS {
        if let Some(list) = get_path(&value, path).and_then(Value::as_array) {
            if list.iter().all(Value::is_object) {
                let mut one = Value::Object(Map::new());
                for item in list.clone() {
                    merge(&mut one, item);
                }
                set_path(&mut value, path, one);
            }
        }
    }
    for path in LIST_KEYS {
        if let Some(one) = get_path(&value, path).filter(|v| v.is_object()).cloned() {
            set_path(&mut value, path, Value::Array(vec![one]));
        }
    }
    for (single, many) in [("service", "services"), ("check", "checks")] {
        match take_path(&mut value, single) {
            Some(Value::Array(items)) => append_path(&mut value, many, items),
            Some(item) => append_path(&mut value, many, vec![item]),
            None => {}
        }
    }
    Ok(value)
}

/// Moves deprecated keys in `value` to their successors (an explicitly set successor wins),
/// pushing one warning per deprecated key when `warnings` is given.
pub(crate) fn translate_deprecated(
    value: &mut Value,
    source_name: &str,
    mut warnings: Option<&mut Vec<String>>,
) {
    let mut warn = |old: &str, new: &str| {
        if let Some(w) = warnings.as_deref_mut() {
            w.push(format!(
                "{source_name}: the '{old}' key is deprecated; use '{new}' instead"
            ));
        }
    };
    for (old, new) in RENAMED {
        if let Some(v) = take_path(value, old) {
            if get_path(value, new).is_none() {
                set_path(value, new, v);
            }
            warn(old, new);
            match *old {
                "acl_datacenter" => set_path(value, "acl.enabled", Value::Bool(true)),
                "acl_replication_token" => {
                    set_path(value, "acl.enable_token_replication", Value::Bool(true))
                }
                _ => {}
            }
        }
    }
    for (old, new) in APPENDED {
        if let Some(v) = take_path(value, old) {
            let items = match v {
                Value::Array(items) => items,
                other => vec![other],
            };
            append_path(value, new, items);
            warn(old, new);
        }
    }
    if take_path(value, "tls_prefer_server_cipher_suites").is_some() {
        if let Some(w) = warnings {
            w.push(format!(
                "{source_name}: the 'tls_prefer_server_cipher_suites' key is deprecated and ignored"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_element_block_lists_become_objects() {
        let v = prepare(
            json!({"ports": [{"http": 1}], "ui_config": [{"enabled": true}, {"dir": "x"}]}),
            "t",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"ports": {"http": 1}, "ui_config": {"enabled": true, "dir": "x"}})
        );
    }

    #[test]
    fn service_and_check_join_the_lists() {
        let v = prepare(
            json!({"service": [{"name": "a"}, {"name": "b"}], "services": [{"name": "c"}],
                   "check": {"id": "x"}}),
            "t",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"services": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
                   "checks": [{"id": "x"}]})
        );
    }

    #[test]
    fn top_level_must_be_an_object() {
        assert!(prepare(json!([1]), "t").is_err());
    }

    #[test]
    fn deprecated_keys_move() {
        let mut v = json!({"ui": true, "start_join": ["a"], "retry_join": ["b"],
                           "acl_datacenter": "dc9"});
        let mut w = Vec::new();
        translate_deprecated(&mut v, "f.json", Some(&mut w));
        assert_eq!(
            v,
            json!({"ui_config": {"enabled": true}, "retry_join": ["b", "a"],
                   "primary_datacenter": "dc9", "acl": {"enabled": true}})
        );
        assert_eq!(w.len(), 3);
        assert!(w[0].contains("f.json") && w[0].contains("'ui'"));
    }
}
