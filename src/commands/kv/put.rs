//! `sd kv put`: writes a key (plain, check-and-set, or lock acquire/release), taking DATA
//! literally, from `@file` or from stdin (`-`), with `consul kv put`'s messages.

use std::io::Read;
use std::process::ExitCode;

use base64::Engine as _;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::config::client_env::go_file_error;
use crate::goflag::{flag, get_all, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("put")
        .about("Write a value to a key")
        .long_about(
            "Stores DATA at KEY, creating the key if needed. DATA is taken as given, read from a \
             file when written as @PATH, or read from stdin when it is \"-\"; without DATA the \
             key gets an empty value. -cas, -acquire and -release make the write conditional.",
        )
        .arg(flag(
            "cas",
            "Write only if the key's ModifyIndex equals -modify-index; an index of 0 writes \
             only if the key does not exist yet. Default false.",
        ))
        .arg(
            opt(
                "flags",
                "UINT",
                "A 64-bit number stored with the key as metadata; sd does not interpret it. \
                 Default 0.",
            )
            .value_parser(parse_go_uint),
        )
        .arg(flag(
            "base64",
            "Decode DATA from base64 before storing it. Default false.",
        ))
        .arg(
            opt(
                "modify-index",
                "UINT",
                "The ModifyIndex the key must currently have for a -cas write to happen.",
            )
            .value_parser(parse_go_uint),
        )
        .arg(opt(
            "session",
            "ID",
            "ID of the session that takes (-acquire) or gives up (-release) the key's lock.",
        ))
        .arg(flag(
            "acquire",
            "Write the value and lock the key for -session; fails if another session holds \
             the lock. Default false.",
        ))
        .arg(flag(
            "release",
            "Write the value and unlock the key held by -session. Default false.",
        ))
        .arg(
            Arg::new("args")
                .value_name("KEY [DATA]")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let args = get_all(m, "args");
    let (key, data) = match args.as_slice() {
        [] => return Err(CliError::failure("Error! Missing KEY argument")),
        [key] => (key.as_str(), Vec::new()),
        [key, data] => match load_data(data, &mut std::io::stdin().lock()) {
            Ok(bytes) => (key.as_str(), bytes),
            Err(e) => return Err(CliError::failure(format!("Error! {e}"))),
        },
        more => {
            return Err(CliError::failure(format!(
                "Error! Too many arguments (expected 1 or 2, got {})",
                more.len()
            )))
        }
    };
    let value = if get_flag(m, "base64") {
        match decode_base64(&data) {
            Ok(v) => v,
            Err(e) => {
                return Err(CliError::failure(format!(
                    "Error! Cannot base 64 decode data: {e}"
                )))
            }
        }
    } else {
        data
    };
    let session = get_str(m, "session").unwrap_or("");
    let (cas, acquire, release) = (
        get_flag(m, "cas"),
        get_flag(m, "acquire"),
        get_flag(m, "release"),
    );
    if (acquire || release) && session.is_empty() {
        return Err(CliError::failure(
            "Error! Missing -session (required with -acquire and -release)",
        ));
    }
    let flags = m.get_one::<u64>("flags").copied().unwrap_or(0);
    let index = m.get_one::<u64>("modify-index").copied().unwrap_or(0);
    let client = crate::commands::connect(m)?;
    let (kv, w) = (client.kv(), WriteOptions::default());

    let fail = |m: String| CliError::failure(m);
    let done = if cas {
        let written = block_on(kv.cas(key, &value, flags, index, &w))
            .map_err(|e| fail(format!("Error! Did not write to {key}: {e}")))?;
        match (written, index) {
            (true, _) => format!("Success! Data written to: {key}"),
            (false, 0) => {
                return Err(fail(format!(
                "Error! Did not write to {key}: CAS performed with index=0 and key already exists."
            )))
            }
            (false, _) => return Err(fail(format!("Error! Did not write to {key}: CAS failed"))),
        }
    } else if acquire {
        let acquired = block_on(kv.acquire(key, &value, flags, session, &w))
            .map_err(|e| fail(format!("Error! Failed writing data: {e}")))?;
        if !acquired {
            return Err(fail("Error! Did not acquire lock".into()));
        }
        format!("Success! Lock acquired on: {key}")
    } else if release {
        // Consul names the key, not the error, here.
        let released = block_on(kv.release(key, &value, flags, session, &w))
            .map_err(|_| fail(format!("Error! Failed writing data: {key}")))?;
        if !released {
            return Err(fail("Error! Did not release lock".into()));
        }
        format!("Success! Lock released on: {key}")
    } else {
        block_on(kv.put(key, &value, flags, &w))
            .map_err(|e| fail(format!("Error! Failed writing data: {e}")))?;
        format!("Success! Data written to: {key}")
    };
    output::println(&done);
    Ok(ExitCode::SUCCESS)
}

/// DATA as Consul reads it: `@path` is a file's contents, `-` is all of stdin, anything else
/// (including the empty string) is taken literally.
pub(crate) fn load_data(arg: &str, stdin: &mut dyn Read) -> Result<Vec<u8>, String> {
    if let Some(path) = arg.strip_prefix('@') {
        return std::fs::read(path)
            .map_err(|e| format!("Failed to read file: {}", go_file_error("open", path, &e)));
    }
    if arg == "-" {
        let mut buf = Vec::new();
        stdin
            .read_to_end(&mut buf)
            .map_err(|e| format!("Failed to read stdin: {e}"))?;
        return Ok(buf);
    }
    Ok(arg.as_bytes().to_vec())
}

/// Standard base64 the way Go's `StdEncoding.DecodeString` takes it: `\r` and `\n` are
/// skipped, padding is required, errors name the offending input byte.
pub(crate) fn decode_base64(data: &[u8]) -> Result<Vec<u8>, String> {
    use base64::DecodeError;
    let clean: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .map_err(|e| {
            let at = match e {
                DecodeError::InvalidByte(i, _) | DecodeError::InvalidLastSymbol(i, _) => i,
                DecodeError::InvalidLength(_) | DecodeError::InvalidPadding => {
                    clean.len().saturating_sub(clean.len() % 4)
                }
            };
            format!("illegal base64 data at input byte {at}")
        })
}

/// An unsigned integer as Go's `flag.Uint64Var` parses it (`strconv.ParseUint(s, 0, 64)`):
/// decimal, `0x` hex, `0o`/leading-`0` octal, `0b` binary.
pub(crate) fn parse_go_uint(s: &str) -> Result<u64, String> {
    let digits = s.replace('_', "");
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, b)
    } else if let Some(o) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, o)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits.as_str())
    };
    u64::from_str_radix(body, radix).map_err(|_| format!("invalid value {s:?}: parse error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sources() {
        let mut stdin: &[u8] = b"from stdin\n";
        assert_eq!(load_data("-", &mut stdin).unwrap(), b"from stdin\n");
        let mut none: &[u8] = b"";
        assert_eq!(load_data("", &mut none).unwrap(), b"");
        assert_eq!(load_data("-x", &mut none).unwrap(), b"-x");
        assert_eq!(load_data("plain", &mut none).unwrap(), b"plain");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v.bin");
        std::fs::write(&file, b"\x00\x01file").unwrap();
        let arg = format!("@{}", file.display());
        assert_eq!(load_data(&arg, &mut none).unwrap(), b"\x00\x01file");
        assert_eq!(
            load_data("@/nonexistent/v", &mut none).unwrap_err(),
            "Failed to read file: open /nonexistent/v: no such file or directory"
        );
    }

    #[test]
    fn base64_like_go() {
        assert_eq!(decode_base64(b"aGk=\n").unwrap(), b"hi");
        assert_eq!(decode_base64(b"").unwrap(), b"");
        assert_eq!(
            decode_base64(b"aG!k").unwrap_err(),
            "illegal base64 data at input byte 2"
        );
        assert!(decode_base64(b"aGk").is_err());
    }

    #[test]
    fn go_uints() {
        assert_eq!(parse_go_uint("42"), Ok(42));
        assert_eq!(parse_go_uint("0x2a"), Ok(42));
        assert_eq!(parse_go_uint("052"), Ok(42));
        assert_eq!(parse_go_uint("0"), Ok(0));
        assert_eq!(parse_go_uint("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_go_uint("-1").is_err());
        assert!(parse_go_uint("x").is_err());
    }
}
