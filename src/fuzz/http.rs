//! `http`: one request to the agent's HTTP API, every endpoint family, through the same axum
//! router the listeners serve. The input is `METHOD /path?query` on its first line and the body
//! after it, so that the corpus is readable and the fuzzer mutates paths, query strings
//! (`?filter=`, `?index=`, `?wait=`, `?dc=`...) and bodies alike.
//!
//! Fails on: a panic anywhere in the agent, a request unanswered after a second, a 5xx other
//! than the few that mean "the cluster cannot do this now" (a 500 is what Consul answers for
//! many bad inputs too, so only its body is checked: never empty).

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use super::lab::lab;

/// Paths a request may not reach: they stop the agent, stream forever, or dial out by design.
pub(super) const OFF_LIMITS: &[&str] = &[
    "/v1/agent/leave",
    "/v1/agent/force-leave",
    "/v1/agent/join",
    "/v1/agent/monitor",
    "/v1/operator/raft/peer",
    "/v1/operator/raft/transfer-leader",
];

/// How long any answer may take. A blocking query (`?index=`) is held to it too: the target
/// puts `wait=10ms` first in such a query, and the first `wait` is the one read.
const LIMIT: Duration = Duration::from_secs(1);
/// How long `/v1/snapshot` may take: it encodes and compresses the whole state, which every
/// write the fuzzer makes grows (after 28 minutes a snapshot took more than a second).
const SNAPSHOT_LIMIT: Duration = Duration::from_secs(10);

pub(super) fn request(data: &[u8]) {
    let _ = status(data);
}

/// The answer's status, or `None` when the input is not a request the target sends.
pub(super) fn status(data: &[u8]) -> Option<StatusCode> {
    let (method, uri, body) = split(data)?;
    if off_limits(&uri) {
        return None;
    }
    // Not a request line hyper would have let through: `None`.
    let req = Request::builder()
        .method(method.clone())
        .uri(uri.as_str())
        .body(Body::from(body.to_vec()))
        .ok()?;
    let limit = if canonical(&uri).starts_with("/v1/snapshot") {
        SNAPSHOT_LIMIT
    } else {
        LIMIT
    };
    let lab = lab();
    let Some(answer) = lab.call(&lab.http, req, limit) else {
        panic!("{method} {uri}: no answer within {limit:?}");
    };
    if answer.status.is_server_error() && answer.body.is_empty() {
        panic!("{method} {uri}: {} with an empty body", answer.status);
    }
    if answer.status == StatusCode::NOT_IMPLEMENTED {
        panic!("{method} {uri}: 501");
    }
    Some(answer.status)
}

/// The method, the URI (a blocking query capped) and the body.
fn split(data: &[u8]) -> Option<(Method, String, &[u8])> {
    let (line, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let line = std::str::from_utf8(line).ok()?;
    let (method, target) = line.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let target = target.trim_end_matches('\r');
    if !target.starts_with('/') {
        return None;
    }
    let uri = match target.split_once('?') {
        Some((path, query)) if query.contains("index") => format!("{path}?wait=10ms&{query}"),
        _ => target.to_string(),
    };
    Some((method, uri, body))
}

/// Whether `uri` names one of [`OFF_LIMITS`], however it is spelled (percent-encoding, doubled
/// slashes, case: the router may accept any of them).
pub(super) fn off_limits(uri: &str) -> bool {
    let canonical = canonical(uri);
    OFF_LIMITS.iter().any(|p| canonical.starts_with(p))
}

/// The path of `uri` as the router may read it: percent-decoded, lower case, no empty segments.
fn canonical(uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    let mut canonical = String::with_capacity(decoded.len());
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        canonical.push('/');
        canonical.push_str(part);
    }
    canonical
}
