//! The root clap command, the common HTTP flags, logging, the output module (the only place
//! that prints) and docs generation. Go-style flag semantics are `goflag`'s (a leaf module that
//! `config` shares).
//!
//! May import: `config`, `goflag`, `crate` (the root's `VERSION`) (checked by tests/architecture.rs).

pub mod generate;
pub mod http_flags;
pub mod log_file;
pub mod log_hub;
pub mod logging;
pub mod output;
pub mod syslog;

use clap::Command;

/// The top-level `sd` command holding every subcommand.
pub fn root(subcommands: Vec<Command>) -> Command {
    Command::new("sd")
        .version(crate::VERSION)
        .about("Service discovery, health checks, KV and DNS: Consul, registrator and consul-template in one binary")
        .long_about(
            "sd is one static binary that does what Consul, registrator and consul-template do together. \
             It speaks Consul's HTTP API, DNS interface and CLI; a symlink named `consul` behaves as `sd`.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .propagate_version(true)
        .subcommands(subcommands)
}
