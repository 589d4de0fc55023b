//! The agent's running checks by check ID. Adding a check replaces (and stops) any runner the
//! ID had; removing stops it. TTL reports go to the TTL check's runner, with Consul's errors
//! for an unknown ID or a check that is not a TTL check.
//!
//! Updates a runner sent before it was removed or replaced may still be waiting in the
//! channel: the receiver should ignore updates for checks it no longer has.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::mpsc;

use super::runner::{RunnerHandle, RunnerOptions};
use super::{CheckKind, CheckType, CheckUpdate, DefinitionError, Status};

/// Why a check could not be added or updated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecksError {
    #[error("CheckID missing")]
    MissingId,
    /// Consul's agent wording; its HTTP endpoint says `Invalid check: ...` instead.
    #[error("Check is not valid: {0}")]
    Invalid(#[from] DefinitionError),
    /// Consul answers this with a 404.
    #[error("Unknown check ID {0:?}. Ensure that the check ID is passed, not the check name.")]
    Unknown(String),
    #[error("CheckID {0:?} does not have associated TTL")]
    NotTtl(String),
    #[error("health checks need a Tokio runtime to run on")]
    NoRuntime,
    #[error("{0}")]
    Setup(String),
}

/// The running checks of an agent.
#[derive(Debug)]
pub struct Checks {
    updates: mpsc::Sender<CheckUpdate>,
    options: RunnerOptions,
    runners: Mutex<HashMap<String, RunnerHandle>>,
}

impl Checks {
    /// An empty registry whose runners report on `updates`.
    pub fn new(updates: mpsc::Sender<CheckUpdate>) -> Checks {
        Checks::with_options(updates, RunnerOptions::default())
    }

    /// An empty registry with agent-wide settings (`check_output_max_size`).
    pub fn with_options(updates: mpsc::Sender<CheckUpdate>, options: RunnerOptions) -> Checks {
        Checks {
            updates,
            options,
            runners: Mutex::new(HashMap::new()),
        }
    }

    /// Validates `def` and runs it as check `id`, replacing any check of that ID. Must be
    /// called on a Tokio runtime. The script-check policy is the caller's to apply first.
    pub fn add(&self, id: &str, def: &CheckType) -> Result<CheckKind, ChecksError> {
        if id.is_empty() {
            return Err(ChecksError::MissingId);
        }
        let handle = RunnerHandle::spawn(id, def, &self.options, self.updates.clone())?;
        let kind = handle.kind();
        // The old runner is dropped (stopped) outside the lock.
        let old = self.lock().insert(id.to_string(), handle);
        drop(old);
        Ok(kind)
    }

    /// Stops and forgets check `id`; false when there was none.
    pub fn remove(&self, id: &str) -> bool {
        let old = self.lock().remove(id);
        old.is_some()
    }

    /// Sets TTL check `id` to `status` with `output` and restarts its TTL; returns the output
    /// as stored (cut to OutputMaxSize), for persisting.
    pub fn ttl_update(
        &self,
        id: &str,
        status: Status,
        output: &str,
    ) -> Result<String, ChecksError> {
        let runners = self.lock();
        let runner = runners
            .get(id)
            .ok_or_else(|| ChecksError::Unknown(id.to_string()))?;
        runner
            .ttl_update(status, output)
            .ok_or_else(|| ChecksError::NotTtl(id.to_string()))
    }

    /// The TTL of TTL check `id`.
    pub fn ttl_period(&self, id: &str) -> Option<std::time::Duration> {
        self.lock().get(id).and_then(RunnerHandle::ttl_period)
    }

    /// The kind of check `id`, if it runs here.
    pub fn kind(&self, id: &str) -> Option<CheckKind> {
        self.lock().get(id).map(RunnerHandle::kind)
    }

    /// The IDs of the running checks, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.lock().keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Stops every check.
    pub fn stop_all(&self) {
        let all: Vec<RunnerHandle> = self.lock().drain().map(|(_, h)| h).collect();
        drop(all);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunnerHandle>> {
        self.runners.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
