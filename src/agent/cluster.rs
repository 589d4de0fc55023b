//! Keeps the Raft configuration in line with the gossip pool, the way Consul's leader and
//! autopilot do: servers seen alive in this datacenter are added as voters, servers that left are
//! removed, servers failed for longer than the cleanup time are removed while quorum stays safe,
//! and `-bootstrap-expect=N` bootstraps once N servers see each other. Joining (`-join`,
//! `-retry-join`, the snapshot of known members) lives here too.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::api::agent::member_status;
use crate::api::AgentMember;

use super::gossip::{Gossip, Pool};
use super::raft::{RaftNode, ServerNode};

/// How often the leader reconciles even without gossip events.
const RECONCILE_EVERY: Duration = Duration::from_secs(2);

/// A server as gossip describes it, if `m` is a server of datacenter `dc`.
pub fn server_of(m: &AgentMember, dc: &str) -> Option<ServerNode> {
    if m.tags.get("role").map(String::as_str) != Some("consul")
        || m.tags.get("dc").map(String::as_str) != Some(dc)
    {
        return None;
    }
    let id = m.tags.get("id")?.clone();
    let port: u16 = m.tags.get("port")?.parse().ok()?;
    Some(ServerNode {
        id,
        name: m.name.clone(),
        addr: format!("{}:{port}", m.addr),
    })
}

/// What the leader should change, from the gossip view and the current voters.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub add: Vec<ServerNode>,
    pub remove: Vec<String>,
}

/// Autopilot's dead-server cleanup: after how long a failed server goes, and how many servers
/// must remain (`MinQuorum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleanup {
    pub after: Duration,
    pub min_quorum: usize,
}

impl Cleanup {
    #[cfg(test)]
    pub fn after(after: Duration) -> Cleanup {
        Cleanup {
            after,
            min_quorum: 0,
        }
    }

    /// What autopilot's settings ask for: failed servers go after three stabilization times,
    /// or never with `CleanupDeadServers` off.
    pub fn of(c: &crate::api::autopilot::AutopilotConfiguration) -> Cleanup {
        Cleanup {
            after: match c.cleanup_dead_servers {
                true => c.server_stabilization_time.saturating_mul(3),
                false => Duration::MAX,
            },
            min_quorum: c.min_quorum as usize,
        }
    }
}

/// Decides the membership changes. `failed_since` says since when each failed server (by ID) has
/// been seen failed; `cleanup` is autopilot's dead-server rule.
pub fn plan(
    me: &str,
    members: &[AgentMember],
    voters: &[String],
    dc: &str,
    failed_since: &HashMap<String, Instant>,
    now: Instant,
    cleanup: Cleanup,
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: BTreeMap<String, u8> = BTreeMap::new();
    for m in members {
        let Some(server) = server_of(m, dc) else {
            continue;
        };
        seen.insert(server.id.clone(), m.status);
        if m.status == member_status::ALIVE && !voters.contains(&server.id) {
            plan.add.push(server);
        }
    }
    let alive_voters = voters
        .iter()
        .filter(|v| seen.get(*v) == Some(&member_status::ALIVE) || v.as_str() == me)
        .count();
    let mut removable_dead = Vec::new();
    for v in voters {
        if v == me {
            continue;
        }
        match seen.get(v) {
            Some(&member_status::LEFT) => plan.remove.push(v.clone()),
            Some(&member_status::FAILED) | None
                if failed_since
                    .get(v)
                    .is_some_and(|t| now.duration_since(*t) >= cleanup.after) =>
            {
                removable_dead.push(v.clone());
            }
            _ => {}
        }
    }
    // Remove dead servers only while the alive ones stay a majority of what remains.
    for v in removable_dead {
        let remaining = voters.len() - plan.remove.len() - 1;
        if remaining > 0 && alive_voters * 2 > remaining && remaining >= cleanup.min_quorum {
            plan.remove.push(v);
        }
    }
    plan
}

/// Reconciles Raft membership with gossip for the agent's lifetime. Only the leader changes
/// membership; a server that is not yet part of any cluster handles `-bootstrap-expect`.
pub async fn run(agent: Arc<super::Agent>, raft: Arc<RaftNode>) {
    let mut events = agent.gossip.subscribe();
    let mut failed_since: HashMap<String, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(RECONCILE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            ev = events.recv() => {
                if let Err(tokio::sync::broadcast::error::RecvError::Closed) = ev {
                    return;
                }
            }
        }
        let members = agent.gossip.members();
        let dc = agent.config.datacenter.clone();
        let now = Instant::now();
        track_failures(&members, &dc, &mut failed_since, now);
        if agent.config.bootstrap_expect > 1 {
            bootstrap_expect(&agent, &raft, &members).await;
        }
        if !raft.is_leader() {
            continue;
        }
        let voters: Vec<String> = raft
            .configuration()
            .servers
            .into_iter()
            .filter(|s| s.voter)
            .map(|s| s.id)
            .collect();
        let plan = plan(
            &agent.node_id,
            &members,
            &voters,
            &dc,
            &failed_since,
            now,
            Cleanup::of(&super::autopilot::configuration(&agent)),
        );
        for server in plan.add {
            tracing::info!(server = %server.name, addr = %server.addr, "adding server to the Raft configuration");
            if let Err(e) = raft.add_voter(server.clone()).await {
                tracing::warn!(server = %server.name, "failed to add server: {e}");
            }
        }
        for id in plan.remove {
            tracing::info!(%id, "removing server from the Raft configuration");
            if let Err(e) = raft.remove_server(&id).await {
                tracing::warn!(%id, "failed to remove server: {e}");
            }
            failed_since.remove(&id);
        }
    }
}

/// Remembers since when each server has been failed (or gone from gossip).
fn track_failures(
    members: &[AgentMember],
    dc: &str,
    failed_since: &mut HashMap<String, Instant>,
    now: Instant,
) {
    for m in members {
        let Some(server) = server_of(m, dc) else {
            continue;
        };
        if m.status == member_status::FAILED {
            failed_since.entry(server.id).or_insert(now);
        } else {
            failed_since.remove(&server.id);
        }
    }
}

/// `-bootstrap-expect=N`: once this server (not yet in any cluster) sees N servers of its
/// datacenter expecting the same N, all of them bootstrap with the same configuration.
async fn bootstrap_expect(agent: &super::Agent, raft: &RaftNode, members: &[AgentMember]) {
    let expect = agent.config.bootstrap_expect as usize;
    match raft.is_initialized().await {
        Ok(false) => {}
        _ => return,
    }
    let expect_tag = expect.to_string();
    let mut servers: Vec<ServerNode> = members
        .iter()
        .filter(|m| m.status == member_status::ALIVE && m.tags.get("expect") == Some(&expect_tag))
        .filter_map(|m| server_of(m, &agent.config.datacenter))
        .collect();
    if servers.len() < expect {
        return;
    }
    servers.sort_by(|a, b| a.id.cmp(&b.id));
    tracing::info!(
        servers = servers.len(),
        "bootstrap-expect reached: bootstrapping the cluster"
    );
    if let Err(e) = raft.initialize_cluster(servers).await {
        tracing::warn!("bootstrap failed: {e}");
    }
}

/// `-retry-max` join attempts all failed.
#[derive(Debug, thiserror::Error)]
#[error("max join retry exhausted after {attempts} attempts; check that {} addresses run an sd {} on the serf {pool} port", flag(*pool), agent(*pool))]
pub struct JoinError {
    pub attempts: u32,
    pub pool: Pool,
}

fn flag(pool: Pool) -> &'static str {
    match pool {
        Pool::Lan => "-retry-join",
        Pool::Wan => "-retry-join-wan",
    }
}

fn agent(pool: Pool) -> &'static str {
    match pool {
        Pool::Lan => "agent",
        Pool::Wan => "server",
    }
}

/// Joins the pool: `-join`/`-retry-join` addresses with `-retry-interval`/`-retry-max`, or the
/// members this agent knew before a restart. Returns an error when retries are exhausted.
pub async fn join(
    gossip: &Gossip,
    addrs: &[String],
    interval: Duration,
    max: u32,
) -> Result<(), JoinError> {
    if addrs.is_empty() {
        let n = gossip.rejoin_known().await;
        if n > 0 {
            tracing::info!("rejoined the cluster through {n} known members");
        }
        return Ok(());
    }
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        match gossip.join(addrs).await {
            Ok(n) => {
                tracing::info!("join completed; contacted {n} nodes");
                return Ok(());
            }
            Err(e) => {
                tracing::warn!(
                    "join attempt {attempt} failed: {e}; retrying in {}",
                    crate::api::format_duration(interval)
                );
            }
        }
        if max > 0 && attempt >= max {
            return Err(JoinError {
                attempts: attempt,
                pool: gossip.pool(),
            });
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, id: &str, status: u8) -> AgentMember {
        let mut tags = BTreeMap::new();
        tags.insert("role".into(), "consul".into());
        tags.insert("dc".into(), "dc1".into());
        tags.insert("id".into(), id.into());
        tags.insert("port".into(), "8300".into());
        AgentMember {
            name: name.into(),
            addr: format!("127.0.0.{}", name.len()),
            status,
            tags,
            ..Default::default()
        }
    }

    #[test]
    fn adds_alive_servers_and_removes_left_ones() {
        let members = vec![
            member("a", "A", 1),
            member("bb", "B", 1),
            member("ccc", "C", 3),
        ];
        let voters = vec!["A".to_string(), "C".to_string()];
        let p = plan(
            "A",
            &members,
            &voters,
            "dc1",
            &HashMap::new(),
            Instant::now(),
            Cleanup::after(Duration::from_secs(60)),
        );
        assert_eq!(
            p.add.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["B"]
        );
        assert_eq!(p.add[0].addr, "127.0.0.2:8300");
        assert_eq!(p.remove, ["C"]);
    }

    #[test]
    fn dead_servers_go_only_after_the_threshold_and_while_quorum_is_safe() {
        let t0 = Instant::now();
        let members = vec![
            member("a", "A", 1),
            member("bb", "B", 1),
            member("ccc", "C", 4),
        ];
        let voters: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let mut since = HashMap::new();
        since.insert("C".to_string(), t0);
        let early = plan(
            "A",
            &members,
            &voters,
            "dc1",
            &since,
            t0 + Duration::from_secs(10),
            Cleanup::after(Duration::from_secs(30)),
        );
        assert!(early.remove.is_empty());
        let late = plan(
            "A",
            &members,
            &voters,
            "dc1",
            &since,
            t0 + Duration::from_secs(31),
            Cleanup::after(Duration::from_secs(30)),
        );
        assert_eq!(late.remove, ["C"]);
        // MinQuorum 3: removing C would leave 2 servers.
        let kept = plan(
            "A",
            &members,
            &voters,
            "dc1",
            &since,
            t0 + Duration::from_secs(31),
            Cleanup {
                after: Duration::from_secs(30),
                min_quorum: 3,
            },
        );
        assert!(kept.remove.is_empty(), "{kept:?}");
        // Two of three dead: removing them would leave the leader alone deciding; keep them.
        let members = vec![
            member("a", "A", 1),
            member("bb", "B", 4),
            member("ccc", "C", 4),
        ];
        since.insert("B".to_string(), t0);
        let unsafe_plan = plan(
            "A",
            &members,
            &voters,
            "dc1",
            &since,
            t0 + Duration::from_secs(31),
            Cleanup::after(Duration::from_secs(30)),
        );
        assert!(unsafe_plan.remove.len() < 2, "{unsafe_plan:?}");
    }

    #[test]
    fn other_datacenters_and_clients_are_ignored() {
        let mut client = member("c1", "X", 1);
        client.tags.insert("role".into(), "node".into());
        let mut other_dc = member("o1", "Y", 1);
        other_dc.tags.insert("dc".into(), "dc2".into());
        let p = plan(
            "A",
            &[client, other_dc],
            &["A".to_string()],
            "dc1",
            &HashMap::new(),
            Instant::now(),
            Cleanup::after(Duration::from_secs(1)),
        );
        assert_eq!(p, Plan::default());
    }
}
