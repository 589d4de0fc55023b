//! `sd config delete -kind KIND -name NAME [-cas -modify-index=N]`: removes a config entry.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, opt};

pub fn cli() -> Command {
    Command::new("delete")
        .about("Delete a centralized config entry")
        .long_about(
            "Deletes the config entry of the given kind and name. With -cas it is deleted only \
             if its modify index is still -modify-index.",
        )
        .arg(opt("kind", "KIND", "The kind of configuration to delete."))
        .arg(opt("name", "NAME", "The name of configuration to delete."))
        .arg(flag(
            "cas",
            "Perform a Check-And-Set operation. Requires -modify-index.",
        ))
        .arg(opt(
            "modify-index",
            "INDEX",
            "The ModifyIndex the entry must have for -cas.",
        ))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let kind = super::kind(m)?;
    let name = super::name(m)?;
    let cas = super::cas(m, true)?;
    let client = crate::commands::connect(m)?;
    let deleted = block_on(client.config_entries().delete(
        kind,
        name,
        cas,
        &WriteOptions::default(),
    ))
    .map_err(|e| CliError::failure(format!("Error deleting config entry {kind}/{name}: {e}")))?;
    if !deleted {
        return Err(CliError::failure(format!(
            "Config entry not deleted: {kind}/{name}"
        )));
    }
    output::println(&format!("Config entry deleted: {kind}/{name}"));
    Ok(ExitCode::SUCCESS)
}
