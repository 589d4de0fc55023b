//! Zeroed space ahead of the log's writes, so that a sync is a data sync only.
//!
//! `fdatasync` after an append must also commit the file's new size (a journal commit on
//! ext4); after an overwrite of blocks that already hold data it only flushes those blocks.
//! On the 2-core VM a 256-byte append + `fdatasync` runs at about 4,600/s, an overwrite of
//! zeroed blocks at about 8,800/s, and one of `fallocate`d (unwritten) blocks at about 7,500/s
//! (`docs/benchmarks.md`). So the writer keeps the active segment's file up to [`AHEAD`] bytes
//! longer than what it holds, in written zeros, as PostgreSQL fills its WAL segments with
//! zeros before use: one size change and one larger sync per half of [`AHEAD`] of log instead
//! of one per batch. [`AHEAD`] is small, because the zeros take disk space (and memory on a
//! tmpfs) that the disk guard (`disk.rs`) no longer sees as free.
//!
//! The zeros are a tail the scan at start knows (`scan.rs`): a segment may end in zeros after
//! its last record, which is where writing goes on. A segment that is closed (the next one
//! starts) is cut to its records first and synced, so only the last segment ever has such a
//! tail. Zeroing is best effort: when the disk cannot take it (full), the file is cut back to
//! what it held and the write goes on as an append, which then meets the full disk as before.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// How far past the last record the active segment's file extends (written zeros).
pub(crate) const AHEAD: u64 = 256 * 1024;

/// Zeroing extends a file to a multiple of this, writing this much at a time.
const PIECE: u64 = 64 * 1024;

/// Per open segment: where its records end and how long its file is.
#[derive(Debug, Default)]
pub(crate) struct Space {
    /// Segment -> (end of the bytes written to it, length of its file).
    segments: BTreeMap<u64, (u64, u64)>,
}

impl Space {
    /// Tracks segment `seq`, whose records end at `written` and whose file is `len` long.
    pub(crate) fn open(&mut self, seq: u64, written: u64, len: u64) {
        self.segments.insert(seq, (written, len.max(written)));
    }

    pub(crate) fn forget(&mut self, seq: u64) {
        self.segments.remove(&seq);
    }

    /// Bytes up to `end` of segment `seq` have been written to `file`: when less than half of
    /// [`AHEAD`] is left after them, zeros the file up to about [`AHEAD`] past them.
    pub(crate) fn wrote(&mut self, seq: u64, file: &File, end: u64) {
        let (written, len) = self.segments.entry(seq).or_default();
        *written = (*written).max(end);
        *len = (*len).max(*written);
        if *len >= *written + AHEAD / 2 {
            return;
        }
        let target = (*written + AHEAD).div_ceil(PIECE) * PIECE;
        match zero(file, *len, target) {
            Ok(()) => *len = target,
            Err(e) => {
                tracing::debug!(error = %e, segment = seq, "cannot zero space ahead of the Raft log");
                // Give back what the attempt took; the writes go on as appends.
                if file.set_len(*len).is_err() {
                    // The file is as long as it says, and at least as long as its records.
                    *len = file.metadata().map_or(*len, |m| m.len()).max(*written);
                }
            }
        }
    }

    /// A failed attempt was cut back to `synced`: the file is that long now.
    pub(crate) fn cut(&mut self, seq: u64, synced: u64) {
        if let Some(s) = self.segments.get_mut(&seq) {
            *s = (synced, synced);
        }
    }

    /// Cuts every segment before `seq` to its records (their zeros are no longer needed) and
    /// syncs it, so that only the last segment can end in zeros.
    pub(crate) fn close_before(&mut self, seq: u64, files: &BTreeMap<u64, File>) -> io::Result<()> {
        for (s, (written, len)) in self.segments.range_mut(..seq) {
            if *len > *written {
                if let Some(file) = files.get(s) {
                    file.set_len(*written)?;
                    file.sync_data()?;
                }
                *len = *written;
            }
        }
        Ok(())
    }
}

/// Writes zeros to `file` from `from` to `to`, a [`PIECE`] at a time: a buffer of one piece
/// comes from the thread's malloc arena and goes back to it, where a buffer of the whole span
/// would be mapped and unmapped, and then, as glibc raises its mmap threshold after such an
/// unmap, kept in the arena at its full size.
fn zero(file: &File, from: u64, to: u64) -> io::Result<()> {
    let zeros = vec![0; PIECE as usize];
    let mut at = from;
    while at < to {
        let n = (to - at).min(PIECE);
        file.write_all_at(&zeros[..n as usize], at)?;
        at += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(f: &File) -> u64 {
        f.metadata().unwrap().len()
    }

    #[test]
    fn keeps_zeros_ahead_and_cuts_closed_segments() {
        let dir = tempfile::tempdir().unwrap();
        let open = |name: &str| {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(dir.path().join(name))
                .unwrap()
        };
        let (one, two) = (open("1"), open("2"));
        let mut space = Space::default();
        let mut ends = Vec::new();
        for end in [3, 100_000, 600_000, 1_500_000, 1_500_001, 4_000_000] {
            one.write_all_at(&vec![7; end as usize], 0).unwrap();
            space.wrote(1, &one, end);
            let l = len(&one);
            assert!(
                l >= end + AHEAD / 2 && l <= end + AHEAD + PIECE,
                "{end} written, file {l} long"
            );
            let mut tail = vec![1; (l - end) as usize];
            one.read_exact_at(&mut tail, end).unwrap();
            assert!(tail.iter().all(|b| *b == 0), "zeros after {end}");
            ends.push(l);
        }
        assert_eq!(ends[0], ends[1], "no zeroing while enough is left");
        assert!(ends[2] > ends[1]);
        assert_eq!(ends[3], ends[4]);
        two.write_all_at(b"x", 0).unwrap();
        space.wrote(2, &two, 1);
        let files = BTreeMap::from([(1, one), (2, two)]);
        space.close_before(2, &files).unwrap();
        assert_eq!(
            len(&files[&1]),
            4_000_000,
            "the closed segment ends at its records"
        );
        assert!(len(&files[&2]) > AHEAD, "the active one keeps its zeros");
        // A failed attempt cut the file back: zeroing starts again from there.
        files[&2].set_len(0).unwrap();
        space.cut(2, 0);
        space.wrote(2, &files[&2], 5);
        assert!(len(&files[&2]) >= 5 + AHEAD / 2);
    }

    #[test]
    fn a_disk_that_cannot_take_the_zeros_leaves_the_writes_as_appends() {
        // /dev/full refuses every write with ENOSPC, and cutting it back fails too.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut space = Space::default();
        space.wrote(1, &full, 100);
        assert_eq!(space.segments[&1], (100, 100), "no zeros counted");
        // The next write tries again, and fails the same way.
        space.wrote(1, &full, 300);
        assert_eq!(space.segments[&1], (300, 300));
    }
}
