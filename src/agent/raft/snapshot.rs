//! Snapshot files in `<raft-dir>/snapshots/`: one file per snapshot, only the newest kept.
//!
//! A file is `snap-<term:020>-<index:020>.bin` and holds, in order: the magic `SDSNAP01`, the
//! metadata length (u32 BE), the metadata (rmp-serde of openraft's `SnapshotMeta`), the state
//! length (u64 BE), the state bytes (`Store::snapshot()`), and a 64-bit FNV-1a checksum (BE) of
//! everything before it. A file is written as `.<name>.tmp`, fsynced, renamed into place, and the
//! directory fsynced; only then are older snapshots removed. All functions here block: call them
//! from `spawn_blocking` or at open.

use std::fs::{self, File};
use std::hash::Hasher;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::fsutil::{create_dir_durable, sync_dir};
use super::types::{Fnv64, SnapshotMeta};

const MAGIC: &[u8; 8] = b"SDSNAP01";
const PREFIX: &str = "snap-";
const SUFFIX: &str = ".bin";

/// Problems with snapshot files.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot I/O on {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "snapshot file {path} is corrupt ({detail}); restore it from a backup, or move it aside \
         to start from the Raft log alone (only complete if the log was never compacted)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("cannot encode snapshot metadata: {0}")]
    Encode(String),
}

/// The snapshot directory.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotDir {
    dir: PathBuf,
}

impl SnapshotDir {
    /// Creates the directory if needed and removes leftovers of interrupted writes.
    pub(crate) fn open(dir: &Path) -> Result<SnapshotDir, SnapshotError> {
        let io_err = |source| SnapshotError::Io {
            path: dir.to_path_buf(),
            source,
        };
        create_dir_durable(dir).map_err(io_err)?;
        for entry in fs::read_dir(dir).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".tmp") {
                fs::remove_file(entry.path()).map_err(io_err)?;
            }
        }
        Ok(SnapshotDir {
            dir: dir.to_path_buf(),
        })
    }

    fn file_name(meta: &SnapshotMeta) -> String {
        let (term, index) = meta
            .last_log_id
            .map_or((0, 0), |l| (l.leader_id.term, l.index));
        format!("{PREFIX}{term:020}-{index:020}{SUFFIX}")
    }

    /// Snapshot files present, newest (highest term, then index) first.
    fn list(&self) -> Result<Vec<PathBuf>, SnapshotError> {
        let io_err = |source| SnapshotError::Io {
            path: self.dir.clone(),
            source,
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(io_err)? {
            let name = entry.map_err(io_err)?.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
                names.push(name.into_owned());
            }
        }
        // Zero-padded term then index: lexical order is log id order.
        names.sort_unstable_by(|a, b| b.cmp(a));
        Ok(names.into_iter().map(|n| self.dir.join(n)).collect())
    }

    /// Durably writes a snapshot, then deletes every other one. Returns the file's path.
    pub(crate) fn write(&self, meta: &SnapshotMeta, data: &[u8]) -> Result<PathBuf, SnapshotError> {
        let meta_bytes =
            rmp_serde::to_vec_named(meta).map_err(|e| SnapshotError::Encode(e.to_string()))?;
        let meta_len = u32::try_from(meta_bytes.len())
            .map_err(|_| SnapshotError::Encode("metadata larger than 4 GiB".into()))?;
        let name = Self::file_name(meta);
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let io_err = |source| SnapshotError::Io {
            path: tmp.clone(),
            source,
        };
        let mut header = Vec::with_capacity(8 + 4 + meta_bytes.len() + 8);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&meta_len.to_be_bytes());
        header.extend_from_slice(&meta_bytes);
        header.extend_from_slice(&(data.len() as u64).to_be_bytes());
        let mut sum = Fnv64::default();
        sum.write(&header);
        sum.write(data);
        {
            let mut file = File::create(&tmp).map_err(io_err)?;
            file.write_all(&header).map_err(io_err)?;
            file.write_all(data).map_err(io_err)?;
            file.write_all(&sum.finish().to_be_bytes())
                .map_err(io_err)?;
            file.sync_all().map_err(io_err)?;
        }
        fs::rename(&tmp, &path).map_err(io_err)?;
        sync_dir(&self.dir).map_err(|source| SnapshotError::Io {
            path: self.dir.clone(),
            source,
        })?;
        for old in self.list()? {
            if old != path {
                fs::remove_file(&old).map_err(|source| SnapshotError::Io { path: old, source })?;
            }
        }
        Ok(path)
    }

    /// The newest snapshot, verified, if there is one.
    pub(crate) fn load_latest(&self) -> Result<Option<(SnapshotMeta, Vec<u8>)>, SnapshotError> {
        match self.list()?.into_iter().next() {
            None => Ok(None),
            Some(path) => read_file(&path).map(Some),
        }
    }

    /// The state bytes of the snapshot described by `meta` (which must be the current one).
    pub(crate) fn read_data(&self, meta: &SnapshotMeta) -> Result<Vec<u8>, SnapshotError> {
        let path = self.dir.join(Self::file_name(meta));
        let (found, data) = read_file(&path)?;
        if found.snapshot_id != meta.snapshot_id {
            return Err(SnapshotError::Corrupt {
                path,
                detail: format!(
                    "holds snapshot {} where {} was expected",
                    found.snapshot_id, meta.snapshot_id
                ),
            });
        }
        Ok(data)
    }
}

/// Reads and verifies one snapshot file.
fn read_file(path: &Path) -> Result<(SnapshotMeta, Vec<u8>), SnapshotError> {
    let mut raw = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut raw))
        .map_err(|source| SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let corrupt = |detail: &str| SnapshotError::Corrupt {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    if raw.len() < 8 + 4 + 8 + 8 || &raw[..8] != MAGIC {
        return Err(corrupt("not an sd snapshot file"));
    }
    let body_len = raw.len() - 8;
    let mut stored = [0u8; 8];
    stored.copy_from_slice(&raw[body_len..]);
    let mut sum = Fnv64::default();
    sum.write(&raw[..body_len]);
    if sum.finish() != u64::from_be_bytes(stored) {
        return Err(corrupt("checksum mismatch"));
    }
    let mut len4 = [0u8; 4];
    len4.copy_from_slice(&raw[8..12]);
    let meta_end = 12 + u32::from_be_bytes(len4) as usize;
    if meta_end + 8 > body_len {
        return Err(corrupt("truncated metadata"));
    }
    let meta: SnapshotMeta = crate::agent::msgpack::decode(&raw[12..meta_end])
        .map_err(|e| corrupt(&format!("metadata: {e}")))?;
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&raw[meta_end..meta_end + 8]);
    let data_start = meta_end + 8;
    if u64::from_be_bytes(len8) != (body_len - data_start) as u64 {
        return Err(corrupt("state length does not match the file size"));
    }
    raw.truncate(body_len);
    raw.drain(..data_start);
    Ok((meta, raw))
}
