//! Group commit at the application layer: many client writes share one Raft entry.
//!
//! openraft 0.9 appends (and fsyncs) one client write at a time on the leader, so throughput
//! would be bounded by fsync latency. The batcher task takes the first queued command, drains
//! whatever else is queued (up to [`MAX_BATCH_COMMANDS`] commands or about [`MAX_BATCH_BYTES`]),
//! submits ONE `Request` to Raft and, when it is applied, hands every caller its own result and
//! the entry's log index. Submission is in queue order; up to [`MAX_IN_FLIGHT`] batches may be
//! in flight while the next one fills up. A batch closes early before a command that could
//! change a key whose entry a caller in it will be shown (`footprint.rs`).

use std::sync::Arc;

use openraft::error::{ClientWriteError, Fatal};
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::disk::DiskGuard;
use super::footprint::Footprint;
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

/// A queued write.
struct Job {
    cmd: Command,
    /// The caller shows the entries the command produced (with their indexes) to its client.
    shown: bool,
    reply: oneshot::Sender<WriteResult>,
}

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

    /// Queues `cmd` and waits for its result. `shown`: the caller shows the entries the
    /// command produced, with their indexes, to its client (`/v1/txn` does).
    pub(crate) async fn write(&self, cmd: Command, shown: bool) -> WriteResult {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { cmd, shown, reply })
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

/// The commands of one Raft entry, their callers, and their rough size.
struct Batch {
    commands: Vec<Command>,
    replies: Vec<oneshot::Sender<WriteResult>>,
    bytes: usize,
}

/// A batch of `first` and whatever is queued behind it, in queue order, up to the caps. A job
/// that may not share the entry (see `footprint.rs`) ends the batch and comes back to open the
/// next one.
fn gather(first: Job, rx: &mut mpsc::Receiver<Job>) -> (Batch, Option<Job>) {
    let mut footprint = Footprint::default();
    footprint.admit(&first.cmd, first.shown);
    let mut batch = Batch {
        bytes: approx_size(&first.cmd),
        commands: vec![first.cmd],
        replies: vec![first.reply],
    };
    while batch.commands.len() < MAX_BATCH_COMMANDS && batch.bytes < MAX_BATCH_BYTES {
        let Ok(job) = rx.try_recv() else {
            break;
        };
        if !footprint.admit(&job.cmd, job.shown) {
            return (batch, Some(job));
        }
        batch.bytes += approx_size(&job.cmd);
        batch.commands.push(job.cmd);
        batch.replies.push(job.reply);
    }
    (batch, None)
}

async fn run(raft: Raft, me: u64, disk: DiskGuard, mut rx: mpsc::Receiver<Job>) {
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    // A job that could not join the last batch: it opens the next one.
    let mut carried: Option<Job> = None;
    loop {
        let first = match carried.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        // Wait for a free slot first: whatever queues meanwhile joins this batch.
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let (
            Batch {
                commands,
                replies,
                bytes,
            },
            next,
        ) = gather(first, &mut rx);
        carried = next;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::state::{KvOp, KvVerb};

    fn job(key: &str, shown: bool) -> Job {
        let cmd = Command::KvTxn(vec![KvOp {
            verb: KvVerb::Set,
            key: key.into(),
            value: b"v".to_vec(),
            flags: 0,
            index: 0,
            session: None,
        }]);
        Job {
            cmd,
            shown,
            reply: oneshot::channel().0,
        }
    }

    fn keys(batch: &Batch) -> Vec<String> {
        let key = |cmd: &Command| match cmd {
            Command::KvTxn(ops) => ops[0].key.clone(),
            _ => String::new(),
        };
        batch.commands.iter().map(key).collect()
    }

    #[tokio::test]
    async fn a_shown_write_is_the_last_change_to_its_key_in_its_entry() {
        let (tx, mut rx) = mpsc::channel(16);
        for (key, shown) in [
            ("hot", false),
            ("hot", true),
            ("other", false),
            ("hot", false),
        ] {
            tx.send(job(key, shown)).await.expect("queue");
        }
        tx.send(job("other", false)).await.expect("queue");
        let first = rx.recv().await.expect("a job");
        let (batch, next) = gather(first, &mut rx);
        assert_eq!(keys(&batch), ["hot", "hot", "other"]);
        let next = next.expect("the second write to hot opens the next batch");
        let (batch, next) = gather(next, &mut rx);
        assert_eq!(keys(&batch), ["hot", "other"]);
        assert!(next.is_none());
    }

    #[tokio::test]
    async fn unshown_writes_to_one_key_share_an_entry() {
        let (tx, mut rx) = mpsc::channel(16);
        for _ in 0..5 {
            tx.send(job("hot", false)).await.expect("queue");
        }
        let first = rx.recv().await.expect("a job");
        let (batch, next) = gather(first, &mut rx);
        assert_eq!(batch.commands.len(), 5);
        assert!(next.is_none());
    }
}
