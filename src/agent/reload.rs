//! Services and checks from config files, at start and on reload (`sd reload`,
//! `PUT /v1/agent/reload`, SIGHUP). A reload reads the configuration again the way the agent
//! was started (same flags, files and environment), checks every service and check definition
//! first, and only then swaps the config-file registrations: ones no longer defined are
//! removed, the others added or replaced; registrations made through the API are untouched.
//! Any error leaves the running configuration as it was. TLS certificates are read again and
//! used for new connections. Other settings (ports, addresses, data dir) need a restart, as
//! in Consul.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use super::checks::CheckSource;
use super::registration::{
    add_check, apply_service_in_batch, parse_check, prepare_service, ParsedCheck, PreparedService,
};
use super::Agent;
use crate::api::catalog::{AgentServiceRegistration, FIELD_NAMES, OPAQUE_FIELDS};
use crate::api::keys::canonical_keys;
use crate::config::RuntimeConfig;

/// Loads the configuration again, as at start.
pub type Reloader = Arc<dyn Fn() -> Result<RuntimeConfig, String> + Send + Sync>;

/// The IDs of the services and checks that came from config files.
#[derive(Default)]
pub struct FromConfig {
    ids: Mutex<(BTreeSet<String>, BTreeSet<String>)>,
}

impl FromConfig {
    /// Whether service `id` is defined in the config files.
    pub fn has_service(&self, id: &str) -> bool {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .contains(id)
    }

    /// Whether check `id` is defined in the config files.
    pub fn has_check(&self, id: &str) -> bool {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .contains(id)
    }
}

/// Every definition of a configuration, checked.
struct Prepared {
    services: Vec<PreparedService>,
    checks: Vec<ParsedCheck>,
}

fn prepare(agent: &Agent, config: &RuntimeConfig) -> Result<Prepared, String> {
    let mut services = Vec::new();
    for raw in &config.services {
        let value = canonical_keys(raw.clone(), FIELD_NAMES, OPAQUE_FIELDS);
        let reg: AgentServiceRegistration = serde_json::from_value(value)
            .map_err(|e| format!("invalid service definition {raw}: {e}"))?;
        let name = reg.name.clone();
        let p = prepare_service(agent, reg, CheckSource::ConfigFile)
            .map_err(|e| format!("service {name:?} in the configuration: {}", e))?;
        services.push(p);
    }
    let mut checks = Vec::new();
    for raw in &config.checks {
        let c = parse_check(agent, raw, CheckSource::ConfigFile)
            .map_err(|e| format!("check definition {raw}: {}", e))?;
        let known = c.service_id.is_empty()
            || services.iter().any(|s| s.service.id == c.service_id)
            || agent.local.service(&c.service_id).is_some();
        if !known {
            return Err(format!(
                "check {:?} in the configuration: ServiceID {:?} does not exist",
                c.id, c.service_id
            ));
        }
        checks.push(c);
    }
    Ok(Prepared { services, checks })
}

/// Applies a checked configuration's registrations, replacing the previous config-file ones.
fn apply(agent: &Agent, p: Prepared) -> Result<(), String> {
    // One group: anti-entropy syncs the reloaded set in one pass.
    let _group = agent.local.batch();
    let new_services: BTreeSet<String> = p.services.iter().map(|s| s.service.id.clone()).collect();
    let new_checks: BTreeSet<String> = p.checks.iter().map(|c| c.id.clone()).collect();
    let (old_services, old_checks) = {
        let ids = agent
            .from_config
            .ids
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        ids.clone()
    };
    for gone in old_services.difference(&new_services) {
        agent.remove_service(gone);
    }
    for gone in old_checks.difference(&new_checks) {
        agent.remove_check(gone);
    }
    for s in p.services {
        apply_service_in_batch(agent, s, true).map_err(|e| e.to_string())?;
    }
    for c in p.checks {
        add_check(agent, c).map_err(|e| e.to_string())?;
    }
    *agent
        .from_config
        .ids
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = (new_services, new_checks);
    Ok(())
}

/// Registers the config-file services and checks at start (the first bad one stops the
/// start), then what was registered through the API before a restart.
pub fn load_initial(agent: &Agent) -> Result<(), String> {
    let prepared = prepare(agent, &agent.config)?;
    apply(agent, prepared)?;
    super::restore::restore(agent);
    Ok(())
}

/// Reloads the configuration files; on any error nothing changes.
pub fn reload(agent: &Agent) -> Result<(), String> {
    let reloader = agent
        .reloader
        .get()
        .cloned()
        .ok_or("this agent cannot reload its configuration")?;
    let config = reloader()?;
    let prepared = prepare(agent, &config)?;
    let tls = crate::agent::tls::AgentTls::load(
        &config.tls,
        agent.config.server,
        agent.config.ports.https,
    )
    .map_err(|e| e.to_string())?;
    apply(agent, prepared)?;
    agent.tls.take_certificates(tls);
    // The agent's ACL tokens as configured now, those set through the API kept over them.
    agent.acls.set_tokens(config.acl.tokens.clone());
    crate::agent::http::load_persisted_tokens(agent);
    tracing::info!("agent: Reloaded configuration");
    Ok(())
}
