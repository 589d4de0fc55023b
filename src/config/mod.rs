//! Layered agent configuration: defaults < config files (JSON, HCL; Consul's keys, in order)
//! < environment < flags, resolved into one [`RuntimeConfig`].
//!
//! This is the only module that reads environment variables. It must not import `agent`,
//! `client` or `commands`.

pub mod client_env;
pub mod runtime;

pub use runtime::{Ports, RaftTuning, RuntimeConfig};
