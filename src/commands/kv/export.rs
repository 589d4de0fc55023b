//! `sd kv export`: Exports a tree from the KV store as JSON

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("export").about("Exports a tree from the KV store as JSON")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd kv export` is not built yet")
}
