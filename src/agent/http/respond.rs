//! Building responses: JSON bodies (minimised, or 4-space indented with `?pretty`) and the
//! `X-Consul-*` headers of reads.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::params::Consistency;

/// What a read reports in its headers.
#[derive(Debug, Clone, Copy)]
pub struct QueryMeta {
    /// `X-Consul-Index`; never below 1, as Consul guarantees.
    pub index: u64,
    pub known_leader: bool,
    pub last_contact_ms: u64,
    pub consistency: Consistency,
}

impl QueryMeta {
    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("X-Consul-Index", HeaderValue::from(self.index.max(1)));
        h.insert(
            "X-Consul-KnownLeader",
            HeaderValue::from_static(if self.known_leader { "true" } else { "false" }),
        );
        h.insert(
            "X-Consul-LastContact",
            HeaderValue::from(self.last_contact_ms),
        );
        h.insert(
            "X-Consul-Effective-Consistency",
            HeaderValue::from_static(self.consistency.header_value()),
        );
        h
    }
}

/// Serialises `value` the way Consul does: compact, or indented by four spaces with `?pretty`.
pub fn to_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let result = if pretty {
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        value.serialize(&mut ser)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    if result.is_err() {
        // Our wire types serialise infallibly (string keys, no NaN); keep a valid body regardless.
        return b"null".to_vec();
    }
    if pretty {
        out.push(b'\n');
    }
    out
}

/// A JSON response with `status`, optionally carrying read metadata headers.
pub fn json<T: Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
    pretty: bool,
    meta: Option<&QueryMeta>,
) -> Response {
    let mut headers = meta.map(QueryMeta::headers).unwrap_or_default();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (status, headers, to_json(value, pretty)).into_response()
}

/// A JSON response from an already serialised body.
pub fn json_bytes(status: StatusCode, body: bytes::Bytes, meta: Option<&QueryMeta>) -> Response {
    let mut headers = meta.map(QueryMeta::headers).unwrap_or_default();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (status, headers, body).into_response()
}

/// An empty-bodied response carrying read metadata (Consul's 404 for a missing key).
pub fn empty(status: StatusCode, meta: &QueryMeta) -> Response {
    (status, meta.headers()).into_response()
}

/// A raw body (`?raw`) with read metadata.
pub fn raw(bytes: Vec<u8>, meta: &QueryMeta) -> Response {
    let mut headers = meta.headers();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    (StatusCode::OK, headers, bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_uses_four_spaces() {
        let v = serde_json::json!({"A": [1]});
        assert_eq!(
            String::from_utf8(to_json(&v, true)).unwrap(),
            "{\n    \"A\": [\n        1\n    ]\n}\n"
        );
        assert_eq!(
            String::from_utf8(to_json(&v, false)).unwrap(),
            "{\"A\":[1]}"
        );
    }
}
