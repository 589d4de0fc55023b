//! One HTTP/1.x request head, parsed for the lean path with httparse (hyper's own parser) into
//! `http` types. What the lean path does not serve itself is answered `HandOff`: a chunked
//! body, `Expect`, an upgrade, `CONNECT`, HTTP/2's preface, a malformed or oversized head, a
//! body past `MAX_BODY`. hyper then serves the connection and gives those their usual answers.

use axum::http::header::{CONNECTION, CONTENT_LENGTH, EXPECT, TRANSFER_ENCODING, UPGRADE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri, Version};

/// The longest head the lean path reads before handing the connection to hyper.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most header fields the lean path parses (hyper's own limit, 100, then applies).
const MAX_HEADERS: usize = 64;
/// The largest `Content-Length` body the lean path reads whole; hyper streams larger ones.
pub const MAX_BODY: usize = 1024 * 1024;

/// What the bytes read so far hold. (A return value, never stored: boxing the head would
/// cost an allocation per request for nothing.)
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    /// An incomplete head: read more.
    Partial,
    /// A request the lean path serves.
    Lean(Head),
    /// A request only hyper serves: hand it the connection.
    HandOff,
}

/// A parsed request head.
#[derive(Debug)]
pub struct Head {
    /// The request without its body.
    pub request: Request<()>,
    /// The head's length in bytes, blank line included.
    pub len: usize,
    /// The body's length (`Content-Length`, 0 without one).
    pub body_len: usize,
    /// Whether the client keeps the connection open after the answer.
    pub keep_alive: bool,
}

/// Parses the head at the start of `buf`.
pub fn parse(buf: &[u8]) -> Parsed {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut fields);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => return Parsed::Partial,
        _ => return Parsed::HandOff,
    };
    match head(&req, len) {
        Some(head) => Parsed::Lean(head),
        None => Parsed::HandOff,
    }
}

/// The `http` form of a complete head, or `None` when hyper must serve it.
fn head(req: &httparse::Request, len: usize) -> Option<Head> {
    let method = Method::from_bytes(req.method?.as_bytes()).ok()?;
    if method == Method::CONNECT {
        return None;
    }
    let version = match req.version? {
        0 => Version::HTTP_10,
        1 => Version::HTTP_11,
        _ => return None,
    };
    let uri = Uri::try_from(req.path?).ok()?;
    let mut headers = HeaderMap::with_capacity(req.headers.len());
    let mut body_len: Option<u64> = None;
    let mut close = false;
    let mut keep_alive = false;
    for field in req.headers.iter() {
        let name = HeaderName::from_bytes(field.name.as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(field.value).ok()?;
        if name == TRANSFER_ENCODING || name == EXPECT || name == UPGRADE {
            return None;
        }
        if name == CONTENT_LENGTH {
            let n = content_length(&value)?;
            if body_len.is_some_and(|seen| seen != n) {
                return None;
            }
            body_len = Some(n);
        }
        if name == CONNECTION {
            for token in value.to_str().ok()?.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    close = true;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                } else if token.eq_ignore_ascii_case("upgrade") {
                    return None;
                }
            }
        }
        headers.append(name, value);
    }
    let body_len = usize::try_from(body_len.unwrap_or(0)).ok()?;
    if body_len > MAX_BODY {
        return None;
    }
    let keep_alive = match version {
        Version::HTTP_11 => !close,
        _ => keep_alive && !close,
    };
    let mut request = Request::new(());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = version;
    *request.headers_mut() = headers;
    Some(Head {
        request,
        len,
        body_len,
        keep_alive,
    })
}

/// A `Content-Length` value, a request's or an answer's: decimal digits only (no sign, no
/// spaces inside).
pub fn content_length(value: &HeaderValue) -> Option<u64> {
    let bytes = value.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lean(raw: &str) -> Head {
        match parse(raw.as_bytes()) {
            Parsed::Lean(h) => h,
            other => panic!("{raw:?}: {other:?}"),
        }
    }

    fn handed_off(raw: &str) -> bool {
        matches!(parse(raw.as_bytes()), Parsed::HandOff)
    }

    #[test]
    fn a_blocking_query_is_lean_with_its_query_string() {
        let raw = "GET /v1/health/service/web?index=7&wait=5m HTTP/1.1\r\nHost: x\r\nX-Consul-Token: t\r\n\r\n";
        let h = lean(raw);
        assert_eq!(h.len, raw.len());
        assert_eq!(h.body_len, 0);
        assert!(h.keep_alive);
        assert_eq!(h.request.method(), Method::GET);
        assert_eq!(h.request.uri().path(), "/v1/health/service/web");
        assert_eq!(h.request.uri().query(), Some("index=7&wait=5m"));
        assert_eq!(h.request.headers()["x-consul-token"], "t");
    }

    #[test]
    fn an_incomplete_head_asks_for_more_until_it_is_too_long() {
        assert!(matches!(
            parse(b"GET /v1/kv/a HTTP/1.1\r\nHo"),
            Parsed::Partial
        ));
        assert!(matches!(parse(b""), Parsed::Partial));
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_HEAD));
        assert!(handed_off(&long));
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection() {
        assert!(!lean("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
        assert!(!lean("GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(lean("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
        assert_eq!(
            lean("GET / HTTP/1.0\r\n\r\n").request.version(),
            Version::HTTP_10
        );
    }

    #[test]
    fn a_body_is_lean_only_with_one_plain_length() {
        assert_eq!(
            lean("PUT /v1/kv/a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").body_len,
            5
        );
        assert_eq!(
            lean("PUT /v1/kv/a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")
                .body_len,
            5
        );
        for raw in [
            "PUT /v1/kv/a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "PUT /v1/kv/a HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
            "PUT /v1/kv/a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "PUT /v1/kv/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "PUT /v1/kv/a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
        ] {
            assert!(handed_off(raw), "{raw:?}");
        }
        let big = format!(
            "PUT /v1/snapshot HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert!(handed_off(&big));
    }

    #[test]
    fn what_only_hyper_serves_is_handed_off() {
        for raw in [
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "CONNECT example.com:443 HTTP/1.1\r\n\r\n",
            "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
            "GET /\x01 HTTP/1.1\r\n\r\n",
            "GARBAGE\r\n\r\n",
        ] {
            assert!(handed_off(raw), "{raw:?}");
        }
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: v\r\n"))
            .collect();
        assert!(handed_off(&format!("GET / HTTP/1.1\r\n{many}\r\n")));
    }
}
