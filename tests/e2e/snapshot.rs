//! End-to-end: `sd snapshot save|inspect|restore` and `/v1/snapshot`. A damaged archive is
//! refused whole and changes nothing; a restore brings the state back with indexes that keep
//! moving forward; and a snapshot of a three-server cluster restored into a fresh one gives
//! identical KV, sessions and catalog on every server.

use std::io::{Read, Write};

use crate::common;
use common::cluster::{eventually, first_server, joining_server, peers};
use common::{
    fails, http, http_full, http_get, loopback_block, loopback_host, ok, Agent, AgentBuilder,
};

fn get_json(a: &Agent, path: &str) -> serde_json::Value {
    let (status, body) = http_get(&format!("{}{path}", a.url())).unwrap();
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn put(a: &Agent, path: &str, body: &str) -> String {
    let (status, text) = http("PUT", &format!("{}{path}", a.url()), body.as_bytes()).unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    text
}

#[test]
fn save_inspect_and_restore_on_one_agent_and_damage_is_refused() {
    let a = AgentBuilder::dev().start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.snap");
    let file_arg = file.to_str().unwrap();
    for i in 0..20 {
        put(&a, &format!("/v1/kv/app/k{i}"), &format!("v{i}"));
    }
    let session = put(&a, "/v1/session/create", r#"{"LockDelay":"0s"}"#);
    let session: String = serde_json::from_str::<serde_json::Value>(&session).unwrap()["ID"]
        .as_str()
        .unwrap()
        .into();
    assert_eq!(
        put(&a, &format!("/v1/kv/app/lock?acquire={session}"), "held"),
        "true"
    );
    let before = get_json(&a, "/v1/kv/app/?recurse");

    let out = ok(&a.cli(&["snapshot", "save", file_arg]));
    assert!(
        out.starts_with("Saved and verified snapshot to index "),
        "{out}"
    );
    let saved_index: u64 = out.trim().rsplit(' ').next().unwrap().parse().unwrap();
    let out = ok(&a.cli(&["snapshot", "inspect", file_arg]));
    for line in ["ID", "Size", "Index", "Term", "Version", "KV", "Sessions"] {
        assert!(out.lines().any(|l| l.starts_with(line)), "{line} in\n{out}");
    }
    assert!(out.contains(&format!("Index      {saved_index}")), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("KV") && l.ends_with(" 21")),
        "{out}"
    );

    // Change everything, then damage the archive in two ways: both are refused, by the CLI
    // and by the agent itself, and the state stays as it is.
    ok(&a.cli(&["kv", "delete", "-recurse", "app/"]));
    put(&a, "/v1/kv/after", "x");
    let archive = std::fs::read(&file).unwrap();
    let truncated = &archive[..archive.len() / 2];
    let flipped = {
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(archive.as_slice())
            .read_to_end(&mut tar)
            .unwrap();
        let at = tar.len() / 2;
        tar[at] ^= 0x55;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    };
    for (name, bad) in [("truncated", truncated.to_vec()), ("flipped", flipped)] {
        let bad_file = dir.path().join(name);
        std::fs::write(&bad_file, &bad).unwrap();
        let err = fails(
            &a.cli(&["snapshot", "restore", bad_file.to_str().unwrap()]),
            1,
        );
        assert!(
            err.starts_with("Error restoring snapshot: "),
            "{name}: {err}"
        );
        let (status, text) = http("PUT", &format!("{}/v1/snapshot", a.url()), &bad).unwrap();
        assert_eq!(status, 400, "{name}: {text}");
        assert_eq!(
            http_get(&format!("{}/v1/kv/app/?recurse", a.url()))
                .unwrap()
                .0,
            404
        );
        assert_eq!(
            http_get(&format!("{}/v1/kv/after", a.url())).unwrap().0,
            200
        );
    }

    // The real archive restores everything, the lock and its session included.
    assert_eq!(
        ok(&a.cli(&["snapshot", "restore", file_arg])).trim(),
        "Restored snapshot"
    );
    assert_eq!(get_json(&a, "/v1/kv/app/?recurse"), before);
    assert_eq!(
        http_get(&format!("{}/v1/kv/after", a.url())).unwrap().0,
        404
    );
    assert_eq!(
        get_json(&a, &format!("/v1/session/info/{session}"))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Indexes keep moving forward past everything restored.
    let (_, headers, _) =
        http_full("GET", &format!("{}/v1/kv/app/?recurse", a.url()), b"").unwrap();
    let index: u64 = common::header(&headers, "x-consul-index")
        .unwrap()
        .parse()
        .unwrap();
    put(&a, "/v1/kv/app/new", "n");
    let new = &get_json(&a, "/v1/kv/app/new")[0];
    assert!(
        new["ModifyIndex"].as_u64().unwrap() > index.max(saved_index),
        "{new}"
    );
    let (_, headers, _) =
        http_full("GET", &format!("{}/v1/kv/app/?recurse", a.url()), b"").unwrap();
    let after: u64 = common::header(&headers, "x-consul-index")
        .unwrap()
        .parse()
        .unwrap();
    assert!(after > index, "{after} > {index}");

    // Usage errors.
    let err = fails(&a.cli(&["snapshot", "save"]), 1);
    assert_eq!(err.trim(), "Missing FILE argument");
    let err = fails(&a.cli(&["snapshot", "inspect", "/nonexistent/snap"]), 1);
    assert!(err.contains("no such file or directory"), "{err}");
}

fn three_servers(block: [u8; 3], dir: &std::path::Path) -> Vec<Agent> {
    let ip = |n| loopback_host(block, n);
    let s1 = first_server(ip(1), &dir.join("s1"), "s1").start();
    let s2 = joining_server(ip(2), &dir.join("s2"), "s2", ip(1)).spawn();
    let s3 = joining_server(ip(3), &dir.join("s3"), "s3", ip(1)).spawn();
    eventually("three voters", &[&s1, &s2, &s3], || peers(&s1).len() == 3);
    vec![s1, s2, s3]
}

#[test]
fn a_cluster_snapshot_restored_into_a_fresh_cluster_is_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let old = three_servers(loopback_block(), &tmp.path().join("old"));
    for i in 0..50 {
        put(
            &old[i % 3],
            &format!("/v1/kv/data/{i:02}"),
            &format!("value {i}"),
        );
    }
    put(
        &old[1],
        "/v1/catalog/register",
        r#"{"Node":"db-host","Address":"10.1.2.3","Service":{"ID":"db1","Service":"db","Port":5432,"Tags":["primary"]}}"#,
    );
    let s: serde_json::Value = serde_json::from_str(&put(
        &old[2],
        "/v1/session/create",
        r#"{"Node":"db-host","Checks":[],"Name":"db"}"#,
    ))
    .unwrap();
    let session = s["ID"].as_str().unwrap();
    assert_eq!(
        put(
            &old[0],
            &format!("/v1/kv/data/leader?acquire={session}"),
            "db1"
        ),
        "true"
    );
    let kv = get_json(&old[0], "/v1/kv/?recurse");
    let sessions = get_json(&old[0], "/v1/session/list");
    let db = get_json(&old[0], "/v1/catalog/service/db");

    let file = tmp.path().join("cluster.snap");
    let out = ok(&old[2].cli(&["snapshot", "save", file.to_str().unwrap()]));
    assert!(out.starts_with("Saved and verified snapshot"), "{out}");
    drop(old);

    let fresh = three_servers(loopback_block(), &tmp.path().join("fresh"));
    assert_eq!(
        ok(&fresh[1].cli(&["snapshot", "restore", file.to_str().unwrap()])).trim(),
        "Restored snapshot"
    );
    for s in &fresh {
        let all: Vec<&Agent> = fresh.iter().collect();
        eventually("the restored state on every server", &all, || {
            http_get(&format!("{}/v1/kv/?recurse&stale", s.url())).is_ok_and(|(st, b)| {
                st == 200 && serde_json::from_str::<serde_json::Value>(&b).ok() == Some(kv.clone())
            })
        });
        assert_eq!(get_json(s, "/v1/session/list?stale"), sessions);
        assert_eq!(get_json(s, "/v1/catalog/service/db?stale"), db);
    }
}
