//! Wire types shared by the HTTP client and the agent: serde only, Consul's JSON field names,
//! and the key matching (`keys`) that reads them from JSON spelled in any case or snake_case.
//!
//! Must not import anything else from this crate: both `client` and `agent` depend on it.
//!
//! May import: nothing (checked by tests/architecture.rs).

pub mod acl;
pub mod agent;
pub mod agent_self;
pub mod autopilot;
pub mod catalog;
pub mod config_entry;
pub mod coordinate;
pub mod duration;
pub mod event;
pub mod keyring;
pub mod keys;
pub mod kv;
pub mod operator;
pub mod prepared_query;
pub mod regexp;
pub mod service_definition;
pub mod session;
pub mod txn;
pub mod ui;

pub use agent::AgentMember;
pub use agent_self::AgentSelf;
pub use duration::{format_duration, parse_duration};
pub use kv::KVPair;
pub use operator::{RaftConfiguration, RaftServer};
pub use txn::{KVTxnOp, TxnError, TxnOp, TxnResponse, TxnResult};
