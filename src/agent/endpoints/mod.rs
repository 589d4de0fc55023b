//! What the agent serves, apart from how it is asked: the domain errors of a request
//! ([`EndpointError`]), which the HTTP layer maps onto Consul's status codes (`http/error.rs`)
//! and which the ACL checks will join.
//!
//! Must not import: `agent::http` (checked by tests/architecture.rs).

mod error;

pub use error::EndpointError;
