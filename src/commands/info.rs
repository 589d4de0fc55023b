//! `sd info`: Provides debugging information for operators

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("info").about("Provides debugging information for operators")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd info` is not built yet")
}
