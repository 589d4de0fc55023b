//! At start, after the config files: the services and checks registered through the API
//! before the restart come back (a config-file definition with the same ID wins), then every
//! TTL check whose last reported status has not expired takes it back, and maintenance mode
//! comes back on, as Consul does.
//! A kept registration that is no longer valid (a script check the agent no longer allows, a
//! check whose service is gone) is skipped with a warning.

use crate::agent::checks::{CheckKind, CheckSource, Status};
use crate::agent::registration::{add_check, maintenance, parse_check, register_service};
use crate::agent::Agent;
use crate::api::catalog::AgentServiceRegistration;

/// Restores the kept API registrations and TTL states.
pub fn restore(agent: &Agent) {
    for raw in agent.persisted.services() {
        let reg: AgentServiceRegistration = match serde_json::from_value(raw.clone()) {
            Ok(reg) => reg,
            Err(e) => {
                tracing::warn!("skipping kept service {raw}: {e}");
                continue;
            }
        };
        if agent.from_config.has_service(&reg.id) {
            continue;
        }
        let id = reg.id.clone();
        match register_service(agent, reg, CheckSource::HttpApi, false) {
            Ok(()) => tracing::debug!(service = %id, "restored service registered through the API"),
            Err(e) => tracing::warn!(service = %id, "cannot restore service: {}", e),
        }
    }
    for raw in agent.persisted.checks() {
        let parsed = match parse_check(agent, &raw, CheckSource::HttpApi) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("cannot restore check {raw}: {}", e);
                continue;
            }
        };
        let id = parsed.id.clone();
        if agent.from_config.has_check(&id) {
            continue;
        }
        if let Err(e) = add_check(agent, parsed) {
            tracing::warn!(check = %id, "cannot restore check: {}", e);
        }
    }
    for id in agent.checks.ids() {
        if agent.checks.kind(&id) != Some(CheckKind::Ttl) {
            continue;
        }
        let Some(state) = agent.persisted.ttl_state(&id) else {
            continue;
        };
        let Ok(status) = state.status.parse::<Status>() else {
            continue;
        };
        if let Ok(stored) = agent.checks.ttl_update(&id, status, &state.output) {
            agent.local.update_check(&id, status.as_str(), &stored);
        }
    }
    maintenance::restore(agent);
}
