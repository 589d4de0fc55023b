//! `sd config write [-cas -modify-index=N] FILE|-`: writes the config entry in FILE (HCL or
//! JSON, `-` for standard input), with check-and-set when asked.

use std::io::Read;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::api::config_entry::normalize;
use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::config::file::{parse_text, Format};
use crate::goflag::{flag, get_all, opt};

pub fn cli() -> Command {
    Command::new("write")
        .about("Create or update a centralized config entry")
        .long_about(
            "Writes the config entry in FILE, HCL or JSON (`-` reads standard input). Keys may \
             be written as Consul documents them (Kind, Name, Protocol) or in snake_case. With \
             -cas the write happens only if the entry's modify index is still -modify-index (0: \
             only if it does not exist yet).",
        )
        .arg(flag(
            "cas",
            "Perform a Check-And-Set operation. Requires -modify-index.",
        ))
        .arg(opt(
            "modify-index",
            "INDEX",
            "The ModifyIndex the existing entry must have for -cas (0: it must not exist).",
        ))
        .arg(
            Arg::new("file")
                .value_name("FILE")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let files = get_all(m, "file");
    if files.len() != 1 {
        return Err(CliError::failure(
            "Must provide exactly one positional argument to specify the config entry to write",
        ));
    }
    let cas = super::cas(m, false)?;
    let (text, source) = read_input(&files[0])?;
    let entry = decode(&source, &text)
        .map_err(|e| CliError::failure(format!("Failed to decode config entry input: {e}")))?;
    let (kind, name, map) = normalize(entry)
        .map_err(|e| CliError::failure(format!("Failed to decode config entry input: {e}")))?;
    let client = crate::commands::connect(m)?;
    let written = block_on(client.config_entries().set(
        &serde_json::Value::Object(map),
        cas,
        &WriteOptions::default(),
    ))
    .map_err(|e| CliError::failure(format!("Error writing config entry {kind}/{name}: {e}")))?;
    if !written {
        return Err(CliError::failure(format!(
            "Config entry not updated: {kind}/{name}"
        )));
    }
    output::println(&format!("Config entry written: {kind}/{name}"));
    Ok(ExitCode::SUCCESS)
}

/// The text of `arg` (a path, or `-` for standard input) and a name for errors.
fn read_input(arg: &str) -> Result<(String, String), CliError> {
    if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::failure(format!("Failed to read stdin: {e}")))?;
        return Ok((text, "standard input".into()));
    }
    let text = std::fs::read_to_string(arg)
        .map_err(|e| CliError::failure(format!("Failed to read file: {e}")))?;
    Ok((text, arg.to_string()))
}

/// JSON when it looks like JSON, HCL otherwise (as Consul's parser takes both).
fn decode(source: &str, text: &str) -> Result<serde_json::Value, String> {
    let format = match text.trim_start().starts_with('{') {
        true => Format::Json,
        false => Format::Hcl,
    };
    parse_text(source, text, format)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{source} is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_and_json_decode_to_the_same_entry() {
        let hcl = decode(
            "a.hcl",
            "kind = \"service-defaults\"\nname = \"web\"\nprotocol = \"http\"\n",
        )
        .unwrap();
        let json = decode(
            "a.json",
            r#"{"Kind": "service-defaults", "Name": "web", "Protocol": "http"}"#,
        )
        .unwrap();
        assert_eq!(normalize(hcl).unwrap(), normalize(json).unwrap());
        assert!(decode("e.hcl", "  ").unwrap_err().contains("empty"));
    }
}
