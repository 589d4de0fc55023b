//! `sd kv delete`: Removes data from the KV store

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("delete").about("Removes data from the KV store")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd kv delete` is not built yet")
}
