//! `sd event [options] [payload]`: fires a user event to every agent of the datacenter (or
//! those the `-node`, `-service` and `-tag` regular expressions pick), with `consul event`'s
//! flags and messages.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::api::event::UserEvent;
use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_all, get_str, opt};

pub fn cli() -> Command {
    Command::new("event")
        .about("Fire a new event")
        .long_about(
            "Dispatches a custom user event across the datacenter. An event has a name and \
             an optional payload; agents keep the last 256 events they received, listed by \
             /v1/event/list and watched by `sd watch -type event`.",
        )
        .arg(opt("name", "NAME", "Name of the event. Required."))
        .arg(opt(
            "node",
            "REGEXP",
            "Regular expression to filter on node names.",
        ))
        .arg(opt(
            "service",
            "REGEXP",
            "Regular expression to filter on service instances.",
        ))
        .arg(opt(
            "tag",
            "REGEXP",
            "Regular expression to filter on service tags; must be used with -service.",
        ))
        .arg(
            Arg::new("args")
                .value_name("PAYLOAD")
                .num_args(0..)
                .action(ArgAction::Append),
        )
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let name = get_str(m, "name").unwrap_or_default();
    if name.is_empty() {
        return Err(CliError::failure("Event name must be specified"));
    }
    let filter = |flag: &str| get_str(m, flag).unwrap_or_default().to_string();
    let (node, service, tag) = (filter("node"), filter("service"), filter("tag"));
    for (what, re) in [("node", &node), ("service", &service), ("tag", &tag)] {
        if let Err(e) = crate::api::regexp::compile(re) {
            return Err(CliError::failure(format!(
                "Failed to compile {what} filter regexp: {e}"
            )));
        }
    }
    if !tag.is_empty() && service.is_empty() {
        return Err(CliError::failure(
            "Cannot provide tag filter without service filter.",
        ));
    }
    let payload = match get_all(m, "args").as_slice() {
        [] => None,
        [p] => Some(p.as_bytes().to_vec()),
        _ => return Err(CliError::failure("Too many command line arguments.")),
    };
    let client = crate::commands::connect(m)?;
    block_on(client.agent().self_info())
        .map_err(|e| CliError::failure(format!("Error querying Consul agent: {e}")))?;
    let event = UserEvent {
        name: name.to_string(),
        payload,
        node_filter: node,
        service_filter: service,
        tag_filter: tag,
        ..Default::default()
    };
    let id = block_on(client.event().fire(&event, &WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("Error firing event: {e}")))?;
    output::println(&format!("Event ID: {id}"));
    Ok(ExitCode::SUCCESS)
}
