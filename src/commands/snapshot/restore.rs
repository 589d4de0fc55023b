//! `sd snapshot restore FILE`: verifies the archive locally, then has the leader replace the
//! cluster's state with it (the agent verifies it again; nothing changes if it is refused).

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::{file_arg, one_file, read_file};
use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("restore")
        .about("Restore the cluster's state from a snapshot file")
        .long_about(
            "Replaces the cluster's whole replicated state (KV, catalog, sessions) with the \
             one in FILE, a snapshot made by `sd snapshot save`. The archive is verified first; \
             a truncated or corrupt one is refused and changes nothing.",
        )
        .arg(file_arg())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let file = one_file(m)?;
    let archive = read_file(&file)?;
    crate::snapshot::read(&archive)
        .map_err(|e| CliError::failure(format!("Error restoring snapshot: {e}")))?;
    let client = crate::commands::connect(m)?;
    block_on(client.snapshot().restore(archive, &WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("Error restoring snapshot: {e}")))?;
    output::println("Restored snapshot");
    Ok(ExitCode::SUCCESS)
}
