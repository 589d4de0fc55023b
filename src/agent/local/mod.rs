//! The agent's local state: the services and checks registered on this agent (agent API and
//! config files). It is authoritative for this node; anti-entropy (`sync`) makes the catalog
//! match it. Every change wakes the sync loop. Must not import `http` or `raft`.
//!
//! Must not import: `agent::http`, `agent::raft` (checked by tests/architecture.rs).

pub mod persist;
pub mod reaper;
pub mod sync;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use tokio::sync::{watch, Notify};

use crate::api::catalog::{AgentService, HealthCheck};

/// Services and checks of this agent.
pub struct LocalState {
    inner: Mutex<Inner>,
    /// `check_update_interval`: how long a change of output alone may wait before it is synced
    /// (zero syncs every change at once).
    check_update_interval: Duration,
    /// Wakes anti-entropy after a change.
    pub changed: Notify,
    /// Counts changes, for the agent endpoints' hash-based blocking queries.
    version: watch::Sender<u64>,
    /// Held while a group of changes that belong together is made (a service and its checks,
    /// a reload): anti-entropy reads the state only between groups.
    batch: Mutex<()>,
}

impl Default for LocalState {
    fn default() -> LocalState {
        LocalState::new(Duration::ZERO)
    }
}

impl LocalState {
    pub fn new(check_update_interval: Duration) -> LocalState {
        LocalState {
            inner: Mutex::default(),
            check_update_interval,
            changed: Notify::new(),
            version: watch::channel(0).0,
            batch: Mutex::new(()),
        }
    }

    /// Holds anti-entropy off while the changes of one group are made: a sync never sees a
    /// service without the checks registered with it. Not re-entrant.
    pub fn batch(&self) -> MutexGuard<'_, ()> {
        self.batch.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default, Clone)]
struct Inner {
    services: BTreeMap<String, AgentService>,
    checks: BTreeMap<String, HealthCheck>,
    /// Checks whose output changed without their status: when their output may be synced.
    deferred: BTreeMap<String, Instant>,
}

/// What anti-entropy syncs in one pass.
#[derive(Debug, Clone, Default)]
pub struct SyncView {
    pub services: BTreeMap<String, AgentService>,
    pub checks: BTreeMap<String, HealthCheck>,
    /// Checks whose new output is not due yet: the catalog keeps its output for them.
    pub deferred: BTreeSet<String>,
    /// When the first deferred output comes due.
    pub next_due: Option<Instant>,
}

impl LocalState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes anti-entropy and the blocking queries on the local state.
    fn touch(&self) {
        self.changed.notify_one();
        self.version.send_modify(|v| *v += 1);
    }

    /// Changes when anything in the local state changes; subscribe before reading.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Adds or replaces a service.
    pub fn add_service(&self, service: AgentService) {
        self.lock().services.insert(service.id.clone(), service);
        self.touch();
    }

    /// Removes a service and its checks; returns the removed check IDs, or None when the
    /// service was unknown.
    pub fn remove_service(&self, id: &str) -> Option<Vec<String>> {
        let mut inner = self.lock();
        inner.services.remove(id)?;
        let checks: Vec<String> = inner
            .checks
            .values()
            .filter(|c| c.service_id == id)
            .map(|c| c.check_id.clone())
            .collect();
        for c in &checks {
            inner.checks.remove(c);
        }
        drop(inner);
        self.touch();
        Some(checks)
    }

    pub fn service(&self, id: &str) -> Option<AgentService> {
        self.lock().services.get(id).cloned()
    }

    pub fn services(&self) -> BTreeMap<String, AgentService> {
        self.lock().services.clone()
    }

    /// Adds or replaces a check (its service, if any, must exist: the caller checks).
    pub fn add_check(&self, check: HealthCheck) {
        self.lock().checks.insert(check.check_id.clone(), check);
        self.touch();
    }

    pub fn remove_check(&self, id: &str) -> bool {
        let removed = self.lock().checks.remove(id).is_some();
        if removed {
            self.touch();
        }
        removed
    }

    pub fn check(&self, id: &str) -> Option<HealthCheck> {
        self.lock().checks.get(id).cloned()
    }

    pub fn checks(&self) -> BTreeMap<String, HealthCheck> {
        self.lock().checks.clone()
    }

    /// Sets a check's status and output; false when the check is unknown. A new status is
    /// synced at once; a new output under the same status waits, as in Consul, between half
    /// and one and a half `check_update_interval`s (the agent's own API shows it at once).
    pub fn update_check(&self, id: &str, status: &str, output: &str) -> bool {
        let mut inner = self.lock();
        let Some(c) = inner.checks.get_mut(id) else {
            return false;
        };
        if c.status == status && c.output == output {
            return true;
        }
        // Only a change of output alone waits (Consul's check_update_interval), and not a
        // check's first output: a check registered a moment ago and then given its first
        // output (registrator's Docker health, a TTL's first note) shows it at once.
        let output_only = c.status == status && !c.output.is_empty();
        c.status = status.to_string();
        c.output = output.to_string();
        let interval = self.check_update_interval;
        if output_only && !interval.is_zero() {
            if !inner.deferred.contains_key(id) {
                let stagger = rand::rng().random_range(0..=interval.as_millis() as u64);
                let due = Instant::now() + interval / 2 + Duration::from_millis(stagger);
                inner.deferred.insert(id.to_string(), due);
                drop(inner);
                // The sync loop learns the new due time.
                self.touch();
            } else {
                drop(inner);
                self.version.send_modify(|v| *v += 1);
            }
            return true;
        }
        inner.deferred.remove(id);
        drop(inner);
        self.touch();
        true
    }

    /// What to sync now: the tables, minus the output changes not due yet (due ones are
    /// released).
    pub fn sync_view(&self) -> SyncView {
        let _group = self.batch();
        let mut inner = self.lock();
        let now = Instant::now();
        inner.deferred.retain(|_, due| *due > now);
        let Inner {
            services,
            checks,
            deferred,
        } = inner.clone();
        SyncView {
            services,
            checks,
            next_due: deferred.values().min().copied(),
            deferred: deferred.into_keys().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with_check(interval: Duration) -> LocalState {
        let l = LocalState::new(interval);
        l.add_check(HealthCheck {
            check_id: "c".into(),
            status: "passing".into(),
            output: "one".into(),
            ..Default::default()
        });
        l
    }

    #[test]
    fn output_alone_waits_for_check_update_interval() {
        let l = state_with_check(Duration::from_secs(300));
        assert!(l.update_check("c", "passing", "two"));
        assert_eq!(
            l.check("c").unwrap().output,
            "two",
            "the agent shows it at once"
        );
        let view = l.sync_view();
        assert!(view.deferred.contains("c"));
        let due = view.next_due.expect("a due time");
        let wait = due - Instant::now();
        assert!(wait >= Duration::from_secs(149) && wait <= Duration::from_secs(450));

        // A status change goes out at once, with its output.
        assert!(l.update_check("c", "critical", "three"));
        let view = l.sync_view();
        assert!(view.deferred.is_empty());
        assert_eq!(view.next_due, None);
        assert_eq!(view.checks["c"].output, "three");
    }

    #[test]
    fn a_zero_interval_defers_nothing() {
        let l = state_with_check(Duration::ZERO);
        l.update_check("c", "passing", "two");
        assert!(l.sync_view().deferred.is_empty());
    }
}
