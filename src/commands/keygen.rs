//! `sd keygen`: a new gossip encryption key, 32 bytes from the operating system's random
//! source, base64-encoded, for `-encrypt` and `sd keyring -install`. Works without an agent.

use std::process::ExitCode;

use clap::{ArgMatches, Command};
use ring::rand::{SecureRandom, SystemRandom};

use crate::api::keyring::encode_gossip_key;
use crate::cli::output;
use crate::commands::{no_arguments, stray_args, CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("keygen")
        .about("Generates a new encryption key")
        .long_about(
            "Generates a new gossip encryption key: 32 random bytes, base64-encoded. Give the \
             same key to every agent of a cluster (-encrypt, or encrypt in a config file), or \
             roll it in with `sd keyring -install`.",
        )
        .arg(stray_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    no_arguments(m)?;
    let mut key = [0u8; 32];
    SystemRandom::new().fill(&mut key).map_err(|_| {
        CliError::failure("Error reading random data: the system's random source failed")
    })?;
    output::println(&encode_gossip_key(&key));
    Ok(ExitCode::SUCCESS)
}
