//! Durable put and stale get, sd against etcd 3.4, interleaved. Filled in by the benchmark work.
fn main() {}
