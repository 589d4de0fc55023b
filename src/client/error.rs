//! The client's error type. Messages follow Consul's Go client so the CLI prints what `consul`
//! prints: `Unexpected response code: 500 (No cluster leader)`, or for a dead agent
//! `Get "http://127.0.0.1:8500/v1/kv/x": dial tcp 127.0.0.1:8500: connect: connection refused`.

use std::error::Error as _;

use crate::config::client_env::ClientEnvError;

/// Everything that can go wrong talking to an agent.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The settings (address, token file) could not be resolved.
    #[error(transparent)]
    Settings(#[from] ClientEnvError),
    /// TLS material or the HTTP client itself could not be set up.
    #[error("{0}")]
    Setup(String),
    /// The request never got an HTTP response (connection refused, DNS, timeout).
    #[error("{method} \"{url}\": {detail}")]
    Transport {
        method: String,
        url: String,
        detail: String,
    },
    /// The agent answered with a status the call does not accept; `body` is its plain-text
    /// error, trimmed.
    #[error("Unexpected response code: {code} ({body})")]
    Status { code: u16, body: String },
    /// The response body was not what the endpoint should return.
    #[error("{0}")]
    Decode(String),
    /// A request the client refuses to send (for example a KV key starting with `/`).
    #[error("{0}")]
    Invalid(String),
}

impl ClientError {
    /// The HTTP status, when the agent answered with an unexpected one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Wraps a reqwest failure on `method url` (sent over `unix_socket` when there is one),
    /// worded like Go's `*url.Error`.
    pub(crate) fn transport(
        method: &reqwest::Method,
        url: &str,
        unix_socket: Option<&std::path::Path>,
        err: &reqwest::Error,
    ) -> Self {
        let host = reqwest::Url::parse(url)
            .ok()
            .map(|u| {
                let host = u.host_str().unwrap_or_default().to_string();
                match u.port_or_known_default() {
                    Some(p) => format!("{host}:{p}"),
                    None => host,
                }
            })
            .unwrap_or_default();
        ClientError::Transport {
            method: go_method(method),
            url: url.to_string(),
            detail: match unix_socket {
                Some(path) => describe_unix(err, path),
                None => describe(err, &host),
            },
        }
    }
}

/// `GET` -> `Get`, as Go's `url.Error` prints the operation.
fn go_method(method: &reqwest::Method) -> String {
    let m = method.as_str();
    let mut out = m[..1].to_string();
    out.push_str(&m[1..].to_lowercase());
    out
}

/// The reason a request failed, in Go's words where there is an equivalent.
fn describe(err: &reqwest::Error, host_port: &str) -> String {
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if text.starts_with("dns error") {
            let host = host_port
                .rsplit_once(':')
                .map(|(h, _)| h)
                .unwrap_or(host_port);
            return format!("dial tcp: lookup {host}: no such host");
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return format!("dial tcp {host_port}: {}", io_reason(io));
        }
        source = e.source();
    }
    if err.is_timeout() {
        return format!("dial tcp {host_port}: i/o timeout");
    }
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.join(": ")
}

/// [`describe`] for a request over a unix socket: `dial unix /path: ...`, as Go says it.
fn describe_unix(err: &reqwest::Error, path: &std::path::Path) -> String {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return format!(
                "dial unix {}: connect: {}",
                path.display(),
                io_reason(io).trim_start_matches("connect: ")
            );
        }
        source = e.source();
    }
    format!("dial unix {}: {err}", path.display())
}

fn io_reason(io: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match io.kind() {
        ErrorKind::ConnectionRefused => "connect: connection refused".into(),
        ErrorKind::TimedOut => "i/o timeout".into(),
        ErrorKind::ConnectionReset => "read: connection reset by peer".into(),
        ErrorKind::HostUnreachable => "connect: no route to host".into(),
        ErrorKind::NetworkUnreachable => "connect: network is unreachable".into(),
        ErrorKind::AddrNotAvailable => "connect: cannot assign requested address".into(),
        _ => {
            let text = io.to_string();
            let text = text
                .find(" (os error")
                .map(|i| text[..i].to_string())
                .unwrap_or(text);
            text.to_lowercase()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_error_reads_like_consul() {
        let e = ClientError::Status {
            code: 500,
            body: "No cluster leader".into(),
        };
        assert_eq!(
            e.to_string(),
            "Unexpected response code: 500 (No cluster leader)"
        );
        assert_eq!(e.status(), Some(500));
    }

    #[test]
    fn transport_error_reads_like_go() {
        let e = ClientError::Transport {
            method: go_method(&reqwest::Method::GET),
            url: "http://127.0.0.1:8500/v1/kv/x".into(),
            detail: io_reason(&std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        };
        assert_eq!(
            e.to_string(),
            "Get \"http://127.0.0.1:8500/v1/kv/x\": connect: connection refused"
        );
        assert_eq!(go_method(&reqwest::Method::DELETE), "Delete");
    }
}
