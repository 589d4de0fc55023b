//! End-to-end: `sd members`, `sd operator raft list-peers|remove-peer`, `sd info` and
//! `sd version` against a real `sd agent -dev` (version also without one).

use crate::common;

use common::{free_port, ok, run_sd, run_sd_env, stderr, stdout, AgentBuilder};

/// Splits a columnized line on runs of two or more spaces.
fn columns(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn members_lists_the_dev_server() {
    let a = AgentBuilder::dev().arg("-node=cli-e2e").start();
    let out = ok(&a.cli(&["members"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        columns(lines[0]),
        [
            "Node",
            "Address",
            "Status",
            "Type",
            "Build",
            "Protocol",
            "DC",
            "Partition",
            "Segment"
        ]
    );
    let row = columns(lines[1]);
    assert_eq!(row[0], "cli-e2e");
    assert!(row[1].starts_with("127.0.0.1:"), "{out}");
    assert_eq!(row[2..4], ["alive", "server"]);
    assert_eq!(row[4], env!("CARGO_PKG_VERSION"));
    assert_eq!(row[6..], ["dc1", "default", "<all>"]);
    // Columns line up: every field starts where its header does.
    let at = |line: &str, field: &str| line.find(field).unwrap();
    assert_eq!(at(lines[0], "Status"), at(lines[1], "alive"));

    let detailed = ok(&a.cli(&["members", "-detailed"]));
    let row = detailed.lines().nth(1).unwrap_or_default();
    assert!(detailed.starts_with("Node "), "{detailed}");
    assert!(row.contains("role=consul"), "{detailed}");
    assert!(
        row.contains("ap=default") && row.contains("segment=<all>"),
        "{detailed}"
    );

    assert_eq!(ok(&a.cli(&["members", "-status=alive"])), out);
    let none = a.cli(&["members", "-status=failed"]);
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
    assert_eq!(stdout(&none), "");
    let bad = a.cli(&["members", "-status=("]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("Failed to compile status regexp: "));
}

#[test]
fn raft_list_peers_and_remove_peer_checks() {
    let a = AgentBuilder::dev().arg("-node=raft-e2e").start();
    let out = ok(&a.cli(&["operator", "raft", "list-peers"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        columns(lines[0]),
        [
            "Node",
            "ID",
            "Address",
            "State",
            "Voter",
            "RaftProtocol",
            "Commit Index",
            "Trails Leader By"
        ]
    );
    let row = columns(lines[1]);
    assert_eq!(row[0], "raft-e2e");
    assert_eq!(row[3..6], ["leader", "true", "3"]);
    assert!(row[6].parse::<u64>().is_ok(), "{out}");
    assert_eq!(row[7], "-");
    assert_eq!(
        ok(&a.cli(&["operator", "raft", "list-peers", "-stale"]))
            .lines()
            .count(),
        2
    );

    let neither = a.cli(&["operator", "raft", "remove-peer"]);
    assert_eq!(neither.status.code(), Some(1));
    assert_eq!(
        stderr(&neither),
        "Error removing peer: an address or id is required for the peer to remove\n"
    );
    let both = a.cli(&[
        "operator",
        "raft",
        "remove-peer",
        "-id=x",
        "-address=1.2.3.4:8300",
    ]);
    assert_eq!(
        stderr(&both),
        "Error removing peer: cannot give both an address and id\n"
    );
    let unknown = a.cli(&["operator", "raft", "remove-peer", "-address=10.9.9.9:8300"]);
    assert_eq!(unknown.status.code(), Some(1), "{}", stdout(&unknown));
    assert!(
        stderr(&unknown).starts_with("Error removing peer: Unexpected response code: "),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn info_prints_sorted_stats() {
    let a = AgentBuilder::dev().start();
    let out = ok(&a.cli(&["info"]));
    let sections: Vec<&str> = out.lines().filter(|l| !l.starts_with('\t')).collect();
    let mut sorted = sections.clone();
    sorted.sort();
    assert_eq!(sections, sorted, "{out}");
    for s in [
        "agent:",
        "build:",
        "consul:",
        "raft:",
        "runtime:",
        "serf_lan:",
    ] {
        assert!(sections.contains(&s), "{s} missing in {out}");
    }
    assert!(out.contains("\tleader = true\n"), "{out}");
    assert!(out.contains("\tserver = true\n"), "{out}");
    for line in out.lines().filter(|l| l.starts_with('\t')) {
        assert!(line.contains(" = "), "{line}");
    }
}

#[test]
fn unreachable_agent_and_version_without_one() {
    let dead = format!("127.0.0.1:{}", free_port());
    let env = [("CONSUL_HTTP_ADDR", dead.as_str())];
    let members = run_sd_env(&["members"], &env, None);
    assert_eq!(members.status.code(), Some(1));
    assert_eq!(
        stderr(&members),
        format!(
            "Error retrieving members: Get \"http://{dead}/v1/agent/members\": \
             dial tcp {dead}: connect: connection refused\n"
        )
    );
    let peers = run_sd_env(&["operator", "raft", "list-peers"], &env, None);
    assert!(stderr(&peers)
        .starts_with("Error getting peers: Failed to retrieve raft configuration: Get \""));
    let info = run_sd_env(&["info"], &env, None);
    assert!(stderr(&info).starts_with("Error querying agent: Get \""));

    let version = run_sd(&["version"]);
    let text = ok(&version);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("sd v{}", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert!(text.contains(
        "Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use \
         protocol >2 when speaking to compatible agents)\n"
    ));
    let json = ok(&run_sd(&["version", "-format=json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["Version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["RPC"]["Max"], 3);
}
