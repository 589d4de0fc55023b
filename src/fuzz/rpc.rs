//! `rpc`: one message on the server RPC port (8300), through the same routes the listener
//! serves: openraft's AppendEntries, Vote, InstallSnapshot and the leadership-transfer message
//! (msgpack), and HTTP requests forwarded by another server, a client agent or another
//! datacenter's server (which alone reach `POST /v1/internal/query/execute-remote`). The input's
//! first byte picks the route, the rest is the body.
//!
//! Fails on a panic, or no answer within ten seconds: a forwarded write may wait for a leader
//! (Consul's RPC hold timeout is 7 s), and the raft messages can make this server a follower of
//! a leader that never speaks.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;

use super::http::off_limits;
use super::lab::rpc_lab;
use crate::agent::rpc::messages::{
    ForwardRequest, PATH_APPEND, PATH_ELECTION, PATH_FORWARD, PATH_FROM_CLIENT,
    PATH_FROM_DATACENTER, PATH_SNAPSHOT, PATH_VOTE,
};

const ROUTES: [&str; 7] = [
    PATH_APPEND,
    PATH_VOTE,
    PATH_SNAPSHOT,
    PATH_ELECTION,
    PATH_FORWARD,
    PATH_FROM_CLIENT,
    PATH_FROM_DATACENTER,
];
const LIMIT: Duration = Duration::from_secs(10);

pub(super) fn message(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let path = ROUTES[usize::from(pick) % ROUTES.len()];
    if path.starts_with(PATH_FORWARD) {
        // A forwarded request is served by the HTTP API: the same paths are off limits.
        if let Ok(fwd) = crate::agent::rpc::decode::<ForwardRequest>(body) {
            if off_limits(&fwd.uri) {
                return;
            }
        }
    }
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/msgpack")
        .body(Body::from(body.to_vec()))
        .unwrap_or_else(|e| panic!("a request to {path}: {e}"));
    let lab = rpc_lab();
    if lab.call(&lab.rpc, req, LIMIT).is_none() {
        panic!("{path}: no answer within {LIMIT:?}");
    }
}

/// Well-formed messages for every route: a heartbeat, a vote, an empty snapshot, each
/// transfer message, and forwarded reads and writes.
pub(super) fn examples() -> Vec<Vec<u8>> {
    use openraft::raft::{AppendEntriesRequest, InstallSnapshotRequest, VoteRequest};

    use crate::agent::endpoints::query_failover::{RemoteExecute, EXECUTE_REMOTE};
    use crate::agent::raft::TypeConfig;
    use crate::agent::rpc::encode;
    use crate::agent::rpc::messages::ElectionControl;

    let route = |path: &str| ROUTES.iter().position(|r| *r == path).unwrap_or(0) as u8;
    let with = |path: &str, body: Vec<u8>| [&[route(path)][..], &body].concat();
    let enc = |r: Result<Vec<u8>, crate::agent::rpc::RpcError>| {
        r.unwrap_or_else(|e| panic!("encoding an example: {e}"))
    };
    let vote = openraft::Vote::new_committed(1, 1);
    let mut out = vec![
        with(
            PATH_APPEND,
            enc(encode(&AppendEntriesRequest::<TypeConfig> {
                vote,
                prev_log_id: None,
                entries: Vec::new(),
                leader_commit: None,
            })),
        ),
        with(
            PATH_VOTE,
            enc(encode(&VoteRequest::<u64> {
                vote: openraft::Vote::new(1, 2),
                last_log_id: None,
            })),
        ),
        with(
            PATH_SNAPSHOT,
            enc(encode(&InstallSnapshotRequest::<TypeConfig> {
                vote,
                meta: Default::default(),
                offset: 0,
                data: Vec::new(),
                done: true,
            })),
        ),
    ];
    for control in [
        ElectionControl::Hold { millis: 10 },
        ElectionControl::Release,
        ElectionControl::Campaign,
    ] {
        out.push(with(PATH_ELECTION, enc(encode(&control))));
    }
    let forwarded = |method: &str, uri: &str, body: &[u8]| ForwardRequest {
        method: method.into(),
        uri: uri.into(),
        headers: vec![(
            "x-consul-token".into(),
            serde_bytes::ByteBuf::from(b"".to_vec()),
        )],
        body: serde_bytes::ByteBuf::from(body.to_vec()),
        origin_node: Some("client-1".into()),
    };
    // A prepared query failing over from another datacenter.
    let remote = br#"{"Query":{"ID":"q1","Name":"web","Service":{"Service":"web","OnlyPassing":true,"Tags":["v1"]},"DNS":{"TTL":"10s"}},"Limit":3}"#;
    if let Err(e) = serde_json::from_slice::<RemoteExecute>(remote) {
        panic!("the execute-remote example does not decode: {e}");
    }
    out.push(with(
        PATH_FROM_DATACENTER,
        enc(encode(&forwarded("POST", EXECUTE_REMOTE, remote))),
    ));
    for path in [PATH_FORWARD, PATH_FROM_CLIENT, PATH_FROM_DATACENTER] {
        for req in [
            forwarded("GET", "/v1/kv/app/config", b""),
            forwarded("PUT", "/v1/kv/app/forwarded?flags=3", b"value"),
            forwarded("GET", "/v1/health/service/web?passing", b""),
            forwarded("PUT", "/v1/session/create", br#"{"TTL":"30s"}"#),
        ] {
            out.push(with(path, enc(encode(&req))));
        }
    }
    out
}
