//! `sd version`: Prints the sd version

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("version").about("Prints the sd version")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd version` is not built yet")
}
