//! What the agent serves, apart from how it is asked: the query options and metadata of reads
//! (`query`), reads with consistency modes and blocking (`read`), sending what this agent
//! cannot serve to the leader or a server (`forward`), and the domain errors of a request
//! ([`EndpointError`]), which the HTTP layer maps onto Consul's status codes
//! (`http/error.rs`), and who is asking (`acl`: the caller a token stands for).
//!
//! Must not import: `agent::http` (checked by tests/architecture.rs).

mod acl;
pub mod catalog;
mod coordinate;
mod error;
pub mod forward;
mod prepared_query;
mod query;
pub mod query_failover;
pub mod read;
mod usage;

pub use acl::RESOLVE_PATH;
pub use error::EndpointError;
pub use query::{Consistency, QueryMeta, QueryOptions};
