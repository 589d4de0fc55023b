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

/// Every top-level command, in help order.
/// Builds one subcommand's argument table.
type Cli = fn() -> Command;

/// Every subcommand's name and argument table, in help order.
const CLIS: &[(&str, Cli)] = &[
    ("agent", agent::cli),
    ("catalog", catalog::cli),
    ("info", info::cli),
    ("join", join::cli),
    ("kv", kv::cli),
    ("leave", leave::cli),
    ("force-leave", force_leave::cli),
    ("members", members::cli),
    ("operator", operator::cli),
    ("register-docker", register_docker::cli),
    ("reload", reload::cli),
    ("services", services::cli),
    ("template", template::cli),
    ("validate", validate::cli),
    ("version", version::cli),
    ("generate", generate::cli),
];

pub fn all() -> Vec<Command> {
    CLIS.iter().map(|(_, cli)| cli()).collect()
}

/// The argument table of subcommand `name` alone, if there is one.
pub fn one(name: &str) -> Option<Command> {
    CLIS.iter().find(|(n, _)| *n == name).map(|(_, cli)| cli())
}

/// Runs the subcommand chosen in `matches`.
pub fn dispatch(matches: &ArgMatches) -> ExitCode {
    let result = match matches.subcommand() {
        Some(("agent", m)) => agent::exec(m),
        Some(("catalog", m)) => catalog::exec(m),
        Some(("info", m)) => info::exec(m),
        Some(("join", m)) => join::exec(m),
        Some(("leave", m)) => leave::exec(m),
        Some(("force-leave", m)) => force_leave::exec(m),
        Some(("kv", m)) => kv::exec(m),
        Some(("members", m)) => members::exec(m),
        Some(("operator", m)) => operator::exec(m),
        Some(("register-docker", m)) => register_docker::exec(m),
        Some(("reload", m)) => reload::exec(m),
        Some(("services", m)) => services::exec(m),
        Some(("template", m)) => template::exec(m),
        Some(("validate", m)) => validate::exec(m),
        Some(("version", m)) => version::exec(m),
        Some(("generate", m)) => generate::exec(m),
        Some((name, _)) => Err(anyhow::anyhow!("command {name:?} is not implemented")),
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
        for (name, cli) in CLIS {
            assert_eq!(cli().get_name(), *name);
            assert_eq!(
                one(name).map(|c| c.get_name().to_string()).as_deref(),
                Some(*name)
            );
        }
        assert!(one("nope").is_none());
    }
}
