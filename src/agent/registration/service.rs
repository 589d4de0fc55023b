//! Service definitions: validated with their checks as one unit (nothing is added when any
//! part is invalid), then the service and its checks are added to the local state.

use super::check::{add_check, parse_check, ParsedCheck};
use super::{invalid, RegistrationError};
use crate::agent::checks::CheckSource;
use crate::agent::Agent;
use crate::api::catalog::{AgentService, AgentServiceRegistration};

/// A service registration checked and turned into what the local state holds.
#[derive(Debug, Clone)]
pub struct PreparedService {
    pub service: AgentService,
    pub checks: Vec<ParsedCheck>,
}

/// Turns a registration into the local service and its checks, and adds them all, or
/// nothing when any part is invalid.
pub fn register_service(
    agent: &Agent,
    reg: AgentServiceRegistration,
    origin: CheckSource,
    replace_existing_checks: bool,
) -> Result<(), RegistrationError> {
    let prepared = prepare_service(agent, reg, origin)?;
    apply_service(agent, prepared, replace_existing_checks)
}

/// Validates a registration (and its checks) without changing anything.
pub fn prepare_service(
    agent: &Agent,
    reg: AgentServiceRegistration,
    origin: CheckSource,
) -> Result<PreparedService, RegistrationError> {
    if reg.name.is_empty() {
        return Err(invalid("Missing service name"));
    }
    if let Some(w) = reg.weights {
        if w.passing == 0 {
            return Err(invalid("Passing must be greater than 0"));
        }
    }
    let id = if reg.id.is_empty() {
        reg.name.clone()
    } else {
        reg.id.clone()
    };
    let service = AgentService {
        kind: reg.kind.clone(),
        id: id.clone(),
        service: reg.name.clone(),
        tags: reg.tags.clone(),
        meta: reg.meta.clone(),
        port: reg.port,
        address: reg.address.clone(),
        tagged_addresses: reg.tagged_addresses.clone(),
        weights: reg.weights.unwrap_or_default(),
        enable_tag_override: reg.enable_tag_override,
        datacenter: agent.config.datacenter.clone(),
        ..Default::default()
    };
    let raw: Vec<&serde_json::Value> = reg.check.iter().chain(reg.checks.iter()).collect();
    let several = raw.len() > 1;
    let mut checks = Vec::with_capacity(raw.len());
    for (n, value) in raw.into_iter().enumerate() {
        let mut c = parse_check(agent, value, origin)?;
        c.service_id = id.clone();
        if c.id.is_empty() {
            c.id = if several {
                format!("service:{id}:{}", n + 1)
            } else {
                format!("service:{id}")
            };
        }
        if c.name.is_empty() {
            c.name = format!("Service '{}' check", reg.name);
        }
        checks.push(c);
    }
    Ok(PreparedService { service, checks })
}

/// Adds a prepared service and its checks to the local state, as one group anti-entropy sees
/// whole. With `replace_existing_checks`, checks of the service that the registration no longer
/// names are removed.
pub fn apply_service(
    agent: &Agent,
    prepared: PreparedService,
    replace_existing_checks: bool,
) -> Result<(), RegistrationError> {
    let _group = agent.local.batch();
    apply_service_in_batch(agent, prepared, replace_existing_checks)
}

/// [`apply_service`] for a caller that holds the local state's batch already.
pub fn apply_service_in_batch(
    agent: &Agent,
    prepared: PreparedService,
    replace_existing_checks: bool,
) -> Result<(), RegistrationError> {
    let PreparedService { service, checks } = prepared;
    let id = service.id.clone();
    let old_checks: Vec<String> = agent
        .local
        .checks()
        .values()
        .filter(|c| c.service_id == id)
        .map(|c| c.check_id.clone())
        .collect();
    agent.local.add_service(service);
    let kept: Vec<String> = checks.iter().map(|c| c.id.clone()).collect();
    for c in checks {
        add_check(agent, c)?;
    }
    if replace_existing_checks {
        for old in old_checks.iter().filter(|o| !kept.contains(o)) {
            agent.remove_check(old);
        }
    }
    Ok(())
}
