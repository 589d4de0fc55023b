//! `sd kv import`: writes the entries of a `kv export` JSON array (given literally, as `@file`
//! or on stdin with `-`), optionally under `-prefix`, printing `Imported: <key>` for each.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::kv::export::Entry;
use crate::commands::kv::put::{decode_base64, load_data};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_str, opt};

pub fn cli() -> Command {
    Command::new("import")
        .about("Write the keys of a JSON export into the store")
        .long_about(
            "Stores each entry of a JSON array in the format `sd kv export` prints, and prints \
             every key as it is written; the first failure stops the import. DATA is the JSON \
             itself, @PATH to read it from a file, or \"-\" to read it from stdin.",
        )
        .arg(opt(
            "prefix",
            "PREFIX",
            "Path to put in front of every imported key. Default: none, keys are written under \
             their exported names.",
        ))
        .arg(
            Arg::new("args")
                .value_name("DATA")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let args = get_all(m, "args");
    let data = match args.as_slice() {
        [] => return Err(CliError::failure("Error! Missing DATA argument")),
        [data] if data.is_empty() => return Err(CliError::failure("Error! Empty DATA argument")),
        [data] => match load_data(data, &mut std::io::stdin().lock()) {
            Ok(bytes) => bytes,
            Err(e) => return Err(CliError::failure(format!("Error! {e}"))),
        },
        more => {
            return Err(CliError::failure(format!(
                "Error! Too many arguments (expected 1, got {})",
                more.len()
            )))
        }
    };
    let client = crate::commands::connect(m)?;
    let entries: Vec<Entry> = match serde_json::from_slice::<Option<Vec<Entry>>>(&data) {
        Ok(entries) => entries.unwrap_or_default(),
        Err(e) => return Err(CliError::failure(format!("Cannot unmarshal data: {e}"))),
    };
    let prefix = get_str(m, "prefix").unwrap_or("");
    let (kv, w) = (client.kv(), WriteOptions::default());
    for entry in entries {
        let value = match decode_base64(entry.value.as_bytes()) {
            Ok(v) => v,
            Err(e) => {
                return Err(CliError::failure(format!(
                    "Error base 64 decoding value for key {}: {e}",
                    entry.key
                )))
            }
        };
        let key = prefixed(prefix, &entry.key);
        if let Err(e) = block_on(kv.put(&key, &value, entry.flags, &w)) {
            return Err(CliError::failure(format!(
                "Error! Failed writing data for key {key}: {e}"
            )));
        }
        output::println(&format!("Imported: {key}"));
    }
    Ok(ExitCode::SUCCESS)
}

/// `key` under `prefix`, joined and cleaned like Go's `filepath.Join`, keeping a trailing `/`
/// (a "folder" key stays a folder). Without a prefix the key is used as is.
fn prefixed(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        return key.to_string();
    }
    let rooted = prefix.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in prefix.split('/').chain(key.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if rooted {
        out.insert(0, '/');
    }
    if key.ends_with('/') && !out.ends_with('/') {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_join_like_go() {
        assert_eq!(prefixed("", "a//b/"), "a//b/");
        assert_eq!(prefixed("backup", "app/x"), "backup/app/x");
        assert_eq!(prefixed("backup/", "/app/dir/"), "backup/app/dir/");
        assert_eq!(prefixed("a/b", "../c"), "a/c");
    }

    #[test]
    fn entries_decode_case_insensitively_enough() {
        let e: Vec<Entry> =
            serde_json::from_str(r#"[{"key":"a","flags":1,"value":"aGk="},{"Key":"b"}]"#).unwrap();
        assert_eq!(e[0].flags, 1);
        assert_eq!(e[1].key, "b");
        assert_eq!(e[1].value, "");
    }
}
