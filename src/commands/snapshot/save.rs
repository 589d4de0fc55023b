//! `sd snapshot save FILE`: fetches the archive, verifies it and only then puts it in place
//! (written to a temporary file beside FILE, synced and renamed), so FILE is never a partial
//! or unverified archive.

use std::io::Write;
use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::{file_arg, one_file};
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("save")
        .about("Save a snapshot of the cluster's state to a file")
        .long_about(
            "Saves an atomic, point-in-time snapshot of the cluster's replicated state (KV, \
             catalog, sessions) to FILE, as Consul's archive (gzipped tar with SHA-256 sums), \
             after verifying it. Taken from the leader unless -stale.",
        )
        .arg(file_arg())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let file = one_file(m)?;
    let client = crate::commands::connect(m)?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let (archive, _) = block_on(client.snapshot().save(&q))
        .map_err(|e| CliError::failure(format!("Error saving snapshot: {e}")))?;
    let (meta, _) = crate::snapshot::read(&archive)
        .map_err(|e| CliError::failure(format!("Error verifying snapshot file: {e}")))?;
    write_atomically(&file, &archive)
        .map_err(|e| CliError::failure(format!("Error writing snapshot file: {e}")))?;
    output::println(&format!(
        "Saved and verified snapshot to index {}",
        meta.index
    ));
    Ok(ExitCode::SUCCESS)
}

fn write_atomically(file: &str, data: &[u8]) -> std::io::Result<()> {
    let path = std::path::Path::new(file);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
