//! The snapshot archive of `/v1/snapshot` and `sd snapshot`, laid out as Consul's: a gzipped
//! tar of `meta.json` (the Raft snapshot's metadata), `state.bin` (the replicated state) and
//! `SHA256SUMS` (`sha256sum` lines for both). Reading checks every sum and refuses anything
//! missing, extra or altered, so a truncated or corrupt archive is refused whole. `state.bin`
//! is sd's own encoding of the state: an archive made by Consul reads here (its metadata can
//! be inspected) but cannot be restored.
//!
//! May import: nothing (checked by tests/architecture.rs).

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

const META: &str = "meta.json";
const STATE: &str = "state.bin";
const SUMS: &str = "SHA256SUMS";

/// The largest `state.bin` read from an archive (the state lives in memory).
pub const MAX_STATE: u64 = 1 << 30;

/// Consul's Raft snapshot metadata (`raft.SnapshotMeta`), as `meta.json` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Meta {
    pub version: u32,
    #[serde(rename = "ID")]
    pub id: String,
    pub index: u64,
    pub term: u64,
    pub size: u64,
    /// Which program made `state.bin` (`sd`; absent in Consul's archives).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub producer: String,
}

/// The program whose state encoding `state.bin` uses.
pub const PRODUCER: &str = "sd";

/// Why an archive could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("failed to read snapshot archive: {0}")]
    Read(String),
    #[error("failed to write snapshot archive: {0}")]
    Write(String),
    #[error("snapshot archive is missing {0}")]
    Missing(&'static str),
    #[error("unexpected file {0:?} in snapshot archive")]
    Unexpected(String),
    #[error("snapshot archive is corrupt: the SHA-256 of {0} does not match SHA256SUMS")]
    Checksum(String),
    #[error("snapshot archive has a malformed {0}")]
    Malformed(&'static str),
    #[error("snapshot state is larger than {MAX_STATE} bytes")]
    TooLarge,
}

/// Builds the archive for `state` described by `meta` (its `Size` is set here).
pub fn write(meta: &Meta, state: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    let w = |e: std::io::Error| SnapshotError::Write(e.to_string());
    let mut meta = meta.clone();
    meta.size = state.len() as u64;
    let meta_json = serde_json::to_vec(&meta).map_err(|e| SnapshotError::Write(e.to_string()))?;
    let sums = format!(
        "{}  {META}\n{}  {STATE}\n",
        sha256_hex(&meta_json),
        sha256_hex(state)
    );
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in [
        (META, meta_json.as_slice()),
        (STATE, state),
        (SUMS, sums.as_bytes()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, name, data).map_err(w)?;
    }
    let mut gz = tar.into_inner().map_err(w)?;
    gz.flush().map_err(w)?;
    gz.finish().map_err(w)
}

/// Reads and verifies an archive: its metadata and state, or why it is refused.
pub fn read(archive: &[u8]) -> Result<(Meta, Vec<u8>), SnapshotError> {
    let r = |e: std::io::Error| SnapshotError::Read(e.to_string());
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let (mut meta, mut state, mut sums) = (None, None, None);
    for entry in tar.entries().map_err(r)? {
        let mut entry = entry.map_err(r)?;
        let name = entry.path().map_err(r)?.to_string_lossy().into_owned();
        let slot = match name.as_str() {
            META => &mut meta,
            STATE => &mut state,
            SUMS => &mut sums,
            _ => return Err(SnapshotError::Unexpected(name)),
        };
        if entry.size() > MAX_STATE {
            return Err(SnapshotError::TooLarge);
        }
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .by_ref()
            .take(MAX_STATE + 1)
            .read_to_end(&mut data)
            .map_err(r)?;
        *slot = Some(data);
    }
    let meta_json = meta.ok_or(SnapshotError::Missing(META))?;
    let state = state.ok_or(SnapshotError::Missing(STATE))?;
    let sums = sums.ok_or(SnapshotError::Missing(SUMS))?;
    let sums = String::from_utf8(sums).map_err(|_| SnapshotError::Malformed(SUMS))?;
    for (name, data) in [(META, &meta_json), (STATE, &state)] {
        let listed = sums
            .lines()
            .find_map(|l| {
                let (hash, file) = l.split_once("  ")?;
                (file == name).then_some(hash)
            })
            .ok_or(SnapshotError::Malformed(SUMS))?;
        if !listed.eq_ignore_ascii_case(&sha256_hex(data)) {
            return Err(SnapshotError::Checksum(name.to_string()));
        }
    }
    let meta: Meta =
        serde_json::from_slice(&meta_json).map_err(|_| SnapshotError::Malformed(META))?;
    Ok((meta, state))
}

fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            version: 1,
            id: "2-5-1700000000000".into(),
            index: 5,
            term: 2,
            size: 0,
            producer: PRODUCER.into(),
        }
    }

    #[test]
    fn round_trip() {
        let archive = write(&meta(), b"the state").unwrap();
        let (m, state) = read(&archive).unwrap();
        assert_eq!(state, b"the state");
        assert_eq!((m.index, m.term, m.size), (5, 2, 9));
    }

    #[test]
    fn damage_is_refused_whole() {
        let archive = write(&meta(), &vec![7u8; 100_000]).unwrap();
        // Truncated anywhere.
        for cut in [10, archive.len() / 2, archive.len() - 30] {
            assert!(read(&archive[..cut]).is_err(), "cut at {cut}");
        }
        // A flipped byte inside state.bin, with the gzip layer intact.
        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(archive.as_slice())
            .read_to_end(&mut tar_bytes)
            .unwrap();
        let at = tar_bytes.windows(3).position(|w| w == [7, 7, 7]).unwrap() + 50;
        tar_bytes[at] ^= 1;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar_bytes).unwrap();
        let bad = gz.finish().unwrap();
        assert!(matches!(read(&bad), Err(SnapshotError::Checksum(f)) if f == STATE));
        assert!(read(b"not an archive").is_err());
    }
}
