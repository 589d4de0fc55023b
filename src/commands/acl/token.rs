//! `sd acl token create|read|update|delete|list|clone`, as Consul's commands take and print
//! them (`-id anonymous` names the anonymous token).

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::format::{self, Format};
use super::Links;
use crate::api::acl::{AclToken, ANONYMOUS_ACCESSOR};
use crate::cli::output;
use crate::client::acl::Kind;
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_str, opt};

pub fn cli() -> Command {
    Command::new("token")
        .about("Manage Consul's ACL tokens")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            super::leaf("create", "Create an ACL token")
                .arg(opt("description", "TEXT", "A description of the token."))
                .arg(opt("accessor", "ID", "The token's AccessorID (a UUID). Default: a random one."))
                .arg(opt("secret", "ID", "The token's SecretID (a UUID). Default: a random one."))
                .arg(opt("expires-ttl", "DURATION", "How long the token lives (1m to 24h). Default: forever."))
                .arg(flag("local", "Create the token only in this datacenter."))
                .args(super::link_args(true)),
        )
        .subcommand(
            super::leaf("read", "Read an ACL token")
                .arg(opt("id", "ID", "The AccessorID of the token to read (\"anonymous\" for the anonymous token)."))
                .arg(flag("self", "Read the token the request is made with.")),
        )
        .subcommand(
            super::leaf("update", "Update an ACL token")
                .arg(opt("id", "ID", "The AccessorID of the token to update."))
                .arg(opt("description", "TEXT", "A new description."))
                .arg(flag("append-policies", "Add the given policies, roles and identities to the token's instead of replacing them."))
                .args(super::link_args(true)),
        )
        .subcommand(
            super::leaf("delete", "Delete an ACL token")
                .arg(opt("id", "ID", "The AccessorID of the token to delete.")),
        )
        .subcommand(super::leaf("list", "List ACL tokens"))
        .subcommand(
            super::leaf("clone", "Clone an ACL token")
                .arg(opt("id", "ID", "The AccessorID of the token to clone."))
                .arg(opt("description", "TEXT", "A description of the new token. Default: the original's.")),
        )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let (name, m) = m.subcommand().expect("clap requires a token subcommand");
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let acl = client.acl();
    let w = WriteOptions::default();
    let q = QueryOptions::default();
    let id = || -> Result<String, CliError> {
        match get_str(m, "id").filter(|s| !s.is_empty()) {
            Some("anonymous") => Ok(ANONYMOUS_ACCESSOR.into()),
            Some(id) => Ok(id.into()),
            None => Err(CliError::failure("Must specify the -id parameter")),
        }
    };
    let token: AclToken = match name {
        "create" => {
            let links = Links::read(m, true)?;
            let token = AclToken {
                accessor_id: get_str(m, "accessor").unwrap_or_default().into(),
                secret_id: get_str(m, "secret").unwrap_or_default().into(),
                description: get_str(m, "description").unwrap_or_default().into(),
                local: get_flag(m, "local"),
                expiration_ttl: get_str(m, "expires-ttl")
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::Value::String(s.into())),
                policies: links.policies,
                roles: links.roles,
                service_identities: links.services,
                node_identities: links.nodes,
                templated_policies: links.templated,
                ..AclToken::default()
            };
            block_on(acl.write(Kind::Token, None, &token, &w))
                .map_err(|e| CliError::failure(format!("Failed to create new token: {e}")))?
        }
        "read" => {
            let read = if get_flag(m, "self") {
                block_on(acl.token_self(&q))
            } else {
                block_on(acl.read(Kind::Token, &id()?, false, &q))
            };
            read.map_err(|e| CliError::failure(format!("Error reading token: {e}")))?
        }
        "update" => {
            let id = id()?;
            let mut token: AclToken =
                block_on(acl.read(Kind::Token, &id, false, &q)).map_err(|e| {
                    CliError::failure(format!("Error when retrieving current token: {e}"))
                })?;
            if let Some(d) = get_str(m, "description") {
                token.description = d.into();
            }
            let links = Links::read(m, true)?;
            if !links.is_empty() && !get_flag(m, "append-policies") {
                token.policies.clear();
                token.roles.clear();
                token.service_identities.clear();
                token.node_identities.clear();
                token.templated_policies.clear();
            }
            token.policies.extend(links.policies);
            token.roles.extend(links.roles);
            token.service_identities.extend(links.services);
            token.node_identities.extend(links.nodes);
            token.templated_policies.extend(links.templated);
            // The secret is never changed; the agent may have hidden it from this caller.
            token.secret_id = String::new();
            block_on(acl.write(Kind::Token, Some(&id), &token, &w))
                .map_err(|e| CliError::failure(format!("Failed to update token {id}: {e}")))?
        }
        "delete" => {
            let id = id()?;
            block_on(acl.delete(Kind::Token, &id, &w))
                .map_err(|e| CliError::failure(format!("Error deleting token {id:?}: {e}")))?;
            output::println(&format!("Token {id:?} deleted successfully"));
            return Ok(ExitCode::SUCCESS);
        }
        "list" => {
            let tokens = block_on(acl.tokens(&q)).map_err(|e| {
                CliError::failure(format!("Failed to retrieve the token list: {e}"))
            })?;
            match fmt {
                Format::Json => output::println(&format::json(&tokens)),
                Format::Pretty => {
                    let all: Vec<String> = tokens.iter().map(format::token_entry).collect();
                    output::write_raw(all.join("\n").as_bytes());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        "clone" => {
            let id = id()?;
            let description = get_str(m, "description").unwrap_or_default();
            block_on(acl.token_clone(&id, description, &w))
                .map_err(|e| CliError::failure(format!("Failed to clone token: {e}")))?
        }
        other => unreachable!("unknown token subcommand {other}"),
    };
    match fmt {
        Format::Json => output::println(&format::json(&token)),
        Format::Pretty => output::write_raw(format::token(&token).as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}
