//! `sd join ADDRESS...`: asks the agent to join the gossip pool through each address, Consul's
//! messages and exit codes (1 unless at least one address was reached).

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_all, get_flag};

pub fn cli() -> Command {
    Command::new("join")
        .about("Join the agent to a cluster through one or more members")
        .arg(flag(
            "wan",
            "Join the WAN pool of servers instead of the LAN pool (servers only).",
        ))
        .arg(
            Arg::new("address")
                .value_name("ADDRESS")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let addresses = get_all(m, "address");
    if addresses.is_empty() {
        return Err(CliError::failure(
            "At least one address to join must be specified.",
        ));
    }
    let client = crate::commands::connect(m)?;
    let wan = get_flag(m, "wan");
    let mut joined = 0;
    for address in &addresses {
        match block_on(client.agent().join(address, wan)) {
            Ok(()) => joined += 1,
            Err(e) => output::eprintln(&format!("Error joining address '{address}': {e}")),
        }
    }
    if joined == 0 {
        return Err(CliError::failure("Failed to join any nodes."));
    }
    output::println(&format!(
        "Successfully joined cluster by contacting {joined} nodes."
    ));
    Ok(ExitCode::SUCCESS)
}
