//! Shared answers for list reads. When one change wakes a thousand blocking queries on the same
//! service, they all ask the same question of the same state: the first one reads and serialises
//! the answer, the others reuse its bytes. An answer is only reused for the exact state version
//! it was computed from (snapshot restores and Raft index), so it is never stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;

/// How many distinct questions are remembered; past that, answers from older states go first.
const MAX_SLOTS: usize = 256;

/// A serialised answer and the index it reflects (`X-Consul-Index`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub body: Bytes,
    pub index: u64,
    /// Whether ACLs hid part of it from the caller it was computed for.
    pub filtered: bool,
}

struct Slot {
    version: (u64, u64, u64),
    answer: OnceLock<Answer>,
}

/// The most recent answer to each question.
#[derive(Default)]
pub struct Answers {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

impl Answers {
    /// The answer to `question` at state `version`: computed by `compute` once, however many
    /// callers ask at the same time. Call while holding the read view `version` came from.
    pub fn get_or_compute(
        &self,
        question: &str,
        version: (u64, u64, u64),
        compute: impl FnOnce() -> Answer,
    ) -> Answer {
        let Some(slot) = self.slot(question, version) else {
            // A read of an older state than the remembered answer: answer it without caching.
            return compute();
        };
        slot.answer.get_or_init(compute).clone()
    }

    /// The slot for `question` at `version`, replacing an older one; `None` if a newer one is
    /// already there.
    fn slot(&self, question: &str, version: (u64, u64, u64)) -> Option<Arc<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.get(question) {
            if slot.version == version {
                return Some(slot.clone());
            }
            if slot.version > version {
                return None;
            }
        }
        if slots.len() >= MAX_SLOTS && !slots.contains_key(question) {
            slots.retain(|_, s| s.version >= version);
            if slots.len() >= MAX_SLOTS {
                slots.clear();
            }
        }
        let slot = Arc::new(Slot {
            version,
            answer: OnceLock::new(),
        });
        slots.insert(question.to_owned(), slot.clone());
        Some(slot)
    }

    /// How many answers are remembered (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn answer(s: &'static str, index: u64) -> Answer {
        Answer {
            filtered: false,
            body: Bytes::from_static(s.as_bytes()),
            index,
        }
    }

    #[test]
    fn same_question_and_version_computes_once() {
        let a = Answers::default();
        let calls = Cell::new(0);
        for _ in 0..3 {
            let got = a.get_or_compute("q", (0, 7, 0), || {
                calls.set(calls.get() + 1);
                answer("x", 7)
            });
            assert_eq!(got.body, "x");
        }
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn a_new_version_recomputes_and_an_older_one_is_not_cached() {
        let a = Answers::default();
        a.get_or_compute("q", (0, 7, 0), || answer("old", 7));
        let new = a.get_or_compute("q", (0, 8, 0), || answer("new", 8));
        assert_eq!(new.body, "new");
        let late = a.get_or_compute("q", (0, 7, 0), || answer("late", 7));
        assert_eq!(late.body, "late", "an older read computes its own answer");
        let again = a.get_or_compute("q", (0, 8, 0), || answer("unused", 8));
        assert_eq!(again.body, "new", "the newer answer stays");
        let restored = a.get_or_compute("q", (1, 3, 0), || answer("restored", 3));
        assert_eq!(restored.body, "restored", "a restore outranks any index");
    }

    #[test]
    fn questions_are_bounded() {
        let a = Answers::default();
        for i in 0..MAX_SLOTS + 10 {
            a.get_or_compute(&format!("q{i}"), (0, i as u64, 0), || answer("x", 1));
        }
        assert!(a.len() <= MAX_SLOTS);
        assert!(a.len() > 0);
    }
}
