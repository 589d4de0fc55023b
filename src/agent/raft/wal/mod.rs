//! The Raft log, vote and commit point in an append-only write-ahead log of segment files
//! (`<raft-dir>/wal/<seq>.wal`): one positioned write and one `fdatasync` per batch.
//!
//! Every change is a checksummed record appended to the active segment (`record`): entries,
//! the vote, the committed log id, truncations (a follower's conflicting suffix) and purges
//! (entries compacted into a snapshot). The commit point is not synced on its own: it rides in
//! the next batch's write, and losing it in a crash is harmless (openraft learns it again). A
//! segment past [`SEGMENT_BYTES`] is closed and the next one opens with the vote, commit point
//! and purge point copied in, so a whole old segment can be deleted once every entry in it is
//! purged. The active segment's file runs ahead of its records in written zeros (`space`), so
//! that a sync flushes data and no size change. At start `scan` reads every record back, cuts a
//! torn tail off the last segment (its zeros are no tail) and refuses to start on a bad record
//! anywhere else, naming the file.
//!
//! The writer thread (`io`) owns the files' write side. An entry is readable at once: it stays
//! in memory until its write is durable, then is read back with `pread` (the page cache). A
//! failing write (a full disk) is retried, never reported to openraft, whose core would stop;
//! [`DiskStatus`] tells the batcher to refuse client writes meanwhile. An old sled log
//! (`<raft-dir>/log`, sd before the WAL) is imported once (`import`).

// openraft's storage traits return `StorageError` (large); helpers return it as is.
#![allow(clippy::result_large_err)]

#[doc(hidden)]
pub mod fuzzing;
mod import;
mod io;
mod recent;
mod record;
mod scan;
mod space;

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Debug;
use std::fs::{File, OpenOptions};
use std::ops::{Bound, RangeBounds};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use openraft::storage::{LogFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::{AnyError, StorageIOError};

pub(crate) use self::io::{DiskStatus, Io};
use self::io::{Job, Waiter};
use super::fsutil::{create_dir_durable, sync_dir};
use super::types::{Entry, LogId, StorageError, TypeConfig, Vote};

/// A segment is closed once it holds this much; the next write opens a new one.
pub(crate) const SEGMENT_BYTES: u64 = 64 * 1024 * 1024;
/// `limited_get_log_entries` stops after about this many bytes of records.
const READ_LIMIT_BYTES: u64 = 4 * 1024 * 1024;

/// Why the log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogOpenError {
    #[error(
        "the Raft log in {path} is locked by another process; is another sd agent running with \
         the same -data-dir? Stop it, or use a different -data-dir"
    )]
    Locked { path: PathBuf },
    #[error(
        "the Raft log file {path} is corrupt ({detail}); restore the data dir from a backup, or \
         remove the raft directory to rejoin the cluster with an empty log (this server's Raft \
         data is lost)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} is not an sd Raft log ({detail}); point -data-dir at an sd data directory or an \
         empty one"
    )]
    Foreign { path: PathBuf, detail: String },
    #[error("cannot open the Raft log in {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where a record lives: segment, byte offset and length (frame included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) seq: u64,
    pub(crate) offset: u64,
    pub(crate) len: u32,
}

/// The file of segment `seq` in `dir`.
pub(crate) fn segment_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("{seq:020}.wal"))
}

/// Log positions other parts of `raft/` read for stats (Consul's `last_log_term`, `commit_index`).
#[derive(Debug, Default)]
pub(crate) struct LogPositions {
    pub(crate) last_log_index: AtomicU64,
    pub(crate) last_log_term: AtomicU64,
    pub(crate) committed_index: AtomicU64,
}

impl LogPositions {
    fn set_last(&self, log_id: Option<&LogId>) {
        let (term, index) = log_id.map_or((0, 0), |l| (l.leader_id.term, l.index));
        self.last_log_term.store(term, Ordering::Release);
        self.last_log_index.store(index, Ordering::Release);
    }
}

/// What the store, its readers and the writer thread share.
#[derive(Default)]
pub(crate) struct Shared {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Live entries (after the purge point), contiguous by index.
    ids: VecDeque<(LogId, Pos)>,
    /// Entries whose write is not yet durable, and the newest durable ones, served from memory.
    recent: recent::Recent,
    /// Read handles by segment.
    files: BTreeMap<u64, Arc<File>>,
}

/// Where one wanted entry comes from.
enum Source {
    Memory(Box<Entry>),
    Disk(Arc<File>, Pos, u64),
}

fn read_err(index: u64, e: impl std::error::Error + 'static) -> StorageError {
    StorageIOError::read_log_at_index(index, AnyError::new(&e)).into()
}

impl Shared {
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    fn read_lock(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn add_file(&self, seq: u64, file: File) {
        self.write().files.insert(seq, Arc::new(file));
    }

    pub(crate) fn remove_file(&self, seq: u64) {
        self.write().files.remove(&seq);
    }

    /// Notes entries now durable: their in-memory copies may go (see [`recent`]).
    pub(crate) fn flushed(&self, list: &[(u64, Pos)]) {
        if list.is_empty() {
            return;
        }
        self.write().recent.durable(list);
    }

    fn last(&self) -> Option<LogId> {
        self.read_lock().ids.back().map(|(l, _)| *l)
    }

    /// Every entry in `range`.
    fn read_range<RB: RangeBounds<u64>>(&self, range: &RB) -> Result<Vec<Entry>, StorageError> {
        let (start, end) = index_bounds(range);
        self.read(start, end, u64::MAX)
    }

    /// Entries with index in `[start, end)`, stopping after `limit` bytes (at least one entry).
    fn read(&self, start: u64, end: Option<u64>, limit: u64) -> Result<Vec<Entry>, StorageError> {
        let mut plan = Vec::new();
        {
            let g = self.read_lock();
            let Some(first) = g.ids.front().map(|(l, _)| l.index) else {
                return Ok(Vec::new());
            };
            let from = start.max(first);
            let to = end.unwrap_or(u64::MAX).min(first + g.ids.len() as u64);
            let mut bytes = 0u64;
            for index in from..to {
                let (_, pos) = g.ids[(index - first) as usize];
                match g.recent.get(index, pos) {
                    Some(entry) => plan.push(Source::Memory(Box::new(entry.clone()))),
                    None => {
                        let file = g.files.get(&pos.seq).cloned().ok_or_else(|| {
                            read_err(
                                index,
                                std::io::Error::other(format!(
                                    "Raft log segment {} is not open",
                                    pos.seq
                                )),
                            )
                        })?;
                        plan.push(Source::Disk(file, pos, index));
                    }
                }
                bytes += u64::from(pos.len);
                if bytes >= limit {
                    break;
                }
            }
        }
        let mut out = Vec::with_capacity(plan.len());
        let mut plan = plan.into_iter().peekable();
        while let Some(source) = plan.next() {
            let (file, first, first_index) = match source {
                Source::Memory(entry) => {
                    out.push(*entry);
                    continue;
                }
                Source::Disk(file, pos, index) => (file, pos, index),
            };
            // One read for a run of records further on in the same segment.
            let mut run = vec![(first, first_index)];
            while let Some(Source::Disk(_, p, index)) = plan.peek() {
                if p.seq != first.seq || p.offset < first.offset {
                    break;
                }
                run.push((*p, *index));
                plan.next();
            }
            let end = run
                .iter()
                .map(|(p, _)| p.offset + u64::from(p.len))
                .max()
                .unwrap_or(first.offset);
            let mut buf = vec![0u8; (end - first.offset) as usize];
            file.read_exact_at(&mut buf, first.offset)
                .map_err(|e| read_err(first_index, e))?;
            for (pos, index) in run {
                let at = (pos.offset - first.offset) as usize;
                out.push(decode_at(&buf[at..at + pos.len as usize], index)?);
            }
        }
        Ok(out)
    }
}

/// Decodes the entry record `bytes` read back from disk (the checksum is checked again).
fn decode_at(bytes: &[u8], index: u64) -> Result<Entry, StorageError> {
    let bad = |detail: String| read_err(index, std::io::Error::other(detail));
    let (_, crc) = record::frame(bytes).map_err(|b| bad(format!("{b:?}")))?;
    match record::decode(bytes, crc).map_err(|b| bad(format!("{b:?}")))? {
        record::Record::Entry(id, body) if id.index == index => {
            record::decode_entry(body).map_err(|e| read_err(index, e))
        }
        other => Err(bad(format!("expected entry {index}, found {other:?}"))),
    }
}

/// `[start, end)` of a range of log indexes; `end` `None` means unbounded.
fn index_bounds<RB: RangeBounds<u64>>(range: &RB) -> (u64, Option<u64>) {
    let start = match range.start_bound() {
        Bound::Included(s) => *s,
        Bound::Excluded(s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(e) => e.checked_add(1),
        Bound::Excluded(e) => Some(*e),
        Bound::Unbounded => None,
    };
    (start, end)
}

/// A reader for replication tasks: a cheap handle on the shared index.
#[derive(Clone)]
pub struct LogReader {
    shared: Arc<Shared>,
}

impl RaftLogReader<TypeConfig> for LogReader {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        self.shared.read_range(&range)
    }

    async fn limited_get_log_entries(
        &mut self,
        start: u64,
        end: u64,
    ) -> Result<Vec<Entry>, StorageError> {
        self.shared.read(start, Some(end), READ_LIMIT_BYTES)
    }
}

/// The WAL-backed [`RaftLogStorage`].
pub struct LogStore {
    shared: Arc<Shared>,
    io: Arc<Io>,
    positions: Arc<LogPositions>,
    /// The segment being written and the offset of the next byte in it.
    active: u64,
    offset: u64,
    vote: Option<Vote>,
    committed: Option<LogId>,
    /// A commit point not yet written (it rides with the next record).
    pending_committed: Option<LogId>,
    purged: Option<LogId>,
    /// Highest entry index in each segment (0: none), for compaction.
    seg_max: BTreeMap<u64, u64>,
    /// Holds the directory's lock for the store's life.
    _lock: File,
}

impl LogStore {
    /// Opens (or creates) the log in `<raft_dir>/wal`, importing a sled log from
    /// `<raft_dir>/log` the first time.
    pub fn open(raft_dir: &Path) -> Result<LogStore, LogOpenError> {
        let dir = raft_dir.join("wal");
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LogOpenError::Io { path, source }
        };
        create_dir_durable(&dir).map_err(io_err(&dir))?;
        let lock_path = dir.join("LOCK");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
            .map_err(|_| LogOpenError::Locked { path: dir.clone() })?;
        import::import_if_needed(raft_dir, &dir)?;
        let scanned = scan::scan(&dir)?;
        let (active, offset) = match scanned.active {
            Some(a) => a,
            None => {
                let path = segment_path(&dir, 1);
                let file = File::create(&path).map_err(io_err(&path))?;
                file.write_all_at(&record::header(1), 0)
                    .and_then(|()| file.sync_all())
                    .map_err(io_err(&path))?;
                sync_dir(&dir).map_err(io_err(&dir))?;
                (1, record::HEADER_LEN as u64)
            }
        };
        let shared = Arc::new(Shared::default());
        for seq in scan::list(&dir)? {
            let path = segment_path(&dir, seq);
            let file = File::open(&path).map_err(io_err(&path))?;
            shared.add_file(seq, file);
        }
        let active_path = segment_path(&dir, active);
        let writer = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&active_path)
            .map_err(io_err(&active_path))?;
        let mut seg_max = scanned.seg_max;
        for seq in scan::list(&dir)? {
            seg_max.entry(seq).or_default();
        }
        shared.write().ids = scanned.ids;
        let io = Io::start(dir.clone(), (active, writer, offset), shared.clone())
            .map_err(io_err(&dir))?;
        let positions = Arc::new(LogPositions::default());
        positions.set_last(shared.last().or(scanned.purged).as_ref());
        positions
            .committed_index
            .store(scanned.committed.map_or(0, |c| c.index), Ordering::Release);
        Ok(LogStore {
            shared,
            io: Arc::new(io),
            positions,
            active,
            offset,
            vote: scanned.vote,
            committed: scanned.committed,
            pending_committed: None,
            purged: scanned.purged,
            seg_max,
            _lock: lock,
        })
    }

    /// The writer thread (shared with `RaftNode` for the final sync, stats and disk status).
    pub(crate) fn io(&self) -> Arc<Io> {
        self.io.clone()
    }

    pub(crate) fn positions(&self) -> Arc<LogPositions> {
        self.positions.clone()
    }

    /// Starts a job's bytes: a new segment's header and checkpoint when the active one is
    /// full, then the commit point if one is waiting. Returns the bytes and whether they
    /// create a segment.
    fn start_job(&mut self) -> Result<(Vec<u8>, bool), StorageError> {
        let mut buf = Vec::new();
        let mut create = false;
        if self.offset >= SEGMENT_BYTES {
            self.active += 1;
            self.offset = 0;
            create = true;
            self.seg_max.insert(self.active, 0);
            buf.extend_from_slice(&record::header(self.active));
            if let Some(vote) = &self.vote {
                record::push_vote(&mut buf, vote).map_err(|e| StorageIOError::write_vote(&e))?;
            }
            if let Some(p) = &self.purged {
                record::push_purge(&mut buf, p);
            }
            self.pending_committed = self.pending_committed.or(self.committed);
        }
        if let Some(c) = self.pending_committed.take() {
            record::push_committed(&mut buf, &c);
        }
        Ok((buf, create))
    }

    fn submit(
        &mut self,
        bytes: Vec<u8>,
        create: bool,
        waiter: Option<Waiter>,
        flushed: Vec<(u64, Pos)>,
        remove: Vec<u64>,
    ) {
        let job = Job {
            seq: self.active,
            offset: self.offset,
            create,
            waiter,
            flushed,
            remove,
            bytes,
        };
        self.offset += job.bytes.len() as u64;
        self.io.submit(job);
    }

    fn set_last(&self) {
        self.positions
            .set_last(self.shared.last().or(self.purged).as_ref());
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        self.shared.read_range(&range)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogReader;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        Ok(LogState {
            last_purged_log_id: self.purged,
            last_log_id: self.shared.last().or(self.purged),
        })
    }

    async fn get_log_reader(&mut self) -> LogReader {
        LogReader {
            shared: self.shared.clone(),
        }
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        let (mut buf, create) = self.start_job()?;
        record::push_vote(&mut buf, vote).map_err(|e| StorageIOError::write_vote(&e))?;
        self.vote = Some(*vote);
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(
            buf,
            create,
            Some(Waiter::Notify(tx)),
            Vec::new(),
            Vec::new(),
        );
        let stopped = || std::io::Error::other("the Raft log writer has stopped");
        rx.await
            .map_err(|_| stopped())
            .and_then(|r| r)
            .map_err(|e| StorageIOError::write_vote(&e).into())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        Ok(self.vote)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        self.committed = committed;
        self.pending_committed = committed;
        self.positions
            .committed_index
            .store(committed.map_or(0, |c| c.index), Ordering::Release);
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        Ok(self.committed)
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry> + Send,
        I::IntoIter: Send,
    {
        let (mut buf, create) = self.start_job()?;
        let mut written = Vec::new();
        let mut encode_error = None;
        for entry in entries {
            let offset = self.offset + buf.len() as u64;
            match record::push_entry(&mut buf, &entry) {
                Ok(len) => {
                    let pos = Pos {
                        seq: self.active,
                        offset,
                        len: len as u32,
                    };
                    written.push((entry, pos));
                }
                Err(e) => {
                    encode_error = Some(StorageIOError::write_log_entry(entry.log_id, &e));
                    break;
                }
            }
        }
        let flushed: Vec<(u64, Pos)> = written.iter().map(|(e, p)| (e.log_id.index, *p)).collect();
        if let Some((_, pos)) = written.last() {
            let max = self.seg_max.entry(pos.seq).or_default();
            *max = (*max).max(flushed.last().map_or(0, |f| f.0));
        }
        {
            let mut g = self.shared.write();
            for (entry, pos) in written {
                let index = entry.log_id.index;
                while g.ids.back().is_some_and(|(l, _)| l.index >= index) {
                    g.ids.pop_back();
                }
                g.ids.push_back((entry.log_id, pos));
                g.recent.insert(index, pos, entry);
            }
        }
        self.set_last();
        if let Some(e) = encode_error {
            self.submit(buf, create, None, flushed, Vec::new());
            return Err(e.into());
        }
        self.submit(
            buf,
            create,
            Some(Waiter::Log(callback)),
            flushed,
            Vec::new(),
        );
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let (mut buf, create) = self.start_job()?;
        record::push_truncate(&mut buf, log_id.index);
        {
            let mut g = self.shared.write();
            while g.ids.back().is_some_and(|(l, _)| l.index >= log_id.index) {
                g.ids.pop_back();
            }
            g.recent.cut_from(log_id.index);
        }
        self.set_last();
        self.submit(buf, create, None, Vec::new(), Vec::new());
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let (mut buf, create) = self.start_job()?;
        record::push_purge(&mut buf, &log_id);
        if self.purged.is_none_or(|p| p < log_id) {
            self.purged = Some(log_id);
        }
        {
            let mut g = self.shared.write();
            while g.ids.front().is_some_and(|(l, _)| l.index <= log_id.index) {
                g.ids.pop_front();
            }
            g.recent.drop_through(log_id.index);
        }
        let remove: Vec<u64> = self
            .seg_max
            .iter()
            .filter(|(seq, max)| **seq < self.active && **max <= log_id.index)
            .map(|(seq, _)| *seq)
            .collect();
        for seq in &remove {
            self.seg_max.remove(seq);
        }
        self.set_last();
        self.submit(buf, create, None, Vec::new(), remove);
        Ok(())
    }
}
