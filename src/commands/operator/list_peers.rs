//! `sd operator raft list-peers`: the Raft configuration from
//! `/v1/operator/raft/configuration` in Consul's columns, including how far each follower
//! trails the leader's last index.

use std::process::ExitCode;

use clap::{ArgMatches, Command};

use crate::api::RaftConfiguration;
use crate::cli::{http_flags, output};
use crate::client::{block_on, QueryOptions};
use crate::commands::{CliError, CmdResult};

pub fn cli() -> Command {
    Command::new("list-peers")
        .about("Show the servers in the Raft configuration")
        .long_about(
            "Prints one row per server in the Raft configuration: node name, ID, address, \
             leader or follower, whether it votes, Raft protocol version, last log index and \
             how many entries it is behind the leader.",
        )
        .args(http_flags::http_args())
        .args(http_flags::server_args())
}

pub fn exec(m: &ArgMatches) -> CmdResult {
    let client = crate::commands::connect_as(m, "Error initializing client")?;
    let q = QueryOptions {
        stale: http_flags::stale(m),
        ..Default::default()
    };
    match block_on(client.operator().raft_get_configuration(&q)) {
        Ok(config) => {
            output::write_raw(output::columnize(&rows(&config)).as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(CliError::failure(format!(
            "Error getting peers: Failed to retrieve raft configuration: {e}"
        ))),
    }
}

fn rows(config: &RaftConfiguration) -> Vec<Vec<String>> {
    let leader_index = config
        .servers
        .iter()
        .find(|s| s.leader)
        .map(|s| s.last_index)
        .unwrap_or(0);
    let header = [
        "Node",
        "ID",
        "Address",
        "State",
        "Voter",
        "RaftProtocol",
        "Commit Index",
        "Trails Leader By",
    ];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect()];
    for s in &config.servers {
        let protocol = if s.protocol_version.is_empty() {
            "<=1"
        } else {
            s.protocol_version.as_str()
        };
        let trails = match leader_index.saturating_sub(s.last_index) {
            _ if s.leader => "-".to_string(),
            1 => "1 commit".to_string(),
            n => format!("{n} commits"),
        };
        rows.push(vec![
            s.node.clone(),
            s.id.clone(),
            s.address.clone(),
            if s.leader { "leader" } else { "follower" }.into(),
            s.voter.to_string(),
            protocol.into(),
            s.last_index.to_string(),
            trails,
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RaftServer;

    fn server(node: &str, leader: bool, voter: bool, last_index: u64) -> RaftServer {
        RaftServer {
            id: format!("{node}-id"),
            node: node.into(),
            address: "172.17.0.2:8300".into(),
            leader,
            protocol_version: "3".into(),
            voter,
            last_index,
        }
    }

    #[test]
    fn table_like_consul() {
        let config = RaftConfiguration {
            servers: vec![
                server("server1", false, true, 91),
                server("server2", true, true, 91),
                server("server3", false, false, 90),
                server("server4", false, true, 80),
            ],
            index: 22,
        };
        assert_eq!(
            output::columnize(&rows(&config)),
            "Node     ID          Address          State     Voter  RaftProtocol  Commit Index  Trails Leader By\n\
             server1  server1-id  172.17.0.2:8300  follower  true   3             91            0 commits\n\
             server2  server2-id  172.17.0.2:8300  leader    true   3             91            -\n\
             server3  server3-id  172.17.0.2:8300  follower  false  3             90            1 commit\n\
             server4  server4-id  172.17.0.2:8300  follower  true   3             80            11 commits\n"
        );
    }

    #[test]
    fn old_protocol_shows_as_le_1() {
        let mut s = server("a", true, true, 1);
        s.protocol_version.clear();
        let config = RaftConfiguration {
            servers: vec![s],
            index: 1,
        };
        assert_eq!(rows(&config)[1][5], "<=1");
    }
}
