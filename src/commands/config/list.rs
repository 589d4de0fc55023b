//! `sd config list -kind KIND`: the names of a kind's config entries, one per line.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::opt;

pub fn cli() -> Command {
    Command::new("list")
        .about("List centralized config entries of a given kind")
        .long_about("Prints the name of every config entry of the given kind, one per line.")
        .arg(opt("kind", "KIND", "The kind of configurations to list."))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let kind = super::kind(m)?;
    let client = crate::commands::connect(m)?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let entries = block_on(client.config_entries().list(kind, &q)).map_err(|e| {
        CliError::failure(format!(
            "Error listing config entries for kind {kind:?}: {e}"
        ))
    })?;
    let mut out = String::new();
    for e in &entries {
        out.push_str(e.get("Name").and_then(|n| n.as_str()).unwrap_or_default());
        out.push('\n');
    }
    output::write_raw(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}
