//! End-to-end: `GET /v1/agent/service/:id` on a real `sd agent -dev` carries a `ContentHash`
//! (in the body and the `X-Consul-ContentHash` header) and blocks on `?hash` until the service
//! changes, as Consul's agent endpoints do.

use crate::common;

use std::time::Duration;

use common::{header, http, http_full, AgentBuilder};
use serde_json::{json, Value};

fn register(url: &str, tags: &[&str]) {
    let body = json!({"ID": "web-1", "Name": "web", "Port": 8080, "Tags": tags});
    let (status, text) = http(
        "PUT",
        &format!("{url}/v1/agent/service/register"),
        body.to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");
}

/// The service's JSON and the hash header.
fn get(url: &str, query: &str) -> (Value, String) {
    let (status, headers, body) =
        http_full("GET", &format!("{url}/v1/agent/service/web-1{query}"), b"").unwrap();
    assert_eq!(status, 200, "{body}");
    let hash = header(&headers, "x-consul-contenthash")
        .expect("X-Consul-ContentHash header")
        .to_string();
    (serde_json::from_str(&body).unwrap(), hash)
}

#[test]
fn agent_service_blocks_on_its_content_hash() {
    let a = AgentBuilder::dev().start();
    let url = a.url();
    register(&url, &["v1"]);

    let (first, hash) = get(&url, "");
    assert_eq!(first["ContentHash"], hash.as_str());
    assert_eq!(first["Service"], "web");
    assert!(!hash.is_empty());

    // The same service again: the same hash, and a query holding it waits out `wait`.
    register(&url, &["v1"]);
    let (again, same) = get(&url, &format!("?hash={hash}&wait=200ms"));
    assert_eq!(same, hash, "an unchanged service keeps its hash");
    assert_eq!(again["Tags"], json!(["v1"]));

    // A change wakes a query parked on the old hash with the new content.
    let parked = {
        let url = url.clone();
        let hash = hash.clone();
        std::thread::spawn(move || get(&url, &format!("?hash={hash}&wait=60s")))
    };
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !parked.is_finished(),
        "the query returned before any change"
    );
    register(&url, &["v2"]);
    let (changed, new_hash) = parked.join().unwrap();
    assert_ne!(new_hash, hash);
    assert_eq!(changed["Tags"], json!(["v2"]));
    assert_eq!(changed["ContentHash"], new_hash.as_str());

    // A hash from an earlier content answers at once.
    let (now, now_hash) = get(&url, &format!("?hash={hash}&wait=60s"));
    assert_eq!(now_hash, new_hash);
    assert_eq!(now["Tags"], json!(["v2"]));

    // An unknown service is a 404, hash or not.
    let (status, _, _) = http_full(
        "GET",
        &format!("{url}/v1/agent/service/nope?hash=1&wait=60s"),
        b"",
    )
    .unwrap();
    assert_eq!(status, 404);
}
