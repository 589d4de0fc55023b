//! The connection loop over real TCP: lean requests, pipelining, hand-off to hyper, hang-ups
//! cancelling a parked handler, streamed answers and a graceful stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::StreamExt;
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Set when a parked handler's future is dropped.
struct Dropped(Arc<AtomicBool>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

struct Server {
    addr: std::net::SocketAddr,
    stop: watch::Sender<bool>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    parked_dropped: Arc<AtomicBool>,
}

async fn start() -> Server {
    let parked_dropped = Arc::new(AtomicBool::new(false));
    let flag = parked_dropped.clone();
    // One fallback and no declared routes: tests/compatibility_table.rs and tests/e2e/acl.rs
    // read every route declared under src/agent/http as one of the API's.
    let router = Router::new().fallback(move |req: Request| answer(req, flag.clone()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let done = tokio::spawn(super::serve(listener, router, stop_rx));
    Server {
        addr,
        stop,
        done,
        parked_dropped,
    }
}

/// The test router: `PUT /echo`, `GET /hello`, `GET /park` (never answers), `GET /stream`.
async fn answer(req: Request, dropped: Arc<AtomicBool>) -> Response {
    match req.uri().path() {
        "/echo" => {
            let body = req.into_body().collect().await.unwrap().to_bytes();
            format!("got {}", String::from_utf8_lossy(&body)).into_response()
        }
        "/hello" => format!("hello {}", req.uri().query().unwrap_or("")).into_response(),
        "/park" => {
            let _guard = Dropped(dropped);
            std::future::pending::<()>().await;
            unreachable!("a parked request is never answered")
        }
        "/stream" => {
            let parts = futures::stream::iter(["ab", "cde"])
                .map(|s| Ok::<_, std::io::Error>(bytes::Bytes::from(s)));
            Body::from_stream(parts).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Sends `raw` and reads until the server closes the connection.
async fn exchange(addr: std::net::SocketAddr, raw: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("the server closed the connection")
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order_on_one_connection() {
    let srv = start().await;
    let got = exchange(
        srv.addr,
        "GET /hello?a HTTP/1.1\r\nHost: x\r\n\r\nPUT /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /hello?b HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    let a = got.find("hello a").expect(&got);
    let e = got.find("got xyz").expect(&got);
    let b = got.find("hello b").expect(&got);
    assert!(a < e && e < b, "{got}");
    assert_eq!(got.matches("HTTP/1.1 200 OK\r\n").count(), 3, "{got}");
    assert!(got.contains("content-length: 7\r\n"), "{got}");
    assert!(got.contains("connection: close\r\n"), "{got}");
}

#[tokio::test]
async fn http_1_0_closes_after_the_answer() {
    let srv = start().await;
    let got = exchange(srv.addr, "GET /hello?z HTTP/1.0\r\n\r\n").await;
    assert!(got.starts_with("HTTP/1.0 200 OK\r\n"), "{got}");
    assert!(got.ends_with("hello z"), "{got}");
}

#[tokio::test]
async fn a_chunked_body_goes_to_hyper_and_later_requests_with_it() {
    let srv = start().await;
    let got = exchange(
        srv.addr,
        "GET /hello?first HTTP/1.1\r\n\r\nPUT /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nGET /hello?last HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    for part in ["hello first", "got hi", "hello last"] {
        assert!(got.contains(part), "{part}: {got}");
    }
}

#[tokio::test]
async fn expect_continue_and_garbage_get_hypers_answers() {
    let srv = start().await;
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(b"PUT /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 25];
    s.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"ok").await.unwrap();
    let mut rest = vec![0u8; 512];
    let n = s.read(&mut rest).await.unwrap();
    let rest = String::from_utf8_lossy(&rest[..n]);
    assert!(rest.ends_with("got ok"), "{rest}");

    let got = exchange(srv.addr, "NOT HTTP AT ALL\r\n\r\n").await;
    assert!(got.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{got}");
}

#[tokio::test]
async fn a_hang_up_cancels_a_parked_request() {
    let srv = start().await;
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(b"GET /park HTTP/1.1\r\n\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!srv.parked_dropped.load(Ordering::SeqCst));
    drop(s);
    for _ in 0..100 {
        if srv.parked_dropped.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the parked handler outlived its client");
}

#[tokio::test]
async fn a_streamed_answer_is_chunked() {
    let srv = start().await;
    let got = exchange(
        srv.addr,
        "GET /stream HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(got.contains("transfer-encoding: chunked\r\n"), "{got}");
    assert!(
        got.ends_with("\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"),
        "{got}"
    );
}

#[tokio::test]
async fn stop_closes_idle_connections_and_returns() {
    let srv = start().await;
    let mut idle = TcpStream::connect(srv.addr).await.unwrap();
    idle.write_all(b"GET /hello HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 512];
    let n = idle.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).ends_with("hello "));
    srv.stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), srv.done)
        .await
        .expect("serve returned")
        .unwrap()
        .unwrap();
    let n = idle.read(&mut answer).await.unwrap_or(0);
    assert_eq!(n, 0, "the idle connection was closed");
}

/// What a parked blocking query's connection costs is mostly this future's size (plus the
/// handler's own boxed future): keep the rare, large parts (hyper's connection, the answer's
/// writer, the head's reader) boxed outside it. A layout check, not a timing: it moves only
/// with the code.
#[test]
fn a_connections_future_stays_small() {
    let (io, _far) = tokio::io::duplex(64);
    let (_stop, stop_rx) = watch::channel(false);
    let connection = super::connection(io, Router::new(), stop_rx);
    let size = std::mem::size_of_val(&connection);
    // 912 bytes in a test build with rustc 1.95 (1,192 with the head's reader inline and
    // each argument held twice; 2,952 with hyper's connection inline).
    assert!(size <= 1024, "the connection future takes {size} bytes");
}
