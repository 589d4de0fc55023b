//! End-to-end: prepared queries (`/v1/query`) on a real agent: create, list, read, update and
//! delete with Consul's checks and words; `/execute` with health, tag and meta filters, `near`
//! and `limit`; templates with a regular expression rendered per name (`/explain`); a query
//! tied to a session goes with it; DNS `<name>.query.consul` through `dig`, also asked of a
//! client agent (the query runs on the server, `_agent` meaning the client).

use crate::common;
use crate::common::dig;

use common::cluster::eventually;
use common::{http, http_get, loopback_block, loopback_host, Agent, AgentBuilder};
use dig::{dig, dns_addr};
use serde_json::{json, Value};

fn call(a: &Agent, method: &str, path: &str, body: &Value) -> (u16, String) {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    http(method, &format!("{}{path}", a.url()), &body).unwrap()
}

fn get(a: &Agent, path: &str) -> (u16, Value) {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn create(a: &Agent, def: Value) -> String {
    let (status, body) = call(a, "POST", "/v1/query", &def);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["ID"].as_str().unwrap().to_string()
}

/// Registers `node` with one instance of `redis` whose check has `status`.
fn instance(a: &Agent, node: &str, id: &str, tags: &[&str], status: &str, meta: Value) {
    let reg = json!({
        "Node": node, "Address": format!("10.1.0.{}", node.len()),
        "NodeMeta": {"rack": node},
        "Service": {"ID": id, "Service": "redis", "Port": 6379, "Tags": tags, "Meta": meta},
        "Check": {"CheckID": format!("{id}-check"), "ServiceID": id, "Status": status},
    });
    let (s, b) = call(a, "PUT", "/v1/catalog/register", &reg);
    assert_eq!(s, 200, "{b}");
}

fn ids(answer: &Value) -> Vec<String> {
    let mut v: Vec<String> = answer["Nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["Service"]["ID"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn crud_with_consuls_rules_and_words() {
    let a = AgentBuilder::dev().start();
    let id = create(
        &a,
        json!({"Name": "my-query", "Service": {"Service": "redis", "Tags": ["primary"]},
               "DNS": {"TTL": "10s"}}),
    );
    let (status, list) = get(&a, "/v1/query");
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let q = &list[0];
    assert_eq!(q["ID"], id.as_str());
    assert_eq!(q["Name"], "my-query");
    assert_eq!(q["Service"]["Service"], "redis");
    assert_eq!(q["Service"]["Failover"]["NearestN"], 0);
    assert_eq!(q["DNS"]["TTL"], "10s");
    assert_eq!(q["CreateIndex"], q["ModifyIndex"]);
    // Keys in any case, as Consul's decoder takes them.
    let (s, b) = call(
        &a,
        "PUT",
        &format!("/v1/query/{id}"),
        &json!({"name": "renamed", "service": {"service": "redis", "onlypassing": true}}),
    );
    assert_eq!(s, 200, "{b}");
    let (_, one) = get(&a, &format!("/v1/query/{id}"));
    assert_eq!(one[0]["Name"], "renamed");
    assert_eq!(one[0]["Service"]["OnlyPassing"], true);
    assert_ne!(one[0]["CreateIndex"], one[0]["ModifyIndex"]);

    // Consul's checks.
    let cases = [
        (
            json!({"Name": "x", "Service": {}}),
            "Invalid prepared query: Must provide a Service name to query",
        ),
        (
            json!({"Service": {"Service": "redis"}}),
            "Invalid prepared query: Must be bound to a session",
        ),
        (
            json!({"Name": "RENAMED", "Service": {"Service": "redis"}}),
            "name 'RENAMED' aliases an existing query name",
        ),
        (
            json!({"Name": "x", "Service": {"Service": "redis"}, "DNS": {"TTL": "soon"}}),
            "Invalid prepared query: Bad DNS TTL 'soon'",
        ),
        (
            json!({"ID": id, "Name": "x", "Service": {"Service": "redis"}}),
            "ID must be empty when creating a new prepared query",
        ),
        (
            json!({"Name": "t", "Template": {"Type": "name_prefix_match", "Regexp": "("}, "Service": {"Service": "x"}}),
            "failed compiling template: Failed compiling Regexp",
        ),
        (
            json!({"Name": "x", "Session": "5e1a2a2e-0000-0000-0000-000000000000", "Service": {"Service": "redis"}}),
            "invalid session",
        ),
    ];
    for (def, want) in cases {
        let (s, b) = call(&a, "POST", "/v1/query", &def);
        assert_eq!(s, 400, "{def}: {b}");
        assert!(b.starts_with(want), "{def}: {b}");
    }
    let missing = "11111111-2222-3333-4444-555555555555";
    let (s, b) = call(
        &a,
        "PUT",
        &format!("/v1/query/{missing}"),
        &json!({"Name": "x", "Service": {"Service": "redis"}}),
    );
    assert_eq!(
        (s, b.trim()),
        (
            404,
            format!("Cannot modify non-existent prepared query: '{missing}'").as_str()
        )
    );
    let (s, b) = call(&a, "DELETE", &format!("/v1/query/{id}"), &Value::Null);
    assert_eq!(s, 200, "{b}");
    for path in [
        format!("/v1/query/{id}"),
        "/v1/query/renamed/execute".to_string(),
    ] {
        let (s, b) = http_get(&format!("{}{path}", a.url())).unwrap();
        assert_eq!((s, b.trim()), (404, "Query not found"), "{path}");
    }
    assert_eq!(get(&a, "/v1/query").1, json!([]));
}

#[test]
fn execute_filters_orders_and_limits() {
    let a = AgentBuilder::dev().arg("-node=agent-node").start();
    instance(
        &a,
        "n1",
        "r1",
        &["primary", "v1"],
        "passing",
        json!({"env": "prod"}),
    );
    instance(
        &a,
        "n22",
        "r2",
        &["replica"],
        "warning",
        json!({"env": "prod"}),
    );
    instance(
        &a,
        "n333",
        "r3",
        &["Primary", "experimental"],
        "passing",
        json!({"env": "dev"}),
    );
    instance(&a, "n4444", "r4", &["primary"], "critical", json!({}));
    // The agent's own instance goes through the agent (anti-entropy would remove one written
    // to the agent's node through the catalog).
    a.put_ok(
        "/v1/agent/service/register",
        r#"{"Name":"redis","ID":"r5","Port":6379,"Tags":["replica"]}"#,
    );
    eventually("r5 is in the catalog", &[&a], || {
        get(&a, "/v1/catalog/service/redis")
            .1
            .as_array()
            .is_some_and(|l| l.len() == 5)
    });
    let run = |def: Value, params: &str| {
        let id = create(&a, def);
        let (s, v) = get(&a, &format!("/v1/query/{id}/execute{params}"));
        assert_eq!(s, 200, "{v}");
        v
    };
    let all = run(
        json!({"Name": "all", "Service": {"Service": "redis"}, "DNS": {"TTL": "5s"}}),
        "",
    );
    // Critical never; warning unless OnlyPassing.
    assert_eq!(ids(&all), ["r1", "r2", "r3", "r5"]);
    assert_eq!(all["Service"], "redis");
    assert_eq!(all["Datacenter"], "dc1");
    assert_eq!(all["Failovers"], 0);
    assert_eq!(all["DNS"]["TTL"], "5s");
    let passing = run(
        json!({"Name": "passing", "Service": {"Service": "redis", "OnlyPassing": true}}),
        "",
    );
    assert_eq!(ids(&passing), ["r1", "r3", "r5"]);
    let ignore = run(
        json!({"Name": "ignore", "Service": {"Service": "redis", "IgnoreCheckIDs": ["r4-check"]}}),
        "",
    );
    assert_eq!(ids(&ignore), ["r1", "r2", "r3", "r4", "r5"]);
    // Tags: all required (case aside), none of the `!` ones.
    let tags = run(
        json!({"Name": "tags", "Service": {"Service": "redis", "Tags": ["primary", "!experimental"]}}),
        "",
    );
    assert_eq!(ids(&tags), ["r1"]);
    let meta = run(
        json!({"Name": "meta", "Service": {"Service": "redis", "ServiceMeta": {"env": "prod"}, "NodeMeta": {"rack": "n22"}}}),
        "",
    );
    assert_eq!(ids(&meta), ["r2"]);
    // `_agent` puts the agent's own node first; limit cuts after ordering.
    for _ in 0..5 {
        let near = run(
            json!({"Service": {"Service": "redis", "Near": "_agent"}, "Session": "", "Name": format!("near-{}", rand_suffix())}),
            "?limit=2",
        );
        let nodes = near["Nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0]["Node"]["Node"], "agent-node");
    }
    let (s, b) = get(&a, "/v1/query/all/execute?near=n333&limit=1");
    assert_eq!(s, 200);
    assert_eq!(ids(&b), ["r3"]);
    let (s, _) = get(&a, "/v1/query/all/execute?limit=x");
    assert_eq!(s, 400);
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

#[test]
fn templates_render_per_name_and_queries_go_with_their_session() {
    let a = AgentBuilder::dev().arg("-node=agent1").start();
    instance(&a, "n1", "db1", &["primary"], "passing", json!({}));
    instance(&a, "n22", "db2", &["replica"], "passing", json!({}));
    create(
        &a,
        json!({"Name": "geo-db", "Template": {"Type": "name_prefix_match",
               "Regexp": "^geo-db-(.*?)-([^\\-]+?)$", "RemoveEmptyTags": true},
               "Service": {"Service": "${match(1)}", "Tags": ["${match(2)}", "${match(9)}"]}}),
    );
    let (s, explained) = get(&a, "/v1/query/geo-db-redis-primary/explain");
    assert_eq!(s, 200, "{explained}");
    assert_eq!(explained["Query"]["Service"]["Service"], "redis");
    assert_eq!(explained["Query"]["Service"]["Tags"], json!(["primary"]));
    let (_, run) = get(&a, "/v1/query/geo-db-redis-replica/execute");
    assert_eq!(ids(&run), ["db2"]);
    // A catch-all template maps every other name to the service of that name.
    create(
        &a,
        json!({"Name": "", "Template": {"Type": "name_prefix_match"},
               "Service": {"Service": "${name.full}"}}),
    );
    let (_, run) = get(&a, "/v1/query/redis/execute");
    assert_eq!(ids(&run), ["db1", "db2"]);
    let (s, b) = call(
        &a,
        "POST",
        "/v1/query",
        &json!({"Name": "", "Template": {"Type": "name_prefix_match"}, "Service": {"Service": "x"}}),
    );
    assert_eq!(
        (s, b.trim()),
        (400, "a query template with an empty name already exists")
    );

    // A query bound to a session is deleted when the session goes.
    let (_, created) = call(&a, "PUT", "/v1/session/create", &json!({"Name": "owner"}));
    let session: Value = serde_json::from_str(&created).unwrap();
    let session = session["ID"].as_str().unwrap();
    let id = create(
        &a,
        json!({"Session": session, "Service": {"Service": "redis"}}),
    );
    assert_eq!(get(&a, &format!("/v1/query/{id}")).0, 200);
    let (s, _) = call(
        &a,
        "PUT",
        &format!("/v1/session/destroy/{session}"),
        &Value::Null,
    );
    assert_eq!(s, 200);
    assert_eq!(get(&a, &format!("/v1/query/{id}")).0, 404);
}

#[test]
fn dns_answers_query_names_on_servers_and_client_agents() {
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = AgentBuilder::dev_free()
        .arg("-server")
        .arg("-bootstrap")
        .arg(format!("-data-dir={}", tmp.path().join("s").display()))
        .arg("-node=server1")
        .at(ip(1))
        .start();
    let client = AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", tmp.path().join("c").display()))
        .arg("-node=client1")
        .arg(format!("-join={}", ip(1)))
        .at(ip(2))
        .spawn();
    eventually(
        "the client agent's HTTP API answers",
        &[&server, &client],
        || http_get(&format!("{}/v1/agent/self", client.url())).is_ok(),
    );
    for (agent, port) in [(&server, 7001), (&client, 7002)] {
        let svc =
            json!({"Name": "cache", "Port": port, "Check": {"TTL": "1h", "Status": "passing"}});
        agent.put_ok("/v1/agent/service/register", &svc.to_string());
    }
    // Through the client's HTTP API (forwarded to the server).
    create(
        &client,
        json!({"Name": "near-cache", "Service": {"Service": "cache", "Near": "_agent"},
               "DNS": {"TTL": "33s"}}),
    );
    eventually(
        "both instances are in the catalog",
        &[&server, &client],
        || {
            get(&server, "/v1/health/service/cache?passing")
                .1
                .as_array()
                .is_some_and(|a| a.len() == 2)
        },
    );
    for (agent, own_port) in [(&server, "7001"), (&client, "7002")] {
        let addr = dns_addr(agent);
        let srv = dig(addr, &["near-cache.query.consul", "SRV"]);
        assert_eq!(srv.status, "NOERROR", "{}", srv.raw);
        assert_eq!(srv.answer.len(), 2, "{}", srv.raw);
        assert!(srv.answer.iter().all(|r| r.ttl == 33), "{}", srv.raw);
        // `_agent`: the instance on the asking agent's node comes first.
        assert!(
            srv.answer[0].data.split_whitespace().nth(2) == Some(own_port),
            "{}",
            srv.raw
        );
        let a_rec = dig(addr, &["near-cache.query.consul", "A"]);
        assert_eq!(
            a_rec.data("A"),
            {
                let mut v = vec![ip(1).to_string(), ip(2).to_string()];
                v.sort();
                v
            },
            "{}",
            a_rec.raw
        );
        let missing = dig(addr, &["no-such.query.consul", "A"]);
        assert_eq!(missing.status, "NXDOMAIN", "{}", missing.raw);
    }
}
