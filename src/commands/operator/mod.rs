//! `sd operator`: cluster-level operations (`operator raft ...`, `operator autopilot ...`,
//! `operator usage instances`).

pub mod autopilot_get;
pub mod autopilot_set;
pub mod autopilot_state;
pub mod list_peers;
pub mod remove_peer;
pub mod transfer_leader;
pub mod usage;

use clap::{ArgMatches, Command};

use crate::commands::CmdResult;

pub fn cli() -> Command {
    Command::new("operator")
        .about("Cluster administration commands")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("raft")
                .about("Inspect or change the set of Raft servers")
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands([
                    list_peers::cli(),
                    remove_peer::cli(),
                    transfer_leader::cli(),
                ]),
        )
        .subcommand(
            Command::new("autopilot")
                .about("Inspect or change autopilot's settings and see its state")
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands([
                    autopilot_get::cli(),
                    autopilot_set::cli(),
                    autopilot_state::cli(),
                ]),
        )
        .subcommand(usage::cli())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("raft", m)) => match m.subcommand() {
            Some(("list-peers", m)) => list_peers::exec(m),
            Some(("remove-peer", m)) => remove_peer::exec(m),
            Some(("transfer-leader", m)) => transfer_leader::exec(m),
            _ => unreachable!("clap requires a raft subcommand"),
        },
        Some(("autopilot", m)) => match m.subcommand() {
            Some(("get-config", m)) => autopilot_get::exec(m),
            Some(("set-config", m)) => autopilot_set::exec(m),
            Some(("state", m)) => autopilot_state::exec(m),
            _ => unreachable!("clap requires an autopilot subcommand"),
        },
        Some(("usage", m)) => usage::exec(m),
        _ => unreachable!("clap requires an operator subcommand"),
    }
}
