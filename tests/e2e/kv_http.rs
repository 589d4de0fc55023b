//! End-to-end: Consul's KV HTTP API against the real binary.

use crate::common;

use std::time::{Duration, Instant};

use common::{header, http, http_full, http_get, AgentBuilder};

#[test]
fn put_get_delete_round_trip() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    assert_eq!(
        http("PUT", &format!("{u}/v1/kv/web/config?flags=42"), b"hello").unwrap(),
        (200, "true".into())
    );
    let (status, headers, body) = http_full("GET", &format!("{u}/v1/kv/web/config"), b"").unwrap();
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["Key"], "web/config");
    assert_eq!(v[0]["Flags"], 42);
    assert_eq!(v[0]["Value"], "aGVsbG8=");
    let index: u64 = header(&headers, "x-consul-index").unwrap().parse().unwrap();
    assert_eq!(v[0]["ModifyIndex"], index);
    assert_eq!(header(&headers, "x-consul-knownleader"), Some("true"));
    assert_eq!(
        http_get(&format!("{u}/v1/kv/web/config?raw")).unwrap(),
        (200, "hello".into())
    );
    assert_eq!(
        http("DELETE", &format!("{u}/v1/kv/web/config"), b"").unwrap(),
        (200, "true".into())
    );
    assert_eq!(http_get(&format!("{u}/v1/kv/web/config")).unwrap().0, 404);
}

#[test]
fn flags_are_full_u64_and_bad_input_is_400() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    let max = u64::MAX;
    assert_eq!(
        http("PUT", &format!("{u}/v1/kv/f?flags={max}"), b"")
            .unwrap()
            .0,
        200
    );
    let (_, body) = http_get(&format!("{u}/v1/kv/f")).unwrap();
    assert!(body.contains(&format!("\"Flags\":{max}")), "{body}");
    for bad in ["flags=-1", "flags=x", "cas=1.5"] {
        let (status, body) = http("PUT", &format!("{u}/v1/kv/f?{bad}"), b"").unwrap();
        assert_eq!(status, 400, "{bad}: {body}");
    }
    assert_eq!(http("PUT", &format!("{u}/v1/kv/"), b"x").unwrap().0, 400);
    assert_eq!(http_get(&format!("{u}/v1/kv/f?index=abc")).unwrap().0, 400);
    assert_eq!(http_get(&format!("{u}/v1/kv/f?wait=10")).unwrap().0, 400);
    assert_eq!(
        http_get(&format!("{u}/v1/kv/f?stale&consistent"))
            .unwrap()
            .0,
        400
    );
    let (status, body) = http_get(&format!("{u}/v1/kv/f?dc=elsewhere")).unwrap();
    assert_eq!(status, 500);
    assert!(body.contains("No path to datacenter"), "{body}");
    assert_eq!(http_get(&format!("{u}/v1/kv/f?dc=dc1")).unwrap().0, 200);
}

#[test]
fn cas_semantics() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    assert_eq!(
        http("PUT", &format!("{u}/v1/kv/c?cas=0"), b"1").unwrap().1,
        "true"
    );
    assert_eq!(
        http("PUT", &format!("{u}/v1/kv/c?cas=0"), b"2").unwrap().1,
        "false"
    );
    let (_, body) = http_get(&format!("{u}/v1/kv/c")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let idx = v[0]["ModifyIndex"].as_u64().unwrap();
    assert_eq!(
        http("PUT", &format!("{u}/v1/kv/c?cas={}", idx + 100), b"3")
            .unwrap()
            .1,
        "false"
    );
    assert_eq!(
        http("PUT", &format!("{u}/v1/kv/c?cas={idx}"), b"3")
            .unwrap()
            .1,
        "true"
    );
    assert_eq!(
        http("DELETE", &format!("{u}/v1/kv/c?cas={idx}"), b"")
            .unwrap()
            .1,
        "false"
    );
    let (_, body) = http_get(&format!("{u}/v1/kv/c")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let idx = v[0]["ModifyIndex"].as_u64().unwrap();
    assert_eq!(
        http("DELETE", &format!("{u}/v1/kv/c?cas={idx}"), b"")
            .unwrap()
            .1,
        "true"
    );
}

#[test]
fn recurse_keys_and_separator() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    for k in ["app/a", "app/b/c", "app/b/d", "apple", "db/x"] {
        assert_eq!(
            http("PUT", &format!("{u}/v1/kv/{k}"), k.as_bytes())
                .unwrap()
                .0,
            200
        );
    }
    let (_, body) = http_get(&format!("{u}/v1/kv/app?keys")).unwrap();
    assert_eq!(body, r#"["app/a","app/b/c","app/b/d","apple"]"#);
    let (_, body) = http_get(&format!("{u}/v1/kv/app/?keys&separator=/")).unwrap();
    assert_eq!(body, r#"["app/a","app/b/"]"#);
    let (_, body) = http_get(&format!("{u}/v1/kv/app/?recurse=true")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let (_, body) = http_get(&format!("{u}/v1/kv/?recurse")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        http_get(&format!("{u}/v1/kv/nothing/?recurse")).unwrap().0,
        404
    );
    assert_eq!(
        http("DELETE", &format!("{u}/v1/kv/app/?recurse"), b"")
            .unwrap()
            .1,
        "true"
    );
    let (_, body) = http_get(&format!("{u}/v1/kv/?keys")).unwrap();
    assert_eq!(body, r#"["apple","db/x"]"#);
}

#[test]
fn value_size_limit_is_413() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    let ok = vec![b'x'; 512 * 1024];
    assert_eq!(http("PUT", &format!("{u}/v1/kv/big"), &ok).unwrap().0, 200);
    let too_big = vec![b'x'; 512 * 1024 + 1];
    let (status, body) = http("PUT", &format!("{u}/v1/kv/big"), &too_big).unwrap();
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("kv_max_value_size"), "{body}");
}

#[test]
fn pretty_prints_with_four_spaces() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    http("PUT", &format!("{u}/v1/kv/p"), b"v").unwrap();
    let (_, body) = http_get(&format!("{u}/v1/kv/p?pretty")).unwrap();
    assert!(body.starts_with("[\n    {\n        \""), "{body}");
}

#[test]
fn blocking_query_wakes_on_its_key_only() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    http("PUT", &format!("{u}/v1/kv/watched"), b"1").unwrap();
    let (_, headers, _) = http_full("GET", &format!("{u}/v1/kv/watched"), b"").unwrap();
    let index: u64 = header(&headers, "x-consul-index").unwrap().parse().unwrap();

    let url = format!("{u}/v1/kv/watched?index={index}&wait=20s");
    let waiter = std::thread::spawn(move || {
        let start = Instant::now();
        let (status, headers, body) = http_full("GET", &url, b"").unwrap();
        (
            start.elapsed(),
            status,
            header(&headers, "x-consul-index").map(str::to_string),
            body,
        )
    });
    // Writes elsewhere must not wake it; give the waiter time to park first.
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..5 {
        http("PUT", &format!("{u}/v1/kv/other/{i}"), b"x").unwrap();
        http("PUT", &format!("{u}/v1/kv/watched-not/{i}"), b"x").unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !waiter.is_finished(),
        "a write to another key woke the watcher"
    );
    http("PUT", &format!("{u}/v1/kv/watched"), b"2").unwrap();
    let (elapsed, status, new_index, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    assert!(elapsed < Duration::from_secs(10), "woke after {elapsed:?}");
    assert!(new_index.unwrap().parse::<u64>().unwrap() > index);
    assert!(body.contains("\"Value\":\"Mg==\""), "{body}");
}

#[test]
fn blocking_query_times_out_with_wait() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    http("PUT", &format!("{u}/v1/kv/t"), b"1").unwrap();
    let (_, headers, _) = http_full("GET", &format!("{u}/v1/kv/t"), b"").unwrap();
    let index = header(&headers, "x-consul-index").unwrap().to_string();
    let start = Instant::now();
    let (status, headers, _) =
        http_full("GET", &format!("{u}/v1/kv/t?index={index}&wait=500ms"), b"").unwrap();
    let elapsed = start.elapsed();
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "x-consul-index"), Some(index.as_str()));
    // wait plus at most wait/16 of jitter; the upper bound is generous for slow machines.
    assert!(
        elapsed >= Duration::from_millis(490),
        "returned early: {elapsed:?}"
    );
}

#[test]
fn blocking_prefix_query_wakes_on_delete_under_prefix() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    http("PUT", &format!("{u}/v1/kv/svc/a"), b"1").unwrap();
    http("PUT", &format!("{u}/v1/kv/svc/b"), b"1").unwrap();
    let (_, headers, _) = http_full("GET", &format!("{u}/v1/kv/svc/?recurse"), b"").unwrap();
    let index: u64 = header(&headers, "x-consul-index").unwrap().parse().unwrap();
    let url = format!("{u}/v1/kv/svc/?recurse&index={index}&wait=20s");
    let waiter = std::thread::spawn(move || http_full("GET", &url, b"").unwrap());
    std::thread::sleep(Duration::from_millis(200));
    http("DELETE", &format!("{u}/v1/kv/svc/b"), b"").unwrap();
    let (status, headers, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    let new_index: u64 = header(&headers, "x-consul-index").unwrap().parse().unwrap();
    assert!(
        new_index > index,
        "index must move forward on a delete: {index} -> {new_index}"
    );
    assert!(!body.contains("svc/b"), "{body}");
}

#[test]
fn txn_applies_atomically_or_rolls_back() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    let ok = r#"[{"KV":{"Verb":"set","Key":"t/a","Value":"YQ=="}},{"kv":{"verb":"set","key":"t/b","value":"Yg==","flags":7}},{"KV":{"Verb":"get-tree","Key":"t/"}}]"#;
    let (status, body) = http("PUT", &format!("{u}/v1/txn"), ok.as_bytes()).unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Errors"], serde_json::Value::Null);
    let results = v["Results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{body}");
    assert_eq!(
        results[0]["KV"]["Value"],
        serde_json::Value::Null,
        "writes return no value"
    );
    assert_eq!(results[3]["KV"]["Flags"], 7);

    let bad = r#"[{"KV":{"Verb":"set","Key":"t/c","Value":"Yw=="}},{"KV":{"Verb":"check-not-exists","Key":"t/a"}}]"#;
    let (status, body) = http("PUT", &format!("{u}/v1/txn"), bad.as_bytes()).unwrap();
    assert_eq!(status, 409, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Errors"][0]["OpIndex"], 1);
    assert_eq!(v["Results"], serde_json::Value::Null);
    assert_eq!(
        http_get(&format!("{u}/v1/kv/t/c")).unwrap().0,
        404,
        "rolled-back txn wrote t/c"
    );

    let unknown = r#"[{"KV":{"Verb":"frobnicate","Key":"x"}}]"#;
    let (status, body) = http("PUT", &format!("{u}/v1/txn"), unknown.as_bytes()).unwrap();
    assert_eq!(status, 409);
    assert!(body.contains("unknown KV verb"), "{body}");
    assert_eq!(
        http("PUT", &format!("{u}/v1/txn"), b"{not json").unwrap().0,
        400
    );
    let many: Vec<String> = (0..129)
        .map(|i| format!(r#"{{"KV":{{"Verb":"get","Key":"k{i}"}}}}"#))
        .collect();
    let (status, _) = http(
        "PUT",
        &format!("{u}/v1/txn"),
        format!("[{}]", many.join(",")).as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 413);
}

#[test]
fn status_and_operator_endpoints() {
    let a = AgentBuilder::dev().start();
    let u = a.url();
    let (_, leader) = http_get(&format!("{u}/v1/status/leader")).unwrap();
    let leader: String = serde_json::from_str(&leader).unwrap();
    assert!(
        leader.ends_with(":8300") || leader.contains(':'),
        "{leader}"
    );
    let (_, peers) = http_get(&format!("{u}/v1/status/peers")).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<String>>(&peers).unwrap(),
        vec![leader.clone()]
    );
    let (_, cfg) = http_get(&format!("{u}/v1/operator/raft/configuration")).unwrap();
    let cfg: serde_json::Value = serde_json::from_str(&cfg).unwrap();
    assert_eq!(cfg["Servers"][0]["Leader"], true);
    assert_eq!(cfg["Servers"][0]["Voter"], true);
    assert_eq!(cfg["Servers"][0]["Address"], leader);
    let (status, body) = http("DELETE", &format!("{u}/v1/operator/raft/peer"), b"").unwrap();
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        http("POST", &format!("{u}/v1/status/leader"), b"").unwrap(),
        (405, "method POST not allowed\n".into())
    );
    assert_eq!(
        http_get(&format!("{u}/v1/no/such/endpoint")).unwrap().0,
        404
    );
}

#[test]
fn agent_self_has_consuls_top_level_keys() {
    let a = AgentBuilder::dev().start();
    let (_, body) = http_get(&format!("{}/v1/agent/self", a.url())).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "Config",
            "Coord",
            "DebugConfig",
            "Member",
            "Meta",
            "Stats",
            "xDS"
        ]
    );
    let version = v["Config"]["Version"].as_str().unwrap();
    let parts: Vec<u64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), 3, "{version}");
    let (_, members) = http_get(&format!("{}/v1/agent/members", a.url())).unwrap();
    let m: serde_json::Value = serde_json::from_str(&members).unwrap();
    assert_eq!(m.as_array().unwrap().len(), 1);
    assert_eq!(m[0]["Status"], 1);
    assert_eq!(m[0]["Tags"]["role"], "consul");
}
