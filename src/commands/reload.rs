//! `sd reload`: asks the agent to read its configuration files again (services and checks),
//! like sending it SIGHUP; a bad file leaves the running configuration unchanged.

use clap::{ArgMatches, Command};

use crate::cli::http_flags;
use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("reload")
        .about("Make the agent read its configuration files again")
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::agent_action(
        m,
        |client| async move { client.agent().reload().await },
        "Configuration reload triggered",
        "Error reloading",
    )
}
