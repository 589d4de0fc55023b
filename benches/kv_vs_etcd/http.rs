//! A minimal keep-alive HTTP/1.1 client: one [`Conn`] is exactly one TCP connection (hyper's
//! low-level `client::conn::http1`, no pool), so N workers holding one `Conn` each are N
//! concurrent connections.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A request timeout: a server that stops answering turns into errors, not a hung bench.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    addr: SocketAddr,
    host: String,
    sender: SendRequest<Full<Bytes>>,
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
        })
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
        let mut req = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(hyper::header::HOST, &self.host);
        if let Some(ct) = content_type {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        let req = req.body(Full::new(body))?;
        let fut = async {
            self.sender.ready().await?;
            let resp = self.sender.send_request(req).await?;
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, fut)
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
