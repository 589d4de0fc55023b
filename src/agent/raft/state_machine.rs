//! The openraft state machine over `state::Store`: applies committed entries in log order, tracks
//! the last applied log id and membership, and builds/installs snapshots (files: `snapshot`).
//!
//! The state itself lives in memory; durability comes from the latest snapshot plus the log, so a
//! restart restores the newest snapshot here and openraft re-applies the committed entries after
//! it. Nothing here touches the log store.

use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use openraft::storage::{RaftSnapshotBuilder, RaftStateMachine};
use openraft::{AnyError, EntryPayload, StorageIOError};
use tokio::sync::Notify;

use super::snapshot::{SnapshotDir, SnapshotError};
use super::types::{
    Entry, LogId, Snapshot, SnapshotMeta, StorageError, StoredMembership, TypeConfig,
};
use crate::agent::state::{Response, Store};

const RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(100);
const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(2);

/// Snapshot state shared by the state machine and snapshot builders (which run in other tasks).
pub(crate) struct Snapshots {
    dir: SnapshotDir,
    /// Metadata of the newest durable snapshot; the lock also serialises file writes.
    current: Mutex<Option<SnapshotMeta>>,
    /// Snapshot builders alive (openraft runs them detached; shutdown waits for them).
    builders: AtomicUsize,
    idle: Notify,
    /// Set at shutdown: a snapshot that cannot be written stops retrying.
    stopping: AtomicBool,
}

/// The [`RaftStateMachine`].
pub struct StateMachine {
    store: Arc<Store>,
    last_applied: Option<LogId>,
    last_membership: StoredMembership,
    applied_index: Arc<AtomicU64>,
    snapshots: Arc<Snapshots>,
}

/// Builds a snapshot from a copy of the state taken when the builder was created.
pub struct SnapshotBuilder {
    data: Vec<u8>,
    last_applied: Option<LogId>,
    last_membership: StoredMembership,
    snapshots: Arc<Snapshots>,
}

impl StateMachine {
    /// Opens the snapshot directory `dir` and restores `store` from its newest snapshot.
    pub fn open(dir: &Path, store: Arc<Store>) -> Result<StateMachine, SnapshotError> {
        let snap_dir = SnapshotDir::open(dir)?;
        let mut sm = StateMachine {
            store,
            last_applied: None,
            last_membership: StoredMembership::default(),
            applied_index: Arc::new(AtomicU64::new(0)),
            snapshots: Arc::new(Snapshots {
                dir: snap_dir.clone(),
                current: Mutex::new(None),
                builders: AtomicUsize::new(0),
                idle: Notify::new(),
                stopping: AtomicBool::new(false),
            }),
        };
        if let Some((meta, data)) = snap_dir.load_latest()? {
            sm.store
                .restore(&data)
                .map_err(|e| SnapshotError::Corrupt {
                    path: dir.to_path_buf(),
                    detail: format!("snapshot {}: {e}", meta.snapshot_id),
                })?;
            sm.set_applied(meta.last_log_id);
            sm.last_membership = meta.last_membership.clone();
            sm.snapshots.set_current(meta);
        }
        Ok(sm)
    }

    /// The snapshot files and builders, shared with `RaftNode` (to wait for builds at shutdown).
    pub(crate) fn snapshots(&self) -> Arc<Snapshots> {
        self.snapshots.clone()
    }

    /// The index of the last applied entry, shared with `RaftNode`.
    pub(crate) fn applied_index(&self) -> Arc<AtomicU64> {
        self.applied_index.clone()
    }

    /// Replaces the Raft configuration (outage recovery only, before Raft starts).
    pub(crate) fn force_membership(&mut self, membership: StoredMembership) {
        self.last_membership = membership;
    }

    fn set_applied(&mut self, log_id: Option<LogId>) {
        self.last_applied = log_id;
        self.applied_index
            .store(log_id.map_or(0, |l| l.index), Ordering::Release);
    }
}

impl Snapshots {
    /// Waits until no snapshot builder is running.
    pub(crate) async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.builders.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Makes snapshot writes that keep failing give up (the agent is stopping).
    pub(crate) fn stop_retrying(&self) {
        self.stopping.store(true, Ordering::Release);
    }

    /// Writes a snapshot, retrying while the disk refuses it (full, failing): openraft stops
    /// for good on a snapshot error, and the log is not compacted until the file is durable,
    /// so waiting loses nothing. Gives up only when the agent is stopping.
    async fn persist_retrying(
        self: &Arc<Self>,
        meta: &SnapshotMeta,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, SnapshotError> {
        let mut data = data;
        let mut delay = RETRY_FIRST;
        let mut last_error = String::new();
        loop {
            let (snapshots, meta2) = (self.clone(), meta.clone());
            let (result, back) =
                blocking(move || Ok((snapshots.persist(&meta2, &data), data))).await?;
            data = back;
            let e = match result {
                Ok(()) => return Ok(data),
                Err(e) => e,
            };
            if self.stopping.load(Ordering::Acquire) {
                return Err(e);
            }
            let text = e.to_string();
            if text != last_error {
                tracing::error!(error = %text, "cannot write a Raft snapshot; retrying until it can be written (the log is not compacted meanwhile)");
                last_error = text;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(RETRY_MAX);
        }
    }

    /// The current snapshot with its state bytes; blocking.
    fn read_current(&self) -> Result<Option<(SnapshotMeta, Vec<u8>)>, SnapshotError> {
        let guard = self
            .current
            .lock()
            .map_err(|_| SnapshotError::Encode("snapshot lock poisoned".into()))?;
        match guard.as_ref() {
            None => Ok(None),
            Some(meta) => Ok(Some((meta.clone(), self.dir.read_data(meta)?))),
        }
    }

    fn set_current(&self, meta: SnapshotMeta) {
        if let Ok(mut guard) = self.current.lock() {
            *guard = Some(meta);
        }
    }

    /// Writes the snapshot unless a newer one is already current; blocking.
    fn persist(&self, meta: &SnapshotMeta, data: &[u8]) -> Result<(), SnapshotError> {
        let mut guard = self
            .current
            .lock()
            .map_err(|_| SnapshotError::Encode("snapshot lock poisoned".into()))?;
        if let Some(cur) = guard.as_ref() {
            if cur.last_log_id > meta.last_log_id {
                return Ok(());
            }
        }
        self.dir.write(meta, data)?;
        *guard = Some(meta.clone());
        Ok(())
    }
}

fn new_snapshot_id(last: Option<&LogId>) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    match last {
        Some(l) => format!("{}-{}-{nanos}", l.leader_id.term, l.index),
        None => format!("0-0-{nanos}"),
    }
}

/// Runs blocking snapshot I/O off the async runtime.
async fn blocking<T, F>(f: F) -> Result<T, SnapshotError>
where
    F: FnOnce() -> Result<T, SnapshotError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SnapshotError::Encode(format!("snapshot task failed: {e}")))?
}

impl Drop for SnapshotBuilder {
    fn drop(&mut self) {
        if self.snapshots.builders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.snapshots.idle.notify_waiters();
        }
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot, StorageError> {
        let meta = SnapshotMeta {
            last_log_id: self.last_applied,
            last_membership: self.last_membership.clone(),
            snapshot_id: new_snapshot_id(self.last_applied.as_ref()),
        };
        let data = std::mem::take(&mut self.data);
        let data = self
            .snapshots
            .persist_retrying(&meta, data)
            .await
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        tracing::info!(snapshot = %meta.snapshot_id, bytes = data.len(), "built Raft snapshot");
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        Ok((self.last_applied, self.last_membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Response>, StorageError>
    where
        I: IntoIterator<Item = Entry> + Send,
        I::IntoIter: Send,
    {
        let entries = entries.into_iter();
        let mut out = Vec::with_capacity(entries.size_hint().0);
        for entry in entries {
            let index = entry.log_id.index;
            let response = match entry.payload {
                EntryPayload::Blank => Response::default(),
                EntryPayload::Normal(req) => Response {
                    results: self.store.apply_entry(index, req.time_ms, &req.commands),
                },
                EntryPayload::Membership(m) => {
                    self.last_membership = StoredMembership::new(Some(entry.log_id), m);
                    Response::default()
                }
            };
            self.set_applied(Some(entry.log_id));
            out.push(response);
        }
        Ok(out)
    }

    async fn get_snapshot_builder(&mut self) -> SnapshotBuilder {
        // Copy the state now: the builder runs in another task while entries keep being applied.
        self.snapshots.builders.fetch_add(1, Ordering::AcqRel);
        SnapshotBuilder {
            data: self.store.snapshot(),
            last_applied: self.last_applied,
            last_membership: self.last_membership.clone(),
            snapshots: self.snapshots.clone(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let data = snapshot.into_inner();
        self.store.restore(&data).map_err(|e| {
            StorageIOError::read_snapshot(Some(meta.signature()), AnyError::new(&e))
        })?;
        self.set_applied(meta.last_log_id);
        self.last_membership = meta.last_membership.clone();
        self.snapshots
            .persist_retrying(meta, data)
            .await
            .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        tracing::info!(snapshot = %meta.snapshot_id, "installed Raft snapshot");
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot>, StorageError> {
        let snapshots = self.snapshots.clone();
        let current = blocking(move || snapshots.read_current())
            .await
            .map_err(|e| StorageIOError::read_snapshot(None, &e))?;
        Ok(current.map(|(meta, data)| Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        }))
    }
}
