//! `sd members`: Lists the members of a Consul cluster

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("members").about("Lists the members of a Consul cluster")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd members` is not built yet")
}
