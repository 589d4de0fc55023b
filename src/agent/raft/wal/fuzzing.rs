//! The fuzz target `wal`'s way in (`crate::fuzz`): a log directory whose segments hold the
//! input, opened as an agent opens its log at start, and every entry it then claims to hold
//! read back. A start may refuse the directory (that is what corruption must do); it must not
//! panic, and what it accepts must read.

use std::fs;

use super::{record, segment_path, LogStore};

/// The first byte says how the rest becomes segments: bit 0 clear puts a valid header in
/// front (so the fuzzer spends its time on records), bit 1 set splits it into two segments,
/// bit 2 set rewrites every record's checksum to match (else nearly every change the fuzzer
/// makes would stop at the checksum, and what lies behind it, never be reached).
pub fn segments(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let dir = crate::agent::memory_tempdir("sd-fuzz-wal-")
        .unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let wal = dir.path().join("wal");
    fs::create_dir(&wal).unwrap_or_else(|e| panic!("{}: {e}", wal.display()));
    let with_header = |seq: u64, body: &[u8]| {
        let mut bytes = Vec::with_capacity(record::HEADER_LEN + body.len());
        if pick & 1 == 0 {
            bytes.extend_from_slice(&record::header(seq));
        }
        let start = bytes.len();
        bytes.extend_from_slice(body);
        if pick & 4 != 0 {
            fix_checksums(&mut bytes[start..]);
        }
        bytes
    };
    let parts: Vec<&[u8]> = if pick & 2 != 0 {
        let (a, b) = rest.split_at(rest.len() / 2);
        vec![a, b]
    } else {
        vec![rest]
    };
    for (i, part) in parts.iter().enumerate() {
        let seq = i as u64 + 1;
        let path = segment_path(&wal, seq);
        fs::write(&path, with_header(seq, part))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let Ok(store) = LogStore::open(dir.path()) else {
        return;
    };
    let ids = store.shared.read_lock().ids.len();
    let entries = store
        .shared
        .read_range(&(..))
        .unwrap_or_else(|e| panic!("the log opened but its entries do not read: {e}"));
    assert_eq!(entries.len(), ids, "entries read against entries listed");
}

/// Sets the CRC of each whole record in `records` to the one its kind and body have.
fn fix_checksums(records: &mut [u8]) {
    let mut at = 0;
    while let Ok((len, _)) = record::frame(&records[at..]) {
        let end = at + record::FRAME_LEN + len as usize;
        if end > records.len() {
            return;
        }
        let crc = crc32fast::hash(&records[at + record::FRAME_LEN - 1..end]);
        records[at + 4..at + 8].copy_from_slice(&crc.to_be_bytes());
        at = end;
    }
}

/// Segments as the log writes them: entries of each kind (a KV write, a blank entry, a
/// membership), votes, commit points, a truncation and a purge; each with its first byte
/// (valid header, one or two segments).
pub fn examples() -> Vec<Vec<u8>> {
    use openraft::{CommittedLeaderId, EntryPayload, Membership};

    use super::super::types::{Entry, LogId, Vote};
    use crate::agent::state::{Command, KvOp, KvVerb, Request};

    let id = |index: u64| LogId::new(CommittedLeaderId::new(1, 1), index);
    let put = Command::KvTxn(vec![KvOp {
        verb: KvVerb::Set,
        key: "app/config".into(),
        value: b"listen 80".to_vec(),
        flags: 0,
        index: 0,
        session: None,
    }]);
    let members = std::collections::BTreeMap::from([(1u64, Default::default())]);
    let entries = [
        Entry {
            log_id: id(1),
            payload: EntryPayload::Blank,
        },
        Entry {
            log_id: id(2),
            payload: EntryPayload::Membership(Membership::new(
                vec![members.keys().copied().collect()],
                members,
            )),
        },
        Entry {
            log_id: id(3),
            payload: EntryPayload::Normal(Request {
                commands: vec![put],
                time_ms: 1,
            }),
        },
    ];
    let mut body = Vec::new();
    let _ = record::push_vote(&mut body, &Vote::new_committed(1, 1));
    for e in &entries {
        let _ = record::push_entry(&mut body, e);
    }
    record::push_committed(&mut body, &id(3));
    let mut with_truncate = body.clone();
    record::push_truncate(&mut with_truncate, 3);
    let mut with_purge = body.clone();
    record::push_purge(&mut with_purge, &id(2));
    [body, with_truncate, with_purge]
        .iter()
        .flat_map(|b| [[&[0u8][..], b].concat(), [&[2u8][..], b].concat()])
        .collect()
}
