//! The agent's local state: the services and checks registered on this agent (agent API and
//! config files). It is authoritative for this node; anti-entropy (`sync`) makes the catalog
//! match it. Every change wakes the sync loop. Must not import `http` or `raft`.

pub mod persist;
pub mod reaper;
pub mod sync;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::{watch, Notify};

use crate::api::catalog::{AgentService, HealthCheck};

/// Services and checks of this agent.
pub struct LocalState {
    inner: Mutex<Inner>,
    /// Wakes anti-entropy after a change.
    pub changed: Notify,
    /// Counts changes, for the agent endpoints' hash-based blocking queries.
    version: watch::Sender<u64>,
}

impl Default for LocalState {
    fn default() -> LocalState {
        LocalState {
            inner: Mutex::default(),
            changed: Notify::new(),
            version: watch::channel(0).0,
        }
    }
}

#[derive(Default, Clone)]
struct Inner {
    services: BTreeMap<String, AgentService>,
    checks: BTreeMap<String, HealthCheck>,
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

    /// Sets a check's status and output; false when the check is unknown.
    pub fn update_check(&self, id: &str, status: &str, output: &str) -> bool {
        let mut inner = self.lock();
        let Some(c) = inner.checks.get_mut(id) else {
            return false;
        };
        if c.status == status && c.output == output {
            return true;
        }
        c.status = status.to_string();
        c.output = output.to_string();
        drop(inner);
        self.touch();
        true
    }

    /// Both tables at once, for one consistent sync pass.
    pub fn snapshot(
        &self,
    ) -> (
        BTreeMap<String, AgentService>,
        BTreeMap<String, HealthCheck>,
    ) {
        let inner = self.lock().clone();
        (inner.services, inner.checks)
    }
}
