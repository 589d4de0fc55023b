//! Maintenance mode, as Consul does it: a critical check of kind `maintenance` on the node
//! (`_node_maintenance`) or on one service (`_service_maintenance:<id>`), with the operator's
//! reason as its notes. It is kept under the data directory, so a restarted agent stays in
//! maintenance until it is turned off; a kept service maintenance whose service is gone is
//! dropped.

use crate::agent::local::persist::{Maintenance, PersistError};
use crate::agent::Agent;
use crate::api::catalog::{health, HealthCheck};

/// Node maintenance check, as Consul names it.
pub const NODE_MAINT: &str = "_node_maintenance";
/// Service maintenance checks are `_service_maintenance:<service id>`.
pub const SERVICE_MAINT_PREFIX: &str = "_service_maintenance:";

/// The maintenance check of `service_id` (empty: the node's).
pub fn check_id(service_id: &str) -> String {
    if service_id.is_empty() {
        NODE_MAINT.to_string()
    } else {
        format!("{SERVICE_MAINT_PREFIX}{service_id}")
    }
}

/// Puts the node (`service_id` empty) or a service in maintenance with `reason`, and keeps it.
/// Nothing changes if it cannot be kept (a full disk).
pub fn enable(agent: &Agent, service_id: &str, reason: &str) -> Result<(), PersistError> {
    let m = Maintenance {
        service_id: service_id.to_string(),
        reason: reason.to_string(),
    };
    agent
        .persisted
        .save_maintenance(&check_id(service_id), &m)?;
    agent.local.add_check(check(agent, &m));
    Ok(())
}

/// Ends maintenance of the node (`service_id` empty) or a service.
pub fn disable(agent: &Agent, service_id: &str) {
    agent.remove_check(&check_id(service_id));
}

/// At start, after the services: the maintenance modes kept before the restart.
pub fn restore(agent: &Agent) {
    for m in agent.persisted.maintenance() {
        if !m.service_id.is_empty() && agent.local.service(&m.service_id).is_none() {
            tracing::warn!(service = %m.service_id, "dropping kept maintenance of a service that is gone");
            agent.persisted.remove_check(&check_id(&m.service_id));
            continue;
        }
        agent.local.add_check(check(agent, &m));
    }
}

fn check(agent: &Agent, m: &Maintenance) -> HealthCheck {
    let (service_name, service_tags) = agent
        .local
        .service(&m.service_id)
        .map(|s| (s.service, s.tags))
        .unwrap_or_default();
    let name = if m.service_id.is_empty() {
        "Node Maintenance Mode"
    } else {
        "Service Maintenance Mode"
    };
    HealthCheck {
        node: agent.config.node_name.clone(),
        check_id: check_id(&m.service_id),
        name: name.to_string(),
        status: health::CRITICAL.to_string(),
        notes: m.reason.clone(),
        service_id: m.service_id.clone(),
        service_name,
        service_tags,
        kind: "maintenance".into(),
        ..Default::default()
    }
}
