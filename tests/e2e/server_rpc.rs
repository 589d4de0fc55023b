//! The server RPC listener of the real binary: a server listens on its server port and answers
//! malformed RPC input with an error (multi-server clusters are tested in-process in
//! `agent::rpc::tests` until gossip can form them from the command line).

use crate::common;

use common::{http, AgentBuilder};

#[test]
fn server_listens_on_its_server_port() {
    let dir = tempfile::tempdir().unwrap();
    let agent = AgentBuilder::server(dir.path()).start();
    let port = agent.rpc.expect("a server has an RPC listener").port();
    let (status, body) = http(
        "POST",
        &format!("http://127.0.0.1:{port}/raft/vote"),
        b"\xc1 not msgpack",
    )
    .unwrap_or_else(|e| panic!("RPC port {port} not answering: {e}\n{}", agent.log()));
    assert_eq!(status, 400, "{body}");
    assert!(body.starts_with("malformed RequestVote"), "{body}");
    // /v1/status/peers names the server's RPC address.
    let (status, body) = common::http_get(&format!("{}/v1/status/peers", agent.url())).unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, format!("[\"127.0.0.1:{port}\"]"));
}
