//! End-to-end: the seed's topology with the real binary. Three servers and a client agent, each
//! on its own loopback address (127.X.Y.1-4) with Consul's default ports, started with the
//! seed's own flags: membership, list-peers, writes through the client, stale reads from each
//! server, leader kill -9 and failover, `failed` status, restart and catch-up, graceful leave;
//! a whole-cluster kill -9 and restart with `-bootstrap-expect`; misconfigurations.

use crate::common;

use std::time::Duration;

use common::cluster::{client_agent, first_server, joining_server};
use common::cluster::{
    eventually, leader, members, peers, put, stale_get, status_of, ALIVE, FAILED, LEFT,
};
use common::{http_get, loopback_block, loopback_host, ok, stderr, stdout, Agent, AgentBuilder};

/// How many entries a catalog list has (0 when unreachable).
fn catalog_len(a: &Agent, path: &str) -> usize {
    match http_get(&format!("{}{path}", a.url())) {
        Ok((200, body)) => serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .map(|v| v.len())
            .unwrap_or(0),
        _ => 0,
    }
}

/// The status of `node`'s serfHealth check in the catalog.
fn serf_health(a: &Agent, node: &str) -> Option<String> {
    let (status, body) = http_get(&format!("{}/v1/health/node/{node}", a.url())).ok()?;
    if status != 200 {
        return None;
    }
    let checks: Vec<serde_json::Value> = serde_json::from_str(&body).ok()?;
    checks
        .iter()
        .find(|c| c["CheckID"] == "serfHealth")
        .and_then(|c| c["Status"].as_str().map(str::to_string))
}

#[test]
fn seed_topology_three_servers_and_a_client() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let dir = |n: &str| tmp.path().join(n);
    let mut s1 = first_server(ip(1), &dir("s1"), "consul-server01").start();
    let s2 = joining_server(ip(2), &dir("s2"), "consul-server02", ip(1)).spawn();
    let s3 = joining_server(ip(3), &dir("s3"), "consul-server03", ip(1)).spawn();
    let c1 = client_agent(ip(4), &dir("c1"), "consul-client01", ip(1)).spawn();
    let all = [&s1, &s2, &s3, &c1];

    // Everyone sees everyone; the servers form one Raft group with one leader.
    for a in all {
        eventually("four alive members", &all, || {
            let m = members(a);
            m.len() == 4 && m.iter().all(|(_, s)| *s == ALIVE)
        });
    }
    eventually("three voters", &all, || peers(&s1).len() == 3);
    let first_leader = leader(&s1);
    assert_eq!(first_leader, format!("{}:8300", ip(1)));
    for a in all {
        eventually("the same leader and peers everywhere", &all, || {
            leader(a) == first_leader && peers(a).len() == 3
        });
    }

    // `sd members` on the client: Consul's columns, servers first.
    let out = ok(&c1.cli(&["members"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[0].starts_with("Node"), "{out}");
    for (line, name) in
        lines[1..4]
            .iter()
            .zip(["consul-server01", "consul-server02", "consul-server03"])
    {
        assert!(line.starts_with(name), "{out}");
        assert!(line.contains("alive") && line.contains("server"), "{out}");
    }
    assert!(lines[4].starts_with("consul-client01"), "{out}");
    assert!(
        lines[4].contains(&format!("{}:8301", ip(4))) && lines[4].contains("client"),
        "{out}"
    );

    // The leader put every member in the catalog with serfHealth; servers carry `consul`.
    eventually("three consul instances and four nodes", &all, || {
        catalog_len(&c1, "/v1/catalog/service/consul") == 3
            && catalog_len(&c1, "/v1/catalog/nodes") == 4
            && serf_health(&c1, "consul-client01").as_deref() == Some("passing")
    });

    // list-peers through the client: three servers, exactly one leader.
    let out = ok(&c1.cli(&["operator", "raft", "list-peers"]));
    assert_eq!(out.lines().count(), 4, "{out}");
    assert_eq!(out.matches("leader").count(), 1, "{out}");
    assert_eq!(out.matches("follower").count(), 2, "{out}");

    // Writes through the client (CLI and HTTP) and through a follower; stale reads everywhere.
    let out = c1.cli(&["kv", "put", "seed/web", "nginx"]);
    assert_eq!(ok(&out).trim(), "Success! Data written to: seed/web");
    assert!(put(&c1, "seed/client", "c"));
    assert!(put(&s2, "seed/follower", "f"));
    for a in [&s1, &s2, &s3] {
        for (k, v) in [
            ("seed/web", "nginx"),
            ("seed/client", "c"),
            ("seed/follower", "f"),
        ] {
            eventually("replicated to every server", &all, || {
                stale_get(a, k).as_deref() == Some(v)
            });
        }
    }
    assert_eq!(ok(&c1.cli(&["kv", "get", "seed/follower"])).trim(), "f");

    // kill -9 the leader: another server takes over, the others see it `failed`, writes through
    // the client resume.
    s1.kill9();
    let all = [&s1, &s2, &s3, &c1];
    eventually("a new leader", &all, || {
        let l = leader(&s2);
        !l.is_empty() && l != first_leader && leader(&s3) == l
    });
    for a in [&s2, &s3, &c1] {
        eventually("the killed leader is failed", &all, || {
            status_of(a, "consul-server01") == Some(FAILED)
        });
    }
    eventually("the killed server's serfHealth is critical", &all, || {
        serf_health(&c1, "consul-server01").as_deref() == Some("critical")
    });
    eventually("a write through the client after failover", &all, || {
        put(&c1, "seed/after-failover", "1")
    });

    // The killed server restarts with its data dir and no -join: it rejoins the members it knew
    // and catches up on what was written while it was down.
    s1 = AgentBuilder::dev_free()
        .arg("-server")
        .arg("-ui")
        .arg(format!("-data-dir={}", dir("s1").display()))
        .arg("-node=consul-server01")
        .at(ip(1))
        .spawn();
    let all = [&s1, &s2, &s3, &c1];
    eventually("the restarted server is alive again", &all, || {
        status_of(&s2, "consul-server01") == Some(ALIVE)
    });
    eventually("the restarted server caught up", &all, || {
        stale_get(&s1, "seed/after-failover").as_deref() == Some("1")
    });

    // Graceful leave: others see `left` and the server leaves the Raft group.
    let leaving_is_leader = leader(&s3) == format!("{}:8300", ip(2));
    let (leaver, stayer) = if leaving_is_leader {
        (&s3, &s2)
    } else {
        (&s2, &s3)
    };
    let leaver_name = if leaving_is_leader {
        "consul-server03"
    } else {
        "consul-server02"
    };
    ok(&leaver.cli(&["leave"]));
    eventually("the server is left", &all, || {
        status_of(stayer, leaver_name) == Some(LEFT) && status_of(&c1, leaver_name) == Some(LEFT)
    });
    eventually("two voters remain", &all, || peers(stayer).len() == 2);
    eventually("the node that left is out of the catalog", &all, || {
        catalog_len(stayer, "/v1/catalog/service/consul") == 2
            && serf_health(stayer, leaver_name).is_none()
    });
    eventually("writes still work", &all, || {
        put(&c1, "seed/after-leave", "1")
    });
    drop(s2);
}

/// Three servers with `-bootstrap-expect=3` find each other, take concurrent writes, are all
/// killed with SIGKILL, and come back with every acknowledged write and no manual step.
#[test]
fn whole_cluster_kill9_and_restart_keeps_acknowledged_writes() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = |n: u8| {
        AgentBuilder::dev_free()
            .arg("-server")
            .arg("-bootstrap-expect=3")
            .arg(format!(
                "-data-dir={}",
                tmp.path().join(format!("s{n}")).display()
            ))
            .arg(format!("-node=expect-{n}"))
            .arg(format!("-retry-join={}", ip(1)))
            .arg("-retry-interval=200ms")
            .at(ip(n))
    };
    let mut servers: Vec<Agent> = (1..=3).map(|n| server(n).spawn()).collect();
    {
        let refs: Vec<&Agent> = servers.iter().collect();
        for a in &servers {
            eventually("a leader elected by bootstrap-expect", &refs, || {
                !leader(a).is_empty() && peers(a).len() == 3
            });
        }
    }
    // Concurrent writers on every server; remember what was acknowledged.
    let acked: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = servers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                scope.spawn(move || {
                    (0..40)
                        .map(|j| format!("w/{i}/{j}"))
                        .filter(|k| put(a, k, k))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        acked.len() >= 100,
        "only {} of 120 writes acknowledged",
        acked.len()
    );
    for a in &mut servers {
        a.kill9();
    }
    let servers: Vec<Agent> = (1..=3).map(|n| server(n).spawn()).collect();
    let refs: Vec<&Agent> = servers.iter().collect();
    for a in &servers {
        eventually("a leader after the restart", &refs, || {
            !leader(a).is_empty()
        });
    }
    for k in &acked {
        let (status, body) = http_get(&format!("{}/v1/kv/{k}?raw", servers[0].url())).unwrap();
        assert_eq!(
            (status, body.as_str()),
            (200, k.as_str()),
            "acknowledged write {k} lost"
        );
    }
}

#[test]
fn misconfigurations_say_what_to_change() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let s1 = first_server(ip(1), &tmp.path().join("s1"), "mis-1").start();

    // Joining an address where nothing listens.
    let out = s1.cli(&["join", &ip(9).to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(&ip(9).to_string()), "{err}");

    // The same ports on the same address: the second agent names the port and what to change.
    let mut dup = first_server(ip(1), &tmp.path().join("dup"), "mis-dup").spawn();
    let (status, log) = dup.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(
        log.contains("8300") || log.contains("8301") || log.contains("8500"),
        "{log}"
    );
    assert!(
        log.contains("-server-port") || log.contains("-bind") || log.contains("-http-port"),
        "{log}"
    );

    // A datacenter mismatch is refused with both names.
    let other = AgentBuilder::dev_free()
        .arg("-server")
        .arg("-bootstrap")
        .arg("-datacenter=dc2")
        .arg(format!("-data-dir={}", tmp.path().join("dc2").display()))
        .arg("-node=mis-dc2")
        .at(ip(2))
        .start();
    let out = other.cli(&["join", &ip(1).to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("dc1") && err.contains("dc2"), "{err}");
    assert_eq!(
        members(&s1).len(),
        1,
        "the other datacenter's server must not join"
    );
}
