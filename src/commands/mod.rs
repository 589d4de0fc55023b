//! One module per command, each exposing `cli() -> clap::Command` and `exec(&ArgMatches) -> CmdResult`.
//! Client commands reach an agent only through `client`.

pub mod agent;
pub mod catalog;
pub mod force_leave;
pub mod generate;
pub mod info;
pub mod join;
pub mod kv;
pub mod leave;
pub mod members;
pub mod operator;
pub mod register_docker;
pub mod reload;
pub mod services;
pub mod template;
pub mod validate;
pub mod version;

use std::process::ExitCode;

use clap::{ArgMatches, Command};

/// What a command returns: its exit code, or an error that is printed as `Error: ...` with exit 1.
pub type CmdResult = anyhow::Result<ExitCode>;

/// The API client for a command's HTTP flags and environment. When it cannot be built, prints
/// `<context>: <reason>` to stderr and returns the exit code the command should end with.
pub fn connect(m: &ArgMatches, context: &str) -> Result<crate::client::Client, ExitCode> {
    crate::cli::http_flags::client_settings(m)
        .map_err(crate::client::ClientError::from)
        .and_then(crate::client::Client::new)
        .map_err(|e| crate::cli::output::fail(&format!("{context}: {e}")))
}

/// A command that takes no arguments and asks the agent for one action (`leave`, `reload`):
/// prints `done` on success, `<failed>: <reason>` and exit 1 otherwise.
pub fn agent_action<F, Fut>(m: &ArgMatches, action: F, done: &str, failed: &str) -> CmdResult
where
    F: FnOnce(crate::client::Client) -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::client::ClientError>>,
{
    if !crate::cli::args::get_all(m, "args").is_empty() {
        return Ok(crate::cli::output::fail("This command takes no arguments"));
    }
    let client = match connect(m, "Error connecting to Consul agent") {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    match crate::client::block_on(action(client)) {
        Ok(()) => {
            crate::cli::output::println(done);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(crate::cli::output::fail(&format!("{failed}: {e}"))),
    }
}

/// Builds one subcommand's argument table.
type Cli = fn() -> Command;
/// Runs one subcommand.
type Exec = fn(&ArgMatches) -> CmdResult;

/// Every subcommand: its name, argument table and runner, in help order.
const COMMANDS: &[(&str, Cli, Exec)] = &[
    ("agent", agent::cli, agent::exec),
    ("catalog", catalog::cli, catalog::exec),
    ("info", info::cli, info::exec),
    ("join", join::cli, join::exec),
    ("kv", kv::cli, kv::exec),
    ("leave", leave::cli, leave::exec),
    ("force-leave", force_leave::cli, force_leave::exec),
    ("members", members::cli, members::exec),
    ("operator", operator::cli, operator::exec),
    (
        "register-docker",
        register_docker::cli,
        register_docker::exec,
    ),
    ("reload", reload::cli, reload::exec),
    ("services", services::cli, services::exec),
    ("template", template::cli, template::exec),
    ("validate", validate::cli, validate::exec),
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
            None => Err(anyhow::anyhow!("command {name:?} is not implemented")),
        },
        None => Ok(ExitCode::from(2)),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            crate::cli::output::eprintln(&format!("Error: {err:#}"));
            ExitCode::FAILURE
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
