//! End-to-end: gossip encryption through the real binary. `sd keygen` makes keys; a server
//! and a client agent started with `-encrypt` form a pool and keep the key in
//! `serf/local.keyring` (mode 0600); agents with another key or none are refused with the
//! reason; `sd keyring` rotates the key across the pool (install, use, remove) through the
//! client agent; the old key no longer gets in; a restarted agent keeps its keyring file over
//! a stale `-encrypt`; bad input fails cleanly.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::cluster::{client_agent, eventually, first_server, status_of};
use common::{
    fails, http, loopback_block, loopback_host, ok, run_sd, stderr, stdout, AgentBuilder,
};

fn keygen() -> String {
    let key = ok(&run_sd(&["keygen"])).trim().to_string();
    assert_eq!(key.len(), 44, "{key}");
    key
}

/// Consul's keyring command prints what it is doing, then the agent's error: exit 1.
fn refused(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", stdout(out));
    assert!(stdout(out).starts_with("==> "), "{}", stdout(out));
    stderr(out)
}

#[test]
fn an_encrypted_pool_admits_only_its_key_and_rotates_it() {
    let (k1, k2) = (keygen(), keygen());
    assert_ne!(k1, k2);
    let block = loopback_block();
    let ip = |n| loopback_host(block, n);
    let tmp = tempfile::tempdir().unwrap();
    let d = |n: &str| tmp.path().join(n);
    let s1 = first_server(ip(1), &d("s1"), "enc-s1")
        .arg(format!("-encrypt={k1}"))
        .start();
    let mut c1 = client_agent(ip(2), &d("c1"), "enc-c1", ip(1))
        .arg(format!("-encrypt={k1}"))
        .spawn();
    eventually("the client alive on the server", &[&s1, &c1], || {
        status_of(&s1, "enc-c1") == Some(1)
    });
    assert!(s1.log().contains("Gossip: true"), "{}", s1.log());
    let info = ok(&s1.cli(&["info"]));
    assert!(info.contains("encrypted = true"), "{info}");
    let file = d("s1").join("serf/local.keyring");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("[\"{k1}\"]")
    );

    // Another key, or none, is refused, and the agent says why.
    let join_with = |name: &str, n: u8, key: Option<&str>| {
        let mut b = AgentBuilder::dev_free()
            .arg(format!("-data-dir={}", d(name).display()))
            .arg(format!("-node={name}"))
            .at(ip(n));
        if let Some(k) = key {
            b = b.arg(format!("-encrypt={k}"));
        }
        let a = b.spawn();
        let err = fails(&a.cli(&["join", &ip(1).to_string()]), 1);
        (a, err)
    };
    let (wrong, err) = join_with("enc-wrong", 3, Some(&k2));
    assert!(
        err.contains("enc-s1 refused the join") && err.contains("decrypts"),
        "{err}"
    );
    drop(wrong);
    let (plain, err) = join_with("enc-plain", 4, None);
    assert!(
        err.contains("enc-s1 encrypts gossip and this agent does not"),
        "{err}"
    );
    drop(plain);

    // Rotation through the client agent (forwarded to the server), as Consul's docs run it.
    let c1_cli = |args: &[&str]| c1.cli(args);
    let out = ok(&c1_cli(&["keyring", "-install", &k2]));
    assert_eq!(out.trim(), "==> Installing new gossip encryption key...");
    let listed = ok(&c1_cli(&["keyring", "-list"]));
    // The servers' WAN pool first (one server here), then the datacenter's LAN pool.
    assert!(
        listed.starts_with("==> Gathering installed encryption keys...\n\nWAN:\n")
            && listed.contains(&format!("  {k1} [1/1]"))
            && listed.contains("\n\ndc1 (LAN):\n")
            && listed.contains(&format!("  {k1} [2/2]"))
            && listed.contains(&format!("  {k2} [2/2]")),
        "{listed}"
    );
    ok(&c1_cli(&["keyring", "-use", &k2]));
    let primary = ok(&c1_cli(&["keyring", "-list-primary"]));
    assert!(
        primary.contains(&format!("  {k2} [2/2]")) && !primary.contains(&k1),
        "{primary}"
    );
    let err = refused(&c1_cli(&["keyring", "-remove", &k2]));
    assert!(
        err.contains("Removing the primary key is not allowed"),
        "{err}"
    );
    ok(&c1_cli(&["keyring", "-remove", &k1]));
    let (status, body) = http("GET", &format!("{}/v1/operator/keyring", s1.url()), b"").unwrap();
    assert_eq!(status, 200, "{body}");
    let pools: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (&pools[0]["WAN"], &pools[0]["Keys"], &pools[0]["NumNodes"]),
        (
            &serde_json::json!(true),
            &serde_json::json!({ k2.clone(): 1 }),
            &serde_json::json!(1)
        ),
        "{body}"
    );
    assert_eq!(
        pools[1]["Keys"],
        serde_json::json!({ k2.clone(): 2 }),
        "{body}"
    );
    assert_eq!(
        pools[1]["PrimaryKeys"],
        serde_json::json!({ k2.clone(): 2 })
    );
    assert_eq!(pools[1]["NumNodes"], 2);
    assert_eq!(pools[1]["WAN"], false);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("[\"{k2}\"]")
    );
    // The server's WAN keyring rotated with it.
    assert_eq!(
        std::fs::read_to_string(d("s1").join("serf/remote.keyring")).unwrap(),
        format!("[\"{k2}\"]")
    );
    // The pool kept talking through the rotation; the old key no longer gets in.
    eventually("both still alive", &[&s1, &c1], || {
        status_of(&s1, "enc-c1") == Some(1) && status_of(&c1, "enc-s1") == Some(1)
    });
    let (old, err) = join_with("enc-old", 5, Some(&k1));
    assert!(err.contains("decrypts"), "{err}");
    drop(old);

    // Restarted with its old -encrypt, the client keeps the keyring file's key and rejoins.
    c1.terminate(Duration::from_secs(10));
    let c1 = client_agent(ip(2), &d("c1"), "enc-c1", ip(1))
        .arg(format!("-encrypt={k1}"))
        .spawn();
    eventually("the restarted client alive", &[&s1, &c1], || {
        status_of(&s1, "enc-c1") == Some(1) && status_of(&c1, "enc-s1") == Some(1)
    });
    assert!(
        c1.log()
            .contains("LAN keyring exists but -encrypt given, using keyring"),
        "{}",
        c1.log()
    );

    // Bad input: a clear message and exit 1 (or 400), nothing changed.
    let err = fails(&s1.cli(&["keyring"]), 1);
    assert!(err.contains("Usage"), "{err}");
    let err = refused(&s1.cli(&["keyring", "-install", "abc"]));
    assert!(err.contains("Invalid key"), "{err}");
    let err = fails(&s1.cli(&["keyring", "-list", "-relay-factor=9"]), 1);
    assert!(
        err.contains("Relay factor must be in range: [0, 5]"),
        "{err}"
    );
    let err = fails(&s1.cli(&["keyring", "-install", &k1, "-local-only"]), 1);
    assert!(
        err.contains("local-only can only be set for list requests"),
        "{err}"
    );
    let err = fails(&s1.cli(&["keyring", "-list", "-use", &k2]), 1);
    assert!(err.contains("Only a single action is allowed"), "{err}");
    let (status, body) = http(
        "GET",
        &format!("{}/v1/operator/keyring?relay-factor=x", s1.url()),
        b"",
    )
    .unwrap();
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "Error parsing relay factor: invalid digit found in string\n"
        )
    );
    let (status, body) = http("POST", &format!("{}/v1/operator/keyring", s1.url()), b"{}").unwrap();
    assert_eq!(status, 400, "{body}");
    let listed = ok(&s1.cli(&["keyring", "-list"]));
    assert!(listed.contains(&format!("  {k2} [2/2]")), "{listed}");
    let bad = run_sd(&["agent", "-dev", "-encrypt=abc"]);
    let err = fails(&bad, 1);
    assert!(err.contains("encrypt has invalid key"), "{err}");
    assert!(stdout(&bad).is_empty() || !stdout(&bad).contains("Agent started"));
}
