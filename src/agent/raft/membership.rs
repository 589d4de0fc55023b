//! Changing who is in the Raft group: bootstrapping a multi-server cluster, adding a server as a
//! voter (as a learner first, until it has caught up) and removing one. Each change runs on the
//! leader; elsewhere it fails with `NotLeader` naming the leader.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use openraft::error::{ChangeMembershipError, ClientWriteError, InitializeError, RaftError};
use openraft::ChangeMembers;

use super::types::{node_id_from_uuid, ServerNode};
use super::{fatal_admin, PeerRef, RaftAdminError, RaftNode, WriteError};

/// How long a new server may take to catch up before `add_voter` gives up (it stays a learner).
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a configuration change may wait for the previous one, and for its own commit.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

impl RaftNode {
    /// True once this node has a Raft configuration (bootstrapped, or joined a cluster).
    pub async fn is_initialized(&self) -> Result<bool, RaftAdminError> {
        self.raft.is_initialized().await.map_err(fatal_admin)
    }

    /// Bootstraps a cluster of `servers` (which must include this node). Every server of a
    /// `-bootstrap-expect` group calls it with the same set; on a node that already has a
    /// configuration it does nothing.
    pub async fn initialize_cluster(&self, servers: Vec<ServerNode>) -> Result<(), RaftAdminError> {
        let members: BTreeMap<u64, ServerNode> = servers
            .into_iter()
            .map(|s| (node_id_from_uuid(&s.id), s))
            .collect();
        if !members.contains_key(&self.id) {
            return Err(RaftAdminError::Failed(format!(
                "the bootstrap set does not include this server ({})",
                self.me
            )));
        }
        match self.raft.initialize(members).await {
            Ok(()) | Err(RaftError::APIError(InitializeError::NotAllowed(_))) => Ok(()),
            Err(RaftError::APIError(e)) => Err(RaftAdminError::Failed(e.to_string())),
            Err(RaftError::Fatal(f)) => Err(fatal_admin(f)),
        }
    }

    /// Makes `server` a voter: adds it as a learner, waits until it has replicated the log up
    /// to that change, then promotes it. A server already voting with the same address is left
    /// alone; one whose address changed gets the new address.
    pub async fn add_voter(&self, server: ServerNode) -> Result<(), RaftAdminError> {
        let nid = node_id_from_uuid(&server.id);
        let metrics = self.metrics();
        let membership = metrics.membership_config.membership();
        let is_voter = membership.voter_ids().any(|v| v == nid);
        let known = membership.get_node(&nid).cloned();
        if is_voter {
            if known.as_ref() == Some(&server) {
                return Ok(());
            }
            let update = ChangeMembers::SetNodes(BTreeMap::from([(nid, server)]));
            return self.change(update).await;
        }
        let added = self
            .raft
            .add_learner(nid, server.clone(), false)
            .await
            .map_err(admin_error)?;
        let target = added.log_id.index;
        let caught_up = |m: &super::RaftMetrics| {
            m.replication
                .as_ref()
                .and_then(|r| r.get(&nid).copied().flatten())
                .is_some_and(|matched| matched.index >= target)
        };
        let waited = self
            .raft
            .wait(Some(CATCH_UP_TIMEOUT))
            .metrics(
                |m| caught_up(m) || m.current_leader != Some(self.id),
                "new server caught up, or leadership lost",
            )
            .await;
        match waited {
            Ok(m) if caught_up(&m) => {}
            Ok(m) => {
                let leader = m
                    .current_leader
                    .and_then(|l| m.membership_config.membership().get_node(&l).cloned());
                return Err(WriteError::from_forward(leader).into());
            }
            Err(_) => {
                return Err(RaftAdminError::Failed(format!(
                    "{server} did not catch up with the leader within {CATCH_UP_TIMEOUT:?}; it stays a non-voter"
                )))
            }
        }
        self.change(ChangeMembers::AddVoterIds(BTreeSet::from([nid])))
            .await
    }

    /// Removes the server with Consul node ID `id` from the configuration.
    pub async fn remove_server(&self, id: &str) -> Result<(), RaftAdminError> {
        self.remove_peer(PeerRef::Id(id.to_string())).await
    }

    /// Applies one membership change. A change still in progress (the second half of the
    /// previous joint change) is waited out; on return the new configuration is committed.
    pub(super) async fn change(
        &self,
        change: ChangeMembers<u64, ServerNode>,
    ) -> Result<(), RaftAdminError> {
        let deadline = tokio::time::Instant::now() + SETTLE_TIMEOUT;
        loop {
            match self.raft.change_membership(change.clone(), false).await {
                Ok(_) => break,
                Err(RaftError::APIError(ClientWriteError::ChangeMembershipError(
                    ChangeMembershipError::InProgress(_),
                ))) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(admin_error(e)),
            }
        }
        let settled = self
            .raft
            .wait(Some(SETTLE_TIMEOUT))
            .metrics(
                |m| m.membership_config.log_id() <= &m.last_applied,
                "membership change committed",
            )
            .await;
        settled.map(|_| ()).map_err(|e| {
            RaftAdminError::Failed(format!("the configuration change did not commit: {e}"))
        })
    }
}

fn admin_error(e: RaftError<u64, ClientWriteError<u64, ServerNode>>) -> RaftAdminError {
    match e {
        RaftError::APIError(ClientWriteError::ForwardToLeader(fwd)) => {
            WriteError::from_forward(fwd.leader_node).into()
        }
        RaftError::APIError(e) => RaftAdminError::Failed(e.to_string()),
        RaftError::Fatal(f) => fatal_admin(f),
    }
}
