//! Reading the segments back at start: every record is checked, the log's state (entries'
//! positions, vote, committed and purged ids) is rebuilt, and a torn tail is cut off.
//!
//! Only the last segment can end in a torn record (the writer appends there and nowhere else):
//! a record that is short or fails its checksum there is the unacknowledged part of a write a
//! crash interrupted, so the file is cut back to the last good record (and the cut logged).
//! Zeros from a point to its end are no record: the space the writer keeps ahead (`space.rs`),
//! where writing goes on. A bad record in any earlier segment is corruption (their zeros are
//! cut off before the next segment starts): the start stops with the file's name.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use super::super::fsutil::sync_dir;
use super::super::types::{LogId, Vote};
use super::record::{self, Bad, Record, FRAME_LEN, HEADER_LEN};
use super::{segment_path, LogOpenError, Pos};

/// What the segments say.
#[derive(Debug, Default)]
pub(crate) struct Scanned {
    /// Entries after the purge point, in index order.
    pub(crate) ids: VecDeque<(LogId, Pos)>,
    pub(crate) vote: Option<Vote>,
    pub(crate) committed: Option<LogId>,
    pub(crate) purged: Option<LogId>,
    /// Highest entry index written into each segment (for compaction).
    pub(crate) seg_max: BTreeMap<u64, u64>,
    /// The last segment and its length (after any cut): where writing goes on.
    pub(crate) active: Option<(u64, u64)>,
}

/// Segment sequence numbers present in `dir`, ascending.
pub(crate) fn list(dir: &Path) -> Result<Vec<u64>, LogOpenError> {
    let io_err = |source| LogOpenError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut seqs = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err)? {
        let name = entry.map_err(io_err)?.file_name();
        let name = name.to_string_lossy();
        if let Some(seq) = name
            .strip_suffix(".wal")
            .and_then(|s| s.parse::<u64>().ok())
        {
            seqs.push(seq);
        }
    }
    seqs.sort_unstable();
    Ok(seqs)
}

/// Scans every segment in `dir`.
pub(crate) fn scan(dir: &Path) -> Result<Scanned, LogOpenError> {
    let seqs = list(dir)?;
    let mut out = Scanned::default();
    for (i, &seq) in seqs.iter().enumerate() {
        let last = i + 1 == seqs.len();
        let path = segment_path(dir, seq);
        let bytes = fs::read(&path).map_err(|source| LogOpenError::Io {
            path: path.clone(),
            source,
        })?;
        let corrupt = |detail: String| LogOpenError::Corrupt {
            path: path.clone(),
            detail,
        };
        if bytes.len() < HEADER_LEN || (last && bytes.iter().all(|b| *b == 0)) {
            if last {
                // A crash while the segment was being created: nothing in it was acknowledged.
                tracing::warn!(file = %path.display(), "removing a Raft log segment whose creation a crash interrupted");
                remove_torn(&path, dir)?;
                continue;
            }
            return Err(corrupt(format!(
                "{} bytes, shorter than a header",
                bytes.len()
            )));
        }
        match record::parse_header(&bytes) {
            Some(s) if s == seq => {}
            Some(s) => return Err(corrupt(format!("the header names segment {s}"))),
            None => return Err(corrupt("no sd WAL header".into())),
        }
        let good = match read_records(&bytes, seq, &mut out) {
            Ok(len) => len,
            // The zeroed space ahead of the records: the file stays as long as it is.
            Err(BadAt::Torn(at, _)) if last && bytes[at..].iter().all(|b| *b == 0) => at,
            Err(BadAt::Torn(at, detail)) if last => {
                tracing::warn!(
                    file = %path.display(),
                    at,
                    // The torn bytes, not the zeroed space after them.
                    dropped = bytes.iter().rposition(|b| *b != 0).map_or(at, |i| i + 1) - at,
                    detail,
                    "cutting a torn record off the end of the Raft log (a write a crash \
                     interrupted; it was never acknowledged)"
                );
                cut(&path, at as u64)?;
                at
            }
            Err(BadAt::Torn(at, detail) | BadAt::Inconsistent(at, detail)) => {
                return Err(corrupt(format!("bad record at byte {at}: {detail}")))
            }
        };
        if last {
            out.active = Some((seq, good as u64));
        }
    }
    // The live entries must start right after the purge point: a gap is a lost segment.
    if let (Some((first, pos)), Some(p)) = (out.ids.front(), out.purged) {
        if first.index != p.index + 1 {
            return Err(LogOpenError::Corrupt {
                path: segment_path(dir, pos.seq),
                detail: format!(
                    "the log is purged up to entry {} but its first entry is {}: entries in \
                     between are missing (a segment file was removed?)",
                    p.index, first.index
                ),
            });
        }
    }
    Ok(out)
}

/// Where a segment went bad and why.
enum BadAt {
    /// A record that is short or fails its checksum: a torn write if it is at the end.
    Torn(usize, String),
    /// A sound record that contradicts what came before: always corruption.
    Inconsistent(usize, String),
}

/// Applies the records of one segment; returns its length, or where and why it went bad.
fn read_records(bytes: &[u8], seq: u64, out: &mut Scanned) -> Result<usize, BadAt> {
    let mut at = HEADER_LEN;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let torn = |b: Bad| BadAt::Torn(at, why(b));
        let (len, crc) = record::frame(rest).map_err(torn)?;
        let total = FRAME_LEN + len as usize;
        let whole = rest.get(..total).ok_or_else(|| torn(Bad::Short))?;
        let rec = record::decode(whole, crc).map_err(torn)?;
        let pos = Pos {
            seq,
            offset: at as u64,
            len: total as u32,
        };
        apply(out, rec, pos).map_err(|detail| BadAt::Inconsistent(at, detail))?;
        at += total;
    }
    Ok(at)
}

fn why(b: Bad) -> String {
    match b {
        Bad::Short => "the file ends inside it".into(),
        Bad::Invalid(s) => s,
    }
}

fn apply(out: &mut Scanned, rec: Record<'_>, pos: Pos) -> Result<(), String> {
    match rec {
        Record::Entry(id, body) => {
            // A sound checksum over an entry that does not decode (or names another log id)
            // was written wrong, not torn: refuse it now rather than fail Raft when it is read.
            // Found by fuzzing the scan.
            match record::decode_entry(body) {
                Ok(entry) if entry.log_id == id => {}
                Ok(entry) => {
                    return Err(format!(
                        "entry {} holds the log id of entry {}",
                        id.index, entry.log_id.index
                    ))
                }
                Err(e) => return Err(format!("entry {} does not decode: {e}", id.index)),
            }
            // With no live entry, the first one may lie past the purge point read so far: the
            // segments before were deleted after a later purge record (checked at the end).
            match out.ids.back().map(|(l, _)| l.index + 1) {
                Some(e) if id.index > e => {
                    return Err(format!("entry {} follows entry {}", id.index, e - 1))
                }
                Some(e) if id.index < e => truncate(out, id.index),
                _ => {}
            }
            if out.purged.is_some_and(|p| id.index <= p.index) {
                return Err(format!("entry {} is before the purge point", id.index));
            }
            out.ids.push_back((id, pos));
            let max = out.seg_max.entry(pos.seq).or_default();
            *max = (*max).max(id.index);
        }
        Record::Vote(v) => out.vote = Some(v),
        Record::Committed(c) => out.committed = Some(c),
        Record::Truncate(since) => truncate(out, since),
        Record::Purge(p) => {
            while out.ids.front().is_some_and(|(l, _)| l.index <= p.index) {
                out.ids.pop_front();
            }
            if out.purged.is_none_or(|old| old < p) {
                out.purged = Some(p);
            }
        }
    }
    Ok(())
}

fn truncate(out: &mut Scanned, since: u64) {
    while out.ids.back().is_some_and(|(l, _)| l.index >= since) {
        out.ids.pop_back();
    }
}

fn cut(path: &PathBuf, len: u64) -> Result<(), LogOpenError> {
    let io_err = |source| LogOpenError::Io {
        path: path.clone(),
        source,
    };
    let file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io_err)?;
    file.set_len(len).map_err(io_err)?;
    file.sync_all().map_err(io_err)
}

fn remove_torn(path: &Path, dir: &Path) -> Result<(), LogOpenError> {
    fs::remove_file(path).map_err(|source| LogOpenError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    sync_dir(dir).map_err(|source| LogOpenError::Io {
        path: dir.to_path_buf(),
        source,
    })
}
