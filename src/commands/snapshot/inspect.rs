//! `sd snapshot inspect FILE`: verifies an archive and prints its metadata as Consul does,
//! then, for sd's own archives, what the state holds.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::{file_arg, one_file, read_file};
use crate::cli::output;
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("inspect")
        .about("Show the metadata and contents of a snapshot file")
        .arg(file_arg())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let file = one_file(m)?;
    let archive = read_file(&file)?;
    let (meta, state) = crate::snapshot::read(&archive)
        .map_err(|e| CliError::failure(format!("Error verifying snapshot: {e}")))?;
    let mut rows = vec![
        ("ID".to_string(), meta.id.clone()),
        ("Size".to_string(), meta.size.to_string()),
        ("Index".to_string(), meta.index.to_string()),
        ("Term".to_string(), meta.term.to_string()),
        ("Version".to_string(), meta.version.to_string()),
    ];
    let mut text = output::tabwrite(&rows, 4);
    if let Ok(tables) = crate::agent::state::Store::decode(&state) {
        let (nodes, services, checks) = tables.catalog.usage();
        rows = vec![
            ("Type".to_string(), "Count".to_string()),
            ("----".to_string(), "-----".to_string()),
            ("KV".to_string(), tables.kv.len().to_string()),
            ("Nodes".to_string(), nodes.to_string()),
            ("Services".to_string(), services.to_string()),
            ("Checks".to_string(), checks.to_string()),
            ("Sessions".to_string(), tables.sessions.len().to_string()),
        ];
        text.push('\n');
        text.push_str(&output::tabwrite(&rows, 4));
    }
    output::println(text.trim_end());
    Ok(ExitCode::SUCCESS)
}
