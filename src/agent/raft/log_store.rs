//! The Raft log and vote in sled (`<raft-dir>/log`), durable through [`Syncer`] (group commit).
//!
//! Layout: tree `log` maps `index (u64 BE) ++ chunk (u32 BE)` to a piece of the entry's
//! rmp-serde encoding (`to_vec_named`). Entries are cut into [`CHUNK_SIZE`] pieces so that no sled
//! node ever grows past its blob threshold (a quarter of a 512 KiB segment): sled then never
//! writes values into separate, unsynced `blobs/` files. All chunks of an append go in one sled
//! batch, so an entry is never torn. Tree `meta` holds the vote, the committed log id, the last
//! purged log id and a format marker that tells a foreign directory apart.
//!
//! Durability: `append` calls back, and `save_vote` returns, only after a flush + fdatasync that
//! covers the write. Truncate, purge and save_committed are not waited for: the next sync (sled's
//! log is sequential) makes them durable, and losing them in a crash is harmless.

// openraft's storage traits return `StorageError` (large); helpers return it as is.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::io;
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use openraft::storage::{LogFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::{AnyError, StorageIOError};

use super::fsutil::{create_dir_durable, sync_dir};
use super::log_keys::{
    decode_key, entry_key, index_bounds, read_entries, remove_range, LogReader, CHUNK_SIZE,
};
use super::syncer::{Syncer, Waiter};
use super::types::{Entry, LogId, StorageError, TypeConfig, Vote};

/// sled page cache size: small, the idle agent should stay under 20 MB RSS.
const CACHE_CAPACITY: u64 = 4 * 1024 * 1024;
const KNOWN_TREES: [&[u8]; 3] = [b"__sled__default", b"log", b"meta"];
const FORMAT_KEY: &[u8] = b"format";
const FORMAT_VALUE: &[u8] = b"sd-raft-log-v1";
const VOTE_KEY: &[u8] = b"vote";
const COMMITTED_KEY: &[u8] = b"committed";
const PURGED_KEY: &[u8] = b"last_purged";

/// Why the log store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogOpenError {
    #[error(
        "the Raft log in {path} is locked by another process; is another sd agent running with \
         the same -data-dir? Stop it, or use a different -data-dir"
    )]
    Locked { path: PathBuf },
    #[error(
        "the Raft log in {path} is corrupt ({detail}); restore the data dir from a backup, or \
         remove {path} to rejoin the cluster with an empty log (this server's Raft data is lost)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} is not an sd Raft log ({detail}); point -data-dir at an sd data directory or an \
         empty one"
    )]
    Foreign { path: PathBuf, detail: String },
    #[error("cannot open the Raft log in {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
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

/// The sled-backed [`RaftLogStorage`].
pub struct LogStore {
    logs: sled::Tree,
    meta: sled::Tree,
    syncer: Arc<Syncer>,
    positions: Arc<LogPositions>,
}

impl LogStore {
    /// Opens (or creates) the log in `dir`.
    pub fn open(dir: &Path) -> Result<LogStore, LogOpenError> {
        let io_err = |source: io::Error| LogOpenError::Io {
            path: dir.to_path_buf(),
            source,
        };
        create_dir_durable(dir).map_err(io_err)?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_CAPACITY)
            .flush_every_ms(None)
            .open()
            .map_err(|e| classify_open_error(dir, e))?;
        let sled_err = |e: sled::Error| classify_open_error(dir, e);
        // A database sd did not create has other trees, data in the default tree, or no marker.
        let foreign_trees = db
            .tree_names()
            .into_iter()
            .any(|name| !KNOWN_TREES.contains(&name.as_ref()));
        let logs = db.open_tree("log").map_err(sled_err)?;
        let meta = db.open_tree("meta").map_err(sled_err)?;
        let foreign = |detail: String| LogOpenError::Foreign {
            path: dir.to_path_buf(),
            detail,
        };
        match meta.get(FORMAT_KEY).map_err(sled_err)? {
            Some(v) if v.as_ref() == FORMAT_VALUE => {}
            Some(v) => {
                return Err(foreign(format!(
                    "format marker {:?}",
                    String::from_utf8_lossy(&v)
                )))
            }
            None if foreign_trees || !db.is_empty() || !logs.is_empty() || !meta.is_empty() => {
                return Err(foreign("sled data without an sd format marker".into()))
            }
            None => {
                meta.insert(FORMAT_KEY, FORMAT_VALUE).map_err(sled_err)?;
            }
        }
        let syncer = Syncer::start(db.clone(), dir).map_err(io_err)?;
        // Make the files sled created (and the marker) durable, including their directory entries.
        db.flush().map_err(sled_err)?;
        for file in ["db", "conf"] {
            let path = dir.join(file);
            if path.exists() {
                std::fs::File::open(&path)
                    .and_then(|f| f.sync_all())
                    .map_err(io_err)?;
            }
        }
        sync_dir(dir).map_err(io_err)?;
        let store = LogStore {
            logs,
            meta,
            syncer: Arc::new(syncer),
            positions: Arc::new(LogPositions::default()),
        };
        let last = store.last_log_id().map_err(|e| LogOpenError::Corrupt {
            path: dir.to_path_buf(),
            detail: e.to_string(),
        })?;
        let committed =
            store
                .read_meta::<LogId>(COMMITTED_KEY)
                .map_err(|e| LogOpenError::Corrupt {
                    path: dir.to_path_buf(),
                    detail: e.to_string(),
                })?;
        store.positions.set_last(last.as_ref());
        store
            .positions
            .committed_index
            .store(committed.map_or(0, |c| c.index), Ordering::Release);
        Ok(store)
    }

    /// The group-commit syncer (shared with `RaftNode` for the final sync and stats).
    pub(crate) fn syncer(&self) -> Arc<Syncer> {
        self.syncer.clone()
    }

    pub(crate) fn positions(&self) -> Arc<LogPositions> {
        self.positions.clone()
    }

    fn read_meta<T: serde::de::DeserializeOwned>(
        &self,
        key: &[u8],
    ) -> Result<Option<T>, StorageError> {
        let raw = self.meta.get(key).map_err(|e| StorageIOError::read(&e))?;
        match raw {
            None => Ok(None),
            Some(bytes) => rmp_serde::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StorageIOError::read(&e).into()),
        }
    }

    fn write_meta<T: serde::Serialize>(&self, key: &[u8], value: &T) -> Result<(), StorageError> {
        let bytes = rmp_serde::to_vec_named(value).map_err(|e| StorageIOError::write(&e))?;
        self.meta
            .insert(key, bytes)
            .map_err(|e| StorageIOError::write(&e))?;
        Ok(())
    }

    fn last_log_id(&self) -> Result<Option<LogId>, StorageError> {
        let last = self
            .logs
            .last()
            .map_err(|e| StorageIOError::read_logs(&e))?;
        let Some((key, _)) = last else {
            return Ok(None);
        };
        let index = decode_key(&key)?.0;
        let entries = read_entries(&self.logs, index, index.checked_add(1), usize::MAX)?;
        Ok(entries.last().map(|e| e.log_id))
    }
}

fn classify_open_error(dir: &Path, e: sled::Error) -> LogOpenError {
    let path = dir.to_path_buf();
    match e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            LogOpenError::Locked { path }
        }
        sled::Error::Io(source) => LogOpenError::Io { path, source },
        sled::Error::Corruption { at, .. } => LogOpenError::Corrupt {
            path,
            detail: match at {
                Some(at) => format!("bad data at {at:?}"),
                None => "bad data".into(),
            },
        },
        sled::Error::Unsupported(detail) => LogOpenError::Foreign { path, detail },
        other => LogOpenError::Corrupt {
            path,
            detail: other.to_string(),
        },
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        let (start, end) = index_bounds(&range);
        read_entries(&self.logs, start, end, usize::MAX)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogReader;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        let last_purged_log_id = self.read_meta::<LogId>(PURGED_KEY)?;
        let last_log_id = self.last_log_id()?.or(last_purged_log_id);
        Ok(LogState {
            last_purged_log_id,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> LogReader {
        LogReader::new(self.logs.clone())
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        self.write_meta(VOTE_KEY, vote)?;
        self.syncer
            .sync()
            .await
            .map_err(|e| StorageIOError::write_vote(&e).into())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        self.read_meta(VOTE_KEY)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        match committed {
            Some(c) => {
                self.write_meta(COMMITTED_KEY, &c)?;
                self.positions
                    .committed_index
                    .store(c.index, Ordering::Release);
            }
            None => {
                self.meta
                    .remove(COMMITTED_KEY)
                    .map_err(|e| StorageIOError::write(&e))?;
            }
        }
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        self.read_meta(COMMITTED_KEY)
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
        let mut batch = sled::Batch::default();
        let mut last = None;
        for entry in entries {
            let bytes = rmp_serde::to_vec_named(&entry)
                .map_err(|e| StorageIOError::write_log_entry(entry.log_id, &e))?;
            let index = entry.log_id.index;
            for (chunk, piece) in bytes.chunks(CHUNK_SIZE).enumerate() {
                let chunk = u32::try_from(chunk).map_err(|e| {
                    StorageIOError::write_log_entry(entry.log_id, AnyError::new(&e))
                })?;
                batch.insert(&entry_key(index, chunk)[..], piece);
            }
            if bytes.is_empty() {
                batch.insert(&entry_key(index, 0)[..], &[][..]);
            }
            last = Some(entry.log_id);
        }
        self.logs
            .apply_batch(batch)
            .map_err(|e| StorageIOError::write_logs(&e))?;
        if let Some(last) = last {
            self.positions.set_last(Some(&last));
        }
        self.syncer.submit(Waiter::Log(callback));
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        remove_range(&self.logs, entry_key(log_id.index, 0), None)
            .map_err(|e| StorageIOError::write_logs(&e))?;
        let last = self.last_log_id()?;
        let last = match last {
            Some(l) => Some(l),
            None => self.read_meta::<LogId>(PURGED_KEY)?,
        };
        self.positions.set_last(last.as_ref());
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        // Record the purge point first: a crash in between leaves extra entries, never a hole.
        self.write_meta(PURGED_KEY, &log_id)?;
        let upto = log_id.index.checked_add(1).map(|i| entry_key(i, 0));
        remove_range(&self.logs, entry_key(0, 0), upto)
            .map_err(|e| StorageIOError::write_logs(&e))?;
        if self.logs.is_empty() {
            self.positions.set_last(Some(&log_id));
        }
        Ok(())
    }
}
