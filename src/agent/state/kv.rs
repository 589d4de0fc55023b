//! The KV table: entries, tombstones for deleted keys (so a prefix's index never goes backwards),
//! locks held by sessions and their lock delays, and atomic application of KV transactions with
//! Consul's verb semantics.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use super::command::{KvOp, KvOpError, KvOpResult, KvVerb};
use super::session::SessionTable;
use crate::api::KVPair;

/// Pending writes of a transaction: `None` deletes the key.
type Writes = HashMap<String, Option<KvEntry>>;

/// A successful transaction: one result per operation and the keys it changed.
pub type TxnApplied = (Vec<KvOpResult>, Vec<String>);

/// One stored key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvEntry {
    pub create_index: u64,
    pub modify_index: u64,
    pub lock_index: u64,
    pub flags: u64,
    #[serde(with = "serde_bytes")]
    pub value: Vec<u8>,
    pub session: Option<String>,
}

impl KvEntry {
    /// The wire form; `with_value` is false for write results, as Consul leaves `Value` null there.
    pub fn to_pair(&self, key: &str, with_value: bool) -> KVPair {
        KVPair {
            key: key.to_string(),
            create_index: self.create_index,
            modify_index: self.modify_index,
            lock_index: self.lock_index,
            flags: self.flags,
            value: (with_value && !self.value.is_empty()).then(|| self.value.clone()),
            session: self.session.clone(),
        }
    }
}

/// All keys, plus the index at which each deleted key went away.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvTable {
    entries: BTreeMap<String, KvEntry>,
    tombstones: BTreeMap<String, u64>,
    /// The highest index at which anything in the table changed.
    index: u64,
    /// key → until when (ms since the Unix epoch, the leader's clock) it refuses new locks,
    /// after the session holding it was invalidated.
    #[serde(default)]
    lock_delays: BTreeMap<String, u64>,
    /// session → the keys it holds (rebuilt after a snapshot is read).
    #[serde(skip)]
    held: HashMap<String, BTreeSet<String>>,
}

/// Iterates the `(key, value)` pairs of `map` whose key starts with `prefix`.
fn under_prefix<'a, V>(
    map: &'a BTreeMap<String, V>,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a String, &'a V)> {
    map.range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        .take_while(move |(k, _)| k.starts_with(prefix))
}

impl KvTable {
    pub fn get(&self, key: &str) -> Option<&KvEntry> {
        self.entries.get(key)
    }

    /// Every entry whose key starts with `prefix`, in key order.
    pub fn list<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a String, &'a KvEntry)> {
        under_prefix(&self.entries, prefix)
    }

    /// Keys under `prefix`, rolled up at the first `separator` after the prefix (`?keys&separator=/`).
    pub fn keys(&self, prefix: &str, separator: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (key, _) in self.list(prefix) {
            let rest = &key[prefix.len()..];
            let item = match (separator.is_empty(), rest.find(separator)) {
                (false, Some(pos)) => &key[..prefix.len() + pos + separator.len()],
                _ => key.as_str(),
            };
            if out.last().map(String::as_str) != Some(item) {
                out.push(item.to_string());
            }
        }
        out
    }

    /// The index a blocking query on one key reports: the key's ModifyIndex, else when it was
    /// deleted, else the table's index.
    pub fn key_index(&self, key: &str) -> u64 {
        self.entries
            .get(key)
            .map(|e| e.modify_index)
            .or_else(|| self.tombstones.get(key).copied())
            .unwrap_or(self.index)
    }

    /// The index a blocking query on a prefix reports: the newest change under it (including
    /// deletions), else the table's index.
    pub fn prefix_index(&self, prefix: &str) -> u64 {
        let live = self.list(prefix).map(|(_, e)| e.modify_index).max();
        let dead = under_prefix(&self.tombstones, prefix)
            .map(|(_, i)| *i)
            .max();
        match live.max(dead) {
            Some(i) => i,
            None => self.index,
        }
    }

    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether any tombstone is at or below `index` (so reaping would do something).
    pub fn has_tombstones_upto(&self, index: u64) -> bool {
        self.tombstones.values().any(|i| *i <= index)
    }

    /// Drops tombstones at or below `index` (they only keep prefix indexes monotonic).
    pub fn reap_tombstones(&mut self, index: u64) -> usize {
        let before = self.tombstones.len();
        self.tombstones.retain(|_, i| *i > index);
        before - self.tombstones.len()
    }

    /// Evaluates `ops` without changing anything: for read-only transactions.
    pub fn read_txn(
        &self,
        index: u64,
        ops: &[KvOp],
        sessions: &SessionTable,
    ) -> Result<Vec<KvOpResult>, Vec<KvOpError>> {
        self.evaluate(index, 0, ops, sessions)
            .map(|(results, _)| results)
    }

    /// The keys `session` holds.
    pub fn held_by(&self, session: &str) -> impl Iterator<Item = &String> {
        self.held.get(session).into_iter().flatten()
    }

    /// Until when (ms since the epoch) `key` refuses new locks, if a delay was ever set.
    pub fn lock_delay(&self, key: &str) -> Option<u64> {
        self.lock_delays.get(key).copied()
    }

    /// Releases (or, with `delete`, deletes) every key `session` holds, at `index`; with
    /// `delay_until`, each refuses new locks until then. Delays already over at `time_ms` are
    /// forgotten. Returns the keys that changed.
    pub fn release_session(
        &mut self,
        index: u64,
        time_ms: u64,
        session: &str,
        delete: bool,
        delay_until: Option<u64>,
    ) -> Vec<String> {
        self.lock_delays.retain(|_, until| *until > time_ms);
        let keys: Vec<String> = self
            .held
            .remove(session)
            .map(|k| k.into_iter().collect())
            .unwrap_or_default();
        for key in &keys {
            if delete {
                if self.entries.remove(key).is_some() {
                    self.tombstones.insert(key.clone(), index);
                }
            } else if let Some(e) = self.entries.get_mut(key) {
                e.session = None;
                e.modify_index = index;
            }
            if let Some(until) = delay_until {
                self.lock_delays.insert(key.clone(), until);
            }
        }
        if !keys.is_empty() {
            self.index = index;
        }
        keys
    }

    /// Rebuilds the lock holders' lookup after the table was read from a snapshot.
    pub fn rebuild(&mut self) {
        self.held.clear();
        for (key, e) in &self.entries {
            if let Some(s) = &e.session {
                self.held.entry(s.clone()).or_default().insert(key.clone());
            }
        }
    }

    /// Records that `key` is now held by `new` instead of `old`.
    fn move_lock(&mut self, key: &str, old: Option<&str>, new: Option<&str>) {
        if old == new {
            return;
        }
        if let Some(old) = old {
            if let Some(keys) = self.held.get_mut(old) {
                keys.remove(key);
                if keys.is_empty() {
                    self.held.remove(old);
                }
            }
        }
        if let Some(new) = new {
            self.held
                .entry(new.to_string())
                .or_default()
                .insert(key.to_string());
        }
    }

    /// Runs `ops` against an overlay of this table: the results and the writes to commit, or
    /// every operation's error.
    fn evaluate(
        &self,
        index: u64,
        time_ms: u64,
        ops: &[KvOp],
        sessions: &SessionTable,
    ) -> Result<(Vec<KvOpResult>, Writes), Vec<KvOpError>> {
        let mut txn = Overlay {
            base: self,
            sessions,
            time_ms,
            writes: HashMap::new(),
        };
        let mut results = Vec::with_capacity(ops.len());
        let mut errors = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match txn.apply(index, op) {
                Ok(r) => results.push(r),
                Err((what, unmet_condition)) => errors.push(KvOpError {
                    op_index: i,
                    what,
                    unmet_condition,
                }),
            }
        }
        if errors.is_empty() {
            Ok((results, txn.writes))
        } else {
            Err(errors)
        }
    }

    /// Applies `ops` atomically at `index` (`time_ms`: the leader's clock on the log entry, for
    /// lock delays): all succeed, or nothing changes and the errors say which operations
    /// failed. On success returns the results and the keys that changed.
    pub fn apply_txn(
        &mut self,
        index: u64,
        time_ms: u64,
        ops: &[KvOp],
        sessions: &SessionTable,
    ) -> Result<TxnApplied, Vec<KvOpError>> {
        let (results, writes) = self.evaluate(index, time_ms, ops, sessions)?;
        let mut changed = Vec::with_capacity(writes.len());
        for (key, entry) in writes {
            let old_session = self.entries.get(&key).and_then(|e| e.session.clone());
            match entry {
                Some(e) => {
                    self.move_lock(&key, old_session.as_deref(), e.session.as_deref());
                    self.tombstones.remove(&key);
                    self.entries.insert(key.clone(), e);
                }
                None => {
                    self.move_lock(&key, old_session.as_deref(), None);
                    if self.entries.remove(&key).is_some() {
                        self.tombstones.insert(key.clone(), index);
                    }
                }
            }
            changed.push(key);
        }
        if !changed.is_empty() {
            self.index = index;
        }
        Ok((results, changed))
    }
}

/// The session a `lock` or `unlock` names; its absence is an invalid request.
fn session_of(op: &KvOp) -> Result<&str, (String, bool)> {
    match op.session.as_deref() {
        None | Some("") => Err(("missing session".into(), false)),
        Some(s) => Ok(s),
    }
}

/// A transaction in progress: reads see its own earlier writes; nothing reaches the table
/// until every operation has succeeded.
struct Overlay<'a> {
    base: &'a KvTable,
    sessions: &'a SessionTable,
    time_ms: u64,
    writes: Writes,
}

impl Overlay<'_> {
    fn get(&self, key: &str) -> Option<KvEntry> {
        match self.writes.get(key) {
            Some(w) => w.clone(),
            None => self.base.get(key).cloned(),
        }
    }

    /// Live keys under `prefix`, merging the table with this transaction's writes.
    fn keys_under(&self, prefix: &str) -> Vec<String> {
        let mut keys: Vec<String> = self.base.list(prefix).map(|(k, _)| k.clone()).collect();
        keys.extend(
            self.writes
                .keys()
                .filter(|k| k.starts_with(prefix))
                .cloned(),
        );
        keys.sort();
        keys.dedup();
        keys.retain(|k| self.get(k).is_some());
        keys
    }

    /// `set` and `cas`: a new value; the lock holder and lock index stay.
    fn put(&mut self, index: u64, op: &KvOp, existing: Option<KvEntry>) -> KvOpResult {
        let lock_index = existing.as_ref().map_or(0, |e| e.lock_index);
        let holder = existing.as_ref().and_then(|e| e.session.clone());
        self.write(index, op, existing, lock_index, holder.as_deref())
    }

    /// `lock` (`?acquire=`): takes the key for the session if nobody holds it and its lock
    /// delay is over; the session that already holds it may update it.
    fn lock(
        &mut self,
        index: u64,
        op: &KvOp,
        existing: Option<KvEntry>,
    ) -> Result<KvOpResult, (String, bool)> {
        let session = session_of(op)?;
        if !self.sessions.contains(session) {
            return Err((format!("invalid session {session:?}"), false));
        }
        let lock_index = match &existing {
            Some(e) if e.session.as_deref() == Some(session) => e.lock_index,
            Some(e) if e.session.is_some() => {
                return Err((
                    format!("failed to lock key {:?}, lock is already held", op.key),
                    true,
                ))
            }
            Some(e) => e.lock_index + 1,
            None => 1,
        };
        if self
            .base
            .lock_delay(&op.key)
            .is_some_and(|until| until > self.time_ms)
        {
            return Err((
                format!(
                    "failed to lock key {:?}, it is in its lock delay after the session holding it was invalidated",
                    op.key
                ),
                true,
            ));
        }
        Ok(self.write(index, op, existing, lock_index, Some(session)))
    }

    /// `unlock` (`?release=`): gives the key up, if this session holds it.
    fn unlock(
        &mut self,
        index: u64,
        op: &KvOp,
        existing: Option<KvEntry>,
    ) -> Result<KvOpResult, (String, bool)> {
        let session = session_of(op)?;
        match &existing {
            Some(e) if e.session.as_deref() == Some(session) => {
                let lock_index = e.lock_index;
                Ok(self.write(index, op, existing, lock_index, None))
            }
            _ => Err((
                format!(
                    "failed to unlock key {:?}, lock isn't held, or is held by another session",
                    op.key
                ),
                true,
            )),
        }
    }

    /// Writes the value of `op` with the lock state given (lock and unlock set it; a plain set
    /// keeps the holder).
    fn write(
        &mut self,
        index: u64,
        op: &KvOp,
        existing: Option<KvEntry>,
        lock_index: u64,
        session: Option<&str>,
    ) -> KvOpResult {
        let entry = KvEntry {
            create_index: existing.as_ref().map_or(index, |e| e.create_index),
            modify_index: index,
            lock_index,
            flags: op.flags,
            value: op.value.clone(),
            session: session.map(str::to_string),
        };
        let result = KvOpResult {
            entries: vec![entry.to_pair(&op.key, false)],
        };
        self.writes.insert(op.key.clone(), Some(entry));
        result
    }

    /// Applies one operation; an error carries Consul's message and whether it was an unmet
    /// condition (`true`) rather than an invalid request.
    fn apply(&mut self, index: u64, op: &KvOp) -> Result<KvOpResult, (String, bool)> {
        let none = KvOpResult {
            entries: Vec::new(),
        };
        let existing = self.get(&op.key);
        match op.verb {
            KvVerb::Set => Ok(self.put(index, op, existing)),
            KvVerb::Cas => {
                let ok = match (&existing, op.index) {
                    (None, 0) => true,
                    (Some(e), i) => i != 0 && e.modify_index == i,
                    (None, _) => false,
                };
                if !ok {
                    return Err((
                        format!("failed to set key {:?}, index is stale", op.key),
                        true,
                    ));
                }
                Ok(self.put(index, op, existing))
            }
            KvVerb::Lock => self.lock(index, op, existing),
            KvVerb::Unlock => self.unlock(index, op, existing),
            KvVerb::Get => match existing {
                Some(e) => Ok(KvOpResult {
                    entries: vec![e.to_pair(&op.key, true)],
                }),
                None => Err((format!("key {:?} doesn't exist", op.key), true)),
            },
            KvVerb::GetOrEmpty => {
                let pair = match existing {
                    Some(e) => e.to_pair(&op.key, true),
                    None => KVPair {
                        key: op.key.clone(),
                        flags: op.flags,
                        ..KVPair::default()
                    },
                };
                Ok(KvOpResult {
                    entries: vec![pair],
                })
            }
            KvVerb::GetTree => {
                let entries = self
                    .keys_under(&op.key)
                    .into_iter()
                    .filter_map(|k| self.get(&k).map(|e| e.to_pair(&k, true)))
                    .collect();
                Ok(KvOpResult { entries })
            }
            KvVerb::CheckIndex => match existing {
                Some(e) if e.modify_index == op.index => Ok(KvOpResult {
                    entries: vec![e.to_pair(&op.key, false)],
                }),
                Some(e) => Err((
                    format!(
                        "failed index check for key {:?}, current modify index {} != {}",
                        op.key, e.modify_index, op.index
                    ),
                    true,
                )),
                None => Err((
                    format!("failed to check index, key {:?} doesn't exist", op.key),
                    true,
                )),
            },
            KvVerb::CheckSession => match existing {
                Some(e) if e.session == op.session => Ok(KvOpResult {
                    entries: vec![e.to_pair(&op.key, false)],
                }),
                Some(e) => Err((
                    format!(
                        "failed session check for key {:?}, current session {:?} != {:?}",
                        op.key,
                        e.session.unwrap_or_default(),
                        op.session.clone().unwrap_or_default()
                    ),
                    true,
                )),
                None => Err((
                    format!("failed to check session, key {:?} doesn't exist", op.key),
                    true,
                )),
            },
            KvVerb::CheckNotExists => match existing {
                Some(_) => Err((format!("key {:?} exists", op.key), true)),
                None => Ok(none),
            },
            KvVerb::Delete => {
                if existing.is_some() {
                    self.writes.insert(op.key.clone(), None);
                }
                Ok(none)
            }
            KvVerb::DeleteTree => {
                for key in self.keys_under(&op.key) {
                    self.writes.insert(key, None);
                }
                Ok(none)
            }
            KvVerb::DeleteCas => match existing {
                Some(e) if e.modify_index == op.index => {
                    self.writes.insert(op.key.clone(), None);
                    Ok(none)
                }
                _ => Err((
                    format!("failed to delete key {:?}, index is stale", op.key),
                    true,
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl KvTable {
        /// A transaction with no sessions in play.
        fn plain(&mut self, index: u64, ops: &[KvOp]) -> Result<TxnApplied, Vec<KvOpError>> {
            self.apply_txn(index, 0, ops, &SessionTable::default())
        }
    }

    fn op(verb: KvVerb, key: &str, value: &str, index: u64) -> KvOp {
        KvOp {
            verb,
            key: key.into(),
            value: value.as_bytes().to_vec(),
            flags: 0,
            index,
            session: None,
        }
    }

    #[test]
    fn set_get_and_indexes() {
        let mut t = KvTable::default();
        t.plain(5, &[op(KvVerb::Set, "a/b", "1", 0)]).unwrap();
        t.plain(7, &[op(KvVerb::Set, "a/b", "2", 0)]).unwrap();
        let e = t.get("a/b").unwrap();
        assert_eq!(
            (e.create_index, e.modify_index, e.value.as_slice()),
            (5, 7, b"2".as_slice())
        );
        assert_eq!(t.key_index("a/b"), 7);
        assert_eq!(t.key_index("missing"), 7);
    }

    #[test]
    fn cas_semantics() {
        let mut t = KvTable::default();
        assert!(t.plain(3, &[op(KvVerb::Cas, "k", "v", 0)]).is_ok());
        assert!(
            t.plain(4, &[op(KvVerb::Cas, "k", "v", 0)]).is_err(),
            "cas=0 on an existing key fails"
        );
        assert!(
            t.plain(4, &[op(KvVerb::Cas, "k", "v", 2)]).is_err(),
            "stale index fails"
        );
        assert!(t.plain(4, &[op(KvVerb::Cas, "k", "w", 3)]).is_ok());
        assert_eq!(t.get("k").unwrap().value, b"w");
    }

    #[test]
    fn txn_is_atomic() {
        let mut t = KvTable::default();
        let err = t
            .plain(
                2,
                &[op(KvVerb::Set, "x", "1", 0), op(KvVerb::Get, "nope", "", 0)],
            )
            .unwrap_err();
        assert_eq!(
            err,
            vec![KvOpError {
                op_index: 1,
                what: "key \"nope\" doesn't exist".into(),
                unmet_condition: true
            }]
        );
        assert!(t.get("x").is_none(), "a failed txn writes nothing");
        assert_eq!(t.index(), 0);
    }

    #[test]
    fn txn_sees_its_own_writes() {
        let mut t = KvTable::default();
        let (res, _) = t
            .plain(
                2,
                &[
                    op(KvVerb::Set, "p/1", "a", 0),
                    op(KvVerb::GetTree, "p/", "", 0),
                ],
            )
            .unwrap();
        assert_eq!(res[1].entries.len(), 1);
        assert_eq!(res[1].entries[0].value.as_deref(), Some(b"a".as_slice()));
        assert_eq!(
            res[0].entries[0].value, None,
            "write results carry no value"
        );
    }

    #[test]
    fn delete_tree_leaves_tombstones_so_prefix_index_is_monotonic() {
        let mut t = KvTable::default();
        t.plain(
            2,
            &[
                op(KvVerb::Set, "p/1", "a", 0),
                op(KvVerb::Set, "p/2", "b", 0),
            ],
        )
        .unwrap();
        t.plain(3, &[op(KvVerb::Set, "q", "c", 0)]).unwrap();
        t.plain(4, &[op(KvVerb::Delete, "p/2", "", 0)]).unwrap();
        assert_eq!(t.prefix_index("p/"), 4);
        t.plain(5, &[op(KvVerb::DeleteTree, "p/", "", 0)]).unwrap();
        assert_eq!(t.list("p/").count(), 0);
        assert_eq!(t.prefix_index("p/"), 5);
        assert_eq!(t.get("q").unwrap().value, b"c");
        assert_eq!(t.reap_tombstones(4), 1);
    }

    #[test]
    fn keys_with_separator() {
        let mut t = KvTable::default();
        for k in ["web/a", "web/b/c", "web/b/d", "webx", "db/x"] {
            t.plain(2, &[op(KvVerb::Set, k, "", 0)]).unwrap();
        }
        assert_eq!(t.keys("web", "/"), ["web/", "webx"]);
        assert_eq!(t.keys("web/", "/"), ["web/a", "web/b/"]);
        assert_eq!(
            t.keys("", ""),
            ["db/x", "web/a", "web/b/c", "web/b/d", "webx"]
        );
    }

    #[test]
    fn delete_cas_and_checks() {
        let mut t = KvTable::default();
        t.plain(2, &[op(KvVerb::Set, "k", "v", 0)]).unwrap();
        assert!(t.plain(3, &[op(KvVerb::CheckIndex, "k", "", 2)]).is_ok());
        assert!(t
            .plain(3, &[op(KvVerb::CheckNotExists, "k", "", 0)])
            .is_err());
        assert!(t.plain(3, &[op(KvVerb::DeleteCas, "k", "", 9)]).is_err());
        assert!(t.plain(3, &[op(KvVerb::DeleteCas, "k", "", 2)]).is_ok());
        assert!(t.get("k").is_none());
    }
}
