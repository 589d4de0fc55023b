//! Socket-level tests: real [`Gossip`] instances on 127.0.0.1 with OS-chosen ports, polled
//! with deadlines. Must not import http, raft, client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use crate::api::agent::member_status::{ALIVE, FAILED, LEFT};

use super::{Gossip, GossipConfig, GossipError, GossipTiming, MemberEvent};

pub(super) fn config(name: &str, dc: &str) -> GossipConfig {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    GossipConfig {
        pool: Default::default(),
        node_name: name.into(),
        node_id: format!("id-{name}"),
        datacenter: dc.into(),
        bind: any,
        advertise: any,
        tags: BTreeMap::from([("role".to_string(), "node".to_string())]),
        timing: GossipTiming::dev(),
        snapshot_path: None,
        rejoin_after_leave: false,
        encryption: Default::default(),
    }
}

pub(super) async fn wait_for(what: &str, max: Duration, pred: impl Fn() -> bool) {
    let end = tokio::time::Instant::now() + max;
    while !pred() {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(super) fn status(g: &Gossip, name: &str) -> Option<u8> {
    g.members()
        .into_iter()
        .find(|m| m.name == name)
        .map(|m| m.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_join_fail_and_leave() {
    let dir = tempfile::tempdir().unwrap();
    let mut c1 = config("s1", "dc1");
    c1.snapshot_path = Some(dir.path().join("serf/local.snapshot"));
    let g1 = Gossip::start(c1).await.unwrap();
    let g2 = Gossip::start(config("s2", "dc1")).await.unwrap();
    let g3 = Gossip::start(config("s3", "dc1")).await.unwrap();
    let mut events = g1.subscribe();
    let a1 = g1.advertise().to_string();
    assert_eq!(g2.join(std::slice::from_ref(&a1)).await.unwrap(), 1);
    assert_eq!(g3.join(&[a1]).await.unwrap(), 1);
    let all = [g1.clone(), g2.clone(), g3.clone()];
    wait_for(
        "3 alive members everywhere",
        Duration::from_secs(10),
        || {
            all.iter()
                .all(|g| g.members().len() == 3 && g.members().iter().all(|m| m.status == ALIVE))
        },
    )
    .await;
    let m = g2.members().into_iter().find(|m| m.name == "s1").unwrap();
    assert_eq!(m.tags.get("dc").map(String::as_str), Some("dc1"));
    assert_eq!(m.tags.get("id").map(String::as_str), Some("id-s1"));

    // kill without leave: the others see it failed.
    g3.shutdown().await;
    wait_for("s3 failed", Duration::from_secs(10), || {
        status(&g1, "s3") == Some(FAILED) && status(&g2, "s3") == Some(FAILED)
    })
    .await;
    let stats = g1.stats();
    assert_eq!(stats.get("failed").map(String::as_str), Some("1"));
    assert_eq!(stats.get("members").map(String::as_str), Some("3"));
    // The event may trail the table by a moment: wait for it (lagging is no excuse either).
    let saw_failed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Ok(MemberEvent::Failed(m)) if m.name == "s3" => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    })
    .await;
    assert_eq!(saw_failed, Ok(true), "no Failed event for s3");

    // graceful leave: left, not failed.
    g2.leave().await.unwrap();
    g2.shutdown().await;
    wait_for("s2 left", Duration::from_secs(10), || {
        status(&g1, "s2") == Some(LEFT)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(status(&g1, "s2"), Some(LEFT));
    // The snapshot remembers the failed member for a rejoin.
    let snap = super::snapshot::load(&dir.path().join("serf/local.snapshot")).unwrap();
    assert!(snap.members.iter().any(|(n, _)| n == "s3"), "{snap:?}");
    g1.shutdown().await;
}

#[tokio::test]
async fn bad_joins_and_taken_ports_are_clear_errors() {
    let g1 = Gossip::start(config("a", "dc1")).await.unwrap();
    // The port is taken.
    let mut c = config("b", "dc1");
    c.bind = g1.advertise();
    let err = Gossip::start(c).await.err().unwrap();
    assert!(matches!(err, GossipError::Bind { .. }));
    assert!(
        err.to_string().contains(&g1.advertise().to_string()),
        "{err}"
    );
    // Tags too large for a datagram.
    let mut c = config("big", "dc1");
    c.tags.insert("blob".into(), "x".repeat(1000));
    assert!(matches!(
        Gossip::start(c).await,
        Err(GossipError::TagsTooLarge(..))
    ));
    // Nothing listens there.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let g2 = Gossip::start(config("b", "dc1")).await.unwrap();
    let err = g2.join(&[free.to_string()]).await.unwrap_err();
    assert!(err.to_string().contains(&free.to_string()), "{err}");
    // Another datacenter.
    let g3 = Gossip::start(config("c", "dc2")).await.unwrap();
    let err = g3.join(&[g1.advertise().to_string()]).await.unwrap_err();
    assert!(err.to_string().contains("datacenter"), "{err}");
    // The same name from another address.
    g2.join(&[g1.advertise().to_string()]).await.unwrap();
    let twin = Gossip::start(config("b", "dc1")).await.unwrap();
    let err = twin.join(&[g1.advertise().to_string()]).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&g2.advertise().to_string()) && msg.contains(&twin.advertise().to_string()),
        "{msg}"
    );
    // Garbage on the gossip port, UDP and TCP, changes nothing.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.send_to(&[1, 2, 3, 4, 5], g1.advertise()).unwrap();
    let mut tcp = tokio::net::TcpStream::connect(g1.advertise())
        .await
        .unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut tcp, b"GET / HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    drop(tcp);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(g1.members().len(), 2);
    for g in [g1, g2, g3, twin] {
        g.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_rejoins_from_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("serf/local.snapshot");
    let g1 = Gossip::start(config("p1", "dc1")).await.unwrap();
    let mut c2 = config("p2", "dc1");
    c2.snapshot_path = Some(snap.clone());
    let g2 = Gossip::start(c2.clone()).await.unwrap();
    g2.join(&[g1.advertise().to_string()]).await.unwrap();
    wait_for("p2 alive at p1", Duration::from_secs(10), || {
        status(&g1, "p2") == Some(ALIVE)
    })
    .await;
    wait_for("snapshot written", Duration::from_secs(10), || {
        super::snapshot::load(&snap).is_some_and(|s| s.members.iter().any(|(n, _)| n == "p1"))
    })
    .await;
    // kill -9 and restart on the same address, without -join.
    let addr = g2.advertise();
    g2.shutdown().await;
    c2.bind = addr;
    c2.advertise = addr;
    let g2 = Gossip::start(c2.clone()).await.unwrap();
    assert_eq!(g2.rejoin_known().await, 1);
    wait_for("both alive on both", Duration::from_secs(10), || {
        [&g1, &g2]
            .iter()
            .all(|g| g.members().len() == 2 && g.members().iter().all(|m| m.status == ALIVE))
    })
    .await;
    // After a graceful leave a restart does not rejoin on its own.
    g2.leave().await.unwrap();
    g2.shutdown().await;
    let g2 = Gossip::start(c2).await.unwrap();
    assert_eq!(g2.rejoin_known().await, 0);
    g2.shutdown().await;
    g1.shutdown().await;
}
