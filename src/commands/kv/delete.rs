//! `sd kv delete`: removes a key, a key only at a given ModifyIndex (`-cas`), or every key
//! under a prefix (`-recurse`), with `consul kv delete`'s checks and messages.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::kv::put::parse_go_uint;
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, opt};

pub fn cli() -> Command {
    Command::new("delete")
        .about("Delete a key, or every key under a prefix")
        .long_about(
            "Deletes KEY (a leading \"/\" is ignored); a key that does not exist is not an \
             error. -recurse deletes every key starting with the prefix, the whole store when \
             the prefix is left out. -cas deletes the key only if it has not changed since \
             -modify-index.",
        )
        .arg(flag(
            "cas",
            "Delete only if the key's ModifyIndex equals -modify-index (which must be above 0). \
             Cannot be combined with -recurse. Default false.",
        ))
        .arg(
            opt(
                "modify-index",
                "UINT",
                "The ModifyIndex the key must currently have for a -cas delete; only valid with \
                 -cas.",
            )
            .value_parser(parse_go_uint),
        )
        .arg(flag(
            "recurse",
            "Delete every key whose name starts with the given prefix. Default false.",
        ))
        .arg(super::key_arg())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let key = super::one_key(m)?;
    let key = key.as_str();
    let (cas, recurse) = (get_flag(m, "cas"), get_flag(m, "recurse"));
    let index = m.get_one::<u64>("modify-index").copied().unwrap_or(0);
    if let Some(problem) = check(key, cas, recurse, index) {
        return Err(CliError::failure(problem));
    }
    let client = crate::commands::connect(m)?;
    let (kv, w) = (client.kv(), WriteOptions::default());
    let fail = |m: String| CliError::failure(m);
    let done = if recurse {
        block_on(kv.delete_tree(key, &w))
            .map_err(|e| fail(format!("Error! Did not delete prefix {key}: {e}")))?;
        format!("Success! Deleted keys with prefix: {key}")
    } else if cas {
        let deleted = block_on(kv.delete_cas(key, index, &w))
            .map_err(|e| fail(format!("Error! Did not delete key {key}: {e}")))?;
        if !deleted {
            return Err(fail(format!("Error! Did not delete key {key}: CAS failed")));
        }
        format!("Success! Deleted key: {key}")
    } else {
        block_on(kv.delete(key, &w)).map_err(|e| fail(format!("Error deleting key {key}: {e}")))?;
        format!("Success! Deleted key: {key}")
    };
    output::println(&done);
    Ok(ExitCode::SUCCESS)
}

/// The flag combinations Consul refuses, in the order it checks them.
fn check(key: &str, cas: bool, recurse: bool, index: u64) -> Option<&'static str> {
    if key.is_empty() && !recurse {
        return Some("Error! Missing KEY argument");
    }
    if cas && index == 0 {
        return Some(
            "Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.",
        );
    }
    if index != 0 && !cas {
        return Some("Cannot specify -modify-index without -cas!");
    }
    if recurse && cas {
        return Some("Cannot specify both -cas and -recurse!");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_combinations() {
        assert_eq!(
            check("", false, false, 0),
            Some("Error! Missing KEY argument")
        );
        assert_eq!(check("", false, true, 0), None);
        assert!(check("k", true, false, 0)
            .unwrap()
            .starts_with("Cannot delete a key"));
        assert_eq!(
            check("k", false, false, 5),
            Some("Cannot specify -modify-index without -cas!")
        );
        assert_eq!(
            check("k", true, true, 5),
            Some("Cannot specify both -cas and -recurse!")
        );
        assert_eq!(check("k", true, false, 5), None);
    }
}
