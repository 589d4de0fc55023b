//! Layered agent configuration: defaults < config files (JSON, HCL; Consul's keys, in order)
//! < environment (`SD_<FLAG>`) < flags, resolved into one [`RuntimeConfig`]; plus the agent
//! flag table and the client's HTTP settings from the environment (`client_env`).
//!
//! Every agent flag `-some-flag` may also be given as the environment variable `SD_SOME_FLAG`
//! (lists comma-separated); see `settings.rs`. This is the only module that reads environment
//! variables ([`process_env`]). It must not import `agent`,
//! `client` or `commands`.
//!
//! May import: `api`, `goflag` (checked by tests/architecture.rs).

pub mod acl;
mod addr;
mod build;
mod build_checks;
pub mod client_env;
mod coordinates;
mod defaults;
pub mod error;
pub mod file;
pub mod flag_values;
pub mod flags;
mod hcl1;
mod hcl_guard;
pub mod http_listen;
mod load;
mod merge;
pub mod runtime;
pub mod schema;
mod schema_sections;
mod settings;
mod shape;
pub mod sockaddr;
pub mod tls;

#[cfg(test)]
mod tests;

pub use addr::HostAddr;
pub(crate) use build::go_duration;
pub use error::ConfigError;
pub use flag_values::{flags_from_matches, FlagValues};
pub use flags::{agent_args, AgentFlag, FlagKind, Support, Target, AGENT_FLAGS};
pub use load::{load, no_env, process_env, process_env_vars, user_shell, LoadInput};
pub use runtime::{
    AutopilotConfig, CoordinateConfig, DnsConfig, GossipTuning, Ports, RaftTuning, RuntimeConfig,
};
