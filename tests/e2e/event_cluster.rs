//! End-to-end: user events across three servers and a client agent: `sd event` fired on one
//! agent reaches every agent with one ID and Lamport time; node, service and tag filters pick
//! who keeps it; `/v1/event/list` filters by name and its blocking query wakes on a new event;
//! bad input is refused with Consul's words.

use std::time::{Duration, Instant};

use crate::common;
use common::cluster::{eventually, Cluster};
use common::{fails, http, http_full, http_get, ok, Agent};

fn list(a: &Agent, query: &str) -> Vec<serde_json::Value> {
    let (status, body) = http_get(&format!("{}/v1/event/list{query}", a.url())).unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn has(a: &Agent, id: &str) -> bool {
    list(a, "").iter().any(|e| e["ID"] == id)
}

#[test]
fn events_reach_every_agent_their_filters_pick() {
    let c = Cluster::start();
    let (s1, s2, s3, c1) = (&c.servers[0], &c.servers[1], &c.servers[2], &c.client);
    let all = c.all();
    let (status, text) = http(
        "PUT",
        &format!("{}/v1/agent/service/register", c1.url()),
        br#"{"Name":"web","Tags":["v2"],"Port":80}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");

    // An empty list blocks until the first event (it does not spin on index 1).
    let (_, headers, body) = http_full("GET", &format!("{}/v1/event/list", s3.url()), b"").unwrap();
    assert_eq!(body.trim(), "[]");
    let index = common::header(&headers, "x-consul-index")
        .unwrap()
        .to_string();
    let url = format!("{}/v1/event/list?index={index}&wait=20s", s3.url());
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let (_, body) = http_get(&url).unwrap();
        (started.elapsed(), body)
    });
    std::thread::sleep(Duration::from_millis(500));

    // Fired through the client with the CLI: everyone keeps it, with one ID and LTime.
    let out = ok(&c1.cli(&["event", "-name=deploy", "v1.2.3"]));
    let id = out
        .trim()
        .strip_prefix("Event ID: ")
        .expect(&out)
        .to_string();
    for a in all.iter().copied() {
        eventually("the event everywhere", &all, || has(a, &id));
    }
    let (took, body) = waiter.join().unwrap();
    assert!(body.contains(&id), "{body}");
    assert!(
        took < Duration::from_secs(10),
        "woken by the event: {took:?}"
    );
    let seen: Vec<serde_json::Value> = all
        .iter()
        .map(|a| {
            list(a, "?name=deploy")
                .into_iter()
                .find(|e| e["ID"] == id.as_str())
                .unwrap()
        })
        .collect();
    assert!(seen.iter().all(|e| e == &seen[0]), "{seen:?}");
    assert_eq!(seen[0]["Payload"], "djEuMi4z", "base64 of v1.2.3");
    assert!(seen[0]["LTime"].as_u64().unwrap() >= 1);
    assert_eq!(seen[0]["Version"], 1);
    assert!(list(s1, "?name=other").is_empty());

    // Filters: a node, and a service with a tag.
    let out = ok(&s1.cli(&["event", "-name=restart", "-node=^s2$"]));
    let only_s2 = out.trim().strip_prefix("Event ID: ").unwrap().to_string();
    let (status, body) = http(
        "PUT",
        &format!("{}/v1/event/fire/reload?service=web&tag=v2", s2.url()),
        b"",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let only_web: String = serde_json::from_str::<serde_json::Value>(&body).unwrap()["ID"]
        .as_str()
        .unwrap()
        .into();
    eventually("the filtered events where they belong", &all, || {
        has(s2, &only_s2) && has(c1, &only_web)
    });
    // Give the others time to have heard them too, then check they did not keep them.
    let later = ok(&s3.cli(&["event", "-name=marker"]));
    let marker = later.trim().strip_prefix("Event ID: ").unwrap().to_string();
    for a in all.iter().copied() {
        eventually("the marker everywhere", &all, || has(a, &marker));
    }
    for a in [&s1, &s3, &c1] {
        assert!(!has(a, &only_s2));
    }
    for a in [&s1, &s2, &s3] {
        assert!(!has(a, &only_web));
    }
    let lt = |id: &str| {
        list(s2, "")
            .iter()
            .find(|e| e["ID"] == id)
            .map(|e| e["LTime"].as_u64().unwrap())
    };
    assert!(lt(&marker) > lt(&id), "Lamport times grow");

    // Bad input.
    let err = fails(&c1.cli(&["event", "payload"]), 1);
    assert_eq!(err.trim(), "Event name must be specified");
    let err = fails(&c1.cli(&["event", "-name=x", "-tag=v2"]), 1);
    assert_eq!(
        err.trim(),
        "Cannot provide tag filter without service filter."
    );
    let (status, text) = http("PUT", &format!("{}/v1/event/fire/x?node=(", c1.url()), b"").unwrap();
    assert_eq!(status, 400);
    assert!(text.starts_with("Invalid node filter"), "{text}");
    let big = vec![b'x'; 600];
    let (status, _) = http("PUT", &format!("{}/v1/event/fire/x", c1.url()), &big).unwrap();
    assert_eq!(status, 413);
}
