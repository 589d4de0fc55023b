//! End-to-end: sessions on a `-dev` agent through the HTTP API as Consul's clients use it:
//! Consul's JSON and defaults, the errors, renew and destroy, blocking reads, `?acquire` and
//! `?release` with LockIndex, the txn lock verbs, the lock delay after an invalidation, `delete`
//! behaviour, invalidation when a tied check goes critical, and TTL expiry.

use std::time::{Duration, Instant};

use crate::common;
use common::cluster::eventually_within;
use common::{http, http_full, http_get, Agent, AgentBuilder};

fn create(a: &Agent, body: &str) -> String {
    let (status, text) = http(
        "PUT",
        &format!("{}/v1/session/create", a.url()),
        body.as_bytes(),
    )
    .expect("create");
    assert_eq!(status, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["ID"].as_str().unwrap().to_string()
}

fn info(a: &Agent, id: &str) -> Vec<serde_json::Value> {
    let (status, text) = http_get(&format!("{}/v1/session/info/{id}", a.url())).unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn put(a: &Agent, path: &str, body: &str) -> (u16, String) {
    http("PUT", &format!("{}{path}", a.url()), body.as_bytes()).unwrap()
}

fn key(a: &Agent, k: &str) -> serde_json::Value {
    let (status, text) = http_get(&format!("{}/v1/kv/{k}", a.url())).unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap()[0].clone()
}

#[test]
fn sessions_have_consuls_shape_defaults_and_errors() {
    let a = AgentBuilder::dev().start();
    let node = {
        let (_, text) = http_get(&format!("{}/v1/agent/self", a.url())).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["Config"]["NodeName"].as_str().unwrap().to_string()
    };
    // No body at all: the agent's node, serfHealth, 15 s, release.
    let id = create(&a, "");
    let s = &info(&a, &id)[0];
    assert_eq!(s["Node"], node.as_str());
    assert_eq!(s["LockDelay"], 15_000_000_000u64);
    assert_eq!(s["Behavior"], "release");
    assert_eq!(s["NodeChecks"], serde_json::json!(["serfHealth"]));
    assert_eq!(s["ServiceChecks"], serde_json::Value::Null);
    assert_eq!(s["TTL"], "");
    assert!(s["CreateIndex"].as_u64().unwrap() > 0);
    // Keys in any case, a numeric lock delay in seconds, no checks at all.
    let id2 = create(
        &a,
        r#"{"name":"web-lock","lockdelay":5,"behavior":"delete","ttl":"30s","checks":[]}"#,
    );
    let s2 = &info(&a, &id2)[0];
    assert_eq!(s2["Name"], "web-lock");
    assert_eq!(s2["LockDelay"], 5_000_000_000u64);
    assert_eq!(s2["Behavior"], "delete");
    assert_eq!(s2["TTL"], "30s");
    assert_eq!(s2["NodeChecks"], serde_json::json!([]));

    let (status, headers, text) =
        http_full("GET", &format!("{}/v1/session/list", a.url()), b"").unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&text)
            .unwrap()
            .len(),
        2
    );
    assert!(common::header(&headers, "x-consul-index").is_some());
    let (_, text) = http_get(&format!("{}/v1/session/node/{node}", a.url())).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&text)
            .unwrap()
            .len(),
        2
    );
    let (_, text) = http_get(&format!("{}/v1/session/node/elsewhere", a.url())).unwrap();
    assert_eq!(text.trim(), "[]");
    assert!(info(&a, "00000000-0000-0000-0000-000000000000").is_empty());

    // Renew: the session back, or 404 once it is gone.
    let (status, text) = put(&a, &format!("/v1/session/renew/{id2}"), "");
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&id2));
    assert_eq!(put(&a, &format!("/v1/session/destroy/{id2}"), "").0, 200);
    let (status, text) = put(&a, &format!("/v1/session/renew/{id2}"), "");
    assert_eq!(
        (status, text.trim()),
        (404, format!("Session id '{id2}' not found").as_str())
    );
    // Destroy is idempotent.
    assert_eq!(put(&a, &format!("/v1/session/destroy/{id2}"), "").0, 200);

    // Bad input: 4xx with Consul's words, nothing created.
    for (body, message) in [
        (
            r#"{"TTL":"5s"}"#,
            "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]",
        ),
        (
            r#"{"TTL":"25h"}"#,
            "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]",
        ),
        (
            r#"{"Behavior":"vanish"}"#,
            "Invalid Behavior setting 'vanish'",
        ),
        (r#"{"Node":"ghost"}"#, "Missing node registration"),
        (
            r#"{"NodeChecks":["nope"]}"#,
            "Missing check 'nope' registration",
        ),
    ] {
        let (status, text) = put(&a, "/v1/session/create", body);
        assert_eq!((status, text.trim()), (400, message), "{body}");
    }
    let (status, text) = put(&a, "/v1/session/create", "{not json");
    assert_eq!(status, 400);
    assert!(text.starts_with("Request decode failed"), "{text}");
    let (status, text) = http_get(&format!("{}/v1/session/info/", a.url())).unwrap();
    assert_eq!((status, text.trim()), (400, "Missing session"));
}

#[test]
fn locks_through_kv_and_txn() {
    let a = AgentBuilder::dev().start();
    let s1 = create(&a, r#"{"LockDelay":"1s"}"#);
    let s2 = create(&a, r#"{"LockDelay":"0s"}"#);
    assert_eq!(
        put(&a, &format!("/v1/kv/svc/leader?acquire={s1}"), "one"),
        (200, "true".into())
    );
    let k = key(&a, "svc/leader");
    assert_eq!(
        (k["LockIndex"].as_u64(), k["Session"].as_str()),
        (Some(1), Some(s1.as_str()))
    );
    assert_eq!(
        put(&a, &format!("/v1/kv/svc/leader?acquire={s2}"), "two"),
        (200, "false".into())
    );
    assert_eq!(
        put(&a, &format!("/v1/kv/svc/leader?release={s2}"), "two"),
        (200, "false".into())
    );
    let (status, text) = put(&a, "/v1/kv/svc/leader?acquire=not-a-session", "x");
    assert_eq!(
        (status, text.trim()),
        (500, "invalid session \"not-a-session\"")
    );

    // check-session in a transaction; lock verbs report why they failed.
    let txn = |body: String| put(&a, "/v1/txn", &body);
    let (status, text) = txn(format!(
        r#"[{{"KV":{{"Verb":"check-session","Key":"svc/leader","Session":"{s1}"}}}},{{"KV":{{"Verb":"get","Key":"svc/leader"}}}}]"#
    ));
    assert_eq!(status, 200, "{text}");
    let (status, text) = txn(format!(
        r#"[{{"KV":{{"Verb":"lock","Key":"svc/leader","Session":"{s2}"}}}}]"#
    ));
    assert_eq!(status, 409);
    assert!(
        text.contains("failed to lock key \\\"svc/leader\\\", lock is already held"),
        "{text}"
    );
    let (status, text) = txn(format!(
        r#"[{{"KV":{{"Verb":"unlock","Key":"svc/leader","Session":"{s2}"}}}}]"#
    ));
    assert_eq!(status, 409);
    assert!(
        text.contains("lock isn't held, or is held by another session"),
        "{text}"
    );

    // Release keeps LockIndex; the next holder bumps it.
    assert_eq!(
        put(&a, &format!("/v1/kv/svc/leader?release={s1}"), "free"),
        (200, "true".into())
    );
    assert_eq!(key(&a, "svc/leader")["Session"], serde_json::Value::Null);
    let (status, text) = txn(format!(
        r#"[{{"KV":{{"Verb":"lock","Key":"svc/leader","Value":"dHdv","Session":"{s2}"}}}}]"#
    ));
    assert_eq!(status, 200, "{text}");
    assert_eq!(key(&a, "svc/leader")["LockIndex"], 2);

    // Destroying the holder releases the key; the lock delay (s2's: 0) lets s1 in at once.
    assert_eq!(put(&a, &format!("/v1/session/destroy/{s2}"), "").0, 200);
    assert_eq!(key(&a, "svc/leader")["Session"], serde_json::Value::Null);
    assert_eq!(
        put(&a, &format!("/v1/kv/svc/leader?acquire={s1}"), "1"),
        (200, "true".into())
    );

    // Invalidating s1 (1 s lock delay) blocks a new holder for about a second.
    let s3 = create(&a, "");
    assert_eq!(put(&a, &format!("/v1/session/destroy/{s1}"), "").0, 200);
    let destroyed = Instant::now();
    assert_eq!(
        put(&a, &format!("/v1/kv/svc/leader?acquire={s3}"), "3"),
        (200, "false".into())
    );
    eventually_within(
        "the lock delay to pass",
        Duration::from_secs(10),
        &[&a],
        || put(&a, &format!("/v1/kv/svc/leader?acquire={s3}"), "3").1 == "true",
    );
    assert!(
        destroyed.elapsed() >= Duration::from_millis(900),
        "{:?}",
        destroyed.elapsed()
    );
    assert_eq!(
        key(&a, "svc/leader")["LockIndex"],
        4,
        "s1, s2, s1 again, s3"
    );

    // `delete` sessions take their keys with them.
    let eph = create(&a, r#"{"Behavior":"delete","LockDelay":"0s"}"#);
    assert_eq!(
        put(&a, &format!("/v1/kv/eph/a?acquire={eph}"), "x"),
        (200, "true".into())
    );
    assert_eq!(put(&a, &format!("/v1/session/destroy/{eph}"), "").0, 200);
    assert_eq!(
        http_get(&format!("{}/v1/kv/eph/a", a.url())).unwrap().0,
        404
    );

    // The CLI: kv put -acquire / -release.
    let s4 = create(&a, r#"{"LockDelay":"0s"}"#);
    let out = a.cli(&[
        "kv",
        "put",
        "-acquire",
        &format!("-session={s4}"),
        "cli/lock",
        "v",
    ]);
    assert_eq!(
        common::ok(&out).trim(),
        "Success! Lock acquired on: cli/lock"
    );
    let out = a.cli(&[
        "kv",
        "put",
        "-acquire",
        &format!("-session={s3}"),
        "cli/lock",
        "w",
    ]);
    assert_eq!(common::fails(&out, 1).trim(), "Error! Did not acquire lock");
    let out = a.cli(&[
        "kv",
        "put",
        "-release",
        &format!("-session={s4}"),
        "cli/lock",
        "v",
    ]);
    assert_eq!(
        common::ok(&out).trim(),
        "Success! Lock released on: cli/lock"
    );
}

#[test]
fn blocking_reads_wake_on_destroy_and_sessions_die_with_their_checks_and_ttl() {
    let a = AgentBuilder::dev().start();
    let id = create(&a, r#"{"LockDelay":"0s"}"#);
    let (_, headers, _) =
        http_full("GET", &format!("{}/v1/session/info/{id}", a.url()), b"").unwrap();
    let index: u64 = common::header(&headers, "x-consul-index")
        .unwrap()
        .parse()
        .unwrap();
    let url = format!("{}/v1/session/info/{id}?index={index}&wait=30s", a.url());
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let (_, body) = http_get(&url).unwrap();
        (started.elapsed(), body)
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(put(&a, &format!("/v1/session/destroy/{id}"), "").0, 200);
    let (took, body) = waiter.join().unwrap();
    assert_eq!(body.trim(), "[]");
    assert!(
        took < Duration::from_secs(10),
        "woken by the destroy, not the wait: {took:?}"
    );

    // A session tied to an agent TTL check dies when the check goes critical.
    let (status, text) = put(
        &a,
        "/v1/agent/check/register",
        r#"{"Name":"heartbeat","TTL":"60s"}"#,
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(put(&a, "/v1/agent/check/pass/heartbeat", "").0, 200);
    let tied = Instant::now();
    let id = loop {
        let (status, text) = put(
            &a,
            "/v1/session/create",
            r#"{"NodeChecks":["serfHealth","heartbeat"],"LockDelay":"0s"}"#,
        );
        if status == 200 {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            break v["ID"].as_str().unwrap().to_string();
        }
        // The check reaches the catalog by anti-entropy.
        assert!(tied.elapsed() < Duration::from_secs(10), "{text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        put(&a, &format!("/v1/kv/tied?acquire={id}"), "x"),
        (200, "true".into())
    );
    assert_eq!(put(&a, "/v1/agent/check/fail/heartbeat", "").0, 200);
    eventually_within(
        "the session to die with its check",
        Duration::from_secs(10),
        &[&a],
        || info(&a, &id).is_empty(),
    );
    assert_eq!(key(&a, "tied")["Session"], serde_json::Value::Null);

    // TTL: renewed sessions live; a session left alone is gone after twice its TTL.
    let kept = create(&a, r#"{"TTL":"10s","LockDelay":"0s"}"#);
    let left = create(&a, r#"{"TTL":"10s","LockDelay":"0s"}"#);
    let created = Instant::now();
    assert_eq!(
        put(&a, &format!("/v1/kv/ttl/a?acquire={left}"), "x"),
        (200, "true".into())
    );
    while created.elapsed() < Duration::from_secs(19) {
        assert_eq!(put(&a, &format!("/v1/session/renew/{kept}"), "").0, 200);
        assert_eq!(
            info(&a, &left).len(),
            1,
            "expired early, at {:?}",
            created.elapsed()
        );
        std::thread::sleep(Duration::from_secs(3));
    }
    eventually_within("the TTL to run out", Duration::from_secs(10), &[&a], || {
        info(&a, &left).is_empty()
    });
    assert!(created.elapsed() >= Duration::from_secs(20));
    assert_eq!(info(&a, &kept).len(), 1);
    assert_eq!(key(&a, "ttl/a")["Session"], serde_json::Value::Null);
}
