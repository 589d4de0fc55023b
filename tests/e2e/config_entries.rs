//! End-to-end: config entries through a real agent. `sd config write` takes HCL (snake_case)
//! and JSON, `read`, `list` and `delete` show and remove them in Consul's form and words;
//! check-and-set refuses a stale index; `/v1/config` validates kinds and names and blocks.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;
use common::{fails, http, http_get, ok, AgentBuilder};

#[test]
fn config_entries_write_read_list_delete() {
    let a = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let hcl = dir.path().join("web.hcl");
    std::fs::write(
        &hcl,
        "kind = \"service-defaults\"\nname = \"web\"\nprotocol = \"HTTP\"\nmeta {\n  owner_team = \"a\"\n}\n",
    )
    .unwrap();
    let path = hcl.display().to_string();
    assert_eq!(
        ok(&a.cli(&["config", "write", &path])),
        "Config entry written: service-defaults/web\n"
    );
    let json = r#"{"Kind": "proxy-defaults", "Name": "global", "Config": {"local_connect_timeout_ms": 1000}}"#;
    assert_eq!(
        ok(&a.cli_stdin(&["config", "write", "-"], json.as_bytes())),
        "Config entry written: proxy-defaults/global\n"
    );

    // Read back in Consul's form: CamelCase keys, the protocol lower-cased, user maps as written.
    let read: Value = serde_json::from_str(&ok(&a.cli(&[
        "config",
        "read",
        "-kind",
        "service-defaults",
        "-name",
        "web",
    ])))
    .unwrap();
    assert_eq!(read["Kind"], "service-defaults");
    assert_eq!(read["Protocol"], "http");
    assert_eq!(read["Meta"]["owner_team"], "a");
    let index = read["ModifyIndex"].as_u64().unwrap();
    assert!(index > 0 && read["CreateIndex"] == read["ModifyIndex"]);
    let global = json_get(&a, "/v1/config/proxy-defaults/global");
    assert_eq!(global["Config"]["local_connect_timeout_ms"], 1000);
    assert_eq!(
        ok(&a.cli(&["config", "list", "-kind", "service-defaults"])),
        "web\n"
    );

    // Check-and-set: a stale index is refused, the current one accepted.
    let stale = format!("-modify-index={}", index - 1);
    let err = fails(&a.cli(&["config", "write", "-cas", &stale, &path]), 1);
    assert!(
        err.contains("Config entry not updated: service-defaults/web"),
        "{err}"
    );
    let current = format!("-modify-index={index}");
    ok(&a.cli(&["config", "write", "-cas", &current, &path]));

    // A blocking list wakes on a change.
    let url = format!("{}/v1/config/service-defaults", a.url());
    let (_, headers, _) = common::http_full("GET", &url, b"").unwrap();
    let seen = common::header(&headers, "x-consul-index")
        .unwrap()
        .to_string();
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let r = http_get(&format!("{url}?index={seen}&wait=20s")).unwrap();
        (r, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    let api = r#"{"Kind": "service-defaults", "Name": "api", "Protocol": "grpc"}"#;
    let (status, body) = http("PUT", &format!("{}/v1/config", a.url()), api.as_bytes()).unwrap();
    assert_eq!((status, body.trim()), (200, "true"));
    let ((status, body), took) = waiter.join().unwrap();
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(body.contains("\"api\""), "{body}");

    // Bad input is refused with Consul's words.
    for (entry, reason) in [
        (
            r#"{"Name": "x"}"#,
            "Payload does not contain a kind/Kind key",
        ),
        (
            r#"{"Kind": "nope", "Name": "x"}"#,
            "invalid config entry kind: nope",
        ),
        (
            r#"{"Kind": "proxy-defaults", "Name": "web"}"#,
            "only \"global\" is supported",
        ),
        (r#"{"Kind": "service-router"}"#, "Name is required"),
    ] {
        let (status, body) =
            http("PUT", &format!("{}/v1/config", a.url()), entry.as_bytes()).unwrap();
        assert_eq!(status, 400, "{entry}: {body}");
        assert!(body.contains(reason), "{entry}: {body}");
    }
    let (status, body) = http_get(&format!("{}/v1/config/service-defaults/none", a.url())).unwrap();
    assert_eq!(status, 404);
    assert_eq!(
        body.trim(),
        "Config entry not found for \"service-defaults\" / \"none\""
    );
    let err = fails(&a.cli(&["config", "read", "-kind", "service-defaults"]), 1);
    assert!(err.contains("Must specify the -name parameter"), "{err}");

    // Deleting: with a stale -cas refused, then done.
    let err = fails(
        &a.cli(&[
            "config",
            "delete",
            "-kind",
            "service-defaults",
            "-name",
            "web",
            "-cas",
            "-modify-index=1",
        ]),
        1,
    );
    assert!(
        err.contains("Config entry not deleted: service-defaults/web"),
        "{err}"
    );
    assert_eq!(
        ok(&a.cli(&[
            "config",
            "delete",
            "-kind",
            "service-defaults",
            "-name",
            "web"
        ])),
        "Config entry deleted: service-defaults/web\n"
    );
    assert_eq!(
        ok(&a.cli(&["config", "list", "-kind", "service-defaults"])),
        "api\n"
    );
}

fn json_get(a: &common::Agent, path: &str) -> Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}
