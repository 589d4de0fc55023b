//! `sd kv get`: Retrieves the value at a key or prefix

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("get").about("Retrieves the value at a key or prefix")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd kv get` is not built yet")
}
