//! Safety of locks on a real cluster (three servers and a client agent on their own loopback
//! addresses): `sd lock` contenders when the holder is killed with -9 (the lock passes only
//! after its session is invalidated and the lock delay ran out, never to two holders at once,
//! the fencing token growing), and sessions and locks across a leader killed with -9 (they
//! survive; TTLs are honoured from the new leader's clock; renewals go on working).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use common::cluster::{eventually, eventually_within, leader, Cluster};
use common::{http, http_get, Agent};

/// A client's session's lock delay (Consul's default, which `sd lock` uses).
const LOCK_DELAY: Duration = Duration::from_secs(15);

/// `sd lock` in a process group of its own (so -9 reaches it and its child), its child
/// appending `<tag> <event> <fencing token> <unix ms>` lines to `log`.
fn contender(agent: &Agent, tag: &str, log: &Path, hold: &str) -> Child {
    let script = format!(
        "echo \"{tag} start $SD_LOCK_INDEX $(date +%s%3N)\" >> {log}; {hold}; echo \"{tag} end $SD_LOCK_INDEX $(date +%s%3N)\" >> {log}",
        log = log.display()
    );
    Command::new(common::sd_bin())
        .args([
            "lock",
            &format!("-http-addr={}", agent.http_addr()),
            "jobs/nightly",
            &script,
        ])
        .env_remove("CONSUL_HTTP_ADDR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("spawn sd lock")
}

/// The lines of the contenders' log: (tag, event, fencing token, unix ms).
fn events(log: &Path) -> Vec<(String, String, u64, u128)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((
                f[0].into(),
                f[1].into(),
                f.get(2)?.parse().ok()?,
                f.get(3)?.parse().ok()?,
            ))
        })
        .collect()
}

fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

fn lock_holder(agent: &Agent) -> Option<String> {
    let (status, body) = http_get(&format!("{}/v1/kv/jobs/nightly/.lock", agent.url())).ok()?;
    if status != 200 {
        return None;
    }
    let v: Vec<serde_json::Value> = serde_json::from_str(&body).ok()?;
    v[0]["Session"].as_str().map(str::to_string)
}

#[test]
fn a_killed_holder_passes_the_lock_only_after_invalidation_and_lock_delay() {
    let c = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events");
    let all = c.all();

    // A holds the lock through the client agent; B waits through a follower.
    let mut a = contender(&c.client, "A", &log, "sleep 600");
    eventually("A to hold the lock", &all, || {
        events(&log).iter().any(|e| e.0 == "A")
    });
    let a_session = lock_holder(&c.client).expect("A's session on the key");
    let mut b = contender(&c.servers[1], "B", &log, "sleep 1");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        events(&log).iter().all(|e| e.0 == "A"),
        "{:?}",
        events(&log)
    );

    // kill -9 A and its child together.
    let killed_ms = unix_ms();
    let killed = Instant::now();
    let pid = rustix::process::Pid::from_raw(a.id() as i32).unwrap();
    rustix::process::kill_process_group(pid, rustix::process::Signal::KILL).unwrap();
    let _ = a.wait();

    // The key stays A's until its session runs out (2 x 15 s TTL at most), then the lock
    // delay runs before B may take it.
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(lock_holder(&c.client).as_deref(), Some(a_session.as_str()));
    eventually_within("B to take the lock", Duration::from_secs(90), &all, || {
        events(&log).iter().any(|e| e.0 == "B" && e.1 == "end")
    });
    let waited = killed.elapsed();
    let status = b.wait().unwrap();
    let mut err = String::new();
    b.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "B failed: {err}");

    let ev = events(&log);
    let a_start = ev.iter().find(|e| e.0 == "A" && e.1 == "start").unwrap();
    let b_start = ev.iter().find(|e| e.0 == "B" && e.1 == "start").unwrap();
    assert!(
        b_start.3 >= killed_ms + LOCK_DELAY.as_millis(),
        "B started {} ms after A was killed, inside the lock delay: {ev:?}",
        b_start.3 - killed_ms
    );
    assert!(b_start.2 > a_start.2, "the fencing token grows: {ev:?}");
    assert!(
        !ev.iter().any(|e| e.0 == "A" && e.1 == "end"),
        "A was killed: {ev:?}"
    );
    assert!(waited < Duration::from_secs(60), "{waited:?}");
    // A's session is gone, B cleaned up after itself.
    let (_, body) = http_get(&format!("{}/v1/session/info/{a_session}", c.client.url())).unwrap();
    assert_eq!(body.trim(), "[]");
    assert_eq!(
        http_get(&format!("{}/v1/kv/jobs/nightly/.lock", c.client.url()))
            .unwrap()
            .0,
        404
    );
}

fn create_session(agent: &Agent, body: &str) -> String {
    let (status, text) = http(
        "PUT",
        &format!("{}/v1/session/create", agent.url()),
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["ID"]
        .as_str()
        .unwrap()
        .to_string()
}

fn session_exists(agent: &Agent, id: &str) -> bool {
    matches!(http_get(&format!("{}/v1/session/info/{id}", agent.url())), Ok((200, b)) if b.contains(id))
}

#[test]
fn sessions_and_locks_survive_a_leader_killed_and_ttls_restart_on_the_new_leader() {
    let mut c = Cluster::start();
    // Sessions made through the client agent are on the client's node.
    let renewed = create_session(&c.client, r#"{"TTL":"10s","Name":"renewed"}"#);
    let left = create_session(&c.client, r#"{"TTL":"10s","Name":"left alone"}"#);
    let plain = create_session(&c.client, r#"{"Name":"no ttl"}"#);
    let (_, body) = http_get(&format!("{}/v1/session/info/{plain}", c.client.url())).unwrap();
    assert!(body.contains("\"Node\":\"c1\""), "{body}");
    for (key, id) in [("held/renewed", &renewed), ("held/plain", &plain)] {
        let (status, text) = http(
            "PUT",
            &format!("{}/v1/kv/{key}?acquire={id}", c.client.url()),
            b"v",
        )
        .unwrap();
        assert_eq!((status, text.as_str()), (200, "true"));
    }

    // Keep renewing one session through the client while the leader dies.
    let url = format!("{}/v1/session/renew/{renewed}", c.client.url());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = stop.clone();
    let renewer = std::thread::spawn(move || {
        let mut failures = Vec::new();
        while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
            match http("PUT", &url, b"") {
                Ok((200, _)) => {}
                other => failures.push(format!("{other:?}")),
            }
            std::thread::sleep(Duration::from_secs(2));
        }
        failures
    });

    let old_leader = leader(&c.client);
    let victim = c
        .servers
        .iter()
        .position(|s| {
            old_leader.starts_with(&format!("{}:", s.http_addr().split(':').next().unwrap()))
        })
        .expect("the leader is one of the servers");
    c.servers[victim].kill9();
    let killed = Instant::now();
    let survivors: Vec<&Agent> = c
        .servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != victim)
        .map(|(_, s)| s)
        .collect();
    eventually("a new leader", &survivors, || {
        let l = leader(survivors[0]);
        !l.is_empty() && l != old_leader
    });

    // Everything is still there after the failover; the unrenewed session gets a full 2 x TTL
    // from the new leader, so it outlives the old leader's deadline.
    for id in [&renewed, &left, &plain] {
        assert!(
            session_exists(survivors[0], id),
            "{id} lost in the failover"
        );
    }
    while killed.elapsed() < Duration::from_secs(19) {
        assert!(
            session_exists(&c.client, &left),
            "expired early: {:?}",
            killed.elapsed()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    eventually_within(
        "the unrenewed session to expire",
        Duration::from_secs(30),
        &survivors,
        || !session_exists(&c.client, &left),
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let failures = renewer.join().unwrap();
    assert!(
        failures.len() <= 2,
        "renewals failed beyond the election: {failures:?}"
    );
    assert!(session_exists(&c.client, &renewed));
    assert!(session_exists(&c.client, &plain));
    for (key, id) in [("held/renewed", &renewed), ("held/plain", &plain)] {
        let (_, body) = http_get(&format!("{}/v1/kv/{key}", c.client.url())).unwrap();
        assert!(body.contains(id.as_str()), "{key} lost its holder: {body}");
    }
}
