//! End-to-end: services and health checks registered on a real `sd agent -dev`, from config
//! files (HCL and JSON) and the agent API, checked against real HTTP and TCP backends the test
//! runs. HTTP and TCP checks turn passing and critical as the backends change, TTL checks follow
//! pass/warn/fail and expire, maintenance mode takes a service out of `?passing`, script checks
//! are refused unless enabled, and everything reaches the catalog through anti-entropy.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::cluster::eventually;
use common::{http, http_get, Agent, AgentBuilder};
use serde_json::{json, Value};

/// An HTTP backend answering every request with the status in `code`.
fn backend(code: Arc<AtomicU16>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            let code = code.load(Ordering::SeqCst);
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let body = format!("status {code}");
            let _ = write!(
                s,
                "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn json_get(a: &Agent, path: &str) -> Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn put(a: &Agent, path: &str, body: &Value) -> (u16, String) {
    http(
        "PUT",
        &format!("{}{path}", a.url()),
        body.to_string().as_bytes(),
    )
    .unwrap()
}

fn check_status(a: &Agent, id: &str) -> String {
    json_get(a, "/v1/agent/checks")[id]["Status"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn passing(a: &Agent, service: &str) -> usize {
    json_get(a, &format!("/v1/health/service/{service}?passing"))
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn checks_follow_real_backends_and_reach_the_catalog() {
    let code = Arc::new(AtomicU16::new(200));
    let http_port = backend(code.clone());
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp_port = tcp.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("web.hcl"),
        format!(
            r#"service {{
  name = "web"
  port = {http_port}
  tags = ["v1"]
  check {{
    id       = "web-http"
    http     = "http://127.0.0.1:{http_port}/health"
    interval = "1s"
  }}
}}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("db.json"),
        json!({"service": {"name": "db", "port": tcp_port,
               "check": {"id": "db-tcp", "tcp": format!("127.0.0.1:{tcp_port}"), "interval": "1s"}}})
        .to_string(),
    )
    .unwrap();
    let a = AgentBuilder::dev()
        .arg(format!("-config-dir={}", dir.path().display()))
        .start();

    // Config-file services run their checks and reach the catalog.
    eventually("the HTTP and TCP checks pass", &[&a], || {
        check_status(&a, "web-http") == "passing" && check_status(&a, "db-tcp") == "passing"
    });
    eventually(
        "anti-entropy put both services in the catalog",
        &[&a],
        || passing(&a, "web") == 1 && passing(&a, "db") == 1,
    );
    let checks = json_get(&a, "/v1/agent/checks");
    assert_eq!(checks["web-http"]["Type"], "http");
    assert!(
        checks["web-http"]["Output"]
            .as_str()
            .unwrap()
            .contains("200"),
        "{checks}"
    );

    // The backends fail: critical, and out of ?passing.
    code.store(500, Ordering::SeqCst);
    drop(tcp);
    eventually("the checks go critical", &[&a], || {
        check_status(&a, "web-http") == "critical" && check_status(&a, "db-tcp") == "critical"
    });
    eventually("the catalog follows", &[&a], || {
        passing(&a, "web") == 0 && passing(&a, "db") == 0
    });
    code.store(429, Ordering::SeqCst);
    eventually("429 is a warning", &[&a], || {
        check_status(&a, "web-http") == "warning"
    });
    code.store(200, Ordering::SeqCst);

    // A TTL check over the API, with lower-case keys.
    let (status, body) = put(
        &a,
        "/v1/agent/service/register",
        &json!({"name": "api", "id": "api-1", "port": 9000,
                "check": {"check_id": "api-ttl", "ttl": "2s"}}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(check_status(&a, "api-ttl"), "critical");
    let (status, _) = http(
        "PUT",
        &format!("{}/v1/agent/check/pass/api-ttl?note=ok", a.url()),
        b"",
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(check_status(&a, "api-ttl"), "passing");
    eventually("the TTL check is passing in the catalog", &[&a], || {
        passing(&a, "api") == 1
    });
    eventually("the TTL expires", &[&a], || {
        check_status(&a, "api-ttl") == "critical"
    });
    let out = json_get(&a, "/v1/agent/checks")["api-ttl"]["Output"].clone();
    assert!(out.as_str().unwrap().contains("TTL expired"), "{out}");
    let (status, _) = put(
        &a,
        "/v1/agent/check/update/api-ttl",
        &json!({"Status": "warning", "Output": "slow"}),
    );
    assert_eq!(status, 200);
    assert_eq!(check_status(&a, "api-ttl"), "warning");
    let (status, body) =
        http("PUT", &format!("{}/v1/agent/check/pass/nope", a.url()), b"").unwrap();
    assert_eq!(status, 404, "{body}");

    // Maintenance mode.
    eventually("web passes again", &[&a], || passing(&a, "web") == 1);
    let (status, _) = http(
        "PUT",
        &format!(
            "{}/v1/agent/service/maintenance/web?enable=true&reason=deploy",
            a.url()
        ),
        b"",
    )
    .unwrap();
    assert_eq!(status, 200);
    eventually("web in maintenance is not passing", &[&a], || {
        passing(&a, "web") == 0
    });
    let maint = json_get(&a, "/v1/agent/checks")["_service_maintenance:web"].clone();
    assert_eq!(maint["Notes"], "deploy");
    http(
        "PUT",
        &format!("{}/v1/agent/service/maintenance/web?enable=false", a.url()),
        b"",
    )
    .unwrap();
    eventually("web back out of maintenance", &[&a], || {
        passing(&a, "web") == 1
    });
    http(
        "PUT",
        &format!("{}/v1/agent/maintenance?enable=true", a.url()),
        b"",
    )
    .unwrap();
    eventually("node maintenance takes every service out", &[&a], || {
        passing(&a, "web") == 0 && passing(&a, "db") == 0
    });
    http(
        "PUT",
        &format!("{}/v1/agent/maintenance?enable=false", a.url()),
        b"",
    )
    .unwrap();

    // Script checks are refused without enable_script_checks, naming the setting.
    let (status, body) = put(
        &a,
        "/v1/agent/check/register",
        &json!({"Name": "evil", "Args": ["/bin/sh", "-c", "true"], "Interval": "10s"}),
    );
    assert_eq!(status, 400);
    assert!(body.contains("enable_script_checks"), "{body}");

    // Deregistering a service removes it and its checks, locally and from the catalog.
    let (status, _) = http(
        "PUT",
        &format!("{}/v1/agent/service/deregister/api-1", a.url()),
        b"",
    )
    .unwrap();
    assert_eq!(status, 200);
    assert!(json_get(&a, "/v1/agent/checks").get("api-ttl").is_none());
    eventually("api left the catalog", &[&a], || {
        json_get(&a, "/v1/catalog/service/api")
            .as_array()
            .is_some_and(Vec::is_empty)
    });
    let (status, _) = http(
        "PUT",
        &format!("{}/v1/agent/service/deregister/api-1", a.url()),
        b"",
    )
    .unwrap();
    assert_eq!(status, 404);
    let services = json_get(&a, "/v1/agent/services");
    assert_eq!(services["web"]["Port"], http_port);
    assert!(services["web"].get("CreateIndex").is_none());
}

#[test]
fn script_checks_from_config_need_a_setting() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("s.json");
    std::fs::write(
        &cfg,
        json!({"check": {"id": "s", "args": ["/bin/true"], "interval": "5s"}}).to_string(),
    )
    .unwrap();
    let mut refused = AgentBuilder::dev()
        .arg(format!("-config-file={}", cfg.display()))
        .spawn();
    let (status, log) = refused.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(log.contains("enable_local_script_checks"), "{log}");

    let a = AgentBuilder::dev()
        .arg(format!("-config-file={}", cfg.display()))
        .arg("-enable-local-script-checks")
        .start();
    eventually("the script check passes", &[&a], || {
        check_status(&a, "s") == "passing"
    });
    assert!(
        !a.log().contains("remote code execution"),
        "no warning without enable_script_checks"
    );
    // Local-only: the API still refuses scripts.
    let (status, body) = put(
        &a,
        "/v1/agent/check/register",
        &json!({"Name": "remote", "Args": ["/bin/true"], "Interval": "10s"}),
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn reload_swaps_config_services_and_keeps_the_old_set_on_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("svc.hcl");
    std::fs::write(&file, "service {\n  name = \"alpha\"\n  port = 1\n}\n").unwrap();
    let mut a = AgentBuilder::dev()
        .arg(format!("-config-dir={}", dir.path().display()))
        .start();
    // One service from the API, which reloads never touch.
    let (status, _) = put(
        &a,
        "/v1/agent/service/register",
        &json!({"Name": "api-made"}),
    );
    assert_eq!(status, 200);
    let names = |a: &Agent| -> Vec<String> {
        let v = json_get(a, "/v1/agent/services");
        v.as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(names(&a), ["alpha", "api-made"]);

    // `sd reload`: alpha goes, beta comes.
    std::fs::write(&file, "service {\n  name = \"beta\"\n  port = 2\n}\n").unwrap();
    let out = a.cli(&["reload"]);
    assert_eq!(common::ok(&out).trim(), "Configuration reload triggered");
    assert_eq!(names(&a), ["api-made", "beta"]);

    // A bad file: the reload fails with the reason and nothing changes.
    std::fs::write(&file, "service {\n  port = \"not a number\"\n}\n").unwrap();
    let out = a.cli(&["reload"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains("Error reloading"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(names(&a), ["api-made", "beta"]);

    // SIGHUP does the same as `sd reload`.
    std::fs::write(&file, "service {\n  name = \"gamma\"\n}\n").unwrap();
    let pid = a.pid().expect("agent running");
    let status = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    eventually("SIGHUP reloaded the files", &[&a], || {
        names(&a) == ["api-made", "gamma"]
    });
    a.terminate(Duration::from_secs(20));
}

#[test]
fn enable_script_checks_allows_api_scripts_and_warns() {
    let a = AgentBuilder::dev().arg("-enable-script-checks").start();
    assert!(a.log().contains("remote code execution"), "{}", a.log());
    let (status, body) = put(
        &a,
        "/v1/agent/check/register",
        &json!({"Name": "api-script", "Args": ["/bin/sh", "-c", "exit 1"], "Interval": "1s"}),
    );
    assert_eq!(status, 200, "{body}");
    eventually("exit 1 is a warning", &[&a], || {
        check_status(&a, "api-script") == "warning"
    });
}

#[test]
fn agent_health_endpoints_answer_with_status_codes() {
    let a = AgentBuilder::dev().start();
    let (status, _) = put(
        &a,
        "/v1/agent/service/register",
        &json!({"Name": "lb", "ID": "lb-1", "Check": {"CheckID": "lb-ttl", "TTL": "1h"}}),
    );
    assert_eq!(status, 200);
    let text = |path: &str| http_get(&format!("{}{path}?format=text", a.url())).unwrap();
    assert_eq!(
        text("/v1/agent/health/service/id/lb-1"),
        (503, "critical".into())
    );
    http(
        "PUT",
        &format!("{}/v1/agent/check/warn/lb-ttl", a.url()),
        b"",
    )
    .unwrap();
    assert_eq!(
        text("/v1/agent/health/service/id/lb-1"),
        (429, "warning".into())
    );
    http(
        "PUT",
        &format!("{}/v1/agent/check/pass/lb-ttl", a.url()),
        b"",
    )
    .unwrap();
    assert_eq!(
        text("/v1/agent/health/service/name/lb"),
        (200, "passing".into())
    );
    let (status, body) = http_get(&format!("{}/v1/agent/health/service/name/lb", a.url())).unwrap();
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["AggregatedStatus"], "passing");
    assert_eq!(v[0]["Service"]["ID"], "lb-1");
    assert_eq!(v[0]["Checks"][0]["CheckID"], "lb-ttl");
    http(
        "PUT",
        &format!("{}/v1/agent/maintenance?enable=true", a.url()),
        b"",
    )
    .unwrap();
    assert_eq!(
        text("/v1/agent/health/service/id/lb-1"),
        (503, "maintenance".into())
    );
    assert_eq!(text("/v1/agent/health/service/id/nope").0, 404);
    assert_eq!(text("/v1/agent/health/service/name/nope").0, 404);
}
