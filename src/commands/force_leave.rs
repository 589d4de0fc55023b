//! `sd force-leave [-prune] [-wan] NODE`: moves a failed member to `left` (or removes it with
//! `-prune`). Prints nothing on success, as Consul does.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::http_flags;
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_all, get_flag};

pub fn cli() -> Command {
    Command::new("force-leave")
        .about("Mark a member that is not coming back as left")
        .long_about(
            "Marks a member of the gossip pool as left, so the cluster stops trying to reconnect to \
             it. A member that is in fact alive rejoins by itself. With -prune the member is \
             removed from the member list at once.",
        )
        .arg(flag("prune", "Remove the member from the member list entirely."))
        .arg(flag("wan", "Act on the WAN pool; the node name is then NODE.DATACENTER."))
        .arg(Arg::new("node").value_name("NODE").num_args(0..).action(ArgAction::Append))
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let nodes = get_all(m, "node");
    if nodes.len() != 1 {
        return Err(CliError::failure(
            "A single node name must be specified to force leave.",
        ));
    }
    let client = crate::commands::connect(m)?;
    match block_on(
        client
            .agent()
            .force_leave(&nodes[0], get_flag(m, "prune"), get_flag(m, "wan")),
    ) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(CliError::failure(format!("Error force leaving: {e}"))),
    }
}
