//! Waiting for this server's leadership ([`RaftNode::is_leader`]) to change, without waking on
//! every log index.
//!
//! openraft sends its full metrics at every turn of its core's loop: several times per write
//! and at every tick. A task that only acts when leadership changes (the reconciler, session
//! timers) would run for each of them. openraft's server metrics change only with the state,
//! the leader and the membership, so [`Leadership`] follows those, and reads the full metrics
//! only while they can say something the server metrics cannot:
//! - while the two disagree (the server metrics are sent first, so they run ahead for a moment);
//! - while this server is the Raft leader but has no quorum's acknowledgement yet (a new leader
//!   before its first answers, or one cut off from the others);
//! - and, as the leader of others, once when its quorum lease would run out unless renewed.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::status::alone;
use super::types::{RaftMetrics, ServerNode};
use super::RaftNode;

/// The soonest a leader looks at its lease again: heartbeats renew it many times over.
const LEASE_RECHECK_MIN: Duration = Duration::from_millis(10);

/// A view of one server's leadership that wakes only when it may have changed.
pub struct Leadership<'a> {
    node: &'a RaftNode,
    server: watch::Receiver<openraft::metrics::RaftServerMetrics<u64, ServerNode>>,
    full: watch::Receiver<RaftMetrics>,
    /// How many times it has looked at the leadership (the tests count its wake-ups).
    looks: u64,
}

impl RaftNode {
    /// Follows this server's leadership; see [`Leadership::changed`].
    pub fn leadership(&self) -> Leadership<'_> {
        Leadership {
            node: self,
            server: self.raft.server_metrics(),
            full: self.raft.metrics(),
            looks: 0,
        }
    }
}

impl Leadership<'_> {
    /// Returns [`RaftNode::is_leader`] once it differs from `was`; `None` once Raft has stopped.
    pub async fn changed(&mut self, was: bool) -> Option<bool> {
        let node = self.node;
        loop {
            self.looks += 1;
            let server_leads = {
                let s = self.server.borrow_and_update();
                node.raft_leader(s.state, s.current_leader)
            };
            let (now, full_leads, renew_by) = {
                let m = self.full.borrow_and_update();
                let now = node.leads(&m);
                let renew_by = if now { renew_by(node, &m) } else { None };
                (now, node.raft_leader(m.state, m.current_leader), renew_by)
            };
            if now != was {
                return Some(now);
            }
            if server_leads != full_leads || (full_leads && !now) {
                tokio::select! {
                    r = self.server.changed() => r.ok()?,
                    r = self.full.changed() => r.ok()?,
                }
            } else if let Some(at) = renew_by {
                tokio::select! {
                    r = self.server.changed() => r.ok()?,
                    () = tokio::time::sleep_until(at) => {}
                }
            } else {
                self.server.changed().await.ok()?;
            }
        }
    }
}

#[cfg(test)]
impl Leadership<'_> {
    pub fn looks(&self) -> u64 {
        self.looks
    }
}

/// When a leader of others would lose its lease unless a quorum answers again; `None` for a
/// leader of itself alone, whose lease never runs out.
fn renew_by(node: &RaftNode, m: &RaftMetrics) -> Option<Instant> {
    if alone(m) {
        return None;
    }
    let left = node
        .lease_ms()
        .saturating_sub(m.millis_since_quorum_ack.unwrap_or(u64::MAX));
    Some(Instant::now() + Duration::from_millis(left).max(LEASE_RECHECK_MIN))
}
