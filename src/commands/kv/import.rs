//! `sd kv import`: Imports a tree stored as JSON to the KV store

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("import").about("Imports a tree stored as JSON to the KV store")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd kv import` is not built yet")
}
