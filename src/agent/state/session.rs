//! The session table: who holds locks, on which node, tied to which health checks. A session
//! is created only on a registered node whose named checks exist and are not critical; it is
//! invalidated (`destroy`) when asked, when its node leaves the catalog, when one of its checks
//! goes critical or is removed, and (decided by the leader, `agent::sessions`) when its TTL
//! runs out. Invalidating releases or deletes the keys it holds and starts their lock delay.
//! Everything here is deterministic: the lock delay's end is computed from the time the leader
//! stamped on the log entry, never from this server's clock.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::kv::KvTable;
use crate::api::catalog::health;
use crate::api::session::{behavior, SessionEntry};

/// The longest lock delay applied, whatever a session asked for (Consul's `MaxLockDelay`).
pub const MAX_LOCK_DELAY: Duration = Duration::from_secs(60);

/// Why a session could not be created; the words are Consul's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SessionError {
    #[error("Missing node registration")]
    MissingNode,
    #[error("Missing check '{0}' registration")]
    MissingCheck(String),
    #[error("Check '{check}' is in {status} state")]
    CheckCritical { check: String, status: String },
    #[error("Invalid session behavior: {0}")]
    InvalidBehavior(String),
    #[error("Session {0:?} already exists")]
    Exists(String),
}

/// Every live session, by ID, with the index of the last change to the table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionTable {
    sessions: BTreeMap<String, SessionEntry>,
    index: u64,
    /// node → IDs of the sessions on it (rebuilt after a snapshot is read).
    #[serde(skip)]
    by_node: BTreeMap<String, BTreeSet<String>>,
}

impl SessionTable {
    pub fn get(&self, id: &str) -> Option<&SessionEntry> {
        self.sessions.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.sessions.contains_key(id)
    }

    /// Every session, in ID order.
    pub fn list(&self) -> impl Iterator<Item = &SessionEntry> {
        self.sessions.values()
    }

    /// The sessions of one node, in ID order.
    pub fn of_node(&self, node: &str) -> impl Iterator<Item = &SessionEntry> {
        self.by_node
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|id| self.sessions.get(id))
    }

    /// The index of the last session created or destroyed (what session reads report).
    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Adds `entry` (its ID chosen by the leader) at `index`, if its node and checks allow it.
    pub fn create(
        &mut self,
        index: u64,
        mut entry: SessionEntry,
        catalog: &Catalog,
    ) -> Result<(), SessionError> {
        match entry.behavior.as_str() {
            "" => entry.behavior = behavior::RELEASE.into(),
            behavior::RELEASE | behavior::DELETE => {}
            other => return Err(SessionError::InvalidBehavior(other.into())),
        }
        if self.sessions.contains_key(&entry.id) {
            return Err(SessionError::Exists(entry.id));
        }
        if catalog.node(&entry.node).is_none() {
            return Err(SessionError::MissingNode);
        }
        for id in entry.check_ids() {
            match catalog.check(&entry.node, id) {
                None => return Err(SessionError::MissingCheck(id.into())),
                Some(c) if c.status == health::CRITICAL => {
                    return Err(SessionError::CheckCritical {
                        check: id.into(),
                        status: c.status.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        entry.create_index = index;
        entry.modify_index = index;
        self.by_node
            .entry(entry.node.clone())
            .or_default()
            .insert(entry.id.clone());
        self.sessions.insert(entry.id.clone(), entry);
        self.index = index;
        Ok(())
    }

    /// Removes a session at `index`; `None` when there was none.
    fn remove(&mut self, index: u64, id: &str) -> Option<SessionEntry> {
        let gone = self.sessions.remove(id)?;
        if let Some(ids) = self.by_node.get_mut(&gone.node) {
            ids.remove(id);
            if ids.is_empty() {
                self.by_node.remove(&gone.node);
            }
        }
        self.index = index;
        Some(gone)
    }

    /// The sessions of `node` that can no longer stand: the node left the catalog, or a check
    /// they are tied to is gone or critical.
    pub fn invalid_on(&self, node: &str, catalog: &Catalog) -> Vec<String> {
        let node_exists = catalog.node(node).is_some();
        self.of_node(node)
            .filter(|s| {
                !node_exists
                    || s.check_ids().any(|c| {
                        catalog
                            .check(node, c)
                            .is_none_or(|c| c.status == health::CRITICAL)
                    })
            })
            .map(|s| s.id.clone())
            .collect()
    }

    /// Rebuilds the node lookup after the table was read from a snapshot.
    pub fn rebuild(&mut self) {
        self.by_node.clear();
        for s in self.sessions.values() {
            self.by_node
                .entry(s.node.clone())
                .or_default()
                .insert(s.id.clone());
        }
    }
}

/// Invalidates session `id` at `index`: removes it and releases (or, for `delete` sessions,
/// deletes) the keys it holds, each of which then refuses new locks until the lock delay,
/// counted from `time_ms` (the leader's clock on the log entry), has passed. Returns the KV
/// keys that changed; nothing when there was no such session.
pub fn destroy(
    sessions: &mut SessionTable,
    kv: &mut KvTable,
    index: u64,
    time_ms: u64,
    id: &str,
) -> Option<Vec<String>> {
    let gone = sessions.remove(index, id)?;
    let delay = gone.lock_delay().min(MAX_LOCK_DELAY);
    let delay_until = (!delay.is_zero())
        .then(|| time_ms.saturating_add(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)));
    let delete = gone.behavior == behavior::DELETE;
    Some(kv.release_session(index, time_ms, id, delete, delay_until))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::catalog::{CatalogRegistration, HealthCheck};

    fn catalog_with(node: &str, check_status: &str) -> Catalog {
        let mut c = Catalog::default();
        let reg = CatalogRegistration {
            node: node.into(),
            address: "10.0.0.1".into(),
            checks: vec![HealthCheck {
                node: node.into(),
                check_id: "serfHealth".into(),
                name: "Serf Health Status".into(),
                status: check_status.into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        c.register(1, &reg).unwrap();
        c
    }

    fn session(id: &str, node: &str) -> SessionEntry {
        SessionEntry {
            id: id.into(),
            node: node.into(),
            node_checks: Some(vec!["serfHealth".into()]),
            ..Default::default()
        }
    }

    #[test]
    fn create_checks_node_and_checks() {
        let c = catalog_with("n1", health::PASSING);
        let mut t = SessionTable::default();
        assert_eq!(
            t.create(2, session("a", "nope"), &c),
            Err(SessionError::MissingNode)
        );
        let mut bad = session("a", "n1");
        bad.node_checks = Some(vec!["missing".into()]);
        assert_eq!(
            t.create(2, bad, &c),
            Err(SessionError::MissingCheck("missing".into()))
        );
        t.create(3, session("a", "n1"), &c).unwrap();
        let s = t.get("a").unwrap();
        assert_eq!((s.create_index, s.behavior.as_str()), (3, "release"));
        assert_eq!(t.of_node("n1").count(), 1);
        assert_eq!(t.index(), 3);

        let critical = catalog_with("n1", health::CRITICAL);
        assert_eq!(
            t.create(4, session("b", "n1"), &critical),
            Err(SessionError::CheckCritical {
                check: "serfHealth".into(),
                status: "critical".into()
            })
        );
        assert_eq!(t.invalid_on("n1", &critical), vec!["a".to_string()]);
        assert_eq!(t.invalid_on("n1", &c), Vec::<String>::new());
        assert_eq!(
            t.invalid_on("n1", &Catalog::default()),
            vec!["a".to_string()]
        );
    }

    #[test]
    fn a_session_without_checks_survives_its_checks() {
        let c = catalog_with("n1", health::PASSING);
        let mut t = SessionTable::default();
        let mut s = session("a", "n1");
        s.node_checks = Some(Vec::new());
        t.create(2, s, &c).unwrap();
        let critical = catalog_with("n1", health::CRITICAL);
        assert!(t.invalid_on("n1", &critical).is_empty());
    }
}
