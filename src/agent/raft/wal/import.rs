//! One-time import of a Raft log written by sd before the WAL: a sled database in
//! `<raft-dir>/log` (tree `log`: `index (u64 BE) ++ chunk (u32 BE)` to pieces of an entry's
//! rmp-serde encoding; tree `meta`: vote, committed and last purged ids, and a format marker).
//!
//! Everything is copied into a first segment written beside the WAL directory's segments as a
//! temporary file, synced, then renamed into place; only then is the sled directory renamed to
//! `log.imported` (kept, not deleted: the operator removes it once satisfied). A crash at any
//! point leaves either the old log alone or a complete segment.

use std::fs;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::super::fsutil::sync_dir;
use super::super::types::{Entry, LogId, Vote};
use super::{record, scan, segment_path, LogOpenError};

const FORMAT_KEY: &[u8] = b"format";
const FORMAT_VALUE: &[u8] = b"sd-raft-log-v1";

/// What an old sled log holds.
struct Old {
    vote: Option<Vote>,
    committed: Option<LogId>,
    purged: Option<LogId>,
    entries: Vec<Entry>,
}

/// Imports `<raft_dir>/log` into `wal_dir` if the former is a sled log and the latter is empty.
pub(super) fn import_if_needed(raft_dir: &Path, wal_dir: &Path) -> Result<(), LogOpenError> {
    let old_dir = raft_dir.join("log");
    if !old_dir.join("db").exists() || !scan::list(wal_dir)?.is_empty() {
        return Ok(());
    }
    let old = read(&old_dir)?;
    let mut buf = record::header(1).to_vec();
    let corrupt = |detail: String| LogOpenError::Corrupt {
        path: old_dir.clone(),
        detail,
    };
    if let Some(vote) = &old.vote {
        record::push_vote(&mut buf, vote).map_err(|e| corrupt(e.to_string()))?;
    }
    if let Some(p) = &old.purged {
        record::push_purge(&mut buf, p);
    }
    if let Some(c) = &old.committed {
        record::push_committed(&mut buf, c);
    }
    for entry in &old.entries {
        record::push_entry(&mut buf, entry).map_err(|e| corrupt(e.to_string()))?;
    }
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LogOpenError::Io { path, source }
    };
    let tmp = wal_dir.join("import.tmp");
    let file = fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all_at(&buf, 0)
        .and_then(|()| file.sync_all())
        .map_err(io_err(&tmp))?;
    let target = segment_path(wal_dir, 1);
    fs::rename(&tmp, &target).map_err(io_err(&target))?;
    sync_dir(wal_dir).map_err(io_err(wal_dir))?;
    let kept = free_name(raft_dir);
    fs::rename(&old_dir, &kept).map_err(io_err(&old_dir))?;
    sync_dir(raft_dir).map_err(io_err(raft_dir))?;
    tracing::info!(
        entries = old.entries.len(),
        from = %old_dir.display(),
        kept = %kept.display(),
        "imported the Raft log into the write-ahead log; the old copy can be removed"
    );
    Ok(())
}

fn free_name(raft_dir: &Path) -> PathBuf {
    let mut n = 0;
    loop {
        let name = if n == 0 {
            "log.imported".to_string()
        } else {
            format!("log.imported.{n}")
        };
        let path = raft_dir.join(name);
        if !path.exists() {
            return path;
        }
        n += 1;
    }
}

fn read(dir: &Path) -> Result<Old, LogOpenError> {
    let path = dir.to_path_buf();
    let corrupt = |detail: String| LogOpenError::Corrupt {
        path: path.clone(),
        detail,
    };
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(1024 * 1024)
        .open()
        .map_err(|e| match e {
            sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
                LogOpenError::Locked { path: path.clone() }
            }
            other => corrupt(other.to_string()),
        })?;
    let sled_err = |e: sled::Error| corrupt(e.to_string());
    let meta = db.open_tree("meta").map_err(sled_err)?;
    match meta.get(FORMAT_KEY).map_err(sled_err)? {
        Some(v) if v.as_ref() == FORMAT_VALUE => {}
        _ => {
            return Err(LogOpenError::Foreign {
                path: path.clone(),
                detail: "sled data without an sd format marker".into(),
            })
        }
    }
    let get = |key: &[u8]| -> Result<Option<Vec<u8>>, LogOpenError> {
        Ok(meta.get(key).map_err(sled_err)?.map(|v| v.to_vec()))
    };
    let decode_meta = |key: &[u8]| -> Result<Option<LogId>, LogOpenError> {
        get(key)?
            .map(|b| crate::agent::msgpack::decode(&b).map_err(|e| corrupt(e.to_string())))
            .transpose()
    };
    let vote = get(b"vote")?
        .map(|b| crate::agent::msgpack::decode(&b).map_err(|e| corrupt(e.to_string())))
        .transpose()?;
    let committed = decode_meta(b"committed")?;
    let purged = decode_meta(b"last_purged")?;
    let logs = db.open_tree("log").map_err(sled_err)?;
    let mut entries = Vec::new();
    let mut current: Option<(u64, Vec<u8>)> = None;
    let mut finish = |cur: Option<(u64, Vec<u8>)>| -> Result<(), LogOpenError> {
        if let Some((index, bytes)) = cur {
            let entry: Entry = crate::agent::msgpack::decode(&bytes)
                .map_err(|e| corrupt(format!("entry {index}: {e}")))?;
            entries.push(entry);
        }
        Ok(())
    };
    for item in logs.iter() {
        let (key, value) = item.map_err(sled_err)?;
        if key.len() != 12 {
            return Err(corrupt(format!("log key of {} bytes", key.len())));
        }
        let index = u64::from_be_bytes(key[..8].try_into().unwrap_or_default());
        let chunk = u32::from_be_bytes(key[8..].try_into().unwrap_or_default());
        match current.as_mut() {
            Some((cur, buf)) if *cur == index && chunk > 0 => buf.extend_from_slice(&value),
            _ => {
                finish(current.take())?;
                current = Some((index, value.to_vec()));
            }
        }
    }
    finish(current)?;
    Ok(Old {
        vote,
        committed,
        purged,
        entries,
    })
}
