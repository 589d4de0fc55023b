//! The in-memory replicated state and the entry point Raft applies commands through. Reads take
//! a shared lock; Raft's single apply path takes the write lock once per entry (every command
//! in it, see `apply.rs`) and then wakes exactly the blocking queries whose keys changed.

use std::sync::{Arc, RwLock, RwLockReadGuard};

use serde::{Deserialize, Serialize};

use super::apply::Wakes;
use super::catalog::Catalog;
use super::command::{Command, CommandResult};
use super::coordinate::CoordinateTable;
use super::kv::KvTable;
use super::prepared_query::QueryTable;
use super::session::SessionTable;
use super::watch::{WatchKey, Watches};

/// Errors restoring state from a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("snapshot is not readable: {0}")]
    Decode(String),
}

/// Everything that is replicated.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Tables {
    pub kv: KvTable,
    #[serde(default)]
    pub catalog: Catalog,
    #[serde(default)]
    pub sessions: SessionTable,
    #[serde(default)]
    pub queries: QueryTable,
    #[serde(default)]
    pub coordinates: CoordinateTable,
    /// Autopilot's settings, once the first leader (or an operator) wrote them.
    #[serde(default)]
    pub autopilot: Option<crate::api::autopilot::AutopilotConfiguration>,
    #[serde(default)]
    pub config_entries: super::config_entry::ConfigEntryTable,
    #[serde(default)]
    pub acl: super::acl::AclTable,
    /// The index of the last applied command: its Raft log index plus `index_offset`.
    pub index: u64,
    /// Added to Raft log indexes to give the indexes the state records and reports. Zero
    /// until a snapshot restore brings in indexes beyond the log's; from then on every index
    /// stays ahead of everything restored, so blocking queries and CAS keep working.
    #[serde(default)]
    pub index_offset: u64,
    /// How many snapshots have replaced the state since start (not replicated).
    #[serde(skip)]
    pub restores: u64,
}

impl Tables {
    /// Identifies this exact catalog and its coordinates (which `?near=` sorts by): two reads
    /// with the same version see the same catalog (KV writes leave it alone).
    pub fn catalog_version(&self) -> (u64, u64, u64) {
        (
            self.restores,
            self.catalog.version(),
            self.coordinates.index(),
        )
    }
}

/// The replicated state. Raft calls [`Store::apply`] for each committed command, in log order.
#[derive(Default)]
pub struct Store {
    tables: RwLock<Tables>,
    watches: Watches,
}

impl Store {
    pub fn new() -> Arc<Store> {
        Arc::new(Store::default())
    }

    /// Applies one command committed at Raft log `index` (an entry of one command); `time_ms`
    /// is the leader's clock on the entry (ms since the Unix epoch).
    pub fn apply(&self, index: u64, time_ms: u64, cmd: &Command) -> CommandResult {
        let mut wakes = Wakes::default();
        let result = self.write().apply(index, time_ms, cmd, &mut wakes);
        wakes.send(&self.watches);
        result
    }

    /// Applies the commands of the Raft entry at `index`, in order, as one change: readers
    /// see none of them or all of them. Then wakes the blocking queries they concern.
    pub fn apply_entry(&self, index: u64, time_ms: u64, cmds: &[Command]) -> Vec<CommandResult> {
        let mut wakes = Wakes::default();
        let results = {
            let mut t = self.write();
            cmds.iter()
                .map(|cmd| t.apply(index, time_ms, cmd, &mut wakes))
                .collect()
        };
        wakes.send(&self.watches);
        results
    }

    /// Serialises the whole state for a Raft snapshot.
    pub fn snapshot(&self) -> Vec<u8> {
        self.snapshot_with_index().0
    }

    /// The whole state serialised, and the index it is at, from one read.
    pub fn snapshot_with_index(&self) -> (Vec<u8>, u64) {
        let t = self.read();
        // Serialising plain maps of strings, integers and bytes cannot fail.
        (rmp_serde::to_vec_named(&*t).unwrap_or_default(), t.index)
    }

    /// Reads a state made by [`Store::snapshot`] without installing it.
    pub fn decode(data: &[u8]) -> Result<Tables, StateError> {
        let mut tables: Tables = if data.is_empty() {
            Tables::default()
        } else {
            crate::agent::msgpack::decode(data).map_err(|e| StateError::Decode(e.to_string()))?
        };
        tables.kv.rebuild();
        tables.sessions.rebuild();
        tables.acl.rebuild();
        Ok(tables)
    }

    /// Replaces the whole state with a snapshot made by [`Store::snapshot`] (a Raft snapshot
    /// installed or loaded at start).
    pub fn restore(&self, data: &[u8]) -> Result<(), StateError> {
        let mut tables = Store::decode(data)?;
        let index = tables.index;
        {
            let mut t = self.write();
            tables.restores = t.restores + 1;
            *t = tables;
        }
        self.watches.notify_all(index);
        Ok(())
    }

    /// A consistent read view of every table.
    pub fn read(&self) -> RwLockReadGuard<'_, Tables> {
        self.tables.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Subscribes a blocking query to changes under `what`; call before reading.
    pub fn watch(&self, what: WatchKey) -> tokio::sync::watch::Receiver<u64> {
        self.watches.subscribe(what)
    }

    /// How many distinct keys/prefixes blocking queries are waiting on.
    pub fn watched(&self) -> usize {
        self.watches.len()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Tables> {
        self.tables.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::state::command::{KvOp, KvVerb};

    fn set(key: &str, value: &str) -> Command {
        Command::KvTxn(vec![KvOp {
            verb: KvVerb::Set,
            key: key.into(),
            value: value.into(),
            flags: 0,
            index: 0,
            session: None,
        }])
    }

    #[test]
    fn snapshot_round_trip() {
        let a = Store::new();
        a.apply(3, 0, &set("x", "1"));
        a.apply(4, 0, &set("y/z", "2"));
        let b = Store::new();
        b.restore(&a.snapshot()).unwrap();
        assert_eq!(b.read().kv.get("y/z").unwrap().value, b"2");
        assert_eq!(b.read().index, 4);
        assert!(b.restore(b"garbage").is_err());
    }

    #[test]
    fn apply_wakes_only_affected_watchers() {
        let s = Store::new();
        let hit = s.watch(WatchKey::Prefix("y/".into()));
        let miss = s.watch(WatchKey::Key("x".into()));
        s.apply(5, 0, &set("y/z", "1"));
        assert!(hit.has_changed().unwrap());
        assert!(!miss.has_changed().unwrap());
    }

    /// The nemesis found a check-and-set at an index taken over a write the reader never saw:
    /// it had read the first of two writes to a key in one entry, at the entry's index. Now a
    /// reader sees an entry whole or not at all.
    #[test]
    fn a_reader_sees_an_entry_whole_or_not_at_all() {
        let s = Store::new();
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let mut reads = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let t = s.read();
                    let value = |k: &str| t.kv.get(k).map(|e| (e.value.clone(), e.modify_index));
                    if let Some((v, at)) = value("k") {
                        // The entry at `at` wrote "first" then "second" to k, and "done" to d.
                        assert_eq!(v, b"second", "saw half of entry {at}");
                        assert_eq!(value("d").map(|d| d.1), Some(at), "saw half of entry {at}");
                    }
                    reads += 1;
                }
                reads
            });
            for index in 1..=2000 {
                let entry = [set("k", "first"), set("k", "second"), set("d", "done")];
                let results = s.apply_entry(index, 0, &entry);
                assert_eq!(results.len(), 3);
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            assert!(reader.join().expect("reader") > 0);
        });
        let watcher = s.watch(WatchKey::Key("d".into()));
        s.apply_entry(2001, 0, &[set("k", "x"), set("d", "y")]);
        assert_eq!(*watcher.borrow(), 2001);
    }
}
