//! The in-memory replicated state and the entry point Raft applies commands through. Reads take
//! a shared lock; Raft's single apply path takes the write lock briefly and then wakes exactly
//! the blocking queries whose keys changed.

use std::sync::{Arc, RwLock, RwLockReadGuard};

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, Touched};
use super::command::{Command, CommandResult};
use super::coordinate::CoordinateTable;
use super::kv::KvTable;
use super::prepared_query::QueryTable;
use super::session::{self, SessionTable};
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

    /// Applies one command committed at Raft log `index`; `time_ms` is the leader's clock on
    /// the entry (ms since the Unix epoch).
    pub fn apply(&self, index: u64, time_ms: u64, cmd: &Command) -> CommandResult {
        let index = index + self.read().index_offset;
        match cmd {
            Command::KvTxn(ops) => {
                let (result, changed) = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    let t = &mut *t;
                    match t.kv.apply_txn(index, time_ms, ops, &t.sessions) {
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
                let mut t = self.write();
                t.index = t.index.max(index);
                match t.catalog.register(index, reg) {
                    Ok(touched) => {
                        self.after_catalog_change(t, index, time_ms, &reg.node, touched);
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
                let mut t = self.write();
                t.index = t.index.max(index);
                let mut touched = t.catalog.deregister(index, node, service_id, check_id);
                if t.catalog.node(node).is_none() && t.coordinates.remove_node(index, node) {
                    touched.keys.insert(WatchKey::Coordinates);
                }
                self.after_catalog_change(t, index, time_ms, node, touched);
                CommandResult::Catalog(Ok(()))
            }
            Command::PreparedQuery { op, query } => {
                let result = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    let t = &mut *t;
                    t.queries.apply(index, *op, (**query).clone(), &t.sessions)
                };
                if result.is_ok() {
                    self.watches
                        .notify_keys(index, &[WatchKey::PreparedQueries]);
                }
                CommandResult::PreparedQuery(result)
            }
            Command::SessionCreate(entry) => {
                let result = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    let t = &mut *t;
                    t.sessions.create(index, (**entry).clone(), &t.catalog)
                };
                if result.is_ok() {
                    self.watches.notify_keys(index, &[WatchKey::Sessions]);
                }
                CommandResult::Session(result)
            }
            Command::CoordinateBatchUpdate(batch) => {
                let stored = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    let t = &mut *t;
                    t.coordinates.update(index, batch, &t.catalog)
                };
                if stored > 0 {
                    self.watches.notify_keys(index, &[WatchKey::Coordinates]);
                }
                CommandResult::Coordinates(stored)
            }
            Command::AutopilotSetConfig { config, cas } => {
                let mut t = self.write();
                t.index = t.index.max(index);
                let current = t.autopilot.as_ref().map_or(0, |c| c.modify_index);
                if cas.is_some_and(|cas| cas != current) {
                    return CommandResult::Autopilot(false);
                }
                let mut config = (**config).clone();
                config.create_index = t.autopilot.as_ref().map_or(index, |c| c.create_index);
                config.modify_index = index;
                t.autopilot = Some(config);
                drop(t);
                self.watches.notify_keys(index, &[WatchKey::Autopilot]);
                CommandResult::Autopilot(true)
            }
            Command::ConfigEntry {
                op,
                kind,
                name,
                entry,
                cas,
            } => {
                let done = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    t.config_entries.apply(index, *op, kind, name, entry, *cas)
                };
                if done {
                    self.watches.notify_keys(index, &[WatchKey::ConfigEntries]);
                }
                CommandResult::ConfigEntry(done)
            }
            Command::Acl(op) => {
                let result = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    t.acl.apply(index, op)
                };
                if result.is_ok() {
                    self.watches.notify_keys(index, &[WatchKey::Acl]);
                }
                CommandResult::Acl(result)
            }
            Command::Restore(data) => {
                CommandResult::Restore(self.restore_at(index, data).map_err(|e| e.to_string()))
            }
            Command::SessionDestroy { id } => {
                let changed = {
                    let mut t = self.write();
                    t.index = t.index.max(index);
                    let t = &mut *t;
                    t.queries.session_gone(index, id);
                    session::destroy(&mut t.sessions, &mut t.kv, index, time_ms, id)
                };
                if let Some(keys) = changed {
                    self.watches
                        .notify_keys(index, &[WatchKey::Sessions, WatchKey::PreparedQueries]);
                    self.watches.notify(index, keys.iter().map(String::as_str));
                }
                CommandResult::Session(Ok(()))
            }
        }
    }

    /// After a catalog change on `node`: invalidates the sessions on it that can no longer
    /// stand (the node is gone, or a check they are tied to is gone or critical), in the same
    /// apply, then wakes everyone the changes concern.
    fn after_catalog_change(
        &self,
        mut t: std::sync::RwLockWriteGuard<'_, Tables>,
        index: u64,
        time_ms: u64,
        node: &str,
        touched: Touched,
    ) {
        let doomed = t.sessions.invalid_on(node, &t.catalog);
        let mut keys = Vec::new();
        {
            let t = &mut *t;
            for id in &doomed {
                t.queries.session_gone(index, id);
                keys.extend(
                    session::destroy(&mut t.sessions, &mut t.kv, index, time_ms, id)
                        .unwrap_or_default(),
                );
            }
        }
        drop(t);
        self.watches.notify_keys(index, &touched.keys);
        if !doomed.is_empty() {
            self.watches
                .notify_keys(index, &[WatchKey::Sessions, WatchKey::PreparedQueries]);
            self.watches.notify(index, keys.iter().map(String::as_str));
        }
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

    /// A user's restore (`PUT /v1/snapshot`) applied at `index`: the snapshot's state becomes
    /// the state, and this entry's index, and every later one, is moved past the snapshot's.
    fn restore_at(&self, index: u64, data: &[u8]) -> Result<(), StateError> {
        let mut tables = Store::decode(data)?;
        let new_index = index.max(tables.index.saturating_add(1));
        {
            let mut t = self.write();
            tables.index_offset = t.index_offset + (new_index - index);
            tables.index = new_index;
            tables.restores = t.restores + 1;
            *t = tables;
        }
        self.watches.notify_all(new_index);
        Ok(())
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
}
