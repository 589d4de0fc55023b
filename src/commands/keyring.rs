//! `sd keyring`: the cluster's gossip encryption keys, as `consul keyring`: `-list` (or
//! `-list-primary`) prints each pool's keys with `[members holding it/members]`, `-install`,
//! `-use` and `-remove` change every member's keyring. Exit 1 when any member fails or does
//! not answer.

use std::process::ExitCode;

use clap::{ArgMatches, Command};
use reqwest::Method;

use crate::api::keyring::KeyringResponse;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{connect, no_arguments, stray_args, CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_int, get_str, opt};

pub fn cli() -> Command {
    Command::new("keyring")
        .about("Manages gossip layer encryption keys")
        .long_about(
            "Manages the keys that encrypt gossip. With encryption on, this lists the keys \
             installed across the cluster, installs new ones, changes the primary key and \
             removes old ones: together, a key rotation without downtime (install, use, then \
             remove the old key). Runs on a server (a client agent forwards it). Exits 0 when \
             every member answered without error, 1 otherwise.",
        )
        .arg(opt(
            "install",
            "KEY",
            "Install a new encryption key. This will broadcast the new key to all members in the cluster.",
        ))
        .arg(opt(
            "use",
            "KEY",
            "Change the primary encryption key, which is used to encrypt messages. The key must already be installed before this operation can succeed.",
        ))
        .arg(opt(
            "remove",
            "KEY",
            "Remove the given key from the cluster. This operation may only be performed on keys which are not currently the primary key.",
        ))
        .arg(flag("list", "List all keys currently in use within the cluster."))
        .arg(flag(
            "list-primary",
            "List all primary keys currently in use within the cluster.",
        ))
        .arg(opt(
            "relay-factor",
            "N",
            "Accepted for compatibility, 0 to 5: members answer the asking server directly.",
        ))
        .arg(flag(
            "local-only",
            "Only ask this datacenter's LAN pool, not the servers' WAN pool. List queries only.",
        ))
        .args(http_flags::http_args())
        .arg(stray_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    no_arguments(m)?;
    let install = get_str(m, "install").filter(|k| !k.is_empty());
    let use_key = get_str(m, "use").filter(|k| !k.is_empty());
    let remove = get_str(m, "remove").filter(|k| !k.is_empty());
    let list = get_flag(m, "list");
    let list_primary = get_flag(m, "list-primary");
    let actions = [
        install.is_some(),
        use_key.is_some(),
        remove.is_some(),
        list,
        list_primary,
    ]
    .iter()
    .filter(|a| **a)
    .count();
    if actions == 0 {
        return Err(CliError::failure(cli().render_help()));
    }
    if actions > 1 {
        return Err(CliError::failure("Only a single action is allowed"));
    }
    let relay = get_int(m, "relay-factor", 0).map_err(CliError::failure)?;
    let relay = u8::try_from(relay)
        .ok()
        .filter(|r| *r <= 5)
        .ok_or_else(|| {
            CliError::failure("Error parsing relay factor: Relay factor must be in range: [0, 5]")
        })?;
    let local_only = get_flag(m, "local-only");
    if local_only && !list {
        return Err(CliError::failure(
            "Error validating local-only: local-only can only be set for list requests",
        ));
    }
    let client = connect(m)?;
    let operator = client.operator();
    if list || list_primary {
        output::println(if list {
            "==> Gathering installed encryption keys..."
        } else {
            "==> Gathering installed primary encryption keys..."
        });
        let pools = block_on(operator.keyring_list(relay, local_only, &QueryOptions::default()))
            .map_err(|e| CliError::failure(format!("error: {e}")))?;
        for pool in &pools {
            let keys = if list { &pool.keys } else { &pool.primary_keys };
            output::println(&format_pool(pool, keys));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (method, key, doing) = match (install, use_key, remove) {
        (Some(k), _, _) => (Method::POST, k, "Installing new gossip encryption key..."),
        (_, Some(k), _) => (Method::PUT, k, "Changing primary gossip encryption key..."),
        (_, _, Some(k)) => (Method::DELETE, k, "Removing gossip encryption key..."),
        (None, None, None) => return Err(CliError::failure(cli().render_help())),
    };
    output::println(&format!("==> {doing}"));
    block_on(operator.keyring_change(method, key, relay, &WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("error: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// One pool as Consul prints it: a blank line, `dc1 (LAN):`, members' messages, then
/// `  KEY [n/total]` per key.
fn format_pool(pool: &KeyringResponse, keys: &std::collections::BTreeMap<String, u32>) -> String {
    let name = if pool.wan {
        "WAN".to_string()
    } else {
        format!("{} (LAN)", pool.datacenter)
    };
    let segment = match pool.segment.as_str() {
        "" => String::new(),
        s => format!(" [{s}]"),
    };
    let mut out = format!("\n{name}{segment}:");
    for (node, message) in &pool.messages {
        out.push_str(&format!("\n  ===> {node}: {message}"));
    }
    for (key, n) in keys {
        out.push_str(&format!("\n  {key} [{n}/{}]", pool.num_nodes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_print_as_consul_prints_them() {
        let pool = KeyringResponse {
            datacenter: "dc1".into(),
            keys: [("K1=".to_string(), 3), ("K2=".to_string(), 2)].into(),
            messages: [("n3".to_string(), "no answer".to_string())].into(),
            num_nodes: 3,
            ..Default::default()
        };
        assert_eq!(
            format_pool(&pool, &pool.keys),
            "\ndc1 (LAN):\n  ===> n3: no answer\n  K1= [3/3]\n  K2= [2/3]"
        );
    }
}
