//! End-to-end: what sd answers where Consul needs Connect, and `/v1/operator/usage`. Connect's
//! own routes fail as Consul's do with Connect disabled (500, Consul's message), and the
//! Connect-capable listings are empty lists with read headers; usage counts the catalog, and
//! `sd operator usage instances` reports it in Consul's layout.

use serde_json::Value;

use crate::common;
use common::cluster::eventually;
use common::{http, http_full, http_get, AgentBuilder};

#[test]
fn connect_routes_answer_as_consul_with_connect_disabled() {
    let a = AgentBuilder::dev().start();
    let url = |p: &str| format!("{}{p}", a.url());
    for (method, path) in [
        ("GET", "/v1/connect/ca/roots"),
        ("PUT", "/v1/connect/ca/configuration"),
        ("GET", "/v1/connect/intentions"),
        ("POST", "/v1/connect/intentions"),
        ("GET", "/v1/connect/intentions/match?by=source&name=web"),
        ("DELETE", "/v1/connect/intentions/0a1b"),
        ("POST", "/v1/agent/connect/authorize"),
        ("GET", "/v1/agent/connect/ca/roots"),
        ("GET", "/v1/agent/connect/ca/leaf/web"),
        ("GET", "/v1/discovery-chain/web"),
    ] {
        let (status, body) = http(method, &url(path), b"{}").unwrap();
        assert_eq!(
            (status, body.trim()),
            (500, "Connect must be enabled in order to use this endpoint"),
            "{method} {path}"
        );
    }
    a.put_ok(
        "/v1/agent/service/register",
        r#"{"Name":"web","Port":80,"Connect":{"Native":false}}"#,
    );
    eventually(
        "web in the catalog",
        &[&a],
        || matches!(http_get(&url("/v1/catalog/service/web")), Ok((200, b)) if b.contains("\"web\"")),
    );
    for path in [
        "/v1/health/connect/web",
        "/v1/health/ingress/web",
        "/v1/catalog/connect/web",
        "/v1/catalog/gateway-services/gw",
    ] {
        let (status, headers, body) = http_full("GET", &url(path), b"").unwrap();
        assert_eq!((status, body.as_str()), (200, "[]"), "{path}");
        assert!(
            common::header(&headers, "x-consul-index").is_some(),
            "{path}"
        );
    }

    // Two services (consul and web), one node; the server's own instance is not billable.
    let (status, body) = http_get(&url("/v1/operator/usage")).unwrap();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let dc1 = &v["Usage"]["dc1"];
    assert_eq!(dc1["Services"], 2, "{body}");
    assert_eq!(dc1["ServiceInstances"], 2, "{body}");
    assert_eq!(dc1["BillableServiceInstances"], 1, "{body}");
    assert_eq!(dc1["Nodes"], 1, "{body}");
    assert_eq!(dc1["ConnectServiceInstances"]["connect-proxy"], 0, "{body}");
    assert!(v["Index"].as_u64().unwrap() > 0, "{body}");
    let report = common::ok(&a.cli(&["operator", "usage", "instances"]));
    assert!(
        report.starts_with("Billable Service Instances Total: 1\ndc1 Billable Service Instances: 1\n\nBillable Services\nServices      Service instances\n2             1\n\nConnect Services\n"),
        "{report}"
    );
    assert!(
        report.contains("\nconnect-proxy            0\n"),
        "{report}"
    );
    let err = common::fails(
        &a.cli(&["operator", "usage", "instances", "-billable", "-connect"]),
        1,
    );
    assert!(
        err.contains("Cannot specify both -billable and -connect flags"),
        "{err}"
    );
}
