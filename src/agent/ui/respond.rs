//! How a UI file is answered: its content type, a strong ETag (304 when the browser has it),
//! the gzip copy when the browser accepts gzip, `Cache-Control: no-cache` (revalidate, then
//! reuse), and for the embedded UI a Content-Security-Policy that allows no inline script.

use std::hash::Hasher;

use axum::body::Body;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::assets::Asset;

/// The embedded UI's policy: its own scripts, styles, images and API only; no framing, no
/// plugins, no inline script or style.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; manifest-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// A file ready to answer with.
pub struct File {
    content_type: &'static str,
    body: Bytes,
    gzip: Option<Bytes>,
    etag: String,
}

impl File {
    /// A file with its ETag computed from its bytes.
    pub fn new(path: &str, body: Vec<u8>, gzip: Option<Bytes>) -> File {
        let mut h = fnv::FnvHasher::default();
        h.write(&body);
        File {
            content_type: content_type(path),
            body: Bytes::from(body),
            gzip,
            etag: format!("\"{:016x}\"", h.finish()),
        }
    }

    pub fn embedded(a: &'static Asset) -> File {
        File {
            content_type: content_type(a.path),
            body: Bytes::from_static(a.body),
            // A copy that is not smaller (tiny files) is not worth the header.
            gzip: (a.gzip.len() < a.body.len()).then(|| Bytes::from_static(a.gzip)),
            etag: a.etag.to_string(),
        }
    }

    #[cfg(test)]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The answer to a GET with `request` headers.
    pub fn respond(&self, request: &HeaderMap, csp: bool) -> Response {
        let not_modified = request
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/") == self.etag
            });
        let (status, body, gzipped) = if not_modified {
            (StatusCode::NOT_MODIFIED, Bytes::new(), false)
        } else {
            match &self.gzip {
                Some(gz) if accepts_gzip(request) => (StatusCode::OK, gz.clone(), true),
                _ => (StatusCode::OK, self.body.clone(), false),
            }
        };
        let mut resp = Response::new(Body::from(body));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            h.insert(ETAG, v);
        }
        if self.gzip.is_some() {
            h.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        if gzipped {
            h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        h.insert(
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        );
        h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
        if csp {
            h.insert("content-security-policy", HeaderValue::from_static(CSP));
            h.insert("x-frame-options", HeaderValue::from_static("DENY"));
        }
        resp
    }
}

/// A 301 to `to` (the bare content path to the one with its slash, `/` to the UI).
pub fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::MOVED_PERMANENTLY, [(LOCATION, v)]).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Whether `Accept-Encoding` allows gzip (`gzip` or `*`, with a q-value above 0).
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (name.eq_ignore_ascii_case("gzip") || name == "*") && q > 0.0
        })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json" | "map") => "application/json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn gzip_is_sent_only_to_browsers_that_accept_it() {
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "gzip, deflate, br"
        )])));
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "br;q=1, *;q=0.5"
        )])));
        assert!(!accepts_gzip(&headers(&[(
            "accept-encoding",
            "gzip;q=0, br"
        )])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "identity")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_matching_etag_is_answered_304_without_a_body() {
        let f = File::new("a.css", b"body{}".to_vec(), Some(Bytes::from_static(b"gz")));
        let etag = f.etag.clone();
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_str(&etag).unwrap());
        let r = f.respond(&h, true);
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[ETAG], etag.as_str());
        let r = f.respond(&headers(&[("accept-encoding", "gzip")]), true);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
        assert!(r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"));
        let r = f.respond(&HeaderMap::new(), false);
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert!(r.headers().get("content-security-policy").is_none());
    }
}
