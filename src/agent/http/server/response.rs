//! An answer's HTTP/1.x head for the lean path, framed as hyper frames it: `content-length`
//! when the body's size is known, `transfer-encoding: chunked` otherwise (close-delimited for
//! HTTP/1.0), no body for `HEAD`, 1xx, 204 and 304, `connection: close` when the connection ends
//! after it, and a `date` header.

use axum::http::header::{CONNECTION, CONTENT_LENGTH, DATE, TRANSFER_ENCODING};
use axum::http::{response, StatusCode, Version};

/// How an answer's body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body is written.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// The body ends when the connection closes (HTTP/1.0 of unknown length).
    Close,
}

/// What the answer's head depends on in its request.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    pub version: Version,
    pub head: bool,
    /// The connection stays open after the answer, as far as the client and the server go.
    pub keep_alive: bool,
}

/// An encoded head and how its body follows.
#[derive(Debug)]
pub struct Head {
    pub bytes: Vec<u8>,
    pub framing: Framing,
    /// The connection stays open after the answer.
    pub keep_alive: bool,
}

/// Encodes `parts` as the head answering `asked`, for a body of `known` bytes (`None`: not
/// known in advance).
pub fn encode(parts: &response::Parts, known: Option<u64>, asked: Asked) -> Head {
    let status = parts.status;
    let mut keep_alive = asked.keep_alive && !says_close(parts);
    let length_allowed = !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED);
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(super::request::content_length);
    let mut framing = match (declared.or(known), length_allowed) {
        (_, false) => Framing::Empty,
        (Some(n), true) => Framing::Length(n),
        (None, true) if asked.version == Version::HTTP_11 => Framing::Chunked,
        (None, true) => Framing::Close,
    };
    let mut out = Vec::with_capacity(96 + 40 * parts.headers.len());
    let version = match asked.version {
        Version::HTTP_10 => "HTTP/1.0 ",
        _ => "HTTP/1.1 ",
    };
    out.extend_from_slice(version.as_bytes());
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &parts.headers {
        if name == TRANSFER_ENCODING || name == CONNECTION {
            continue;
        }
        if name == CONTENT_LENGTH && !length_allowed {
            continue;
        }
        line(&mut out, name.as_str(), value.as_bytes());
    }
    match framing {
        Framing::Length(n) if declared.is_none() && !(asked.head && n == 0) => {
            line(&mut out, "content-length", n.to_string().as_bytes());
        }
        Framing::Chunked if !asked.head => line(&mut out, "transfer-encoding", b"chunked"),
        Framing::Close if !asked.head => keep_alive = false,
        _ => {}
    }
    if asked.head {
        framing = Framing::Empty;
    }
    match (asked.version, keep_alive) {
        (Version::HTTP_10, true) => line(&mut out, "connection", b"keep-alive"),
        (Version::HTTP_10, false) => {}
        (_, false) => line(&mut out, "connection", b"close"),
        (_, true) => {}
    }
    if !parts.headers.contains_key(DATE) {
        let now = httpdate::fmt_http_date(std::time::SystemTime::now());
        line(&mut out, "date", now.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    Head {
        bytes: out,
        framing,
        keep_alive,
    }
}

/// Whether the answer itself asks for the connection to close.
fn says_close(parts: &response::Parts) -> bool {
    parts.headers.get_all(CONNECTION).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")))
    })
}

fn line(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Response;

    fn parts(status: u16, headers: &[(&str, &str)]) -> response::Parts {
        let mut b = Response::builder().status(status);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    const V11: Asked = Asked {
        version: Version::HTTP_11,
        head: false,
        keep_alive: true,
    };

    fn text(h: &Head) -> String {
        String::from_utf8(h.bytes.clone()).unwrap()
    }

    #[test]
    fn a_known_body_gets_its_length_and_a_date() {
        let h = encode(
            &parts(200, &[("content-type", "application/json")]),
            Some(42),
            V11,
        );
        let t = text(&h);
        assert!(
            t.starts_with("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"),
            "{t}"
        );
        assert!(t.contains("\r\ncontent-length: 42\r\n"), "{t}");
        assert!(t.contains("\r\ndate: "), "{t}");
        assert!(t.ends_with("\r\n\r\n"), "{t}");
        assert!(!t.contains("connection"), "{t}");
        assert_eq!(h.framing, Framing::Length(42));
        assert!(h.keep_alive);
    }

    #[test]
    fn an_unknown_length_is_chunked_on_1_1_and_closes_on_1_0() {
        let h = encode(&parts(200, &[]), None, V11);
        assert_eq!(h.framing, Framing::Chunked);
        assert!(text(&h).contains("transfer-encoding: chunked\r\n"));
        let h = encode(
            &parts(200, &[]),
            None,
            Asked {
                version: Version::HTTP_10,
                ..V11
            },
        );
        assert_eq!(h.framing, Framing::Close);
        assert!(!h.keep_alive);
        assert!(text(&h).starts_with("HTTP/1.0 200 OK\r\n"));
    }

    #[test]
    fn bodiless_answers_write_no_body() {
        for status in [204, 304] {
            let h = encode(&parts(status, &[("content-length", "0")]), Some(0), V11);
            assert_eq!(h.framing, Framing::Empty);
            assert!(!text(&h).contains("content-length"), "{}", text(&h));
        }
        let head = Asked { head: true, ..V11 };
        let h = encode(&parts(200, &[]), Some(0), head);
        assert_eq!(h.framing, Framing::Empty);
        assert!(!text(&h).contains("content-length"));
        let h = encode(&parts(200, &[]), Some(12), head);
        assert_eq!(h.framing, Framing::Empty);
        assert!(text(&h).contains("content-length: 12\r\n"));
    }

    #[test]
    fn connection_headers_follow_keep_alive() {
        let h = encode(&parts(200, &[("connection", "close")]), Some(0), V11);
        assert!(!h.keep_alive);
        assert_eq!(text(&h).matches("connection: close").count(), 1);
        let closing = Asked {
            keep_alive: false,
            ..V11
        };
        assert!(text(&encode(&parts(200, &[]), Some(0), closing)).contains("connection: close\r\n"));
        let v10 = Asked {
            version: Version::HTTP_10,
            ..V11
        };
        assert!(
            text(&encode(&parts(200, &[]), Some(0), v10)).contains("connection: keep-alive\r\n")
        );
    }

    #[test]
    fn a_declared_length_is_kept_once() {
        let h = encode(&parts(200, &[("content-length", "3")]), None, V11);
        assert_eq!(h.framing, Framing::Length(3));
        assert_eq!(text(&h).matches("content-length").count(), 1);
    }
}
