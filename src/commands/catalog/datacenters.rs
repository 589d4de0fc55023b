//! `sd catalog datacenters`: every datacenter the servers know, one per line, nearest first
//! (`/v1/catalog/datacenters`).

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::output;
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("datacenters")
        .about("List the known datacenters")
        .long_about(
            "Prints the name of every datacenter the servers know of, one per line, ordered \
             by estimated round-trip time from this datacenter's servers, nearest first.",
        )
        .args(super::common_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = super::connect(m)?;
    match block_on(client.catalog().datacenters()) {
        Ok(dcs) => {
            for dc in dcs {
                output::println(&dc);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(CliError::failure(format!("Error listing datacenters: {e}"))),
    }
}
