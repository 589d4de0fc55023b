//! Autopilot as Consul's leader runs it: its settings live in Raft (the first leader writes the
//! `autopilot {}` of its config file; `/v1/operator/autopilot/configuration` changes them with
//! check-and-set), and the leader judges every server's health from gossip and Raft: alive in
//! gossip, heard from within `LastContactThreshold`, on the leader's term and at most
//! `MaxTrailingLogs` behind. A server is stable once healthy for `ServerStabilizationTime`;
//! `FailureTolerance` is how many healthy voters could fail with quorum kept. Dead-server
//! cleanup (`agent::cluster`) follows these settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::raft::{PeerView, RaftNode};
use super::state::{Command, CommandResult};
use super::Agent;
use crate::api::agent::member_status;
use crate::api::autopilot::{
    AutopilotConfiguration, AutopilotServer, AutopilotState, OperatorHealthReply, ServerHealth,
};
use crate::api::AgentMember;
use crate::config::AutopilotConfig;

/// How often the leader looks at its servers (StableSince is this precise).
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Since when each server (by ID) has been healthy or not, on the leader.
#[derive(Default)]
pub struct Stability(Mutex<HashMap<String, (bool, SystemTime)>>);

impl Stability {
    /// Records `healthy` for `id` now; returns since when it has been so.
    fn observe(&self, id: &str, healthy: bool, now: SystemTime) -> SystemTime {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(id.to_string()).or_insert((healthy, now));
        if entry.0 != healthy {
            *entry = (healthy, now);
        }
        entry.1
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The settings of the config file, as autopilot's configuration.
pub fn from_config(c: &AutopilotConfig) -> AutopilotConfiguration {
    AutopilotConfiguration {
        cleanup_dead_servers: c.cleanup_dead_servers,
        last_contact_threshold: c.last_contact_threshold,
        max_trailing_logs: c.max_trailing_logs,
        min_quorum: c.min_quorum,
        server_stabilization_time: c.server_stabilization_time,
        ..AutopilotConfiguration::default()
    }
}

/// The settings in force: Raft's, or the config file's until a leader has written them.
pub fn configuration(agent: &Agent) -> AutopilotConfiguration {
    agent
        .store
        .read()
        .autopilot
        .clone()
        .unwrap_or_else(|| from_config(&agent.config.autopilot))
}

/// On a server: while it leads, writes the config file's settings if Raft has none yet and
/// keeps the servers' stability times current.
pub async fn run(agent: Arc<Agent>, raft: Arc<RaftNode>) {
    let mut leading = false;
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        if !raft.is_leader() {
            if leading {
                agent.autopilot_stability.clear();
            }
            leading = false;
            continue;
        }
        leading = true;
        if agent.store.read().autopilot.is_none() {
            let config = Box::new(from_config(&agent.config.autopilot));
            let written = agent
                .write(Command::AutopilotSetConfig {
                    config,
                    cas: Some(0),
                })
                .await;
            if let Err(e) = written {
                tracing::debug!("autopilot: configuration not written yet: {e}");
            }
        }
        health(&agent, &raft);
    }
}

/// Every server's health, as `/v1/operator/autopilot/health` reports it (on the leader).
pub fn health(agent: &Agent, raft: &RaftNode) -> OperatorHealthReply {
    judge(
        &configuration(agent),
        &raft.peer_views(),
        &agent.gossip.members(),
        &agent.autopilot_stability,
        SystemTime::now(),
    )
}

/// Judges each server of `peers` by `config`, with its gossip status from `members`.
fn judge(
    config: &AutopilotConfiguration,
    peers: &[PeerView],
    members: &[AgentMember],
    stability: &Stability,
    now: SystemTime,
) -> OperatorHealthReply {
    let leader = peers.iter().find(|p| p.leader);
    let (leader_term, leader_index) = leader.map_or((0, 0), |l| (l.last_term, l.last_index));
    let servers: Vec<ServerHealth> = peers
        .iter()
        .map(|p| {
            let member = members.iter().find(|m| m.tags.get("id") == Some(&p.id));
            let serf_status = member.map_or(member_status::NONE, |m| m.status);
            let healthy = serf_status == member_status::ALIVE
                && p.last_contact
                    .is_some_and(|c| c <= config.last_contact_threshold)
                && p.last_term == leader_term
                && p.last_index + config.max_trailing_logs >= leader_index;
            let since = stability.observe(&p.id, healthy, now);
            ServerHealth {
                id: p.id.clone(),
                name: p.name.clone(),
                address: p.address.clone(),
                serf_status: member_status::name(serf_status).into(),
                version: member
                    .and_then(|m| m.tags.get("build"))
                    .map(|b| b.split(':').next().unwrap_or_default().to_string())
                    .unwrap_or_default(),
                leader: p.leader,
                last_contact: p.last_contact,
                last_term: p.last_term,
                last_index: p.last_index,
                healthy,
                voter: p.voter,
                stable_since: rfc3339(since),
            }
        })
        .collect();
    let voters = servers.iter().filter(|s| s.voter).count();
    let healthy_voters = servers.iter().filter(|s| s.voter && s.healthy).count();
    let quorum = voters / 2 + 1;
    OperatorHealthReply {
        healthy: servers.iter().all(|s| s.healthy),
        failure_tolerance: u32::try_from(healthy_voters.saturating_sub(quorum)).unwrap_or(0),
        servers,
    }
}

/// `/v1/operator/autopilot/state`: the same judgement keyed by server, with roles.
pub fn state(agent: &Agent, raft: &RaftNode) -> AutopilotState {
    let reply = health(agent, raft);
    let catalog = agent.store.read();
    let mut state = AutopilotState {
        healthy: reply.healthy,
        failure_tolerance: reply.failure_tolerance,
        optimistic_failure_tolerance: reply.failure_tolerance,
        ..AutopilotState::default()
    };
    for s in reply.servers {
        if s.leader {
            state.leader = s.id.clone();
        }
        if s.voter {
            state.voters.push(s.id.clone());
        }
        let meta = catalog
            .catalog
            .node(&s.name)
            .map(|n| n.meta.clone())
            .unwrap_or_default();
        let status = match (s.leader, s.voter) {
            (true, _) => "leader",
            (false, true) => "voter",
            (false, false) => "non-voter",
        };
        state.servers.insert(
            s.id.clone(),
            AutopilotServer {
                id: s.id,
                name: s.name,
                address: s.address,
                node_status: s.serf_status,
                version: s.version,
                last_contact: s.last_contact,
                last_term: s.last_term,
                last_index: s.last_index,
                healthy: s.healthy,
                stable_since: s.stable_since,
                status: status.into(),
                meta,
                node_type: "voter".into(),
            },
        );
    }
    state
}

/// Writes `config` (with check-and-set when `cas` is given): whether it was written.
pub async fn set_configuration(
    agent: &Agent,
    config: AutopilotConfiguration,
    cas: Option<u64>,
) -> Result<bool, super::endpoints::EndpointError> {
    match agent
        .write(Command::AutopilotSetConfig {
            config: Box::new(config),
            cas,
        })
        .await?
        .1
    {
        CommandResult::Autopilot(done) => Ok(done),
        other => Err(super::endpoints::EndpointError::Write(format!(
            "unexpected result of an autopilot write: {other:?}"
        ))),
    }
}

fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str, leader: bool, contact_ms: Option<u64>, term: u64, index: u64) -> PeerView {
        PeerView {
            id: id.into(),
            name: id.into(),
            address: format!("{id}:8300"),
            voter: true,
            leader,
            last_contact: contact_ms.map(Duration::from_millis),
            last_term: term,
            last_index: index,
        }
    }

    fn member(id: &str, status: u8) -> AgentMember {
        let mut m = AgentMember {
            name: id.into(),
            status,
            ..Default::default()
        };
        m.tags.insert("id".into(), id.into());
        m.tags.insert("build".into(), "1.2.3:sd".into());
        m
    }

    #[test]
    fn each_rule_can_make_a_server_unhealthy() {
        let config = AutopilotConfiguration::default();
        let stability = Stability::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let peers = [
            peer("a", true, Some(0), 3, 500),
            peer("b", false, Some(10), 3, 490),
            peer("c", false, Some(10), 3, 200),
            peer("d", false, Some(900), 3, 500),
            peer("e", false, Some(10), 2, 500),
            peer("f", false, None, 0, 0),
            peer("g", false, Some(10), 3, 500),
        ];
        let mut members: Vec<AgentMember> = ["a", "b", "c", "d", "e", "f"]
            .map(|id| member(id, member_status::ALIVE))
            .into();
        members.push(member("g", member_status::FAILED));
        let r = judge(&config, &peers, &members, &stability, t0);
        let healthy: Vec<(&str, bool)> = r
            .servers
            .iter()
            .map(|s| (s.id.as_str(), s.healthy))
            .collect();
        assert_eq!(
            healthy,
            [
                ("a", true),
                ("b", true),
                ("c", false),
                ("d", false),
                ("e", false),
                ("f", false),
                ("g", false)
            ]
        );
        assert!(!r.healthy);
        // 2 healthy voters of 7 (quorum 4): no failure tolerated.
        assert_eq!(r.failure_tolerance, 0);
        assert_eq!(r.servers[0].version, "1.2.3");
        assert_eq!(r.servers[6].serf_status, "failed");
        assert_eq!(r.servers[0].stable_since, "2023-11-14T22:13:20Z");
    }

    #[test]
    fn failure_tolerance_and_stable_since() {
        let config = AutopilotConfiguration::default();
        let stability = Stability::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let peers = [
            peer("a", true, Some(0), 3, 10),
            peer("b", false, Some(5), 3, 10),
            peer("c", false, Some(5), 3, 10),
        ];
        let members = ["a", "b", "c"].map(|id| member(id, member_status::ALIVE));
        let r = judge(&config, &peers, &members, &stability, t0);
        assert!(r.healthy);
        assert_eq!(r.failure_tolerance, 1);
        // Still healthy later: stable since the first look.
        let later = t0 + Duration::from_secs(30);
        let r = judge(&config, &peers, &members, &stability, later);
        assert_eq!(r.servers[1].stable_since, "2023-11-14T22:13:20Z");
    }
}
