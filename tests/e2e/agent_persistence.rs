//! End-to-end: services and checks registered through the agent API survive a restart of a
//! real `sd agent` with a data directory (kill -9 included), TTL checks keep their last status
//! while it is fresh, deregistrations are remembered too, and a kept script check the
//! restarted agent no longer allows is skipped without stopping the start; node and service
//! maintenance mode stays on across a restart until turned off. Also how check
//! results reach the catalog: a new output alone waits for `check_update_interval`, a new
//! status goes at once.

use crate::common;

use std::time::Duration;

use common::cluster::eventually;
use common::{http, http_get, Agent, AgentBuilder};
use serde_json::{json, Value};

fn put(a: &Agent, path: &str, body: &Value) {
    let (status, text) = http(
        "PUT",
        &format!("{}{path}", a.url()),
        body.to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{path}: {text}");
}

fn get(a: &Agent, path: &str) -> Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn server(dir: &std::path::Path, extra: &[&str]) -> Agent {
    let mut b = AgentBuilder::server(dir);
    for a in extra {
        b = b.arg(*a);
    }
    b.start()
}

#[test]
fn api_registrations_and_ttl_status_survive_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = server(dir.path(), &["-enable-script-checks"]);
    put(
        &a,
        "/v1/agent/service/register",
        &json!({
            "ID": "web/1#blue", "Name": "web", "Port": 8080, "Tags": ["v1"],
            "Check": {"TTL": "10m", "Notes": "app heartbeat"}
        }),
    );
    put(
        &a,
        "/v1/agent/service/register",
        &json!({"ID": "db-1", "Name": "db", "Port": 5432}),
    );
    put(
        &a,
        "/v1/agent/check/register",
        &json!({"ID": "disk", "Name": "disk space", "TTL": "10m"}),
    );
    put(
        &a,
        "/v1/agent/check/register",
        &json!({"ID": "script", "Name": "script", "Args": ["true"], "Interval": "10s"}),
    );
    put(
        &a,
        "/v1/agent/check/pass/service:web%2F1%23blue?note=up",
        &json!({}),
    );
    put(&a, "/v1/agent/check/warn/disk?note=91%25", &json!({}));
    // Deregistered before the restart: must stay gone.
    put(&a, "/v1/agent/service/deregister/db-1", &json!({}));

    a.kill9();
    let mut a = server(dir.path(), &[]);
    let services = get(&a, "/v1/agent/services");
    assert_eq!(services["web/1#blue"]["Service"], "web");
    assert_eq!(services["web/1#blue"]["Tags"], json!(["v1"]));
    assert!(
        services.get("db-1").is_none(),
        "a deregistered service came back"
    );
    let checks = get(&a, "/v1/agent/checks");
    let web = &checks["service:web/1#blue"];
    assert_eq!(web["Status"], "passing", "TTL status kept: {checks}");
    assert_eq!(web["Output"], "up");
    assert_eq!(web["Notes"], "app heartbeat");
    assert_eq!(web["ServiceID"], "web/1#blue");
    assert_eq!(checks["disk"]["Status"], "warning");
    assert_eq!(checks["disk"]["Output"], "91%");
    assert!(
        checks.get("script").is_none(),
        "a script check came back on an agent that does not allow them"
    );
    assert!(
        a.log().contains("cannot restore check"),
        "no warning about the skipped script check:\n{}",
        a.log()
    );
    // The restored service is in the catalog with its passing check.
    eventually("web's check passing in the catalog", &[&a], || {
        get(&a, "/v1/health/checks/web")
            .as_array()
            .is_some_and(|c| c.len() == 1 && c[0]["Status"] == "passing")
    });

    // A check deregistered on its own stays deregistered; its service stays.
    put(&a, "/v1/agent/check/deregister/disk", &json!({}));
    a.terminate(Duration::from_secs(10));
    let a = server(dir.path(), &[]);
    let checks = get(&a, "/v1/agent/checks");
    assert!(checks.get("disk").is_none(), "{checks}");
    assert!(checks.get("service:web/1#blue").is_some(), "{checks}");
    assert!(get(&a, "/v1/agent/services").get("web/1#blue").is_some());
}

#[test]
fn expired_ttl_status_is_not_restored() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = server(dir.path(), &[]);
    put(
        &a,
        "/v1/agent/check/register",
        &json!({"ID": "beat", "Name": "beat", "TTL": "1s"}),
    );
    put(&a, "/v1/agent/check/pass/beat", &json!({}));
    a.kill9();
    std::thread::sleep(Duration::from_millis(1500));
    let a = server(dir.path(), &[]);
    let checks = get(&a, "/v1/agent/checks");
    assert_eq!(
        checks["beat"]["Status"], "critical",
        "a TTL status older than its TTL was restored: {checks}"
    );
}

#[test]
fn output_alone_reaches_the_catalog_after_check_update_interval() {
    let a = AgentBuilder::dev()
        .arg("-hcl=check_update_interval = \"1h\"")
        .start();
    put(
        &a,
        "/v1/agent/check/register",
        &json!({"ID": "beat", "Name": "beat", "TTL": "10m"}),
    );
    let catalog_output = || -> (String, String) {
        let checks = get(&a, "/v1/health/state/any");
        let c = checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["CheckID"] == "beat")
            .cloned()
            .unwrap_or_default();
        (
            c["Status"].as_str().unwrap_or("").to_string(),
            c["Output"].as_str().unwrap_or("").to_string(),
        )
    };
    put(&a, "/v1/agent/check/pass/beat?note=first", &json!({}));
    eventually("the status change synced", &[&a], || {
        catalog_output() == ("passing".into(), "first".into())
    });
    // Output alone: the agent shows it, the catalog keeps the old one for now.
    put(&a, "/v1/agent/check/pass/beat?note=second", &json!({}));
    assert_eq!(get(&a, "/v1/agent/checks")["beat"]["Output"], "second");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(catalog_output(), ("passing".into(), "first".into()));
    // A status change goes out at once with its output.
    put(&a, "/v1/agent/check/warn/beat?note=third", &json!({}));
    eventually("the warning synced", &[&a], || {
        catalog_output() == ("warning".into(), "third".into())
    });
}

#[test]
fn maintenance_mode_survives_restarts_until_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = server(dir.path(), &[]);
    put(
        &a,
        "/v1/agent/service/register",
        &json!({"ID": "web-1", "Name": "web", "Port": 80}),
    );
    put(
        &a,
        "/v1/agent/service/register",
        &json!({"ID": "db-1", "Name": "db", "Port": 5432}),
    );
    put(
        &a,
        "/v1/agent/maintenance?enable=true&reason=kernel%20upgrade",
        &json!({}),
    );
    put(
        &a,
        "/v1/agent/service/maintenance/web-1?enable=true&reason=deploy",
        &json!({}),
    );
    put(
        &a,
        "/v1/agent/service/maintenance/db-1?enable=true",
        &json!({}),
    );
    // The service goes away: its maintenance is not kept.
    put(&a, "/v1/agent/service/deregister/db-1", &json!({}));

    a.kill9();
    let mut a = server(dir.path(), &[]);
    let checks = get(&a, "/v1/agent/checks");
    let node = &checks["_node_maintenance"];
    assert_eq!(node["Status"], "critical", "{checks}");
    assert_eq!(node["Notes"], "kernel upgrade");
    assert_eq!(node["Name"], "Node Maintenance Mode");
    let web = &checks["_service_maintenance:web-1"];
    assert_eq!(web["Status"], "critical", "{checks}");
    assert_eq!(web["Notes"], "deploy");
    assert_eq!(web["ServiceID"], "web-1");
    assert_eq!(web["ServiceName"], "web");
    assert!(
        checks.get("_service_maintenance:db-1").is_none(),
        "{checks}"
    );
    eventually(
        "the restored maintenance reaches the catalog",
        &[&a],
        || {
            let node = a
                .args
                .iter()
                .find_map(|x| x.strip_prefix("-node="))
                .unwrap_or_default();
            let (_, body) = http_get(&format!("{}/v1/health/node/{node}", a.url())).unwrap();
            body.contains("_node_maintenance") && body.contains("_service_maintenance:web-1")
        },
    );

    // Turned off, it stays off after the next restart.
    put(&a, "/v1/agent/maintenance?enable=false", &json!({}));
    put(
        &a,
        "/v1/agent/service/maintenance/web-1?enable=false",
        &json!({}),
    );
    a.kill9();
    let a = server(dir.path(), &[]);
    let checks = get(&a, "/v1/agent/checks");
    assert!(checks.get("_node_maintenance").is_none(), "{checks}");
    assert!(
        checks.get("_service_maintenance:web-1").is_none(),
        "{checks}"
    );
}
