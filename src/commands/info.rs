//! `sd info`: the `Stats` of `/v1/agent/self`, sections and keys sorted, printed the way
//! `consul info` prints them (`section:` then `\tkey = value`).

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::cli::{http_flags, output};
use crate::client::block_on;
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("info")
        .about("Print the agent's internal statistics, for debugging")
        .long_about(
            "Fetches the statistics the agent reports about itself (agent, Raft, runtime, ...) \
             and prints them grouped by section, sections and keys sorted by name.",
        )
        .args(http_flags::http_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = crate::commands::connect(m)?;
    match block_on(client.agent().self_info()) {
        Ok(agent) => {
            output::write_raw(render(&agent.stats).as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(CliError::failure(format!("Error querying agent: {e}"))),
    }
}

fn render(stats: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let mut out = String::new();
    for (section, values) in stats {
        out.push_str(section);
        out.push_str(":\n");
        for (key, value) in values {
            out.push_str(&format!("\t{key} = {value}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_keys_sorted() {
        let mut stats = BTreeMap::new();
        let raft: BTreeMap<String, String> = [("state", "Leader"), ("applied_index", "12")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        stats.insert("raft".to_string(), raft);
        stats.insert(
            "agent".to_string(),
            [("checks".to_string(), "0".to_string())].into(),
        );
        assert_eq!(
            render(&stats),
            "agent:\n\tchecks = 0\nraft:\n\tapplied_index = 12\n\tstate = Leader\n"
        );
    }
}
