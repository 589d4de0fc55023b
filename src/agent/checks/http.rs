//! HTTP checks: one request per run with the check's `Method` (GET), `Header`, `Body`,
//! timeout (10 s by default), redirect and TLS settings, on a client shared by the checks with
//! the same settings, keep-alive off (as Consul does, so idle connections cannot fail a check). 2xx is passing,
//! 429 warning, anything else critical. The output is Consul's
//! `HTTP GET http://x/health: 200 OK Output: <body>`, the body cut to its last OutputMaxSize
//! bytes; a request that fails is critical with the error in Go's words
//! (`Get "http://x/health": dial tcp x:80: connect: connection refused`).
//!
//! `TLSServerName` sets the name sent in SNI and checked against the certificate: the request
//! goes to that name, which a resolver of this check's own maps back to the URL's host, and
//! the `Host` header keeps the URL's host.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, HOST, USER_AGENT};
use reqwest::{Method, StatusCode, Url};

use super::output::{go_io_error, TailBuffer};
use super::{CheckType, Status};

/// Consul's `User-Agent` for checks that set none.
const CHECK_USER_AGENT: &str = "Consul Health Check";
const CHECK_ACCEPT: &str = "text/plain, text/*, */*";
/// Go's http.Client follows at most 10 redirects.
const MAX_REDIRECTS: usize = 10;

#[derive(Debug)]
pub(super) struct HttpProbe {
    client: reqwest::Client,
    timeout: Duration,
    /// The method and URL as the definition gives them, for the output.
    method: String,
    url: String,
    /// The request to send, or why it cannot be built (reported as critical on each run).
    request: Result<Request, String>,
    body: String,
    output_max: usize,
}

#[derive(Debug, Clone)]
struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
}

impl HttpProbe {
    /// The probe for `def`; an error only when no HTTP client can be built at all.
    pub(super) fn new(
        def: &CheckType,
        timeout: Duration,
        output_max: usize,
        clients: &HttpClients,
    ) -> Result<HttpProbe, String> {
        let method = if def.method.is_empty() {
            "GET".to_string()
        } else {
            def.method.clone()
        };
        let (request, client) = match prepare(def, &method) {
            Ok((request, Some(resolver))) => {
                let client = client_builder(def)
                    .dns_resolver(Arc::new(resolver))
                    .build()
                    .map_err(|e| format!("cannot set up the HTTP client: {}", innermost(&e)))?;
                (Ok(request), client)
            }
            Ok((request, None)) => (Ok(request), clients.get(def)?),
            Err(e) => (Err(e), clients.get(def)?),
        };
        Ok(HttpProbe {
            client,
            timeout,
            method,
            url: def.http.clone(),
            request,
            body: def.body.clone(),
            output_max,
        })
    }

    pub(super) async fn run(&self) -> (Status, String) {
        let request = match &self.request {
            Ok(request) => request,
            Err(e) => return (Status::Critical, e.clone()),
        };
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone())
            .timeout(self.timeout)
            .headers(request.headers.clone());
        if !self.body.is_empty() {
            builder = builder.body(self.body.clone());
        }
        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return (Status::Critical, self.request_error(&request.url, &e)),
        };
        let mut body = TailBuffer::new(self.output_max);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => body.write(&chunk),
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(url = %self.url, "check error while reading body: {}", innermost(&e));
                    break;
                }
            }
        }
        let code = response.status();
        let output = format!(
            "HTTP {} {}: {} Output: {}",
            self.method,
            self.url,
            status_line(&response),
            body.text()
        );
        let status = if code.is_success() {
            Status::Passing
        } else if code == StatusCode::TOO_MANY_REQUESTS {
            Status::Warning
        } else {
            Status::Critical
        };
        (status, output)
    }

    /// A failed request as Go's `url.Error` prints it: `Get "http://x": <reason>`.
    fn request_error(&self, url: &Url, e: &reqwest::Error) -> String {
        let reason = if e.is_timeout() {
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".to_string()
        } else if e.is_redirect() {
            format!("stopped after {MAX_REDIRECTS} redirects")
        } else if let Some(io) = connect_io_error(e) {
            let port = url.port_or_known_default().unwrap_or(80);
            let host = url.host_str().unwrap_or_default();
            format!("dial tcp {host}:{port}: connect: {}", go_io_error(io))
        } else {
            innermost(e)
        };
        format!("{} {:?}: {reason}", go_op(&self.method), self.url)
    }
}

/// A client with the check's redirect and TLS settings and keep-alive off.
fn client_builder(def: &CheckType) -> reqwest::ClientBuilder {
    let redirects = if def.disable_redirects {
        reqwest::redirect::Policy::none()
    } else {
        reqwest::redirect::Policy::limited(MAX_REDIRECTS)
    };
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(redirects)
        .danger_accept_invalid_certs(def.tls_skip_verify)
}

/// The clients checks share, one per kind of client (HTTP, gRPC cleartext, gRPC over TLS) and
/// per redirect and TLS setting (a client carries its own resolver and TLS configuration, tens
/// of KB: one per check does not scale). One set per agent, so clients never outlive the
/// runtime their connections run on.
#[derive(Debug, Clone, Default)]
pub struct HttpClients(Arc<Mutex<BTreeMap<ClientKey, reqwest::Client>>>);

/// A shared client's kind, `DisableRedirects` and `TLSSkipVerify`.
type ClientKey = (ClientKind, bool, bool);

/// What a shared client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ClientKind {
    Http,
    /// HTTP/2 with prior knowledge (gRPC without TLS).
    GrpcCleartext,
    /// HTTP/2 negotiated by TLS (`GRPCUseTLS`).
    GrpcTls,
}

impl HttpClients {
    fn get(&self, def: &CheckType) -> Result<reqwest::Client, String> {
        self.shared(ClientKind::Http, def)
    }

    /// The shared client of `kind` for `def`'s redirect and TLS settings.
    pub(super) fn shared(
        &self,
        kind: ClientKind,
        def: &CheckType,
    ) -> Result<reqwest::Client, String> {
        let key = (kind, def.disable_redirects, def.tls_skip_verify);
        let mut clients = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = builder(kind, def)
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", innermost(&e)))?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// A client builder of `kind` with `def`'s settings.
pub(super) fn builder(kind: ClientKind, def: &CheckType) -> reqwest::ClientBuilder {
    match kind {
        ClientKind::Http => client_builder(def),
        ClientKind::GrpcCleartext => client_builder(def).http2_prior_knowledge(),
        ClientKind::GrpcTls => client_builder(def),
    }
}

/// The method, URL and headers of a definition, or Go's error for the first bad one, plus the
/// resolver that `TLSServerName` needs.
fn prepare(def: &CheckType, method: &str) -> Result<(Request, Option<ServerNameResolver>), String> {
    let parsed = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("net/http: invalid method {method:?}"))?;
    let mut url = Url::parse(&def.http).map_err(|e| format!("parse {:?}: {e}", def.http))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!(
            "{} {:?}: unsupported protocol scheme {:?}",
            go_op(method),
            def.http,
            url.scheme()
        ));
    }
    let mut headers = HeaderMap::new();
    for (name, values) in &def.header {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("net/http: invalid header field name {name:?}"))?;
        for value in values {
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("net/http: invalid header field value for {name:?}"))?;
            headers.append(header.clone(), value);
        }
    }
    if !headers.contains_key(USER_AGENT) {
        headers.insert(USER_AGENT, HeaderValue::from_static(CHECK_USER_AGENT));
    }
    if !headers.contains_key(ACCEPT) {
        headers.insert(ACCEPT, HeaderValue::from_static(CHECK_ACCEPT));
    }
    let mut resolver = None;
    let server_name = def.tls_server_name.as_str();
    let host = url.host_str().unwrap_or_default().to_string();
    if url.scheme() == "https" && !server_name.is_empty() && !host.eq_ignore_ascii_case(server_name)
    {
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        url.set_host(Some(server_name))
            .map_err(|e| format!("invalid TLSServerName {server_name:?}: {e}"))?;
        if !headers.contains_key(HOST) {
            let value = HeaderValue::from_str(&authority)
                .map_err(|_| format!("net/http: invalid Host {authority:?}"))?;
            headers.insert(HOST, value);
        }
        resolver = Some(ServerNameResolver::new(server_name, &host));
    }
    Ok((
        Request {
            method: parsed,
            url,
            headers,
        },
        resolver,
    ))
}

/// Resolves the TLS server name to the addresses of the URL's real host (and every other
/// name, such as a redirect's, to its own).
#[derive(Debug, Clone)]
pub(super) struct ServerNameResolver {
    server_name: String,
    host: String,
}

impl ServerNameResolver {
    /// Sends `server_name` to `host` (a name or an IP, brackets allowed).
    pub(super) fn new(server_name: &str, host: &str) -> ServerNameResolver {
        ServerNameResolver {
            server_name: server_name.to_ascii_lowercase(),
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
        }
    }
}

impl Resolve for ServerNameResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let target = if name.as_str().eq_ignore_ascii_case(&self.server_name) {
            self.host.clone()
        } else {
            name.as_str().to_string()
        };
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match target.parse::<IpAddr>() {
                Ok(ip) => vec![SocketAddr::new(ip, 0)],
                Err(_) => tokio::net::lookup_host((target.as_str(), 0))
                    .await?
                    .collect(),
            };
            Ok::<Addrs, Box<dyn std::error::Error + Send + Sync>>(Box::new(addrs.into_iter()))
        })
    }
}

/// Go's status text: the code and the reason phrase the server sent (the standard one when
/// it sent the standard one).
fn status_line(response: &reqwest::Response) -> String {
    let code = response.status();
    let reason = match response.extensions().get::<hyper::ext::ReasonPhrase>() {
        Some(sent) => String::from_utf8_lossy(sent.as_bytes()).into_owned(),
        None => code.canonical_reason().unwrap_or_default().to_string(),
    };
    format!("{} {reason}", code.as_u16()).trim_end().to_string()
}

/// Go's `url.Error` operation: the method with only its first letter upper case (`Get`).
fn go_op(method: &str) -> String {
    let mut chars = method.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// The I/O error of a failed connection attempt, when that is what failed.
pub(super) fn connect_io_error(e: &reqwest::Error) -> Option<&std::io::Error> {
    use std::io::ErrorKind::*;
    if !e.is_connect() {
        return None;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let connecting = matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | HostUnreachable
                    | NetworkUnreachable
                    | AddrNotAvailable
            );
            return connecting.then_some(io);
        }
        source = s.source();
    }
    None
}

/// The most specific message in an error's chain.
pub(super) fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
