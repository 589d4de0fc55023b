//! The WAL's writer: every byte of the log reaches its segment file here, and a batch is
//! acknowledged only after one `fdatasync` per file it touched (group commit).
//!
//! A job is written by the writer thread, which takes the first queued [`Job`], drains whatever
//! else is queued, writes it all with positioned writes and syncs once. Or, when nothing else is
//! queued or being written and the caller may wait (`Io::set_inline`: the leader of a cluster of
//! itself alone), the caller writes and syncs it itself: one thread hand-off there and one back
//! less per write, a tenth of a single client's put. Everywhere else the thread writes, so that
//! a leader's own sync runs while openraft sends the entries out and a follower's Raft core
//! stays free for heartbeats while its disk is slow.
//!
//! When a write or a sync fails (a full disk, an I/O error) the writer does not report the
//! failure to openraft, whose core would stop for good: it cuts the files back to their last
//! synced length (which frees what the failed write took), records the failure in
//! [`DiskStatus`] (the batcher then refuses new client writes at once), and retries the same
//! bytes at the same offsets with a backoff until they are durable. An inline write that fails
//! is handed to the thread for that. Nothing is acknowledged meanwhile; when space returns the
//! log goes on by itself.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use openraft::storage::LogFlushed;

use super::super::fsutil::sync_dir;
use super::super::types::TypeConfig;
use super::space::Space;
use super::{segment_path, Pos, Shared};

const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(1);

/// Who waits for a job to be durable.
pub(crate) enum Waiter {
    /// openraft's append callback.
    Log(LogFlushed<TypeConfig>),
    /// An async caller (save_vote, a barrier).
    Notify(tokio::sync::oneshot::Sender<io::Result<()>>),
}

impl Waiter {
    fn complete(self, result: io::Result<()>) {
        match self {
            Waiter::Log(cb) => cb.log_io_completed(result),
            // The caller may have gone away; nothing to do then.
            Waiter::Notify(tx) => drop(tx.send(result)),
        }
    }
}

/// Bytes for one segment at one offset, and what to do once they are durable.
pub(crate) struct Job {
    pub(crate) seq: u64,
    pub(crate) offset: u64,
    /// Empty for a barrier (completes once everything queued before it is durable).
    pub(crate) bytes: Vec<u8>,
    /// These bytes start segment `seq`: create its file.
    pub(crate) create: bool,
    pub(crate) waiter: Option<Waiter>,
    /// Entries written by this job: dropped from the in-memory copy once durable.
    pub(crate) flushed: Vec<(u64, Pos)>,
    /// Segments to delete once this job (a purge record) is durable.
    pub(crate) remove: Vec<u64>,
}

/// Whether the log can be written right now; the batcher reads it to refuse writes early.
#[derive(Debug, Default)]
pub(crate) struct DiskStatus {
    failing: Mutex<Option<String>>,
}

impl DiskStatus {
    /// Why the last write or sync failed, while the writer is still retrying it.
    pub(crate) fn failing(&self) -> Option<String> {
        self.failing.lock().ok().and_then(|g| g.clone())
    }

    #[cfg(test)]
    pub(crate) fn set_for_test(&self, why: Option<String>) {
        self.set(why);
    }

    fn set(&self, why: Option<String>) -> Option<String> {
        match self.failing.lock() {
            Ok(mut g) => std::mem::replace(&mut *g, why),
            Err(_) => None,
        }
    }
}

/// Handle to the writer. Dropping the last handle stops and joins its thread.
pub(crate) struct Io {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    worker: Arc<Mutex<Worker>>,
    /// Jobs submitted and not yet durable (queued, or being written by either path).
    pending: Arc<AtomicU64>,
    /// Whether a caller may write its job itself when nothing else is pending.
    inline: AtomicBool,
    completed: Arc<AtomicU64>,
    give_up: Arc<AtomicBool>,
    status: Arc<DiskStatus>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Io {
    /// Starts the writer for the segments in `dir`; `active` is the open segment file and its
    /// durable length.
    pub(crate) fn start(
        dir: PathBuf,
        active: (u64, File, u64),
        shared: Arc<Shared>,
    ) -> io::Result<Io> {
        let (tx, rx) = mpsc::channel::<Job>();
        let completed = Arc::new(AtomicU64::new(0));
        let give_up = Arc::new(AtomicBool::new(false));
        let status = Arc::new(DiskStatus::default());
        let (seq, file, len) = active;
        let pending = Arc::new(AtomicU64::new(0));
        let mut space = Space::default();
        space.open(seq, len, file.metadata()?.len());
        let worker = Arc::new(Mutex::new(Worker {
            dir,
            files: BTreeMap::from([(seq, file)]),
            synced: BTreeMap::from([(seq, len)]),
            space,
            shared,
            pending: pending.clone(),
            completed: completed.clone(),
            status: status.clone(),
        }));
        let thread = {
            let (worker, give_up) = (worker.clone(), give_up.clone());
            std::thread::Builder::new()
                .name("raft-wal".into())
                .stack_size(256 * 1024)
                .spawn(move || run(&worker, &rx, &give_up))?
        };
        Ok(Io {
            tx: Mutex::new(Some(tx)),
            worker,
            pending,
            inline: AtomicBool::new(false),
            completed,
            give_up,
            status,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Lets callers write their jobs themselves when nothing else is pending (see the module
    /// header), or stops them.
    pub(crate) fn set_inline(&self, inline: bool) {
        self.inline.store(inline, Ordering::Release);
    }

    /// Writes `job` now if it is alone and callers may, else queues it for the thread.
    pub(crate) fn submit(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::AcqRel);
        if let Some(job) = self.try_inline(job) {
            self.queue(job);
        }
    }

    /// Writes and syncs `job` on the caller's thread when nothing else is pending; gives it
    /// back when it must be queued instead (also after a failed attempt, for the thread to
    /// retry).
    fn try_inline(&self, job: Job) -> Option<Job> {
        if !self.inline.load(Ordering::Acquire)
            || self.give_up.load(Ordering::Acquire)
            || self.pending.load(Ordering::Acquire) != 1
        {
            return Some(job);
        }
        let Ok(mut worker) = self.worker.try_lock() else {
            return Some(job);
        };
        let mut batch = vec![job];
        if worker.attempt(&batch).is_ok() {
            worker.finish(batch);
            return None;
        }
        batch.pop()
    }

    fn queue(&self, job: Job) {
        let sent = match self.tx.lock() {
            Ok(guard) => match guard.as_ref() {
                Some(tx) => tx.send(job).map_err(|e| e.0),
                None => Err(job),
            },
            Err(_) => Err(job),
        };
        if let Err(job) = sent {
            if let Some(w) = job.waiter {
                w.complete(Err(stopped()));
            }
            self.pending.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Waits until everything queued so far is durable.
    pub(crate) async fn sync(&self) -> io::Result<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(Job {
            seq: 0,
            offset: 0,
            bytes: Vec::new(),
            create: false,
            waiter: Some(Waiter::Notify(tx)),
            flushed: Vec::new(),
            remove: Vec::new(),
        });
        rx.await.map_err(|_| stopped())?
    }

    /// How many write + fdatasync rounds have completed (each may serve many jobs).
    pub(crate) fn completed_syncs(&self) -> u64 {
        self.completed.load(Ordering::Acquire)
    }

    pub(crate) fn status(&self) -> Arc<DiskStatus> {
        self.status.clone()
    }

    /// Stops the thread after it has written what is queued (or, if the disk keeps failing,
    /// after one more attempt: the unwritten jobs fail, as openraft is shutting down).
    pub(crate) fn stop(&self) {
        if let Ok(mut guard) = self.tx.lock() {
            guard.take();
        }
        self.give_up.store(true, Ordering::Release);
        let handle = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(handle) = handle {
            if handle.join().is_err() {
                tracing::error!("the Raft log writer thread panicked");
            }
        }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.stop();
    }
}

fn stopped() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the Raft log writer has stopped")
}

struct Worker {
    dir: PathBuf,
    /// Write handles by segment.
    files: BTreeMap<u64, File>,
    /// Durable length of each segment file.
    synced: BTreeMap<u64, u64>,
    /// The zeroed space after each segment's records.
    space: Space,
    shared: Arc<Shared>,
    pending: Arc<AtomicU64>,
    completed: Arc<AtomicU64>,
    status: Arc<DiskStatus>,
}

/// The writer thread: takes what is queued, writes and syncs it, retrying a failure until it
/// succeeds or the log is stopping.
fn run(worker: &Mutex<Worker>, rx: &mpsc::Receiver<Job>, give_up: &AtomicBool) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let mut worker = worker.lock().unwrap_or_else(|p| p.into_inner());
        let mut delay = RETRY_FIRST;
        while let Err(e) = worker.attempt(&batch) {
            if give_up.load(Ordering::Acquire) {
                let why = e.to_string();
                for job in batch {
                    if let Some(w) = job.waiter {
                        w.complete(Err(io::Error::new(e.kind(), why.clone())));
                    }
                    worker.pending.fetch_sub(1, Ordering::AcqRel);
                }
                return;
            }
            std::thread::sleep(delay);
            delay = (delay * 2).min(RETRY_MAX);
            batch.extend(rx.try_iter());
        }
        worker.finish(batch);
    }
}

impl Worker {
    /// One try at writing and syncing `batch`. A failure is logged (once while it lasts),
    /// recorded for the batcher and rolled back, ready for the next try.
    fn attempt(&mut self, batch: &[Job]) -> io::Result<()> {
        let result = self.write(batch);
        match &result {
            Ok(()) => {
                if self.status.set(None).is_some() {
                    tracing::info!(dir = %self.dir.display(), "the Raft log is writable again");
                }
                self.completed.fetch_add(1, Ordering::AcqRel);
            }
            Err(e) => {
                let why = e.to_string();
                if self.status.set(Some(why.clone())).as_deref() != Some(why.as_str()) {
                    tracing::error!(
                        error = %why,
                        dir = %self.dir.display(),
                        "cannot write the Raft log; client writes are refused and the write is \
                         retried until it succeeds (free disk space if the disk is full)"
                    );
                }
                self.roll_back(batch);
            }
        }
        result
    }

    /// Completes every job of a batch that is durable.
    fn finish(&mut self, batch: Vec<Job>) {
        for job in batch {
            self.done(job);
            self.pending.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Writes every job, then syncs each touched file (and the directory if a file was made).
    fn write(&mut self, batch: &[Job]) -> io::Result<()> {
        let mut touched = Vec::new();
        let mut created = false;
        for job in batch.iter().filter(|j| !j.bytes.is_empty()) {
            if job.create {
                // The segment before is durable, and cut to its records, before the next one
                // exists: after a crash, only the last segment can end torn or in zeros.
                for seq in touched.drain(..) {
                    if let Some(file) = self.files.get(&seq) {
                        file.sync_data()?;
                    }
                }
                self.space.close_before(job.seq, &self.files)?;
            }
            if job.create && !self.files.contains_key(&job.seq) {
                let path = segment_path(&self.dir, job.seq);
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(&path)?;
                self.shared.add_file(job.seq, file.try_clone()?);
                self.files.insert(job.seq, file);
                self.synced.insert(job.seq, 0);
                self.space.open(job.seq, 0, 0);
                created = true;
            }
            let file = self.files.get(&job.seq).ok_or_else(|| {
                io::Error::other(format!("Raft log segment {} is not open", job.seq))
            })?;
            file.write_all_at(&job.bytes, job.offset)?;
            self.space
                .wrote(job.seq, file, job.offset + job.bytes.len() as u64);
            if !touched.contains(&job.seq) {
                touched.push(job.seq);
            }
        }
        for seq in &touched {
            if let Some(file) = self.files.get(seq) {
                file.sync_data()?;
            }
        }
        if created || batch.iter().any(|j| j.create) {
            sync_dir(&self.dir)?;
        }
        Ok(())
    }

    /// Cuts every file back to its durable length after a failed attempt (best effort: it
    /// frees what a partial write took; the retry rewrites the same offsets anyway).
    fn roll_back(&mut self, batch: &[Job]) {
        for job in batch {
            if let (Some(file), Some(len)) = (self.files.get(&job.seq), self.synced.get(&job.seq)) {
                if let Err(e) = file.set_len(*len) {
                    tracing::debug!(error = %e, "cutting a Raft log segment back failed");
                }
                self.space.cut(job.seq, *len);
            }
        }
    }

    fn done(&mut self, job: Job) {
        if !job.bytes.is_empty() {
            let end = job.offset + job.bytes.len() as u64;
            let synced = self.synced.entry(job.seq).or_default();
            *synced = (*synced).max(end);
        }
        self.shared.flushed(&job.flushed);
        for seq in &job.remove {
            self.files.remove(seq);
            self.synced.remove(seq);
            self.space.forget(*seq);
            self.shared.remove_file(*seq);
            let path = segment_path(&self.dir, *seq);
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(error = %e, file = %path.display(), "cannot remove a compacted Raft log segment");
            }
        }
        if let Some(w) = job.waiter {
            w.complete(Ok(()));
        }
    }
}
