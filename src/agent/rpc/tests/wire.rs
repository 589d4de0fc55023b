//! The listener's edges: malformed messages, unknown routes, a port already taken.

use std::net::SocketAddr;
use std::time::Duration;

use super::harness::{tuning, TestServer};
use crate::agent::rpc::{self, RpcClient, RpcError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_gets_an_error_not_a_panic() {
    let mut server = TestServer::start(6, &tuning(1000)).await;
    let client = RpcClient::new();
    let addr = server.me.addr.clone();
    for path in ["/raft/append", "/raft/vote", "/raft/snapshot", "/forward"] {
        match client
            .call_raw(&addr, path, b"\xc1garbage".to_vec(), Duration::from_secs(5))
            .await
        {
            Err(RpcError::Status {
                status, message, ..
            }) => {
                assert_eq!(status, 400, "{path}: {message}");
                assert!(message.starts_with("malformed"), "{path}: {message}");
            }
            other => panic!("{path}: expected a 400, got {other:?}"),
        }
    }
    match client
        .call_raw(&addr, "/nope", Vec::new(), Duration::from_secs(5))
        .await
    {
        Err(RpcError::Status { status: 404, .. }) => {}
        other => panic!("expected 404, got {other:?}"),
    }
    // The server still works: a forwarded request to a non-leader is refused, safe to retry.
    let req = rpc::ForwardRequest {
        method: "PUT".into(),
        uri: "/v1/kv/x".into(),
        headers: Vec::new(),
        body: serde_bytes::ByteBuf::from(b"1".to_vec()),
        origin_node: None,
    };
    let err = client
        .forward(&addr, &req, Duration::from_secs(5))
        .await
        .expect_err("not the leader");
    assert!(err.not_sent(), "{err}");
    assert!(!server.has_key("x"));
    server.stop().await;

    // Nothing listens any more: not sent, so forwarding may retry elsewhere.
    let err = client
        .call_raw(&addr, "/raft/vote", Vec::new(), Duration::from_secs(5))
        .await
        .expect_err("stopped");
    assert!(err.not_sent(), "{err}");
}

#[tokio::test]
async fn taken_port_is_a_clear_error() {
    let first = rpc::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = first.local_addr().expect("addr");
    let err = rpc::bind(addr).await.expect_err("port is taken");
    let msg = err.to_string();
    assert!(msg.contains(&addr.to_string()), "{msg}");
    assert!(msg.contains("-server-port"), "{msg}");
}
