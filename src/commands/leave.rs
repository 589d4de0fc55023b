//! `sd leave`: asks the agent to leave the cluster gracefully and shut down.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::args::get_all;
use crate::cli::{http_flags, output};
use crate::client::block_on;
use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("leave")
        .about("Make the agent leave the cluster gracefully and shut down")
        .arg(
            Arg::new("args")
                .num_args(0..)
                .action(ArgAction::Append)
                .hide(true),
        )
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    if !get_all(m, "args").is_empty() {
        return Ok(output::fail("This command takes no arguments"));
    }
    let client = match crate::commands::connect(m, "Error connecting to Consul agent") {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    match block_on(client.agent().leave()) {
        Ok(()) => {
            output::println("Graceful leave complete");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(output::fail(&format!("Error leaving: {e}"))),
    }
}
