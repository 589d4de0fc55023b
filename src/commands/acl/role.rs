//! `sd acl role create|read|update|delete|list`.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::format::{self, Format};
use super::Links;
use crate::api::acl::AclRole;
use crate::cli::output;
use crate::client::acl::Kind;
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("role")
        .about("Manage Consul's ACL roles")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            super::leaf("create", "Create an ACL role")
                .arg(opt("name", "NAME", "The new role's name (required)."))
                .arg(opt("description", "TEXT", "A description of the role."))
                .args(super::link_args(false)),
        )
        .subcommand(
            super::leaf("read", "Read an ACL role")
                .arg(opt("id", "ID", "The ID of the role to read."))
                .arg(opt("name", "NAME", "The name of the role to read.")),
        )
        .subcommand(
            super::leaf("update", "Update an ACL role")
                .arg(opt("id", "ID", "The ID of the role to update."))
                .arg(opt("name", "NAME", "The role's new name."))
                .arg(opt("description", "TEXT", "A new description."))
                .arg(flag("no-merge", "Replace the role's policies and identities with those given instead of adding to them."))
                .args(super::link_args(false)),
        )
        .subcommand(
            super::leaf("delete", "Delete an ACL role")
                .arg(opt("id", "ID", "The ID of the role to delete."))
                .arg(opt("name", "NAME", "The name of the role to delete.")),
        )
        .subcommand(super::leaf("list", "List ACL roles"))
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let (name, m) = m.subcommand().expect("clap requires a role subcommand");
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let acl = client.acl();
    let (w, q) = (WriteOptions::default(), QueryOptions::default());
    let read = |key: &str, by_name: bool| -> Result<AclRole, CliError> {
        block_on(acl.read(Kind::Role, key, by_name, &q))
            .map_err(|e| CliError::failure(format!("Error reading role {key:?}: {e}")))
    };
    let role = match name {
        "create" => {
            let name = get_str(m, "name")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| CliError::failure("Missing required '-name' flag"))?;
            let links = Links::read(m, false)?;
            let role = AclRole {
                name: name.into(),
                description: get_str(m, "description").unwrap_or_default().into(),
                policies: links.policies,
                service_identities: links.services,
                node_identities: links.nodes,
                templated_policies: links.templated,
                ..AclRole::default()
            };
            block_on(acl.write(Kind::Role, None, &role, &w))
                .map_err(|e| CliError::failure(format!("Failed to create new role: {e}")))?
        }
        "read" => {
            let (key, by_name) = super::id_or_name(m, "role")?;
            read(key, by_name)?
        }
        "update" => {
            let id = get_str(m, "id").filter(|s| !s.is_empty()).ok_or_else(|| {
                CliError::failure("Cannot update a role without specifying the -id parameter")
            })?;
            let mut role = read(id, false)?;
            if let Some(n) = get_str(m, "name").filter(|s| !s.is_empty()) {
                role.name = n.into();
            }
            if let Some(d) = get_str(m, "description") {
                role.description = d.into();
            }
            let links = Links::read(m, false)?;
            if get_flag(m, "no-merge") {
                role.policies.clear();
                role.service_identities.clear();
                role.node_identities.clear();
                role.templated_policies.clear();
            }
            role.policies.extend(links.policies);
            role.service_identities.extend(links.services);
            role.node_identities.extend(links.nodes);
            role.templated_policies.extend(links.templated);
            block_on(acl.write(Kind::Role, Some(id), &role, &w))
                .map_err(|e| CliError::failure(format!("Failed to update role {id}: {e}")))?
        }
        "delete" => {
            let (key, by_name) = super::id_or_name(m, "role")?;
            let id = if by_name {
                read(key, true)?.id
            } else {
                key.to_string()
            };
            block_on(acl.delete(Kind::Role, &id, &w))
                .map_err(|e| CliError::failure(format!("Error deleting role {id:?}: {e}")))?;
            output::println(&format!("Role {id:?} deleted successfully"));
            return Ok(ExitCode::SUCCESS);
        }
        "list" => {
            let all = block_on(acl.roles(&q))
                .map_err(|e| CliError::failure(format!("Failed to retrieve the role list: {e}")))?;
            match fmt {
                Format::Json => output::println(&format::json(&all)),
                Format::Pretty => {
                    let text: String = all.iter().map(|r| format::role(r, true)).collect();
                    output::write_raw(text.as_bytes());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        other => unreachable!("unknown role subcommand {other}"),
    };
    match fmt {
        Format::Json => output::println(&format::json(&role)),
        Format::Pretty => output::write_raw(format::role(&role, false).as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}
