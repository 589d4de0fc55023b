//! `sd operator autopilot state [-format=pretty|json]`: the leader's view of every server
//! (health, role, last contact, log position), in Consul's layout.

use std::fmt::Write;
use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::autopilot::{AutopilotServer, AutopilotState};
use crate::api::format_duration;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, opt};

pub fn cli() -> Command {
    Command::new("state")
        .about("Display the current Autopilot state")
        .long_about(
            "Prints the leader's judgement of the servers: whether the cluster is healthy, how \
             many servers could fail without losing quorum, the leader and voters, and for each \
             server its role, gossip status, health, last contact and last log entry.",
        )
        .arg(opt(
            "format",
            "pretty|json",
            "Output format: pretty (default) or json.",
        ))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let format = get_str(m, "format").unwrap_or("pretty");
    if format != "pretty" && format != "json" {
        return Err(CliError::failure(format!(
            "Error: Unknown format: {format}"
        )));
    }
    let client = crate::commands::connect_as(m, "Error initializing client")?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let state = block_on(client.operator().autopilot_state(&q))
        .map_err(|e| CliError::failure(format!("Error querying Autopilot state: {e}")))?;
    let text = match format {
        "json" => output::indented_json(&state, 4) + "\n",
        _ => pretty(&state),
    };
    output::write_raw(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// Consul's pretty layout: the summary, the voters, then each server by ID.
pub fn pretty(s: &AutopilotState) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Healthy:                      {}", s.healthy);
    let _ = writeln!(out, "Failure Tolerance:            {}", s.failure_tolerance);
    let _ = writeln!(
        out,
        "Optimistic Failure Tolerance: {}",
        s.optimistic_failure_tolerance
    );
    let _ = writeln!(out, "Leader:                       {}", s.leader);
    out.push_str("Voters:\n");
    for v in &s.voters {
        let _ = writeln!(out, "   {v}");
    }
    out.push_str("Servers:\n");
    for server in s.servers.values() {
        server_lines(&mut out, server);
    }
    out
}

fn server_lines(out: &mut String, s: &AutopilotServer) {
    let contact = s
        .last_contact
        .map_or_else(|| "-1ns".to_string(), format_duration);
    let _ = writeln!(out, "   {}", s.id);
    let rows = [
        ("Name", s.name.clone()),
        ("Address", s.address.clone()),
        ("Version", s.version.clone()),
        ("Status", s.status.clone()),
        ("Node Type", s.node_type.clone()),
        ("Node Status", s.node_status.clone()),
        ("Healthy", s.healthy.to_string()),
        ("Last Contact", contact),
        ("Last Term", s.last_term.to_string()),
        ("Last Index", s.last_index.to_string()),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "      {:<17}{v}", format!("{k}:"));
    }
    if !s.meta.is_empty() {
        out.push_str("      Meta\n");
        for (k, v) in &s.meta {
            let _ = writeln!(out, "         {k:?}: {v:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_matches_consuls_layout() {
        let mut s = AutopilotState {
            healthy: true,
            failure_tolerance: 1,
            leader: "id-1".into(),
            voters: vec!["id-1".into()],
            ..Default::default()
        };
        s.servers.insert(
            "id-1".into(),
            AutopilotServer {
                id: "id-1".into(),
                name: "node1".into(),
                address: "198.18.0.1:8300".into(),
                node_status: "alive".into(),
                version: "1.9.0".into(),
                last_contact: Some(std::time::Duration::ZERO),
                last_term: 3,
                last_index: 42,
                healthy: true,
                status: "leader".into(),
                node_type: "voter".into(),
                meta: [("foo".to_string(), "bar".to_string())].into(),
                ..Default::default()
            },
        );
        assert_eq!(
            pretty(&s),
            "Healthy:                      true\n\
             Failure Tolerance:            1\n\
             Optimistic Failure Tolerance: 0\n\
             Leader:                       id-1\n\
             Voters:\n   id-1\n\
             Servers:\n   id-1\n\
             \x20     Name:            node1\n\
             \x20     Address:         198.18.0.1:8300\n\
             \x20     Version:         1.9.0\n\
             \x20     Status:          leader\n\
             \x20     Node Type:       voter\n\
             \x20     Node Status:     alive\n\
             \x20     Healthy:         true\n\
             \x20     Last Contact:    0s\n\
             \x20     Last Term:       3\n\
             \x20     Last Index:      42\n\
             \x20     Meta\n\
             \x20        \"foo\": \"bar\"\n"
        );
    }
}
