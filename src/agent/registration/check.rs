//! Check definitions: read in any key spelling, validated, refused when they are scripts the
//! agent's settings do not allow for their source, then kept in the local state and run.

use std::time::Duration;

use serde::Deserialize;

use super::{invalid, RegistrationError};
use crate::agent::checks::{script_checks_allowed, CheckSource, CheckType, Status};
use crate::agent::Agent;
use crate::api::catalog::{CheckDefinition, HealthCheck, FIELD_NAMES, OPAQUE_FIELDS};
use crate::api::keys::canonical_keys;

/// The fields of a check registration besides what it runs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct CheckMeta {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "CheckID")]
    check_id: String,
    name: String,
    notes: String,
    #[serde(rename = "ServiceID")]
    service_id: String,
    status: String,
    #[serde(deserialize_with = "crate::api::duration::deserialize_opt", default)]
    deregister_critical_service_after: Option<Duration>,
}

/// A check registration, validated.
#[derive(Debug, Clone)]
pub struct ParsedCheck {
    pub id: String,
    pub name: String,
    pub notes: String,
    pub service_id: String,
    pub status: Status,
    pub def: CheckType,
    pub deregister_after: Option<Duration>,
}

/// Reads one check definition (any key spelling), validates it and applies the script policy.
pub fn parse_check(
    agent: &Agent,
    value: &serde_json::Value,
    source: CheckSource,
) -> Result<ParsedCheck, RegistrationError> {
    let value = canonical_keys(value.clone(), FIELD_NAMES, OPAQUE_FIELDS);
    let meta: CheckMeta = serde_json::from_value(value.clone())
        .map_err(|e| invalid(format!("Request decode failed: {e}")))?;
    let def: CheckType = serde_json::from_value(value)
        .map_err(|e| invalid(format!("Request decode failed: {e}")))?;
    def.validate()
        .map_err(|e| invalid(format!("Invalid check: {e}")))?;
    if def.is_script() {
        let c = &agent.config;
        script_checks_allowed(c.enable_script_checks, c.enable_local_script_checks, source)
            .map_err(|e| invalid(e.to_string()))?;
    }
    let status = def.initial_status().map_err(|e| invalid(e.to_string()))?;
    let status = if meta.status.is_empty() {
        status
    } else {
        meta.status
            .parse()
            .map_err(|e: crate::agent::checks::InvalidStatus| invalid(e.to_string()))?
    };
    let id = [meta.check_id, meta.id]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| meta.name.clone());
    Ok(ParsedCheck {
        id,
        name: meta.name,
        notes: meta.notes,
        service_id: meta.service_id,
        status,
        def,
        deregister_after: meta.deregister_critical_service_after,
    })
}

/// Adds a parsed check to the local state and starts running it.
pub fn add_check(agent: &Agent, c: ParsedCheck) -> Result<(), RegistrationError> {
    if c.id.is_empty() {
        return Err(invalid("Missing check name"));
    }
    let (service_name, service_tags) = if c.service_id.is_empty() {
        (String::new(), Vec::new())
    } else {
        let s = agent
            .local
            .service(&c.service_id)
            .ok_or_else(|| invalid(format!("ServiceID {:?} does not exist", c.service_id)))?;
        (s.service, s.tags)
    };
    let d = &c.def;
    let fmt = |d: Option<Duration>| d.map(crate::api::format_duration).unwrap_or_default();
    let check = HealthCheck {
        node: agent.config.node_name.clone(),
        check_id: c.id.clone(),
        name: if c.name.is_empty() {
            c.id.clone()
        } else {
            c.name.clone()
        },
        status: c.status.as_str().to_string(),
        notes: c.notes.clone(),
        service_id: c.service_id.clone(),
        service_name,
        service_tags,
        interval: fmt(d.interval),
        timeout: fmt(d.timeout),
        definition: CheckDefinition {
            http: d.http.clone(),
            header: d.header.clone(),
            method: d.method.clone(),
            body: d.body.clone(),
            tls_skip_verify: d.tls_skip_verify,
            tcp: d.tcp.clone(),
            interval: fmt(d.interval),
            timeout: fmt(d.timeout),
            deregister_critical_service_after: fmt(c.deregister_after),
        },
        ..Default::default()
    };
    let kind = agent.checks.add(&c.id, &c.def)?;
    let mut check = check;
    check.kind = kind.as_str().to_string();
    agent.local.add_check(check);
    agent.set_deregister_after(&c.id, c.deregister_after);
    Ok(())
}

/// A check's registration JSON as kept for the next start: under its final ID, name and service,
/// so it reads back as the same check.
pub fn kept_check(mut raw: serde_json::Value, c: &ParsedCheck) -> serde_json::Value {
    if let Some(fields) = raw.as_object_mut() {
        fields.remove("ID");
        fields.insert("CheckID".into(), c.id.clone().into());
        fields.insert("Name".into(), c.name.clone().into());
        fields.insert("ServiceID".into(), c.service_id.clone().into());
    }
    raw
}
