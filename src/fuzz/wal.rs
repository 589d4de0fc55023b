//! `wal`: the Raft log's segment files as a start finds them after a crash or a bad disk (see
//! `agent::raft::wal::fuzzing`). Fails on a panic, or a log that opens but cannot read back
//! the entries it lists.

pub(super) fn segment(data: &[u8]) {
    crate::agent::raft::fuzz_wal_segments(data);
}
