//! Reading JSON as Go programs write and accept it: keys sent in any case or in snake_case
//! (`service_id`, `serviceid`, `ServiceID`) matched to Consul's spelling, as Go's decoder and
//! Consul's registration endpoints and config files allow, and `null` members (Go's nil maps
//! and slices) dropped so that serde's defaults apply. Shared by the agent (request bodies),
//! the config loader and the client (responses of real Consul agents).
//!
//! Like the rest of `api`, imports nothing else from this crate.

use serde_json::{Map, Value};

/// Canonical form of a JSON key for matching: lower case, underscores removed, so `ServiceID`,
/// `serviceid` and `service_id` all become `serviceid`.
pub fn fold_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Removes `null` members from every object, so that `"key": null` reads as "not set".
pub fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Rewrites object keys sent in any case or in snake_case to the spelling in `names`
/// (Consul's PascalCase field names), so PascalCase serde types read them. The keys of objects
/// under a field in `opaque` (user-keyed maps such as `Meta`) are kept as sent, but their
/// values are still rewritten (`TaggedAddresses.lan.address` → `TaggedAddresses.lan.Address`).
/// Keys that match no name are kept as sent.
pub fn canonical_keys(value: Value, names: &[&str], opaque: &[&str]) -> Value {
    let table: std::collections::HashMap<String, &str> =
        names.iter().map(|n| (fold_key(n), *n)).collect();
    let opaque: Vec<String> = opaque.iter().map(|o| fold_key(o)).collect();
    rename(value, &table, &opaque, false)
}

fn rename(
    value: Value,
    table: &std::collections::HashMap<String, &str>,
    opaque: &[String],
    keep_keys: bool,
) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let folded = fold_key(&k);
                let user_keyed = !keep_keys && opaque.contains(&folded);
                let v = rename(v, table, opaque, user_keyed);
                let key = match (keep_keys, table.get(&folded)) {
                    (false, Some(name)) => (*name).to_string(),
                    _ => k,
                };
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| rename(v, table, opaque, false))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nulls_are_dropped_at_every_level() {
        let mut v = json!({"a": null, "b": [{"c": null, "d": 1}, null], "e": {"f": null}});
        strip_nulls(&mut v);
        assert_eq!(v, json!({"b": [{"d": 1}, null], "e": {}}));
    }

    #[test]
    fn canonical_keys_restore_consul_spelling() {
        let v = json!({
            "service": {"id": "web-1", "name": "web", "tagged_addresses": {"lan": {"address": "10.0.0.1", "port": 80}},
                        "meta": {"Foo_Bar": "x", "id": "kept"}},
            "node_meta": {"rack": "r1"},
            "checks": [{"check_id": "c1", "tlsskipverify": true}]
        });
        let names = [
            "Service",
            "ID",
            "Name",
            "TaggedAddresses",
            "Address",
            "Port",
            "Meta",
            "NodeMeta",
            "Checks",
            "CheckID",
            "TLSSkipVerify",
        ];
        let opaque = ["Meta", "NodeMeta", "TaggedAddresses"];
        assert_eq!(
            canonical_keys(v, &names, &opaque),
            json!({
                "Service": {"ID": "web-1", "Name": "web", "TaggedAddresses": {"lan": {"Address": "10.0.0.1", "Port": 80}},
                            "Meta": {"Foo_Bar": "x", "id": "kept"}},
                "NodeMeta": {"rack": "r1"},
                "Checks": [{"CheckID": "c1", "TLSSkipVerify": true}]
            })
        );
    }
}
