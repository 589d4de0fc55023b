//! The on-disk layout of the Raft log tree: keys are `index (u64 BE) ++ chunk (u32 BE)`, values
//! are consecutive pieces of an entry's rmp-serde encoding. Reading (chunk reassembly, ranges,
//! size limits) lives here, and so does [`LogReader`], the cheap reader replication tasks use.

// openraft's storage traits return `StorageError` (large); helpers return it as is.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};

use openraft::storage::RaftLogReader;
use openraft::{AnyError, StorageIOError};

use super::types::{Entry, StorageError, TypeConfig};

/// Largest piece of an encoded entry stored under one sled key.
pub(crate) const CHUNK_SIZE: usize = 4 * 1024;
/// `limited_get_log_entries` stops after about this many encoded bytes.
pub(crate) const READ_LIMIT_BYTES: usize = 4 * 1024 * 1024;

/// A reader for replication tasks: a cheap clone of the log tree.
#[derive(Clone)]
pub struct LogReader {
    logs: sled::Tree,
}

impl LogReader {
    pub(crate) fn new(logs: sled::Tree) -> LogReader {
        LogReader { logs }
    }
}

pub(crate) fn entry_key(index: u64, chunk: u32) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&index.to_be_bytes());
    key[8..].copy_from_slice(&chunk.to_be_bytes());
    key
}

pub(crate) fn decode_key(key: &[u8]) -> Result<(u64, u32), StorageError> {
    if key.len() != 12 {
        return Err(StorageIOError::read_logs(AnyError::error(format!(
            "log key of {} bytes, expected 12",
            key.len()
        )))
        .into());
    }
    let mut index = [0u8; 8];
    index.copy_from_slice(&key[..8]);
    let mut chunk = [0u8; 4];
    chunk.copy_from_slice(&key[8..]);
    Ok((u64::from_be_bytes(index), u32::from_be_bytes(chunk)))
}

/// `[start, end)` of a range of log indexes; `end` `None` means unbounded.
pub(crate) fn index_bounds<RB: RangeBounds<u64>>(range: &RB) -> (u64, Option<u64>) {
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

/// Reads and decodes entries with index in `[start, end)`, stopping once `limit` encoded bytes
/// were returned (always returns at least one entry if there is one).
pub(crate) fn read_entries(
    logs: &sled::Tree,
    start: u64,
    end: Option<u64>,
    limit: usize,
) -> Result<Vec<Entry>, StorageError> {
    let mut out = Vec::new();
    if end.is_some_and(|e| e <= start) {
        return Ok(out);
    }
    let lower = entry_key(start, 0);
    let iter = match end {
        Some(e) => logs.range(lower..entry_key(e, 0)),
        None => logs.range(lower..),
    };
    let mut current: Option<(u64, Vec<u8>)> = None;
    let mut total = 0usize;
    let decode = |index: u64, bytes: &[u8]| -> Result<Entry, StorageError> {
        rmp_serde::from_slice(bytes).map_err(|e| {
            StorageIOError::read_log_at_index(index, AnyError::new(&e).add_context(|| "decode"))
                .into()
        })
    };
    for item in iter {
        let (key, value) = item.map_err(|e| StorageIOError::read_logs(&e))?;
        let (index, chunk) = decode_key(&key)?;
        match current.as_mut() {
            Some((cur, buf)) if *cur == index && chunk > 0 => buf.extend_from_slice(&value),
            _ => {
                if let Some((cur, buf)) = current.take() {
                    total += buf.len();
                    out.push(decode(cur, &buf)?);
                    if total >= limit {
                        return Ok(out);
                    }
                }
                current = Some((index, value.to_vec()));
            }
        }
    }
    if let Some((cur, buf)) = current {
        out.push(decode(cur, &buf)?);
    }
    Ok(out)
}

/// Removes every key in `[from, to)`.
pub(crate) fn remove_range(
    logs: &sled::Tree,
    from: [u8; 12],
    to: Option<[u8; 12]>,
) -> sled::Result<()> {
    let mut batch = sled::Batch::default();
    let iter = match to {
        Some(to) => logs.range(from..to),
        None => logs.range(from..),
    };
    for item in iter.keys() {
        batch.remove(item?);
    }
    logs.apply_batch(batch)
}

impl RaftLogReader<TypeConfig> for LogReader {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        let (start, end) = index_bounds(&range);
        read_entries(&self.logs, start, end, usize::MAX)
    }

    async fn limited_get_log_entries(
        &mut self,
        start: u64,
        end: u64,
    ) -> Result<Vec<Entry>, StorageError> {
        read_entries(&self.logs, start, Some(end), READ_LIMIT_BYTES)
    }
}
