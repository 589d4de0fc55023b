//! Precise wake-ups for blocking queries. A query subscribes to one key or one prefix before
//! reading; a change to key `k` wakes the watchers of `k` itself and of every prefix of `k`, and
//! nobody else. No table-wide fallback: a write under `a/` never wakes a watcher of `b/`.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

/// What a blocking query watches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WatchKey {
    /// Exactly this KV key.
    Key(String),
    /// Every KV key starting with this prefix (`""` is the whole table).
    Prefix(String),
    /// Everything shown about the instances of one service name: the instances, their
    /// checks, their nodes and those nodes' own checks.
    Service(String),
    /// One catalog node: its fields, services and checks.
    Node(String),
    /// The list of nodes.
    Nodes,
    /// The list of service names and their tags.
    Services,
    /// Any health check.
    Checks,
    /// Anything in the catalog (the UI's service summaries and node dump).
    Catalog,
    /// Any session created or destroyed.
    Sessions,
    /// Any prepared query created, changed or deleted.
    PreparedQueries,
    /// Any network coordinate.
    Coordinates,
    /// Autopilot's settings.
    Autopilot,
    /// Any config entry.
    ConfigEntries,
    /// Any ACL token, policy or role.
    Acl,
}

/// The registry of watched keys and prefixes. A sender lives only while someone listens.
#[derive(Default)]
pub struct Watches {
    slots: Mutex<HashMap<WatchKey, watch::Sender<u64>>>,
}

impl Watches {
    /// Returns a receiver that changes when something under `what` changes. Subscribe before
    /// reading the state, so a change between the read and the wait is not missed.
    pub fn subscribe(&self, what: WatchKey) -> watch::Receiver<u64> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .entry(what)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Wakes the watchers of each changed key and of all their prefixes.
    pub fn notify<'a>(&self, index: u64, changed: impl IntoIterator<Item = &'a str>) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.is_empty() {
            return;
        }
        let mut woken = Vec::new();
        let mut probe = WatchKey::Key(String::new());
        for key in changed {
            set_key(&mut probe, key, true);
            wake(&mut slots, &probe, &mut woken);
            for (boundary, _) in key.char_indices().chain(std::iter::once((key.len(), ' '))) {
                set_key(&mut probe, &key[..boundary], false);
                wake(&mut slots, &probe, &mut woken);
            }
        }
        deliver(woken, index);
    }

    /// Wakes the watchers of exactly these keys (catalog keys have no prefixes).
    pub fn notify_keys<'a>(&self, index: u64, keys: impl IntoIterator<Item = &'a WatchKey>) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.is_empty() {
            return;
        }
        let mut woken = Vec::new();
        for key in keys {
            wake(&mut slots, key, &mut woken);
        }
        deliver(woken, index);
    }

    /// Wakes everyone (the whole state was replaced, e.g. by a snapshot install).
    pub fn notify_all(&self, index: u64) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.retain(|_, tx| tx.receiver_count() > 0);
        deliver(slots.values().cloned().collect(), index);
    }

    /// How many keys and prefixes are being watched (for stats and tests).
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reuses `probe`'s allocation for the next lookup.
fn set_key(probe: &mut WatchKey, key: &str, exact: bool) {
    let mut s = match std::mem::replace(probe, WatchKey::Key(String::new())) {
        WatchKey::Key(s) | WatchKey::Prefix(s) | WatchKey::Service(s) | WatchKey::Node(s) => s,
        WatchKey::Nodes
        | WatchKey::Services
        | WatchKey::Checks
        | WatchKey::Catalog
        | WatchKey::Sessions
        | WatchKey::PreparedQueries
        | WatchKey::Coordinates
        | WatchKey::Autopilot
        | WatchKey::ConfigEntries
        | WatchKey::Acl => String::new(),
    };
    s.clear();
    s.push_str(key);
    *probe = if exact {
        WatchKey::Key(s)
    } else {
        WatchKey::Prefix(s)
    };
}

/// Adds the sender of `probe`'s watchers to `woken`; forgets it if nobody listens any more.
fn wake(
    slots: &mut HashMap<WatchKey, watch::Sender<u64>>,
    probe: &WatchKey,
    woken: &mut Vec<watch::Sender<u64>>,
) {
    if let Some(tx) = slots.get(probe) {
        if tx.receiver_count() == 0 {
            slots.remove(probe);
        } else {
            woken.push(tx.clone());
        }
    }
}

/// Sends `index` to the watchers of `woken`. In a Tokio runtime that happens one scheduling
/// round later, in a task of its own that first yields: the write that made the change then
/// reaches its acknowledgement (Raft core, write batcher, the writer's connection) before a
/// thousand woken watchers are queued ahead of it; the watchers wait a few microseconds more
/// instead of the writer waiting for all of them. Outside a runtime, at once.
fn deliver(woken: Vec<watch::Sender<u64>>, index: u64) {
    if woken.is_empty() {
        return;
    }
    let send = move || {
        for tx in woken {
            tx.send_replace(index);
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(async move {
                tokio::task::yield_now().await;
                send();
            });
        }
        Err(_) => send(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_exact_and_prefix_watchers_only() {
        let w = Watches::default();
        let key = w.subscribe(WatchKey::Key("a/b".into()));
        let parent = w.subscribe(WatchKey::Prefix("a/".into()));
        let all = w.subscribe(WatchKey::Prefix(String::new()));
        let other = w.subscribe(WatchKey::Prefix("b/".into()));
        let child_key = w.subscribe(WatchKey::Key("a".into()));
        w.notify(9, ["a/b"]);
        assert!(key.has_changed().unwrap());
        assert!(parent.has_changed().unwrap());
        assert!(all.has_changed().unwrap());
        assert!(!other.has_changed().unwrap());
        assert!(
            !child_key.has_changed().unwrap(),
            "an exact watch on `a` ignores `a/b`"
        );
        assert_eq!(*parent.borrow(), 9);
    }

    #[test]
    fn dropped_watchers_are_collected() {
        let w = Watches::default();
        drop(w.subscribe(WatchKey::Key("x".into())));
        assert_eq!(w.len(), 1);
        w.notify(2, ["x"]);
        assert_eq!(w.len(), 0);
    }
}
