//! Gossip encryption on real sockets: what goes on the wire is sealed, members with the same
//! key form a pool and others are refused with the reason, a staged rollout
//! (`encrypt_verify_*` off) lets encrypted and plain members talk, and keyring operations
//! run across the pool. Must not import http, raft, client or commands.

use std::time::Duration;

use tokio::net::TcpListener;

use super::keyring::SEALED;
use super::socket_tests::{config, status, wait_for};
use super::{EncryptionConfig, Gossip, GossipConfig, KeyOp};
use crate::api::agent::member_status::ALIVE;

const K1: &str = "YwgWlBvicJN17UOYcutXLpJSZsw5aWpLEEWqgK635zA=";
const K2: &str = "r+pUD3yH8bZVHxPrBwmI2g==";

fn keyed(name: &str, key: &str) -> GossipConfig {
    let mut c = config(name, "dc1");
    c.encryption = EncryptionConfig {
        keys: vec![key.to_string()],
        ..Default::default()
    };
    c
}

/// The first push/pull frame `cfg`'s member sends when it joins a listener of ours.
async fn first_frame(cfg: GossipConfig) -> Vec<u8> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let g = Gossip::start(cfg).await.unwrap();
    let joining = tokio::spawn({
        let g = g.clone();
        async move { g.join(&[addr]).await }
    });
    let (mut s, _) = listener.accept().await.unwrap();
    let frame = super::wire::read_frame(&mut s).await.unwrap();
    drop(s);
    let _ = joining.await;
    g.shutdown().await;
    frame
}

#[tokio::test]
async fn push_pull_frames_are_sealed_on_the_wire() {
    let plain = first_frame(config("sniffed-node-name", "dc1")).await;
    assert!(plain.windows(17).any(|w| w == b"sniffed-node-name"));
    let sealed = first_frame(keyed("sniffed-node-name", K1)).await;
    assert_eq!(sealed[0], SEALED);
    assert!(!sealed.windows(17).any(|w| w == b"sniffed-node-name"));
    assert!(!sealed.windows(4).any(|w| w == b"dc1\0") && !sealed.windows(3).any(|w| w == b"dc1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_members_with_a_shared_key_join_and_the_others_are_told_why() {
    let g1 = Gossip::start(keyed("e1", K1)).await.unwrap();
    let a1 = vec![g1.advertise().to_string()];
    let g2 = Gossip::start(keyed("e2", K1)).await.unwrap();
    assert_eq!(g2.join(&a1).await.unwrap(), 1);
    wait_for("e2 alive on e1", Duration::from_secs(10), || {
        status(&g1, "e2") == Some(ALIVE)
    })
    .await;
    assert!(g1.encrypted() && g1.stats()["encrypted"] == "true");

    let wrong = Gossip::start(keyed("e3", K2)).await.unwrap();
    let err = wrong.join(&a1).await.unwrap_err().to_string();
    assert!(
        err.contains("e1 refused the join") && err.contains("decrypts"),
        "{err}"
    );
    let plain = Gossip::start(config("e4", "dc1")).await.unwrap();
    let err = plain.join(&a1).await.unwrap_err().to_string();
    assert!(
        err.contains("e1 encrypts gossip and this agent does not"),
        "{err}"
    );
    let lone = Gossip::start(config("e5", "dc1")).await.unwrap();
    let err = g2
        .join(&[lone.advertise().to_string()])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("this agent encrypts gossip and e5 does not"),
        "{err}"
    );
    // Nobody refused got in, and the pool is intact.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(g1.members().len(), 2, "{:?}", g1.members());
    assert_eq!(status(&g1, "e2"), Some(ALIVE));
    for g in [g1, g2, wrong, plain, lone] {
        g.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_rollout_lets_plain_and_encrypted_members_talk() {
    // Step one of Consul's rollout: the key is in place, neither direction enforced.
    let mut c1 = keyed("r1", K1);
    c1.encryption.verify_incoming = false;
    c1.encryption.verify_outgoing = false;
    let g1 = Gossip::start(c1).await.unwrap();
    let g2 = Gossip::start(config("r2", "dc1")).await.unwrap();
    g2.join(&[g1.advertise().to_string()]).await.unwrap();
    // Step two: outgoing encrypted, incoming still open.
    let mut c3 = keyed("r3", K1);
    c3.encryption.verify_incoming = false;
    let g3 = Gossip::start(c3).await.unwrap();
    g3.join(&[g1.advertise().to_string()]).await.unwrap();
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
    for g in all {
        g.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_across_the_pool_and_the_keyring_file_follows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("serf/local.keyring");
    let mut c1 = keyed("k1", K1);
    c1.encryption.keyring_file = Some(file.clone());
    let g1 = Gossip::start(c1).await.unwrap();
    let g2 = Gossip::start(keyed("k2", K1)).await.unwrap();
    g2.join(&[g1.advertise().to_string()]).await.unwrap();
    wait_for("k2 alive on k1", Duration::from_secs(10), || {
        status(&g1, "k2") == Some(ALIVE)
    })
    .await;

    let out = g1.key_operation(KeyOp::Install(K2.into())).await;
    assert_eq!(out.error(), None, "{out:?}");
    let out = g1.key_operation(KeyOp::List).await;
    assert_eq!(out.response.num_nodes, 2);
    assert_eq!(out.response.keys.get(K1), Some(&2));
    assert_eq!(out.response.keys.get(K2), Some(&2));
    assert_eq!(out.response.primary_keys.get(K1), Some(&2));
    assert!(g2
        .key_operation(KeyOp::Use(K2.into()))
        .await
        .error()
        .is_none());
    let out = g1.key_operation(KeyOp::Remove(K1.into())).await;
    assert_eq!(out.error(), None, "{out:?}");
    let out = g1.key_operation(KeyOp::List).await;
    assert_eq!(out.response.keys.len(), 1);
    assert_eq!(out.response.primary_keys.get(K2), Some(&2));
    let saved: Vec<String> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved, vec![K2.to_string()]);

    // Failures are per member, with serf's words.
    let out = g1.key_operation(KeyOp::Remove(K2.into())).await;
    assert_eq!(out.error().as_deref(), Some("2/2 nodes reported failure"));
    assert_eq!(
        out.response.messages.get("k2").map(String::as_str),
        Some("Failed to remove key: Removing the primary key is not allowed")
    );
    // The pool still talks after the rotation, and the old key no longer gets in.
    wait_for("k2 still alive", Duration::from_secs(5), || {
        status(&g1, "k2") == Some(ALIVE) && status(&g2, "k1") == Some(ALIVE)
    })
    .await;
    let old = Gossip::start(keyed("k3", K1)).await.unwrap();
    assert!(old.join(&[g1.advertise().to_string()]).await.is_err());
    // A member started again keeps the keyring file's keys over its -encrypt key.
    let addr = g1.advertise();
    g1.shutdown().await;
    let mut again = keyed("k1", K1);
    again.encryption.keyring_file = Some(file);
    again.bind = addr;
    again.advertise = addr;
    let g1 = Gossip::start(again).await.unwrap();
    g1.join(&[g2.advertise().to_string()]).await.unwrap();
    for g in [g1, g2, old] {
        g.shutdown().await;
    }
}

#[tokio::test]
async fn keyring_operations_without_encryption_say_so() {
    let g = Gossip::start(config("p1", "dc1")).await.unwrap();
    let out = g.key_operation(KeyOp::List).await;
    assert_eq!(out.error().as_deref(), Some("1/1 nodes reported failure"));
    assert_eq!(
        out.response.messages["p1"],
        "Keyring is empty (encryption not enabled)"
    );
    let out = g.key_operation(KeyOp::Install(K2.into())).await;
    assert_eq!(
        out.response.messages["p1"],
        "No keyring to modify (encryption not enabled)"
    );
    g.shutdown().await;
}
