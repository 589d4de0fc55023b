//! The web UI as HTTP: where it is served (`-ui`, `-dev`, `ui_config.content_path`,
//! `ui_config.dir`), redirects, deep links, caching (ETag, 304), compression, the security
//! headers, `http_config.response_headers`, and the `/v1/internal/ui/*` summaries it reads.

use std::time::Duration;

use serde_json::Value;

use crate::common::{http_get, AgentBuilder};

/// A GET without following redirects: (status, headers, body bytes).
fn get(url: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut req = client.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status().as_u16();
    let h = resp.headers().clone();
    (status, h, resp.bytes().expect("body").to_vec())
}

fn hv<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[test]
fn the_dev_agent_serves_the_ui_with_deep_links_caching_compression_and_a_strict_policy() {
    let agent = AgentBuilder::dev().start();
    let base = agent.url();
    let (s, h, _) = get(&format!("{base}/"), &[]);
    assert_eq!((s, hv(&h, "location")), (301, "/ui/"));
    let (s, h, _) = get(&format!("{base}/ui"), &[]);
    assert_eq!((s, hv(&h, "location")), (301, "/ui/"));

    // Every view's URL is the UI's page, rendered for this agent.
    for path in [
        "/ui/",
        "/ui/dc1/services",
        "/ui/dc1/services/web",
        "/ui/dc1/kv/a/b/edit",
    ] {
        let (s, h, body) = get(&format!("{base}{path}"), &[]);
        assert_eq!(s, 200, "{path}");
        assert_eq!(hv(&h, "content-type"), "text/html; charset=utf-8");
        let csp = hv(&h, "content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(hv(&h, "x-content-type-options"), "nosniff");
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains(r#"<base href="/ui/">"#), "{html}");
        assert!(
            html.contains("&quot;Datacenter&quot;:&quot;dc1&quot;"),
            "{html}"
        );
        assert!(!html.contains("%SD_"), "a placeholder was left: {html}");
        assert!(!html.contains("<script>"), "no inline script: {html}");
    }

    // Assets: gzip for browsers that take it, an ETag, 304 when the browser has the file.
    let css = format!("{base}/ui/assets/app.css");
    let (s, h, plain) = get(&css, &[]);
    assert_eq!(
        (s, hv(&h, "content-type")),
        (200, "text/css; charset=utf-8")
    );
    assert!(h.get("content-encoding").is_none());
    let etag = hv(&h, "etag").to_string();
    assert!(etag.starts_with('"') && etag.len() > 2, "{etag}");
    let (s, h, gz) = get(&css, &[("accept-encoding", "gzip, br")]);
    assert_eq!((s, hv(&h, "content-encoding")), (200, "gzip"));
    assert_eq!(hv(&h, "vary"), "Accept-Encoding");
    assert!(
        gz.len() * 2 < plain.len(),
        "gzip {} vs {}",
        gz.len(),
        plain.len()
    );
    let (s, _, body) = get(&css, &[("if-none-match", &etag)]);
    assert_eq!((s, body.len()), (304, 0));
    let (s, h, _) = get(&format!("{base}/ui/assets/js/main.js"), &[]);
    assert_eq!(
        (s, hv(&h, "content-type")),
        (200, "text/javascript; charset=utf-8")
    );
    // A missing asset is a 404, not the page.
    let (s, _, _) = get(&format!("{base}/ui/assets/js/nope.js"), &[]);
    assert_eq!(s, 404);
    // No CORS unless configured.
    for path in ["/ui/", "/v1/status/leader"] {
        let (_, h, _) = get(
            &format!("{base}{path}"),
            &[("origin", "http://evil.example")],
        );
        assert!(h.get("access-control-allow-origin").is_none(), "{path}");
    }
}

#[test]
fn without_the_ui_the_root_says_so_and_ui_paths_are_404() {
    let dir = tempfile::tempdir().unwrap();
    let agent = AgentBuilder::server(dir.path()).start();
    let (s, _, body) = get(&format!("{}/", agent.url()), &[]);
    assert_eq!(s, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart."
    );
    let (s, _, _) = get(&format!("{}/ui/", agent.url()), &[]);
    assert_eq!(s, 404);
}

#[test]
fn a_users_own_ui_build_is_served_from_ui_dir_under_its_content_path() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("build");
    std::fs::create_dir_all(ui.join("assets")).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<html><head><base href=\"%SD_CONTENT_PATH%\"></head><body>mine</body></html>",
    )
    .unwrap();
    std::fs::write(ui.join("assets/app.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
    let config = dir.path().join("ui.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "ui_config": {"enabled": true, "dir": ui, "content_path": "/consul/ui"},
            "http_config": {"response_headers": {"Access-Control-Allow-Origin": "https://ops.example",
                "X-Frame-Options": "SAMEORIGIN"}}
        })
        .to_string(),
    )
    .unwrap();
    let agent = AgentBuilder::server(&dir.path().join("data"))
        .arg(format!("-config-file={}", config.display()))
        .start();
    let base = agent.url();
    let (s, h, _) = get(&format!("{base}/"), &[]);
    assert_eq!((s, hv(&h, "location")), (301, "/consul/ui/"));
    let (s, h, body) = get(&format!("{base}/consul/ui/dc1/nodes"), &[]);
    assert_eq!(s, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "<html><head><base href=\"/consul/ui/\"></head><body>mine</body></html>"
    );
    // A user's build gets no policy of ours; the configured headers go on every answer.
    assert!(h.get("content-security-policy").is_none());
    assert_eq!(hv(&h, "access-control-allow-origin"), "https://ops.example");
    assert_eq!(hv(&h, "x-frame-options"), "SAMEORIGIN");
    let (_, h, _) = get(&format!("{base}/v1/status/leader"), &[]);
    assert_eq!(hv(&h, "access-control-allow-origin"), "https://ops.example");
    let (s, _, body) = get(&format!("{base}/consul/ui/assets/app.js"), &[]);
    assert_eq!((s, body.as_slice()), (200, &b"console.log(1)"[..]));
    // Nothing outside the directory, however the path is spelled.
    for path in [
        "/consul/ui/../secret.txt",
        "/consul/ui/%2e%2e/secret.txt",
        "/consul/ui/assets/%2e%2e/%2e%2e/secret.txt",
    ] {
        let (_, _, body) = get(&format!("{base}{path}"), &[]);
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{path}");
    }
    // The embedded UI is not at /ui/ any more.
    let (s, _, _) = get(&format!("{base}/ui/"), &[]);
    assert_eq!(s, 404);
}

#[test]
fn a_ui_dir_without_an_index_stops_the_start_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut agent = AgentBuilder::dev()
        .arg(format!("-ui-dir={}", dir.path().display()))
        .spawn();
    let (status, log) = agent.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(
        log.contains("cannot serve the web UI") && log.contains("index.html"),
        "{log}"
    );
}

#[test]
fn bad_response_headers_are_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("h.json");
    std::fs::write(
        &config,
        r#"{"http_config": {"response_headers": {"Bad Name": "x"}}}"#,
    )
    .unwrap();
    let mut agent = AgentBuilder::dev()
        .arg(format!("-config-file={}", config.display()))
        .spawn();
    let (status, log) = agent.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(
        log.contains("\"Bad Name\" is not a valid header name"),
        "{log}"
    );
}

#[test]
fn internal_ui_summaries_have_consuls_shape_and_block_until_the_catalog_changes() {
    let agent = AgentBuilder::dev().start();
    let base = agent.url();
    agent.put_ok(
        "/v1/catalog/register",
        r#"{"Node": "n2", "Address": "10.1.1.1",
            "Service": {"Service": "web", "ID": "web-1", "Port": 80, "Tags": ["b", "a"],
                        "Meta": {"external-source": "docker"}},
            "Checks": [{"CheckID": "node-ok", "Status": "passing"},
                       {"CheckID": "web-bad", "ServiceID": "web-1", "Status": "critical"}]}"#,
    );
    let (s, body) = http_get(&format!("{base}/v1/internal/ui/services")).unwrap();
    assert_eq!(s, 200);
    let services: Value = serde_json::from_str(&body).unwrap();
    let web = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == "web")
        .expect("web");
    assert_eq!(web["Tags"], serde_json::json!(["a", "b"]));
    assert_eq!(web["Nodes"], serde_json::json!(["n2"]));
    assert_eq!(web["ExternalSources"], serde_json::json!(["docker"]));
    assert_eq!(web["InstanceCount"], 1);
    assert_eq!(
        (web["ChecksPassing"].clone(), web["ChecksCritical"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(web["Datacenter"], "dc1");

    let (s, body) = http_get(&format!("{base}/v1/internal/ui/nodes")).unwrap();
    assert_eq!(s, 200);
    let nodes: Value = serde_json::from_str(&body).unwrap();
    let n2 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["Node"] == "n2")
        .expect("n2");
    assert_eq!(n2["Address"], "10.1.1.1");
    assert_eq!(n2["Services"][0]["Service"], "web");
    assert_eq!(n2["Checks"].as_array().unwrap().len(), 2);
    let (s, body) = http_get(&format!("{base}/v1/internal/ui/node/n2")).unwrap();
    assert_eq!(s, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["Node"], "n2");
    let (s, body) = http_get(&format!("{base}/v1/internal/ui/node/nope")).unwrap();
    assert_eq!((s, body.as_str()), (404, ""));

    // Blocking: a query at the current index waits, and returns once a check changes. (The
    // agent's own registrations may still move the index just after the start: then the
    // query answers at once and is asked again.)
    let mut parked = None;
    for _ in 0..20 {
        let (_, h, _) = get(&format!("{base}/v1/internal/ui/services"), &[]);
        let index: u64 = hv(&h, "x-consul-index").parse().unwrap();
        let url = format!("{base}/v1/internal/ui/services?index={index}&wait=20s");
        let waiter = std::thread::spawn(move || get(&url, &[]));
        std::thread::sleep(Duration::from_millis(300));
        if !waiter.is_finished() {
            parked = Some((index, waiter));
            break;
        }
    }
    let (index, waiter) = parked.expect("a query at the current index never blocked");
    agent.put_ok(
        "/v1/catalog/register",
        r#"{"Node": "n2", "Address": "10.1.1.1", "SkipNodeUpdate": true,
            "Check": {"CheckID": "web-bad", "ServiceID": "web-1", "Status": "passing"}}"#,
    );
    let (s, h, body) = waiter.join().unwrap();
    assert_eq!(s, 200);
    assert!(hv(&h, "x-consul-index").parse::<u64>().unwrap() > index);
    let services: Value = serde_json::from_slice(&body).unwrap();
    let web = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == "web")
        .unwrap();
    assert_eq!(
        (web["ChecksPassing"].clone(), web["ChecksCritical"].clone()),
        (2.into(), 0.into())
    );
}

#[test]
fn an_http_check_on_the_agents_own_address_passes_with_the_ui_on_and_off() {
    // Issue 13, defect 6: `/` redirects to the UI, and the UI answers.
    for ui in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let mut b = AgentBuilder::server(dir.path());
        if ui {
            b = b.arg("-ui");
        }
        let agent = b.start();
        agent.put_ok(
            "/v1/agent/check/register",
            &serde_json::json!({"Name": "self", "CheckID": "self", "HTTP": agent.url(),
                "Interval": "100ms"})
            .to_string(),
        );
        crate::common::cluster::eventually(
            &format!("the self check passes (ui {ui})"),
            &[&agent],
            || {
                http_get(&format!("{}/v1/agent/checks", agent.url()))
                    .map(|(_, body)| {
                        serde_json::from_str::<Value>(&body).unwrap_or_default()["self"]["Status"]
                            == "passing"
                    })
                    .unwrap_or(false)
            },
        );
    }
}
