//! `sd validate`: Validates config files or directories

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("validate").about("Validates config files or directories")
}

pub fn exec(_m: &ArgMatches) -> CmdResult {
    anyhow::bail!("`sd validate` is not built yet")
}
