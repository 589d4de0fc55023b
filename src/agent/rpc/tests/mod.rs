//! Tests of server RPC: a real Raft cluster on loopback addresses (replication, forwarding,
//! failover, membership changes, snapshots) and the listener's handling of bad input.

mod cluster;
mod harness;
mod wire;
