//! `sd catalog`: read the catalog (`datacenters`, `nodes`, `services`), as `consul catalog`.

pub mod datacenters;
pub mod nodes;
pub mod services;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::http_flags;
use crate::client::QueryOptions;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_key_values};

pub fn cli() -> Command {
    Command::new("catalog")
        .about("List the datacenters, nodes and services in the catalog")
        .long_about(
            "Reads the catalog the servers replicate: every node and service registered in a \
             datacenter, whichever agent registered it. For the services of the local agent \
             only, see `sd services`.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands([datacenters::cli(), nodes::cli(), services::cli()])
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("datacenters", m)) => datacenters::exec(m),
        Some(("nodes", m)) => nodes::exec(m),
        Some(("services", m)) => services::exec(m),
        _ => unreachable!("clap requires a catalog subcommand"),
    }
}

/// The arguments every catalog command takes besides its own flags: the HTTP and server
/// flags, and a hidden catch-all for stray positional arguments, so that [`no_args`] can
/// refuse them in Consul's words.
pub(crate) fn common_args() -> Vec<Arg> {
    let stray = Arg::new("args")
        .num_args(0..)
        .action(ArgAction::Append)
        .hide(true);
    let mut args = vec![stray];
    args.extend(http_flags::http_args());
    args.extend(http_flags::server_args());
    args
}

/// Consul's `Too many arguments (expected 0, got N)` with exit 1 when any were given.
pub(crate) fn no_args(m: &ArgMatches) -> Result<(), CliError> {
    match get_all(m, "args").len() {
        0 => Ok(()),
        n => Err(CliError::failure(format!(
            "Too many arguments (expected 0, got {n})"
        ))),
    }
}

/// Connects with Consul's `Error connecting to Consul agent: ...` on failure, after checking
/// that no positional arguments were given.
pub(crate) fn connect(m: &ArgMatches) -> Result<crate::client::Client, CliError> {
    no_args(m)?;
    crate::commands::connect(m)
}

/// The read options of the listing commands: `-stale` and `-node-meta`.
pub(crate) fn query_options(m: &ArgMatches) -> QueryOptions {
    QueryOptions {
        stale: http_flags::stale(m),
        node_meta: get_key_values(m, "node-meta"),
        ..Default::default()
    }
}

/// What a listing command does with its answer, as Consul does: a failed request prints the
/// message (exit 1), an empty answer prints `No <noun> match the given query - try expanding
/// your search.` to stderr (exit 0); otherwise the answer is for the command to print.
pub(crate) fn found<T>(
    answer: Result<T, String>,
    is_empty: impl Fn(&T) -> bool,
    noun: &str,
) -> Result<T, CliError> {
    match answer {
        Err(message) => Err(CliError::failure(message)),
        Ok(list) if is_empty(&list) => Err(CliError::new(
            format!("No {noun} match the given query - try expanding your search."),
            0,
        )),
        Ok(list) => Ok(list),
    }
}
