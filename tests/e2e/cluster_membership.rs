//! End-to-end: gossip membership from the command line on a server and client agents, each on
//! its own loopback address with Consul's default ports. A duplicate node name is refused
//! naming both addresses; a killed client turns `failed` and its service critical through
//! serfHealth, `sd force-leave` makes it `left` and
//! `-prune` forgets it; a client stopped with SIGTERM leaves gracefully; `sd info` works on a
//! client agent. A lone server killed and restarted keeps its clients' nodes and services.
//! `-retry-max` gives up and exits; an agent that left rejoins at its next start only with
//! `-rejoin`.

use crate::common;

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use common::cluster::{eventually, status_of};
use common::{http_get, loopback_block, loopback_host, stderr, stdout, Agent, AgentBuilder};

fn client(ip: Ipv4Addr, dir: &Path, node: &str, join: Ipv4Addr) -> AgentBuilder {
    AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", dir.display()))
        .arg(format!("-node={node}"))
        .arg(format!("-retry-join={join}"))
        .at(ip)
}

#[test]
fn names_are_unique_and_members_come_and_go() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = AgentBuilder::server(&tmp.path().join("s"))
        .arg("-node=member-server")
        .at(ip(1))
        .start();
    let mut c1 = client(ip(2), &tmp.path().join("c1"), "member-client", ip(1)).start();
    eventually("the client is alive", &[&server, &c1], || {
        status_of(&server, "member-client") == Some(1)
    });

    // `sd info` on a client agent: no Raft section, but the agent and gossip sections.
    let out = c1.cli(&["info"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info = stdout(&out);
    assert!(
        info.contains("serf_lan:") && info.contains("server = false"),
        "{info}"
    );

    // A second agent under the same name is refused, with both addresses in the message.
    let dup = AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", tmp.path().join("dup").display()))
        .arg("-node=member-client")
        .at(ip(3))
        .spawn();
    eventually("the duplicate's HTTP API answers", &[&dup], || {
        http_get(&format!("{}/v1/agent/self", dup.url())).is_ok()
    });
    let out = dup.cli(&["join", &ip(1).to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&ip(2).to_string()) && err.contains(&ip(3).to_string()),
        "{err}"
    );
    drop(dup);

    // A service on the client reaches the catalog through anti-entropy (via the server).
    let (status, body) = common::http(
        "PUT",
        &format!("{}/v1/agent/service/register", c1.url()),
        br#"{"Name": "client-svc", "Port": 7000, "Check": {"TTL": "1h", "Status": "passing"}}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let passing = |a: &common::Agent| {
        http_get(&format!("{}/v1/health/service/client-svc?passing", a.url()))
            .ok()
            .and_then(|(_, b)| serde_json::from_str::<Vec<serde_json::Value>>(&b).ok())
            .map_or(0, |v| v.len())
    };
    eventually(
        "the client's service passes in the catalog",
        &[&server, &c1],
        || passing(&server) == 1,
    );

    // kill -9: failed, and the dead agent's service is critical through serfHealth, never
    // silently passing; force-leave: left; force-leave -prune: gone.
    c1.kill9();
    eventually("the killed client is failed", &[&server], || {
        status_of(&server, "member-client") == Some(4)
    });
    eventually("its service left ?passing", &[&server], || {
        passing(&server) == 0
    });
    let out = server.cli(&["force-leave", "member-client"]);
    assert!(out.status.success(), "{}", stderr(&out));
    eventually("force-leave makes it left", &[&server], || {
        status_of(&server, "member-client") == Some(3)
    });
    let out = server.cli(&["force-leave", "-prune", "member-client"]);
    assert!(out.status.success(), "{}", stderr(&out));
    eventually("-prune forgets it", &[&server], || {
        status_of(&server, "member-client").is_none()
    });

    // A client stopped with SIGTERM leaves gracefully (leave_on_terminate is on for clients).
    let mut c2 = client(ip(4), &tmp.path().join("c2"), "member-client2", ip(1)).start();
    eventually("the second client is alive", &[&server, &c2], || {
        status_of(&server, "member-client2") == Some(1)
    });
    let status = c2.terminate(Duration::from_secs(20)).unwrap();
    assert!(status.success(), "{}", c2.log());
    eventually("the stopped client is left", &[&server], || {
        status_of(&server, "member-client2") == Some(3)
    });
}

/// A lone server killed and restarted with its data dir keeps its client agents' nodes and
/// services: it does not drop the nodes it has not heard from over gossip yet (they rejoin a
/// moment later), so the entries are the same ones, not re-created.
#[test]
fn a_restarted_server_keeps_its_clients_services() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = || {
        AgentBuilder::server(&tmp.path().join("s"))
            .arg("-node=restart-server")
            .at(ip(1))
    };
    let mut s = server().start();
    let c = client(ip(2), &tmp.path().join("c"), "restart-client", ip(1)).start();
    c.put_ok(
        "/v1/agent/service/register",
        r#"{"Name": "web", "Port": 80}"#,
    );
    let node = |a: &Agent| -> Option<serde_json::Value> {
        let url = format!("{}/v1/catalog/node/restart-client?stale", a.url());
        let (status, body) = http_get(&url).ok()?;
        (status == 200).then(|| serde_json::from_str(&body).ok())?
    };
    let created = |n: &serde_json::Value| n["Node"]["CreateIndex"].as_u64();
    eventually("the client's service is in the catalog", &[&s, &c], || {
        node(&s).is_some_and(|n| n["Services"]["web"].is_object())
    });
    let before = node(&s).and_then(|n| created(&n));

    s.kill9();
    let s = server().start();
    eventually("the client is alive again", &[&s, &c], || {
        status_of(&s, "restart-client") == Some(1)
    });
    // What must not happen can only be waited for: past the leader's next reconcile passes
    // (every 2 s), the node and its service are still the original entries.
    std::thread::sleep(Duration::from_secs(3));
    let after = node(&s).expect("the client's node after the restart");
    assert!(after["Services"]["web"].is_object(), "{after}");
    assert_eq!(created(&after), before, "{after}");
}

/// `-retry-max`: an agent whose `-retry-join` addresses never answer gives up after that many
/// attempts and exits non-zero, saying what to check.
#[test]
fn retry_join_gives_up_after_retry_max() {
    let block = loopback_block();
    let tmp = tempfile::tempdir().unwrap();
    let mut a = client(
        loopback_host(block, 1),
        tmp.path(),
        "lonely",
        loopback_host(block, 9),
    )
    .arg("-retry-max=2")
    .arg("-retry-interval=200ms")
    .spawn();
    let (status, log) = a.wait_exit(Duration::from_secs(30));
    assert!(!status.success(), "{log}");
    assert!(log.contains("join attempt 2 failed"), "{log}");
    assert!(
        log.contains("max join retry exhausted after 2 attempts"),
        "{log}"
    );
}

/// An agent that left gracefully does not rejoin on its own at the next start; with `-rejoin`
/// it does (Consul's `rejoin_after_leave`).
#[test]
fn a_left_agent_rejoins_only_with_rejoin() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = AgentBuilder::server(&tmp.path().join("s"))
        .arg("-node=rejoin-server")
        .at(ip(1))
        .start();
    let dir = tmp.path().join("c");
    let started = |extra: &[&str]| {
        let mut b = AgentBuilder::dev_free()
            .arg(format!("-data-dir={}", dir.display()))
            .arg("-node=rejoin-client")
            .at(ip(2));
        for x in extra {
            b = b.arg(*x);
        }
        b.spawn()
    };
    let mut c = started(&[&format!("-join={}", ip(1))]);
    eventually("the client is alive", &[&server, &c], || {
        status_of(&server, "rejoin-client") == Some(1)
    });
    let out = c.cli(&["leave"]);
    assert!(out.status.success(), "{}", stderr(&out));
    c.wait_exit(Duration::from_secs(20));
    eventually("the client is left", &[&server], || {
        status_of(&server, "rejoin-client") == Some(3)
    });

    // No -join, no -rejoin: it stays out (checked past several gossip rounds).
    let mut c = started(&[]);
    eventually("the restarted client's HTTP API answers", &[&c], || {
        http_get(&format!("{}/v1/agent/self", c.url())).is_ok()
    });
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(status_of(&server, "rejoin-client"), Some(3), "{}", c.log());
    c.kill9();

    let c = started(&["-rejoin"]);
    eventually("with -rejoin it is alive again", &[&server, &c], || {
        status_of(&server, "rejoin-client") == Some(1)
    });
}
