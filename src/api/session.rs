//! Sessions as Consul's `/v1/session/*` endpoints send and take them (`api/session.go`): the
//! entry every read returns, the body of `PUT /v1/session/create` and its answer.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What happens to the keys a session holds when it is invalidated.
pub mod behavior {
    /// The locks are released; the keys stay (the default).
    pub const RELEASE: &str = "release";
    /// The keys are deleted (ephemeral keys, as ZooKeeper's ephemeral nodes).
    pub const DELETE: &str = "delete";
}

/// The node check every session is tied to unless the request names its own checks.
pub const SERF_HEALTH: &str = "serfHealth";

/// One session (`GET /v1/session/info/:id` returns a list of one). `LockDelay` is in
/// nanoseconds on the wire, as Go encodes a `time.Duration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SessionEntry {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub node: String,
    #[serde(default)]
    pub lock_delay: u64,
    #[serde(default)]
    pub behavior: String,
    #[serde(rename = "TTL", default)]
    pub ttl: String,
    #[serde(default)]
    pub node_checks: Option<Vec<String>>,
    #[serde(default)]
    pub service_checks: Option<Vec<ServiceCheck>>,
    #[serde(default)]
    pub create_index: u64,
    #[serde(default)]
    pub modify_index: u64,
}

impl SessionEntry {
    /// Every check the session is tied to (node checks, then service checks).
    pub fn check_ids(&self) -> impl Iterator<Item = &str> {
        let node = self.node_checks.iter().flatten().map(String::as_str);
        let service = self.service_checks.iter().flatten().map(|c| c.id.as_str());
        node.chain(service)
    }

    /// The lock delay as a duration.
    pub fn lock_delay(&self) -> Duration {
        Duration::from_nanos(self.lock_delay)
    }
}

/// A service check a session is tied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceCheck {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(default)]
    pub namespace: String,
}

/// The answer to `PUT /v1/session/create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCreated {
    #[serde(rename = "ID")]
    pub id: String,
}

/// The body of `PUT /v1/session/create`: every member optional; the agent fills in its own
/// node, `serfHealth`, a 15 s lock delay and `release`. `Checks` is Consul's older name for
/// `NodeChecks`. `LockDelay` is a Go duration string or a number (nanoseconds, or seconds when
/// below 1000, as Consul reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SessionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::api::duration::deserialize_opt",
        serialize_with = "serialize_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub lock_delay: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_checks: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_checks: Option<Vec<ServiceCheck>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<String>,
    #[serde(rename = "TTL", default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// The field names of session bodies, for matching keys sent in any case.
pub const FIELD_NAMES: &[&str] = &[
    "ID",
    "Name",
    "Node",
    "LockDelay",
    "Checks",
    "NodeChecks",
    "ServiceChecks",
    "Behavior",
    "TTL",
    "Namespace",
];

/// Below this many nanoseconds a numeric lock delay is taken as seconds: users send `15`
/// meaning 15 s (Consul's `lockDelayMinThreshold`).
const LOCK_DELAY_SECONDS_BELOW: u128 = 1000;

/// The lock delay a request means: Consul's reading of small numbers as seconds.
pub fn lock_delay_meant(sent: Duration) -> Duration {
    if sent.as_nanos() < LOCK_DELAY_SECONDS_BELOW {
        Duration::from_secs(u64::try_from(sent.as_nanos()).unwrap_or(0))
    } else {
        sent
    }
}

/// Sends a lock delay as Consul's own client does: whole milliseconds (`"15000ms"`).
fn serialize_millis<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&format!("{}ms", d.as_millis().max(1))),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_lock_delays_are_seconds() {
        assert_eq!(
            lock_delay_meant(Duration::from_nanos(15)),
            Duration::from_secs(15)
        );
        assert_eq!(
            lock_delay_meant(Duration::from_millis(250)),
            Duration::from_millis(250)
        );
        assert_eq!(lock_delay_meant(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn entry_wire_form() {
        let e = SessionEntry {
            id: "a".into(),
            node: "n".into(),
            lock_delay: 15_000_000_000,
            behavior: "release".into(),
            node_checks: Some(vec![SERF_HEALTH.into()]),
            ..Default::default()
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"ID":"a","Name":"","Node":"n","LockDelay":15000000000,"Behavior":"release","TTL":"","NodeChecks":["serfHealth"],"ServiceChecks":null,"CreateIndex":0,"ModifyIndex":0}"#
        );
        let req: SessionRequest =
            serde_json::from_str(r#"{"LockDelay":"15s","TTL":"10s"}"#).unwrap();
        assert_eq!(req.lock_delay, Some(Duration::from_secs(15)));
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"LockDelay":"15000ms","TTL":"10s"}"#
        );
    }
}
