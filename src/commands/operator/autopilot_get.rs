//! `sd operator autopilot get-config`: autopilot's settings, one `Name = value` per line as
//! Consul prints them.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::autopilot::AutopilotConfiguration;
use crate::api::format_duration;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("get-config")
        .about("Display the current Autopilot configuration")
        .long_about(
            "Prints autopilot's settings as the servers hold them in Raft: dead-server cleanup, \
             the health thresholds (last contact, trailing logs), the minimum quorum and the \
             stabilization time. The Enterprise-only fields are shown as stored.",
        )
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let client = crate::commands::connect_as(m, "Error initializing client")?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    let config = block_on(client.operator().autopilot_get_configuration(&q))
        .map_err(|e| CliError::failure(format!("Error querying Autopilot configuration: {e}")))?;
    output::write_raw(render(&config).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// Consul's layout: booleans and numbers bare, durations in Go's form, tags quoted.
pub fn render(c: &AutopilotConfiguration) -> String {
    format!(
        "CleanupDeadServers = {}\nLastContactThreshold = {}\nMaxTrailingLogs = {}\n\
         MinQuorum = {}\nServerStabilizationTime = {}\nRedundancyZoneTag = {:?}\n\
         DisableUpgradeMigration = {}\nUpgradeVersionTag = {:?}\n",
        c.cleanup_dead_servers,
        format_duration(c.last_contact_threshold),
        c.max_trailing_logs,
        c.min_quorum,
        format_duration(c.server_stabilization_time),
        c.redundancy_zone_tag,
        c.disable_upgrade_migration,
        c.upgrade_version_tag,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_consuls_lines() {
        let text = super::render(&Default::default());
        assert_eq!(
            text,
            "CleanupDeadServers = true\nLastContactThreshold = 200ms\nMaxTrailingLogs = 250\n\
             MinQuorum = 0\nServerStabilizationTime = 10s\nRedundancyZoneTag = \"\"\n\
             DisableUpgradeMigration = false\nUpgradeVersionTag = \"\"\n"
        );
    }
}
