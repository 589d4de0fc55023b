//! The one health check registrator attaches to a service from `SERVICE_CHECK_*` keys, in its
//! order of precedence: HTTP, HTTPS, script, TTL, TCP, gRPC. Fixed against registrator: a
//! script runs through `/bin/sh -c` (registrator passed the whole command line as one argument,
//! its bug #687), the legacy `SERVICE_CHECK_CMD` (it needed progrium's helper image) is refused
//! with a warning, and a malformed duration is an error naming the key.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// registrator's default interval for every kind but TTL.
const DEFAULT_INTERVAL: &str = "10s";

fn duration(keys: &BTreeMap<String, String>, key: &str) -> Result<Option<String>, String> {
    match keys.get(key) {
        None => Ok(None),
        Some(v) => crate::api::parse_duration(v)
            .map(|_| Some(v.clone()))
            .map_err(|e| format!("SERVICE_{}: {e}", key.to_ascii_uppercase())),
    }
}

/// An address for a URL or `host:port`: IPv6 in brackets.
fn host_port(ip: &str, port: u16) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The check for a service at `ip:port` from the keys that apply to it (`check_http`, ...,
/// lowercased without `SERVICE_`); none when no check key is set.
pub fn from_keys(
    keys: &BTreeMap<String, String>,
    ip: &str,
    port: u16,
) -> Result<Option<Value>, String> {
    let mut check = Map::new();
    let addr = host_port(ip, port);
    if let Some(path) = keys.get("check_http") {
        check.insert("HTTP".into(), json!(format!("http://{addr}{path}")));
        if let Some(m) = keys.get("check_http_method") {
            check.insert("Method".into(), json!(m));
        }
    } else if let Some(path) = keys.get("check_https") {
        check.insert("HTTP".into(), json!(format!("https://{addr}{path}")));
        if let Some(m) = keys.get("check_https_method") {
            check.insert("Method".into(), json!(m));
        }
        if keys.contains_key("check_tls_skip_verify") {
            check.insert("TLSSkipVerify".into(), json!(true));
        }
    } else if keys.contains_key("check_cmd") {
        return Err(
            "SERVICE_CHECK_CMD: registrator's legacy check needs progrium's check-cmd helper; use SERVICE_CHECK_SCRIPT"
                .into(),
        );
    } else if let Some(script) = keys.get("check_script") {
        let script = script
            .replace("$SERVICE_IP", ip)
            .replace("$SERVICE_PORT", &port.to_string());
        check.insert("Args".into(), json!(["/bin/sh", "-c", script]));
    } else if let Some(ttl) = keys.get("check_ttl") {
        crate::api::parse_duration(ttl).map_err(|e| format!("SERVICE_CHECK_TTL: {e}"))?;
        check.insert("TTL".into(), json!(ttl));
    } else if keys.contains_key("check_tcp") {
        check.insert("TCP".into(), json!(addr));
    } else if keys.contains_key("check_grpc") {
        check.insert("GRPC".into(), json!(addr));
        if keys.contains_key("check_grpc_use_tls") {
            check.insert("GRPCUseTLS".into(), json!(true));
            if keys.contains_key("check_tls_skip_verify") {
                check.insert("TLSSkipVerify".into(), json!(true));
            }
        }
    } else {
        return Ok(None);
    }
    if !check.contains_key("TTL") {
        let interval = duration(keys, "check_interval")?.unwrap_or_else(|| DEFAULT_INTERVAL.into());
        check.insert("Interval".into(), json!(interval));
        if let Some(t) = duration(keys, "check_timeout")? {
            check.insert("Timeout".into(), json!(t));
        }
    }
    if let Some(status) = keys.get("check_initial_status") {
        if !matches!(status.as_str(), "passing" | "warning" | "critical") {
            return Err(format!(
                "SERVICE_CHECK_INITIAL_STATUS: {status:?} is not passing, warning or critical"
            ));
        }
        check.insert("Status".into(), json!(status));
    }
    if let Some(after) = duration(keys, "check_deregister_after")? {
        check.insert("DeregisterCriticalServiceAfter".into(), json!(after));
    }
    Ok(Some(Value::Object(check)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kinds_in_registrators_order() {
        let c = from_keys(
            &keys(&[("check_http", "/health"), ("check_tcp", "1")]),
            "10.0.0.2",
            80,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c["HTTP"], "http://10.0.0.2:80/health");
        assert_eq!(c["Interval"], "10s");
        let c = from_keys(
            &keys(&[("check_tcp", "true"), ("check_timeout", "2s")]),
            "fd00::2",
            80,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c["TCP"], "[fd00::2]:80");
        assert_eq!(c["Timeout"], "2s");
        let c = from_keys(&keys(&[("check_ttl", "30s")]), "x", 1)
            .unwrap()
            .unwrap();
        assert_eq!(c["TTL"], "30s");
        assert!(c.get("Interval").is_none());
        let c = from_keys(
            &keys(&[("check_script", "curl -f http://$SERVICE_IP:$SERVICE_PORT/")]),
            "10.0.0.2",
            8080,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            c["Args"],
            json!(["/bin/sh", "-c", "curl -f http://10.0.0.2:8080/"])
        );
        assert!(from_keys(&keys(&[("region", "eu")]), "x", 1)
            .unwrap()
            .is_none());
    }

    #[test]
    fn malformed_values_name_their_key() {
        let e = from_keys(
            &keys(&[("check_tcp", "1"), ("check_interval", "often")]),
            "x",
            1,
        )
        .unwrap_err();
        assert!(e.starts_with("SERVICE_CHECK_INTERVAL"), "{e}");
        let e = from_keys(&keys(&[("check_cmd", "x")]), "x", 1).unwrap_err();
        assert!(e.contains("SERVICE_CHECK_CMD"), "{e}");
        let e = from_keys(
            &keys(&[("check_tcp", "1"), ("check_initial_status", "ok")]),
            "x",
            1,
        )
        .unwrap_err();
        assert!(e.contains("INITIAL_STATUS"), "{e}");
    }
}
