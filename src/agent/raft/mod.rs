//! Raft through openraft 0.9: the type config, the sled-backed log store (fdatasync, group
//! commit), the state machine adaptor over `state`, snapshots, the network and the write batcher.
