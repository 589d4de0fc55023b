//! The replicated state: what Raft applies, in log order. KV now; catalog and sessions later.
//! Keeps modify indexes and wakes blocking queries on exactly the paths that changed.

pub mod command;

pub use command::{Command, CommandResult, KvOp, KvVerb, Request, Response};

mod store;

pub use store::{StateError, Store};
