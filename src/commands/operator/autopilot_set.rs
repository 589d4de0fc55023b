//! `sd operator autopilot set-config [-cleanup-dead-servers=BOOL] [-max-trailing-logs=N]
//! [-min-quorum=N] [-last-contact-threshold=DUR] [-server-stabilization-time=DUR] ...`: reads
//! autopilot's settings, changes those given, and writes them back with check-and-set, so two
//! operators cannot overwrite each other. Consul's messages and exit codes.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::api::parse_duration;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, opt, parse_go_bool};

pub fn cli() -> Command {
    Command::new("set-config")
        .about("Modify the current Autopilot configuration")
        .long_about(
            "Changes the autopilot settings given as flags and leaves the others as they are. \
             The write is a check-and-set against the settings just read: if another change got \
             there first, nothing is written and the command fails (run it again).",
        )
        .arg(
            Arg::new("cleanup-dead-servers")
                .long("cleanup-dead-servers")
                .value_name("true|false")
                .help("Remove dead servers automatically when new ones are added.")
                .value_parser(parse_go_bool)
                .action(ArgAction::Set),
        )
        .arg(opt(
            "max-trailing-logs",
            "N",
            "Log entries a server may trail the leader by before it is unhealthy.",
        ))
        .arg(opt(
            "min-quorum",
            "N",
            "Servers the cluster must have before autopilot removes dead ones.",
        ))
        .arg(opt(
            "last-contact-threshold",
            "DURATION",
            "Longest time a server may go without contact from the leader and stay healthy \
             (e.g. 200ms).",
        ))
        .arg(opt(
            "server-stabilization-time",
            "DURATION",
            "How long a server must be healthy before it counts as stable (e.g. 10s).",
        ))
        .arg(opt(
            "redundancy-zone-tag",
            "NAME",
            "(Enterprise) Node meta key that groups servers into redundancy zones; stored only.",
        ))
        .arg(
            Arg::new("disable-upgrade-migration")
                .long("disable-upgrade-migration")
                .value_name("true|false")
                .help("(Enterprise) Skip upgrade migrations; stored only.")
                .value_parser(parse_go_bool)
                .action(ArgAction::Set),
        )
        .arg(opt(
            "upgrade-version-tag",
            "NAME",
            "(Enterprise) Node meta key holding the version for upgrade migrations; stored only.",
        ))
        .arg(crate::commands::stray_args())
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    crate::commands::no_arguments(m)?;
    let number = |name: &str| -> Result<Option<u64>, CliError> {
        get_str(m, name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    CliError::failure(format!(
                        "Failed to parse args: invalid value {v:?} for flag -{name}: parse error"
                    ))
                })
            })
            .transpose()
    };
    let duration = |name: &str| -> Result<Option<Duration>, CliError> {
        get_str(m, name)
            .map(|v| {
                parse_duration(v).map_err(|e| {
                    CliError::failure(format!(
                        "Failed to parse args: invalid value {v:?} for flag -{name}: {e}"
                    ))
                })
            })
            .transpose()
    };
    let max_trailing_logs = number("max-trailing-logs")?;
    let min_quorum = number("min-quorum")?;
    let last_contact = duration("last-contact-threshold")?;
    let stabilization = duration("server-stabilization-time")?;
    let client = crate::commands::connect_as(m, "Error initializing client")?;
    let operator = client.operator();
    let mut config = block_on(operator.autopilot_get_configuration(&QueryOptions::default()))
        .map_err(|e| CliError::failure(format!("Error querying Autopilot configuration: {e}")))?;
    if let Some(v) = m.get_one::<bool>("cleanup-dead-servers") {
        config.cleanup_dead_servers = *v;
    }
    if let Some(v) = m.get_one::<bool>("disable-upgrade-migration") {
        config.disable_upgrade_migration = *v;
    }
    if let Some(v) = get_str(m, "redundancy-zone-tag") {
        config.redundancy_zone_tag = v.to_string();
    }
    if let Some(v) = get_str(m, "upgrade-version-tag") {
        config.upgrade_version_tag = v.to_string();
    }
    if let Some(v) = max_trailing_logs {
        config.max_trailing_logs = v;
    }
    if let Some(v) = min_quorum {
        config.min_quorum = u32::try_from(v).map_err(|_| {
            CliError::failure(format!(
                "Failed to parse args: -min-quorum {v} is too large"
            ))
        })?;
    }
    if let Some(v) = last_contact {
        config.last_contact_threshold = v;
    }
    if let Some(v) = stabilization {
        config.server_stabilization_time = v;
    }
    let written = block_on(operator.autopilot_cas_configuration(&config, &WriteOptions::default()))
        .map_err(|e| CliError::failure(format!("Error setting Autopilot configuration: {e}")))?;
    if written {
        output::println("Configuration updated!");
        return Ok(ExitCode::SUCCESS);
    }
    output::println("Configuration could not be atomically updated, please try again");
    Ok(ExitCode::FAILURE)
}
