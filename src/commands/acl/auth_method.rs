//! `sd acl auth-method create|read|update|delete|list` and `sd acl binding-rule
//! create|read|update|delete|list`, with Consul's flags and layout.

use std::fmt::Write;
use std::process::ExitCode;

use clap::{ArgMatches, Command};

use super::format::{self, Format};
use crate::api::acl::{AclAuthMethod, AclBindingRule};
use crate::cli::output;
use crate::client::acl::Kind;
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, opt};

pub fn method_cli() -> Command {
    let settings = |c: Command| {
        c.arg(opt("name", "NAME", "The auth method's name."))
            .arg(opt("type", "TYPE", "The auth method's type: jwt."))
            .arg(opt(
                "display-name",
                "NAME",
                "A name to show for the method.",
            ))
            .arg(opt("description", "TEXT", "A description of the method."))
            .arg(opt(
                "max-token-ttl",
                "DURATION",
                "The longest life of a token a login makes (1m to 24h).",
            ))
            .arg(opt(
                "token-locality",
                "LOCALITY",
                "local (the default) or global.",
            ))
            .arg(opt(
                "config",
                "JSON",
                "The method's configuration as JSON: the text, @FILE or - for stdin.",
            ))
    };
    Command::new("auth-method")
        .about("Manage Consul's ACL auth methods")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(settings(super::leaf("create", "Create an ACL auth method")))
        .subcommand(super::leaf("read", "Read an ACL auth method").arg(opt(
            "name",
            "NAME",
            "The auth method's name.",
        )))
        .subcommand(settings(super::leaf("update", "Update an ACL auth method")))
        .subcommand(super::leaf("delete", "Delete an ACL auth method").arg(opt(
            "name",
            "NAME",
            "The auth method's name.",
        )))
        .subcommand(super::leaf("list", "List ACL auth methods"))
}

pub fn rule_cli() -> Command {
    let settings = |c: Command| {
        c.arg(opt(
            "method",
            "NAME",
            "The auth method the rule belongs to.",
        ))
        .arg(opt("description", "TEXT", "A description of the rule."))
        .arg(opt(
            "selector",
            "EXPR",
            "Which logins the rule applies to, over value.<name> and list.<name>.",
        ))
        .arg(opt(
            "bind-type",
            "TYPE",
            "service, node, role, policy or templated-policy.",
        ))
        .arg(opt(
            "bind-name",
            "NAME",
            "The name bound; ${value.<name>} is filled in.",
        ))
    };
    let id = || opt("id", "ID", "The binding rule's ID.");
    Command::new("binding-rule")
        .about("Manage Consul's ACL binding rules")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(settings(super::leaf(
            "create",
            "Create an ACL binding rule",
        )))
        .subcommand(super::leaf("read", "Read an ACL binding rule").arg(id()))
        .subcommand(settings(
            super::leaf("update", "Update an ACL binding rule").arg(id()),
        ))
        .subcommand(super::leaf("delete", "Delete an ACL binding rule").arg(id()))
        .subcommand(super::leaf("list", "List ACL binding rules").arg(opt(
            "method",
            "NAME",
            "Only the rules of this auth method.",
        )))
}

fn method_text(m: &AclAuthMethod, listed: bool) -> String {
    let mut out = String::new();
    let i = if listed { "   " } else { "" };
    if listed {
        let _ = writeln!(out, "{}:", m.name);
    } else {
        let _ = writeln!(out, "Name:          {}", m.name);
    }
    let _ = writeln!(out, "{i}Type:          {}", m.kind);
    if !m.display_name.is_empty() {
        let _ = writeln!(out, "{i}DisplayName:   {}", m.display_name);
    }
    let _ = writeln!(out, "{i}Description:   {}", m.description);
    if let Some(ttl) = m.max_token_ttl.as_ref().and_then(|v| v.as_str()) {
        let _ = writeln!(out, "{i}MaxTokenTTL:   {ttl}");
    }
    if !m.token_locality.is_empty() {
        let _ = writeln!(out, "{i}TokenLocality: {}", m.token_locality);
    }
    if !listed {
        let _ = writeln!(out, "Config:\n{}", format::json(&m.config));
    }
    out
}

fn rule_text(r: &AclBindingRule) -> String {
    format!(
        "ID:           {}\nAuthMethod:   {}\nDescription:  {}\nBindType:     {}\nBindName:     {}\nSelector:     {}\n",
        r.id, r.auth_method, r.description, r.bind_type, r.bind_name, r.selector
    )
}

/// A flag's value when it was given.
fn given(m: &ArgMatches, name: &str) -> Option<String> {
    get_str(m, name).map(str::to_string)
}

fn method_settings(m: &ArgMatches, into: &mut AclAuthMethod) -> Result<(), CliError> {
    if let Some(v) = given(m, "type") {
        into.kind = v;
    }
    if let Some(v) = given(m, "display-name") {
        into.display_name = v;
    }
    if let Some(v) = given(m, "description") {
        into.description = v;
    }
    if let Some(v) = given(m, "max-token-ttl") {
        into.max_token_ttl = Some(serde_json::Value::String(v));
    }
    if let Some(v) = given(m, "token-locality") {
        into.token_locality = v;
    }
    if let Some(arg) = get_str(m, "config") {
        let bytes = crate::commands::kv::put::load_data(arg, &mut std::io::stdin().lock())
            .map_err(|e| CliError::failure(format!("Error loading configuration file: {e}")))?;
        into.config = serde_json::from_slice(&bytes).map_err(|e| {
            CliError::failure(format!("Error parsing JSON for auth method config: {e}"))
        })?;
    }
    Ok(())
}

pub fn exec_method(m: &ArgMatches) -> CmdResult {
    let (name, m) = m
        .subcommand()
        .expect("clap requires an auth-method subcommand");
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let acl = client.acl();
    let (w, q) = (WriteOptions::default(), QueryOptions::default());
    let method_name = || {
        get_str(m, "name")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CliError::failure("Missing required '-name' flag"))
    };
    let method: AclAuthMethod = match name {
        "create" => {
            let mut method = AclAuthMethod {
                name: method_name()?,
                ..AclAuthMethod::default()
            };
            method_settings(m, &mut method)?;
            block_on(acl.write(Kind::AuthMethod, None, &method, &w))
                .map_err(|e| CliError::failure(format!("Failed to create new auth method: {e}")))?
        }
        "read" => block_on(acl.read(Kind::AuthMethod, &method_name()?, false, &q))
            .map_err(|e| CliError::failure(format!("Error reading auth method: {e}")))?,
        "update" => {
            let n = method_name()?;
            let mut method: AclAuthMethod = block_on(acl.read(Kind::AuthMethod, &n, false, &q))
                .map_err(|e| CliError::failure(format!("Error reading auth method {n:?}: {e}")))?;
            method_settings(m, &mut method)?;
            block_on(acl.write(Kind::AuthMethod, Some(&n), &method, &w))
                .map_err(|e| CliError::failure(format!("Error updating auth method {n:?}: {e}")))?
        }
        "delete" => {
            let n = method_name()?;
            block_on(acl.delete(Kind::AuthMethod, &n, &w))
                .map_err(|e| CliError::failure(format!("Error deleting auth method {n:?}: {e}")))?;
            output::println(&format!("Auth-method {n:?} deleted successfully"));
            return Ok(ExitCode::SUCCESS);
        }
        "list" => {
            let all = block_on(acl.list_values(Kind::AuthMethod, &q)).map_err(|e| {
                CliError::failure(format!("Failed to retrieve the auth method list: {e}"))
            })?;
            match fmt {
                Format::Json => output::println(&format::json(&all)),
                Format::Pretty => {
                    let text: String = all
                        .into_iter()
                        .filter_map(|v| serde_json::from_value::<AclAuthMethod>(v).ok())
                        .map(|m| method_text(&m, true))
                        .collect();
                    output::write_raw(text.as_bytes());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        other => unreachable!("unknown auth-method subcommand {other}"),
    };
    match fmt {
        Format::Json => output::println(&format::json(&method)),
        Format::Pretty => output::write_raw(method_text(&method, false).as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}

fn rule_settings(m: &ArgMatches, into: &mut AclBindingRule) {
    for (flag, field) in [
        ("method", &mut into.auth_method),
        ("description", &mut into.description),
        ("selector", &mut into.selector),
        ("bind-type", &mut into.bind_type),
        ("bind-name", &mut into.bind_name),
    ] {
        if let Some(v) = given(m, flag) {
            *field = v;
        }
    }
}

pub fn exec_rule(m: &ArgMatches) -> CmdResult {
    let (name, m) = m
        .subcommand()
        .expect("clap requires a binding-rule subcommand");
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let acl = client.acl();
    let (w, q) = (WriteOptions::default(), QueryOptions::default());
    let id = || {
        get_str(m, "id")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CliError::failure("Must specify the -id parameter"))
    };
    let rule: AclBindingRule = match name {
        "create" => {
            let mut rule = AclBindingRule::default();
            rule_settings(m, &mut rule);
            block_on(acl.write(Kind::BindingRule, None, &rule, &w))
                .map_err(|e| CliError::failure(format!("Failed to create new binding rule: {e}")))?
        }
        "read" => block_on(acl.read(Kind::BindingRule, &id()?, false, &q))
            .map_err(|e| CliError::failure(format!("Error reading binding rule: {e}")))?,
        "update" => {
            let id = id()?;
            let mut rule: AclBindingRule = block_on(acl.read(Kind::BindingRule, &id, false, &q))
                .map_err(|e| {
                    CliError::failure(format!("Error reading binding rule {id:?}: {e}"))
                })?;
            rule_settings(m, &mut rule);
            block_on(acl.write(Kind::BindingRule, Some(&id), &rule, &w)).map_err(|e| {
                CliError::failure(format!("Error updating binding rule {id:?}: {e}"))
            })?
        }
        "delete" => {
            let id = id()?;
            block_on(acl.delete(Kind::BindingRule, &id, &w)).map_err(|e| {
                CliError::failure(format!("Error deleting binding rule {id:?}: {e}"))
            })?;
            output::println(&format!("Binding rule {id:?} deleted successfully"));
            return Ok(ExitCode::SUCCESS);
        }
        "list" => {
            let method = get_str(m, "method").unwrap_or_default();
            let all: Vec<AclBindingRule> = block_on(acl.list_values(Kind::BindingRule, &q))
                .map_err(|e| {
                    CliError::failure(format!("Failed to retrieve the binding rule list: {e}"))
                })?
                .into_iter()
                .filter_map(|v| serde_json::from_value::<AclBindingRule>(v).ok())
                .filter(|r| method.is_empty() || r.auth_method == method)
                .collect();
            match fmt {
                Format::Json => output::println(&format::json(&all)),
                Format::Pretty => {
                    let text: Vec<String> = all.iter().map(rule_text).collect();
                    output::write_raw(text.join("\n").as_bytes());
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        other => unreachable!("unknown binding-rule subcommand {other}"),
    };
    match fmt {
        Format::Json => output::println(&format::json(&rule)),
        Format::Pretty => output::write_raw(rule_text(&rule).as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}
