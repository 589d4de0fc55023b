//! `sd maint [-enable|-disable] [-reason TEXT] [-service ID]`: puts the agent's node, or one of
//! its services, in maintenance mode (a critical check that takes it out of DNS and healthy
//! lists) or out of it; without -enable or -disable, lists what is in maintenance. Consul's
//! flags, messages and output.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, Client, ClientError};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{flag, get_flag, get_str, opt};

/// The check a node's maintenance registers, and the prefix of a service's.
const NODE_CHECK: &str = "_node_maintenance";
const SERVICE_CHECK_PREFIX: &str = "_service_maintenance:";

pub fn cli() -> Command {
    Command::new("maint")
        .about("Control node or service maintenance mode")
        .long_about(
            "Places the agent's node, or one of its services (-service), in maintenance mode: a \
             critical health check takes it out of DNS answers and healthy lists until maintenance \
             is disabled. The reason given appears in the check's notes. Maintenance survives a \
             restart of the agent. Without -enable or -disable, shows what is in maintenance \
             (nothing when nothing is).",
        )
        .arg(flag("enable", "Enable maintenance mode."))
        .arg(flag("disable", "Disable maintenance mode."))
        .arg(opt(
            "reason",
            "TEXT",
            "Text describing the maintenance reason.",
        ))
        .arg(opt(
            "service",
            "ID",
            "Control maintenance mode for a specific service ID.",
        ))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let (enable, disable) = (get_flag(m, "enable"), get_flag(m, "disable"));
    let reason = get_str(m, "reason").unwrap_or_default();
    let service = get_str(m, "service").unwrap_or_default();
    if enable && disable {
        return Err(CliError::failure(
            "Only one of -enable or -disable may be provided",
        ));
    }
    if !enable && !reason.is_empty() {
        return Err(CliError::failure(
            "Reason may only be provided with -enable",
        ));
    }
    if !enable && !disable && !service.is_empty() {
        return Err(CliError::failure(
            "Service requires either -enable or -disable",
        ));
    }
    let client = crate::commands::connect(m)?;
    let done = match (enable, service.is_empty()) {
        _ if !enable && !disable => return list(&client),
        (true, true) => block_on(client.agent().node_maintenance(true, reason))
            .map(|()| "Node maintenance is now enabled".to_string())
            .map_err(|e| failed("enabling node", e)),
        (true, false) => block_on(client.agent().service_maintenance(service, true, reason))
            .map(|()| format!("Service maintenance is now enabled for {service:?}"))
            .map_err(|e| failed("enabling service", e)),
        (false, true) => block_on(client.agent().node_maintenance(false, ""))
            .map(|()| "Node maintenance is now disabled".to_string())
            .map_err(|e| failed("disabling node", e)),
        (false, false) => block_on(client.agent().service_maintenance(service, false, ""))
            .map(|()| format!("Service maintenance is now disabled for {service:?}"))
            .map_err(|e| failed("disabling service", e)),
    }?;
    output::println(&done);
    Ok(ExitCode::SUCCESS)
}

fn failed(what: &str, e: ClientError) -> CliError {
    CliError::failure(format!("Error {what} maintenance: {e}"))
}

/// What is in maintenance, in Consul's layout.
fn list(client: &Client) -> CmdResult {
    let (me, checks) = block_on(async {
        let me = client.agent().self_info().await?;
        let checks = client.agent().checks().await?;
        Ok::<_, ClientError>((me, checks))
    })
    .map_err(|e| CliError::failure(format!("Error getting checks: {e}")))?;
    let mut out = String::new();
    for check in checks.values() {
        if check.check_id == NODE_CHECK {
            out.push_str(&format!(
                "Node:\n  Name:   {}\n  Reason: {}\n\n",
                me.config.node_name, check.notes
            ));
        } else if check.check_id.starts_with(SERVICE_CHECK_PREFIX) {
            out.push_str(&format!(
                "Service:\n  ID:     {}\n  Reason: {}\n\n",
                check.service_id, check.notes
            ));
        }
    }
    output::write_raw(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}
