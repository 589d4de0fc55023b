//! `sd config read -kind KIND -name NAME`: one config entry as indented JSON.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::opt;

pub fn cli() -> Command {
    Command::new("read")
        .about("Read a centralized config entry")
        .long_about("Prints the config entry of the given kind and name as JSON.")
        .arg(opt("kind", "KIND", "The kind of config to read."))
        .arg(opt("name", "NAME", "The name of config to read."))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let kind = super::kind(m)?;
    let name = super::name(m)?;
    let client = crate::commands::connect(m)?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let entry = block_on(client.config_entries().get(kind, name, &q))
        .map_err(|e| CliError::failure(format!("Error reading config entry {kind}/{name}: {e}")))?;
    output::println(&output::indented_json(&entry, 4));
    Ok(ExitCode::SUCCESS)
}
