//! A service definition as an agent config file holds it (`service {}` / `services []`,
//! Consul's keys in any case or in snake_case) turned into the [`AgentServiceRegistration`] of
//! `PUT /v1/agent/service/register`, the way Consul's `services register` converts the
//! services of the files it is given. Blocks that HCL 1 reads as one-element lists
//! (`check { ... }` inside `service { ... }`) count as the object they hold, a single
//! `checks { ... }` block as a list of one, and a check's `id` is sent as `CheckID`, as
//! Consul's API spells it.
//!
//! Like the rest of `api`, imports nothing else from this crate.

use serde_json::Value;

use super::catalog::{AgentServiceRegistration, FIELD_NAMES, OPAQUE_FIELDS};
use super::keys::canonical_keys;

/// Fields of a registration (and of a check) that hold one object.
const OBJECT_FIELDS: &[&str] = &["Check", "Weights", "Meta", "TaggedAddresses", "Header"];

/// Reads one raw service definition; the error names the field that does not fit.
pub fn registration(raw: &Value) -> Result<AgentServiceRegistration, String> {
    let mut value = canonical_keys(raw.clone(), FIELD_NAMES, OPAQUE_FIELDS);
    single_blocks(&mut value);
    if let Some(map) = value.as_object_mut() {
        if let Some(tagged) = map
            .get_mut("TaggedAddresses")
            .and_then(Value::as_object_mut)
        {
            tagged.values_mut().for_each(unwrap_single);
        }
        if let Some(check) = map.get_mut("Check") {
            single_blocks(check);
            check_id(check);
        }
        if let Some(checks) = map.get_mut("Checks") {
            if checks.is_object() {
                *checks = Value::Array(vec![checks.take()]);
            }
            for check in checks.as_array_mut().into_iter().flatten() {
                single_blocks(check);
                check_id(check);
            }
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let name = raw
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case("name")))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default();
        format!(
            "invalid service definition {name:?}: {path}: {}",
            e.into_inner()
        )
    })
}

/// Unwraps the object fields of a service or check given as `[{...}]`.
fn single_blocks(value: &mut Value) {
    if let Some(map) = value.as_object_mut() {
        for field in OBJECT_FIELDS {
            if let Some(v) = map.get_mut(*field) {
                unwrap_single(v);
            }
        }
    }
}

/// `[{...}]` -> `{...}`.
fn unwrap_single(v: &mut Value) {
    if let Value::Array(items) = v {
        if items.len() == 1 && items[0].is_object() {
            *v = items.remove(0);
        }
    }
}

/// A check's `ID` becomes `CheckID` unless that is set too.
fn check_id(check: &mut Value) {
    if let Some(map) = check.as_object_mut() {
        if !map.contains_key("CheckID") {
            if let Some(id) = map.remove("ID") {
                map.insert("CheckID".into(), id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_keys_become_a_registration() {
        let raw = json!({
            "name": "web", "id": "web-1", "port": 80, "tags": ["v1"],
            "address": "10.0.0.5", "enable_tag_override": true, "kind": "",
            "meta": {"Build_ID": "7"},
            "tagged_addresses": {"lan": [{"address": "10.0.0.5", "port": 80}]},
            "weights": [{"passing": 3, "warning": 1}],
            "check": [{"id": "web-http", "http": "http://localhost/health", "interval": "10s",
                       "header": [{"Host": ["example"]}]}],
            "checks": [{"check_id": "a", "ttl": "30s"}, {"name": "b", "tcp": "localhost:80", "interval": "5s"}]
        });
        let reg = registration(&raw).unwrap();
        assert_eq!(
            (reg.name.as_str(), reg.id.as_str(), reg.port),
            ("web", "web-1", 80)
        );
        assert_eq!(reg.tags, ["v1"]);
        assert!(reg.enable_tag_override);
        assert_eq!(reg.meta["Build_ID"], "7");
        assert_eq!(reg.tagged_addresses["lan"].address, "10.0.0.5");
        assert_eq!(reg.weights.map(|w| w.passing), Some(3));
        assert_eq!(
            reg.check,
            Some(
                json!({"CheckID": "web-http", "HTTP": "http://localhost/health",
                        "Interval": "10s", "Header": {"Host": ["example"]}})
            )
        );
        assert_eq!(
            reg.checks,
            [
                json!({"CheckID": "a", "TTL": "30s"}),
                json!({"Name": "b", "TCP": "localhost:80", "Interval": "5s"})
            ]
        );
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = registration(&json!({"name": "web", "port": "eighty"})).unwrap_err();
        assert!(
            err.starts_with("invalid service definition \"web\": Port: invalid type"),
            "{err}"
        );
        let one = registration(&json!({"Name": "x", "Checks": {"ttl": "1s"}})).unwrap();
        assert_eq!(one.checks, [json!({"TTL": "1s"})]);
        assert!(registration(&json!({"Name": "x", "Checks": "no"})).is_err());
    }
}
