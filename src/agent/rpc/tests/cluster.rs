//! Three (then four) real servers talking Raft over the RPC listener on loopback.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::StatusCode;

use super::harness::{eventually, one_leader, put, tuning, TestServer};
use crate::agent::raft::ServerNode;

const ELECTION: Duration = Duration::from_secs(10);
const REPLICATION: Duration = Duration::from_secs(10);

async fn cluster(n: u8, threshold: u64) -> Vec<TestServer> {
    let t = tuning(threshold);
    let mut servers = Vec::new();
    for i in 0..n {
        servers.push(TestServer::start(2 + i, &t).await);
    }
    let members: Vec<ServerNode> = servers.iter().map(|s| s.me.clone()).collect();
    for s in &servers {
        assert!(!s.raft.is_initialized().await.expect("is_initialized"));
    }
    for s in &servers {
        s.raft
            .initialize_cluster(members.clone())
            .await
            .expect("initialize_cluster");
        assert!(s.raft.is_initialized().await.expect("is_initialized"));
    }
    servers
}

fn voters(s: &TestServer) -> BTreeSet<u64> {
    s.raft
        .metrics()
        .membership_config
        .membership()
        .voter_ids()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_replicate_forward_and_fail_over() {
    let mut servers = cluster(3, 10_000).await;
    let all: Vec<&TestServer> = servers.iter().collect();
    let leader = one_leader(&all, ELECTION).await;
    let follower = (leader + 1) % 3;

    // A write on the leader reaches every server.
    servers[leader]
        .raft
        .write(put("direct"))
        .await
        .expect("write");
    eventually("every server has 'direct'", REPLICATION, || {
        servers.iter().all(|s| s.has_key("direct"))
    })
    .await;

    // A write through a follower's HTTP API goes through the leader.
    let f = &servers[follower];
    let (status, body, _) = f.http("PUT", "/v1/kv/forwarded", "hello").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"));
    eventually("every server has 'forwarded'", REPLICATION, || {
        servers.iter().all(|s| s.has_key("forwarded"))
    })
    .await;
    // Default and stale reads on the follower; status answers name the leader.
    let (status, body, index) = f.http("GET", "/v1/kv/forwarded?raw", "").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello"));
    assert!(index > 0);
    let (status, body, _) = f.http("GET", "/v1/kv/forwarded?consistent&raw", "").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello"));
    let (status, body, _) = f.http("GET", "/v1/kv/forwarded?stale&raw", "").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello"));
    let (_, body, _) = f.http("GET", "/v1/status/leader", "").await;
    assert_eq!(body, format!("\"{}\"", servers[leader].me.addr));
    let (_, body, _) = f.http("GET", "/v1/status/peers", "").await;
    let peers: Vec<String> = serde_json::from_str(&body).expect("peers JSON");
    assert_eq!(peers.len(), 3);

    // A forwarded blocking query wakes up when the key changes.
    let watcher = {
        let http = f.http.clone();
        let uri = format!("/v1/kv/forwarded?index={index}&wait=20s&raw");
        tokio::spawn(async move {
            let req = axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .expect("request");
            let resp = tower::ServiceExt::oneshot(http, req)
                .await
                .expect("infallible");
            let status = resp.status();
            let bytes = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .expect("body")
                .to_bytes();
            (status, bytes)
        })
    };
    let (status, _, _) = servers[leader]
        .http("PUT", "/v1/kv/forwarded", "changed")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, bytes) = tokio::time::timeout(Duration::from_secs(10), watcher)
        .await
        .expect("blocking query woke up")
        .expect("join");
    assert_eq!((status, &bytes[..]), (StatusCode::OK, &b"changed"[..]));

    // Stop the leader: the other two elect a new one and writes resume, also via the follower.
    servers[leader].stop().await;
    let rest: Vec<&TestServer> = (0..3)
        .filter(|i| *i != leader)
        .map(|i| &servers[i])
        .collect();
    let started = std::time::Instant::now();
    let new_leader = one_leader(&rest, ELECTION).await;
    eprintln!("new leader after {:?}", started.elapsed());
    rest[new_leader]
        .raft
        .write(put("after-failover"))
        .await
        .expect("write after failover");
    let other = rest[1 - new_leader];
    let (status, body, _) = other.http("PUT", "/v1/kv/via-follower", "x").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"));
    eventually("survivors have the new keys", REPLICATION, || {
        rest.iter()
            .all(|s| s.has_key("after-failover") && s.has_key("via-follower"))
    })
    .await;
    for s in &mut servers {
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_voter_by_snapshot_then_remove() {
    let mut servers = cluster(3, 20).await;
    let all: Vec<&TestServer> = servers.iter().collect();
    let leader = one_leader(&all, ELECTION).await;
    for i in 0..60 {
        servers[leader]
            .raft
            .write(put(&format!("k{i}")))
            .await
            .expect("write");
    }
    let purged = servers[leader]
        .raft
        .raft()
        .wait(Some(REPLICATION))
        .metrics(
            |m| m.snapshot.is_some() && m.purged.is_some(),
            "leader snapshot and purge",
        )
        .await;
    assert!(purged.is_ok(), "{purged:?}");

    // The new server's log starts past the purge point: it must be sent a snapshot.
    let fourth = TestServer::start(5, &tuning(20)).await;
    servers[leader]
        .raft
        .add_voter(fourth.me.clone())
        .await
        .expect("add_voter");
    eventually("the fourth server has every key", REPLICATION, || {
        (0..60).all(|i| fourth.has_key(&format!("k{i}")))
    })
    .await;
    assert!(
        fourth.raft.metrics().snapshot.is_some(),
        "caught up through a snapshot"
    );
    assert_eq!(voters(&servers[leader]).len(), 4);
    eventually("the fourth server knows the leader", ELECTION, || {
        fourth.raft.leader_addr().as_deref() == Some(servers[leader].me.addr.as_str())
    })
    .await;
    // Adding it again changes nothing.
    servers[leader]
        .raft
        .add_voter(fourth.me.clone())
        .await
        .expect("add_voter again");

    // A write through the new server's HTTP API is forwarded to the leader.
    let (status, body, _) = fourth.http("PUT", "/v1/kv/from-fourth", "4").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"));
    eventually("'from-fourth' everywhere", REPLICATION, || {
        servers.iter().all(|s| s.has_key("from-fourth"))
    })
    .await;

    // The configuration as a follower's HTTP API reports it (answered by the leader).
    let (status, body, _) = fourth
        .http("GET", "/v1/operator/raft/configuration", "")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let config: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let listed = config["Servers"].as_array().expect("Servers");
    assert_eq!(listed.len(), 4, "{body}");
    let leaders: Vec<_> = listed.iter().filter(|s| s["Leader"] == true).collect();
    assert_eq!(leaders.len(), 1, "{body}");
    assert_eq!(leaders[0]["Address"], servers[leader].me.addr.as_str());

    // Removal through a follower's HTTP API runs on the leader.
    let follower = (leader + 1) % 3;
    let (status, body, _) = servers[follower]
        .http(
            "DELETE",
            &format!("/v1/operator/raft/peer?id={}", fourth.me.id),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(voters(&servers[leader]).len(), 3);
    assert!(!voters(&servers[leader]).contains(&fourth.raft.id()));
    // Removing on a follower's RaftNode directly names the leader.
    let err = servers[follower]
        .raft
        .remove_server(&servers[leader].me.id)
        .await
        .expect_err("not the leader");
    assert!(err.to_string().contains("not the Raft leader"), "{err}");

    let mut fourth = fourth;
    fourth.stop().await;
    for s in &mut servers {
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_follower_reconnects_and_catches_up() {
    let t = tuning(10_000);
    let mut servers = cluster(3, 10_000).await;
    let all: Vec<&TestServer> = servers.iter().collect();
    let leader = one_leader(&all, ELECTION).await;
    let follower = (leader + 1) % 3;
    servers[leader]
        .raft
        .write(put("before"))
        .await
        .expect("write");
    eventually("'before' everywhere", REPLICATION, || {
        servers.iter().all(|s| s.has_key("before"))
    })
    .await;
    servers[follower].stop().await;
    // Two of three still make a quorum.
    servers[leader]
        .raft
        .write(put("while-down"))
        .await
        .expect("write");
    let restarted = servers.remove(follower).restart(&t).await;
    servers.insert(follower, restarted);
    eventually("the restarted server catches up", REPLICATION, || {
        servers[follower].has_key("before") && servers[follower].has_key("while-down")
    })
    .await;
    let (status, body, _) = servers[follower].http("PUT", "/v1/kv/after", "1").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"));
    eventually("'after' everywhere", REPLICATION, || {
        servers.iter().all(|s| s.has_key("after"))
    })
    .await;
    for s in &mut servers {
        s.stop().await;
    }
}
