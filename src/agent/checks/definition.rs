//! Check definitions: the fields of the runnable kinds as Consul names them in JSON
//! (`structs.CheckType`), their defaults, and Consul's validation messages.
//!
//! Keys are accepted as Consul sends them (`TLSSkipVerify`), folded the way the HTTP layer
//! folds request keys (`tlsskipverify`), and in config-file snake_case (`tls_skip_verify`).
//! `Header` is a user-keyed map: the HTTP layer must leave its keys alone (pass `header` as an
//! opaque key to its folding). Durations are Go duration strings or integers of nanoseconds;
//! `null` is the same as an absent field, as with Go's decoder.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::Status;

/// The shortest interval a check runs at (Consul's `checks.MinInterval`); shorter ones are
/// raised to it with a warning.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Captured output kept per check unless the check or the agent asks for less.
pub const DEFAULT_OUTPUT_MAX_SIZE: usize = 4096;
/// HTTP and TCP checks without a `Timeout`.
pub const DEFAULT_NET_TIMEOUT: Duration = Duration::from_secs(10);
/// Script checks without a `Timeout`.
pub const DEFAULT_SCRIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// The shell a legacy `Script` string runs in.
const SHELL: &str = "/bin/sh";

/// A check definition's runnable part. Fields of other kinds (UDP, H2PING, Docker,
/// alias, OS service) are read only to refuse them clearly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CheckType {
    #[serde(rename = "HTTP", alias = "http", deserialize_with = "nullable")]
    pub http: String,
    #[serde(rename = "Method", alias = "method", deserialize_with = "nullable")]
    pub method: String,
    #[serde(rename = "Header", alias = "header", deserialize_with = "nullable")]
    pub header: BTreeMap<String, Vec<String>>,
    #[serde(rename = "Body", alias = "body", deserialize_with = "nullable")]
    pub body: String,
    #[serde(
        rename = "TLSSkipVerify",
        alias = "tlsskipverify",
        alias = "tls_skip_verify",
        deserialize_with = "nullable"
    )]
    pub tls_skip_verify: bool,
    #[serde(
        rename = "TLSServerName",
        alias = "tlsservername",
        alias = "tls_server_name",
        deserialize_with = "nullable"
    )]
    pub tls_server_name: String,
    #[serde(
        rename = "DisableRedirects",
        alias = "disableredirects",
        alias = "disable_redirects",
        deserialize_with = "nullable"
    )]
    pub disable_redirects: bool,
    #[serde(rename = "TCP", alias = "tcp", deserialize_with = "nullable")]
    pub tcp: String,
    #[serde(rename = "Args", alias = "args", deserialize_with = "nullable")]
    pub args: Vec<String>,
    /// What Consul's Go client sends for `Args`.
    #[serde(
        rename = "ScriptArgs",
        alias = "scriptargs",
        alias = "script_args",
        deserialize_with = "nullable"
    )]
    pub script_args: Vec<String>,
    /// Legacy: one string run with `/bin/sh -c`.
    #[serde(rename = "Script", alias = "script", deserialize_with = "nullable")]
    pub script: String,
    #[serde(
        rename = "TTL",
        alias = "ttl",
        deserialize_with = "crate::api::duration::deserialize_opt"
    )]
    pub ttl: Option<Duration>,
    #[serde(
        rename = "Interval",
        alias = "interval",
        deserialize_with = "crate::api::duration::deserialize_opt"
    )]
    pub interval: Option<Duration>,
    #[serde(
        rename = "Timeout",
        alias = "timeout",
        deserialize_with = "crate::api::duration::deserialize_opt"
    )]
    pub timeout: Option<Duration>,
    #[serde(
        rename = "SuccessBeforePassing",
        alias = "successbeforepassing",
        alias = "success_before_passing",
        deserialize_with = "nullable"
    )]
    pub success_before_passing: u32,
    #[serde(
        rename = "FailuresBeforeWarning",
        alias = "failuresbeforewarning",
        alias = "failures_before_warning",
        deserialize_with = "nullable"
    )]
    pub failures_before_warning: u32,
    #[serde(
        rename = "FailuresBeforeCritical",
        alias = "failuresbeforecritical",
        alias = "failures_before_critical",
        deserialize_with = "nullable"
    )]
    pub failures_before_critical: u32,
    /// 0 for the agent's limit; a positive value can only lower it.
    #[serde(
        rename = "OutputMaxSize",
        alias = "outputmaxsize",
        alias = "output_max_size",
        deserialize_with = "nullable"
    )]
    pub output_max_size: i64,
    /// The status before the first result: empty means critical.
    #[serde(rename = "Status", alias = "status", deserialize_with = "nullable")]
    pub status: String,

    #[serde(rename = "GRPC", alias = "grpc", deserialize_with = "nullable")]
    pub grpc: String,
    #[serde(
        rename = "GRPCUseTLS",
        alias = "grpcusetls",
        alias = "grpc_use_tls",
        deserialize_with = "nullable"
    )]
    pub grpc_use_tls: bool,
    #[serde(rename = "UDP", alias = "udp", deserialize_with = "nullable")]
    pub udp: String,
    #[serde(rename = "H2PING", alias = "h2ping", deserialize_with = "nullable")]
    pub h2ping: String,
    #[serde(
        rename = "DockerContainerID",
        alias = "dockercontainerid",
        alias = "docker_container_id",
        deserialize_with = "nullable"
    )]
    pub docker_container_id: String,
    #[serde(
        rename = "AliasService",
        alias = "aliasservice",
        alias = "alias_service",
        deserialize_with = "nullable"
    )]
    pub alias_service: String,
    #[serde(
        rename = "AliasNode",
        alias = "aliasnode",
        alias = "alias_node",
        deserialize_with = "nullable"
    )]
    pub alias_node: String,
    #[serde(
        rename = "OSService",
        alias = "osservice",
        alias = "os_service",
        deserialize_with = "nullable"
    )]
    pub os_service: String,
}

/// The kinds sd runs, named as Consul's `Type` field names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    Script,
    Http,
    Tcp,
    Grpc,
    Ttl,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Script => "script",
            CheckKind::Http => "http",
            CheckKind::Tcp => "tcp",
            CheckKind::Grpc => "grpc",
            CheckKind::Ttl => "ttl",
        }
    }
}

impl std::fmt::Display for CheckKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a definition cannot run. The texts are Consul's (`CheckType.Validate`) where Consul
/// has one; Consul's agent prefixes them with `Check is not valid: ` and its HTTP endpoint
/// with `Invalid check: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("Interval and TTL cannot both be specified")]
    IntervalAndTtl,
    #[error("Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks")]
    NoInterval,
    #[error("TTL must be > 0 for TTL checks")]
    NoTtl,
    #[error("MaxOutputMaxSize must be positive")]
    NegativeOutputMaxSize,
    #[error("FailuresBeforeWarning can't be higher than FailuresBeforeCritical")]
    WarningAboveCritical,
    /// Consul silently runs the first kind in its own order; sd refuses the ambiguity.
    #[error(
        "Only one of Args (or Script), HTTP, TCP, GRPC or TTL may be set; this check sets {0}"
    )]
    SeveralKinds(String),
    #[error("{0} checks are not supported by sd yet")]
    Unsupported(&'static str),
    #[error(transparent)]
    Status(#[from] super::InvalidStatus),
}

impl CheckType {
    /// The kind this definition runs, or Consul's reason why it cannot run.
    pub fn validate(&self) -> Result<CheckKind, DefinitionError> {
        let ttl = self.ttl.is_some_and(|d| !d.is_zero());
        let interval = self.interval.is_some_and(|d| !d.is_zero());
        if ttl && interval {
            return Err(DefinitionError::IntervalAndTtl);
        }
        if let Some(kind) = self.unsupported_kind() {
            return Err(DefinitionError::Unsupported(kind));
        }
        let mut named = Vec::new();
        if self.is_script() {
            named.push(("Args", CheckKind::Script));
        }
        if !self.http.is_empty() {
            named.push(("HTTP", CheckKind::Http));
        }
        if !self.tcp.is_empty() {
            named.push(("TCP", CheckKind::Tcp));
        }
        if !self.grpc.is_empty() {
            named.push(("GRPC", CheckKind::Grpc));
        }
        if ttl {
            named.push(("TTL", CheckKind::Ttl));
        }
        let kind = match named.as_slice() {
            [] => return Err(DefinitionError::NoTtl),
            [(_, kind)] => *kind,
            several => {
                let names: Vec<&str> = several.iter().map(|(n, _)| *n).collect();
                return Err(DefinitionError::SeveralKinds(names.join(", ")));
            }
        };
        if kind != CheckKind::Ttl && !interval {
            return Err(DefinitionError::NoInterval);
        }
        if self.output_max_size < 0 {
            return Err(DefinitionError::NegativeOutputMaxSize);
        }
        if self.failures_before_warning > self.failures_before_critical {
            return Err(DefinitionError::WarningAboveCritical);
        }
        self.initial_status()?;
        Ok(kind)
    }

    /// Whether this is a script check (`Args`, `ScriptArgs` or a legacy `Script`).
    pub fn is_script(&self) -> bool {
        !self.args.is_empty() || !self.script_args.is_empty() || !self.script.is_empty()
    }

    /// The command line of a script check: `Args` (or `ScriptArgs`), else `/bin/sh -c Script`.
    pub fn command(&self) -> Vec<String> {
        if !self.args.is_empty() {
            self.args.clone()
        } else if !self.script_args.is_empty() {
            self.script_args.clone()
        } else {
            vec![SHELL.to_string(), "-c".to_string(), self.script.clone()]
        }
    }

    /// The status the check has before its first result (`Status`, default critical).
    pub fn initial_status(&self) -> Result<Status, super::InvalidStatus> {
        if self.status.is_empty() {
            Ok(Status::Critical)
        } else {
            self.status.parse()
        }
    }

    /// How long one run of `kind` may take: `Timeout`, else 10 s (HTTP, TCP, gRPC) or 30 s
    /// (script).
    pub fn timeout_for(&self, kind: CheckKind) -> Duration {
        match self.timeout {
            Some(t) if !t.is_zero() => t,
            _ if kind == CheckKind::Script => DEFAULT_SCRIPT_TIMEOUT,
            _ => DEFAULT_NET_TIMEOUT,
        }
    }

    /// Consecutive failures before warning: `FailuresBeforeWarning`, defaulting to
    /// `FailuresBeforeCritical`.
    pub fn effective_failures_before_warning(&self) -> u32 {
        if self.failures_before_warning == 0 {
            self.failures_before_critical
        } else {
            self.failures_before_warning
        }
    }

    /// The output limit given the agent's (`check_output_max_size`, 0 for the default): the
    /// check's own `OutputMaxSize` only lowers it.
    pub fn effective_output_max_size(&self, agent_max: usize) -> usize {
        let agent_max = if agent_max == 0 {
            DEFAULT_OUTPUT_MAX_SIZE
        } else {
            agent_max
        };
        match usize::try_from(self.output_max_size) {
            Ok(own) if own > 0 && own < agent_max => own,
            _ => agent_max,
        }
    }

    fn unsupported_kind(&self) -> Option<&'static str> {
        [
            (&self.udp, "UDP"),
            (&self.h2ping, "H2PING"),
            (&self.docker_container_id, "Docker"),
            (&self.alias_service, "Alias"),
            (&self.alias_node, "Alias"),
            (&self.os_service, "OSService"),
        ]
        .into_iter()
        .find(|(field, _)| !field.is_empty())
        .map(|(_, kind)| kind)
    }
}

/// A field whose `null` means its default, as Go's decoder treats it.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
#[path = "definition_tests.rs"]
mod tests;
