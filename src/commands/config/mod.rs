//! `sd config`: config entries (`read`, `list`, `write`, `delete`), as `consul config`.

pub mod delete;
pub mod list;
pub mod read;
pub mod write;

use clap::{ArgMatches, Command};

use crate::commands::{CliError, CmdResult};
use crate::goflag::{get_flag, get_str};

pub fn cli() -> Command {
    Command::new("config")
        .about("Interact with Consul's centralized configurations")
        .long_about(
            "Reads, lists, writes and deletes config entries: settings stored by the servers, \
             one per kind and name (service-defaults, proxy-defaults, service-resolver, ...). \
             sd stores and serves them for the tools that use them; the service mesh that acts \
             on most kinds is not part of sd.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands([delete::cli(), list::cli(), read::cli(), write::cli()])
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    match m.subcommand() {
        Some(("delete", m)) => delete::exec(m),
        Some(("list", m)) => list::exec(m),
        Some(("read", m)) => read::exec(m),
        Some(("write", m)) => write::exec(m),
        _ => unreachable!("clap requires a config subcommand"),
    }
}

/// `-kind`, which every subcommand but write requires, in Consul's words.
fn kind(m: &ArgMatches) -> Result<&str, CliError> {
    get_str(m, "kind")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| CliError::failure("Must specify the -kind parameter"))
}

/// `-name`, in Consul's words.
fn name(m: &ArgMatches) -> Result<&str, CliError> {
    get_str(m, "name")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| CliError::failure("Must specify the -name parameter"))
}

/// `-cas -modify-index=N`: the check-and-set index asked for, if any. `-modify-index` alone is
/// refused when `strict` (delete), ignored otherwise (write), as Consul's commands do.
fn cas(m: &ArgMatches, strict: bool) -> Result<Option<u64>, CliError> {
    match (get_flag(m, "cas"), get_str(m, "modify-index")) {
        (false, Some(_)) if strict => Err(CliError::failure(
            "Cannot specify -modify-index without -cas",
        )),
        (false, _) => Ok(None),
        (true, None) => Err(CliError::failure("Must specify a -modify-index with -cas")),
        (true, Some(i)) => i.parse::<u64>().map(Some).map_err(|_| {
            CliError::failure(format!("Failed to parse args: invalid -modify-index {i:?}"))
        }),
    }
}
