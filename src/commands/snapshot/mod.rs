//! `sd snapshot`: save the cluster's whole state to a file, restore it, inspect an archive.

pub mod inspect;
pub mod restore;
pub mod save;

use clap::{Arg, ArgMatches, Command};

use crate::commands::{CliError, CmdResult};
use crate::goflag::get_all;

pub fn cli() -> Command {
    Command::new("snapshot")
        .about("Save, restore and inspect snapshots of the cluster's state")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands([save::cli(), restore::cli(), inspect::cli()])
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("save", m)) => save::exec(m),
        Some(("restore", m)) => restore::exec(m),
        Some(("inspect", m)) => inspect::exec(m),
        _ => unreachable!("clap requires a snapshot subcommand"),
    }
}

/// The one FILE positional of the snapshot commands.
fn file_arg() -> Arg {
    Arg::new("args")
        .value_name("FILE")
        .num_args(0..)
        .action(clap::ArgAction::Append)
}

/// The file named, or Consul's messages for none or too many.
fn one_file(m: &ArgMatches) -> Result<String, CliError> {
    match get_all(m, "args").as_slice() {
        [file] => Ok(file.clone()),
        [] => Err(CliError::failure("Missing FILE argument")),
        more => Err(CliError::failure(format!(
            "Too many arguments (expected 1, got {})",
            more.len()
        ))),
    }
}

/// The bytes of the snapshot file `file`, or Consul's message when it cannot be read.
fn read_file(file: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(file).map_err(|e| {
        CliError::failure(format!(
            "Error opening snapshot file: {}",
            crate::config::client_env::go_file_error("open", file, &e)
        ))
    })
}
