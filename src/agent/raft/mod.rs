//! Raft through openraft 0.9: the type config, the log store (a write-ahead log of segment
//! files: one write and one fdatasync per batch), the state machine adaptor over `state`,
//! snapshots, the network and the write batcher.
//!
//! [`RaftNode`] is the one entry point the rest of the agent uses: open, bootstrap, write (through
//! the batcher), linearizable-read barrier, leadership and Consul-style status. Files:
//! `types` (TypeConfig, ServerNode), `wal` (log, vote and commit point, durable; `fsutil` for
//! directory fsyncs), `disk` (refusing writes the disk cannot take),
//! `state_machine` + `snapshot` (apply, snapshot files), `network` (Raft RPCs over the server
//! RPC port), `membership` (bootstrap, adding and removing servers), `batcher` (group commit of
//! client writes), `status` (stats and configuration views), `leadership` (waiting for
//! leadership to change).
//! It uses `state`, `api`, `config` and the `rpc` client, nothing else of the agent.

mod batcher;
mod disk;
mod footprint;
mod fsutil;
mod leadership;
mod membership;
mod network;
mod recovery;
mod rpc_handler;
mod snapshot;
mod state_machine;
mod status;
pub use status::PeerView;
mod transfer;
mod types;
mod wal;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::error::{CheckIsLeaderError, InitializeError, RaftError};
use openraft::{ChangeMembers, Config, ServerState, SnapshotPolicy};

pub use batcher::WriteError;
pub use leadership::Leadership;
pub use network::{Connection, NetworkFactory};
pub use snapshot::SnapshotError;
pub use state_machine::{SnapshotBuilder, StateMachine};
pub use types::{node_id_from_uuid, Raft, RaftMetrics, ServerNode, TypeConfig};
#[doc(hidden)]
pub use wal::fuzzing::{examples as fuzz_wal_examples, segments as fuzz_wal_segments};
pub use wal::LogReader;
pub use wal::{LogOpenError, LogStore};

use crate::agent::rpc::RpcClient;
use crate::agent::state::{Command, CommandResult, Store};
use crate::config::RaftTuning;
use batcher::Batcher;
use wal::LogPositions;

/// How long shutdown waits for a snapshot being written.
const SNAPSHOT_BUILD_GRACE: Duration = Duration::from_secs(30);

/// Why the Raft node could not start.
#[derive(Debug, thiserror::Error)]
pub enum RaftOpenError {
    #[error(transparent)]
    Log(#[from] LogOpenError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error("invalid Raft timing configuration: {0}")]
    Config(String),
    #[error("cannot start Raft: {0}")]
    Start(String),
    #[error(transparent)]
    Recovery(#[from] recovery::RecoveryError),
}

/// Why a linearizable read could not be confirmed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("No cluster leader")]
    NoLeader,
    #[error("not the Raft leader; the leader is {leader_name} at {leader_addr}")]
    NotLeader {
        leader_name: String,
        leader_addr: String,
    },
    #[error("leadership could not be confirmed: {0}")]
    NoQuorum(String),
    #[error("Raft is shut down")]
    Stopped,
    #[error("Raft failed: {0}")]
    Fatal(String),
}

/// Why a membership operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RaftAdminError {
    /// `remove_peer` of a server that is not in the configuration.
    #[error("{0} was not found in the Raft configuration")]
    NotFound(String),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("Raft configuration change failed: {0}")]
    Failed(String),
}

/// A server named by Consul node ID (UUID) or by `ip:port` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerRef {
    Id(String),
    Address(String),
}

/// This server's Raft participant.
pub struct RaftNode {
    raft: Raft,
    id: u64,
    me: ServerNode,
    batcher: Mutex<Option<Batcher>>,
    wal: Arc<wal::Io>,
    positions: Arc<LogPositions>,
    applied: Arc<AtomicU64>,
    snapshots: Arc<state_machine::Snapshots>,
    opened: Instant,
    last_contact: Mutex<Option<Instant>>,
    /// When each follower last answered this node's AppendEntries (meaningful on the leader).
    contacts: Arc<network::Contacts>,
    rpc: RpcClient,
    raft_config: Arc<Config>,
    /// Client writes hold it shared; a leadership transfer holds it alone.
    transfer_gate: tokio::sync::RwLock<()>,
    /// Counts election holds, so only the newest one ends itself.
    hold_generation: Arc<AtomicU64>,
}

/// The openraft configuration for the agent's tuning.
fn raft_config(tuning: &RaftTuning) -> Result<Config, RaftOpenError> {
    let m = u64::from(tuning.multiplier.max(1));
    let threshold = tuning.snapshot_threshold.max(1);
    let config = Config {
        cluster_name: "sd".into(),
        heartbeat_interval: 50 * m,
        election_timeout_min: 150 * m,
        election_timeout_max: 300 * m,
        install_snapshot_timeout: 1000 * m,
        snapshot_policy: SnapshotPolicy::LogsSinceLast(threshold),
        max_in_snapshot_log_to_keep: tuning.trailing_logs,
        purge_batch_size: threshold.min(256),
        ..Default::default()
    };
    config
        .validate()
        .map_err(|e| RaftOpenError::Config(e.to_string()))
}

/// Lets the log's callers write and sync their own entries (`wal::Io::set_inline`) while this
/// server leads a cluster of itself alone: no one else waits on its core meanwhile. A leader
/// of others syncs beside the replication it starts, and a follower's core stays free for the
/// leader's heartbeats while its disk is slow. Follows openraft's server metrics, which change
/// with the state and membership only; ends with Raft.
async fn inline_while_alone(raft: Raft, wal: Arc<wal::Io>) {
    let mut metrics = raft.server_metrics();
    loop {
        let alone = {
            let m = metrics.borrow_and_update();
            m.state == ServerState::Leader && m.membership_config.membership().nodes().count() == 1
        };
        wal.set_inline(alone);
        if metrics.changed().await.is_err() {
            return;
        }
    }
}

impl RaftNode {
    /// Opens the log (`<raft_dir>/log`) and snapshots (`<raft_dir>/snapshots`), restores `store`
    /// from the newest snapshot and starts Raft (which re-applies committed entries after it).
    pub async fn open(
        raft_dir: &Path,
        me: ServerNode,
        tuning: &RaftTuning,
        store: Arc<Store>,
        rpc: RpcClient,
    ) -> Result<RaftNode, RaftOpenError> {
        let config = Arc::new(raft_config(tuning)?);
        let log_dir = raft_dir.to_path_buf();
        let snap_dir = raft_dir.join("snapshots");
        let (mut log, mut sm) = tokio::task::spawn_blocking(move || {
            let log = LogStore::open(&log_dir)?;
            let sm = StateMachine::open(&snap_dir, store)?;
            Ok::<_, RaftOpenError>((log, sm))
        })
        .await
        .map_err(|e| RaftOpenError::Start(e.to_string()))??;
        recovery::recover_if_asked(raft_dir, &mut log, &mut sm).await?;
        let wal = log.io();
        let disk = disk::DiskGuard::new(raft_dir, wal.status());
        let positions = log.positions();
        let applied = sm.applied_index();
        let snapshots = sm.snapshots();
        let id = node_id_from_uuid(&me.id);
        let contacts = Arc::new(network::Contacts::default());
        let raft = Raft::new(
            id,
            config.clone(),
            NetworkFactory::new(rpc.clone(), contacts.clone()),
            log,
            sm,
        )
        .await
        .map_err(|e| RaftOpenError::Start(e.to_string()))?;
        tokio::spawn(inline_while_alone(raft.clone(), wal.clone()));
        let batcher = Batcher::spawn(raft.clone(), id, disk);
        Ok(RaftNode {
            raft,
            id,
            me,
            batcher: Mutex::new(Some(batcher)),
            wal,
            positions,
            applied,
            snapshots,
            opened: Instant::now(),
            last_contact: Mutex::new(None),
            contacts,
            rpc,
            raft_config: config,
            transfer_gate: tokio::sync::RwLock::new(()),
            hold_generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Makes a fresh node the leader of a one-server cluster of itself.
    ///
    /// On a pristine node this writes the initial membership; openraft 0.9 starts an election
    /// right away as part of `initialize`, so a fresh `-dev` agent leads within milliseconds. On
    /// a restarted node that is the only voter and not yet leader, it triggers an election
    /// instead of waiting for the election timeout. Otherwise it does nothing.
    pub async fn bootstrap_single(&self) -> Result<(), RaftAdminError> {
        let initialized = self.raft.is_initialized().await.map_err(fatal_admin)?;
        if !initialized {
            let members = BTreeMap::from([(self.id, self.me.clone())]);
            match self.raft.initialize(members).await {
                Ok(()) => return Ok(()),
                Err(RaftError::APIError(InitializeError::NotAllowed(_))) => {}
                Err(RaftError::APIError(e)) => return Err(RaftAdminError::Failed(e.to_string())),
                Err(RaftError::Fatal(f)) => return Err(fatal_admin(f)),
            }
        }
        let metrics = self.metrics();
        let voters: BTreeSet<u64> = metrics.membership_config.membership().voter_ids().collect();
        if voters == BTreeSet::from([self.id]) && metrics.state != ServerState::Leader {
            self.raft.trigger().elect().await.map_err(fatal_admin)?;
        }
        Ok(())
    }

    /// Waits until some server is the known leader; false on timeout.
    pub async fn wait_for_leader(&self, timeout: Duration) -> bool {
        self.raft
            .wait(Some(timeout))
            .metrics(|m| m.current_leader.is_some(), "a leader is known")
            .await
            .is_ok()
    }

    /// Applies `cmd` through Raft (batched with concurrent writes). Returns the log index of the
    /// entry that carried it and its result.
    pub async fn write(&self, cmd: Command) -> Result<(u64, CommandResult), WriteError> {
        self.write_as(cmd, false).await
    }

    /// [`Raft::write`] for a caller that shows the entries the command produced, with their
    /// indexes, to its client: no later command in the same entry changes those keys.
    pub async fn write_shown(&self, cmd: Command) -> Result<(u64, CommandResult), WriteError> {
        self.write_as(cmd, true).await
    }

    async fn write_as(
        &self,
        cmd: Command,
        shown: bool,
    ) -> Result<(u64, CommandResult), WriteError> {
        let batcher = self
            .batcher
            .lock()
            .ok()
            .and_then(|guard| guard.as_ref().cloned())
            .ok_or(WriteError::Stopped)?;
        let _gate = self.transfer_gate.read().await;
        batcher.write(cmd, shown).await
    }

    /// Confirms leadership with a quorum and waits until the state machine has applied
    /// everything committed before the call (ReadIndex). Reads after it are linearizable.
    pub async fn ensure_linearizable(&self) -> Result<(), ReadError> {
        match self.raft.ensure_linearizable().await {
            Ok(_) => Ok(()),
            Err(RaftError::APIError(CheckIsLeaderError::ForwardToLeader(fwd))) => {
                Err(match WriteError::from_forward(fwd.leader_node) {
                    WriteError::NotLeader {
                        leader_name,
                        leader_addr,
                    } => ReadError::NotLeader {
                        leader_name,
                        leader_addr,
                    },
                    _ => ReadError::NoLeader,
                })
            }
            Err(RaftError::APIError(e)) => Err(ReadError::NoQuorum(e.to_string())),
            Err(RaftError::Fatal(f)) => Err(match WriteError::from_fatal(f) {
                WriteError::Stopped => ReadError::Stopped,
                other => ReadError::Fatal(other.to_string()),
            }),
        }
    }

    /// Removes a server from the Raft configuration (must run on the leader).
    pub async fn remove_peer(&self, peer: PeerRef) -> Result<(), RaftAdminError> {
        let metrics = self.metrics();
        let membership = metrics.membership_config.membership();
        let found = membership.nodes().find(|(_, node)| match &peer {
            PeerRef::Id(id) => node.id.eq_ignore_ascii_case(id),
            PeerRef::Address(addr) => node.addr == *addr,
        });
        let Some((&nid, _)) = found else {
            return Err(RaftAdminError::NotFound(match peer {
                PeerRef::Id(id) => format!("id {id:?}"),
                PeerRef::Address(addr) => format!("address {addr:?}"),
            }));
        };
        let is_voter = membership.voter_ids().any(|v| v == nid);
        let change = if is_voter {
            ChangeMembers::RemoveVoters(BTreeSet::from([nid]))
        } else {
            ChangeMembers::RemoveNodes(BTreeSet::from([nid]))
        };
        self.change(change).await
    }

    /// Stops Raft gracefully: no new writes, openraft shut down, running snapshot builds
    /// finished, a final log sync.
    pub async fn shutdown(&self) {
        if let Ok(mut guard) = self.batcher.lock() {
            guard.take();
        }
        if let Err(e) = self.raft.shutdown().await {
            tracing::warn!(error = %e, "Raft did not shut down cleanly");
        }
        // openraft builds snapshots in detached tasks: let a running one finish its file (or
        // give up, if the disk keeps refusing it).
        self.snapshots.stop_retrying();
        if tokio::time::timeout(SNAPSHOT_BUILD_GRACE, self.snapshots.wait_idle())
            .await
            .is_err()
        {
            tracing::warn!("a Raft snapshot was still being written at shutdown");
        }
        if let Err(e) = self.wal.sync().await {
            tracing::warn!(error = %e, "final Raft log sync failed");
        }
    }

    /// Passes an AppendEntries RPC from the leader to Raft and records the contact (for
    /// `last_contact`). The server RPC listener calls this.
    pub async fn append_entries(
        &self,
        rpc: openraft::raft::AppendEntriesRequest<TypeConfig>,
    ) -> Result<openraft::raft::AppendEntriesResponse<u64>, RaftError<u64>> {
        let resp = self.raft.append_entries(rpc).await?;
        if let Ok(mut guard) = self.last_contact.lock() {
            *guard = Some(Instant::now());
        }
        Ok(resp)
    }

    /// Passes one InstallSnapshot chunk from the leader to Raft and records the contact.
    pub async fn install_snapshot(
        &self,
        rpc: openraft::raft::InstallSnapshotRequest<TypeConfig>,
    ) -> Result<
        openraft::raft::InstallSnapshotResponse<u64>,
        RaftError<u64, openraft::error::InstallSnapshotError>,
    > {
        let resp = self.raft.install_snapshot(rpc).await?;
        if let Ok(mut guard) = self.last_contact.lock() {
            *guard = Some(Instant::now());
        }
        Ok(resp)
    }

    /// The server RPC connections Raft uses; HTTP forwarding shares them.
    pub fn rpc_client(&self) -> &RpcClient {
        &self.rpc
    }

    /// This server as the Raft configuration records it.
    pub fn me(&self) -> &ServerNode {
        &self.me
    }

    /// The underlying openraft instance (vote and snapshot RPCs, tests).
    pub fn raft(&self) -> &Raft {
        &self.raft
    }

    /// This node's Raft id (derived from its node UUID).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// How many log syncs (write + fdatasync rounds) have completed; for tests and metrics.
    pub fn completed_log_syncs(&self) -> u64 {
        self.wal.completed_syncs()
    }

    /// The index of the last entry applied to the state.
    pub fn applied_index(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// The latest Raft metrics.
    pub fn metrics(&self) -> RaftMetrics {
        self.raft.metrics().borrow().clone()
    }
}

fn fatal_admin(f: openraft::error::Fatal<u64>) -> RaftAdminError {
    RaftAdminError::Write(WriteError::from_fatal(f))
}
