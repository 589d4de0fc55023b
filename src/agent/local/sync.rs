//! Anti-entropy: keeps this node's entry in the catalog in line with the local state, which
//! wins. After every local change (at once; changes made during a pass go out together in the
//! next) and fully on a period that grows with the cluster (1 minute up to 128 nodes, one more
//! minute per doubling beyond, plus a random stagger), it reads the node's catalog entry and checks, registers what is missing or
//! different, and deregisters what the agent does not have. A server joining or coming back
//! alive also starts a pass at once (Consul's `ServerUp` trigger): a restarted leader may have
//! dropped this node before gossip told it the node was still there. The leader owns `serfHealth` and
//! the servers' `consul` service, so those are left alone. It reads and writes through the
//! agent's typed catalog calls (`endpoints::catalog`), so a client agent's writes reach a
//! server and a follower's reach the leader.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::agent::cluster::server_of;
use crate::agent::endpoints::QueryOptions;
use crate::agent::gossip::MemberEvent;
use crate::agent::reconcile::SERF_CHECK_ID;
use crate::agent::Agent;
use crate::api::agent::member_status;
use crate::api::catalog::{
    AgentService, CatalogDeregistration, CatalogNode, CatalogRegistration, HealthCheck,
};

/// Wait before retrying a pass that failed (no leader, server unreachable).
const RETRY: Duration = Duration::from_secs(2);

/// This node as the catalog should show it.
#[derive(Debug, Clone, Default)]
pub struct NodeInfo {
    pub id: String,
    pub name: String,
    pub address: String,
    pub datacenter: String,
    pub tagged_addresses: BTreeMap<String, String>,
    pub meta: BTreeMap<String, String>,
}

/// One write anti-entropy needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Register(Box<CatalogRegistration>),
    Deregister(CatalogDeregistration),
}

/// The writes that make the catalog's view of this node (`remote`, `remote_checks`) match the
/// local services and checks.
pub fn plan(
    node: &NodeInfo,
    services: &BTreeMap<String, AgentService>,
    checks: &BTreeMap<String, HealthCheck>,
    remote: Option<&CatalogNode>,
    remote_checks: &[HealthCheck],
) -> Vec<Op> {
    let mut ops = Vec::new();
    let base = || CatalogRegistration {
        id: node.id.clone(),
        node: node.name.clone(),
        address: node.address.clone(),
        datacenter: node.datacenter.clone(),
        tagged_addresses: node.tagged_addresses.clone(),
        node_meta: node.meta.clone(),
        ..Default::default()
    };
    let node_differs = match remote {
        None => true,
        Some(r) => {
            r.node.address != node.address
                || r.node.meta != node.meta
                || (!node.id.is_empty() && !r.node.id.eq_ignore_ascii_case(&node.id))
        }
    };
    let remote_services = remote.map(|r| &r.services);
    let remote_check = |id: &str| remote_checks.iter().find(|c| c.check_id == id);
    let mut node_written = false;
    for (id, svc) in services {
        let have = remote_services.and_then(|s| s.get(id));
        let same = have.is_some_and(|h| same_service(h, svc));
        let service_checks: Vec<HealthCheck> = checks
            .values()
            .filter(|c| c.service_id == *id)
            .cloned()
            .collect();
        let checks_same = service_checks
            .iter()
            .all(|c| remote_check(&c.check_id).is_some_and(|r| same_check(r, c)));
        if same && checks_same {
            continue;
        }
        let mut reg = base();
        let mut svc = svc.clone();
        if let (Some(h), true) = (have, svc.enable_tag_override) {
            // With EnableTagOverride, tags changed in the catalog by others are kept.
            svc.tags = h.tags.clone();
        }
        reg.service = Some(svc);
        reg.checks = service_checks;
        ops.push(Op::Register(Box::new(reg)));
        node_written = true;
    }
    for check in checks.values().filter(|c| c.service_id.is_empty()) {
        if remote_check(&check.check_id).is_some_and(|r| same_check(r, check)) {
            continue;
        }
        let mut reg = base();
        reg.checks = vec![check.clone()];
        ops.push(Op::Register(Box::new(reg)));
        node_written = true;
    }
    if node_differs && !node_written {
        ops.insert(0, Op::Register(Box::new(base())));
    }
    let dereg = |service_id: &str, check_id: &str| CatalogDeregistration {
        node: node.name.clone(),
        datacenter: node.datacenter.clone(),
        service_id: service_id.to_string(),
        check_id: check_id.to_string(),
    };
    for id in remote_services.into_iter().flat_map(|s| s.keys()) {
        if id != "consul" && !services.contains_key(id) {
            ops.push(Op::Deregister(dereg(id, "")));
        }
    }
    for c in remote_checks {
        let owned_by_removed_service =
            !c.service_id.is_empty() && !services.contains_key(&c.service_id);
        if c.check_id != SERF_CHECK_ID
            && !checks.contains_key(&c.check_id)
            && !owned_by_removed_service
        {
            ops.push(Op::Deregister(dereg("", &c.check_id)));
        }
    }
    ops
}

fn same_service(have: &AgentService, want: &AgentService) -> bool {
    have.service == want.service
        && (want.enable_tag_override || have.tags == want.tags)
        && have.port == want.port
        && have.address == want.address
        && have.meta == want.meta
        && have.tagged_addresses == want.tagged_addresses
        && have.weights == want.weights
        && have.enable_tag_override == want.enable_tag_override
        && have.kind == want.kind
}

fn same_check(have: &HealthCheck, want: &HealthCheck) -> bool {
    have.status == want.status
        && have.output == want.output
        && have.name == want.name
        && have.notes == want.notes
        && have.service_id == want.service_id
        && have.kind == want.kind
}

/// The full-sync period for a cluster of `nodes` (Consul's scaling of `ae_interval`).
pub fn full_sync_interval(nodes: usize) -> Duration {
    let base = Duration::from_secs(60);
    if nodes <= 128 {
        return base;
    }
    let doublings = (nodes as f64 / 128.0).log2().ceil() as u32;
    base * (doublings + 1)
}

/// Runs anti-entropy for the agent's lifetime.
pub async fn run(agent: Arc<Agent>) {
    let mut events = agent.gossip.subscribe();
    let mut next_full = tokio::time::Instant::now();
    loop {
        let (failed, next_due) = match pass(&agent).await {
            Ok(next_due) => (false, next_due),
            Err(e) => {
                tracing::debug!("anti-entropy: sync deferred: {e}");
                (true, None)
            }
        };
        let now = tokio::time::Instant::now();
        if next_full <= now {
            let period = full_sync_interval(agent.gossip.members().len());
            let stagger = rand::rng().random_range(0..=period.as_millis() as u64 / 4);
            next_full = now + period + Duration::from_millis(stagger);
        }
        let wake = if failed {
            now + RETRY
        } else {
            next_due.map_or(next_full, |due| due.min(next_full))
        };
        tokio::select! {
            // No debounce: a change is synced at once, and the changes made while a pass runs
            // go out together in the next one (the notification holds one permit).
            _ = agent.local.changed.notified() => {}
            _ = tokio::time::sleep_until(wake) => {}
            up = server_up(&agent, &mut events) => match up {
                true => next_full = tokio::time::Instant::now(),
                false => return,
            },
        }
    }
}

/// Waits until a server of this datacenter joins or comes back alive, or events were dropped;
/// false once gossip has stopped.
async fn server_up(agent: &Agent, events: &mut broadcast::Receiver<MemberEvent>) -> bool {
    loop {
        match events.recv().await {
            Ok(MemberEvent::Join(m) | MemberEvent::Update(m))
                if m.status == member_status::ALIVE
                    && server_of(&m, &agent.config.datacenter).is_some() =>
            {
                return true;
            }
            // Events were dropped, a server's arrival perhaps among them: sync to find out.
            Err(RecvError::Lagged(_)) => return true,
            Ok(_) => {}
            Err(RecvError::Closed) => return false,
        }
    }
}

/// One pass: read the catalog's view of this node, write the differences. Returns when the
/// next deferred check output comes due.
async fn pass(agent: &Agent) -> Result<Option<tokio::time::Instant>, String> {
    let node = agent.node_info();
    let view = agent.local.sync_view();
    let (services, mut checks) = (view.services, view.checks);
    let q = QueryOptions::default();
    let (remote, _) = agent
        .catalog_node(&node.name, &q)
        .await
        .map_err(|e| e.to_string())?;
    let (remote_checks, _) = agent
        .node_checks(&node.name, &q)
        .await
        .map_err(|e| e.to_string())?;
    // An output change that is not due yet leaves the catalog's output (status changes are
    // never deferred).
    for id in &view.deferred {
        let remote = remote_checks.iter().find(|c| c.check_id == *id);
        if let (Some(local), Some(remote)) = (checks.get_mut(id), remote) {
            if local.status == remote.status {
                local.output.clone_from(&remote.output);
            }
        }
    }
    // Submitted together, the writes of one pass share one Raft entry (the batcher groups
    // what is queued at once), so a pass costs one commit whatever it changes.
    let writes = plan(&node, &services, &checks, remote.as_ref(), &remote_checks)
        .into_iter()
        .map(|op| async move {
            match op {
                Op::Register(reg) => agent.catalog_register(*reg).await,
                Op::Deregister(d) => agent.catalog_deregister(d).await,
            }
        });
    for result in futures::future::join_all(writes).await {
        result.map_err(|e| e.to_string())?;
    }
    Ok(view.next_due)
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
