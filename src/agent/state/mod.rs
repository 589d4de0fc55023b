//! The replicated state: what Raft applies, in log order. KV now; catalog and sessions later.
//! Keeps modify indexes and wakes blocking queries on exactly the paths that changed.
//!
//! Must not import `agent::http` or `agent::raft`: Raft drives this module, not the reverse.

pub mod command;
pub mod kv;
mod store;
pub mod watch;

pub use command::{Command, CommandResult, KvOp, KvOpError, KvOpResult, KvVerb, Request, Response};
pub use store::{StateError, Store, Tables};
pub use watch::WatchKey;
