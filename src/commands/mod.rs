//! One module per command, each exposing `cli() -> clap::Command` and `exec(&ArgMatches) -> CmdResult`.
//! Client commands reach an agent only through `client`.
//!
//! May import: `agent`, `api`, `cli`, `client`, `config`, `docker`, `goflag`, `process`,
//! `snapshot`, `template`, `watch`, `crate` (the root's `VERSION` and `command()`) (checked by
//! tests/architecture.rs).

pub mod acl;
pub mod agent;
pub mod catalog;
pub mod config;
pub mod event;
pub mod force_leave;
pub mod generate;
pub mod info;
pub mod join;
pub mod keygen;
pub mod keyring;
pub mod kv;
pub mod leave;
pub mod lock;
pub mod login;
pub mod maint;
pub mod members;
pub mod monitor;
pub mod operator;
pub mod register_docker;
pub mod reload;
pub mod rtt;
pub mod services;
pub mod snapshot;
pub mod template;
pub mod tls;
pub mod validate;
pub mod version;
pub mod watch;

mod error;

use std::process::ExitCode;

use clap::{ArgMatches, Command};

pub use error::{CliError, CmdResult};

/// The API client for a command's HTTP flags and environment; when it cannot be built, fails
/// with Consul's `Error connecting to Consul agent: <reason>`.
pub fn connect(m: &ArgMatches) -> Result<crate::client::Client, CliError> {
    connect_as(m, "Error connecting to Consul agent")
}

/// [`connect`] with another context (`operator raft` says `Error initializing client`).
pub fn connect_as(m: &ArgMatches, context: &str) -> Result<crate::client::Client, CliError> {
    crate::cli::http_flags::client_settings(m)
        .map_err(crate::client::ClientError::from)
        .and_then(crate::client::Client::new)
        .map_err(|e| CliError::failure(format!("{context}: {e}")))
}

/// A command that takes no arguments and asks the agent for one action (`leave`, `reload`):
/// prints `done` on success, `<failed>: <reason>` and exit 1 otherwise.
pub fn agent_action<F, Fut>(m: &ArgMatches, action: F, done: &str, failed: &str) -> CmdResult
where
    F: FnOnce(crate::client::Client) -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::client::ClientError>>,
{
    no_arguments(m)?;
    let client = connect(m)?;
    crate::client::block_on(action(client))
        .map_err(|e| CliError::failure(format!("{failed}: {e}")))?;
    crate::cli::output::println(done);
    Ok(ExitCode::SUCCESS)
}

/// The hidden catch-all of a command that takes no arguments, so that a stray one gets
/// Consul's message ([`no_arguments`]) rather than clap's.
pub(crate) fn stray_args() -> clap::Arg {
    clap::Arg::new("args")
        .num_args(0..)
        .action(clap::ArgAction::Append)
        .hide(true)
}

/// Refuses arguments caught by [`stray_args`] with Consul's message.
pub(crate) fn no_arguments(m: &ArgMatches) -> Result<(), CliError> {
    if crate::goflag::get_all(m, "args").is_empty() {
        Ok(())
    } else {
        Err(CliError::failure("This command takes no arguments"))
    }
}

/// A single-threaded async runtime for a command that runs its own loop (`lock`, `watch`).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure(format!("cannot start the async runtime: {e}")))
}

/// Resolves on SIGINT or SIGTERM: how long-running commands (`lock`, `watch`,
/// `register-docker`) learn they must stop.
pub(crate) async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}

/// Builds one subcommand's argument table.
type Cli = fn() -> Command;
/// Runs one subcommand.
type Exec = fn(&ArgMatches) -> CmdResult;

/// Every subcommand: its name, argument table and runner, in help order.
const COMMANDS: &[(&str, Cli, Exec)] = &[
    ("acl", acl::cli, acl::exec),
    ("agent", agent::cli, agent::exec),
    ("catalog", catalog::cli, catalog::exec),
    ("config", config::cli, config::exec),
    ("event", event::cli, event::exec),
    ("info", info::cli, info::exec),
    ("join", join::cli, join::exec),
    ("keygen", keygen::cli, keygen::exec),
    ("keyring", keyring::cli, keyring::exec),
    ("kv", kv::cli, kv::exec),
    ("leave", leave::cli, leave::exec),
    ("lock", lock::cli, lock::exec),
    ("login", login::cli, login::exec),
    ("logout", login::logout_cli, login::logout),
    ("maint", maint::cli, maint::exec),
    ("monitor", monitor::cli, monitor::exec),
    ("force-leave", force_leave::cli, force_leave::exec),
    ("members", members::cli, members::exec),
    ("operator", operator::cli, operator::exec),
    (
        "register-docker",
        register_docker::cli,
        register_docker::exec,
    ),
    ("reload", reload::cli, reload::exec),
    ("rtt", rtt::cli, rtt::exec),
    ("services", services::cli, services::exec),
    ("snapshot", snapshot::cli, snapshot::exec),
    ("template", template::cli, template::exec),
    ("tls", tls::cli, tls::exec),
    ("validate", validate::cli, validate::exec),
    ("watch", watch::cli, watch::exec),
    ("version", version::cli, version::exec),
    ("generate", generate::cli, generate::exec),
];

/// Every top-level command, in help order.
pub fn all() -> Vec<Command> {
    COMMANDS.iter().map(|(_, cli, _)| cli()).collect()
}

/// The argument table of subcommand `name` alone, if there is one.
pub fn one(name: &str) -> Option<Command> {
    COMMANDS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, cli, _)| cli())
}

/// Runs the subcommand chosen in `matches`.
pub fn dispatch(matches: &ArgMatches) -> ExitCode {
    let result = match matches.subcommand() {
        Some((name, m)) => match COMMANDS.iter().find(|(n, _, _)| *n == name) {
            Some((_, _, exec)) => exec(m),
            None => Err(CliError::failure(format!(
                "Error: command {name:?} is not implemented"
            ))),
        },
        None => Ok(ExitCode::from(2)),
    };
    match result {
        Ok(code) => code,
        Err(CliError { message, exit_code }) => {
            crate::cli::output::eprintln(&message);
            ExitCode::from(exit_code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_name_is_its_commands_name() {
        for (name, cli, _) in COMMANDS {
            assert_eq!(cli().get_name(), *name);
            assert_eq!(
                one(name).map(|c| c.get_name().to_string()).as_deref(),
                Some(*name)
            );
        }
        assert!(one("nope").is_none());
    }
}
