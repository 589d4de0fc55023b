//! A single-server `RaftNode`: fast bootstrap, batched writes, restart, snapshots, views and
//! leadership changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::agent::raft::{PeerRef, RaftAdminError, RaftNode, ServerNode};
use crate::agent::state::{Command, CommandResult, KvOp, KvVerb, Store};
use crate::config::RaftTuning;

const NODE_UUID: &str = "8f3b1c2d-0000-4000-8000-000000000001";

fn me() -> ServerNode {
    ServerNode {
        id: NODE_UUID.into(),
        name: "server-1".into(),
        addr: "127.0.0.1:8300".into(),
    }
}

fn put(key: String) -> Command {
    Command::KvTxn(vec![KvOp {
        verb: KvVerb::Set,
        key,
        value: b"v".to_vec(),
        flags: 0,
        index: 0,
        session: None,
    }])
}

async fn start(dir: &Path, tuning: &RaftTuning) -> RaftNode {
    let started = Instant::now();
    let node = match RaftNode::open(
        dir,
        me(),
        tuning,
        Store::new(),
        crate::agent::rpc::RpcClient::new(),
    )
    .await
    {
        Ok(node) => node,
        Err(e) => panic!("open RaftNode: {e}"),
    };
    eprintln!("RaftNode::open took {:?}", started.elapsed());
    if let Err(e) = node.bootstrap_single().await {
        panic!("bootstrap: {e}");
    }
    assert!(
        node.wait_for_leader(Duration::from_secs(5)).await,
        "no leader"
    );
    node
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_node_leads_fast_and_batches_writes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let node = start(tmp.path(), &RaftTuning::default()).await;
    let to_leader = started.elapsed();
    assert!(node.is_leader());
    // A figure, not a pass/fail bound: the bench measures start-to-leader.
    eprintln!("open to leader: {to_leader:?}");
    assert_eq!(node.leader_addr().as_deref(), Some("127.0.0.1:8300"));
    assert_eq!(node.last_contact_ms(), 0);

    let syncs_before = node.completed_log_syncs();
    const N: usize = 300;
    let node = std::sync::Arc::new(node);
    let mut tasks = Vec::new();
    for i in 0..N {
        let node = node.clone();
        tasks.push(tokio::spawn(async move {
            node.write(put(format!("k{i}"))).await
        }));
    }
    let mut per_index: BTreeMap<u64, usize> = BTreeMap::new();
    for task in tasks {
        let (index, result) = task.await.expect("join").expect("write");
        assert!(matches!(result, CommandResult::KvTxn(_)));
        *per_index.entry(index).or_default() += 1;
    }
    let entries = per_index.len();
    assert_eq!(per_index.values().sum::<usize>(), N);
    assert!(
        entries < N,
        "{N} writes used {entries} entries: no batching"
    );
    let syncs = node.completed_log_syncs() - syncs_before;
    assert!(syncs < N as u64, "{N} writes needed {syncs} fdatasyncs");
    eprintln!("{N} writes -> {entries} entries, {syncs} syncs");
    let last = *per_index.keys().last().expect("an index");
    assert!(node.applied_index() >= last);

    node.ensure_linearizable().await.expect("linearizable");
    let stats = node.stats();
    assert_eq!(stats["state"], "Leader");
    assert_eq!(stats["num_peers"], "0");
    assert_eq!(stats["protocol_version"], "3");
    assert_eq!(stats["last_contact"], "0");
    assert!(stats["latest_configuration"].contains(NODE_UUID));
    let config = node.configuration();
    assert_eq!(config.servers.len(), 1);
    let server = &config.servers[0];
    assert_eq!(
        (server.id.as_str(), server.node.as_str()),
        (NODE_UUID, "server-1")
    );
    assert!(server.leader && server.voter);
    assert!(server.last_index >= last);

    match node
        .remove_peer(PeerRef::Address("10.9.9.9:8300".into()))
        .await
    {
        Err(e @ RaftAdminError::NotFound(_)) => {
            assert!(
                e.to_string()
                    .contains("not found in the Raft configuration"),
                "{e}"
            )
        }
        other => panic!("expected not found, got {other:?}"),
    }
    node.shutdown().await;
    assert!(node.write(put("late".into())).await.is_err());
}

/// A caller shown its write's entry (as `/v1/txn` is) must be able to check-and-set at that
/// entry's index: no later write to the key may share it, so two shown writes to one key never
/// share an entry (the batcher's unit tests check the order within one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shown_write_never_shares_its_index_with_another_write_to_its_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let node = std::sync::Arc::new(start(tmp.path(), &RaftTuning::default()).await);
    const N: usize = 200;
    let mut tasks = Vec::new();
    for i in 0..N {
        let node = node.clone();
        let shown = i % 4 == 0;
        tasks.push(tokio::spawn(async move {
            let cmd = put("hot".into());
            let written = if shown {
                node.write_shown(cmd).await
            } else {
                node.write(cmd).await
            };
            (shown, written.expect("write").0)
        }));
    }
    let mut per_index: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    for task in tasks {
        let (shown, index) = task.await.expect("join");
        let (all, shown_here) = per_index.entry(index).or_default();
        *all += 1;
        *shown_here += usize::from(shown);
    }
    for (index, (_, shown)) in &per_index {
        assert!(
            *shown <= 1,
            "entry {index} holds {shown} shown writes to one key"
        );
    }
    eprintln!("{N} writes to one key -> {} entries", per_index.len());

    // The last write's index is the key's: a check-and-set at it takes.
    let (index, _) = node.write_shown(put("hot".into())).await.expect("write");
    let cas = Command::KvTxn(vec![KvOp {
        verb: KvVerb::Cas,
        key: "hot".into(),
        value: b"after".to_vec(),
        flags: 0,
        index,
        session: None,
    }]);
    match node.write(cas).await.expect("cas").1 {
        CommandResult::KvTxn(Ok(_)) => {}
        other => panic!("check-and-set at the shown index failed: {other:?}"),
    }
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_replays_log_after_snapshot_and_purges() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let tuning = RaftTuning {
        snapshot_threshold: 10,
        trailing_logs: 5,
        ..RaftTuning::default()
    };
    let last = {
        let node = start(tmp.path(), &tuning).await;
        let mut last = 0;
        for i in 0..60 {
            last = node.write(put(format!("k{i}"))).await.expect("write").0;
        }
        // Snapshots are built in the background; wait for one to land and the log to shrink.
        let snapshotted = node
            .raft()
            .wait(Some(Duration::from_secs(5)))
            .metrics(
                |m| m.snapshot.is_some() && m.purged.is_some(),
                "snapshot and purge",
            )
            .await;
        assert!(snapshotted.is_ok(), "no snapshot/purge: {snapshotted:?}");
        node.shutdown().await;
        last
    };
    let snapshots = std::fs::read_dir(tmp.path().join("snapshots"))
        .expect("snapshots dir")
        .count();
    assert_eq!(snapshots, 1, "exactly the newest snapshot is kept");

    let node = start(tmp.path(), &tuning).await;
    assert!(node.is_leader(), "a restarted single server leads again");
    let restarted = node
        .raft()
        .wait(Some(Duration::from_secs(5)))
        .applied_index_at_least(Some(last), "replay")
        .await;
    assert!(restarted.is_ok(), "state not restored: {restarted:?}");
    let (index, _) = node
        .write(put("after".into()))
        .await
        .expect("write after restart");
    assert!(index > last);
    let metrics = node.metrics();
    let purged = metrics.purged.map_or(0, |p| p.index);
    assert!(purged > 0, "log was purged");
    node.shutdown().await;
}

/// [`RaftNode::leadership`] answers when leadership comes and goes, and not for the writes in
/// between (every one of which moves openraft's full metrics).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leadership_wakes_for_leadership_not_for_writes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let node = match RaftNode::open(
        tmp.path(),
        me(),
        &RaftTuning::default(),
        Store::new(),
        crate::agent::rpc::RpcClient::new(),
    )
    .await
    {
        Ok(node) => std::sync::Arc::new(node),
        Err(e) => panic!("open RaftNode: {e}"),
    };
    let waiter = {
        let node = node.clone();
        tokio::spawn(async move { node.leadership().changed(false).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiter.is_finished(), "answered before any leader existed");
    node.bootstrap_single().await.expect("bootstrap");
    let became = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("no answer within 5 s of bootstrapping")
        .expect("join");
    assert_eq!(became, Some(true));

    let mut leadership = node.leadership();
    let writes = async {
        for i in 0..200 {
            node.write(put(format!("w{i}"))).await.expect("write");
        }
    };
    tokio::select! {
        changed = leadership.changed(true) => panic!("woke during writes: {changed:?}"),
        () = writes => {}
    }
    assert!(
        leadership.looks() <= 2,
        "looked {} times during 200 writes",
        leadership.looks()
    );

    let lost = {
        let node = node.clone();
        tokio::spawn(async move { node.leadership().changed(true).await })
    };
    node.shutdown().await;
    let lost = tokio::time::timeout(Duration::from_secs(5), lost)
        .await
        .expect("no answer within 5 s of shutting down")
        .expect("join");
    assert_ne!(lost, Some(true), "still the leader after shutting down");
}
