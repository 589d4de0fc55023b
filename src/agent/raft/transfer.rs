//! Leadership transfer (`operator raft transfer-leader`). openraft 0.9 has no TimeoutNow
//! message, and a voter that heard from its leader within the leader lease refuses to vote, so
//! the leader hands over in steps: it picks a voter that has its whole log (or the one named),
//! pauses client writes and its heartbeats, asks the other voters not to campaign for a while,
//! waits out the lease, then asks the target to campaign. The target wins with the votes of the
//! others (its log is at least as long as theirs); the old leader sees the new term and steps
//! down. Every pause is undone on the way out, whatever happens, and the other voters' hold
//! expires by itself should the leader die in between.

use std::time::Duration;

use openraft::ServerState;

use super::types::ServerNode;
use super::{RaftAdminError, RaftNode};
use crate::agent::rpc::messages::{ElectionControl, PATH_ELECTION};

/// How long the target may take to catch up with the leader's log.
const CATCH_UP: Duration = Duration::from_secs(5);
/// How long the target may take to win after it was asked to campaign.
const TAKE_OVER: Duration = Duration::from_secs(5);
/// How long the other voters hold back their own campaigns (they resume by themselves).
const HOLD: Duration = Duration::from_secs(5);
/// RPC timeout for the control messages.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(2);

impl RaftNode {
    /// Hands leadership to the voter with Consul node ID `to`, or to the most up-to-date other
    /// voter. Returns the new leader. Runs on the leader only.
    pub async fn transfer_leader(&self, to: Option<&str>) -> Result<ServerNode, RaftAdminError> {
        let metrics = self.metrics();
        if metrics.state != ServerState::Leader {
            return Err(RaftAdminError::Failed(
                "this server is not the leader".into(),
            ));
        }
        let membership = metrics.membership_config.membership().clone();
        let voters: Vec<(u64, ServerNode)> = membership
            .voter_ids()
            .filter(|v| *v != self.id)
            .filter_map(|v| membership.get_node(&v).map(|n| (v, n.clone())))
            .collect();
        let matched = |nid: u64| {
            self.metrics()
                .replication
                .as_ref()
                .and_then(|r| r.get(&nid).copied().flatten())
                .map_or(0, |l| l.index)
        };
        let (target_id, target) = match to.filter(|t| !t.is_empty()) {
            Some(id) if id.eq_ignore_ascii_case(&self.me.id) => {
                return Err(RaftAdminError::Failed(format!(
                    "{id} is already the leader"
                )))
            }
            Some(id) => voters
                .iter()
                .find(|(_, n)| n.id.eq_ignore_ascii_case(id))
                .cloned()
                .ok_or_else(|| RaftAdminError::NotFound(format!("id {id:?} among the voters")))?,
            None => voters
                .iter()
                .max_by_key(|(nid, _)| matched(*nid))
                .cloned()
                .ok_or_else(|| {
                    RaftAdminError::Failed(
                        "there is no other voter to transfer leadership to".into(),
                    )
                })?,
        };

        // No client write may reach the log (and refresh the voters' lease) from here on.
        let _writes = self.transfer_gate.write().await;
        let last = self.metrics().last_log_index.unwrap_or(0);
        let caught_up = self
            .raft
            .wait(Some(CATCH_UP))
            .metrics(
                |m| {
                    m.replication
                        .as_ref()
                        .and_then(|r| r.get(&target_id).copied().flatten())
                        .is_some_and(|l| l.index >= last)
                },
                "transfer target caught up",
            )
            .await;
        if caught_up.is_err() {
            return Err(RaftAdminError::Failed(format!(
                "{target} did not catch up with the leader within {CATCH_UP:?}"
            )));
        }

        let others: Vec<&ServerNode> = voters
            .iter()
            .filter(|(nid, _)| *nid != target_id)
            .map(|(_, n)| n)
            .collect();
        for other in &others {
            self.control(
                other,
                ElectionControl::Hold {
                    millis: HOLD.as_millis() as u64,
                },
            )
            .await;
        }
        self.raft.runtime_config().heartbeat(false);
        let outcome = async {
            // Let the voters' lease on this leader run out.
            tokio::time::sleep(self.lease() + Duration::from_millis(20)).await;
            self.control(&target, ElectionControl::Campaign).await;
            self.raft
                .wait(Some(TAKE_OVER))
                .metrics(
                    |m| m.current_leader == Some(target_id),
                    "transfer target leads",
                )
                .await
        }
        .await;
        self.raft.runtime_config().heartbeat(true);
        for other in &others {
            self.control(other, ElectionControl::Release).await;
        }
        match outcome {
            Ok(_) => {
                tracing::info!(to = %target, "leadership transferred");
                Ok(target)
            }
            Err(e) => Err(RaftAdminError::Failed(format!(
                "{target} did not take over: {e}"
            ))),
        }
    }

    /// Applies an election control message from the leader.
    pub async fn election_control(&self, msg: ElectionControl) {
        match msg {
            ElectionControl::Hold { millis } => {
                self.raft.runtime_config().elect(false);
                let raft = self.raft.clone();
                let generation = self
                    .hold_generation
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1;
                let counter = self.hold_generation.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(millis.min(60_000))).await;
                    // Only the newest hold ends itself.
                    if counter.load(std::sync::atomic::Ordering::SeqCst) == generation {
                        raft.runtime_config().elect(true);
                    }
                });
            }
            ElectionControl::Release => {
                self.hold_generation
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                self.raft.runtime_config().elect(true);
            }
            ElectionControl::Campaign => {
                if let Err(e) = self.raft.trigger().elect().await {
                    tracing::warn!("cannot start the election asked for: {e}");
                }
            }
        }
    }

    /// Sends a control message; a voter that cannot be reached is logged and skipped (a dead
    /// voter cannot campaign either).
    async fn control(&self, to: &ServerNode, msg: ElectionControl) {
        let sent: Result<(), _> = self
            .rpc
            .call(&to.addr, PATH_ELECTION, &msg, CONTROL_TIMEOUT)
            .await;
        if let Err(e) = sent {
            tracing::warn!(server = %to, "leadership transfer: {e}");
        }
    }

    fn lease(&self) -> Duration {
        Duration::from_millis(self.raft_config.election_timeout_max)
    }
}
