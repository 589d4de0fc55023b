//! End-to-end: user events across three servers and a client agent: `sd event` fired on one
//! agent reaches every agent with one ID and Lamport time; node, service and tag filters pick
//! who keeps it; `/v1/event/list` filters by name and its blocking query wakes on a new event;
//! bad input is refused with Consul's words.

use std::time::{Duration, Instant};

use crate::common;
use common::cluster::{
    client_agent, eventually, first_server, joining_server, members, peers, ALIVE,
};
use common::{fails, http, http_full, http_get, loopback_block, loopback_host, ok, Agent};

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
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let d = |n: &str| tmp.path().join(n);
    let s1 = first_server(ip(1), &d("s1"), "s1").start();
    let s2 = joining_server(ip(2), &d("s2"), "s2", ip(1)).spawn();
    let s3 = joining_server(ip(3), &d("s3"), "s3", ip(1)).spawn();
    let c1 = client_agent(ip(4), &d("c1"), "c1", ip(1)).spawn();
    let all = [&s1, &s2, &s3, &c1];
    for a in all {
        eventually("four alive members", &all, || {
            let m = members(a);
            m.len() == 4 && m.iter().all(|(_, s)| *s == ALIVE)
        });
    }
    eventually("three voters", &all, || peers(&s1).len() == 3);
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
    for a in all {
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
    assert!(list(&s1, "?name=other").is_empty());

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
        has(&s2, &only_s2) && has(&c1, &only_web)
    });
    // Give the others time to have heard them too, then check they did not keep them.
    let later = ok(&s3.cli(&["event", "-name=marker"]));
    let marker = later.trim().strip_prefix("Event ID: ").unwrap().to_string();
    for a in all {
        eventually("the marker everywhere", &all, || has(a, &marker));
    }
    for a in [&s1, &s3, &c1] {
        assert!(!has(a, &only_s2));
    }
    for a in [&s1, &s2, &s3] {
        assert!(!has(a, &only_web));
    }
    let lt = |id: &str| {
        list(&s2, "")
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
