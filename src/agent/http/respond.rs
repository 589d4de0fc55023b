//! Building responses: JSON bodies (minimised, or 4-space indented with `?pretty`) and the
//! `X-Consul-*` headers of reads.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub use crate::agent::endpoints::QueryMeta;

impl QueryMeta {
    /// Adds the read headers to `h` (straight into a response's own map: one allocation,
    /// no second map to merge in).
    fn add_to(&self, h: &mut HeaderMap) {
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
    typed(status, "application/json", to_json(value, pretty), meta)
}

/// A JSON response from an already serialised body.
pub fn json_bytes(status: StatusCode, body: bytes::Bytes, meta: Option<&QueryMeta>) -> Response {
    typed(status, "application/json", body, meta)
}

/// An empty-bodied response carrying read metadata (Consul's 404 for a missing key).
pub fn empty(status: StatusCode, meta: &QueryMeta) -> Response {
    let mut resp = status.into_response();
    meta.add_to(resp.headers_mut());
    resp
}

/// A raw body (`?raw`) with read metadata.
pub fn raw(bytes: Vec<u8>, meta: &QueryMeta) -> Response {
    typed(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        bytes,
        Some(meta),
    )
}

/// A gzipped archive (`/v1/snapshot`) with read metadata.
pub fn gzip(bytes: Vec<u8>, meta: &QueryMeta) -> Response {
    typed(StatusCode::OK, "application/x-gzip", bytes, Some(meta))
}

/// A response with `body` as `content_type`, then the read headers if any.
fn typed(
    status: StatusCode,
    content_type: &'static str,
    body: impl IntoResponse,
    meta: Option<&QueryMeta>,
) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    if let Some(m) = meta {
        m.add_to(h);
    }
    resp
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
