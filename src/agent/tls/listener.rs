//! A TLS listener for `axum::serve`: accepts TCP, runs each handshake in its own task (a slow
//! or silent peer cannot hold up the others) under a deadline, and hands finished connections
//! to the server. The certificate configuration is read per connection, so a reload applies
//! to the next one. The first byte tells TLS (a handshake record, 0x16) from plain traffic:
//! server RPC may accept plain connections while `verify_incoming` is off (Consul's rollout),
//! and the HTTPS port answers a plain HTTP request with Go's 400.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A TLS record's first byte: a handshake.
const HANDSHAKE: u8 = 0x16;

/// The server configuration in use, replaced on reload.
pub type SharedServerConfig = Arc<RwLock<Arc<ServerConfig>>>;

/// What a listener does with a connection that does not start a TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    /// Serve it in clear (server RPC with `verify_incoming` off).
    Serve,
    /// Refuse it, logging why (server RPC with `verify_incoming` on).
    Refuse,
    /// Answer Go's `400 Client sent an HTTP request to an HTTPS server.` (the HTTPS API).
    AnswerHttps,
}

/// An accepted connection: TLS, or plain where the listener allows it.
pub enum Conn {
    Tls(Box<TlsStream<TcpStream>>),
    Plain(TcpStream),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// A listener whose connections have finished their TLS handshake.
pub struct TlsListener {
    ready: mpsc::Receiver<(Conn, SocketAddr)>,
    local: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsListener {
    /// Accepts on `listener`, serving `config` (read per connection).
    pub fn new(
        listener: TcpListener,
        config: SharedServerConfig,
        plain: Plain,
        handshake_timeout: Duration,
        what: &'static str,
    ) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::debug!("{what}: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor =
                    TlsAcceptor::from(config.read().unwrap_or_else(|p| p.into_inner()).clone());
                let tx = tx.clone();
                tokio::spawn(async move {
                    let conn =
                        tokio::time::timeout(handshake_timeout, handshake(acceptor, stream, plain))
                            .await;
                    match conn {
                        Ok(Ok(Some(conn))) => {
                            let _ = tx.send((conn, peer)).await;
                        }
                        Ok(Ok(None)) => {}
                        Ok(Err(e)) => {
                            tracing::warn!("{what}: TLS handshake with {peer} failed: {e}")
                        }
                        Err(_) => tracing::debug!("{what}: TLS handshake with {peer} timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, local, task })
    }
}

async fn handshake(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    plain: Plain,
) -> io::Result<Option<Conn>> {
    let _ = stream.set_nodelay(true);
    let mut first = [0u8; 1];
    let n = stream.peek(&mut first).await?;
    if n == 1 && first[0] != HANDSHAKE {
        return match plain {
            Plain::Serve => Ok(Some(Conn::Plain(stream))),
            Plain::Refuse => Err(io::Error::other(
                "non-TLS connection attempted with verify_incoming set",
            )),
            Plain::AnswerHttps => {
                // Read the request first: closing on unread bytes would reset the connection
                // before the client reads the answer.
                let mut stream = stream;
                let mut request = [0u8; 4096];
                let _ = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut request))
                    .await;
                let _ = stream
                    .write_all(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
                    .await;
                let _ = stream.shutdown().await;
                Ok(None)
            }
        };
    }
    Ok(Some(Conn::Tls(Box::new(acceptor.accept(stream).await?))))
}

impl axum::serve::Listener for TlsListener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(c) => c,
            // The accepting task is gone (it never ends on its own): nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
