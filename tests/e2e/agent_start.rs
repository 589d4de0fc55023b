//! End-to-end: starting agents — the seed's command line, data-dir refusals, clean shutdown.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::{http_get, run_sd, stderr, AgentBuilder};

#[test]
fn seed_server_command_runs_verbatim_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("consul-data");
    std::fs::create_dir(&data).unwrap(); // the seed runs `mkdir -p /var/lib/consul-data` first
    let mut a = AgentBuilder::dev_free()
        .arg("-server")
        .arg("-bootstrap")
        .arg("-ui")
        .arg(format!("-data-dir={}", data.display()))
        .arg("-bind=127.0.0.1")
        .arg("-node=consul-server01")
        .start();
    let (status, body) = common::http("PUT", &format!("{}/v1/kv/seed", a.url()), b"kept").unwrap();
    assert_eq!((status, body.as_str()), (200, "true"));
    let (_, members) = http_get(&format!("{}/v1/agent/members", a.url())).unwrap();
    assert!(
        members.contains("\"Name\":\"consul-server01\""),
        "{members}"
    );
    let status = a.terminate(Duration::from_secs(20)).unwrap();
    assert!(
        status.success(),
        "clean shutdown on SIGTERM: {status:?}\n{}",
        a.log()
    );
    assert!(
        std::fs::read_to_string(data.join("node-id")).is_ok(),
        "node-id persisted"
    );

    let again = AgentBuilder::server(&data).start();
    let (status, body) = http_get(&format!("{}/v1/kv/seed?raw", again.url())).unwrap();
    assert_eq!(
        (status, body.as_str()),
        (200, "kept"),
        "data survives a restart\n{}",
        again.log()
    );
}

#[test]
fn node_id_is_stable_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let id_of = |a: &common::Agent| {
        let (_, body) = http_get(&format!("{}/v1/agent/self", a.url())).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["Config"]["NodeID"].as_str().unwrap().to_string()
    };
    let mut a = AgentBuilder::server(dir.path()).start();
    let first = id_of(&a);
    a.kill9();
    let b = AgentBuilder::server(dir.path()).start();
    assert_eq!(id_of(&b), first);
}

#[test]
fn second_agent_on_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = AgentBuilder::server(dir.path()).start();
    let mut second = AgentBuilder::server(dir.path()).spawn();
    let (status, log) = second.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(log.contains("in use by another sd agent"), "{log}");
    assert!(log.contains("choose another -data-dir"), "{log}");
}

#[test]
fn foreign_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("raft")).unwrap();
    std::fs::write(dir.path().join("raft/raft.db"), b"consul's boltdb").unwrap();
    std::fs::write(dir.path().join("node-id"), b"not ours").unwrap();
    let mut a = AgentBuilder::server(dir.path()).spawn();
    let (status, log) = a.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(log.contains("holds files sd did not write"), "{log}");
    assert!(
        std::fs::read(dir.path().join("raft/raft.db")).unwrap() == b"consul's boltdb",
        "foreign files untouched"
    );
}

#[test]
fn unwritable_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ro");
    std::fs::create_dir(&data).unwrap();
    // Root ignores permission bits, so make the directory immutable instead.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let locked = if root {
        Command::new("chattr").arg("+i").arg(&data).status()
    } else {
        Command::new("chmod").arg("0555").arg(&data).status()
    };
    assert!(
        locked.map(|s| s.success()).unwrap_or(false),
        "cannot make {data:?} unwritable (chattr from e2fsprogs needed as root)"
    );
    let mut a = AgentBuilder::server(&data).spawn();
    let (status, log) = a.wait_exit(Duration::from_secs(20));
    if root {
        let _ = Command::new("chattr").arg("-i").arg(&data).status();
    }
    assert!(!status.success());
    assert!(log.contains("is not writable"), "{log}");
}

#[test]
fn data_dir_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let mut a = AgentBuilder::server(&file).spawn();
    let (status, log) = a.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(log.contains("is not a directory"), "{log}");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = run_sd(&["agent", "-no-such-flag"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn server_runs_on_its_own_loopback_address_with_default_ports() {
    let dir = tempfile::tempdir().unwrap();
    let ip = common::loopback_host(common::loopback_block(), 1);
    let a = AgentBuilder::server(dir.path()).at(ip).start();
    assert_eq!(a.http.port(), 8500);
    let (_, leader) = http_get(&format!("{}/v1/status/leader", a.url())).unwrap();
    assert_eq!(leader, format!("\"{ip}:8300\""));
}

/// Issue 13, defect 4: a client that starts an agent, waits until `/v1/status/leader` names a
/// leader and reads the catalog finds the agent's node with `serfHealth` and the `consul`
/// service, as with Consul (the leader reconciles as it establishes leadership, and is not
/// announced before).
#[test]
fn once_a_leader_is_announced_the_catalog_holds_the_servers_node_and_consul_service() {
    for _ in 0..3 {
        let agent = AgentBuilder::dev().start(); // returns as soon as the leader is announced
        let (status, services) = http_get(&format!("{}/v1/catalog/services", agent.url())).unwrap();
        assert_eq!(status, 200);
        let services: serde_json::Value = serde_json::from_str(&services).unwrap();
        assert!(services.get("consul").is_some(), "{services}");
        let (_, self_info) = http_get(&format!("{}/v1/agent/self", agent.url())).unwrap();
        let node = serde_json::from_str::<serde_json::Value>(&self_info).unwrap()["Config"]
            ["NodeName"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, checks) = http_get(&format!("{}/v1/health/node/{node}", agent.url())).unwrap();
        assert!(checks.contains("\"serfHealth\""), "{checks}");
    }
}

/// Issue 13, defect 1: `sd agent -dev -bootstrap-expect 1`, as client test suites start Consul,
/// runs (with Consul's warning) instead of being refused.
#[test]
fn dev_with_bootstrap_expect_one_starts_with_consuls_warning() {
    let agent = AgentBuilder::dev()
        .arg("-bootstrap-expect")
        .arg("1")
        .start();
    let (status, leader) = http_get(&format!("{}/v1/status/leader", agent.url())).unwrap();
    assert_eq!(status, 200);
    assert_ne!(leader, "\"\"");
    assert!(
        agent
            .log()
            .contains("BootstrapExpect is set to 1; this is the same as Bootstrap mode."),
        "{}",
        agent.log()
    );
}
