//! `sd watch -type=TYPE [options] [child...]`: follows a view of the cluster and runs the
//! child with its JSON on stdin each time it changes, with `consul watch`'s flags; without a
//! child it prints the view once, indented, and exits.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{json, Map, Value};

use crate::cli::{http_flags, output};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_str, opt};
use crate::watch::{Handler, Params, Plan};

pub fn cli() -> Command {
    Command::new("watch")
        .about("Watch for changes in the cluster")
        .long_about(
            "Watches a view of the cluster for changes. With a child command, runs it with \
             the latest view as JSON on stdin (and CONSUL_INDEX set) each time the view \
             changes; without one, prints the view once and exits.",
        )
        .arg(opt(
            "type",
            "TYPE",
            "The watch type: key, keyprefix, services, nodes, service, checks or event.",
        ))
        .arg(opt("key", "KEY", "The key to watch. Only for 'key' type."))
        .arg(opt(
            "prefix",
            "PREFIX",
            "The key prefix to watch. Only for 'keyprefix' type.",
        ))
        .arg(opt(
            "service",
            "NAME",
            "The service to watch. Required for 'service' type, optional for 'checks' type.",
        ))
        .arg(opt(
            "tag",
            "TAG",
            "The service tag to filter on. Optional for 'service' type.",
        ))
        .arg(opt(
            "passingonly",
            "BOOL",
            "Only instances passing all checks. Optional for 'service' type. Default false.",
        ))
        .arg(opt(
            "state",
            "STATE",
            "The check state to watch. Optional for 'checks' type.",
        ))
        .arg(opt(
            "name",
            "NAME",
            "The event name to watch. Only for 'event' type.",
        ))
        .arg(crate::goflag::flag(
            "shell",
            "Run the child with a shell ($SHELL, else /bin/sh). Default true.",
        ))
        .arg(
            Arg::new("args")
                .value_name("CHILD")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let Some(kind) = get_str(m, "type").filter(|t| !t.is_empty()) else {
        return Err(CliError::failure("Watch type must be specified"));
    };
    let mut raw = Map::new();
    raw.insert("type".into(), json!(kind));
    for flag in ["key", "prefix", "service", "tag", "state", "name"] {
        if let Some(v) = get_str(m, flag).filter(|v| !v.is_empty()) {
            raw.insert(flag.into(), json!(v));
        }
    }
    if let Some(v) = get_str(m, "passingonly").filter(|v| !v.is_empty()) {
        let b = crate::goflag::parse_go_bool(v)
            .map_err(|e| CliError::failure(format!("Failed to parse passingonly flag: {e}")))?;
        raw.insert("passingonly".into(), json!(b));
    }
    if http_flags::stale(m) {
        raw.insert("stale".into(), json!(true));
    }
    let params =
        Params::parse(&Value::Object(raw)).map_err(|e| CliError::failure(e.to_string()))?;
    let child = get_all(m, "args");
    let shell = m.get_one::<bool>("shell").copied().unwrap_or(true);
    let client = crate::commands::connect(m)?;
    // One runtime for every call: the client's pooled connections belong to it.
    let rt = crate::commands::runtime()?;
    rt.block_on(client.agent().self_info())
        .map_err(|e| CliError::failure(format!("Error querying Consul agent: {e}")))?;
    let mut plan = Plan::new(params, client);
    let log_error = |e: &str, retry: std::time::Duration| {
        output::eprintln(&format!(
            "Error querying Consul agent: {e} (retrying in {})",
            crate::api::format_duration(retry)
        ));
    };
    if child.is_empty() {
        let (_, view) = rt.block_on(plan.next(log_error));
        output::println(&view.pretty);
        return Ok(ExitCode::SUCCESS);
    }
    let handler = if shell {
        Handler::Command {
            argv: vec![child.join(" ")],
            shell: true,
        }
    } else {
        Handler::Command {
            argv: child,
            shell: false,
        }
    };
    let result: Result<(), String> = rt.block_on(async {
        let run = async {
            loop {
                let (index, view) = plan.next(log_error).await;
                handler.run(index, &view).await?;
            }
        };
        tokio::select! {
            r = run => r,
            () = crate::commands::stop_signal() => Ok(()),
        }
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(CliError::failure(e)),
    }
}
