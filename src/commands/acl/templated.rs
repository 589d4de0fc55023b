//! `sd acl templated-policy list|read|preview`: the built-in policy templates, what each
//! grants, and the policy one gives with its `Name` variable.

use std::fmt::Write;
use std::process::ExitCode;

use clap::{ArgMatches, Command};
use serde_json::Value;

use super::format::{self, Format};
use crate::cli::output;
use crate::client::acl::Kind;
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_str, multi, opt};

pub fn cli() -> Command {
    let name = || {
        opt(
            "name",
            "NAME",
            "The templated policy's name, e.g. builtin/service.",
        )
    };
    Command::new("templated-policy")
        .about("Manage Consul's ACL templated policies")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(super::leaf("list", "List ACL templated policies"))
        .subcommand(super::leaf("read", "Read an ACL templated policy").arg(name()))
        .subcommand(
            super::leaf(
                "preview",
                "Preview the policy rendered by an ACL templated policy",
            )
            .arg(name())
            .arg(multi(
                "var",
                "name:VALUE",
                "A variable of the template (name:VALUE).",
            )),
        )
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let (sub, m) = m
        .subcommand()
        .expect("clap requires a templated-policy subcommand");
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let acl = client.acl();
    let q = QueryOptions::default();
    let name = || {
        get_str(m, "name")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CliError::failure("Missing required '-name' flag"))
    };
    let out = match sub {
        "list" => {
            let all = block_on(acl.templated_policies(&q)).map_err(|e| {
                CliError::failure(format!(
                    "Failed to retrieve the templated policies list: {e}"
                ))
            })?;
            match fmt {
                Format::Json => format::json(&all) + "\n",
                Format::Pretty => all.iter().fold(String::new(), |mut out, (n, t)| {
                    let _ = writeln!(out, "{n}:\n   Description: {}", text(t, "Description"));
                    out
                }),
            }
        }
        "read" => {
            let n = name()?;
            let t: Value =
                block_on(acl.read(Kind::TemplatedPolicy, &n, true, &q)).map_err(|e| {
                    CliError::failure(format!("Error retrieving templated policy {n:?}: {e}"))
                })?;
            match fmt {
                Format::Json => format::json(&t) + "\n",
                Format::Pretty => format!(
                    "Name:            {}\nDescription:     {}\nTemplate:\n{}\n",
                    text(&t, "TemplateName"),
                    text(&t, "Description"),
                    text(&t, "Template")
                ),
            }
        }
        "preview" => {
            let n = name()?;
            let var = get_all(m, "var")
                .into_iter()
                .find_map(|v| v.strip_prefix("name:").map(String::from))
                .unwrap_or_default();
            let policy = block_on(acl.preview_template(&n, &var, &WriteOptions::default()))
                .map_err(|e| {
                    CliError::failure(format!(
                        "Failed to generate the templated policy preview: {e}"
                    ))
                })?;
            match fmt {
                Format::Json => format::json(&policy) + "\n",
                Format::Pretty => format::policy(&policy),
            }
        }
        other => unreachable!("unknown templated-policy subcommand {other}"),
    };
    output::write_raw(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}
