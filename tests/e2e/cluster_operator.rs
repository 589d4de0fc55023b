//! End-to-end: operating a real three-server cluster. `sd operator raft transfer-leader`
//! (to a named server and to any), `sd operator raft remove-peer`, autopilot removing a dead
//! server, and outage recovery with
//! `<data-dir>/raft/peers.json` after quorum is lost for good.

use crate::common;

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cluster::{eventually, leader, peers, put};
use common::{http_get, loopback_block, loopback_host, ok, stderr, Agent, AgentBuilder};

struct Cluster {
    tmp: tempfile::TempDir,
    block: [u8; 3],
}

impl Cluster {
    fn new() -> Cluster {
        Cluster {
            tmp: tempfile::tempdir().unwrap(),
            block: loopback_block(),
        }
    }

    fn ip(&self, n: u8) -> Ipv4Addr {
        loopback_host(self.block, n)
    }

    fn dir(&self, n: u8) -> PathBuf {
        self.tmp.path().join(format!("s{n}"))
    }

    fn server(&self, n: u8) -> Agent {
        self.server_with(n, &[])
    }

    fn server_with(&self, n: u8, extra: &[String]) -> Agent {
        extra
            .iter()
            .fold(AgentBuilder::dev_free(), |b, a| b.arg(a.clone()))
            .arg("-server")
            .arg("-bootstrap-expect=3")
            .arg(format!("-data-dir={}", self.dir(n).display()))
            .arg(format!("-node=op-{n}"))
            .arg(format!("-retry-join={}", self.ip(1)))
            .arg("-retry-interval=200ms")
            .at(self.ip(n))
            .spawn()
    }

    fn three(&self) -> Vec<Agent> {
        self.three_with(&[])
    }

    fn three_with(&self, extra: &[String]) -> Vec<Agent> {
        let servers: Vec<Agent> = (1..=3).map(|n| self.server_with(n, extra)).collect();
        let refs: Vec<&Agent> = servers.iter().collect();
        for a in &servers {
            eventually("a leader and three voters", &refs, || {
                !leader(a).is_empty() && peers(a).len() == 3
            });
        }
        servers
    }
}

fn node_id(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("node-id"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn transfer_leader_and_remove_peer() {
    let c = Cluster::new();
    let servers = c.three();
    let refs: Vec<&Agent> = servers.iter().collect();
    let before = leader(&servers[0]);

    // To a named server.
    let target = (1..=3u8)
        .find(|n| format!("{}:8300", c.ip(*n)) != before)
        .unwrap();
    let id = node_id(&c.dir(target));
    let out = servers[0].cli(&["operator", "raft", "transfer-leader", &format!("-id={id}")]);
    assert_eq!(ok(&out).trim(), "Success");
    let want = format!("{}:8300", c.ip(target));
    for a in &servers {
        eventually("everyone follows the named server", &refs, || {
            leader(a) == want
        });
    }
    assert!(put(&servers[0], "after/transfer", "1"));

    // To whichever is most up to date.
    let out = servers[1].cli(&["operator", "raft", "transfer-leader"]);
    assert_eq!(ok(&out).trim(), "Success");
    eventually("a different leader", &refs, || {
        let l = leader(&servers[2]);
        !l.is_empty() && l != want
    });

    // An unknown ID is an error that names it.
    let out = servers[0].cli(&[
        "operator",
        "raft",
        "transfer-leader",
        "-id=00000000-0000-0000-0000-000000000000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Error transfering leadership"),
        "{}",
        stderr(&out)
    );

    // remove-peer of a follower by address: the configuration shrinks to two voters.
    let current = leader(&servers[0]);
    let follower = (1..=3u8)
        .map(|n| format!("{}:8300", c.ip(n)))
        .find(|a| *a != current)
        .unwrap();
    let out = servers[0].cli(&[
        "operator",
        "raft",
        "remove-peer",
        &format!("-address={follower}"),
    ]);
    assert_eq!(
        ok(&out).trim(),
        format!("Removed peer with address {follower:?}")
    );
    let listed = ok(&servers[0].cli(&["operator", "raft", "list-peers"]));
    assert!(!listed.contains(&follower), "{listed}");
}

/// Two of three servers are lost for good: the survivor cannot elect a leader alone until the
/// operator writes peers.json naming only it; then it leads with all its data.
#[test]
fn peers_json_recovers_a_lone_survivor() {
    let c = Cluster::new();
    let mut servers = c.three();
    for i in 0..20 {
        let key = format!("keep/{i}");
        assert!(put(&servers[i % 3], &key, &key));
    }
    // The survivor must hold every write before the other two are lost: a write acknowledged
    // by the other two alone would be lost with them (peers.json recovers what the survivor
    // has), and under load a follower can lag the acknowledgement by a moment.
    eventually("server 1 holds every write", &[&servers[0]], || {
        (0..20).all(|i| {
            let url = format!("{}/v1/kv/keep/{i}?stale&raw", servers[0].url());
            matches!(http_get(&url), Ok((200, _)))
        })
    });
    for s in &mut servers {
        s.kill9();
    }
    drop(servers);

    // Alone, the survivor has no quorum: no leader.
    let survivor = c.server(1);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        leader(&survivor),
        "",
        "a lone server of three must not lead"
    );
    let mut survivor = survivor;
    survivor.kill9();

    let id = node_id(&c.dir(1));
    let peers_json = c.dir(1).join("raft").join("peers.json");
    std::fs::write(
        &peers_json,
        format!(
            r#"[{{"id": "{id}", "address": "{}:8300", "non_voter": false}}]"#,
            c.ip(1)
        ),
    )
    .unwrap();
    let survivor = c.server(1);
    eventually("the survivor leads", &[&survivor], || {
        leader(&survivor) == format!("{}:8300", c.ip(1))
    });
    assert_eq!(peers(&survivor), [format!("{}:8300", c.ip(1))]);
    for i in 0..20 {
        let (status, body) = http_get(&format!("{}/v1/kv/keep/{i}?raw", survivor.url())).unwrap();
        assert_eq!(
            (status, body),
            (200, format!("keep/{i}")),
            "{}",
            survivor.log()
        );
    }
    assert!(put(&survivor, "after/recovery", "1"));
    assert!(!peers_json.exists(), "peers.json is deleted once used");

    // A malformed peers.json stops the start with a message naming the file.
    let mut survivor = survivor;
    survivor.kill9();
    std::fs::write(&peers_json, "[{\"id\": \"nope\"}]").unwrap();
    let mut bad = c.server(1);
    let (status, log) = bad.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(log.contains("peers.json"), "{log}");
}

/// Autopilot's dead-server cleanup: a server failed for longer than three times
/// `server_stabilization_time` leaves the Raft configuration; the other two keep a quorum.
#[test]
fn dead_servers_are_cleaned_up() {
    let c = Cluster::new();
    let config = c.tmp.path().join("autopilot.hcl");
    std::fs::write(
        &config,
        "autopilot {\n  server_stabilization_time = \"1s\"\n}\n",
    )
    .unwrap();
    let mut servers = c.three_with(&[format!("-config-file={}", config.display())]);
    let current = leader(&servers[0]);
    let victim = (0..3)
        .find(|i| format!("{}:8300", c.ip(*i as u8 + 1)) != current)
        .unwrap();
    servers[victim].kill9();
    let alive: Vec<&Agent> = servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != victim)
        .map(|(_, a)| a)
        .collect();
    eventually("the dead server is removed from Raft", &alive, || {
        peers(alive[0]).len() == 2 && peers(alive[1]).len() == 2
    });
    assert!(put(alive[0], "after/cleanup", "1"));
}
