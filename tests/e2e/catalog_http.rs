//! End-to-end: the catalog and health HTTP APIs of a real `sd agent -dev`. Registration with
//! keys in Consul's spelling, lower case and snake_case; Consul's JSON shapes for nodes,
//! services, instances and health entries; `?passing`, `?tag`, `?node-meta`; blocking queries
//! that wake for the service concerned and not for another; deregistration; bad input.

use crate::common;

use std::time::{Duration, Instant};

use common::{header, http, http_full, http_get, AgentBuilder};
use serde_json::{json, Value};

fn get_json(url: &str) -> (Value, u64) {
    let (status, headers, body) = http_full("GET", url, b"").unwrap();
    assert_eq!(status, 200, "{url}: {body}");
    let index = header(&headers, "x-consul-index")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (serde_json::from_str(&body).unwrap(), index)
}

fn put_json(url: &str, body: &Value) -> (u16, String) {
    http("PUT", url, body.to_string().as_bytes()).unwrap()
}

#[test]
fn register_query_block_and_deregister() {
    let a = AgentBuilder::dev().start();
    let base = a.url();
    let (status, body) = put_json(
        &format!("{base}/v1/catalog/register"),
        &json!({
            "Node": "web-host", "Address": "10.1.0.5", "NodeMeta": {"rack": "r1"},
            "Service": {"ID": "web-1", "Service": "web", "Tags": ["v1", "primary"], "Port": 8080,
                        "Meta": {"Build_ID": "7"}},
            "Check": {"CheckID": "web-1-http", "Name": "web http", "ServiceID": "web-1", "Status": "passing"}
        }),
    );
    assert_eq!((status, body.as_str()), (200, "true"));
    // A client that sends snake_case and lower case (as some libraries do).
    let (status, body) = put_json(
        &format!("{base}/v1/catalog/register"),
        &json!({
            "node": "web-host-2", "address": "10.1.0.6",
            "service": {"id": "web-2", "service": "web", "tags": ["v2"], "port": 8081,
                        "tagged_addresses": {"lan": {"address": "10.1.0.6", "port": 8081}}},
            "checks": [{"check_id": "web-2-http", "service_id": "web-2", "status": "critical"}]
        }),
    );
    assert_eq!(
        (status, body.as_str()),
        (200, "true"),
        "snake_case registration"
    );

    let (services, _) = get_json(&format!("{base}/v1/catalog/services"));
    assert_eq!(services["web"], json!(["primary", "v1", "v2"]));
    let (nodes, _) = get_json(&format!("{base}/v1/catalog/nodes"));
    let names: Vec<&str> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["Node"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"web-host") && names.contains(&"web-host-2"),
        "{nodes}"
    );

    let (list, index) = get_json(&format!("{base}/v1/catalog/service/web"));
    assert!(index > 0);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let one = list.iter().find(|s| s["ServiceID"] == "web-1").unwrap();
    for field in [
        "ID",
        "Node",
        "Address",
        "Datacenter",
        "TaggedAddresses",
        "NodeMeta",
        "ServiceID",
        "ServiceName",
        "ServiceAddress",
        "ServiceTaggedAddresses",
        "ServiceTags",
        "ServiceMeta",
        "ServicePort",
        "ServiceWeights",
        "ServiceEnableTagOverride",
        "CreateIndex",
        "ModifyIndex",
    ] {
        assert!(
            one.get(field).is_some(),
            "CatalogService lacks {field}: {one}"
        );
    }
    assert_eq!(
        one["ServiceMeta"]["Build_ID"], "7",
        "meta keys are kept as sent"
    );
    assert_eq!(one["ServiceWeights"], json!({"Passing": 1, "Warning": 1}));
    let two = list.iter().find(|s| s["ServiceID"] == "web-2").unwrap();
    assert_eq!(
        two["ServiceTaggedAddresses"]["lan"],
        json!({"Address": "10.1.0.6", "Port": 8081})
    );

    let (tagged, _) = get_json(&format!("{base}/v1/catalog/service/web?tag=v1&tag=primary"));
    assert_eq!(tagged.as_array().unwrap().len(), 1);
    let (by_meta, _) = get_json(&format!("{base}/v1/catalog/service/web?node-meta=rack:r1"));
    assert_eq!(by_meta[0]["Node"], "web-host");

    let (all, _) = get_json(&format!("{base}/v1/health/service/web"));
    assert_eq!(all.as_array().unwrap().len(), 2);
    let entry = &all.as_array().unwrap()[0];
    assert!(entry["Node"]["Node"].is_string() && entry["Service"]["Service"] == "web");
    assert!(entry["Checks"].is_array());
    let (passing, health_index) = get_json(&format!("{base}/v1/health/service/web?passing"));
    assert_eq!(passing.as_array().unwrap().len(), 1, "{passing}");
    assert_eq!(passing[0]["Service"]["ID"], "web-1");

    let (node, _) = get_json(&format!("{base}/v1/catalog/node/web-host"));
    assert_eq!(node["Node"]["Address"], "10.1.0.5");
    assert_eq!(node["Services"]["web-1"]["Port"], 8080);
    let (missing, _) = get_json(&format!("{base}/v1/catalog/node/nope"));
    assert!(missing.is_null());
    let (critical, _) = get_json(&format!("{base}/v1/health/state/critical"));
    assert_eq!(critical[0]["CheckID"], "web-2-http");

    // A blocking health query wakes when web's check changes, not when another service does.
    let url = format!("{base}/v1/health/service/web?index={health_index}&wait=5s");
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let (v, index) = get_json(&url);
        (v, index, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    put_json(
        &format!("{base}/v1/catalog/register"),
        &json!({"Node": "db-host", "Address": "10.1.0.9", "Service": {"Service": "db", "Port": 5432}}),
    );
    std::thread::sleep(Duration::from_millis(300));
    put_json(
        &format!("{base}/v1/catalog/register"),
        &json!({"Node": "web-host-2", "Address": "10.1.0.6", "SkipNodeUpdate": true,
                "Check": {"CheckID": "web-2-http", "ServiceID": "web-2", "Status": "passing"}}),
    );
    let (woken, new_index, took) = waiter.join().unwrap();
    assert!(new_index > health_index);
    assert!(
        took < Duration::from_secs(4),
        "woken by the change, not the wait: {took:?}"
    );
    assert_eq!(woken.as_array().unwrap().len(), 2);

    // Deregister one service, then a whole node.
    let (status, _) = put_json(
        &format!("{base}/v1/catalog/deregister"),
        &json!({"Node": "web-host", "ServiceID": "web-1"}),
    );
    assert_eq!(status, 200);
    let (list, _) = get_json(&format!("{base}/v1/catalog/service/web"));
    assert_eq!(list.as_array().unwrap().len(), 1);
    put_json(
        &format!("{base}/v1/catalog/deregister"),
        &json!({"Node": "web-host-2"}),
    );
    let (list, _) = get_json(&format!("{base}/v1/catalog/service/web"));
    assert_eq!(list, json!([]));

    // Bad input: 400 with a plain reason.
    let (status, body) = put_json(
        &format!("{base}/v1/catalog/register"),
        &json!({"Address": "1.2.3.4"}),
    );
    assert_eq!((status, body.trim()), (400, "Must provide node"));
    let (status, body) = http("PUT", &format!("{base}/v1/catalog/register"), b"{not json").unwrap();
    assert_eq!(status, 400, "{body}");
    let (status, body) = put_json(
        &format!("{base}/v1/catalog/register"),
        &json!({"Node": "x", "Address": "1.2.3.4", "Check": {"CheckID": "c", "ServiceID": "ghost"}}),
    );
    assert_eq!(status, 400);
    assert!(body.contains("ghost"), "{body}");
    let (status, _) = http_get(&format!("{base}/v1/health/state/sideways")).unwrap();
    assert_eq!(status, 400);
    let (dcs, _) = get_json(&format!("{base}/v1/catalog/datacenters"));
    assert_eq!(dcs, json!(["dc1"]));
}

#[test]
fn filters_select_and_malformed_filters_say_where() {
    let a = AgentBuilder::dev().start();
    let base = a.url();
    for (node, port, env, status) in [("f1", 80, "prod", "passing"), ("f2", 81, "dev", "critical")]
    {
        let (status_code, body) = put_json(
            &format!("{base}/v1/catalog/register"),
            &json!({"Node": node, "Address": "10.2.0.1",
                    "Service": {"ID": format!("app-{node}"), "Service": "app", "Port": port, "Meta": {"env": env}},
                    "Check": {"CheckID": format!("c-{node}"), "ServiceID": format!("app-{node}"), "Status": status}}),
        );
        assert_eq!(status_code, 200, "{body}");
    }
    let q = |path: &str, filter: &str| {
        let f: String = form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        get_json(&format!("{base}{path}?filter={f}")).0
    };
    let prod = q("/v1/catalog/service/app", r#"ServiceMeta.env == "prod""#);
    assert_eq!(prod.as_array().unwrap().len(), 1);
    assert_eq!(prod[0]["Node"], "f1");
    let ported = q(
        "/v1/catalog/service/app",
        "ServicePort == 81 and ServiceMeta.env != prod",
    );
    assert_eq!(ported[0]["Node"], "f2");
    let critical = q("/v1/health/service/app", r#"Checks.Status == "critical""#);
    assert_eq!(critical.as_array().unwrap().len(), 1);
    assert_eq!(critical[0]["Node"]["Node"], "f2");
    let nodes = q("/v1/catalog/nodes", r#"Node matches "^f[0-9]$""#);
    assert_eq!(nodes.as_array().unwrap().len(), 2);
    let services = q("/v1/catalog/services", r#"ServiceMeta.env == "dev""#);
    assert!(
        services.get("app").is_some() && services.get("consul").is_none(),
        "{services}"
    );

    let (status, body) = http_get(&format!(
        "{base}/v1/catalog/service/app?filter=ServicePort%20%3D%3D"
    ))
    .unwrap();
    assert_eq!(status, 400);
    assert!(
        body.contains("Failed to create boolean expression evaluator"),
        "{body}"
    );
    assert!(body.contains("1:"), "the error says where: {body}");
    let (status, body) = http_get(&format!(
        "{base}/v1/health/service/app?filter=Nope%20%3D%3D%201"
    ))
    .unwrap();
    assert_eq!(status, 400);
    assert!(body.contains("Selector \"Nope\" is not valid"), "{body}");
}
