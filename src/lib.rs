//! `sd`: Consul, registrator and consul-template in one binary.
//!
//! The library owns everything; `main.rs` only calls [`run`]. ARCHITECTURE.md (at the root of
//! the repository) maps the modules, the path of a write and of a blocking read, and the
//! invariants. Each top-level module's header says what it may import (`May import:`), and
//! tests/architecture.rs holds every module to it.

// Only `cli::output` prints: `print!`/`eprint!` anywhere else in the library fail clippy.
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(test, allow(clippy::print_stdout, clippy::print_stderr))]

pub mod agent;
pub mod api;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod docker;
pub mod fuzz;
pub mod goflag;
pub mod gotemplate;
pub mod multicall;
pub mod process;
pub mod snapshot;
pub mod template;
pub mod watch;

use std::ffi::OsString;
use std::process::ExitCode;

/// The version printed by `sd version` and reported as `Config.Version` in `/v1/agent/self`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The whole clap tree, used for parsing and for generating completions and man pages.
pub fn command() -> clap::Command {
    cli::root(commands::all())
}

/// The top-level command for `args`: with only the named subcommand when `args[1]` names one
/// (building the other subcommands' argument tables would only cost time and memory; a long
/// running `sd agent` or `sd register-docker` keeps fewer pages), else with all of them.
fn command_for(args: &[OsString]) -> clap::Command {
    match args.get(1).and_then(|a| a.to_str()).and_then(commands::one) {
        Some(one) => cli::root(vec![one]),
        None => command(),
    }
}

/// Parses `args` (argv including argv[0]) and runs the chosen command.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let args = multicall::rewrite(args);
    let mut root = command_for(&args);
    let args = goflag::normalize::go_style(&mut root, args);
    match root.try_get_matches_from(args) {
        Ok(matches) => commands::dispatch(&matches),
        Err(err) => cli::output::clap_error(err),
    }
}
