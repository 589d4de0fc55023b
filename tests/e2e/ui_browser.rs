//! The web UI in a real browser (Debian's chromium through chromium-driver) against a real
//! `-dev` agent: each view renders what the API holds, updates by itself, and shows strings
//! from the catalog and KV as text. Screenshots of each view land in `target/ui-screenshots/`.

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
    assert_eq!(b.count("tbody tr"), 3, "consul, redis and web");
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
}
