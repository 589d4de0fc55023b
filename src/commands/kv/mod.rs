//! `sd kv`: the key/value store commands.

pub mod delete;
pub mod export;
pub mod get;
pub mod import;
pub mod put;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::commands::{CliError, CmdResult};
use crate::goflag::get_all;

/// The optional single `KEY_OR_PREFIX` positional of `kv get`, `kv delete` and `kv export`.
pub(crate) fn key_arg() -> Arg {
    Arg::new("args")
        .value_name("KEY_OR_PREFIX")
        .num_args(0..)
        .action(ArgAction::Append)
}

/// The key given to a command made with [`key_arg`], leading `/` stripped as Consul does, or
/// Consul's message when more than one was given.
pub(crate) fn one_key(m: &ArgMatches) -> Result<String, CliError> {
    let args = get_all(m, "args");
    if args.len() > 1 {
        return Err(CliError::failure(format!(
            "Too many arguments (expected 1, got {})",
            args.len()
        )));
    }
    let raw = args.first().map(String::as_str).unwrap_or("");
    Ok(raw.strip_prefix('/').unwrap_or(raw).to_string())
}

pub fn cli() -> Command {
    Command::new("kv")
        .about("Read, write, delete, export and import keys in the key/value store")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands([
            get::cli(),
            put::cli(),
            delete::cli(),
            export::cli(),
            import::cli(),
        ])
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("get", m)) => get::exec(m),
        Some(("put", m)) => put::exec(m),
        Some(("delete", m)) => delete::exec(m),
        Some(("export", m)) => export::exec(m),
        Some(("import", m)) => import::exec(m),
        _ => unreachable!("clap requires a kv subcommand"),
    }
}
