//! `sd acl policy create|read|update|delete|list`. `-rules` takes the rules themselves,
//! `@file` or `-` (stdin), as Consul's does.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::format::{self, Format};
use crate::api::acl::AclPolicy;
use crate::cli::output;
use crate::client::acl::Kind;
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_str, multi, opt};

pub fn cli() -> Command {
    let rules = || {
        opt(
            "rules",
            "RULES",
            "The policy's rules in HCL or JSON: the text, @FILE to read a file or - for stdin.",
        )
    };
    let dcs = || {
        multi(
            "valid-datacenter",
            "DC",
            "A datacenter the policy is valid in. May be given more than once. Default: all.",
        )
    };
    Command::new("policy")
        .about("Manage Consul's ACL policies")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            super::leaf("create", "Create an ACL policy")
                .arg(opt("name", "NAME", "The new policy's name (required)."))
                .arg(opt("description", "TEXT", "A description of the policy."))
                .arg(rules())
                .arg(dcs()),
        )
        .subcommand(
            super::leaf("read", "Read an ACL policy")
                .arg(opt("id", "ID", "The ID of the policy to read."))
                .arg(opt("name", "NAME", "The name of the policy to read.")),
        )
        .subcommand(
            super::leaf("update", "Update an ACL policy")
                .arg(opt("id", "ID", "The ID of the policy to update."))
                .arg(opt(
                    "name",
                    "NAME",
                    "The policy's name: which policy to update without -id, its new name with -id.",
                ))
                .arg(opt("description", "TEXT", "A new description."))
                .arg(rules())
                .arg(dcs()),
        )
        .subcommand(
            super::leaf("delete", "Delete an ACL policy")
                .arg(opt("id", "ID", "The ID of the policy to delete."))
                .arg(opt("name", "NAME", "The name of the policy to delete.")),
        )
        .subcommand(super::leaf("list", "List ACL policies"))
}

/// `-rules` as text (`@file`, `-`: read).
fn rules(m: &ArgMatches) -> Result<Option<String>, CliError> {
    let Some(arg) = get_str(m, "rules") else {
        return Ok(None);
    };
    let bytes = crate::commands::kv::put::load_data(arg, &mut std::io::stdin().lock())
        .map_err(|e| CliError::failure(format!("Error loading rules: {e}")))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| CliError::failure("Error loading rules: the rules are not UTF-8 text"))
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let (name, m) = m.subcommand().expect("clap requires a policy subcommand");
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let acl = client.acl();
    let (w, q) = (WriteOptions::default(), QueryOptions::default());
    let read = |key: &str, by_name: bool| -> Result<AclPolicy, CliError> {
        block_on(acl.read(Kind::Policy, key, by_name, &q))
            .map_err(|e| CliError::failure(format!("Error reading policy {key:?}: {e}")))
    };
    let policy = match name {
        "create" => {
            let name = get_str(m, "name")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| CliError::failure("Missing required '-name' flag"))?;
            let policy = AclPolicy {
                name: name.into(),
                description: get_str(m, "description").unwrap_or_default().into(),
                rules: rules(m)?.unwrap_or_default(),
                datacenters: get_all(m, "valid-datacenter"),
                ..AclPolicy::default()
            };
            block_on(acl.write(Kind::Policy, None, &policy, &w))
                .map_err(|e| CliError::failure(format!("Failed to create new policy: {e}")))?
        }
        "read" => {
            let (key, by_name) = super::id_or_name(m, "policy")?;
            read(key, by_name)?
        }
        "update" => {
            let (key, by_name) = super::id_or_name(m, "policy")?;
            let mut policy = read(key, by_name)?;
            if !by_name {
                if let Some(n) = get_str(m, "name").filter(|s| !s.is_empty()) {
                    policy.name = n.into();
                }
            }
            if let Some(d) = get_str(m, "description") {
                policy.description = d.into();
            }
            if let Some(r) = rules(m)? {
                policy.rules = r;
            }
            let dcs = get_all(m, "valid-datacenter");
            if !dcs.is_empty() {
                policy.datacenters = dcs;
            }
            let id = policy.id.clone();
            block_on(acl.write(Kind::Policy, Some(&id), &policy, &w))
                .map_err(|e| CliError::failure(format!("Failed to update policy {id}: {e}")))?
        }
        "delete" => {
            let (key, by_name) = super::id_or_name(m, "policy")?;
            let id = if by_name {
                read(key, true)?.id
            } else {
                key.to_string()
            };
            block_on(acl.delete(Kind::Policy, &id, &w))
                .map_err(|e| CliError::failure(format!("Error deleting policy {id:?}: {e}")))?;
            output::println(&format!("Policy {id:?} deleted successfully"));
            return Ok(ExitCode::SUCCESS);
        }
        "list" => {
            let all = block_on(acl.policies(&q)).map_err(|e| {
                CliError::failure(format!("Failed to retrieve the policy list: {e}"))
            })?;
            match fmt {
                Format::Json => output::println(&format::json(&all)),
                Format::Pretty => {
                    let text: String = all.iter().map(format::policy_entry).collect();
                    output::write_raw(text.as_bytes());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        other => unreachable!("unknown policy subcommand {other}"),
    };
    match fmt {
        Format::Json => output::println(&format::json(&policy)),
        Format::Pretty => output::write_raw(format::policy(&policy).as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}
