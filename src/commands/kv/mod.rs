//! `sd kv`: the key/value store commands.

pub mod delete;
pub mod export;
pub mod get;
pub mod import;
pub mod put;

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

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
