//! One command applied to the tables, with the wake-ups it calls for gathered rather than
//! sent. [`super::Store::apply_entry`] runs every command of a Raft entry this way under one
//! write lock, so a reader sees all of an entry or none of it, and then wakes the blocking
//! queries once. (Commands of one entry share its index: a reader that saw half of an entry
//! would be handed an index that the other half's changes then carry too, and a blocking query
//! or a check-and-set at that index would miss them.)

use std::collections::BTreeSet;

use super::catalog::Touched;
use super::command::{Command, CommandResult};
use super::session;
use super::store::{StateError, Store, Tables};
use super::watch::{WatchKey, Watches};

/// The wake-ups an entry's commands asked for.
#[derive(Default)]
pub(super) struct Wakes {
    /// The index to wake them at: the entry's (after any restore within it).
    index: u64,
    /// KV keys written (their watchers and those of every prefix wake).
    kv: Vec<String>,
    /// Other watch keys.
    keys: BTreeSet<WatchKey>,
    /// The whole state was replaced: wake everyone.
    all: bool,
}

impl Wakes {
    fn at(&mut self, index: u64) -> &mut Self {
        self.index = self.index.max(index);
        self
    }

    fn keys(&mut self, keys: impl IntoIterator<Item = WatchKey>) {
        self.keys.extend(keys);
    }

    fn kv(&mut self, keys: impl IntoIterator<Item = String>) {
        self.kv.extend(keys);
    }

    /// Wakes every watcher gathered.
    pub(super) fn send(self, watches: &Watches) {
        if self.all {
            watches.notify_all(self.index);
            return;
        }
        if !self.keys.is_empty() {
            watches.notify_keys(self.index, &self.keys);
        }
        if !self.kv.is_empty() {
            watches.notify(self.index, self.kv.iter().map(String::as_str));
        }
    }
}

impl Tables {
    /// Applies one command committed at Raft log `index`; `time_ms` is the leader's clock on
    /// the entry (ms since the Unix epoch).
    pub(super) fn apply(
        &mut self,
        index: u64,
        time_ms: u64,
        cmd: &Command,
        wakes: &mut Wakes,
    ) -> CommandResult {
        let index = index + self.index_offset;
        self.index = self.index.max(index);
        let wakes = wakes.at(index);
        match cmd {
            Command::Restore(data) => {
                let restored = self.restore_at(index, data).map_err(|e| e.to_string());
                if restored.is_ok() {
                    wakes.at(self.index).all = true;
                }
                CommandResult::Restore(restored)
            }
            Command::KvTxn(ops) => match self.kv.apply_txn(index, time_ms, ops, &self.sessions) {
                Ok((results, changed)) => {
                    wakes.kv(changed);
                    CommandResult::KvTxn(Ok(results))
                }
                Err(errors) => CommandResult::KvTxn(Err(errors)),
            },
            Command::KvReapTombstones { index: upto } => {
                CommandResult::Reaped(self.kv.reap_tombstones(*upto))
            }
            Command::CatalogRegister(reg) => match self.catalog.register(index, reg) {
                Ok(touched) => {
                    self.after_catalog_change(index, time_ms, &reg.node, touched, wakes);
                    CommandResult::Catalog(Ok(()))
                }
                Err(e) => CommandResult::Catalog(Err(e)),
            },
            Command::CatalogDeregister {
                node,
                service_id,
                check_id,
            } => {
                let mut touched = self.catalog.deregister(index, node, service_id, check_id);
                if self.catalog.node(node).is_none() && self.coordinates.remove_node(index, node) {
                    touched.keys.insert(WatchKey::Coordinates);
                }
                self.after_catalog_change(index, time_ms, node, touched, wakes);
                CommandResult::Catalog(Ok(()))
            }
            Command::PreparedQuery { op, query } => {
                let result = self
                    .queries
                    .apply(index, *op, (**query).clone(), &self.sessions);
                if result.is_ok() {
                    wakes.keys([WatchKey::PreparedQueries]);
                }
                CommandResult::PreparedQuery(result)
            }
            Command::SessionCreate(entry) => {
                let result = self
                    .sessions
                    .create(index, (**entry).clone(), &self.catalog);
                if result.is_ok() {
                    wakes.keys([WatchKey::Sessions]);
                }
                CommandResult::Session(result)
            }
            Command::CoordinateBatchUpdate(batch) => {
                let stored = self.coordinates.update(index, batch, &self.catalog);
                if stored > 0 {
                    wakes.keys([WatchKey::Coordinates]);
                }
                CommandResult::Coordinates(stored)
            }
            Command::AutopilotSetConfig { config, cas } => {
                let current = self.autopilot.as_ref().map_or(0, |c| c.modify_index);
                if cas.is_some_and(|cas| cas != current) {
                    return CommandResult::Autopilot(false);
                }
                let mut config = (**config).clone();
                config.create_index = self.autopilot.as_ref().map_or(index, |c| c.create_index);
                config.modify_index = index;
                self.autopilot = Some(config);
                wakes.keys([WatchKey::Autopilot]);
                CommandResult::Autopilot(true)
            }
            Command::ConfigEntry {
                op,
                kind,
                name,
                entry,
                cas,
            } => {
                let done = self
                    .config_entries
                    .apply(index, *op, kind, name, entry, *cas);
                if done {
                    wakes.keys([WatchKey::ConfigEntries]);
                }
                CommandResult::ConfigEntry(done)
            }
            Command::Acl(op) => {
                let result = self.acl.apply(index, op);
                if result.is_ok() {
                    wakes.keys([WatchKey::Acl]);
                }
                CommandResult::Acl(result)
            }
            Command::SessionDestroy { id } => {
                self.queries.session_gone(index, id);
                if let Some(keys) =
                    session::destroy(&mut self.sessions, &mut self.kv, index, time_ms, id)
                {
                    wakes.keys([WatchKey::Sessions, WatchKey::PreparedQueries]);
                    wakes.kv(keys);
                }
                CommandResult::Session(Ok(()))
            }
        }
    }

    /// After a catalog change on `node`: invalidates the sessions on it that can no longer
    /// stand (the node is gone, or a check they are tied to is gone or critical), in the same
    /// apply, and wakes everyone the changes concern.
    fn after_catalog_change(
        &mut self,
        index: u64,
        time_ms: u64,
        node: &str,
        touched: Touched,
        wakes: &mut Wakes,
    ) {
        wakes.keys(touched.keys);
        let doomed = self.sessions.invalid_on(node, &self.catalog);
        if doomed.is_empty() {
            return;
        }
        for id in &doomed {
            self.queries.session_gone(index, id);
            let released = session::destroy(&mut self.sessions, &mut self.kv, index, time_ms, id);
            wakes.kv(released.unwrap_or_default());
        }
        wakes.keys([WatchKey::Sessions, WatchKey::PreparedQueries]);
    }

    /// A user's restore (`PUT /v1/snapshot`) applied at `index`: the snapshot's state becomes
    /// the state, and this entry's index, and every later one, is moved past the snapshot's.
    fn restore_at(&mut self, index: u64, data: &[u8]) -> Result<(), StateError> {
        let mut tables = Store::decode(data)?;
        let new_index = index.max(tables.index.saturating_add(1));
        tables.index_offset = self.index_offset + (new_index - index);
        tables.index = new_index;
        tables.restores = self.restores + 1;
        *self = tables;
        Ok(())
    }
}
