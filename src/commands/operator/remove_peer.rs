//! `sd operator raft remove-peer`: Removes a Consul server from the Raft configuration

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("remove-peer").about("Removes a Consul server from the Raft configuration")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd operator raft remove-peer` is not built yet")
}
