//! End-to-end: `sd catalog datacenters|nodes|services` against a real `sd agent -dev` whose
//! catalog holds nodes and services registered through `PUT /v1/catalog/register`: the exact
//! columns and lines `consul catalog ...` prints, its filters, its "No ... match" messages and
//! its errors.

use crate::common;

use std::time::{Duration, Instant};

use common::{fails, free_port, http, http_get, ok, run_sd_env, stderr, Agent, AgentBuilder};
use serde_json::{json, Value};

const N3_ID: &str = "40e4a748-2192-161a-0510-9bf59fe950b5";

fn register(a: &Agent, body: Value) {
    let url = format!("{}/v1/catalog/register", a.url());
    let (status, reply) = http("PUT", &url, body.to_string().as_bytes()).unwrap();
    assert_eq!((status, reply.as_str()), (200, "true"), "{body}");
}

fn get_json(a: &Agent, path: &str) -> Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// A dev agent named `e2e-dev` whose catalog holds, besides itself and its `consul` service:
/// n1 (rack a, linux) running web v1; n2 (rack b) running web v2 and db; n3 (rack c, linux,
/// with an ID and tagged addresses) running nothing. Returns the agent and its node ID.
fn agent_with_catalog() -> (Agent, String) {
    let a = AgentBuilder::dev().arg("-node=e2e-dev").start();
    register(
        &a,
        json!({"Node": "n1", "Address": "10.0.0.1", "NodeMeta": {"rack": "a", "os": "linux"},
               "Service": {"Service": "web", "Tags": ["v1"], "Port": 80}}),
    );
    register(
        &a,
        json!({"Node": "n2", "Address": "10.0.0.2", "NodeMeta": {"rack": "b"},
               "Service": {"Service": "web", "Tags": ["v2"], "Port": 80}}),
    );
    register(
        &a,
        json!({"Node": "n2", "Address": "10.0.0.2", "NodeMeta": {"rack": "b"},
               "Service": {"Service": "db", "Tags": ["primary"], "Port": 5432}}),
    );
    register(
        &a,
        json!({"ID": N3_ID, "Node": "n3", "Address": "10.0.0.3",
               "TaggedAddresses": {"lan": "10.0.0.3", "wan": "198.18.0.3"},
               "NodeMeta": {"rack": "c", "os": "linux"}}),
    );
    // The leader adds the agent's own node and its `consul` service on its own schedule.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let nodes = get_json(&a, "/v1/catalog/nodes");
        let own = nodes
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["Node"] == "e2e-dev")
            .and_then(|n| n["ID"].as_str().map(str::to_string));
        let services = get_json(&a, "/v1/catalog/services");
        if let (Some(id), Some(_)) = (own, services.get("consul")) {
            return (a, id);
        }
        assert!(
            Instant::now() < deadline,
            "the agent's node never reached the catalog: {nodes}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn datacenters_one_per_line() {
    let a = AgentBuilder::dev().start();
    assert_eq!(ok(&a.cli(&["catalog", "datacenters"])), "dc1\n");
    assert_eq!(
        ok(&a.cli(&["catalog", "datacenters", "-stale", "-datacenter=dc1"])),
        "dc1\n"
    );
    let extra = a.cli(&["catalog", "datacenters", "dc2"]);
    assert_eq!(fails(&extra, 1), "Too many arguments (expected 0, got 1)\n");
}

#[test]
fn nodes_columns_filters_and_messages() {
    let (a, own_id) = agent_with_catalog();
    let short = own_id.split('-').next().unwrap();
    assert_eq!(short.len(), 8, "{own_id}");
    let all = format!(
        "Node     ID        Address    DC\n\
         e2e-dev  {short}  127.0.0.1  dc1\n\
         n1                 10.0.0.1   dc1\n\
         n2                 10.0.0.2   dc1\n\
         n3       40e4a748  10.0.0.3   dc1\n"
    );
    assert_eq!(ok(&a.cli(&["catalog", "nodes"])), all);
    // -near is passed on; this agent has no coordinates, so the order stays by name.
    assert_eq!(ok(&a.cli(&["catalog", "nodes", "-near=_agent"])), all);
    assert_eq!(ok(&a.cli(&["catalog", "nodes", "-stale"])), all);

    assert_eq!(
        ok(&a.cli(&["catalog", "nodes", "-detailed", "-node-meta", "os=linux"])),
        "Node  ID                                    Address   DC   TaggedAddresses               Meta\n\
         n1                                          10.0.0.1  dc1                                os=linux, rack=a\n\
         n3    40e4a748-2192-161a-0510-9bf59fe950b5  10.0.0.3  dc1  lan=10.0.0.3, wan=198.18.0.3  os=linux, rack=c\n"
    );
    // Repeated -node-meta: every pair must match.
    assert_eq!(
        ok(&a.cli(&[
            "catalog",
            "nodes",
            "-node-meta=os=linux",
            "-node-meta=rack=c"
        ])),
        "Node  ID        Address   DC\n\
         n3    40e4a748  10.0.0.3  dc1\n"
    );

    // -service: the nodes providing it, one row per instance.
    assert_eq!(
        ok(&a.cli(&["catalog", "nodes", "-service=web"])),
        "Node  ID  Address   DC\n\
         n1        10.0.0.1  dc1\n\
         n2        10.0.0.2  dc1\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "nodes", "-service", "web", "-node-meta=rack=b"])),
        "Node  ID  Address   DC\n\
         n2        10.0.0.2  dc1\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "nodes", "-detailed", "-service=db"])),
        "Node  ID  Address   DC   TaggedAddresses  Meta\n\
         n2        10.0.0.2  dc1                   rack=b\n"
    );

    let none = "No nodes match the given query - try expanding your search.\n";
    assert_eq!(
        fails(&a.cli(&["catalog", "nodes", "-service=nope"]), 0),
        none
    );
    assert_eq!(
        fails(&a.cli(&["catalog", "nodes", "-node-meta=rack=zzz"]), 0),
        none
    );

    let bad = fails(&a.cli(&["catalog", "nodes", "-node-meta=rack"]), 2);
    assert!(
        bad.contains("Missing \"=\" value in argument: rack"),
        "{bad}"
    );
    assert_eq!(
        fails(&a.cli(&["catalog", "nodes", "n1", "n2"]), 1),
        "Too many arguments (expected 0, got 2)\n"
    );
    let bad = fails(&a.cli(&["catalog", "nodes", "-detailed=maybe"]), 2);
    assert!(bad.contains("maybe"), "{bad}");
}

#[test]
fn services_names_tags_and_filters() {
    let (a, _) = agent_with_catalog();
    assert_eq!(ok(&a.cli(&["catalog", "services"])), "consul\ndb\nweb\n");
    // Tags through Go's tabwriter: a tagless service keeps its padding unless it is last.
    assert_eq!(
        ok(&a.cli(&["catalog", "services", "-tags"])),
        "consul      \ndb          primary\nweb         v1,v2\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "services", "-node=n2"])),
        "db\nweb\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "services", "-node", "n2", "-tags"])),
        "db       primary\nweb      v2\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "services", "-node=e2e-dev", "-tags"])),
        "consul\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "services", "-node-meta=rack=a"])),
        "web\n"
    );
    assert_eq!(
        ok(&a.cli(&["catalog", "services", "-node-meta", "rack=b", "-stale"])),
        "db\nweb\n"
    );

    let none = "No services match the given query - try expanding your search.\n";
    for args in [
        &["catalog", "services", "-node=ghost"][..],
        &["catalog", "services", "-node=n3"],
        &["catalog", "services", "-node-meta=rack=zzz"],
    ] {
        assert_eq!(fails(&a.cli(args), 0), none, "{args:?}");
    }

    let bad = fails(&a.cli(&["catalog", "services", "-node-meta=x"]), 2);
    assert!(bad.contains("Missing \"=\" value in argument: x"), "{bad}");
    assert_eq!(
        fails(&a.cli(&["catalog", "services", "web"]), 1),
        "Too many arguments (expected 0, got 1)\n"
    );
    let other_dc = fails(&a.cli(&["catalog", "services", "-datacenter=dc9"]), 1);
    assert!(
        other_dc.starts_with("Error listing services: Unexpected response code: 500 ("),
        "{other_dc}"
    );
}

#[test]
fn unreachable_agent_fails_with_the_reason() {
    let addr = format!("127.0.0.1:{}", free_port());
    let env = [("CONSUL_HTTP_ADDR", addr.as_str())];
    let refused = format!("dial tcp {addr}: connect: connection refused");
    let cases = [
        (
            &["catalog", "datacenters"][..],
            format!("Error listing datacenters: Get \"http://{addr}/v1/catalog/datacenters\": {refused}\n"),
        ),
        (
            &["catalog", "nodes"],
            format!("Error listing nodes: Get \"http://{addr}/v1/catalog/nodes\": {refused}\n"),
        ),
        (
            &["catalog", "nodes", "-service=web"],
            format!("Error listing nodes for service: Get \"http://{addr}/v1/catalog/service/web\": {refused}\n"),
        ),
        (
            &["catalog", "services"],
            format!("Error listing services: Get \"http://{addr}/v1/catalog/services\": {refused}\n"),
        ),
        (
            &["catalog", "services", "-node=n1"],
            format!("Error listing services for node: Get \"http://{addr}/v1/catalog/node/n1\": {refused}\n"),
        ),
    ];
    for (args, want) in cases {
        let out = run_sd_env(args, &env, None);
        assert_eq!(fails(&out, 1), want, "{args:?}: {}", stderr(&out));
    }
}
