//! `sd kv put`: Sets or updates data in the KV store

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("put").about("Sets or updates data in the KV store")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd kv put` is not built yet")
}
