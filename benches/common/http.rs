//! A minimal keep-alive HTTP/1.1 client: one [`Conn`] is exactly one TCP connection (hyper's
//! low-level `client::conn::http1`, no pool), so N workers holding one `Conn` each are N
//! concurrent connections.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{HeaderMap, Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A request timeout: a server that stops answering turns into errors, not a hung bench.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A whole response.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// A header as text (None if absent or not ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    addr: SocketAddr,
    host: String,
    sender: SendRequest<Full<Bytes>>,
    /// An ACL token sent as `X-Consul-Token` with every request.
    token: Option<hyper::header::HeaderValue>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn {
            addr,
            host: addr.to_string(),
            sender,
            token: None,
        })
    }

    /// Sends `token` as `X-Consul-Token` with every request from now on.
    pub fn set_token(&mut self, token: Option<&str>) {
        self.token = token.and_then(|t| hyper::header::HeaderValue::from_str(t).ok());
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends one request and reads the whole response: (status, body).
    pub async fn request(
        &mut self,
        method: Method,
        path_and_query: &str,
        content_type: Option<&'static str>,
        body: Bytes,
    ) -> Result<(u16, Bytes)> {
        let a = self
            .send(method, path_and_query, content_type, body, REQUEST_TIMEOUT)
            .await?;
        Ok((a.status, a.body))
    }

    /// Sends one request and reads the whole response, headers included, within `timeout`
    /// (a blocking query may legitimately take longer than [`REQUEST_TIMEOUT`]).
    pub async fn send(
        &mut self,
        method: Method,
        path_and_query: &str,
        content_type: Option<&'static str>,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Answer> {
        let mut req = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(hyper::header::HOST, &self.host);
        if let Some(ct) = content_type {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        if let Some(t) = &self.token {
            req = req.header("x-consul-token", t.clone());
        }
        let req = req.body(Full::new(body))?;
        let fut = async {
            self.sender.ready().await?;
            let resp = self.sender.send_request(req).await?;
            let status = resp.status().as_u16();
            let (parts, body) = resp.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok(Answer {
                status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(timeout, fut)
            .await
            .context("request timed out")?
    }
}

/// A one-off GET on a fresh connection (readiness probes): (status, body as text).
pub async fn get(addr: SocketAddr, path: &str) -> Result<(u16, String)> {
    let fut = async {
        let mut c = Conn::connect(addr).await?;
        let (status, body) = c.request(Method::GET, path, None, Bytes::new()).await?;
        anyhow::Ok((status, String::from_utf8_lossy(&body).into_owned()))
    };
    tokio::time::timeout(Duration::from_millis(500), fut)
        .await
        .context("probe timed out")?
}

/// A keep-alive connection to one address that is opened on first use and again after any
/// failure, with a deadline per request: for polling agents whose processes come and go.
pub struct Client {
    addr: SocketAddr,
    conn: Option<Conn>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client { addr, conn: None }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// One request within `timeout` (connecting included): (status, body).
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        body: Bytes,
        timeout: Duration,
    ) -> Result<(u16, Bytes)> {
        let conn = self.conn.take();
        let addr = self.addr;
        let fut = async move {
            let mut c = match conn {
                Some(c) => c,
                None => Conn::connect(addr).await?,
            };
            let answer = c.request(method, path, None, body).await?;
            anyhow::Ok((c, answer))
        };
        let (c, answer) = tokio::time::timeout(timeout, fut)
            .await
            .with_context(|| format!("{addr}{path}: no answer within {timeout:?}"))??;
        self.conn = Some(c);
        Ok(answer)
    }

    /// A PUT of `body` that must answer 200 within 10 s.
    pub async fn put_ok(&mut self, path: &str, body: String) -> Result<()> {
        let (status, answer) = self
            .request(
                Method::PUT,
                path,
                Bytes::from(body),
                Duration::from_secs(10),
            )
            .await?;
        if status != 200 {
            anyhow::bail!(
                "PUT {path}: HTTP {status}: {}",
                String::from_utf8_lossy(&answer)
            );
        }
        Ok(())
    }

    /// A GET whose body is parsed as JSON; any status but 200 is an error.
    pub async fn get_json(&mut self, path: &str, timeout: Duration) -> Result<serde_json::Value> {
        let (status, body) = self
            .request(Method::GET, path, Bytes::new(), timeout)
            .await?;
        if status != 200 {
            anyhow::bail!(
                "{}{path}: HTTP {status}: {}",
                self.addr,
                String::from_utf8_lossy(&body)
            );
        }
        serde_json::from_slice(&body).with_context(|| format!("{}{path}: not JSON", self.addr))
    }
}
