//! End-to-end: the Raft log's disk fills up. A server on a 6 MB tmpfs takes 400 KB values until
//! its disk cannot take another: writes are then refused at once (507, saying why) while reads
//! go on; when space returns, writes are accepted again without a restart, and a kill -9 loses
//! nothing acknowledged. A follower whose disk fills stalls (its log write is retried, never
//! fatal) while the other two go on writing, and catches up by itself once space returns.
//! (Torn tails and corrupt segments: `src/agent/raft/tests/storage.rs`.)

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cluster, http, http_get, AgentBuilder};

/// A tmpfs of a fixed size, unmounted on drop. Mounting needs root, as `.ci/run` has.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "mounting a {size} tmpfs failed (these tests need root, as .ci/run has): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fills the file system holding `path` until a write fails; returns how much it wrote.
fn fill(path: &Path) -> u64 {
    use std::io::Write;
    let mut file = std::fs::File::create(path).expect("create ballast");
    let chunk = vec![7u8; 64 * 1024];
    let mut written = 0u64;
    let mut small = vec![7u8; 4096];
    loop {
        match file.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
    }
    // Then page by page, to leave nothing.
    while let Ok(n) = file.write(&small) {
        if n == 0 {
            break;
        }
        written += n as u64;
        small.truncate(4096);
    }
    let _ = file.sync_all();
    written
}

fn ballast(fs: &Tmpfs, name: &str, bytes: usize) -> PathBuf {
    let path = fs.path().join(name);
    std::fs::write(&path, vec![1u8; bytes]).expect("write ballast");
    path
}

fn put(url: &str, key: &str, value: &[u8]) -> (u16, String) {
    http("PUT", &format!("{url}/v1/kv/{key}"), value).unwrap_or((0, "no answer".into()))
}

#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers_by_itself() {
    let fs = Tmpfs::mount("6m");
    let data = fs.path().join("data");
    let room = ballast(&fs, "ballast", 2 * 1024 * 1024);
    let mut agent = AgentBuilder::server(&data).start();
    let url = agent.url();
    let value = vec![b'v'; 400 * 1024];

    let mut acked = Vec::new();
    let mut refusal = None;
    for i in 0..20 {
        let key = format!("big/{i:02}");
        match put(&url, &key, &value) {
            (200, body) if body == "true" => acked.push(key),
            other => {
                refusal = Some(other);
                break;
            }
        }
    }
    let (status, text) = refusal.expect("a 6 MB disk cannot take 8 MB of values");
    assert!(
        acked.len() >= 3,
        "only {} writes before the disk filled: {text}",
        acked.len()
    );
    assert_eq!(status, 507, "{text}\n{}", agent.log());
    assert!(
        text.contains("not enough disk space for the Raft log"),
        "{text}"
    );
    assert!(
        text.contains("writes are refused until space is freed"),
        "{text}"
    );

    // Refused again (nothing was half-written), and a small write too once the disk is full.
    assert_eq!(put(&url, "big/again", &value).0, 507);
    // Reads go on: one value, a listing, the leader.
    let (code, got) = http_get(&format!("{url}/v1/kv/{}?raw", acked[0])).expect("read");
    assert_eq!((code, got.len()), (200, value.len()));
    let (code, keys) = http_get(&format!("{url}/v1/kv/big/?keys")).expect("keys");
    assert_eq!(code, 200);
    for key in &acked {
        assert!(keys.contains(key.as_str()), "{key} missing from {keys}");
    }
    let (code, leader) = http_get(&format!("{url}/v1/status/leader")).expect("leader");
    assert!(code == 200 && leader.contains(':'), "{code} {leader}");

    // Space returns: the next write goes through, no restart.
    std::fs::remove_file(&room).expect("remove ballast");
    let after = put(&url, "big/after", &value);
    assert_eq!(after, (200, "true".to_string()), "{}", agent.log());
    acked.push("big/after".into());

    // Nothing acknowledged was lost on the way.
    agent.kill9();
    let restarted = AgentBuilder::server(&data).start();
    for key in &acked {
        let (code, got) = http_get(&format!("{}/v1/kv/{key}?raw", restarted.url())).expect("read");
        assert_eq!(
            (code, got.len()),
            (200, value.len()),
            "{key} after the restart"
        );
    }
}

#[test]
fn a_follower_whose_disk_fills_stalls_and_catches_up_when_space_returns() {
    let block = common::loopback_block();
    let ip = |n| common::loopback_host(block, n);
    let dir = tempfile::tempdir().expect("tempdir");
    let small = Tmpfs::mount("6m");
    let s1 = cluster::first_server(ip(1), &dir.path().join("s1"), "s1").start();
    let s2 = cluster::joining_server(ip(2), &dir.path().join("s2"), "s2", ip(1)).spawn();
    let s3 = cluster::joining_server(ip(3), &small.path().join("s3"), "s3", ip(1)).spawn();
    let all = [&s1, &s2, &s3];
    cluster::eventually("three voters", &all, || cluster::peers(&s1).len() == 3);
    cluster::eventually("s3 has the cluster's writes", &all, || {
        cluster::put(&s1, "probe", "1") && cluster::stale_get(&s3, "probe").as_deref() == Some("1")
    });
    // s3 keeps about 1 MB: less than the values about to be replicated to it.
    let ballast = small.path().join("ballast");
    fill(&ballast);
    let free_up = 1024 * 1024;
    let len = std::fs::metadata(&ballast).expect("stat").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&ballast)
        .and_then(|f| f.set_len(len.saturating_sub(free_up)))
        .expect("shrink ballast");

    let value = "x".repeat(400 * 1024);
    for i in 0..8 {
        assert!(
            cluster::put(&s1, &format!("big/{i}"), &value),
            "write {i} failed with one follower stalled\n{}",
            s1.log()
        );
    }
    cluster::eventually("s3 says it cannot write its log", &all, || {
        s3.log().contains("cannot write the Raft log")
    });
    assert!(s3.pid().is_some(), "s3 is still running");
    assert_ne!(
        cluster::stale_get(&s3, "big/7").as_deref(),
        Some(value.as_str()),
        "s3 cannot have the last value yet"
    );

    std::fs::remove_file(&ballast).expect("remove ballast");
    cluster::eventually("s3 catches up once space returns", &all, || {
        cluster::stale_get(&s3, "big/7").as_deref() == Some(value.as_str())
    });
    cluster::eventually("s3 says its log is writable again", &all, || {
        s3.log().contains("the Raft log is writable again")
    });
    assert!(
        cluster::put(&s3, "after", "1"),
        "a write through s3\n{}",
        s3.log()
    );
}
