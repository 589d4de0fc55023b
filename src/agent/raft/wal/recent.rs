//! The newest entries of the log, kept decoded in memory.
//!
//! Every entry stays here until its write is durable (it cannot be read back before). After
//! that the newest ones stay, up to [`KEEP_BYTES`] of records, because they are the ones read
//! next: openraft hands each committed entry to the state machine by reading it from the log,
//! and a leader reads each new entry again to send it to every follower. Served from here, a
//! durable put costs no `pread` and no second decode.

use std::collections::BTreeMap;

use super::Pos;
use crate::agent::raft::types::Entry;

/// Durable entries kept beyond those not yet durable, in bytes of their records.
pub(crate) const KEEP_BYTES: u64 = 256 * 1024;

#[derive(Default)]
pub(crate) struct Recent {
    entries: BTreeMap<u64, Kept>,
    /// Sum of the kept records' lengths.
    bytes: u64,
}

struct Kept {
    pos: Pos,
    entry: Entry,
    durable: bool,
}

impl Recent {
    /// Keeps `entry`, just written at `pos` and not yet durable.
    pub(crate) fn insert(&mut self, index: u64, pos: Pos, entry: Entry) {
        let kept = Kept {
            pos,
            entry,
            durable: false,
        };
        self.bytes += u64::from(pos.len);
        if let Some(old) = self.entries.insert(index, kept) {
            self.bytes -= u64::from(old.pos.len);
        }
    }

    /// The entry at `index` if the one kept is the record at `pos`.
    pub(crate) fn get(&self, index: u64, pos: Pos) -> Option<&Entry> {
        self.entries
            .get(&index)
            .filter(|k| k.pos == pos)
            .map(|k| &k.entry)
    }

    /// Marks the entries of `list` durable (unless replaced meanwhile), then lets the oldest
    /// durable ones go while more than [`KEEP_BYTES`] are kept.
    pub(crate) fn durable(&mut self, list: &[(u64, Pos)]) {
        for (index, pos) in list {
            if let Some(k) = self.entries.get_mut(index).filter(|k| k.pos == *pos) {
                k.durable = true;
            }
        }
        while self.bytes > KEEP_BYTES {
            let Some(first) = self.entries.first_entry() else {
                break;
            };
            // Writes become durable in log order: a gap here is a write still in flight.
            if !first.get().durable {
                break;
            }
            self.bytes -= u64::from(first.remove().pos.len);
        }
    }

    /// Forgets the entries from `index` on (a truncation).
    pub(crate) fn cut_from(&mut self, index: u64) {
        let gone = self.entries.split_off(&index);
        self.forget(&gone);
    }

    /// Forgets the entries up to and including `index` (a purge).
    pub(crate) fn drop_through(&mut self, index: u64) {
        let keep = self.entries.split_off(&index.saturating_add(1));
        let gone = std::mem::replace(&mut self.entries, keep);
        self.forget(&gone);
    }

    /// Takes the records of `gone`, split off the kept ones, off the count.
    fn forget(&mut self, gone: &BTreeMap<u64, Kept>) {
        self.bytes -= gone.values().map(|k| u64::from(k.pos.len)).sum::<u64>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::raft::types::LogId;

    fn entry(index: u64) -> Entry {
        Entry {
            log_id: LogId::new(openraft::CommittedLeaderId::new(1, 1), index),
            payload: openraft::EntryPayload::Blank,
        }
    }

    fn pos(index: u64, len: u32) -> Pos {
        Pos {
            seq: 1,
            offset: index * 1_000_000,
            len,
        }
    }

    #[test]
    fn keeps_every_entry_until_durable_then_the_newest_within_the_budget() {
        let mut recent = Recent::default();
        let len = (KEEP_BYTES / 4) as u32;
        for i in 1..=8 {
            recent.insert(i, pos(i, len), entry(i));
        }
        // Nothing durable yet: all eight stay, over the budget.
        assert!((1..=8).all(|i| recent.get(i, pos(i, len)).is_some()));
        recent.durable(&[(1, pos(1, len)), (2, pos(2, len)), (3, pos(3, len))]);
        // 1-3 durable and the oldest: they go, 4-8 (not durable) stay.
        assert!((1..=3).all(|i| recent.get(i, pos(i, len)).is_none()));
        assert!((4..=8).all(|i| recent.get(i, pos(i, len)).is_some()));
        let all: Vec<(u64, Pos)> = (4..=8).map(|i| (i, pos(i, len))).collect();
        recent.durable(&all);
        // Within the budget again: the newest four.
        assert!(recent.get(4, pos(4, len)).is_none());
        assert!((5..=8).all(|i| recent.get(i, pos(i, len)).is_some()));
        assert_eq!(recent.bytes, 4 * u64::from(len));
    }

    #[test]
    fn a_replaced_entry_is_served_only_at_its_new_place() {
        let mut recent = Recent::default();
        recent.insert(5, pos(5, 100), entry(5));
        recent.insert(6, pos(6, 100), entry(6));
        recent.cut_from(6);
        assert!(recent.get(6, pos(6, 100)).is_none());
        let moved = Pos {
            seq: 2,
            offset: 0,
            len: 120,
        };
        recent.insert(6, moved, entry(6));
        assert!(recent.get(6, pos(6, 100)).is_none());
        assert!(recent.get(6, moved).is_some());
        // The old write's completion does not mark the new one durable.
        recent.durable(&[(6, pos(6, 100))]);
        assert!(!recent.entries[&6].durable);
        recent.drop_through(5);
        assert!(recent.get(5, pos(5, 100)).is_none());
        assert_eq!(recent.bytes, 120);
    }
}
