//! The agent's health-check runners: HTTP, TCP, gRPC, script and TTL checks as Consul runs them
//! (`agent/checks/check.go`), with Consul's output texts, default timeouts, minimum interval,
//! first-run stagger and SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical
//! thresholds.
//!
//! It owns running checks and nothing else: it knows no catalog, no local state and no
//! configuration. The caller validates and registers definitions ([`CheckType`]) in a
//! [`Checks`] registry, applies the script-check policy ([`script_checks_allowed`]) first, and
//! maps the [`CheckUpdate`]s it receives on its channel into its own state. It must not import
//! `agent::http`, `agent::raft`, `client` or `commands`.
//!
//! Layout: `definition` (fields, defaults, validation), `policy` (who may register scripts),
//! one file per kind (`http`, `tcp`, `grpc`, `script`, `ttl`), `thresholds` (the success/failure
//! counters), `runner` (one check's task and its handle), `registry` (the runners by ID) and
//! `output` (bounded capture and Go-style error texts).
//!
//! Must not import: `agent::http`, `agent::raft`, `client`, `commands` (checked by tests/architecture.rs).

mod definition;
mod grpc;
mod http;
mod output;
mod policy;
mod registry;
mod runner;
mod script;
mod tcp;
mod thresholds;
mod ttl;

#[cfg(test)]
mod test_support;

use serde::{Deserialize, Serialize};

pub use definition::{
    CheckKind, CheckType, DefinitionError, DEFAULT_NET_TIMEOUT, DEFAULT_OUTPUT_MAX_SIZE,
    DEFAULT_SCRIPT_TIMEOUT, MIN_INTERVAL,
};
pub use policy::{script_checks_allowed, CheckSource, ScriptPolicyError};
pub use registry::{Checks, ChecksError};
pub use runner::{RunnerHandle, RunnerOptions};

/// A check's health, with Consul's names on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passing,
    Warning,
    Critical,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passing => "passing",
            Status::Warning => "warning",
            Status::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status that is not one of Consul's three, with the message Consul's
/// `/v1/agent/check/update` answers (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid check status: '{0}'")]
pub struct InvalidStatus(pub String);

impl std::str::FromStr for Status {
    type Err = InvalidStatus;

    fn from_str(s: &str) -> Result<Status, InvalidStatus> {
        match s {
            "passing" => Ok(Status::Passing),
            "warning" => Ok(Status::Warning),
            "critical" => Ok(Status::Critical),
            other => Err(InvalidStatus(other.to_string())),
        }
    }
}

/// A check's new status or output, sent only when one of them changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckUpdate {
    pub check_id: String,
    pub status: Status,
    pub output: String,
}
