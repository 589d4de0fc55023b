//! `sd operator raft transfer-leader`: hands Raft leadership to another server (`-id`), or to
//! the most up-to-date one, with `consul operator raft transfer-leader`'s messages.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::{block_on, WriteOptions};
use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_str, opt};

pub fn cli() -> Command {
    Command::new("transfer-leader")
        .about("Hand Raft leadership to another server")
        .long_about(
            "Asks the leader to step down in favour of the server with the given -id, or of \
             the server whose log is most up to date when no -id is given. The new leader has \
             every committed entry; writes pause for the moment of the handover.",
        )
        .arg(opt("id", "ID", "Raft ID of the server to make the leader."))
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = crate::commands::connect_as(m, "Error initializing client")?;
    let id = get_str(m, "id");
    let result = block_on(
        client
            .operator()
            .raft_transfer_leader(id, &WriteOptions::default()),
    );
    match result {
        Ok(true) => {
            output::println("Success");
            Ok(ExitCode::SUCCESS)
        }
        Ok(false) => Err(CliError::failure(
            "Error transfering leadership: Failed to transfer leadership",
        )),
        Err(e) => Err(CliError::failure(format!(
            "Error transfering leadership: Failed to transfer leadership {e}"
        ))),
    }
}
