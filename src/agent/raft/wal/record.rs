//! The framing of one WAL record and of a segment's header.
//!
//! A segment file starts with [`HEADER_LEN`] bytes: the magic `SDWAL001` and the segment's
//! sequence number (u64 BE). Records follow back to back:
//! `length (u32 BE) | CRC-32 (u32 BE) of kind ++ body | kind (u8) | body (length bytes)`.
//! An entry's body starts with its log id (term, leader node, index; u64 BE each) so that a scan
//! learns the log id without decoding the entry (rmp-serde, named fields) that follows.

use super::super::types::{Entry, LogId, Vote};

/// Segment header: magic then sequence number.
pub(crate) const MAGIC: &[u8; 8] = b"SDWAL001";
pub(crate) const HEADER_LEN: usize = 16;
/// length + CRC + kind.
pub(crate) const FRAME_LEN: usize = 9;
/// A record body longer than this is corruption (the batcher caps an entry near 4 MiB; the
/// state a snapshot carries never goes through the log).
pub(crate) const MAX_BODY: u32 = 256 * 1024 * 1024;
const ENTRY_ID_LEN: usize = 24;

/// What a record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Entry = 1,
    Vote = 2,
    Committed = 3,
    /// Entries from this index on are gone (a follower's conflicting suffix).
    Truncate = 4,
    /// Entries up to this log id are gone (compacted into a snapshot).
    Purge = 5,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Entry,
            2 => Kind::Vote,
            3 => Kind::Committed,
            4 => Kind::Truncate,
            5 => Kind::Purge,
            _ => return None,
        })
    }
}

/// A decoded record, borrowing its body.
#[derive(Debug)]
pub(crate) enum Record<'a> {
    /// The entry's log id and its full encoding (decode with [`decode_entry`]).
    Entry(LogId, &'a [u8]),
    Vote(Vote),
    Committed(LogId),
    Truncate(u64),
    Purge(LogId),
}

/// Why bytes are not a record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Bad {
    /// The bytes end inside the record (a torn write, or the end of the file).
    Short,
    /// The record is complete but does not check out.
    Invalid(String),
}

/// The header of segment `seq`.
pub(crate) fn header(seq: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8..].copy_from_slice(&seq.to_be_bytes());
    h
}

/// The sequence number a header names, if it is one.
pub(crate) fn parse_header(bytes: &[u8]) -> Option<u64> {
    let magic = bytes.get(..8)?;
    let seq = bytes.get(8..HEADER_LEN)?;
    (magic == MAGIC).then(|| u64::from_be_bytes(seq.try_into().unwrap_or_default()))
}

fn push(buf: &mut Vec<u8>, kind: Kind, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&[kind as u8]);
    for p in parts {
        crc.update(p);
    }
    // Bodies are bounded by the batcher (entries) or fixed (the rest), far below u32::MAX.
    buf.extend_from_slice(&(len as u32).to_be_bytes());
    buf.extend_from_slice(&crc.finalize().to_be_bytes());
    buf.push(kind as u8);
    for p in parts {
        buf.extend_from_slice(p);
    }
}

fn log_id_bytes(id: &LogId) -> [u8; ENTRY_ID_LEN] {
    let mut b = [0u8; ENTRY_ID_LEN];
    b[..8].copy_from_slice(&id.leader_id.term.to_be_bytes());
    b[8..16].copy_from_slice(&id.leader_id.node_id.to_be_bytes());
    b[16..].copy_from_slice(&id.index.to_be_bytes());
    b
}

fn log_id_from(b: &[u8]) -> Option<LogId> {
    let word =
        |i: usize| -> Option<u64> { Some(u64::from_be_bytes(b.get(i..i + 8)?.try_into().ok()?)) };
    Some(LogId::new(
        openraft::CommittedLeaderId::new(word(0)?, word(8)?),
        word(16)?,
    ))
}

/// Appends an entry record; returns the record's length.
pub(crate) fn push_entry(
    buf: &mut Vec<u8>,
    entry: &Entry,
) -> Result<usize, rmp_serde::encode::Error> {
    let body = rmp_serde::to_vec_named(entry)?;
    let start = buf.len();
    push(buf, Kind::Entry, &[&log_id_bytes(&entry.log_id), &body]);
    Ok(buf.len() - start)
}

pub(crate) fn push_vote(buf: &mut Vec<u8>, vote: &Vote) -> Result<(), rmp_serde::encode::Error> {
    let body = rmp_serde::to_vec_named(vote)?;
    push(buf, Kind::Vote, &[&body]);
    Ok(())
}

pub(crate) fn push_committed(buf: &mut Vec<u8>, id: &LogId) {
    push(buf, Kind::Committed, &[&log_id_bytes(id)]);
}

pub(crate) fn push_truncate(buf: &mut Vec<u8>, since: u64) {
    push(buf, Kind::Truncate, &[&since.to_be_bytes()]);
}

pub(crate) fn push_purge(buf: &mut Vec<u8>, id: &LogId) {
    push(buf, Kind::Purge, &[&log_id_bytes(id)]);
}

/// Decodes the entry in an entry record's body.
pub(crate) fn decode_entry(body: &[u8]) -> Result<Entry, rmp_serde::decode::Error> {
    crate::agent::msgpack::decode(body.get(ENTRY_ID_LEN..).unwrap_or_default())
}

/// The frame at the start of `bytes`: (kind byte, body length, CRC), or why not.
pub(crate) fn frame(bytes: &[u8]) -> Result<(u32, u32), Bad> {
    let head = bytes.get(..FRAME_LEN).ok_or(Bad::Short)?;
    let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let crc = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
    if len > MAX_BODY {
        return Err(Bad::Invalid(format!(
            "record length {len} is past the limit"
        )));
    }
    Ok((len, crc))
}

/// Decodes one whole record (frame and body) from `bytes`, which must hold exactly it.
pub(crate) fn decode(bytes: &[u8], crc: u32) -> Result<Record<'_>, Bad> {
    let kind_and_body = bytes.get(FRAME_LEN - 1..).ok_or(Bad::Short)?;
    if crc32fast::hash(kind_and_body) != crc {
        return Err(Bad::Invalid("checksum mismatch".into()));
    }
    let body = &kind_and_body[1..];
    let kind = Kind::from_byte(kind_and_body[0])
        .ok_or_else(|| Bad::Invalid(format!("unknown record kind {}", kind_and_body[0])))?;
    let bad_len = || Bad::Invalid(format!("{kind:?} record of {} bytes", body.len()));
    Ok(match kind {
        Kind::Entry => Record::Entry(log_id_from(body).ok_or_else(bad_len)?, body),
        Kind::Vote => Record::Vote(
            crate::agent::msgpack::decode(body)
                .map_err(|e| Bad::Invalid(format!("vote record: {e}")))?,
        ),
        Kind::Committed => Record::Committed(log_id_from(body).ok_or_else(bad_len)?),
        Kind::Truncate => {
            Record::Truncate(u64::from_be_bytes(body.try_into().map_err(|_| bad_len())?))
        }
        Kind::Purge => Record::Purge(log_id_from(body).ok_or_else(bad_len)?),
    })
}
