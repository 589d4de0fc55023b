//! Where the HTTP API listens: `addresses.http` (space-separated IP addresses, go-sockaddr
//! templates and `unix:///path` sockets) overrides `client_addr` for HTTP, as in Consul; and
//! `unix_sockets { user, group, mode }`, the owner and permissions of those sockets (numeric
//! IDs and an octal mode, as Consul takes them).

use std::net::IpAddr;
use std::path::PathBuf;

use serde::Deserialize;

use super::addr::{parse_ips, HostAddr};
use super::error::ConfigError;

/// The HTTP listeners.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpListen {
    /// Addresses served on `ports.http`.
    pub ips: Vec<IpAddr>,
    /// Unix domain sockets.
    pub unix: Vec<PathBuf>,
}

/// `unix_sockets`: applied to every socket the agent creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnixSocketPerms {
    pub user: Option<u32>,
    pub group: Option<u32>,
    pub mode: Option<u32>,
}

/// The words of `addresses.http`: `unix://` ones are sockets, the others addresses.
pub(crate) fn http_listen(text: &str, host: &[HostAddr]) -> Result<HttpListen, ConfigError> {
    let mut listen = HttpListen::default();
    let mut ip_words = Vec::new();
    for word in text.split_whitespace() {
        match word.strip_prefix("unix://") {
            Some(path) if path.starts_with('/') => listen.unix.push(PathBuf::from(path)),
            Some(_) => {
                return Err(ConfigError::invalid(format!(
                    "addresses.http: {word:?}: a unix socket needs an absolute path (unix:///run/sd/http.sock)"
                )))
            }
            None => ip_words.push(word),
        }
    }
    listen.ips = parse_ips("addresses.http", &ip_words.join(" "), host)?;
    Ok(listen)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    user: Option<String>,
    group: Option<String>,
    mode: Option<String>,
}

/// `unix_sockets` from the config file's JSON.
pub(crate) fn unix_socket_perms(
    v: Option<&serde_json::Value>,
) -> Result<UnixSocketPerms, ConfigError> {
    let Some(v) = v else {
        return Ok(UnixSocketPerms::default());
    };
    let raw: Raw = serde_json::from_value(v.clone())
        .map_err(|e| ConfigError::invalid(format!("unix_sockets: {e}")))?;
    let id = |key: &str, s: Option<String>| -> Result<Option<u32>, ConfigError> {
        s.filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u32>().map_err(|_| {
                    ConfigError::invalid(format!(
                        "unix_sockets.{key}: {s:?} is not a numeric ID (Consul takes numeric IDs)"
                    ))
                })
            })
            .transpose()
    };
    let mode = match raw.mode.filter(|m| !m.is_empty()) {
        None => None,
        Some(m) => Some(
            u32::from_str_radix(&m, 8)
                .ok()
                .filter(|m| *m <= 0o777)
                .ok_or_else(|| {
                    ConfigError::invalid(format!(
                        "unix_sockets.mode: {m:?} is not an octal mode such as \"0700\""
                    ))
                })?,
        ),
    };
    Ok(UnixSocketPerms {
        user: id("user", raw.user)?,
        group: id("group", raw.group)?,
        mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_and_sockets() {
        let l = http_listen("127.0.0.1 unix:///run/sd.sock ::1", &[]).unwrap();
        assert_eq!(l.unix, [PathBuf::from("/run/sd.sock")]);
        assert_eq!(l.ips.len(), 2);
        let l = http_listen("unix:///tmp/a.sock", &[]).unwrap();
        assert!(l.ips.is_empty());
        assert!(http_listen("unix://relative.sock", &[]).is_err());
        assert!(http_listen("nonsense", &[]).is_err());
    }

    #[test]
    fn socket_permissions() {
        let p = unix_socket_perms(Some(
            &json!({"user": "1000", "group": "50", "mode": "0770"}),
        ))
        .unwrap();
        assert_eq!(
            p,
            UnixSocketPerms {
                user: Some(1000),
                group: Some(50),
                mode: Some(0o770)
            }
        );
        assert_eq!(unix_socket_perms(None).unwrap(), UnixSocketPerms::default());
        for bad in [
            json!({"mode": "rwx"}),
            json!({"user": "root"}),
            json!({"owner": "1"}),
            json!({"mode": "1777"}),
        ] {
            assert!(unix_socket_perms(Some(&bad)).is_err(), "{bad}");
        }
    }
}
