//! Read-only views of a [`RaftNode`] in Consul's vocabulary: leadership, last contact, the
//! `raft` section of `/v1/agent/self` stats, `/v1/operator/raft/configuration` and the servers
//! as the leader sees them ([`PeerView`], autopilot's input).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use openraft::ServerState;

use super::types::RaftMetrics;
use super::RaftNode;
use crate::api::{format_duration, RaftConfiguration, RaftServer};

/// Whether the membership of `m` has one voter at most: a leader of itself alone, whose lease
/// never runs out.
pub(super) fn alone(m: &RaftMetrics) -> bool {
    m.membership_config.membership().voter_ids().count() <= 1
}

/// Consul's name of a Raft state.
fn state_name(state: ServerState) -> &'static str {
    match state {
        ServerState::Leader => "Leader",
        ServerState::Candidate => "Candidate",
        // Consul has no learner state: a non-voter follows.
        ServerState::Follower | ServerState::Learner => "Follower",
        ServerState::Shutdown => "Shutdown",
    }
}

/// One server of the Raft configuration as this node (the leader) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerView {
    /// The node ID (a UUID).
    pub id: String,
    pub name: String,
    pub address: String,
    pub voter: bool,
    pub leader: bool,
    /// Since it last answered this leader's AppendEntries: zero for this node itself, `None`
    /// when it never did.
    pub last_contact: Option<Duration>,
    /// The term and index of the last entry it is known to hold.
    pub last_term: u64,
    pub last_index: u64,
}

impl RaftNode {
    /// Every server of the configuration, as autopilot judges them (meaningful on the leader).
    pub fn peer_views(&self) -> Vec<PeerView> {
        let m: RaftMetrics = self.metrics();
        let membership = m.membership_config.membership();
        let voters: Vec<u64> = membership.voter_ids().collect();
        let own_last = self.positions.last_log_index.load(Ordering::Acquire);
        membership
            .nodes()
            .map(|(nid, node)| {
                let (last_contact, last_term, last_index) = if *nid == self.id {
                    (Some(Duration::ZERO), m.current_term, own_last)
                } else {
                    let matched = m
                        .replication
                        .as_ref()
                        .and_then(|r| r.get(nid).copied().flatten());
                    (
                        self.contacts.last(*nid).map(|at| at.elapsed()),
                        matched.map_or(0, |l| l.leader_id.term),
                        matched.map_or(0, |l| l.index),
                    )
                };
                PeerView {
                    id: node.id.clone(),
                    name: node.name.clone(),
                    address: node.addr.clone(),
                    voter: voters.contains(nid),
                    leader: m.current_leader == Some(*nid),
                    last_contact,
                    last_term,
                    last_index,
                }
            })
            .collect()
    }

    /// True when this node is the leader.
    pub fn is_leader(&self) -> bool {
        self.leads(&self.raft.metrics().borrow())
    }

    /// [`Self::is_leader`] by the metrics `m`.
    pub(super) fn leads(&self, m: &RaftMetrics) -> bool {
        self.raft_leader(m.state, m.current_leader) && self.has_quorum(m)
    }

    /// Whether Raft's `state` and `leader` say this node leads (lease or not).
    pub(super) fn raft_leader(&self, state: ServerState, leader: Option<u64>) -> bool {
        state == ServerState::Leader && leader == Some(self.id)
    }

    /// Whether this leader heard from a quorum within the leader lease. openraft 0.9 restarts a
    /// former leader as leader and keeps a cut-off leader in that state; like Consul's leader
    /// (which steps down after LeaderLeaseTimeout), such a server does not count as the leader
    /// until a quorum answers it again.
    ///
    /// The lease is shorter than the followers' (openraft's followers refuse to vote for
    /// `election_timeout_max` after the leader's last message, and the leader counts from when
    /// it *sent* the message a quorum acknowledged): no other leader can exist while it runs,
    /// so default-mode reads stay linearizable. Three times longer let a cut-off leader answer
    /// stale reads for 600 ms after a new leader took writes (found by tests/nemesis).
    fn has_quorum(&self, m: &RaftMetrics) -> bool {
        alone(m)
            || m.millis_since_quorum_ack
                .is_some_and(|ms| ms <= self.lease_ms())
    }

    /// The leader lease of [`Self::has_quorum`], in milliseconds.
    pub(super) fn lease_ms(&self) -> u64 {
        self.raft_config.election_timeout_max.saturating_mul(9) / 10
    }

    /// Whether this leader has applied an entry of its own term. A new leader learns how far
    /// its predecessor committed only by committing in its own term; until then its state may
    /// lack acknowledged writes, and a read it served could go back in time (found by
    /// tests/nemesis: a default read right after a failover missed a write acknowledged before
    /// the old leader died).
    pub fn caught_up_as_leader(&self) -> bool {
        let metrics = self.raft.metrics();
        let m = metrics.borrow();
        m.last_applied
            .is_some_and(|l| l.leader_id.term == m.current_term)
    }

    /// Waits up to `timeout` for [`RaftNode::caught_up_as_leader`]; false if it did not happen.
    pub async fn wait_caught_up_as_leader(&self, timeout: std::time::Duration) -> bool {
        self.caught_up_as_leader()
            || self
                .raft
                .wait(Some(timeout))
                .metrics(
                    |m| {
                        m.last_applied
                            .is_some_and(|l| l.leader_id.term == m.current_term)
                    },
                    "the leader applied an entry of its term",
                )
                .await
                .is_ok()
    }

    /// `ip:port` of the current leader's server RPC listener, if a leader is known.
    pub fn leader_addr(&self) -> Option<String> {
        let metrics = self.raft.metrics();
        let m = metrics.borrow();
        let leader = m.current_leader?;
        if leader == self.id && !self.has_quorum(&m) {
            return None;
        }
        m.membership_config
            .membership()
            .get_node(&leader)
            .map(|n| n.addr.clone())
    }

    /// Milliseconds since the leader last contacted this server; 0 on the leader. A follower
    /// that was never contacted reports the time since this node started.
    pub fn last_contact_ms(&self) -> u64 {
        self.last_contact_elapsed()
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    /// None on the leader.
    fn last_contact_elapsed(&self) -> Option<Duration> {
        if self.is_leader() {
            return None;
        }
        let since = self
            .last_contact
            .lock()
            .ok()
            .and_then(|g| *g)
            .unwrap_or(self.opened);
        Some(since.elapsed())
    }

    /// Consul's `raft` stats (`/v1/agent/self` → `Stats.raft`).
    pub fn stats(&self) -> BTreeMap<String, String> {
        let m = self.metrics();
        let applied = self.applied_index();
        let commit = self
            .positions
            .committed_index
            .load(Ordering::Acquire)
            .max(applied);
        let membership = m.membership_config.membership();
        let voters: Vec<u64> = membership.voter_ids().collect();
        let mut servers = Vec::new();
        for (nid, node) in membership.nodes() {
            let suffrage = if voters.contains(nid) {
                "Voter"
            } else {
                "Nonvoter"
            };
            servers.push(format!(
                "{{Suffrage:{suffrage} ID:{} Address:{}}}",
                node.id, node.addr
            ));
        }
        let last_contact = match self.last_contact_elapsed() {
            None => "0".to_string(),
            Some(_) if self.last_contact.lock().ok().and_then(|g| *g).is_none() => "never".into(),
            Some(d) => format_duration(d),
        };
        let snapshot = m.snapshot;
        let num_peers = voters.iter().filter(|v| **v != self.id).count();
        let pairs: [(&str, String); 18] = [
            ("applied_index", applied.to_string()),
            ("commit_index", commit.to_string()),
            ("fsm_pending", commit.saturating_sub(applied).to_string()),
            ("last_contact", last_contact),
            (
                "last_log_index",
                self.positions
                    .last_log_index
                    .load(Ordering::Acquire)
                    .to_string(),
            ),
            (
                "last_log_term",
                self.positions
                    .last_log_term
                    .load(Ordering::Acquire)
                    .to_string(),
            ),
            (
                "last_snapshot_index",
                snapshot.map_or(0, |s| s.index).to_string(),
            ),
            (
                "last_snapshot_term",
                snapshot.map_or(0, |s| s.leader_id.term).to_string(),
            ),
            ("latest_configuration", format!("[{}]", servers.join(" "))),
            (
                "latest_configuration_index",
                m.membership_config
                    .log_id()
                    .map_or(0, |l| l.index)
                    .to_string(),
            ),
            ("num_peers", num_peers.to_string()),
            ("protocol_version", "3".into()),
            ("protocol_version_max", "3".into()),
            ("protocol_version_min", "0".into()),
            ("snapshot_version_max", "1".into()),
            ("snapshot_version_min", "0".into()),
            ("state", state_name(m.state).into()),
            ("term", m.current_term.to_string()),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The Raft configuration as `/v1/operator/raft/configuration` reports it.
    pub fn configuration(&self) -> RaftConfiguration {
        let m: RaftMetrics = self.metrics();
        let membership = m.membership_config.membership();
        let voters: Vec<u64> = membership.voter_ids().collect();
        let own_last = self.positions.last_log_index.load(Ordering::Acquire);
        let servers = membership
            .nodes()
            .map(|(nid, node)| {
                let last_index = if *nid == self.id {
                    own_last
                } else {
                    m.replication
                        .as_ref()
                        .and_then(|r| r.get(nid).copied().flatten())
                        .map_or(0, |l| l.index)
                };
                RaftServer {
                    id: node.id.clone(),
                    node: node.name.clone(),
                    address: node.addr.clone(),
                    leader: m.current_leader == Some(*nid),
                    protocol_version: "3".into(),
                    voter: voters.contains(nid),
                    last_index,
                }
            })
            .collect();
        RaftConfiguration {
            servers,
            index: m.membership_config.log_id().map_or(0, |l| l.index),
        }
    }
}
