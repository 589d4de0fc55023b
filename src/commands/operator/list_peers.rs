//! `sd operator raft list-peers`: Displays the current Raft peer configuration

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("list-peers").about("Displays the current Raft peer configuration")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd operator raft list-peers` is not built yet")
}
