//! `http_wire`: raw bytes on one connection to the HTTP API's connection loop
//! (`agent::http::server`): the lean path's head parser, body reader and answer writer, the
//! pipelining between them, and the hand-off to hyper. The router behind it is a small one of
//! the target's own (the `http` target covers the API's routes).
//!
//! Fails on: a panic, a connection not finished a second after the client stopped sending, or
//! output that does not begin with a complete HTTP/1.x response head (HTTP/2 apart).

use std::sync::OnceLock;
use std::time::Duration;

use axum::routing::{any, get};
use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIMIT: Duration = Duration::from_secs(1);

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Echoes the method, path, query, headers and body; `/stream` answers in two parts of unknown
/// length. Built once: every input shares it, as every connection shares the agent's.
fn router() -> Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER
        .get_or_init(|| {
            Router::new()
                .route(
                    "/stream",
                    get(|| async {
                        let parts =
                            ["one,", "two"].map(|s| Ok::<_, std::io::Error>(bytes::Bytes::from(s)));
                        axum::body::Body::from_stream(futures::stream::iter(parts))
                    }),
                )
                .fallback(any(
                    |method: axum::http::Method,
                     uri: axum::http::Uri,
                     headers: axum::http::HeaderMap,
                     body: bytes::Bytes| async move {
                        format!(
                            "{method} {uri} {} headers, {} bytes",
                            headers.len(),
                            body.len()
                        )
                    },
                ))
        })
        .clone()
}

pub(super) fn bytes(data: &[u8]) {
    let output = runtime().block_on(async {
        let (mut client, conn) = tokio::io::duplex(64 * 1024);
        let (_stop, stop_rx) = tokio::sync::watch::channel(false);
        let serving = tokio::spawn(crate::agent::http::serve_connection(
            conn,
            router(),
            stop_rx,
        ));
        let mut output = Vec::new();
        let exchange = async {
            client.write_all(data).await?;
            client.shutdown().await?;
            client.read_to_end(&mut output).await
        };
        match tokio::time::timeout(LIMIT, exchange).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("the connection failed: {e}"),
            Err(_) => panic!("the connection was not finished within {LIMIT:?}"),
        }
        if tokio::time::timeout(LIMIT, serving).await.is_err() {
            panic!("the connection's task outlived its connection by {LIMIT:?}");
        }
        output
    });
    // Nothing written, or HTTP/2 frames (hyper speaks HTTP/2 to a client that opens with its
    // preface).
    if output.is_empty() || data.starts_with(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") {
        return;
    }
    let mut fields = [httparse::EMPTY_HEADER; 32];
    let mut head = httparse::Response::new(&mut fields);
    match head.parse(&output) {
        Ok(httparse::Status::Complete(_)) => {}
        other => panic!(
            "the answer does not begin with a complete head ({other:?}): {:?}",
            String::from_utf8_lossy(&output[..output.len().min(300)])
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pipelined_lean_and_handed_off_requests_pass() {
        super::bytes(b"GET /a?b HTTP/1.1\r\n\r\nPUT /c HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
        super::bytes(b"POST /d HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
        super::bytes(b"GET /stream HTTP/1.1\r\n\r\n");
        super::bytes(b"garbage");
        super::bytes(b"");
    }
}
