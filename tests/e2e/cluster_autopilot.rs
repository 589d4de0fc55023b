//! End-to-end: autopilot on the seed's cluster (three servers and a client agent). Its settings
//! start from the config file, live in Raft (changed from the client agent with check-and-set,
//! read back from any server), and drive dead-server cleanup; its health and state report
//! every server and answer 429 once a server is killed, as Consul's do.

use std::time::Duration;

use serde_json::Value;

use crate::common;
use common::cluster::{eventually, eventually_within, peers, Cluster};
use common::{fails, http, http_get, ok};

fn health(a: &common::Agent) -> (u16, Value) {
    let (status, body) = http_get(&format!("{}/v1/operator/autopilot/health", a.url())).unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[test]
fn autopilot_settings_health_and_cleanup() {
    let mut c = Cluster::start();
    let client = &c.client;
    let all: Vec<&common::Agent> = c.all();

    // Every server healthy: one may fail with quorum kept.
    eventually("a healthy cluster", &all, || {
        let (status, h) = health(client);
        status == 200 && h["FailureTolerance"] == 1 && h["Servers"].as_array().unwrap().len() == 3
    });
    let (_, h) = health(&c.servers[1]);
    for s in h["Servers"].as_array().unwrap() {
        assert_eq!(s["SerfStatus"], "alive", "{s}");
        assert_eq!(s["Healthy"], true, "{s}");
        assert!(s["StableSince"].as_str().unwrap().ends_with('Z'), "{s}");
    }
    let state = ok(&client.cli(&["operator", "autopilot", "state"]));
    assert!(
        state.starts_with("Healthy:                      true\nFailure Tolerance:            1\n"),
        "{state}"
    );
    for name in ["s1", "s2", "s3"] {
        assert!(
            state.contains(&format!("      Name:            {name}\n")),
            "{state}"
        );
    }
    let json: Value = serde_json::from_str(&ok(&client.cli(&[
        "operator",
        "autopilot",
        "state",
        "-format=json",
    ])))
    .unwrap();
    assert_eq!(json["Voters"].as_array().unwrap().len(), 3);

    // The config file's settings, written to Raft by the first leader.
    let defaults = ok(&client.cli(&["operator", "autopilot", "get-config"]));
    assert!(
        defaults.starts_with(
            "CleanupDeadServers = true\nLastContactThreshold = 200ms\nMaxTrailingLogs = 250\n"
        ),
        "{defaults}"
    );

    // Changed from the client agent, read back from another server (stale: its own copy).
    let out = ok(&client.cli(&[
        "operator",
        "autopilot",
        "set-config",
        "-server-stabilization-time=1s",
        "-max-trailing-logs=100",
    ]));
    assert_eq!(out, "Configuration updated!\n");
    eventually("the new settings replicated", &all, || {
        let got = ok(&c.servers[2].cli(&["operator", "autopilot", "get-config", "-stale"]));
        got.contains("MaxTrailingLogs = 100\n") && got.contains("ServerStabilizationTime = 1s\n")
    });
    // A check-and-set against an older index is refused.
    let url = format!("{}/v1/operator/autopilot/configuration", client.url());
    let (_, current) = http_get(&url).unwrap();
    let current: Value = serde_json::from_str(&current).unwrap();
    let stale = current["ModifyIndex"].as_u64().unwrap() - 1;
    let (status, body) = http("PUT", &format!("{url}?cas={stale}"), b"{\"MinQuorum\": 5}").unwrap();
    assert_eq!((status, body.trim()), (200, "false"));
    let (status, body) = http("PUT", &format!("{url}?cas=x"), b"{}").unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Error parsing cas value"), "{body}");
    let err = fails(
        &client.cli(&["operator", "autopilot", "state", "-format=yaml"]),
        1,
    );
    assert!(err.contains("Unknown format: yaml"), "{err}");

    // s3 killed: unhealthy at once (429, failed in gossip), then removed after three
    // stabilization times (3 s with the new settings), and the cluster is healthy again.
    c.servers[2].kill9();
    let alive: Vec<&common::Agent> = vec![&c.servers[0], &c.servers[1], &c.client];
    eventually("s3 reported unhealthy", &alive, || {
        let (status, h) = health(&c.client);
        status == 429
            && h["Servers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["Name"] == "s3" && s["Healthy"] == false && s["SerfStatus"] == "failed")
            && h["FailureTolerance"] == 0
    });
    eventually_within(
        "s3 removed by autopilot",
        Duration::from_secs(30),
        &alive,
        || peers(&c.servers[0]).len() == 2,
    );
    eventually("healthy on two servers", &alive, || {
        let (status, h) = health(&c.client);
        status == 200 && h["Servers"].as_array().unwrap().len() == 2
    });
}
