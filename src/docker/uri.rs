//! The registry URI registrator takes as its one argument: `consul://HOST:PORT`,
//! `consul-tls://HOST:PORT` (https, certificates from `CONSUL_CACERT`, `CONSUL_CLIENT_CERT`,
//! `CONSUL_CLIENT_KEY`) and `consul-unix:///path.sock`. registrator's other backends (`etcd://`,
//! `skydns2://`, `zookeeper://`, `consulkv://`, `consulkv-unix://`) are refused by name.

/// Where to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registry {
    /// An agent's HTTP API: `http[s]://host:port`.
    Consul {
        scheme: &'static str,
        address: String,
    },
    /// An agent's HTTP API over a unix socket.
    ConsulUnix { path: String },
}

impl Registry {
    /// The address in the form sd's client settings take (`http://host:port`,
    /// `unix:///path`).
    pub fn http_addr(&self) -> String {
        match self {
            Registry::Consul { scheme, address } => format!("{scheme}://{address}"),
            Registry::ConsulUnix { path } => format!("unix://{path}"),
        }
    }
}

/// registrator's backends sd does not register into.
const OTHER_BACKENDS: &[&str] = &["etcd", "skydns2", "zookeeper", "consulkv", "consulkv-unix"];

/// Parses the registry URI; the error says what is wrong and what is accepted.
pub fn parse(uri: &str) -> Result<Registry, String> {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Err(format!(
            "registry URI {uri:?}: expected consul://HOST:PORT, consul-tls://HOST:PORT or consul-unix:///PATH"
        ));
    };
    let host_port = |rest: &str| -> Result<String, String> {
        let hp = rest.split('/').next().unwrap_or_default();
        if hp.is_empty() {
            return Ok("127.0.0.1:8500".into());
        }
        if hp.contains('@') || hp.contains('?') {
            return Err(format!(
                "registry URI {uri:?}: expected HOST[:PORT] after the scheme"
            ));
        }
        let bracketed_v6 = hp.starts_with('[');
        let has_port = if bracketed_v6 {
            hp.contains("]:")
        } else {
            hp.contains(':')
        };
        if has_port {
            let port = hp.rsplit(':').next().unwrap_or_default();
            port.parse::<u16>()
                .map_err(|_| format!("registry URI {uri:?}: port {port:?} is not a number"))?;
            Ok(hp.to_string())
        } else {
            Ok(format!("{hp}:8500"))
        }
    };
    match scheme {
        "consul" => Ok(Registry::Consul {
            scheme: "http",
            address: host_port(rest)?,
        }),
        "consul-tls" => Ok(Registry::Consul {
            scheme: "https",
            address: host_port(rest)?,
        }),
        "consul-unix" => {
            if rest.is_empty() || !rest.starts_with('/') {
                return Err(format!(
                    "registry URI {uri:?}: expected consul-unix:///absolute/path.sock"
                ));
            }
            Ok(Registry::ConsulUnix {
                path: rest.to_string(),
            })
        }
        other if OTHER_BACKENDS.contains(&other) => Err(format!(
            "registry URI {uri:?}: sd register-docker registers into Consul's API only; the {other}:// backend of registrator is not supported"
        )),
        other => Err(format!(
            "registry URI {uri:?}: unrecognized adapter {other:?}; use consul://, consul-tls:// or consul-unix://"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consul_uris() {
        assert_eq!(
            parse("consul://192.168.242.68:8500").unwrap().http_addr(),
            "http://192.168.242.68:8500"
        );
        assert_eq!(
            parse("consul://").unwrap().http_addr(),
            "http://127.0.0.1:8500"
        );
        assert_eq!(
            parse("consul://agent").unwrap().http_addr(),
            "http://agent:8500"
        );
        assert_eq!(
            parse("consul-tls://agent:8501").unwrap().http_addr(),
            "https://agent:8501"
        );
        assert_eq!(
            parse("consul://[::1]:8500").unwrap().http_addr(),
            "http://[::1]:8500"
        );
        assert_eq!(
            parse("consul-unix:///var/run/consul.sock").unwrap(),
            Registry::ConsulUnix {
                path: "/var/run/consul.sock".into()
            }
        );
    }

    #[test]
    fn other_backends_and_bad_uris_are_refused_by_name() {
        for (uri, needle) in [
            ("etcd://127.0.0.1:2379/services", "etcd://"),
            ("skydns2://127.0.0.1:2379/skydns.local", "skydns2://"),
            ("redis://x", "unrecognized adapter \"redis\""),
            ("127.0.0.1:8500", "expected consul://"),
            ("consul://host:port", "not a number"),
            ("consul-unix://relative.sock", "absolute"),
        ] {
            let e = parse(uri).unwrap_err();
            assert!(e.contains(needle), "{uri}: {e}");
        }
    }
}
