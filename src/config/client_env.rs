//! HTTP client settings for the CLI and the other API clients: command-line flags layered over
//! the environment (`CONSUL_HTTP_ADDR`, `SD_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_HTTP_SSL`, ...),
//! the way Consul's `api.DefaultConfig` + `command/flags` do it.
//!
//! This is the only place client environment variables are read. The lookup is passed in as a
//! function so tests can inject an environment. Must not import `client`, `commands` or `agent`.

use std::path::PathBuf;

/// The default agent address when neither a flag nor the environment names one.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8500";

/// The HTTP client flags as given on the command line (`None` when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientFlags {
    pub http_addr: Option<String>,
    pub token: Option<String>,
    pub token_file: Option<String>,
    pub ca_file: Option<String>,
    pub ca_path: Option<String>,
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
    pub tls_server_name: Option<String>,
    pub datacenter: Option<String>,
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// `CONSUL_HTTP_AUTH=user:pass`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

/// TLS material and verification settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    pub ca_file: Option<PathBuf>,
    pub ca_path: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// SNI / certificate name to expect instead of the address's host.
    pub server_name: Option<String>,
    /// `CONSUL_HTTP_SSL_VERIFY=false`.
    pub insecure_skip_verify: bool,
}

/// Everything needed to talk to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    pub scheme: Scheme,
    /// `host:port` (an IPv6 host in brackets).
    pub address: String,
    /// A reverse-proxy path prefix such as `/consul`, or empty.
    pub path_prefix: String,
    /// Sent as `X-Consul-Token`.
    pub token: Option<String>,
    pub http_auth: Option<BasicAuth>,
    pub tls: TlsSettings,
    /// Sent as `?dc=` on every request (`-datacenter`).
    pub datacenter: Option<String>,
    /// `unix:///path`: every request goes over this socket (to `http://localhost`).
    pub unix_socket: Option<PathBuf>,
}

impl ClientSettings {
    /// `scheme://address/prefix`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!(
            "{}://{}{}",
            self.scheme.as_str(),
            self.address,
            self.path_prefix
        )
    }
}

/// Why the settings could not be resolved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClientEnvError {
    #[error("Unknown protocol scheme: {0}")]
    UnknownScheme(String),
    #[error("unix socket address {0:?}: expected unix:///absolute/path.sock")]
    UnixSocket(String),
    #[error("Error loading token file: {0}")]
    TokenFile(String),
}

/// Resolves `flags` over the process environment.
pub fn from_process_env(flags: &ClientFlags) -> Result<ClientSettings, ClientEnvError> {
    resolve(flags, &super::process_env)
}

/// Resolves `flags` over the environment given by `env`. Empty values count as unset, as in
/// Consul. A token file (flag or `CONSUL_HTTP_TOKEN_FILE`) wins over a token.
pub fn resolve(
    flags: &ClientFlags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientSettings, ClientEnvError> {
    let get = |name: &str| env(name).filter(|v| !v.is_empty());
    let pick = |flag: &Option<String>, var: &str| {
        flag.clone().filter(|v| !v.is_empty()).or_else(|| get(var))
    };

    let addr = pick(&flags.http_addr, "CONSUL_HTTP_ADDR")
        .or_else(|| get("SD_HTTP_ADDR"))
        .unwrap_or_else(|| DEFAULT_HTTP_ADDR.to_string());
    let ssl = get("CONSUL_HTTP_SSL").and_then(|v| parse_go_bool(&v)) == Some(true);
    let default_scheme = if ssl { Scheme::Https } else { Scheme::Http };
    let (scheme, address, path_prefix, unix_socket) = match addr.strip_prefix("unix://") {
        // As Consul's api client: the socket carries plain HTTP for host `localhost`.
        Some(path) if path.starts_with('/') => (
            Scheme::Http,
            "localhost".to_string(),
            String::new(),
            Some(PathBuf::from(path)),
        ),
        _ => {
            let (scheme, address, prefix) = parse_address(&addr, default_scheme)?;
            (scheme, address, prefix, None)
        }
    };

    let mut token = pick(&flags.token, "CONSUL_HTTP_TOKEN");
    if let Some(file) = pick(&flags.token_file, "CONSUL_HTTP_TOKEN_FILE") {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| ClientEnvError::TokenFile(go_file_error("open", &file, &e)))?;
        let trimmed = text.trim();
        if !trimmed.is_empty() {
            token = Some(trimmed.to_string());
        }
    }

    let http_auth = get("CONSUL_HTTP_AUTH").map(|auth| match auth.split_once(':') {
        Some((user, pass)) => BasicAuth {
            username: user.to_string(),
            password: pass.to_string(),
        },
        None => BasicAuth {
            username: auth,
            password: String::new(),
        },
    });

    let tls = TlsSettings {
        ca_file: pick(&flags.ca_file, "CONSUL_CACERT").map(PathBuf::from),
        ca_path: pick(&flags.ca_path, "CONSUL_CAPATH").map(PathBuf::from),
        client_cert: pick(&flags.client_cert, "CONSUL_CLIENT_CERT").map(PathBuf::from),
        client_key: pick(&flags.client_key, "CONSUL_CLIENT_KEY").map(PathBuf::from),
        server_name: pick(&flags.tls_server_name, "CONSUL_TLS_SERVER_NAME"),
        // An unparsable value keeps verification on (Consul would turn it off).
        insecure_skip_verify: get("CONSUL_HTTP_SSL_VERIFY").and_then(|v| parse_go_bool(&v))
            == Some(false),
    };

    Ok(ClientSettings {
        scheme,
        address,
        path_prefix,
        token,
        http_auth,
        tls,
        datacenter: flags.datacenter.clone().filter(|v| !v.is_empty()),
        unix_socket,
    })
}

/// Splits `http://host:port/prefix`, `https://...` or bare `host:port` into scheme, address and
/// path prefix. `http://` keeps `default_scheme` when that is https (TLS explicitly requested
/// through `CONSUL_HTTP_SSL` is never downgraded, as in Consul).
pub fn parse_address(
    addr: &str,
    default_scheme: Scheme,
) -> Result<(Scheme, String, String), ClientEnvError> {
    let Some((proto, rest)) = addr.split_once("://") else {
        return Ok((default_scheme, addr.to_string(), String::new()));
    };
    let scheme = match proto {
        "http" => default_scheme,
        "https" => Scheme::Https,
        "unix" => return Err(ClientEnvError::UnixSocket(rest.to_string())),
        other => return Err(ClientEnvError::UnknownScheme(other.to_string())),
    };
    let (host, prefix) = match rest.split_once('/') {
        Some((host, path)) => {
            let prefix = format!("/{path}");
            (host.to_string(), prefix.trim_end_matches('/').to_string())
        }
        None => (rest.to_string(), String::new()),
    };
    Ok((scheme, host, prefix))
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// An I/O error worded like Go's `*PathError`: `open /x: no such file or directory`.
pub fn go_file_error(op: &str, path: &str, err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let what = match err.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => return format!("read {path}: is a directory"),
        _ => {
            let text = err.to_string();
            let text = match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    };
    format!("{op} {path}: {what}")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn flags_addr(addr: &str) -> ClientFlags {
        ClientFlags {
            http_addr: Some(addr.into()),
            ..Default::default()
        }
    }

    #[test]
    fn address_precedence() {
        let all = env_of(&[
            ("CONSUL_HTTP_ADDR", "10.0.0.1:8500"),
            ("SD_HTTP_ADDR", "10.0.0.2:8500"),
        ]);
        let s = resolve(&flags_addr("10.0.0.9:1234"), &all).unwrap();
        assert_eq!(s.address, "10.0.0.9:1234");
        let s = resolve(&ClientFlags::default(), &all).unwrap();
        assert_eq!(s.address, "10.0.0.1:8500");
        let sd_only = env_of(&[("SD_HTTP_ADDR", "10.0.0.2:8500")]);
        let s = resolve(&ClientFlags::default(), &sd_only).unwrap();
        assert_eq!(s.address, "10.0.0.2:8500");
        let none = env_of(&[("CONSUL_HTTP_ADDR", "")]);
        let s = resolve(&flags_addr(""), &none).unwrap();
        assert_eq!(s.address, "127.0.0.1:8500");
        assert_eq!(s.base_url(), "http://127.0.0.1:8500");
    }

    #[test]
    fn address_forms() {
        let p = |a| parse_address(a, Scheme::Http);
        assert_eq!(
            p("127.0.0.1:8500").unwrap(),
            (Scheme::Http, "127.0.0.1:8500".into(), String::new())
        );
        assert_eq!(
            p("http://h:1").unwrap(),
            (Scheme::Http, "h:1".into(), String::new())
        );
        assert_eq!(
            p("https://h:1").unwrap(),
            (Scheme::Https, "h:1".into(), String::new())
        );
        assert_eq!(
            p("https://h:1/consul/").unwrap(),
            (Scheme::Https, "h:1".into(), "/consul".into())
        );
        assert_eq!(
            p("[::1]:8500").unwrap(),
            (Scheme::Http, "[::1]:8500".into(), String::new())
        );
        assert_eq!(
            p("ftp://h:1").unwrap_err().to_string(),
            "Unknown protocol scheme: ftp"
        );
        assert!(matches!(
            p("unix://relative.sock"),
            Err(ClientEnvError::UnixSocket(_))
        ));
        let s = resolve(&flags_addr("unix:///tmp/consul.sock"), &|_| None).unwrap();
        assert_eq!(s.unix_socket, Some(PathBuf::from("/tmp/consul.sock")));
        assert_eq!(s.base_url(), "http://localhost");
        // TLS requested through the environment is not downgraded by http://
        assert_eq!(
            parse_address("http://h:1", Scheme::Https).unwrap().0,
            Scheme::Https
        );
    }

    #[test]
    fn ssl_env_sets_https() {
        let env = env_of(&[("CONSUL_HTTP_SSL", "true")]);
        let s = resolve(&ClientFlags::default(), &env).unwrap();
        assert_eq!(s.base_url(), "https://127.0.0.1:8500");
        let env = env_of(&[("CONSUL_HTTP_SSL", "nonsense")]);
        assert_eq!(
            resolve(&ClientFlags::default(), &env).unwrap().scheme,
            Scheme::Http
        );
    }

    #[test]
    fn token_precedence_and_file() {
        let env = env_of(&[("CONSUL_HTTP_TOKEN", "env-token")]);
        let s = resolve(&ClientFlags::default(), &env).unwrap();
        assert_eq!(s.token.as_deref(), Some("env-token"));
        let flags = ClientFlags {
            token: Some("flag-token".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&flags, &env).unwrap().token.as_deref(),
            Some("flag-token")
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "  file-token\n").unwrap();
        let path = file.to_str().unwrap().to_string();
        // The file wins over a token, even one given as a flag.
        let env = env_of(&[("CONSUL_HTTP_TOKEN_FILE", path.as_str())]);
        assert_eq!(
            resolve(&flags, &env).unwrap().token.as_deref(),
            Some("file-token")
        );
        let missing = ClientFlags {
            token_file: Some("/nonexistent/token".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&missing, &env_of(&[])).unwrap_err().to_string(),
            "Error loading token file: open /nonexistent/token: no such file or directory"
        );
    }

    #[test]
    fn basic_auth_and_tls() {
        let env = env_of(&[
            ("CONSUL_HTTP_AUTH", "user:pa:ss"),
            ("CONSUL_HTTP_SSL_VERIFY", "false"),
            ("CONSUL_CACERT", "/env/ca.pem"),
        ]);
        let flags = ClientFlags {
            ca_file: Some("/flag/ca.pem".into()),
            datacenter: Some("dc2".into()),
            ..Default::default()
        };
        let s = resolve(&flags, &env).unwrap();
        assert_eq!(
            s.http_auth,
            Some(BasicAuth {
                username: "user".into(),
                password: "pa:ss".into()
            })
        );
        assert!(s.tls.insecure_skip_verify);
        assert_eq!(s.tls.ca_file, Some(PathBuf::from("/flag/ca.pem")));
        assert_eq!(s.datacenter.as_deref(), Some("dc2"));
        let s = resolve(
            &ClientFlags::default(),
            &env_of(&[("CONSUL_HTTP_AUTH", "solo")]),
        )
        .unwrap();
        assert_eq!(s.http_auth.unwrap().password, "");
    }
}
