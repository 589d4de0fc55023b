//! The leader keeps the catalog in line with the gossip pool, as Consul's leader does: every
//! member of this datacenter is a catalog node with a `serfHealth` check (passing while alive,
//! critical once failed), servers also carry the `consul` service on their RPC port, and a
//! member that left is deregistered with everything on it, one missing from the pool (reaped,
//! pruned) once it has been missing for [`ABSENT_GRACE`]. Nodes registered
//! through the catalog API alone (no `serfHealth`) are not gossip's business and are left
//! alone. Only differences are written, so a steady cluster writes nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::raft::RaftNode;
use super::state::catalog::Catalog;
use super::state::Command;
use super::Agent;
use crate::api::agent::member_status;
use crate::api::catalog::{health, AgentService, CatalogRegistration, HealthCheck};
use crate::api::AgentMember;

/// The check the leader keeps on every member.
pub const SERF_CHECK_ID: &str = "serfHealth";
const SERF_CHECK_NAME: &str = "Serf Health Status";
const ALIVE_OUTPUT: &str = "Agent alive and reachable";
const FAILED_OUTPUT: &str = "Agent not live or unreachable";

/// How often the leader reconciles even without gossip events (also how soon a new leader
/// does its first pass).
const RECONCILE_EVERY: Duration = Duration::from_secs(2);

/// How long a node with `serfHealth` must be missing from the gossip pool before the leader
/// deregisters it. A restarted leader rejoins the members it knew only a moment after it
/// starts; deregistering the nodes it has not heard from yet would drop every service on them
/// until their agents sync again.
pub const ABSENT_GRACE: Duration = Duration::from_secs(30);

/// When each catalog node missing from the pool was first seen missing.
#[derive(Debug, Default)]
pub struct Absent(HashMap<String, Instant>);

impl Absent {
    /// Whether `node`, missing now, has been missing long enough to deregister.
    fn expired(&mut self, node: &str, now: Instant) -> bool {
        let since = *self.0.entry(node.to_string()).or_insert(now);
        now.duration_since(since) >= ABSENT_GRACE
    }
}

/// A write the catalog needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Register(Box<CatalogRegistration>),
    Deregister(String),
}

/// What to write so the catalog matches `members` (already limited to this datacenter) at
/// `now`; `absent` remembers since when nodes have been missing from the pool.
pub fn plan(
    members: &[AgentMember],
    catalog: &Catalog,
    dc: &str,
    absent: &mut Absent,
    now: Instant,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut present: BTreeMap<&str, u8> = BTreeMap::new();
    for m in members {
        present.insert(m.name.as_str(), m.status);
        let alive = match m.status {
            member_status::ALIVE | member_status::LEAVING => true,
            member_status::FAILED => false,
            _ => continue,
        };
        let want = registration(m, alive, catalog, dc);
        if !already(catalog, &want) {
            changes.push(Change::Register(Box::new(want)));
        }
    }
    for node in catalog.nodes() {
        let has_serf = catalog
            .node_checks(&node.node)
            .iter()
            .any(|c| c.check_id == SERF_CHECK_ID);
        if !has_serf {
            continue;
        }
        let gone = match present.get(node.node.as_str()) {
            Some(&member_status::LEFT) => true,
            Some(_) => false,
            None => absent.expired(&node.node, now),
        };
        if gone {
            changes.push(Change::Deregister(node.node.clone()));
        }
    }
    absent
        .0
        .retain(|n, _| !present.contains_key(n.as_str()) && catalog.node(n).is_some());
    changes
}

/// The node, its `serfHealth` check and, for a server, the `consul` service.
fn registration(m: &AgentMember, alive: bool, catalog: &Catalog, dc: &str) -> CatalogRegistration {
    let existing = catalog.node(&m.name);
    let service = (m.tags.get("role").map(String::as_str) == Some("consul")).then(|| {
        let port = m
            .tags
            .get("port")
            .and_then(|p| p.parse().ok())
            .unwrap_or(8300);
        AgentService {
            id: "consul".into(),
            service: "consul".into(),
            port,
            meta: [
                (
                    "raft_version",
                    m.tags.get("raft_vsn").cloned().unwrap_or_default(),
                ),
                ("serf_protocol_current", m.protocol_cur.to_string()),
                ("serf_protocol_max", m.protocol_max.to_string()),
                ("serf_protocol_min", m.protocol_min.to_string()),
                (
                    "version",
                    m.tags
                        .get("build")
                        .map(|b| b.split(':').next().unwrap_or("").to_string())
                        .unwrap_or_default(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            ..Default::default()
        }
    });
    CatalogRegistration {
        id: m.tags.get("id").cloned().unwrap_or_default(),
        node: m.name.clone(),
        address: m.addr.clone(),
        datacenter: dc.to_string(),
        tagged_addresses: existing
            .map(|n| n.tagged_addresses.clone())
            .unwrap_or_else(|| {
                [
                    ("lan", &m.addr),
                    ("lan_ipv4", &m.addr),
                    ("wan", &m.addr),
                    ("wan_ipv4", &m.addr),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
            }),
        node_meta: existing.map(|n| n.meta.clone()).unwrap_or_default(),
        service,
        checks: vec![HealthCheck {
            node: m.name.clone(),
            check_id: SERF_CHECK_ID.into(),
            name: SERF_CHECK_NAME.into(),
            status: if alive {
                health::PASSING
            } else {
                health::CRITICAL
            }
            .into(),
            output: if alive { ALIVE_OUTPUT } else { FAILED_OUTPUT }.into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Whether the catalog already holds everything `want` says.
fn already(catalog: &Catalog, want: &CatalogRegistration) -> bool {
    let Some(node) = catalog.node(&want.node) else {
        return false;
    };
    if node.address != want.address
        || (!want.id.is_empty() && !node.id.eq_ignore_ascii_case(&want.id))
    {
        return false;
    }
    let checks = catalog.node_checks(&want.node);
    let check_ok = want.checks.iter().all(|w| {
        checks
            .iter()
            .any(|c| c.check_id == w.check_id && c.status == w.status && c.output == w.output)
    });
    let service_ok = want.service.as_ref().is_none_or(|s| {
        catalog
            .catalog_node(&want.node)
            .and_then(|n| n.services.get(&s.id).cloned())
            .is_some_and(|have| {
                have.port == s.port && have.service == s.service && have.meta == s.meta
            })
    });
    check_ok && service_ok
}

/// Runs on every server; only the leader writes.
pub async fn run(agent: Arc<Agent>, raft: Arc<RaftNode>) {
    use std::sync::atomic::Ordering;
    let mut events = agent.gossip.subscribe();
    let mut leadership = raft.leadership();
    let mut absent = Absent::default();
    let mut tick = tokio::time::interval(RECONCILE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut was_leader = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            ev = events.recv() => {
                if let Err(tokio::sync::broadcast::error::RecvError::Closed) = ev {
                    return;
                }
            }
            // A new leader reconciles at once, as Consul's does when it establishes
            // leadership (and one that lost it says so at once).
            changed = leadership.changed(was_leader) => {
                if changed.is_none() {
                    return;
                }
            }
        }
        if !raft.is_leader() {
            // A new leader gives missing nodes their grace again.
            absent = Absent::default();
            was_leader = false;
            agent.leadership_established.store(false, Ordering::Release);
            continue;
        }
        was_leader = true;
        let dc = agent.config.datacenter.clone();
        let members: Vec<AgentMember> = agent
            .gossip
            .members()
            .into_iter()
            .filter(|m| m.tags.get("dc").is_none_or(|d| *d == dc))
            .collect();
        let changes = plan(
            &members,
            &agent.store.read().catalog,
            &dc,
            &mut absent,
            Instant::now(),
        );
        let mut all_written = true;
        for change in changes {
            let (what, cmd) = match change {
                Change::Register(reg) => (reg.node.clone(), Command::CatalogRegister(reg)),
                Change::Deregister(node) => (
                    node.clone(),
                    Command::CatalogDeregister {
                        node,
                        service_id: String::new(),
                        check_id: String::new(),
                    },
                ),
            };
            if let Err(e) = agent.write(cmd).await {
                all_written = false;
                tracing::debug!(node = %what, "catalog reconcile deferred: {e}");
            }
        }
        if agent.acls.enabled() {
            if let Err(e) = agent.ensure_initial_management().await {
                all_written = false;
                tracing::warn!("cannot create the initial management ACL token yet: {e}");
            }
        }
        let me = &agent.config.node_name;
        if all_written && members.iter().any(|m| &m.name == me) {
            agent.leadership_established.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, status: u8, server: bool) -> AgentMember {
        let mut m = AgentMember {
            name: name.into(),
            addr: format!("10.0.0.{}", name.len()),
            status,
            protocol_cur: 2,
            ..Default::default()
        };
        m.tags
            .insert("role".into(), if server { "consul" } else { "node" }.into());
        m.tags
            .insert("id".into(), "3af9a31f-5313-07ca-5c53-079deb9386e3".into());
        m.tags.insert("port".into(), "8300".into());
        m
    }

    fn apply(catalog: &mut Catalog, changes: Vec<Change>, index: u64) {
        for c in changes {
            match c {
                Change::Register(r) => {
                    catalog.register(index, &r).unwrap();
                }
                Change::Deregister(n) => {
                    catalog.deregister(index, &n, "", "");
                }
            }
        }
    }

    #[test]
    fn members_become_nodes_with_serf_health_and_servers_carry_consul() {
        let mut c = Catalog::default();
        let members = vec![member("srv", member_status::ALIVE, true)];
        let changes = plan(&members, &c, "dc1", &mut Absent::default(), Instant::now());
        assert_eq!(changes.len(), 1);
        apply(&mut c, changes, 2);
        assert!(
            plan(&members, &c, "dc1", &mut Absent::default(), Instant::now()).is_empty(),
            "a steady pool writes nothing"
        );
        let consul = c.catalog_service("consul");
        assert_eq!(consul.len(), 1);
        assert_eq!(consul[0].service_port, 8300);
        let serf = c.node_checks("srv");
        assert_eq!(serf[0].check_id, SERF_CHECK_ID);
        assert_eq!(serf[0].status, health::PASSING);

        // Failed: critical. Left: deregistered. Catalog-only nodes stay.
        let reg = CatalogRegistration {
            node: "external".into(),
            address: "1.2.3.4".into(),
            ..Default::default()
        };
        c.register(3, &reg).unwrap();
        let failed = vec![member("srv", member_status::FAILED, true)];
        let changes = plan(&failed, &c, "dc1", &mut Absent::default(), Instant::now());
        apply(&mut c, changes, 4);
        assert_eq!(c.node_checks("srv")[0].status, health::CRITICAL);
        assert_eq!(c.node_checks("srv")[0].output, FAILED_OUTPUT);
        assert!(c.health_service("consul", true).is_empty());
        let left = vec![member("srv", member_status::LEFT, true)];
        let changes = plan(&left, &c, "dc1", &mut Absent::default(), Instant::now());
        apply(&mut c, changes, 5);
        assert!(c.node("srv").is_none());
        assert!(c.node("external").is_some());
    }

    #[test]
    fn a_missing_member_is_deregistered_only_after_the_grace() {
        let mut c = Catalog::default();
        let mut client = member("client", member_status::ALIVE, false);
        client
            .tags
            .insert("id".into(), "9d1c0b7e-64f5-4a55-b0a4-51f7b7f1b6a2".into());
        let both = vec![member("srv", member_status::ALIVE, true), client];
        let mut absent = Absent::default();
        let t0 = Instant::now();
        let changes = plan(&both, &c, "dc1", &mut absent, t0);
        apply(&mut c, changes, 2);
        assert!(c.node("client").is_some());

        // A restarted leader sees only itself at first: nothing is dropped yet.
        let alone = vec![member("srv", member_status::ALIVE, true)];
        assert!(plan(&alone, &c, "dc1", &mut absent, t0).is_empty());
        let later = t0 + ABSENT_GRACE / 2;
        assert!(plan(&alone, &c, "dc1", &mut absent, later).is_empty());

        // The member is back before the grace ends: its clock starts over.
        assert!(plan(&both, &c, "dc1", &mut absent, later).is_empty());
        let again = t0 + ABSENT_GRACE;
        assert!(plan(&alone, &c, "dc1", &mut absent, again).is_empty());

        // Missing for the whole grace: deregistered.
        let changes = plan(&alone, &c, "dc1", &mut absent, again + ABSENT_GRACE);
        assert_eq!(changes, vec![Change::Deregister("client".into())]);
    }
}
