//! The server RPC client: HTTP/2 over TCP, or over TLS under `tls.internal_rpc.verify_outgoing`
//! (prior knowledge, no upgrade), one shared,
//! multiplexed connection per peer address, msgpack bodies. Concurrent calls to one peer share
//! its connection as separate streams; a broken connection (or one whose keep-alive pings go
//! unanswered) is dropped and the next call dials again. No pooling library sits in between (see the performance notes on reqwest).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls_pki_types::ServerName;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_rustls::TlsConnector;

use crate::agent::tls::SharedClientConfig;

/// The content type of every RPC body.
pub const MSGPACK: &str = "application/msgpack";

/// The status a server answers a forwarded request with when it is not the leader (421
/// Misdirected Request): nothing was done, so the sender may try the new leader.
pub const NOT_LEADER: hyper::StatusCode = hyper::StatusCode::MISDIRECTED_REQUEST;

/// How long dialing a peer may take at most (a call's own timeout may be shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How often an idle connection is pinged, and how long a ping may go unanswered before the
/// connection counts as dead (and the next call dials again).
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(1);
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a server RPC failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Nothing answered at `addr` (refused, unreachable, handshake failed): the request was
    /// never sent, so retrying it elsewhere is safe.
    #[error("cannot connect to server RPC at {addr}: {reason}")]
    Connect { addr: String, reason: String },
    /// The connection broke while the request was in flight; its outcome is unknown.
    #[error("server RPC to {addr} failed: {reason}")]
    Transport { addr: String, reason: String },
    #[error("server RPC to {addr} timed out after {timeout:?}")]
    Timeout { addr: String, timeout: Duration },
    /// The peer answered with an error status (a malformed request, an unknown route).
    #[error("server {addr} answered {status}: {message}")]
    Status {
        addr: String,
        status: u16,
        message: String,
    },
    #[error("cannot encode or decode a server RPC message: {0}")]
    Codec(String),
}

impl RpcError {
    /// True when the request certainly had no effect on the peer (never sent, or refused
    /// because the peer is not the leader): retrying it is safe.
    pub fn not_sent(&self) -> bool {
        match self {
            RpcError::Connect { .. } => true,
            RpcError::Status { status, .. } => *status == NOT_LEADER.as_u16(),
            _ => false,
        }
    }
}

/// Encodes `value` as msgpack with field names (robust to optional fields).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, RpcError> {
    rmp_serde::to_vec_named(value).map_err(|e| RpcError::Codec(e.to_string()))
}

/// Decodes a msgpack body.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RpcError> {
    crate::agent::msgpack::decode(bytes).map_err(|e| RpcError::Codec(e.to_string()))
}

type Sender = SendRequest<Full<Bytes>>;

/// A handle on the per-peer connections; cheap to clone, all clones share them.
#[derive(Clone, Default)]
pub struct RpcClient {
    conns: Arc<Mutex<HashMap<String, Sender>>>,
    /// TLS to dial with, and the name servers' certificates must carry
    /// (`server.<dc>.<domain>`, checked under `verify_server_hostname`).
    tls: Option<(SharedClientConfig, ServerName<'static>)>,
}

impl RpcClient {
    pub fn new() -> RpcClient {
        RpcClient::default()
    }

    /// A client that dials servers over TLS with `config` (read at each dial).
    pub fn with_tls(config: SharedClientConfig, server_name: &str) -> Result<RpcClient, RpcError> {
        let name = parse_server_name(server_name)?;
        Ok(RpcClient {
            conns: Arc::default(),
            tls: Some((config, name)),
        })
    }

    /// The same client for servers whose certificates carry `server_name` (another
    /// datacenter's `server.<dc>.<domain>`); connections are shared, as they are per address.
    pub fn with_server_name(&self, server_name: &str) -> Result<RpcClient, RpcError> {
        let Some((config, _)) = &self.tls else {
            return Ok(self.clone());
        };
        let name = parse_server_name(server_name)?;
        Ok(RpcClient {
            conns: self.conns.clone(),
            tls: Some((config.clone(), name)),
        })
    }

    /// Sends `req` to `path` on the server at `addr` and decodes its answer, all within `timeout`.
    pub async fn call<Req, Resp>(
        &self,
        addr: &str,
        path: &str,
        req: &Req,
        timeout: Duration,
    ) -> Result<Resp, RpcError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let body = encode(req)?;
        let bytes = self.call_raw(addr, path, body, timeout).await?;
        decode(&bytes)
    }

    /// Sends an encoded body and returns the encoded answer of a 200 response.
    pub async fn call_raw(
        &self,
        addr: &str,
        path: &str,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<Bytes, RpcError> {
        match tokio::time::timeout(timeout, self.exchange(addr, path, body)).await {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(e)) => {
                if matches!(e, RpcError::Transport { .. } | RpcError::Connect { .. }) {
                    self.forget(addr);
                }
                Err(e)
            }
            // A slow answer is no reason to drop a connection other calls share: keep-alive
            // pings find connections that are really dead.
            Err(_) => Err(RpcError::Timeout {
                addr: addr.to_string(),
                timeout,
            }),
        }
    }

    /// Drops the connection to `addr`, if any.
    pub fn forget(&self, addr: &str) {
        if let Ok(mut conns) = self.conns.lock() {
            conns.remove(addr);
        }
    }

    async fn exchange(&self, addr: &str, path: &str, body: Vec<u8>) -> Result<Bytes, RpcError> {
        let mut sender = self.sender(addr).await?;
        let transport = |e: hyper::Error| RpcError::Transport {
            addr: addr.to_string(),
            reason: e.to_string(),
        };
        sender.ready().await.map_err(transport)?;
        let request = hyper::Request::post(format!("http://{addr}{path}"))
            .header(hyper::header::CONTENT_TYPE, MSGPACK)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| RpcError::Codec(e.to_string()))?;
        let response = sender.send_request(request).await.map_err(transport)?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(transport)?
            .to_bytes();
        if status != hyper::StatusCode::OK {
            return Err(RpcError::Status {
                addr: addr.to_string(),
                status: status.as_u16(),
                message: String::from_utf8_lossy(&bytes).trim().to_string(),
            });
        }
        Ok(bytes)
    }

    /// The live connection to `addr`, dialing one if there is none.
    async fn sender(&self, addr: &str) -> Result<Sender, RpcError> {
        let existing = self
            .conns
            .lock()
            .ok()
            .and_then(|conns| conns.get(addr).cloned());
        if let Some(sender) = existing {
            if !sender.is_closed() {
                return Ok(sender);
            }
        }
        let sender = dial(addr, self.tls.as_ref()).await?;
        if let Ok(mut conns) = self.conns.lock() {
            conns.insert(addr.to_string(), sender.clone());
        }
        Ok(sender)
    }
}

fn parse_server_name(name: &str) -> Result<ServerName<'static>, RpcError> {
    ServerName::try_from(name.to_string())
        .map_err(|e| RpcError::Codec(format!("{name:?} is not a server name: {e}")))
}

async fn dial(
    addr: &str,
    tls: Option<&(SharedClientConfig, ServerName<'static>)>,
) -> Result<Sender, RpcError> {
    let failed = |reason: String| RpcError::Connect {
        addr: addr.to_string(),
        reason,
    };
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| failed(format!("no answer within {CONNECT_TIMEOUT:?}")))?
        .map_err(|e| failed(e.to_string()))?;
    // Raft heartbeats are tiny: never let Nagle hold them back.
    let _ = stream.set_nodelay(true);
    match tls {
        None => handshake(addr, stream).await,
        Some((config, name)) => {
            let config = config.read().unwrap_or_else(|p| p.into_inner()).clone();
            let stream = tokio::time::timeout(
                CONNECT_TIMEOUT,
                TlsConnector::from(config).connect(name.clone(), stream),
            )
            .await
            .map_err(|_| failed(format!("no TLS handshake within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| failed(format!("TLS handshake failed: {e}")))?;
            handshake(addr, stream).await
        }
    }
}

/// HTTP/2 over an established connection.
async fn handshake<T>(addr: &str, stream: T) -> Result<Sender, RpcError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let failed = |reason: String| RpcError::Connect {
        addr: addr.to_string(),
        reason,
    };
    let (sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .initial_stream_window_size(4 * 1024 * 1024)
        .initial_connection_window_size(16 * 1024 * 1024)
        .max_frame_size(256 * 1024)
        .timer(TokioTimer::new())
        .keep_alive_interval(KEEP_ALIVE_INTERVAL)
        .keep_alive_timeout(KEEP_ALIVE_TIMEOUT)
        .keep_alive_while_idle(true)
        .handshake(TokioIo::new(stream))
        .await
        .map_err(|e| failed(e.to_string()))?;
    let peer = addr.to_string();
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(peer = %peer, error = %e, "server RPC connection closed");
        }
    });
    Ok(sender)
}
