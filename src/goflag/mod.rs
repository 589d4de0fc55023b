//! Go's `flag` package semantics on clap: argument builders and getters every command (and the
//! agent's flag table in `config`) declares flags with, and `normalize`, which rewrites argv
//! into clap's syntax. A leaf: it imports only clap.
//!
//! May import: nothing (checked by tests/architecture.rs).

pub mod normalize;

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, ArgMatches};

/// Parses a boolean the way Go's `strconv.ParseBool` does.
pub fn parse_go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        other => Err(format!("invalid boolean value {other:?}")),
    }
}

/// The value of an integer flag (Go's `flag.Int`), `default` when absent, or Go's message.
pub fn get_int(m: &ArgMatches, name: &str, default: i64) -> Result<i64, String> {
    match get_str(m, name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| format!("invalid value {v:?} for flag -{name}: parse error")),
    }
}

/// A Go-style boolean flag: `-name` means true, `-name=false` sets false; the next word is
/// never taken as its value.
pub fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .help(help)
        .num_args(0..=1)
        .require_equals(true)
        .default_missing_value("true")
        .value_parser(parse_go_bool)
        .action(ArgAction::Set)
}

/// A flag that takes one value: `-name=value` or `-name value`.
pub fn opt(name: &'static str, value_name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .value_name(value_name)
        .help(help)
        .action(ArgAction::Set)
}

/// A flag that may be repeated, each occurrence adding one value.
pub fn multi(name: &'static str, value_name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .value_name(value_name)
        .help(help)
        .action(ArgAction::Append)
}

/// A repeatable `key=value` flag (Consul's `FlagMapValue`): a value without `=` is a usage
/// error; a key given twice keeps its last value.
pub fn key_values(name: &'static str, help: &'static str) -> Arg {
    multi(name, "key=value", help).value_parser(parse_key_value)
}

/// Splits `key=value` at the first `=`, as Consul's `FlagMapValue` does.
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(format!("Missing \"=\" value in argument: {s}")),
    }
}

/// The pairs of a flag made with [`key_values`], later ones replacing earlier ones.
pub fn get_key_values(m: &ArgMatches, name: &str) -> BTreeMap<String, String> {
    m.try_get_many::<(String, String)>(name)
        .ok()
        .flatten()
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

/// The value of a boolean made with [`flag`]; false when absent.
pub fn get_flag(m: &ArgMatches, name: &str) -> bool {
    m.try_get_one::<bool>(name)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// The value of a single-valued string option, if given.
pub fn get_str<'a>(m: &'a ArgMatches, name: &str) -> Option<&'a str> {
    m.try_get_one::<String>(name)
        .ok()
        .flatten()
        .map(String::as_str)
}

/// All values of a repeatable string option.
pub fn get_all(m: &ArgMatches, name: &str) -> Vec<String> {
    m.try_get_many::<String>(name)
        .ok()
        .flatten()
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_bools() {
        for t in ["1", "t", "T", "true", "TRUE", "True"] {
            assert_eq!(parse_go_bool(t), Ok(true));
        }
        for f in ["0", "f", "F", "false", "FALSE", "False"] {
            assert_eq!(parse_go_bool(f), Ok(false));
        }
        assert!(parse_go_bool("yes").is_err());
    }

    #[test]
    fn key_value_pairs() {
        let m = clap::Command::new("t")
            .arg(key_values("meta", "m"))
            .try_get_matches_from(["t", "--meta=a=1=2", "--meta", "b=", "--meta=a=3"])
            .unwrap();
        let pairs = get_key_values(&m, "meta");
        assert_eq!(pairs.len(), 2);
        assert_eq!((pairs["a"].as_str(), pairs["b"].as_str()), ("3", ""));
        assert_eq!(
            parse_key_value("novalue").unwrap_err(),
            "Missing \"=\" value in argument: novalue"
        );
        assert_eq!(parse_key_value("k=a=b").unwrap().1, "a=b");
        assert!(get_key_values(&m, "absent").is_empty());
    }
}
