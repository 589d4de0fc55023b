//! The web UI in a real browser (Debian's chromium through chromium-driver) against a real
//! `-dev` agent: each view renders what the API holds, updates by itself, and shows strings
//! from the catalog and KV as text; under ACLs it shows what the token set with its Token
//! button may read; with two datacenters its selector opens the other one's views. Screenshots of each view land in `target/ui-screenshots/`.

use std::time::Duration;

use serde_json::json;

use crate::common::browser::Browser;
use crate::common::AgentBuilder;

const WAIT: Duration = Duration::from_secs(15);

fn register(agent: &crate::common::Agent, body: serde_json::Value) {
    agent.put_ok("/v1/agent/service/register", &body.to_string());
}

fn web(agent: &crate::common::Agent, i: u32, tags: &[&str]) {
    register(
        agent,
        json!({"Name": "web", "ID": format!("web-{i}"), "Port": 8080 + i, "Tags": tags,
            "Meta": {"version": format!("1.{i}")},
            "Check": {"CheckID": format!("web-{i}-ttl"), "Name": "web ttl", "TTL": "1h",
                "Status": "passing"}}),
    );
}

#[test]
fn services_view_lists_services_and_follows_the_catalog_without_a_reload() {
    let agent = AgentBuilder::dev().start();
    web(&agent, 1, &["v1", "edge"]);
    web(&agent, 2, &["v1"]);
    register(
        &agent,
        json!({"Name": "redis", "Port": 6379, "Tags": ["primary"]}),
    );
    let b = Browser::start();
    b.goto(&format!("{}/ui/", agent.url()));
    b.wait_render("services", 0);
    assert!(b.js("return location.pathname", vec![]) == json!("/ui/dc1/services"));
    let web_row = r#"tr[data-service="web"]"#;
    assert_eq!(
        b.text(&format!("{web_row} td[data-label=Instances]")),
        "2 on 1 node"
    );
    assert!(b.text(web_row).contains("edge"));
    // The agent's own `consul` service reaches the catalog a moment after the leader.
    b.wait_until(
        "consul, redis and web",
        "return document.querySelectorAll('tbody tr').length === 3",
        WAIT,
    );
    // One blocking query is all the page keeps open.
    b.wait_until(
        "one open request",
        "return document.documentElement.dataset.openRequests === '1'",
        WAIT,
    );
    b.screenshot("services");

    // A marker on the window proves no reload happens from here on.
    b.js("window.__kept = 42", vec![]);
    register(&agent, json!({"Name": "payments", "Port": 9000}));
    b.wait_until(
        "payments to appear",
        r#"return document.querySelector('tr[data-service="payments"]') !== null"#,
        WAIT,
    );
    agent.put_ok("/v1/agent/check/fail/web-2-ttl?note=down", "");
    b.wait_until(
        "web to turn critical",
        r#"return document.querySelector('tr[data-service="web"]').dataset.status === 'critical'"#,
        WAIT,
    );
    let critical = b.text(&format!("{web_row} .count.critical"));
    assert!(critical.ends_with('1'), "{critical}");
    assert_eq!(
        b.js("return window.__kept", vec![]),
        json!(42),
        "the page reloaded"
    );
    b.screenshot("services-after-a-check-failed");

    // Filters: by health and by tag, kept in the URL.
    b.click("#service-status");
    b.js(
        "const s = document.querySelector('#service-status'); s.value = 'critical'; s.dispatchEvent(new Event('change'))",
        vec![],
    );
    assert_eq!(b.count("tbody tr"), 1);
    assert!(b
        .js("return location.search", vec![])
        .as_str()
        .unwrap()
        .contains("status=critical"));
    b.js(
        "const s = document.querySelector('#service-status'); s.value = ''; s.dispatchEvent(new Event('change'))",
        vec![],
    );
    b.type_into("#service-search", "prim");
    assert_eq!(b.count("tbody tr"), 1, "search matches redis by its tag");

    // By keyboard: Enter on a focused navigation link opens its view.
    let before = b.renders();
    b.press_enter(r#"#nav a[href$="/nodes"]"#);
    b.wait_render("nodes", before);
}

#[test]
fn service_and_node_views_show_instances_checks_and_follow_links_and_the_back_button() {
    let agent = AgentBuilder::dev().start();
    web(&agent, 1, &["v1", "edge"]);
    web(&agent, 2, &["v1"]);
    agent.put_ok(
        "/v1/agent/check/fail/web-2-ttl?note=connection%20refused",
        "",
    );
    // A second node, registered in the catalog directly, with a warning node check.
    agent.put_ok(
        "/v1/catalog/register",
        &json!({"Node": "db-1", "Address": "10.0.0.7", "NodeMeta": {"rack": "r2"},
            "Service": {"Service": "web", "ID": "web-db", "Port": 80, "Address": "10.0.0.8"},
            "Check": {"CheckID": "mem", "Name": "memory", "Status": "warning",
                "Output": "87% used"}})
        .to_string(),
    );
    let b = Browser::start();
    b.goto(&format!("{}/ui/dc1/services/web", agent.url()));
    b.wait_render("service", 0);
    assert_eq!(b.count("section.instance"), 3);
    let failing = r#"section[data-instance="web-2"]"#;
    assert_eq!(
        b.js(
            &format!("return document.querySelector('{failing}').dataset.status"),
            vec![]
        ),
        json!("critical")
    );
    let text = b.text(failing);
    assert!(text.contains(":8082"), "{text}");
    assert!(text.contains("connection refused"), "{text}");
    assert!(text.contains("version") && text.contains("1.2"), "{text}");
    // The instance on db-1 shows its own address and the node's warning.
    let remote = b.text(r#"section[data-instance="web-db"]"#);
    assert!(
        remote.contains("10.0.0.8:80") && remote.contains("87% used"),
        "{remote}"
    );
    b.screenshot("service");

    // Follow the node link, then come back with the browser's back button.
    let before = b.renders();
    b.click(r#"section[data-instance="web-db"] a[href$="/nodes/db-1"]"#);
    b.wait_render("node", before);
    assert_eq!(
        b.js("return location.pathname", vec![]),
        json!("/ui/dc1/nodes/db-1")
    );
    let node = b.text("main");
    assert!(
        node.contains("10.0.0.7") && node.contains("rack") && node.contains("memory"),
        "{node}"
    );
    b.screenshot("node");
    let before = b.renders();
    b.back();
    b.wait_render("service", before);
    assert_eq!(b.count("section.instance"), 3);

    // The nodes list: both nodes, their health and services, the leader marked.
    b.goto(&format!("{}/ui/dc1/nodes", agent.url()));
    b.wait_render("nodes", 0);
    assert_eq!(b.count("tbody tr"), 2);
    assert_eq!(
        b.js(
            r#"return document.querySelector('tr[data-node="db-1"]').dataset.status"#,
            vec![]
        ),
        json!("warning")
    );
    b.wait_until(
        "the leader mark",
        "return document.querySelector('.leader') !== null",
        WAIT,
    );
    b.screenshot("nodes");
    // An unknown node says so.
    b.goto(&format!("{}/ui/dc1/nodes/nope", agent.url()));
    b.wait_render("node", 0);
    assert!(b.text("main").contains("no node named nope"));
}

#[test]
fn kv_editor_creates_validates_reports_conflicts_and_deletes() {
    let agent = AgentBuilder::dev().start();
    agent.put_ok("/v1/kv/config/db/url", "postgres://db");
    let b = Browser::start();
    b.goto(&format!("{}/ui/dc1/kv/", agent.url()));
    b.wait_render("kv", 0);
    assert_eq!(b.text(r#"tr[data-key="config/"] a"#), "config/");
    let before = b.renders();
    b.click(r#"tr[data-key="config/"] a"#);
    b.wait_render("kv", before);
    assert_eq!(
        b.js("return location.pathname", vec![]),
        json!("/ui/dc1/kv/config/")
    );
    b.screenshot("kv-folder");

    // Create a key: invalid JSON is refused, valid JSON is saved and readable through the API.
    b.click("#kv-create");
    b.wait_render("kv-create", 0);
    b.type_into("#kv-key", "app");
    b.js("document.querySelector('#kv-json').checked = true", vec![]);
    b.type_into("#kv-value", "{\"port\": 80,");
    b.click("#kv-save");
    b.wait_until(
        "the JSON error",
        "return document.querySelector('.editor .error:not([hidden])')?.textContent",
        WAIT,
    );
    assert_eq!(http_status(&agent, "/v1/kv/config/app"), 404);
    b.type_into("#kv-value", "{\"port\": 80, \"tls\": true}");
    let before = b.renders();
    b.click("#kv-save");
    b.wait_render("kv-edit", before);
    assert_eq!(
        b.js("return location.pathname", vec![]),
        json!("/ui/dc1/kv/config/app/edit")
    );
    let (status, raw) =
        crate::common::http_get(&format!("{}/v1/kv/config/app?raw", agent.url())).expect("GET");
    assert_eq!(
        (status, raw.as_str()),
        (200, "{\"port\": 80, \"tls\": true}")
    );
    // Shown formatted.
    let shown = b.js("return document.querySelector('#kv-value').value", vec![]);
    assert_eq!(shown, json!("{\n  \"port\": 80,\n  \"tls\": true\n}"));
    b.screenshot("kv-editor");

    // Someone else changes the key while it is open with an edit: saving reports the conflict
    // and keeps their value.
    b.type_into("#kv-value", "{\"port\": 81}");
    agent.put_ok("/v1/kv/config/app", "{\"port\": 9999}");
    b.click("#kv-save");
    b.wait_until(
        "the conflict",
        "return document.querySelector('.note.conflict')?.textContent",
        WAIT,
    );
    let (_, raw) =
        crate::common::http_get(&format!("{}/v1/kv/config/app?raw", agent.url())).expect("GET");
    assert_eq!(
        raw, "{\"port\": 9999}",
        "a conflicting save overwrote the key"
    );
    assert!(b.text(".note.conflict").contains("9999"));
    b.screenshot("kv-conflict");
    // Saving again, knowingly, replaces it.
    b.click("#kv-save");
    b.wait_until(
        "the save",
        "return document.querySelector('.note.ok')?.textContent",
        WAIT,
    );
    let (_, raw) =
        crate::common::http_get(&format!("{}/v1/kv/config/app?raw", agent.url())).expect("GET");
    assert_eq!(raw, "{\"port\": 81}");

    // Delete asks first; dismissing nothing, accepting deletes and returns to the folder.
    let before = b.renders();
    b.click("#kv-delete");
    let asked = b.accept_dialog();
    assert!(asked.contains("config/app"), "{asked}");
    b.wait_render("kv", before);
    assert_eq!(http_status(&agent, "/v1/kv/config/app"), 404);
    assert_eq!(
        b.js("return location.pathname", vec![]),
        json!("/ui/dc1/kv/config/")
    );
}

fn http_status(agent: &crate::common::Agent, path: &str) -> u16 {
    crate::common::http_get(&format!("{}{path}", agent.url()))
        .expect("GET")
        .0
}

#[test]
fn strings_from_the_catalog_checks_and_kv_stay_text() {
    let agent = AgentBuilder::dev().start();
    let evil = "<img src=x onerror=alert(1)>";
    register(
        &agent,
        json!({"Name": evil, "Port": 1, "Tags": ["<script>alert(2)</script>"],
            "Meta": {"m": "<b onmouseover=alert(3)>x</b>"},
            "Check": {"CheckID": "xss", "Name": "<svg onload=alert(4)>", "TTL": "1h",
                "Status": "critical"}}),
    );
    agent.put_ok(
        "/v1/agent/check/fail/xss?note=%3Cimg%20src%3Dx%20onerror%3Dalert(5)%3E",
        "",
    );
    let evil_key = "<img src=x onerror=alert(6)>";
    agent.put_ok(&format!("/v1/kv/{}", urlencode(evil_key)), evil);
    let b = Browser::start();
    let base = agent.url();
    let no_markup =
        "return document.querySelectorAll('main img, main script, main svg, main b').length === 0";
    for (path, view) in [
        ("/ui/dc1/services".to_string(), "services"),
        (format!("/ui/dc1/services/{}", urlencode(evil)), "service"),
        ("/ui/dc1/nodes".to_string(), "nodes"),
        ("/ui/dc1/kv/".to_string(), "kv"),
        (
            format!("/ui/dc1/kv/{}/edit", urlencode(evil_key)),
            "kv-edit",
        ),
    ] {
        b.goto(&format!("{base}{path}"));
        b.wait_render(view, 0);
        assert!(!b.dialog_open(), "{path}: a script ran");
        assert_eq!(
            b.js(
                "return document.documentElement.dataset.cspViolations || '0'",
                vec![]
            ),
            json!("0"),
            "{path}: the page tried something its policy forbids"
        );
        assert_eq!(
            b.js(no_markup, vec![]),
            json!(true),
            "{path}: markup got in"
        );
        let text = b.text("main");
        assert!(
            text.contains('<'),
            "{path} should show the strings as text:\n{text}"
        );
    }
    // The editor holds the value as the textarea's text.
    assert_eq!(
        b.js("return document.querySelector('#kv-value').value", vec![]),
        json!(evil)
    );
    b.goto(&format!("{base}/ui/dc1/services/{}", urlencode(evil)));
    b.wait_render("service", 0);
    let shown = b.text("main");
    assert!(
        shown.contains("alert(5)") && shown.contains("<script>alert(2)</script>"),
        "{shown}"
    );
    b.screenshot("xss-as-text");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn cluster_and_changes_views_show_members_peers_and_transitions_as_they_happen() {
    let agent = AgentBuilder::dev().start();
    web(&agent, 1, &[]);
    let b = Browser::start();
    b.goto(&format!("{}/ui/dc1/cluster", agent.url()));
    b.wait_render("cluster", 0);
    assert_eq!(b.count("table.members tbody tr"), 1);
    assert_eq!(
        b.js(
            "return document.querySelector('table.members tbody tr').dataset.status",
            vec![]
        ),
        json!("alive")
    );
    assert!(b.text("table.peers").contains("leader"));
    b.screenshot("cluster");

    b.goto(&format!("{}/ui/dc1/changes", agent.url()));
    b.wait_render("changes", 0);
    let before = b.renders();
    agent.put_ok("/v1/agent/check/fail/web-1-ttl?note=it%20broke", "");
    b.wait_render("changes", before);
    b.wait_until(
        "the transition",
        r#"return document.querySelector('li.change[data-kind="health"][data-status="critical"]')?.textContent"#,
        WAIT,
    );
    let entry = b.text(r#"li.change[data-kind="health"]"#);
    assert!(
        entry.contains("passing → critical") && entry.contains("it broke"),
        "{entry}"
    );
    register(&agent, json!({"Name": "late", "Port": 1}));
    b.wait_until(
        "the registration",
        r#"return [...document.querySelectorAll('li.change[data-kind="registration"]')].some((e) => e.textContent.includes('late'))"#,
        WAIT,
    );
    b.screenshot("changes");
}

#[test]
fn views_fit_a_phone_and_follow_the_dark_scheme() {
    let agent = AgentBuilder::dev().start();
    web(&agent, 1, &["v1", "edge"]);
    agent.put_ok("/v1/agent/check/warn/web-1-ttl?note=slow", "");
    let b = Browser::with(390, 844, true);
    b.goto(&format!("{}/ui/dc1/services", agent.url()));
    b.wait_render("services", 0);
    // Nothing wider than the screen.
    assert_eq!(
        b.js(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            vec![]
        ),
        json!(true)
    );
    assert_eq!(
        b.js(
            "return matchMedia('(prefers-color-scheme: dark)').matches",
            vec![]
        ),
        json!(true)
    );
    let bg = b.js(
        "return getComputedStyle(document.body).backgroundColor",
        vec![],
    );
    assert_eq!(bg, json!("rgb(18, 22, 28)"));
    b.screenshot("services-phone-dark");
    b.goto(&format!("{}/ui/dc1/services/web", agent.url()));
    b.wait_render("service", 0);
    assert_eq!(
        b.js(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            vec![]
        ),
        json!(true)
    );
    b.screenshot("service-phone-dark");
}

#[test]
fn a_client_agent_serves_the_ui_and_keeps_it_live_through_its_server() {
    use crate::common::cluster::{eventually, status_of};
    use crate::common::{loopback_block, loopback_host};
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let server = AgentBuilder::server(&tmp.path().join("s"))
        .arg("-node=ui-server")
        .at(ip(1))
        .start();
    let client = AgentBuilder::dev_free()
        .arg(format!("-data-dir={}", tmp.path().join("c").display()))
        .arg("-node=ui-client")
        .arg(format!("-retry-join={}", ip(1)))
        .arg("-ui")
        .at(ip(2))
        .start();
    eventually("the client is alive", &[&server, &client], || {
        status_of(&server, "ui-client") == Some(1)
    });
    web(&client, 1, &["on-client"]);
    let b = Browser::start();
    b.goto(&format!("{}/ui/dc1/services", client.url()));
    b.wait_until(
        "web, registered on the client, to show",
        r#"return document.querySelector('tr[data-service="web"]') !== null"#,
        Duration::from_secs(30),
    );
    client.put_ok("/v1/agent/check/fail/web-1-ttl", "");
    b.wait_until(
        "web to turn critical",
        r#"return document.querySelector('tr[data-service="web"]').dataset.status === 'critical'"#,
        Duration::from_secs(30),
    );
    b.goto(&format!("{}/ui/dc1/nodes", client.url()));
    b.wait_render("nodes", 0);
    let nodes = b.text("table.nodes");
    assert!(
        nodes.contains("ui-server") && nodes.contains("ui-client"),
        "{nodes}"
    );
    b.screenshot("nodes-from-a-client-agent");
}

#[test]
fn under_acls_the_ui_shows_what_its_token_may_read() {
    use crate::acl::{call, secured_server, MGMT};
    let tmp = tempfile::tempdir().unwrap();
    let agent = secured_server(tmp.path());
    let reg = r#"{"Name":"web","Port":80}"#;
    assert_eq!(
        call(&agent, "PUT", "/v1/agent/service/register", Some(MGMT), reg).0,
        200
    );
    crate::common::cluster::eventually("web in the catalog", &[&agent], || {
        call(&agent, "GET", "/v1/catalog/service/web", Some(MGMT), "")
            .2
            .contains("web")
    });
    assert_eq!(
        call(&agent, "PUT", "/v1/kv/app/config", Some(MGMT), "v1").0,
        200
    );
    let b = Browser::start();
    // Without a token the lists are empty (filtered, as the API answers them), and a key
    // says why it cannot be read.
    b.goto(&format!("{}/ui/dc1/services", agent.url()));
    b.wait_render("services", 0);
    assert_eq!(b.count(r#"tr[data-service="web"]"#), 0);
    b.goto(&format!("{}/ui/dc1/kv/app/config/edit", agent.url()));
    b.wait_until(
        "the KV view to report the denial",
        "const s = document.getElementById('status'); return !s.hidden && s.textContent.includes('403');",
        WAIT,
    );
    assert!(
        b.text("#status").contains("Token button"),
        "{}",
        b.text("#status")
    );
    // The management token through the Token button: everything shows, live.
    b.goto(&format!("{}/ui/dc1/services", agent.url()));
    b.wait_render("services", 0);
    b.click("#token-open");
    b.type_into("#token-input", MGMT);
    b.click(r#"#token-form button[value="save"]"#);
    b.wait_until(
        "web listed with the token",
        r#"return document.querySelector('tr[data-service="web"]') !== null"#,
        WAIT,
    );
    assert_eq!(b.text("#token-open"), "Token ✓");
    b.screenshot("services-with-an-acl-token");
}

#[test]
fn the_datacenter_selector_opens_the_same_view_in_another_datacenter() {
    use crate::common::federation::Federation;
    let f = Federation::start_with(&["-ui"]);
    let (c1, c2) = (&f.dc1.client, &f.dc2.client);
    register(c2, json!({"Name": "only-in-dc2", "Port": 9000}));
    let b = Browser::start();
    b.goto(&format!("{}/ui/dc1/services", c1.url()));
    b.wait_render("services", 0);
    b.wait_until(
        "both datacenters in the selector",
        "return [...document.querySelectorAll('#dc option')].map(o => o.value).sort().join() === 'dc1,dc2'",
        WAIT,
    );
    assert_eq!(
        b.js("return document.getElementById('dc').value", vec![]),
        json!("dc1")
    );
    let rendered = b.renders();
    b.js(
        "const s = document.getElementById('dc'); s.value = 'dc2'; s.dispatchEvent(new Event('change')); return true",
        vec![],
    );
    b.wait_render("services", rendered);
    assert_eq!(
        b.js("return location.pathname", vec![]),
        json!("/ui/dc2/services")
    );
    b.wait_until(
        "dc2's service, read through dc1's agent",
        r#"return document.querySelector('tr[data-service="only-in-dc2"]') !== null"#,
        Duration::from_secs(30),
    );
    assert_eq!(
        b.js("return document.getElementById('dc').value", vec![]),
        json!("dc2")
    );
    b.screenshot("services-of-another-datacenter");
}
