//! Tests of the Raft layer: openraft's storage suite, reopen and snapshot round trips, group
//! commit (sync counter, batcher) and a single-node `RaftNode`.

mod node;
mod storage;
