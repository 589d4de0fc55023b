//! Single-setting validations used by [`super::build`]: names, IDs, metadata, bootstrap mode,
//! log level, CIDRs, the gossip key. Messages follow Consul's where it has one.
//!
//! Part of `config`, the only module that reads environment variables.

use std::collections::BTreeMap;

use super::error::ConfigError;

/// Lower-cases and checks a datacenter name (`[a-z0-9_-]+`).
pub(crate) fn datacenter(raw: &str) -> Result<String, ConfigError> {
    let dc = raw.trim().to_lowercase();
    if dc.is_empty() {
        return Err(ConfigError::invalid(
            "datacenter cannot be empty; set -datacenter or datacenter",
        ));
    }
    if !dc
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(ConfigError::invalid(format!(
            "datacenter cannot be {dc:?}. Please use only [a-z0-9-_]."
        )));
    }
    Ok(dc)
}

/// Warns when a node name cannot be looked up through DNS.
pub(crate) fn node_name_dns(name: &str, warnings: &mut Vec<String>) {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        warnings.push(format!(
            "Node name {name:?} will not be discoverable via DNS due to invalid characters. \
             Valid characters include all alpha-numerics and dashes."
        ));
    } else if name.len() > 63 {
        warnings.push(format!(
            "Node name {name:?} will not be discoverable via DNS due to it being too long. \
             Valid lengths are between 1 and 63 bytes."
        ));
    }
}

/// Checks a node ID is a 36-character UUID and lower-cases it.
pub(crate) fn node_id(raw: &str) -> Result<String, ConfigError> {
    let id = raw.trim().to_lowercase();
    if id.len() != 36 || uuid::Uuid::try_parse(&id).is_err() {
        return Err(ConfigError::invalid(format!(
            "node_id {raw:?} is not a valid UUID; use 36 hex characters with dashes like \
             \"adf4238a-882b-9ddc-4a9d-5b6758e4159e\", or leave it unset for a random one"
        )));
    }
    Ok(id)
}

/// Consul's node metadata rules.
pub(crate) fn node_meta(meta: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    let fail = |m: String| Err(ConfigError::invalid(format!("node_meta invalid: {m}")));
    if meta.len() > 64 {
        return fail("Node metadata cannot contain more than 64 key/value pairs".into());
    }
    for (key, value) in meta {
        if key.is_empty() {
            return fail("Key cannot be blank".into());
        }
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return fail(format!(
                "Key contains invalid characters: {key:?} (use letters, digits, '_' and '-')"
            ));
        }
        if key.len() > 128 {
            return fail(format!("Key is too long (limit: 128 characters): {key:?}"));
        }
        if key.starts_with("consul-") {
            return fail(format!(
                "Key prefix 'consul-' is reserved for internal use: {key:?}"
            ));
        }
        if value.len() > 512 {
            return fail(format!(
                "Value is too long (limit: 512 characters) for key {key:?}"
            ));
        }
    }
    Ok(())
}

/// The bootstrap-mode combinations Consul refuses.
pub(crate) fn bootstrap(
    server: bool,
    bootstrap: bool,
    expect: i64,
    dev: bool,
) -> Result<(), ConfigError> {
    let fail = |m: &str| Err(ConfigError::invalid(m));
    if bootstrap && !server {
        return fail(
            "'bootstrap = true' requires 'server = true'; add -server (or drop -bootstrap)",
        );
    }
    if expect < 0 {
        return Err(ConfigError::invalid(format!(
            "bootstrap_expect cannot be {expect}. Must be greater than or equal to zero"
        )));
    }
    if expect > 0 && !server {
        return fail("'bootstrap_expect > 0' requires 'server = true'; add -server (or drop -bootstrap-expect)");
    }
    if expect > 0 && dev {
        return fail("'bootstrap_expect > 0' not allowed in dev mode; drop -bootstrap-expect");
    }
    if expect > 0 && bootstrap {
        return fail("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive; use only one of -bootstrap and -bootstrap-expect");
    }
    Ok(())
}

/// Consul's advice on bootstrap settings.
pub(crate) fn bootstrap_warnings(
    server: bool,
    bootstrap: bool,
    expect: i64,
    dev: bool,
    warnings: &mut Vec<String>,
) {
    if !server {
        return;
    }
    if !dev && !bootstrap && expect == 2 {
        warnings.push("bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table".into());
    }
    if !bootstrap && expect > 2 && expect % 2 == 0 {
        warnings.push("bootstrap_expect is even number: A cluster with an even number of servers does not achieve optimum fault tolerance. See https://www.consul.io/docs/internals/consensus.html#deployment-table".into());
    }
    if bootstrap && !dev && expect == 0 {
        warnings.push("bootstrap = true: do not enable unless necessary".into());
    }
    if !dev && !bootstrap && expect > 1 {
        warnings.push(format!("bootstrap_expect > 0: expecting {expect} servers"));
    }
}

/// Normalises a log level (`INFO`, `warning`, `ERR`) to trace/debug/info/warn/error.
pub(crate) fn log_level(raw: &str) -> Result<String, ConfigError> {
    let level = raw.trim().to_lowercase();
    let level = match level.as_str() {
        "warning" => "warn",
        "err" => "error",
        other => other,
    };
    match level {
        "trace" | "debug" | "info" | "warn" | "error" => Ok(level.to_string()),
        _ => Err(ConfigError::invalid(format!(
            "log_level {raw:?} is not valid; use trace, debug, info, warn or error"
        ))),
    }
}

/// Checks `addr/prefix` notation.
pub(crate) fn cidr(key: &str, text: &str) -> Result<(), ConfigError> {
    let bad = || {
        ConfigError::invalid(format!(
            "{key}: invalid network {text:?}; use CIDR notation like 10.0.0.0/8"
        ))
    };
    let (ip, prefix) = text.trim().split_once('/').ok_or_else(bad)?;
    let ip: std::net::IpAddr = ip.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return Err(bad());
    }
    Ok(())
}

/// The gossip key must be base64 of 16 or 32 bytes (`api::keyring::decode_gossip_key`).
pub(crate) fn encrypt_key(key: &str) -> Result<(), ConfigError> {
    crate::api::keyring::decode_gossip_key(key)
        .map(drop)
        .map_err(|e| {
            ConfigError::invalid(format!(
                "encrypt has invalid key: {e}; generate one with `sd keygen`"
            ))
        })
}

/// Recursors may not be the "any" address.
pub(crate) fn recursors(list: &[String]) -> Result<(), ConfigError> {
    for r in list {
        let host = r.trim().trim_start_matches('[');
        let host = host.split(']').next().unwrap_or(host);
        if matches!(host, "0.0.0.0" | "::") || host.starts_with("0.0.0.0:") {
            return Err(ConfigError::invalid(
                "DNS recursor address cannot be 0.0.0.0, :: or [::]",
            ));
        }
        if r.starts_with("unix://") {
            return Err(ConfigError::invalid(format!(
                "DNS Recursors cannot be unix sockets: {r}"
            )));
        }
    }
    Ok(())
}

/// A DNS domain always ends with a dot (`consul` -> `consul.`).
pub(crate) fn domain(raw: &str) -> String {
    let d = raw.trim();
    if d.ends_with('.') {
        d.to_string()
    } else {
        format!("{d}.")
    }
}

/// `http_config.response_headers`: names must be HTTP tokens and values one line of visible
/// text, so the agent can send them on every answer.
pub(crate) fn response_headers(
    headers: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ConfigError> {
    const SPECIAL: &str = "!#$%&'*+-.^_`|~";
    for (name, value) in &headers {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
        {
            return Err(ConfigError::invalid(format!(
                "http_config.response_headers: {name:?} is not a valid header name"
            )));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(ConfigError::invalid(format!(
                "http_config.response_headers: the value of {name:?} holds a control character"
            )));
        }
    }
    Ok(headers)
}

/// The UI path always starts and ends with `/`; it may not lie under the API's `/v1/`.
pub(crate) fn content_path(raw: &str) -> Result<String, ConfigError> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed == "v1" || trimmed.starts_with("v1/") {
        return Err(ConfigError::invalid(format!(
            "ui_config.content_path {raw:?} would hide the HTTP API under /v1/; choose another path"
        )));
    }
    Ok(if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_headers_must_be_sendable() {
        let ok = BTreeMap::from([("Access-Control-Allow-Origin".to_string(), "*".to_string())]);
        assert_eq!(response_headers(ok.clone()).unwrap(), ok);
        for (k, v) in [("Bad Name", "x"), ("", "x"), ("X-Ok", "a\r\nSet-Cookie: x")] {
            let m = BTreeMap::from([(k.to_string(), v.to_string())]);
            assert!(response_headers(m).is_err(), "{k:?} {v:?}");
        }
    }

    #[test]
    fn names_and_ids() {
        assert_eq!(datacenter("DC1").unwrap(), "dc1");
        assert!(datacenter("dc 1").is_err());
        assert!(datacenter("").is_err());
        assert!(node_id("ADF4238A-882B-9DDC-4A9D-5B6758E4159E").is_ok());
        assert!(node_id("not-a-uuid").is_err());
        let mut w = Vec::new();
        node_name_dns("web_1", &mut w);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn meta_rules() {
        let meta = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
        assert!(node_meta(&meta("rack", "r1")).is_ok());
        assert!(node_meta(&meta("consul-x", "1")).is_err());
        assert!(node_meta(&meta("a b", "1")).is_err());
        assert!(node_meta(&meta("k", &"x".repeat(513))).is_err());
    }

    #[test]
    fn levels_and_misc() {
        assert_eq!(log_level("INFO").unwrap(), "info");
        assert_eq!(log_level("warning").unwrap(), "warn");
        assert!(log_level("loud").is_err());
        assert!(cidr("k", "10.0.0.0/8").is_ok());
        assert!(cidr("k", "10.0.0.0/33").is_err());
        assert!(cidr("k", "10.0.0.0").is_err());
        assert!(encrypt_key("YwgWlBvicJN17UOYcutXLpJSZsw5aWpLEEWqgK635zA=").is_ok());
        assert!(encrypt_key("abc").is_err());
        assert_eq!(domain("consul"), "consul.");
        assert_eq!(content_path("ui").unwrap(), "/ui/");
        assert_eq!(content_path("/consul/ui").unwrap(), "/consul/ui/");
        assert!(content_path("/v1/ui").is_err() && content_path("v1").is_err());
        assert!(recursors(&["0.0.0.0".into()]).is_err());
        assert!(recursors(&["8.8.8.8".into()]).is_ok());
    }
}
