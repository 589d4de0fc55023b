//! `sd acl bootstrap` (the first management token, printed) and `sd acl set-agent-token TYPE
//! TOKEN` (one of the agent's own tokens, changed without a restart).

use std::process::ExitCode;

use clap::{Arg, ArgMatches, Command};

use super::format::{self, Format};
use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::get_str;

pub fn cli() -> Command {
    super::leaf("bootstrap", "Bootstrap Consul's ACL system").long_about(
        "Makes the first management token and prints it, secret included: keep it safe. \
         Works once; afterwards the agent answers with the reset index to write to \
         <data_dir>/acl-bootstrap-reset on the leader to allow one more bootstrap.",
    )
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let fmt = Format::parse(get_str(m, "format"))?;
    let client = crate::commands::connect(m)?;
    let token = block_on(client.acl().bootstrap(&WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("Failed ACL bootstrapping: {e}")))?;
    match fmt {
        Format::Json => output::println(&format::json(&token)),
        Format::Pretty => output::write_raw(format::token(&token).as_bytes()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The agent token types `/v1/agent/token/` takes.
const TYPES: &[&str] = &[
    "default",
    "agent",
    "recovery",
    "agent_recovery",
    "agent_master",
    "replication",
    "dns",
    "config_file_service_registration",
];

pub fn set_agent_token_cli() -> Command {
    Command::new("set-agent-token")
        .about("Assign tokens for the Consul agent's usage")
        .long_about(
            "Changes one of the agent's own tokens while it runs: default (requests without \
             a token), agent (the agent's own catalog sync), recovery, replication, dns or \
             config_file_service_registration. With acl.enable_token_persistence the agent \
             keeps it across restarts.",
        )
        .arg(Arg::new("TYPE").required(true).help("Which token: default, agent, recovery, replication, dns or config_file_service_registration."))
        .arg(Arg::new("TOKEN").required(true).help("The token's secret."))
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn set_agent_token(m: &ArgMatches) -> CmdResult {
    let kind = m
        .get_one::<String>("TYPE")
        .map(String::as_str)
        .unwrap_or_default();
    let token = m
        .get_one::<String>("TOKEN")
        .map(String::as_str)
        .unwrap_or_default();
    if !TYPES.contains(&kind) {
        return Err(CliError::failure(format!(
            "Unknown token type {kind:?}: use one of {}",
            TYPES.join(", ")
        )));
    }
    let client = crate::commands::connect(m)?;
    block_on(
        client
            .acl()
            .set_agent_token(kind, token, &WriteOptions::default()),
    )
    .map_err(|e| CliError::failure(format!("Failed setting token: {e}")))?;
    output::println("ACL token successfully set");
    Ok(ExitCode::SUCCESS)
}
