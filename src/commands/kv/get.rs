//! `sd kv get`: reads one key, every key under a prefix (`-recurse`) or key names (`-keys`),
//! printing exactly what `consul kv get` prints.

use std::process::ExitCode;

use base64::Engine as _;
use clap::{ArgMatches, Command};

use crate::api::KVPair;
use crate::cli::{http_flags, output};
use crate::client::{block_on, ClientError, QueryOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("get")
        .about("Print a key's value, or list the keys under a prefix")
        .long_about(
            "Prints the value stored at KEY (a leading \"/\" is ignored) and fails if there is \
             no such key. -recurse prints every key under the prefix with its value, -keys \
             prints key names only; with either, the prefix may be left out to cover the whole \
             store.",
        )
        .arg(flag(
            "base64",
            "Print values base64-encoded instead of as raw bytes. Default false.",
        ))
        .arg(flag(
            "detailed",
            "Also print each key's indexes, flags and lock session. Default false.",
        ))
        .arg(flag(
            "keys",
            "Print key names only: those under the prefix, cut after the next -separator, or \
             every name when combined with -recurse. Default false.",
        ))
        .arg(flag(
            "recurse",
            "Print every key under the prefix as key:value. Default false.",
        ))
        .arg(
            opt(
                "separator",
                "STRING",
                "With -keys (and no -recurse), list names only up to the first occurrence of \
                 this string after the prefix; empty lists full names.",
            )
            .default_value("/"),
        )
        .arg(super::key_arg())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let key = super::one_key(m)?;
    let key = key.as_str();
    let (recurse, keys) = (get_flag(m, "recurse"), get_flag(m, "keys"));
    let (detailed, b64) = (get_flag(m, "detailed"), get_flag(m, "base64"));
    if key.is_empty() && !(recurse || keys) {
        return Err(CliError::failure("Error! Missing KEY argument"));
    }
    let client = crate::commands::connect(m)?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let kv = client.kv();
    let queried = |e: ClientError| CliError::failure(format!("Error querying Consul agent: {e}"));

    if recurse {
        // With -keys, names only (and detailed blocks without the value).
        let (pairs, _) = block_on(kv.list(key, &q)).map_err(queried)?;
        let mut out = Vec::new();
        for (i, pair) in pairs.iter().enumerate() {
            if detailed {
                out.extend(detailed_block(pair, (!keys).then_some(b64)));
                out.push(b'\n');
                if i + 1 < pairs.len() {
                    out.push(b'\n');
                }
            } else if keys {
                out.extend(pair.key.as_bytes());
                out.push(b'\n');
            } else {
                out.extend(recurse_line(pair, b64));
            }
        }
        output::write_raw(&out);
        return Ok(ExitCode::SUCCESS);
    }
    if keys {
        let separator = get_str(m, "separator").unwrap_or("/");
        let (names, _) = block_on(kv.keys(key, separator, &q)).map_err(queried)?;
        for name in names {
            output::println(&name);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let pair = match block_on(kv.get(key, &q)).map_err(queried)? {
        (Some(pair), _) => pair,
        (None, _) => return Err(CliError::failure(format!("Error! No key exists at: {key}"))),
    };
    let mut out = if detailed {
        detailed_block(&pair, Some(b64))
    } else {
        encoded(&pair, b64)
    };
    out.push(b'\n');
    output::write_raw(&out);
    Ok(ExitCode::SUCCESS)
}

/// The value as printed: raw bytes, or base64 with `-base64`.
fn encoded(pair: &KVPair, b64: bool) -> Vec<u8> {
    let value = pair.value.as_deref().unwrap_or_default();
    if b64 {
        base64::engine::general_purpose::STANDARD
            .encode(value)
            .into_bytes()
    } else {
        value.to_vec()
    }
}

/// `key:value\n` for `-recurse`.
fn recurse_line(pair: &KVPair, b64: bool) -> Vec<u8> {
    let mut line = pair.key.as_bytes().to_vec();
    line.push(b':');
    line.extend(encoded(pair, b64));
    line.push(b'\n');
    line
}

/// The `-detailed` block, tab-aligned like Go's tabwriter (padding 6). With a value (`Some(base64)`)
/// it ends without a newline after `Value`; without one (`-keys -recurse -detailed`) it ends
/// after the `Session` line's newline.
fn detailed_block(pair: &KVPair, value: Option<bool>) -> Vec<u8> {
    let session = pair
        .session
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("-");
    let mut text = format!(
        "CreateIndex\t{}\nFlags\t{}\nKey\t{}\nLockIndex\t{}\nModifyIndex\t{}\nSession\t{}\n",
        pair.create_index, pair.flags, pair.key, pair.lock_index, pair.modify_index, session
    )
    .into_bytes();
    if let Some(b64) = value {
        text.extend(b"Value\t");
        text.extend(encoded(pair, b64));
    }
    output::go_tabwriter(&text, 0, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> KVPair {
        KVPair {
            key: "redis/config/connections".into(),
            create_index: 336,
            modify_index: 340,
            lock_index: 0,
            flags: 42,
            value: Some(b"5".to_vec()),
            session: None,
        }
    }

    #[test]
    fn detailed_block_matches_consul() {
        let out = String::from_utf8(detailed_block(&pair(), Some(false))).unwrap();
        assert_eq!(
            out,
            "CreateIndex      336\n\
             Flags            42\n\
             Key              redis/config/connections\n\
             LockIndex        0\n\
             ModifyIndex      340\n\
             Session          -\n\
             Value            5"
        );
        let mut locked = pair();
        locked.session = Some("adf4238a-882b-9ddc-4a9d-5b6758e4159e".into());
        let out = String::from_utf8(detailed_block(&locked, Some(true))).unwrap();
        assert!(out.contains("Session          adf4238a-882b-9ddc-4a9d-5b6758e4159e\n"));
        assert!(out.ends_with("Value            NQ=="));
        let keys_only = String::from_utf8(detailed_block(&pair(), None)).unwrap();
        assert!(keys_only.ends_with("ModifyIndex      340\nSession          -\n"));
    }

    #[test]
    fn recurse_lines() {
        assert_eq!(
            recurse_line(&pair(), false),
            b"redis/config/connections:5\n"
        );
        assert_eq!(
            recurse_line(&pair(), true),
            b"redis/config/connections:NQ==\n"
        );
        let empty = KVPair {
            key: "dir/".into(),
            ..Default::default()
        };
        assert_eq!(recurse_line(&empty, true), b"dir/:\n");
    }

    #[test]
    fn plain_value_is_raw_or_base64() {
        let mut p = pair();
        p.value = Some(vec![0xff, b'\n']);
        assert_eq!(encoded(&p, false), vec![0xff, b'\n']);
        assert_eq!(encoded(&p, true), b"/wo=");
    }
}
