//! gRPC checks: the standard health protocol (`grpc.health.v1.Health/Check`) over HTTP/2,
//! cleartext or TLS (`GRPCUseTLS`, with `TLSSkipVerify` and `TLSServerName`), as Consul runs
//! them. The target is `host:port[/service]`; without a service the server's overall health
//! is asked. `SERVING` is passing (`gRPC check <target>: success`); any other status, a gRPC
//! error or a failed connection is critical, worded as grpc-go words them
//! (`gRPC <target> serving status: NOT_SERVING`, `rpc error: code = Unimplemented desc = ...`).
//!
//! Hand-written over reqwest's HTTP/2 instead of a gRPC stack (tonic, prost): one unary call
//! whose request and response are a single protobuf field each does not justify the size.

use std::sync::Arc;
use std::time::Duration;

use axum::http;
use http_body_util::BodyExt;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, TE};

use super::http::{
    builder, connect_io_error, innermost, ClientKind, HttpClients, ServerNameResolver,
};
use super::output::go_io_error;
use super::{CheckType, Status};

const PATH: &str = "/grpc.health.v1.Health/Check";

/// gRPC status codes by number.
const CODES: [&str; 17] = [
    "OK",
    "Canceled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
];

/// `HealthCheckResponse.ServingStatus` by number.
const SERVING_STATUS: [&str; 4] = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

#[derive(Debug)]
pub(super) struct GrpcProbe {
    client: Result<reqwest::Client, String>,
    target: String,
    url: String,
    service: String,
    timeout: Duration,
}

impl GrpcProbe {
    /// The probe for `def`, on the client `clients` share for its settings (its own client
    /// only with `TLSServerName`, whose resolver is per check).
    pub(super) fn new(def: &CheckType, timeout: Duration, clients: &HttpClients) -> GrpcProbe {
        let target = def.grpc.clone();
        let (server, service) = match target.split_once('/') {
            Some((server, service)) => (server.to_string(), service.to_string()),
            None => (target.clone(), String::new()),
        };
        let kind = match def.grpc_use_tls {
            true => ClientKind::GrpcTls,
            false => ClientKind::GrpcCleartext,
        };
        let scheme = if def.grpc_use_tls { "https" } else { "http" };
        let (authority, client) = if def.grpc_use_tls && !def.tls_server_name.is_empty() {
            // Connect to the server's address but speak to (and verify) the given name.
            let (host, port) = server.rsplit_once(':').unwrap_or((server.as_str(), "443"));
            let resolver = ServerNameResolver::new(&def.tls_server_name, host);
            let client = builder(kind, def)
                .dns_resolver(Arc::new(resolver))
                .build()
                .map_err(|e| format!("cannot set up the gRPC client: {}", innermost(&e)));
            (format!("{}:{port}", def.tls_server_name), client)
        } else {
            (server.clone(), clients.shared(kind, def))
        };
        GrpcProbe {
            client,
            url: format!("{scheme}://{authority}{PATH}"),
            target,
            service,
            timeout,
        }
    }

    pub(super) async fn run(&self) -> (Status, String) {
        match self.call().await {
            Ok(1) => (
                Status::Passing,
                format!("gRPC check {}: success", self.target),
            ),
            Ok(status) => (
                Status::Critical,
                format!(
                    "gRPC {} serving status: {}",
                    self.target,
                    SERVING_STATUS
                        .get(status as usize)
                        .copied()
                        .unwrap_or("UNKNOWN")
                ),
            ),
            Err(e) => (Status::Critical, e),
        }
    }

    /// The serving status the server answered, or the error in grpc-go's words.
    async fn call(&self) -> Result<u64, String> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
        headers.insert(TE, HeaderValue::from_static("trailers"));
        let sent = client
            .post(&self.url)
            .headers(headers)
            .timeout(self.timeout)
            .body(request_frame(&self.service))
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let response: http::Response<reqwest::Body> = sent.into();
        let (parts, body) = response.into_parts();
        if !parts.status.is_success() {
            return Err(rpc_error(
                "Unknown",
                &format!(
                    "unexpected HTTP status code received from server: {}",
                    parts.status
                ),
            ));
        }
        let collected = tokio::time::timeout(self.timeout, body.collect())
            .await
            .map_err(|_| rpc_error("DeadlineExceeded", "context deadline exceeded"))?
            .map_err(|e| rpc_error("Unavailable", &innermost(&e)))?;
        let trailers = collected.trailers().cloned().unwrap_or_default();
        // A call that fails at once has its status in the headers ("trailers-only").
        let status = grpc_status(&trailers).or_else(|| grpc_status(&parts.headers));
        match status {
            Some((0, _)) | None => {}
            Some((code, message)) => {
                let name = CODES.get(code as usize).copied().unwrap_or("Unknown");
                return Err(rpc_error(name, &message));
            }
        }
        parse_response(&collected.to_bytes())
            .ok_or_else(|| rpc_error("Internal", "grpc: failed to unmarshal the received message"))
    }

    fn transport_error(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            return rpc_error("DeadlineExceeded", "context deadline exceeded");
        }
        let server = self.target.split('/').next().unwrap_or_default();
        let reason = match connect_io_error(e) {
            Some(io) => format!("dial tcp {server}: connect: {}", go_io_error(io)),
            None => innermost(e),
        };
        rpc_error(
            "Unavailable",
            &format!("connection error: desc = \"transport: Error while dialing: {reason}\""),
        )
    }
}

fn rpc_error(code: &str, desc: &str) -> String {
    format!("rpc error: code = {code} desc = {desc}")
}

/// `grpc-status` and `grpc-message` (percent-decoded), if present.
fn grpc_status(h: &HeaderMap) -> Option<(u32, String)> {
    let code = h.get("grpc-status")?.to_str().ok()?.trim().parse().ok()?;
    let message = h
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .map(|m| {
            percent_encoding::percent_decode_str(m)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    Some((code, message))
}

/// A length-prefixed, uncompressed `HealthCheckRequest { service }`.
fn request_frame(service: &str) -> Vec<u8> {
    let mut message = Vec::new();
    if !service.is_empty() {
        message.push(0x0a);
        put_varint(&mut message, service.len() as u64);
        message.extend_from_slice(service.as_bytes());
    }
    let mut frame = vec![0];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend(message);
    frame
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// The `status` field of the first `HealthCheckResponse` in `body` (0 when absent, as
/// protobuf's default).
fn parse_response(body: &[u8]) -> Option<u64> {
    if body.len() < 5 || body[0] != 0 {
        return None;
    }
    let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
    let mut msg = body.get(5..5 + len)?;
    let mut status = 0;
    while !msg.is_empty() {
        let (key, n) = get_varint(msg)?;
        msg = &msg[n..];
        match key & 7 {
            0 => {
                let (v, n) = get_varint(msg)?;
                msg = &msg[n..];
                if key >> 3 == 1 {
                    status = v;
                }
            }
            2 => {
                let (len, n) = get_varint(msg)?;
                msg = msg.get(n + len as usize..)?;
            }
            1 => msg = msg.get(8..)?,
            5 => msg = msg.get(4..)?,
            _ => return None,
        }
    }
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_encode_and_decode() {
        assert_eq!(request_frame(""), [0, 0, 0, 0, 0]);
        assert_eq!(
            request_frame("web"),
            [0, 0, 0, 0, 5, 0x0a, 3, b'w', b'e', b'b']
        );
        assert_eq!(parse_response(&[0, 0, 0, 0, 2, 0x08, 1]), Some(1));
        assert_eq!(parse_response(&[0, 0, 0, 0, 0]), Some(0));
        // Unknown fields are skipped.
        assert_eq!(
            parse_response(&[0, 0, 0, 0, 5, 0x12, 1, b'x', 0x08, 2]),
            Some(2)
        );
        assert_eq!(parse_response(&[1, 0, 0, 0, 0]), None);
        assert_eq!(parse_response(&[0, 0, 0, 0, 9, 0x08]), None);
    }
}
