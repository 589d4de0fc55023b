//! `sd leave`: asks the agent to leave the cluster gracefully and shut down.

use clap::{ArgMatches, Command};

use crate::cli::http_flags;
use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("leave")
        .about("Make the agent leave the cluster gracefully and shut down")
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::agent_action(
        m,
        |client| async move { client.agent().leave().await },
        "Graceful leave complete",
        "Error leaving",
    )
}
