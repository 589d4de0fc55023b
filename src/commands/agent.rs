//! `sd agent`: runs an agent (server or client) in the foreground.

use clap::{ArgMatches, Command};

use super::CmdResult;

pub fn cli() -> Command {
    Command::new("agent").about("Runs a Consul-compatible agent")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("the agent is not built yet")
}
