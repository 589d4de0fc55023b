//! Anti-entropy's cost in Raft writes: the writes of one sync pass are submitted together and
//! share one Raft entry, however many services and checks changed (issue 13, defect 5: one
//! anti-entropy sync is one Raft write).

use crate::common;

use std::time::{Duration, Instant};

use common::{http_get, AgentBuilder};
use serde_json::Value;

fn last_index(a: &common::Agent) -> u64 {
    a.counter("consul_raft_last_index") as u64
}

/// The service names the catalog has for the agent's node.
fn catalog_services(a: &common::Agent) -> Vec<String> {
    let (_, body) = http_get(&format!("{}/v1/catalog/services", a.url())).unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn one_sync_pass_is_one_raft_entry() {
    let dir = tempfile::tempdir().unwrap();
    let a = AgentBuilder::dev()
        .arg(format!("-config-dir={}", dir.path().display()))
        .start();
    a.wait_leader(Duration::from_secs(10));
    // Idle: the leader's own writes (the node, serfHealth, the consul service) are done.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut before = last_index(&a);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = last_index(&a);
        if now == before && catalog_services(&a) == ["consul"] {
            break;
        }
        assert!(Instant::now() < deadline, "the agent never went idle");
        before = now;
    }
    // Four services with a check each and a node check arrive at once with a reload.
    let mut hcl = String::new();
    for name in ["alpha", "beta", "gamma", "delta"] {
        hcl.push_str(&format!(
            "service {{\n  name = \"{name}\"\n  port = 80\n  check {{\n    ttl = \"1h\"\n  }}\n}}\n"
        ));
    }
    hcl.push_str("check {\n  id = \"disk\"\n  name = \"disk\"\n  ttl = \"1h\"\n}\n");
    std::fs::write(dir.path().join("services.hcl"), hcl).unwrap();
    let out = a.cli(&["reload"]);
    assert_eq!(common::ok(&out).trim(), "Configuration reload triggered");
    let deadline = Instant::now() + Duration::from_secs(10);
    while catalog_services(&a).len() < 5 {
        assert!(
            Instant::now() < deadline,
            "the services never reached the catalog"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        last_index(&a),
        before + 1,
        "five registrations of one pass must take one Raft entry"
    );
}
