//! `sd reload`: asks the agent to read its configuration files again (services and checks),
//! like sending it SIGHUP; a bad file leaves the running configuration unchanged.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::args::get_all;
use crate::cli::{http_flags, output};
use crate::client::block_on;
use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("reload")
        .about("Make the agent read its configuration files again")
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
    match block_on(client.agent().reload()) {
        Ok(()) => {
            output::println("Configuration reload triggered");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(output::fail(&format!("Error reloading: {e}"))),
    }
}
