//! `sd operator raft remove-peer`: removes a server from the Raft configuration by `-address`
//! or `-id` (exactly one), with `consul operator raft remove-peer`'s messages.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, opt};

pub fn cli() -> Command {
    Command::new("remove-peer")
        .about("Drop a server from the Raft configuration")
        .long_about(
            "Removes one server, named by exactly one of -address and -id, from the Raft \
             configuration, so that it stops counting toward the quorum. Meant for servers that \
             are gone for good but were never removed.",
        )
        .arg(opt(
            "address",
            "IP:PORT",
            "Raft (server RPC) address of the server to remove.",
        ))
        .arg(opt("id", "ID", "Raft ID of the server to remove."))
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = crate::commands::connect_as(m, "Error initializing client")?;
    let address = get_str(m, "address").unwrap_or("");
    let id = get_str(m, "id").unwrap_or("");
    let target = match choose(address, id) {
        Ok(t) => t,
        Err(e) => return Err(CliError::failure(format!("Error removing peer: {e}"))),
    };
    let op = client.operator();
    let w = WriteOptions::default();
    let result = match target {
        Target::Address(a) => block_on(op.raft_remove_peer_by_address(a, &w)),
        Target::Id(i) => block_on(op.raft_remove_peer_by_id(i, &w)),
    };
    if let Err(e) = result {
        return Err(CliError::failure(format!("Error removing peer: {e}")));
    }
    output::println(&match target {
        Target::Address(a) => format!("Removed peer with address {a:?}"),
        Target::Id(i) => format!("Removed peer with id {i:?}"),
    });
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, PartialEq, Eq)]
enum Target<'a> {
    Address(&'a str),
    Id(&'a str),
}

fn choose<'a>(address: &'a str, id: &'a str) -> Result<Target<'a>, &'static str> {
    match (address.is_empty(), id.is_empty()) {
        (true, true) => Err("an address or id is required for the peer to remove"),
        (false, false) => Err("cannot give both an address and id"),
        (false, true) => Ok(Target::Address(address)),
        (true, false) => Ok(Target::Id(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_of_address_and_id() {
        assert_eq!(
            choose("", ""),
            Err("an address or id is required for the peer to remove")
        );
        assert_eq!(choose("a", "b"), Err("cannot give both an address and id"));
        assert_eq!(
            choose("1.2.3.4:8300", ""),
            Ok(Target::Address("1.2.3.4:8300"))
        );
        assert_eq!(choose("", "x"), Ok(Target::Id("x")));
    }
}
