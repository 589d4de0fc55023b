//! TCP checks: connect to `host:port`, trying every address the host resolves to in turn
//! until one accepts, within the check's timeout (10 s by default). Passing output is Consul's
//! `TCP connect host:port: Success`; a failure's output is the error as Go's dialer words it
//! (`dial tcp 127.0.0.1:9: connect: connection refused`), from the first address tried.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::output::go_io_error;
use super::Status;

/// Each address gets at least this much of the remaining time (Go's `saneMinimum`).
const MIN_ATTEMPT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub(super) struct TcpProbe {
    target: String,
    timeout: Duration,
}

impl TcpProbe {
    pub(super) fn new(target: &str, timeout: Duration) -> TcpProbe {
        TcpProbe {
            target: target.to_string(),
            timeout,
        }
    }

    pub(super) async fn run(&self) -> (Status, String) {
        match self.connect().await {
            Ok(()) => (
                Status::Passing,
                format!("TCP connect {}: Success", self.target),
            ),
            Err(e) => (Status::Critical, e),
        }
    }

    async fn connect(&self) -> Result<(), String> {
        let deadline = Instant::now() + self.timeout;
        let addrs = resolve(&self.target, deadline).await?;
        let mut first_error = None;
        for (i, addr) in addrs.iter().enumerate() {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                first_error.get_or_insert_with(|| format!("dial tcp {addr}: i/o timeout"));
                break;
            }
            let left = u32::try_from(addrs.len() - i).unwrap_or(u32::MAX);
            let share = (remaining / left).max(remaining.min(MIN_ATTEMPT));
            let error = match timeout_at(Instant::now() + share, TcpStream::connect(*addr)).await {
                Ok(Ok(_stream)) => return Ok(()),
                Ok(Err(e)) => format!("dial tcp {addr}: connect: {}", go_io_error(&e)),
                Err(_) => format!("dial tcp {addr}: i/o timeout"),
            };
            tracing::trace!(%addr, %error, "TCP check attempt failed");
            first_error.get_or_insert(error);
        }
        Err(first_error.unwrap_or_else(|| format!("dial tcp {}: no address", self.target)))
    }
}

/// The addresses of `host:port` (`[v6]:port` for IPv6 literals), with Go's wording for the
/// ways it can fail.
async fn resolve(target: &str, deadline: Instant) -> Result<Vec<SocketAddr>, String> {
    let Some((host, port)) = target.rsplit_once(':') else {
        return Err(format!(
            "dial tcp: address {target}: missing port in address"
        ));
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let Ok(port) = port.parse::<u16>() else {
        return Err(format!("dial tcp: lookup tcp/{port}: unknown port"));
    };
    if host.is_empty() {
        return Ok(vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)]);
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if host.contains(':') {
        return Err(format!(
            "dial tcp: address {target}: too many colons in address"
        ));
    }
    match timeout_at(deadline, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(found)) => {
            let addrs: Vec<SocketAddr> = found.collect();
            if addrs.is_empty() {
                Err(format!("dial tcp: lookup {host}: no such host"))
            } else {
                Ok(addrs)
            }
        }
        Ok(Err(e)) => Err(format!("dial tcp: lookup {host}: {}", go_io_error(&e))),
        Err(_) => Err(format!("dial tcp: lookup {host}: i/o timeout")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::checks::test_support::closed_port;

    const TIMEOUT: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn a_listening_port_passes_in_consuls_words() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = listener.local_addr().unwrap().to_string();
        let (status, output) = TcpProbe::new(&target, TIMEOUT).run().await;
        assert_eq!(status, Status::Passing);
        assert_eq!(output, format!("TCP connect {target}: Success"));
    }

    #[tokio::test]
    async fn a_closed_port_is_critical_with_the_dial_error() {
        let target = format!("127.0.0.1:{}", closed_port().await);
        let (status, output) = TcpProbe::new(&target, TIMEOUT).run().await;
        assert_eq!(status, Status::Critical);
        assert_eq!(
            output,
            format!("dial tcp {target}: connect: connection refused")
        );
    }

    #[tokio::test]
    async fn every_resolved_address_is_tried() {
        // `localhost` may resolve to ::1 before 127.0.0.1; the listener is on IPv4 only.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = format!("localhost:{}", listener.local_addr().unwrap().port());
        let (status, output) = TcpProbe::new(&target, TIMEOUT).run().await;
        assert_eq!(
            (status, output),
            (Status::Passing, format!("TCP connect {target}: Success"))
        );
    }

    #[tokio::test]
    async fn malformed_targets_are_critical() {
        let (status, output) = TcpProbe::new("127.0.0.1", TIMEOUT).run().await;
        assert_eq!(status, Status::Critical);
        assert_eq!(
            output,
            "dial tcp: address 127.0.0.1: missing port in address"
        );
        let (_, output) = TcpProbe::new("127.0.0.1:http-ish", TIMEOUT).run().await;
        assert_eq!(output, "dial tcp: lookup tcp/http-ish: unknown port");
    }
}
