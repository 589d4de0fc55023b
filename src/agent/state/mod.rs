//! The replicated state: what Raft applies, in log order: KV, the catalog, sessions,
//! prepared queries, network coordinates, autopilot's settings, config entries and ACLs.
//! Keeps modify indexes and wakes blocking queries on exactly the paths that changed.
//!
//! Must not import `agent::http` or `agent::raft`: Raft drives this module, not the reverse.
//!
//! Must not import: `agent::http`, `agent::raft` (checked by tests/architecture.rs).

pub mod acl;
mod apply;
pub mod catalog;
mod catalog_index;
mod catalog_query;
mod catalog_summary;
#[cfg(test)]
mod catalog_tests;
pub mod command;
pub mod config_entry;
pub mod coordinate;
pub mod kv;
pub mod prepared_query;
pub mod query_exec;
mod query_template;
pub mod session;
#[cfg(test)]
mod session_tests;
mod store;
pub mod watch;

pub use command::{Command, CommandResult, KvOp, KvOpError, KvOpResult, KvVerb, Request, Response};
pub use store::{StateError, Store, Tables};
pub use watch::WatchKey;
