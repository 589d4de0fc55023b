//! Which commands may share a Raft entry. Every command of an entry gets the entry's index, and
//! the state machine applies an entry as one change (readers see all of it or none), so two
//! writes to one key in one entry are only a problem when a caller was shown the first one's
//! result: `/v1/txn` answers with the entries it wrote and their `ModifyIndex`. If a later
//! command of the same entry changed such a key again, it would carry the same index, and a
//! check-and-set at that index would succeed over a write the caller never saw. So the batcher
//! closes a batch before any command that could change a key a shown result already covers.

use std::collections::HashSet;

use crate::agent::state::{Command, KvVerb};

/// The KV keys whose state callers of the batch so far will be shown.
#[derive(Default)]
pub(super) struct Footprint {
    keys: HashSet<String>,
    /// A shown result covered a whole prefix (a tree read or delete).
    tree: bool,
}

/// The KV keys a command may change.
enum Changes<'a> {
    None,
    Keys(Vec<&'a str>),
    /// Unknown or many keys: a tree delete, a session's locks released, a restore.
    Any,
}

impl Footprint {
    /// Whether `cmd` may join the batch; when it may, what it shows is recorded. `shown`: its
    /// caller shows the entries it produces to a client.
    pub(super) fn admit(&mut self, cmd: &Command, shown: bool) -> bool {
        if self.tree || !self.keys.is_empty() {
            let clash = match changes(cmd) {
                Changes::None => false,
                Changes::Keys(keys) => {
                    !keys.is_empty() && (self.tree || keys.iter().any(|k| self.keys.contains(*k)))
                }
                Changes::Any => true,
            };
            if clash {
                return false;
            }
        }
        if shown {
            if let Command::KvTxn(ops) = cmd {
                for op in ops {
                    if matches!(op.verb, KvVerb::GetTree | KvVerb::DeleteTree) {
                        self.tree = true;
                    } else {
                        self.keys.insert(op.key.clone());
                    }
                }
            }
        }
        true
    }
}

fn changes(cmd: &Command) -> Changes<'_> {
    match cmd {
        Command::KvTxn(ops) => {
            let mut keys = Vec::new();
            for op in ops {
                match op.verb {
                    KvVerb::DeleteTree => return Changes::Any,
                    KvVerb::Set
                    | KvVerb::Cas
                    | KvVerb::Lock
                    | KvVerb::Unlock
                    | KvVerb::Delete
                    | KvVerb::DeleteCas => keys.push(op.key.as_str()),
                    KvVerb::Get
                    | KvVerb::GetOrEmpty
                    | KvVerb::GetTree
                    | KvVerb::CheckIndex
                    | KvVerb::CheckSession
                    | KvVerb::CheckNotExists => {}
                }
            }
            Changes::Keys(keys)
        }
        // A session destroyed, or one invalidated by a catalog change, releases or deletes
        // the keys it held; a restore replaces everything.
        Command::SessionDestroy { .. }
        | Command::CatalogRegister(_)
        | Command::CatalogDeregister { .. }
        | Command::Restore(_) => Changes::Any,
        Command::KvReapTombstones { .. }
        | Command::SessionCreate(_)
        | Command::PreparedQuery { .. }
        | Command::CoordinateBatchUpdate(_)
        | Command::AutopilotSetConfig { .. }
        | Command::ConfigEntry { .. }
        | Command::Acl(_) => Changes::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::state::KvOp;

    fn op(verb: KvVerb, key: &str) -> KvOp {
        KvOp {
            verb,
            key: key.into(),
            value: b"v".to_vec(),
            flags: 0,
            index: 0,
            session: None,
        }
    }

    fn txn(ops: &[(KvVerb, &str)]) -> Command {
        Command::KvTxn(ops.iter().map(|(v, k)| op(*v, k)).collect())
    }

    #[test]
    fn unshown_writes_to_one_key_share_a_batch() {
        let mut f = Footprint::default();
        assert!(f.admit(&txn(&[(KvVerb::Set, "k")]), false));
        assert!(f.admit(&txn(&[(KvVerb::Set, "k")]), false));
        assert!(f.admit(&Command::SessionDestroy { id: "s".into() }, false));
    }

    #[test]
    fn a_shown_key_is_not_changed_again_in_the_batch() {
        let mut f = Footprint::default();
        assert!(f.admit(&txn(&[(KvVerb::Set, "k")]), true));
        assert!(!f.admit(&txn(&[(KvVerb::Set, "k")]), false));
        assert!(!f.admit(&txn(&[(KvVerb::Get, "j"), (KvVerb::Delete, "k")]), true));
        assert!(!f.admit(&txn(&[(KvVerb::DeleteTree, "x/")]), false));
        assert!(!f.admit(&Command::SessionDestroy { id: "s".into() }, false));
        // Other keys, reads and commands that leave KV alone still join.
        assert!(f.admit(&txn(&[(KvVerb::Set, "j"), (KvVerb::Get, "k")]), false));
        assert!(f.admit(&Command::KvReapTombstones { index: 3 }, false));
    }

    #[test]
    fn a_shown_tree_closes_the_batch_to_any_kv_change() {
        let mut f = Footprint::default();
        assert!(f.admit(&txn(&[(KvVerb::GetTree, "a/")]), true));
        assert!(!f.admit(&txn(&[(KvVerb::Set, "b")]), false));
        assert!(f.admit(&txn(&[(KvVerb::Get, "b")]), false));
    }
}
