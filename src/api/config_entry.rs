//! Config entries (`/v1/config`, `api/config_entry.go`): the kinds Consul's community edition
//! has, their keys as Consul writes them (CamelCase; HCL's and JSON's snake_case accepted), and
//! the checks every entry must pass before it is stored. sd keeps entries for the tools that
//! read and write them; the service mesh that acts on most kinds is not part of sd.

use serde_json::{Map, Value};

/// Every kind Consul's community edition accepts.
pub const KINDS: &[&str] = &[
    "service-defaults",
    "proxy-defaults",
    "service-router",
    "service-splitter",
    "service-resolver",
    "ingress-gateway",
    "terminating-gateway",
    "service-intentions",
    "mesh",
    "exported-services",
    "api-gateway",
    "bound-api-gateway",
    "http-route",
    "tcp-route",
    "inline-certificate",
    "file-system-certificate",
    "jwt-provider",
];

/// Keys whose values are the user's own maps, kept as written.
const OPAQUE: &[&str] = &["Meta", "Config"];

/// Word forms Consul spells in capitals.
const ACRONYMS: &[(&str, &str)] = &[
    ("acl", "ACL"),
    ("grpc", "GRPC"),
    ("http", "HTTP"),
    ("http2", "HTTP2"),
    ("id", "ID"),
    ("ip", "IP"),
    ("jwks", "JWKS"),
    ("jwt", "JWT"),
    ("sni", "SNI"),
    ("tcp", "TCP"),
    ("tls", "TLS"),
    ("ttl", "TTL"),
    ("uri", "URI"),
    ("url", "URL"),
];

/// `invalid config entry kind: <kind>` unless Consul knows `kind`.
pub fn check_kind(kind: &str) -> Result<(), String> {
    if KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(format!("invalid config entry kind: {kind}"))
    }
}

/// A key as Consul writes it: `mesh_gateway` → `MeshGateway`, `protocol` → `Protocol`,
/// `tls` → `TLS`; CamelCase keys stay as they are.
pub fn camel_key(key: &str) -> String {
    if !key.contains('_') && key.starts_with(|c: char| c.is_ascii_uppercase()) {
        return key.to_string();
    }
    key.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            match ACRONYMS.iter().find(|(from, _)| *from == lower) {
                Some((_, to)) => to.to_string(),
                None => {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                }
            }
        })
        .collect()
}

/// Rewrites every key of `v` in Consul's form, except inside the user's own maps.
pub fn canonical_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = camel_key(&k);
                    let v = if OPAQUE.contains(&key.as_str()) {
                        v
                    } else {
                        canonical_keys(v)
                    };
                    (key, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(canonical_keys).collect()),
        other => other,
    }
}

/// Checks a decoded entry and returns it in Consul's form with its kind and name: the keys
/// canonical, `Kind` known, `Name` present (and the one name `proxy-defaults` and `mesh` allow),
/// the indexes dropped (the servers set them).
pub fn normalize(raw: Value) -> Result<(String, String, Map<String, Value>), String> {
    let Value::Object(map) = canonical_keys(raw) else {
        return Err("Request decoding failed: the entry must be a JSON object".into());
    };
    let mut map = map;
    let kind = match map.get("Kind") {
        Some(Value::String(k)) => k.clone(),
        _ => return Err(
            "Request decoding failed: Payload does not contain a kind/Kind key at the top level"
                .into(),
        ),
    };
    check_kind(&kind).map_err(|e| format!("Request decoding failed: {e}"))?;
    let name = match map.get("Name") {
        Some(Value::String(n)) => n.clone(),
        None => String::new(),
        Some(other) => {
            return Err(format!(
                "Request decoding failed: Name must be a string, not {other}"
            ))
        }
    };
    let fixed = match kind.as_str() {
        "proxy-defaults" => Some("global"),
        "mesh" => Some("mesh"),
        _ => None,
    };
    match fixed {
        Some(only) if name != only => {
            return Err(format!(
                "invalid name ({name:?}), only {only:?} is supported"
            ))
        }
        None if name.is_empty() => return Err("Name is required".into()),
        _ => {}
    }
    if let Some(Value::String(p)) = map.get_mut("Protocol") {
        *p = p.to_ascii_lowercase();
    }
    map.remove("CreateIndex");
    map.remove("ModifyIndex");
    Ok((kind, name, map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_take_consuls_form_but_user_maps_do_not() {
        assert_eq!(camel_key("mesh_gateway"), "MeshGateway");
        assert_eq!(camel_key("protocol"), "Protocol");
        assert_eq!(camel_key("tls"), "TLS");
        assert_eq!(camel_key("MaxInboundConnections"), "MaxInboundConnections");
        let v = canonical_keys(json!({
            "kind": "service-defaults", "name": "web",
            "mesh_gateway": {"mode": "local"}, "meta": {"owner_team": "a"}
        }));
        assert_eq!(
            v,
            json!({"Kind": "service-defaults", "Name": "web",
                   "MeshGateway": {"Mode": "local"}, "Meta": {"owner_team": "a"}})
        );
    }

    #[test]
    fn entries_are_checked() {
        let (kind, name, map) =
            normalize(json!({"Kind": "service-defaults", "Name": "web", "Protocol": "HTTP", "ModifyIndex": 9}))
                .unwrap();
        assert_eq!((kind.as_str(), name.as_str()), ("service-defaults", "web"));
        assert_eq!(map["Protocol"], "http");
        assert!(!map.contains_key("ModifyIndex"));
        assert!(normalize(json!({"Name": "web"}))
            .unwrap_err()
            .contains("does not contain a kind"));
        assert!(normalize(json!({"Kind": "nope", "Name": "x"}))
            .unwrap_err()
            .contains("invalid config entry kind: nope"));
        assert_eq!(
            normalize(json!({"Kind": "proxy-defaults", "Name": "web"})).unwrap_err(),
            "invalid name (\"web\"), only \"global\" is supported"
        );
        assert!(normalize(json!({"Kind": "proxy-defaults", "Name": "global"})).is_ok());
        assert_eq!(
            normalize(json!({"Kind": "service-router"})).unwrap_err(),
            "Name is required"
        );
    }
}
