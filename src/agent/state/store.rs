//! The in-memory replicated state and the entry point Raft applies commands through. Reads take
//! a shared lock; Raft's single apply path takes the write lock briefly and then wakes exactly
//! the blocking queries whose keys changed.

use std::sync::{Arc, RwLock, RwLockReadGuard};

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::command::{Command, CommandResult};
use super::kv::KvTable;
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
    /// The Raft index of the last applied command.
    pub index: u64,
    /// How many snapshots have replaced the state since start (not replicated).
    #[serde(skip)]
    pub restores: u64,
}

impl Tables {
    /// Identifies this exact catalog: two reads with the same version see the same catalog
    /// (KV writes leave it alone).
    pub fn catalog_version(&self) -> (u64, u64) {
        (self.restores, self.catalog.version())
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

    /// Applies one command committed at Raft log `index`.
    pub fn apply(&self, index: u64, cmd: &Command) -> CommandResult {
        match cmd {
            Command::KvTxn(ops) => {
                let (result, changed) = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    match t.kv.apply_txn(index, ops) {
                        Ok((results, changed)) => (Ok(results), changed),
                        Err(errors) => (Err(errors), Vec::new()),
                    }
                };
                self.watches
                    .notify(index, changed.iter().map(String::as_str));
                CommandResult::KvTxn(result)
            }
            Command::KvReapTombstones { index: upto } => {
                let mut t = self.write();
                t.index = t.index.max(index);
                CommandResult::Reaped(t.kv.reap_tombstones(*upto))
            }
            Command::CatalogRegister(reg) => {
                let result = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    t.catalog.register(index, reg)
                };
                match result {
                    Ok(touched) => {
                        self.watches.notify_keys(index, &touched.keys);
                        CommandResult::Catalog(Ok(()))
                    }
                    Err(e) => CommandResult::Catalog(Err(e)),
                }
            }
            Command::CatalogDeregister {
                node,
                service_id,
                check_id,
            } => {
                let touched = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    t.catalog.deregister(index, node, service_id, check_id)
                };
                self.watches.notify_keys(index, &touched.keys);
                CommandResult::Catalog(Ok(()))
            }
        }
    }

    /// Serialises the whole state for a Raft snapshot.
    pub fn snapshot(&self) -> Vec<u8> {
        let t = self.read();
        // Serialising plain maps of strings, integers and bytes cannot fail.
        rmp_serde::to_vec_named(&*t).unwrap_or_default()
    }

    /// Replaces the whole state with a snapshot made by [`Store::snapshot`].
    pub fn restore(&self, data: &[u8]) -> Result<(), StateError> {
        let mut tables: Tables = if data.is_empty() {
            Tables::default()
        } else {
            rmp_serde::from_slice(data).map_err(|e| StateError::Decode(e.to_string()))?
        };
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
        a.apply(3, &set("x", "1"));
        a.apply(4, &set("y/z", "2"));
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
        s.apply(5, &set("y/z", "1"));
        assert!(hit.has_changed().unwrap());
        assert!(!miss.has_changed().unwrap());
    }
}
