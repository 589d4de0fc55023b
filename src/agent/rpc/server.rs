//! The server RPC listener: an axum router spoken as HTTP/2 cleartext (HTTP/1.1 also accepted)
//! that hands Raft messages to the local node through [`RaftHandler`] (the seam this transport
//! owns and `raft` implements, so the transport never imports the consensus module) and runs
//! forwarded HTTP API requests through this server's own HTTP router. Malformed input gets a
//! 400, never a panic.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::client::{decode, encode, MSGPACK, NOT_LEADER};
use super::messages::{
    is_hop_by_hop, ForwardRequest, ForwardResponse, Forwarded, FromDatacenter, OriginNode,
    PATH_APPEND, PATH_ELECTION, PATH_FORWARD, PATH_FROM_CLIENT, PATH_FROM_DATACENTER,
    PATH_SNAPSHOT, PATH_VOTE,
};

/// Largest RPC body accepted (snapshot chunks are a few MiB; forwarded bodies are capped by the
/// HTTP layer's own limits before they get here).
const MAX_RPC_BODY: usize = 64 * 1024 * 1024;

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen for server RPC on {addr}: {source}; another server (sd or Consul) may hold the port: stop it or choose another port with -server-port (ports.server)")]
pub struct BindError {
    pub addr: SocketAddr,
    #[source]
    pub source: std::io::Error,
}

/// Binds the RPC address (a taken port fails here, before anything else starts).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| BindError { addr, source })
}

/// What the listener needs from the local Raft node.
pub trait RaftHandler: Send + Sync + 'static {
    /// Answers one Raft message (`path` is [`PATH_APPEND`], [`PATH_VOTE`], [`PATH_SNAPSHOT`]
    /// or [`PATH_ELECTION`]) sent as msgpack, with the msgpack answer.
    fn handle<'a>(
        &'a self,
        path: &'static str,
        body: &'a [u8],
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Vec<u8>, RaftCallError>> + Send + 'a>,
    >;

    /// Whether this node leads (only the leader serves forwarded requests).
    fn is_leader(&self) -> bool;
}

/// Why a Raft message got no answer.
#[derive(Debug, thiserror::Error)]
pub enum RaftCallError {
    /// The body is not the message the path names (a 400).
    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    /// The answer could not be encoded (a 500).
    #[error("{0}")]
    Encode(String),
}

#[derive(Clone)]
struct RpcState {
    raft: Arc<dyn RaftHandler>,
    http: Option<Router>,
}

/// The RPC routes for `raft`; `http` is the router forwarded API requests run through (None on
/// a server that only replicates, as in Raft-level tests).
pub fn router(raft: Arc<dyn RaftHandler>, http: Option<Router>) -> Router {
    Router::new()
        .route(PATH_APPEND, post(|s, b| raft_message(PATH_APPEND, s, b)))
        .route(PATH_VOTE, post(|s, b| raft_message(PATH_VOTE, s, b)))
        .route(
            PATH_SNAPSHOT,
            post(|s, b| raft_message(PATH_SNAPSHOT, s, b)),
        )
        .route(
            PATH_ELECTION,
            post(|s, b| raft_message(PATH_ELECTION, s, b)),
        )
        .route(PATH_FORWARD, post(forward))
        .route(PATH_FROM_CLIENT, post(from_client))
        .route(PATH_FROM_DATACENTER, post(from_datacenter))
        .fallback(|| async { (StatusCode::NOT_FOUND, "unknown server RPC") })
        .layer(DefaultBodyLimit::max(MAX_RPC_BODY))
        .with_state(RpcState { raft, http })
}

/// A running RPC listener.
pub struct RpcServer {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    addr: SocketAddr,
}

impl RpcServer {
    /// Serves `router` on `listener` (TCP, or TLS: `agent::tls`) until [`RpcServer::stop`].
    pub fn spawn<L>(listener: L, router: Router) -> RpcServer
    where
        L: axum::serve::Listener<Addr = SocketAddr>,
    {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (stop, mut rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, router.into_make_service())
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "server RPC listener failed");
            }
        });
        RpcServer { stop, task, addr }
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets running requests finish for up to `grace`, then gives up on them.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
        }
    }
}

/// A request that could not be decoded: answered with 400 and the reason.
struct Malformed(String);

impl IntoResponse for Malformed {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.0).into_response()
    }
}

fn bad_request(what: &str, e: impl std::fmt::Display) -> Malformed {
    Malformed(format!("malformed {what}: {e}"))
}

fn msgpack<T: Serialize>(value: &T) -> Response {
    match encode(value) {
        Ok(bytes) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, MSGPACK)],
            bytes,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn parse<T: DeserializeOwned>(what: &str, body: &Bytes) -> Result<T, Malformed> {
    decode(body).map_err(|e| bad_request(what, e))
}

async fn raft_message(path: &'static str, State(s): State<RpcState>, body: Bytes) -> Response {
    match s.raft.handle(path, &body).await {
        Ok(answer) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, MSGPACK)],
            answer,
        )
            .into_response(),
        Err(e @ RaftCallError::Malformed { .. }) => {
            (StatusCode::BAD_REQUEST, e.to_string()).into_response()
        }
        Err(e @ RaftCallError::Encode(_)) => {
            (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
        }
    }
}

async fn forward(State(s): State<RpcState>, body: Bytes) -> Response {
    let req: ForwardRequest = match parse("forwarded request", &body) {
        Ok(req) => req,
        Err(bad) => return bad.into_response(),
    };
    // Only the leader serves forwarded requests; the sender retries once it knows the new one.
    if !s.raft.is_leader() {
        return (NOT_LEADER, "this server is not the Raft leader").into_response();
    }
    serve(s, req, Came::Server).await
}

async fn from_client(State(s): State<RpcState>, body: Bytes) -> Response {
    match parse("forwarded request", &body) {
        Ok(req) => serve(s, req, Came::Client).await,
        Err(bad) => bad.into_response(),
    }
}

async fn from_datacenter(State(s): State<RpcState>, body: Bytes) -> Response {
    match parse("forwarded request", &body) {
        Ok(req) => serve(s, req, Came::Datacenter).await,
        Err(bad) => bad.into_response(),
    }
}

/// Where a forwarded request came from, which decides how far it may travel on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Came {
    /// From a server of this datacenter, for the leader: served here or failed.
    Server,
    /// From a client agent: served here or sent to the leader (or another datacenter).
    Client,
    /// From another datacenter: served here or sent to the leader, never to a third.
    Datacenter,
}

/// Runs a forwarded request through this server's HTTP API, marked by where it came from.
async fn serve(s: RpcState, req: ForwardRequest, came: Came) -> Response {
    let Some(http) = s.http else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "this server does not serve forwarded requests",
        )
            .into_response();
    };
    let request = match build_request(req, came) {
        Ok(r) => r,
        Err(bad) => return bad.into_response(),
    };
    let response = match tower::ServiceExt::oneshot(http, request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
        }
    };
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| !is_hop_by_hop(name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                serde_bytes::ByteBuf::from(value.as_bytes().to_vec()),
            )
        })
        .collect();
    msgpack(&ForwardResponse {
        status: parts.status.as_u16(),
        headers,
        body: serde_bytes::ByteBuf::from(body.to_vec()),
    })
}

/// The HTTP request a [`ForwardRequest`] describes, marked [`Forwarded`] or
/// [`FromDatacenter`] by where it came from.
fn build_request(req: ForwardRequest, came: Came) -> Result<axum::http::Request<Body>, Malformed> {
    let method = axum::http::Method::from_bytes(req.method.as_bytes())
        .map_err(|e| bad_request("forwarded method", e))?;
    let uri: axum::http::Uri = req
        .uri
        .parse()
        .map_err(|e| bad_request("forwarded URI", e))?;
    let mut request = axum::http::Request::new(Body::from(req.body.into_vec()));
    if let Some(node) = req.origin_node {
        request.extensions_mut().insert(OriginNode(node));
    }
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for (name, value) in req.headers {
        if is_hop_by_hop(&name) {
            continue;
        }
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| bad_request("forwarded header name", e))?;
        let value = HeaderValue::from_bytes(&value)
            .map_err(|e| bad_request("forwarded header value", e))?;
        request.headers_mut().append(name, value);
    }
    match came {
        Came::Server => {
            request.extensions_mut().insert(Forwarded);
        }
        Came::Datacenter => {
            request.extensions_mut().insert(FromDatacenter);
        }
        Came::Client => {}
    }
    Ok(request)
}
