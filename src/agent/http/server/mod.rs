//! The HTTP API's connection loop. Plain HTTP/1.x requests (a head, no body or a
//! `Content-Length` one) take a lean path: the head is parsed with httparse, the router answers,
//! the answer is written with one write. Anything else hands the connection to hyper for good,
//! with the bytes already read put back in front (`rewind`).
//!
//! Why not hyper for everything: a hyper HTTP/1 connection keeps an 8 KB header write buffer and
//! an 8 KB read buffer for as long as it lives (8 KB is also its minimum), so each parked blocking
//! query cost about 24 KB. Here a parked query holds its request, its handler's future and a
//! 64-byte read buffer that notices the client hanging up (which cancels the query, as hyper
//! does); an idle keep-alive connection holds a 1 KB buffer.

mod request;
mod response;
mod rewind;

use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;

use axum::body::{Body, HttpBody};
use axum::http::{Method, Request};
use axum::Router;
use bytes::{Buf, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tower::ServiceExt;

use request::{Parsed, MAX_BODY, MAX_HEAD};
use response::{Asked, Framing};

/// Room read for a request head at a time.
const HEAD_READ: usize = 1024;
/// Room read while a request is answered: enough to notice a hang-up or a pipelined request.
const WATCH_READ: usize = 64;
/// The most bytes read ahead (pipelined requests) while a request is answered.
const READ_AHEAD: usize = MAX_HEAD + MAX_BODY;

/// Serves `router` on `listener` until `stop` turns true (or its sender goes away). Then it
/// stops accepting, lets each connection finish the request it is answering, closes idle
/// ones, and returns once every connection has ended.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()>
where
    L: axum::serve::Listener,
{
    let (open_tx, open_rx) = watch::channel(());
    loop {
        let (io, _addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stop) => break,
        };
        let (router, stop, open) = (router.clone(), stop.clone(), open_rx.clone());
        tokio::spawn(async move {
            connection(io, router, stop).await;
            drop(open);
        });
    }
    drop(listener);
    drop(open_rx);
    open_tx.closed().await;
    Ok(())
}

/// Resolves once `stop` is true or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// One connection: lean requests one after the other, until the client or the server ends
/// it or a request needs hyper. (Not an `async fn`: that would keep a second copy of each
/// argument for the connection's whole life.)
#[allow(clippy::manual_async_fn)] // see above: an `async fn` would hold its arguments twice
pub fn connection<IO>(
    mut io: IO,
    router: Router,
    mut stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    async move {
        let mut buf = BytesMut::new();
        // The blocks end each binding's scope before the next await: the future then needs
        // room for each only while it is in use (a parked query keeps neither the request nor
        // the head it was parsed from).
        loop {
            let (answering, asked) = {
                // Boxed: reading a head takes more room than a parked query holds.
                let next = Box::pin(read_request(&mut io, &mut buf, &mut stop)).await;
                let (request, keep_alive) = match next {
                    Next::Request(request, keep_alive) => (request, keep_alive),
                    Next::HandOff => return Box::pin(hand_off(io, buf, router, stop)).await,
                    Next::Closed => return,
                };
                let asked = Asked {
                    version: request.version(),
                    head: request.method() == Method::HEAD,
                    keep_alive,
                };
                (router.clone().oneshot(request), asked)
            };
            let answering = std::pin::pin!(answering);
            let answer = unless_hung_up(&mut io, &mut buf, answering).await;
            let keep_alive = {
                let Some(Ok(answer)) = answer else {
                    return;
                };
                let asked = Asked {
                    keep_alive: asked.keep_alive && !*stop.borrow(),
                    ..asked
                };
                // Boxed, as the hand-off is: a parked query's future has room for neither.
                matches!(
                    Box::pin(write_answer(&mut io, &mut buf, answer, asked)).await,
                    Ok(true)
                )
            };
            if !keep_alive {
                let _ = io.shutdown().await;
                return;
            }
        }
    }
}

/// What a connection holds next. (A return value, never stored.)
#[allow(clippy::large_enum_variant)]
enum Next {
    /// A lean request, and whether the client keeps the connection open after it.
    Request(Request<Body>, bool),
    /// A request for hyper (its bytes are in the buffer).
    HandOff,
    /// The client went away, or the server is stopping and the connection is idle.
    Closed,
}

/// Reads the next request: its head, then its body.
async fn read_request<IO: AsyncRead + Unpin>(
    io: &mut IO,
    buf: &mut BytesMut,
    stop: &mut watch::Receiver<bool>,
) -> Next {
    let head = loop {
        match request::parse(buf) {
            Parsed::Partial => {}
            Parsed::Lean(head) => break head,
            Parsed::HandOff => return Next::HandOff,
        }
        let idle = buf.is_empty();
        tokio::select! {
            read = read_more(io, buf, HEAD_READ) => {
                if !matches!(read, Ok(n) if n > 0) {
                    return Next::Closed;
                }
            }
            _ = stopped(stop), if idle => return Next::Closed,
        }
    };
    buf.advance(head.len);
    while buf.len() < head.body_len {
        let want = (head.body_len - buf.len()).min(64 * 1024);
        if !matches!(read_more(io, buf, want).await, Ok(n) if n > 0) {
            return Next::Closed;
        }
    }
    let body = match head.body_len {
        0 => Body::empty(),
        n => Body::from(buf.split_to(n).freeze()),
    };
    if buf.is_empty() {
        // A parked query keeps no read buffer.
        *buf = BytesMut::new();
    }
    Next::Request(head.request.map(|()| body), head.keep_alive)
}

/// Reads once into `buf`, with at least `room` bytes free.
async fn read_more<IO: AsyncRead + Unpin>(
    io: &mut IO,
    buf: &mut BytesMut,
    room: usize,
) -> io::Result<usize> {
    if buf.capacity() - buf.len() < room {
        buf.reserve(room);
    }
    io.read_buf(buf).await
}

/// Runs `work` while reading the connection: the client's hang-up (end of stream or an error)
/// gives `None` (the caller then drops `work`); bytes the client sends meanwhile (its next,
/// pipelined request) stay in `buf`, up to `READ_AHEAD`. (`work` comes pinned by the caller:
/// moved in, it would take its room twice in this future.)
async fn unless_hung_up<IO, F>(
    io: &mut IO,
    buf: &mut BytesMut,
    mut work: Pin<&mut F>,
) -> Option<F::Output>
where
    IO: AsyncRead + Unpin,
    F: Future,
{
    loop {
        let room = buf.len() < READ_AHEAD;
        tokio::select! {
            biased;
            out = work.as_mut() => return Some(out),
            read = read_more(io, buf, WATCH_READ), if room => {
                if !matches!(read, Ok(n) if n > 0) {
                    return None;
                }
            }
        }
    }
}

/// Writes `answer`: the head goes out with the body's first part in one vectored write, and
/// the body's bytes are never copied (a shared serialised answer is written as it is). Returns
/// whether the connection stays open.
async fn write_answer<IO>(
    io: &mut IO,
    buf: &mut BytesMut,
    answer: axum::response::Response,
    asked: Asked,
) -> io::Result<bool>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let (parts, mut body) = answer.into_parts();
    let response::Head {
        bytes,
        framing,
        keep_alive,
    } = response::encode(&parts, body.size_hint().exact(), asked);
    let chunked = framing == Framing::Chunked;
    let mut unsent_head = Some(bytes);
    let mut written = 0u64;
    let mut ended = framing == Framing::Empty;
    while !ended {
        let Some(frame) = unless_hung_up(io, buf, std::pin::pin!(body.frame())).await else {
            // The client hung up mid-answer.
            return Ok(false);
        };
        let data = match frame {
            None => break,
            Some(frame) => match frame.map_err(io::Error::other)?.into_data() {
                Ok(data) => data,
                Err(_trailers) => continue,
            },
        };
        ended = body.is_end_stream();
        if data.is_empty() && !ended {
            continue;
        }
        written += data.len() as u64;
        let size = match chunked && !data.is_empty() {
            true => format!("{:x}\r\n", data.len()),
            false => String::new(),
        };
        let after: &[u8] = match (chunked, data.is_empty(), ended) {
            (false, _, _) => b"",
            (true, true, _) => b"0\r\n\r\n",
            (true, false, true) => b"\r\n0\r\n\r\n",
            (true, false, false) => b"\r\n",
        };
        let head = unsent_head.take().unwrap_or_default();
        write_all(io, &[&head[..], size.as_bytes(), &data[..], after]).await?;
    }
    // No body, or it ended without a last data frame: what is left of the head and the
    // chunked terminator (`write_all` skips what is empty).
    let head = unsent_head.unwrap_or_default();
    let end: &[u8] = if chunked && !ended { b"0\r\n\r\n" } else { b"" };
    if !head.is_empty() || !end.is_empty() {
        write_all(io, &[&head[..], end]).await?;
    }
    let complete = match framing {
        Framing::Length(n) => written == n,
        _ => true,
    };
    Ok(keep_alive && complete)
}

/// Writes all of `parts` with vectored writes (one system call when the socket takes it all),
/// then flushes.
async fn write_all<IO: AsyncWrite + Unpin>(io: &mut IO, parts: &[&[u8]]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| IoSlice::new(p))
        .collect();
    let mut left = &mut slices[..];
    while !left.is_empty() {
        let n = io.write_vectored(left).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut left, n);
    }
    io.flush().await
}

/// Serves the rest of the connection with hyper (HTTP/1 or HTTP/2), `read` first.
async fn hand_off<IO>(io: IO, read: BytesMut, router: Router, mut stop: watch::Receiver<bool>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(rewind::Rewind::new(read.freeze(), io));
    let service = router.map_request(|r: Request<Incoming>| r.map(Body::new));
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service));
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopped(&mut stop) => conn.as_mut().graceful_shutdown(),
    }
    let _ = conn.await;
}

#[cfg(test)]
mod tests;
