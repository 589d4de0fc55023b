//! Log store and state machine: openraft's suite, reopen, torn tails, corruption, segments and
//! compaction, the sled import, snapshots, group commit.

// openraft's storage traits return `StorageError` (large); helpers return it as is.
#![allow(clippy::result_large_err)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use futures::FutureExt;
use openraft::storage::{
    RaftLogReader, RaftLogStorage, RaftLogStorageExt, RaftSnapshotBuilder, RaftStateMachine,
};
use openraft::testing::{log_id, StoreBuilder, Suite};
use openraft::{EntryPayload, Membership, StorageIOError};
use tempfile::TempDir;

use super::super::snapshot::{SnapshotDir, SnapshotError};
use super::super::state_machine::StateMachine;
use super::super::types::{Entry, LogId, ServerNode, SnapshotMeta, StorageError, StoredMembership};
use super::super::wal::{LogOpenError, LogStore};
use crate::agent::state::{Command, KvOp, KvVerb, Request, Store};

/// Stores for openraft's suite; `inline`: callers write their own entries when nothing else is
/// pending (a lone server's log), else the writer thread writes everything.
struct Builder {
    inline: bool,
}

impl StoreBuilder<super::super::TypeConfig, LogStore, StateMachine, TempDir> for Builder {
    async fn build(&self) -> Result<(TempDir, LogStore, StateMachine), StorageError> {
        let dir = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
        let log = LogStore::open(dir.path()).map_err(|e| StorageIOError::write(&e))?;
        log.io().set_inline(self.inline);
        let sm = StateMachine::open(&dir.path().join("snapshots"), Store::new())
            .map_err(|e| StorageIOError::write(&e))?;
        Ok((dir, log, sm))
    }
}

#[test]
fn passes_openraft_storage_suite() {
    for inline in [false, true] {
        if let Err(e) = Suite::test_all(Builder { inline }) {
            panic!("openraft storage suite failed (inline writes: {inline}): {e}");
        }
    }
}

#[tokio::test]
async fn an_inline_write_is_durable_when_append_returns() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    let entries = vec![member(1, 0), normal(1, 1, 10), normal(1, 2, 300 * 1024)];
    {
        let mut store = open(dir);
        let io = store.io();
        io.set_inline(true);
        let before = io.completed_syncs();
        // Written and synced on this thread: the callback has fired by the time append
        // returns, so the first poll finds everything done (queued, it would find nothing).
        for entry in &entries {
            match store.blocking_append(vec![entry.clone()]).now_or_never() {
                Some(done) => done?,
                None => panic!("entry {} was queued, not written inline", entry.log_id),
            }
        }
        assert_eq!(io.completed_syncs() - before, entries.len() as u64);
        // Nothing is left pending: a barrier completes at once too.
        assert!(matches!(io.sync().now_or_never(), Some(Ok(()))));
        // Handing over again: the thread writes the next entry.
        io.set_inline(false);
        store.blocking_append(vec![normal(1, 3, 5)]).await?;
    }
    let mut store = open(dir);
    let mut want = entries.clone();
    want.push(normal(1, 3, 5));
    assert_eq!(store.try_get_log_entries(0..10).await?, want);
    Ok(())
}

fn set(key: &str, value: Vec<u8>) -> Command {
    Command::KvTxn(vec![KvOp {
        verb: KvVerb::Set,
        key: key.into(),
        value,
        flags: 0,
        index: 0,
        session: None,
    }])
}

fn normal(term: u64, index: u64, value_len: usize) -> Entry {
    let value = (0..value_len).map(|i| (i % 251) as u8).collect();
    Entry {
        log_id: log_id(term, 1, index),
        payload: EntryPayload::Normal(Request {
            commands: vec![set(&format!("k{index}"), value)],
            time_ms: 0,
        }),
    }
}

fn blank(term: u64, index: u64) -> Entry {
    Entry {
        log_id: log_id(term, 1, index),
        payload: EntryPayload::Blank,
    }
}

fn member(term: u64, index: u64) -> Entry {
    let node = ServerNode {
        id: "node-1".into(),
        name: "one".into(),
        addr: "127.0.0.1:8300".into(),
    };
    let nodes = std::collections::BTreeMap::from([(1u64, node)]);
    Entry {
        log_id: log_id(term, 1, index),
        payload: EntryPayload::Membership(Membership::new(vec![BTreeSet::from([1u64])], nodes)),
    }
}

fn open(dir: &Path) -> LogStore {
    match LogStore::open(dir) {
        Ok(store) => store,
        Err(e) => panic!("open log store: {e}"),
    }
}

#[tokio::test]
async fn log_vote_and_committed_survive_reopen() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    // Entries of 0 B, 5 KiB and 600 KiB.
    let entries = vec![
        member(1, 0),
        blank(1, 1),
        normal(1, 2, 10),
        normal(1, 3, 5 * 1024),
        normal(2, 4, 600 * 1024),
        blank(2, 5),
        normal(2, 6, 100),
    ];
    let vote = openraft::Vote::new_committed(2, 1);
    {
        let mut store = open(dir);
        store.blocking_append(entries.clone()).await?;
        store.save_vote(&vote).await?;
        store.save_committed(Some(log_id(2, 1, 5))).await?;
        store.purge(log_id(1, 1, 1)).await?;
        store.truncate(log_id(2, 1, 6)).await?;
        store.blocking_append(vec![normal(3, 6, 7)]).await?;
    }
    let mut store = open(dir);
    assert_eq!(store.read_vote().await?, Some(vote));
    assert_eq!(store.read_committed().await?, Some(log_id(2, 1, 5)));
    let state = store.get_log_state().await?;
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 1, 1)));
    assert_eq!(state.last_log_id, Some(log_id(3, 1, 6)));
    let got = store.try_get_log_entries(0..100).await?;
    let mut want = entries[2..6].to_vec();
    want.push(normal(3, 6, 7));
    assert_eq!(got, want);
    let mut reader = store.get_log_reader().await;
    assert_eq!(
        reader.try_get_log_entries(4..=4).await?,
        vec![entries[4].clone()]
    );
    assert_eq!(reader.limited_get_log_entries(2, 7).await?.len(), 5);
    Ok(())
}

fn segments(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("wal"))
        .expect("read wal dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wal"))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn a_torn_tail_is_cut_and_never_served() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    {
        let mut store = open(dir);
        store
            .blocking_append(vec![member(1, 0), normal(1, 1, 100), normal(1, 2, 3000)])
            .await?;
    }
    let seg = segments(dir).pop().expect("a segment");
    let mut raw = std::fs::read(&seg).expect("read");
    // The file runs on in zeros past the records (`wal/space.rs`).
    let end = raw.iter().rposition(|b| *b != 0).expect("records") + 1;
    assert!(raw.len() > end, "no zeros ahead of the records");
    // A crash in the middle of writing entry 2 into the zeros: its last 1,000 bytes never
    // reached the disk.
    raw[end - 1000..end].fill(0);
    std::fs::write(&seg, &raw).expect("write");
    {
        let mut store = open(dir);
        let state = store.get_log_state().await?;
        assert_eq!(state.last_log_id, Some(log_id(1, 1, 1)), "entry 2 is gone");
        assert_eq!(store.try_get_log_entries(0..10).await?.len(), 2);
        // Writing goes on after the cut, at the same index.
        store.blocking_append(vec![normal(2, 2, 5)]).await?;
    }
    // Garbage after the last record (a torn write of zeros and junk) is cut as well, also
    // past the zeros (bytes there would be read as records once writing reached them).
    let mut raw = std::fs::read(&seg).expect("read");
    raw.extend_from_slice(&[0, 0, 0, 9, 1, 2, 3, 4, 1, 0xde, 0xad]);
    std::fs::write(&seg, raw).expect("write");
    let mut store = open(dir);
    assert_eq!(
        store.try_get_log_entries(0..10).await?,
        vec![member(1, 0), normal(1, 1, 100), normal(2, 2, 5)]
    );
    Ok(())
}

#[tokio::test]
async fn the_zeros_ahead_of_the_records_are_kept_and_written_over() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    {
        let mut store = open(dir);
        store
            .blocking_append(vec![member(1, 0), normal(1, 1, 100)])
            .await?;
    }
    let seg = segments(dir).pop().expect("a segment");
    let len = std::fs::metadata(&seg).expect("stat").len();
    {
        let mut store = open(dir);
        assert_eq!(
            std::fs::metadata(&seg).expect("stat").len(),
            len,
            "the zeros are no torn tail: nothing is cut"
        );
        store.blocking_append(vec![normal(1, 2, 300)]).await?;
        assert_eq!(
            std::fs::metadata(&seg).expect("stat").len(),
            len,
            "the next entry went into the zeros"
        );
    }
    let mut store = open(dir);
    assert_eq!(
        store.try_get_log_entries(0..10).await?,
        vec![member(1, 0), normal(1, 1, 100), normal(1, 2, 300)]
    );
    Ok(())
}

#[tokio::test]
async fn a_bad_record_before_the_tail_stops_the_start_naming_the_file() -> Result<(), StorageError>
{
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    {
        let mut store = open(dir);
        // Two segments: 40 entries of 2 MiB pass the 64 MiB segment size.
        for i in 0..40 {
            store
                .blocking_append(vec![normal(1, i, 2 * 1024 * 1024)])
                .await?;
        }
    }
    let files = segments(dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let mut raw = std::fs::read(&files[0]).expect("read");
    raw[1000] ^= 0x40;
    std::fs::write(&files[0], raw).expect("write");
    match LogStore::open(dir) {
        Err(e @ LogOpenError::Corrupt { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&files[0].display().to_string()), "{text}");
            assert!(text.contains("checksum mismatch"), "{text}");
        }
        Err(e) => panic!("expected corruption, got {e}"),
        Ok(_) => panic!("a corrupt segment was accepted"),
    }
    Ok(())
}

#[tokio::test]
async fn purged_segments_are_deleted_and_the_vote_outlives_them() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    let vote = openraft::Vote::new_committed(1, 1);
    {
        let mut store = open(dir);
        store.save_vote(&vote).await?;
        for i in 0..70 {
            store
                .blocking_append(vec![normal(1, i, 2 * 1024 * 1024)])
                .await?;
        }
        assert_eq!(segments(dir).len(), 3);
        store.save_committed(Some(log_id(1, 1, 66))).await?;
        // 32 entries fill a segment: entries 0-31, 32-63 and 64-69.
        store.purge(log_id(1, 1, 64)).await?;
        // The purge record is durable (and the old segments gone) after the next sync.
        store.blocking_append(vec![normal(1, 70, 10)]).await?;
        assert_eq!(
            segments(dir).len(),
            1,
            "segments holding only purged entries are removed"
        );
    }
    let mut store = open(dir);
    assert_eq!(store.read_vote().await?, Some(vote));
    let state = store.get_log_state().await?;
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 1, 64)));
    assert_eq!(state.last_log_id, Some(log_id(1, 1, 70)));
    assert_eq!(store.read_committed().await?, Some(log_id(1, 1, 66)));
    let got = store.try_get_log_entries(0..=70).await?;
    assert_eq!(got.len(), 6);
    assert_eq!(got[0], normal(1, 65, 2 * 1024 * 1024));
    assert_eq!(got[5], normal(1, 70, 10));
    Ok(())
}

#[tokio::test]
async fn a_kept_segment_with_an_older_purge_point_reopens() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    {
        let mut store = open(dir);
        store.blocking_append(vec![normal(1, 0, 10)]).await?;
        for i in 1..70 {
            store
                .blocking_append(vec![normal(1, i, 2 * 1024 * 1024)])
                .await?;
            if i == 10 {
                // The second segment opens with this purge point in its checkpoint.
                store.purge(log_id(1, 1, 5)).await?;
            }
        }
        // Deletes the first segment (entries up to 31), keeps the second (32-63).
        store.purge(log_id(1, 1, 40)).await?;
        store.blocking_append(vec![normal(1, 70, 10)]).await?;
        assert_eq!(segments(dir).len(), 2);
    }
    let mut store = open(dir);
    let state = store.get_log_state().await?;
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 1, 40)));
    let got = store.try_get_log_entries(0..=70).await?;
    assert_eq!(got.first().map(|e| e.log_id.index), Some(41));
    assert_eq!(got.len(), 30);
    drop(store);

    // A segment removed by hand leaves a gap: the start refuses, naming where.
    let files = segments(dir);
    std::fs::remove_file(&files[0]).expect("remove");
    match LogStore::open(dir) {
        Err(e @ LogOpenError::Corrupt { .. }) => {
            assert!(e.to_string().contains("are missing"), "{e}")
        }
        Err(e) => panic!("expected corruption, got {e}"),
        Ok(_) => panic!("a log with a hole was accepted"),
    }
    Ok(())
}

#[tokio::test]
async fn a_sled_log_from_before_the_wal_is_imported() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().map_err(|e| StorageIOError::write(&e))?;
    let dir = tmp.path();
    let entries = vec![member(1, 0), normal(1, 1, 10), normal(1, 2, 9000)];
    let vote = openraft::Vote::new_committed(1, 1);
    {
        // The layout sd wrote before: trees `log` (index ++ chunk -> 4 KiB pieces) and `meta`.
        let db = sled::open(dir.join("log")).expect("sled");
        let meta = db.open_tree("meta").expect("meta");
        meta.insert("format", "sd-raft-log-v1").expect("marker");
        meta.insert("vote", rmp_serde::to_vec_named(&vote).expect("vote"))
            .expect("vote");
        meta.insert(
            "committed",
            rmp_serde::to_vec_named(&log_id(1, 1, 2)).expect("committed"),
        )
        .expect("committed");
        let logs = db.open_tree("log").expect("log");
        for e in &entries {
            let bytes = rmp_serde::to_vec_named(e).expect("entry");
            for (chunk, piece) in bytes.chunks(4096).enumerate() {
                let mut key = e.log_id.index.to_be_bytes().to_vec();
                key.extend_from_slice(&(chunk as u32).to_be_bytes());
                logs.insert(key, piece).expect("insert");
            }
        }
        db.flush().expect("flush");
    }
    {
        let mut store = open(dir);
        assert_eq!(store.read_vote().await?, Some(vote));
        assert_eq!(store.read_committed().await?, Some(log_id(1, 1, 2)));
        assert_eq!(store.try_get_log_entries(0..10).await?, entries);
    }
    assert!(!dir.join("log").exists(), "the sled log was moved aside");
    assert!(dir.join("log.imported").join("db").exists(), "and kept");
    // Opening again reads the WAL (no second import).
    let mut store = open(dir);
    assert_eq!(store.try_get_log_entries(0..10).await?, entries);
    Ok(())
}

#[test]
fn open_errors_are_clear() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("raft");
    let first = open(&dir);
    match LogStore::open(&dir) {
        Err(e @ LogOpenError::Locked { .. }) => {
            assert!(e.to_string().contains("another sd agent"), "{e}")
        }
        Err(e) => panic!("expected a lock error, got {e}"),
        Ok(_) => panic!("a second open of the same log succeeded"),
    }
    drop(first);
    drop(open(&dir));

    let foreign = tmp.path().join("foreign");
    {
        let db = sled::open(foreign.join("log")).expect("sled open");
        db.insert(b"hello", b"world").expect("insert");
        db.flush().expect("flush");
    }
    match LogStore::open(&foreign) {
        Err(e @ LogOpenError::Foreign { .. }) => {
            assert!(e.to_string().contains("not an sd Raft log"), "{e}")
        }
        Err(e) => panic!("expected a foreign-dir error, got {e}"),
        Ok(_) => panic!("a foreign sled database was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_syncs_are_grouped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = open(tmp.path());
    let syncer = store.io();
    let before = syncer.completed_syncs();
    const N: u64 = 64;
    let mut tasks = Vec::new();
    for _ in 0..N {
        let syncer = syncer.clone();
        tasks.push(tokio::spawn(async move { syncer.sync().await }));
    }
    for task in tasks {
        task.await.expect("join").expect("sync");
    }
    let used = syncer.completed_syncs() - before;
    assert!(
        (1..N).contains(&used),
        "{N} concurrent syncs took {used} fdatasyncs"
    );
}

fn meta_at(term: u64, index: u64, id: &str) -> SnapshotMeta {
    SnapshotMeta {
        last_log_id: Some(log_id(term, 1, index)),
        last_membership: StoredMembership::new(
            Some(log_id(1, 1, 0)),
            Membership::new(vec![BTreeSet::from([1u64])], None),
        ),
        snapshot_id: id.into(),
    }
}

#[test]
fn snapshot_files_round_trip_and_only_newest_is_kept() -> Result<(), SnapshotError> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = SnapshotDir::open(tmp.path())?;
    assert!(dir.load_latest()?.is_none());
    dir.write(&meta_at(1, 10, "a"), b"first state")?;
    dir.write(&meta_at(2, 20, "b"), b"second state")?;
    let (meta, data) = dir.load_latest()?.expect("a snapshot");
    assert_eq!(meta, meta_at(2, 20, "b"));
    assert_eq!(data, b"second state");
    assert_eq!(dir.read_data(&meta)?, b"second state");
    let files = std::fs::read_dir(tmp.path()).expect("read_dir").count();
    assert_eq!(files, 1, "older snapshots are deleted");

    // A flipped byte is detected, with a message that says what to do.
    let path = std::fs::read_dir(tmp.path())
        .expect("read_dir")
        .next()
        .expect("file")
        .expect("entry")
        .path();
    let mut raw = std::fs::read(&path).expect("read");
    let at = raw.len() - 10;
    raw[at] ^= 0xff;
    std::fs::write(&path, raw).expect("write");
    match dir.load_latest() {
        Err(e @ SnapshotError::Corrupt { .. }) => assert!(e.to_string().contains("checksum")),
        other => panic!("expected corruption, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn state_machine_restores_latest_snapshot() -> Result<(), StorageError> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let snaps = tmp.path().join("snapshots");
    let open_sm = || {
        StateMachine::open(&snaps, Store::new())
            .map_err(|e| StorageIOError::read_snapshot(None, &e))
    };
    let built;
    {
        let mut sm = open_sm()?;
        let out = sm
            .apply(vec![member(1, 0), blank(1, 1), normal(1, 2, 3)])
            .await?;
        assert_eq!(out.len(), 3);
        assert_eq!(out[2].results.len(), 1, "one result per command");
        sm.get_snapshot_builder().await.build_snapshot().await?;
        sm.apply(vec![normal(1, 3, 3)]).await?;
        built = sm.get_snapshot_builder().await.build_snapshot().await?;
        sm.apply(vec![normal(1, 4, 3)]).await?;
    }
    let mut sm = open_sm()?;
    let (applied, membership) = sm.applied_state().await?;
    let expect: Option<LogId> = Some(log_id(1, 1, 3));
    assert_eq!(
        applied, expect,
        "restored at the snapshot, not at the last apply"
    );
    assert_eq!(membership.log_id(), &Some(log_id(1, 1, 0)));
    let current = sm.get_current_snapshot().await?.expect("current snapshot");
    assert_eq!(current.meta, built.meta);
    let files = std::fs::read_dir(&snaps).expect("read_dir").count();
    assert_eq!(files, 1);

    // Installing a snapshot from a leader replaces state and file.
    let mut follower_dir = open_sm_at(&tmp.path().join("follower"))?;
    let mut data = follower_dir.begin_receiving_snapshot().await?;
    *data = *current.snapshot;
    follower_dir.install_snapshot(&current.meta, data).await?;
    assert_eq!(follower_dir.applied_state().await?.0, expect);
    drop(follower_dir);
    let mut reopened = open_sm_at(&tmp.path().join("follower"))?;
    assert_eq!(reopened.applied_state().await?.0, expect);
    Ok(())
}

fn open_sm_at(dir: &Path) -> Result<StateMachine, StorageError> {
    StateMachine::open(dir, Arc::new(Store::default()))
        .map_err(|e| StorageIOError::read_snapshot(None, &e).into())
}
