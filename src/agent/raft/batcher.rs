//! Group commit at the application layer: many client writes share one Raft entry.
//!
//! openraft 0.9 appends (and fsyncs) one client write at a time on the leader, so throughput
//! would be bounded by fsync latency. The batcher task takes the first queued command, drains
//! whatever else is queued (up to [`MAX_BATCH_COMMANDS`] commands or about [`MAX_BATCH_BYTES`]),
//! submits ONE `Request` to Raft and, when it is applied, hands every caller its own result and
//! the entry's log index. Submission is in queue order; up to [`MAX_IN_FLIGHT`] batches may be
//! in flight while the next one fills up.

use std::sync::Arc;

use openraft::error::{ClientWriteError, Fatal};
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::disk::DiskGuard;
use super::types::{Raft, ServerNode};
use crate::agent::state::{Command, CommandResult, Request};

/// Most commands in one Raft entry.
pub(crate) const MAX_BATCH_COMMANDS: usize = 1024;
/// Stop adding commands to a batch once it holds about this many bytes of keys and values.
pub(crate) const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Batches submitted to Raft and not yet answered.
const MAX_IN_FLIGHT: usize = 2;
/// Queue length before writers wait (back-pressure).
const QUEUE_CAPACITY: usize = 4096;

/// Why a write did not happen (or its outcome is unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// No leader is known: the HTTP layer answers 500 "No cluster leader".
    #[error("No cluster leader")]
    NoLeader,
    /// This server is not the leader; the write must go to `leader_addr`.
    #[error("not the Raft leader; the leader is {leader_name} at {leader_addr}")]
    NotLeader {
        leader_name: String,
        leader_addr: String,
    },
    /// Raft is shutting down or has shut down.
    #[error("Raft is shut down")]
    Stopped,
    /// Raft stopped because of an unrecoverable error (storage failure or panic).
    #[error("Raft failed: {0}")]
    Fatal(String),
    /// The leader's disk cannot take the write now (full, or failing); nothing was written.
    #[error("{0}")]
    DiskFull(String),
}

impl WriteError {
    pub(crate) fn from_forward(leader: Option<ServerNode>) -> WriteError {
        match leader {
            Some(node) => WriteError::NotLeader {
                leader_name: node.name,
                leader_addr: node.addr,
            },
            None => WriteError::NoLeader,
        }
    }

    pub(crate) fn from_fatal(fatal: Fatal<u64>) -> WriteError {
        match fatal {
            Fatal::Stopped => WriteError::Stopped,
            other => WriteError::Fatal(other.to_string()),
        }
    }
}

/// What a writer gets back: the log index of the entry and its command's result.
pub(crate) type WriteResult = Result<(u64, CommandResult), WriteError>;
type Job = (Command, oneshot::Sender<WriteResult>);

/// The sending side; cheap to clone.
#[derive(Clone)]
pub(crate) struct Batcher {
    tx: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the batcher task for `raft` (this node's id `me`); `disk` vets batches while
    /// this node leads. It ends when every `Batcher` clone is dropped.
    pub(crate) fn spawn(raft: Raft, me: u64, disk: DiskGuard) -> Batcher {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(raft, me, disk, rx));
        Batcher { tx }
    }

    /// Queues `cmd` and waits for its result.
    pub(crate) async fn write(&self, cmd: Command) -> WriteResult {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send((cmd, reply))
            .await
            .map_err(|_| WriteError::Stopped)?;
        rx.await.unwrap_or(Err(WriteError::Stopped))
    }
}

/// Rough encoded size of a command, for the batch byte cap.
fn approx_size(cmd: &Command) -> usize {
    #[allow(unreachable_patterns)]
    match cmd {
        Command::KvTxn(ops) => ops
            .iter()
            .map(|op| {
                48 + op.key.len() + op.value.len() + op.session.as_ref().map_or(0, |s| s.len())
            })
            .sum(),
        _ => 256,
    }
}

async fn run(raft: Raft, me: u64, disk: DiskGuard, mut rx: mpsc::Receiver<Job>) {
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    while let Some(first) = rx.recv().await {
        // Wait for a free slot first: whatever queues meanwhile joins this batch.
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let mut bytes = approx_size(&first.0);
        let mut commands = vec![first.0];
        let mut replies = vec![first.1];
        while commands.len() < MAX_BATCH_COMMANDS && bytes < MAX_BATCH_BYTES {
            match rx.try_recv() {
                Ok((cmd, reply)) => {
                    bytes += approx_size(&cmd);
                    commands.push(cmd);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        // Only the leader writes its log for a client write; elsewhere openraft forwards.
        let leading = raft.metrics().borrow().current_leader == Some(me);
        if leading {
            if let Err(why) = disk.admit(bytes) {
                fail_all(replies, WriteError::DiskFull(why));
                continue;
            }
        }
        let submitted = raft.client_write_ff(Request::now(commands)).await;
        let receiver = match submitted {
            Ok(receiver) => receiver,
            Err(fatal) => {
                fail_all(replies, WriteError::from_fatal(fatal));
                continue;
            }
        };
        tokio::spawn(async move {
            let outcome = receiver.await;
            drop(permit);
            match outcome {
                Err(_) => fail_all(replies, WriteError::Stopped),
                Ok(Err(ClientWriteError::ForwardToLeader(fwd))) => {
                    fail_all(replies, WriteError::from_forward(fwd.leader_node))
                }
                Ok(Err(other)) => fail_all(replies, WriteError::Fatal(other.to_string())),
                Ok(Ok(resp)) => {
                    let index = resp.log_id.index;
                    let results = resp.data.results;
                    if results.len() != replies.len() {
                        let msg = format!(
                            "the state machine returned {} results for {} commands",
                            results.len(),
                            replies.len()
                        );
                        fail_all(replies, WriteError::Fatal(msg));
                        return;
                    }
                    for (reply, result) in replies.into_iter().zip(results) {
                        // A caller that gave up (dropped its receiver) is not an error.
                        let _ = reply.send(Ok((index, result)));
                    }
                }
            }
        });
    }
}

fn fail_all(replies: Vec<oneshot::Sender<WriteResult>>, error: WriteError) {
    for reply in replies {
        // A caller that gave up (dropped its receiver) is not an error.
        let _ = reply.send(Err(error.clone()));
    }
}
