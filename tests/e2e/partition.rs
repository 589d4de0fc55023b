//! End-to-end: a network partition between real hosts. Three `sd agent` servers run in Linux
//! network namespaces of their own (Consul's default ports on addresses of a private /24 that
//! exists only on this test's interfaces), joined by a bridge that lives in a further
//! namespace, so the host's firewall never sees their traffic; the test process reaches their
//! HTTP APIs through a veth into the bridge. Writers PUT keys through every server while an nft
//! rule on the bridge cuts the leader off from the other two. Checked: the majority elects a new
//! leader and keeps acknowledging writes; the isolated old leader acknowledges none; after
//! healing it follows the new leader, every server holds every acknowledged write with its
//! value, and no write the minority failed to acknowledge surfaces anywhere.
//!
//! Needs root, iproute2 (`ip`) and nftables (`nft`). Without them the test fails and names the
//! command that installs them; it never skips.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::common::netns::{require_prerequisites, spawn_agent_in, Net};

/// How long the cluster may take to settle after a start, a cut or a heal.
const SETTLE: Duration = Duration::from_secs(30);
/// A write not answered within this is not acknowledged.
const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// Timeout of status polls and reads.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------------------------
// Agents

/// One `sd agent -server` running inside its host's namespace.
struct Server {
    node: String,
    ip: Ipv4Addr,
    child: Option<Child>,
    log_path: PathBuf,
}

impl Server {
    fn spawn(ns: &str, node: &str, ip: Ipv4Addr, join: Ipv4Addr, dir: &std::path::Path) -> Self {
        let data_dir = dir.join(node);
        let log_path = dir.join(format!("{node}.log"));
        let args = [
            "-server".to_string(),
            "-bootstrap-expect=3".into(),
            format!("-data-dir={}", data_dir.display()),
            format!("-bind={ip}"),
            format!("-client={ip}"),
            format!("-node={node}"),
            format!("-retry-join={join}"),
            "-retry-interval=200ms".into(),
        ];
        let child = spawn_agent_in(ns, &args, &log_path);
        Server {
            node: node.into(),
            ip,
            child: Some(child),
            log_path,
        }
    }

    fn url(&self) -> String {
        format!("http://{}:8500", self.ip)
    }

    /// The Raft address other servers know it by.
    fn raft_addr(&self) -> String {
        format!("{}:8300", self.ip)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Everything the test started. Dropping it (also while a test panics) prints the agents' logs
/// if the test failed, kills the agents and deletes the network.
struct Lab {
    servers: Vec<Server>,
    net: Net,
    probe: reqwest::blocking::Client,
    started: Instant,
    dir: tempfile::TempDir,
}

impl Lab {
    fn start(n: u8) -> Lab {
        let started = Instant::now();
        let dir = tempfile::tempdir().expect("tempdir");
        let net = Net::create(n);
        let mut lab = Lab {
            servers: Vec::new(),
            probe: http_client(PROBE_TIMEOUT),
            started,
            dir,
            net,
        };
        let join = lab.net.host_addr(1);
        for i in 1..=n {
            let server = Server::spawn(
                &lab.net.hosts[usize::from(i - 1)],
                &format!("part-{i}"),
                lab.net.host_addr(i),
                join,
                lab.dir.path(),
            );
            lab.servers.push(server);
        }
        lab.note(&format!(
            "network {} on {}.0/24 up, {n} agents started",
            lab.net.tag,
            lab.net.addr(0).to_string().trim_end_matches(".0")
        ));
        lab
    }

    /// Prints a timeline line (shown when the test fails, or with `--nocapture`).
    fn note(&self, what: &str) {
        println!("[{:6.2}s] {what}", self.started.elapsed().as_secs_f64());
    }

    fn leader(&self, s: &Server) -> String {
        match get(&self.probe, &format!("{}/v1/status/leader", s.url())) {
            Some((200, body)) => serde_json::from_str::<String>(&body).unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn peers(&self, s: &Server) -> Vec<String> {
        match get(&self.probe, &format!("{}/v1/status/peers", s.url())) {
            Some((200, body)) => serde_json::from_str(&body).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Every key under `part/` with its value, read from `s` alone (`?stale`).
    fn stale_kv(&self, s: &Server) -> Option<BTreeMap<String, String>> {
        let (status, body) = get(
            &self.probe,
            &format!("{}/v1/kv/part/?recurse&stale", s.url()),
        )?;
        match status {
            404 => Some(BTreeMap::new()),
            200 => {
                let entries: Vec<serde_json::Value> = serde_json::from_str(&body).ok()?;
                let b64 = base64::engine::general_purpose::STANDARD;
                entries
                    .iter()
                    .map(|e| {
                        let key = e["Key"].as_str()?.to_string();
                        let value = match e["Value"].as_str() {
                            Some(v) => String::from_utf8(b64.decode(v).ok()?).ok()?,
                            None => String::new(),
                        };
                        Some((key, value))
                    })
                    .collect()
            }
            _ => None,
        }
    }

    /// Polls `cond` every 50 ms until it holds; panics naming `what` after `timeout`.
    fn eventually(&self, what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while !cond() {
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?}: {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.note(what);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for s in &mut self.servers {
            s.kill();
        }
        if std::thread::panicking() {
            for s in &self.servers {
                eprintln!("--- agent {} ({}) log ---\n{}", s.node, s.ip, s.log());
            }
        }
        // Then `net` drops (namespaces, veths, bridge) and the temporary directory.
    }
}

fn http_client(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // Straight to the namespaces' addresses, never through a proxy from the environment.
        .no_proxy()
        .build()
        .expect("HTTP client")
}

fn get(client: &reqwest::blocking::Client, url: &str) -> Option<(u16, String)> {
    let resp = client.get(url).send().ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.text().ok()?))
}

// ---------------------------------------------------------------------------------------------
// Writers

#[derive(Clone, Debug)]
enum Outcome {
    /// 200 with body `true`.
    Acked,
    /// Any other answer.
    Refused(u16, String),
    /// No answer: connection error or timeout.
    Failed(String),
}

#[derive(Clone, Debug)]
struct Attempt {
    key: String,
    value: String,
    sent: Instant,
    took: Duration,
    outcome: Outcome,
}

impl Attempt {
    fn acked(&self) -> bool {
        matches!(self.outcome, Outcome::Acked)
    }
}

/// A thread PUTting fresh keys (`part/<label>/<n>`) through one server, one at a time, and
/// recording every attempt and its outcome.
struct Writer {
    label: String,
    stop: Arc<AtomicBool>,
    attempts: Arc<Mutex<Vec<Attempt>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    fn start(label: &str, server: &Server) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, attempts) = (stop.clone(), attempts.clone());
            let (label, base) = (label.to_string(), server.url());
            std::thread::spawn(move || {
                let client = http_client(WRITE_TIMEOUT);
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("part/{label}/{n:06}");
                    let value = format!("{label} write {n}");
                    let sent = Instant::now();
                    let outcome = match client
                        .put(format!("{base}/v1/kv/{key}"))
                        .body(value.clone())
                        .send()
                        .and_then(|r| {
                            let status = r.status().as_u16();
                            r.text().map(|body| (status, body))
                        }) {
                        Ok((200, body)) if body.trim() == "true" => Outcome::Acked,
                        Ok((status, body)) => Outcome::Refused(status, body),
                        Err(e) => Outcome::Failed(error_chain(&e)),
                    };
                    attempts.lock().unwrap().push(Attempt {
                        key,
                        value,
                        sent,
                        took: sent.elapsed(),
                        outcome,
                    });
                    n += 1;
                    // Pacing only, to leave the machine's cores to the agents.
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        Writer {
            label: label.into(),
            stop,
            attempts,
            thread: Some(thread),
        }
    }

    /// Acknowledged writes sent at or after `since`.
    fn acked_since(&self, since: Instant) -> usize {
        self.attempts
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.acked() && a.sent >= since)
            .count()
    }

    /// Attempts (finished) sent at or after `since`.
    fn attempts_since(&self, since: Instant) -> usize {
        self.attempts
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.sent >= since)
            .count()
    }

    /// Stops after the write in flight has been answered or timed out; returns every attempt.
    fn stop(mut self) -> Vec<Attempt> {
        self.halt();
        std::mem::take(&mut *self.attempts.lock().unwrap())
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("writer thread panicked");
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.halt();
    }
}

/// An error with its causes (reqwest's own message leaves out why a request failed).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

fn summary(attempts: &[Attempt]) -> String {
    let acked = attempts.iter().filter(|a| a.acked()).count();
    let mut refused = Vec::new();
    let mut failed = Vec::new();
    for a in attempts {
        match &a.outcome {
            Outcome::Acked => {}
            Outcome::Refused(status, body) => refused.push(format!("{status} {}", body.trim())),
            Outcome::Failed(e) => failed.push(e.clone()),
        }
    }
    let slowest = attempts.iter().map(|a| a.took).max().unwrap_or_default();
    let mut s = format!(
        "{} attempts: {acked} acknowledged, {} refused, {} without answer; slowest {slowest:.2?}",
        attempts.len(),
        refused.len(),
        failed.len()
    );
    if let Some(r) = refused.first() {
        s.push_str(&format!("; first refusal: {r}"));
    }
    if let Some(f) = failed.first() {
        s.push_str(&format!("; first failure: {f}"));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The test

#[test]
fn partitioned_minority_refuses_writes_and_catches_up_after_healing() {
    require_prerequisites();
    let lab = Lab::start(3);
    let servers = &lab.servers;

    // 1. Three servers find each other through -retry-join and elect one leader.
    lab.eventually("one leader and three peers on every server", SETTLE, || {
        let first = lab.leader(&servers[0]);
        !first.is_empty()
            && servers
                .iter()
                .all(|s| lab.leader(s) == first && lab.peers(s).len() == 3)
    });
    let old_leader_addr = lab.leader(&servers[0]);
    let old = servers
        .iter()
        .position(|s| s.raft_addr() == old_leader_addr)
        .unwrap_or_else(|| panic!("leader {old_leader_addr} is none of the servers"));
    let majority: Vec<usize> = (0..servers.len()).filter(|&i| i != old).collect();
    lab.note(&format!(
        "leader is {} ({old_leader_addr})",
        servers[old].node
    ));

    // 2. Writers through every server, the followers forwarding to the leader.
    let mut writers: Vec<Writer> = servers.iter().map(|s| Writer::start(&s.node, s)).collect();
    let begin = Instant::now();
    lab.eventually("every writer acknowledged", SETTLE, || {
        writers.iter().all(|w| w.acked_since(begin) >= 20)
    });

    // 3. Cut the leader off from the other two servers (the test process still reaches it).
    let others: Vec<Ipv4Addr> = majority.iter().map(|&i| servers[i].ip).collect();
    lab.net.cut(servers[old].ip, &others);
    let cut_at = Instant::now();
    lab.note(&format!("partition: {} cut off", servers[old].node));

    // The majority elects a new leader among itself and acknowledges writes again.
    let mut new_leader_addr = String::new();
    lab.eventually("the majority agrees on a new leader", SETTLE, || {
        let l = lab.leader(&servers[majority[0]]);
        let ok = !l.is_empty()
            && l != old_leader_addr
            && majority.iter().all(|&i| lab.leader(&servers[i]) == l);
        if ok {
            new_leader_addr = l;
        }
        ok
    });
    assert!(
        majority
            .iter()
            .any(|&i| servers[i].raft_addr() == new_leader_addr),
        "the new leader {new_leader_addr} is not in the majority"
    );
    let elected_at = Instant::now();
    lab.eventually(
        "the majority acknowledges writes under the new leader",
        SETTLE,
        || {
            majority
                .iter()
                .all(|&i| writers[i].acked_since(elected_at) >= 20)
        },
    );
    // The isolated old leader has been sent writes for long enough to answer them, had it
    // been able to; it must not have acknowledged any sent after the cut. (The partition lasts
    // a few seconds, less than autopilot's dead-server cleanup, so the old leader stays a voter
    // throughout.)
    lab.eventually(
        "two writes sent to the isolated old leader after the cut have ended",
        SETTLE,
        || writers[old].attempts_since(cut_at) >= 2,
    );
    let old_writer = writers.remove(old);
    let old_attempts = old_writer.stop();
    let minority: Vec<Attempt> = old_attempts
        .iter()
        .filter(|a| a.sent >= cut_at)
        .cloned()
        .collect();
    lab.note(&format!(
        "writes to the isolated old leader after the cut: {}",
        summary(&minority)
    ));
    let acked_by_minority: Vec<&Attempt> = minority.iter().filter(|a| a.acked()).collect();
    assert!(
        acked_by_minority.is_empty(),
        "the isolated old leader acknowledged {} writes without a quorum, first: {:?}",
        acked_by_minority.len(),
        acked_by_minority.first()
    );

    // 4. Heal. The old leader learns the new leader and serves writes again (forwarding them).
    lab.net.heal();
    lab.note("partition healed");
    lab.eventually(
        "the old leader follows the new leader, three peers everywhere",
        SETTLE,
        || {
            servers
                .iter()
                .all(|s| lab.leader(s) == new_leader_addr && lab.peers(s).len() == 3)
        },
    );
    let rejoined = Writer::start(&format!("{}-healed", servers[old].node), &servers[old]);
    let healed_at = Instant::now();
    lab.eventually(
        "writes through the old leader are acknowledged again",
        SETTLE,
        || rejoined.acked_since(healed_at) >= 20,
    );
    writers.push(rejoined);

    // 5. Every acknowledged write is on every server with its value; the writes the minority
    //    did not acknowledge are nowhere.
    let mut all: Vec<Attempt> = old_attempts.clone();
    for w in writers {
        let label = w.label.clone();
        let attempts = w.stop();
        lab.note(&format!("writer {label}: {}", summary(&attempts)));
        all.extend(attempts);
    }
    let acked: BTreeMap<&str, &str> = all
        .iter()
        .filter(|a| a.acked())
        .map(|a| (a.key.as_str(), a.value.as_str()))
        .collect();
    lab.note(&format!("{} acknowledged writes in all", acked.len()));
    for s in servers {
        let deadline = Instant::now() + SETTLE;
        loop {
            let kv = lab.stale_kv(s).unwrap_or_default();
            let wrong: Vec<String> = acked
                .iter()
                .filter(|(k, v)| kv.get(**k).map(String::as_str) != Some(**v))
                .map(|(k, v)| format!("{k} = {v:?}, found {:?}", kv.get(*k)))
                .collect();
            if wrong.is_empty() {
                let phantoms: Vec<&str> = minority
                    .iter()
                    .filter(|a| kv.contains_key(&a.key))
                    .map(|a| a.key.as_str())
                    .collect();
                assert!(
                    phantoms.is_empty(),
                    "{} holds writes the isolated old leader never acknowledged: {phantoms:?}",
                    s.node
                );
                lab.note(&format!(
                    "{} holds every acknowledged write ({} keys)",
                    s.node,
                    kv.len()
                ));
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} lacks {} of {} acknowledged writes after {SETTLE:?}, e.g. {:?}",
                s.node,
                wrong.len(),
                acked.len(),
                &wrong[..wrong.len().min(10)]
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
