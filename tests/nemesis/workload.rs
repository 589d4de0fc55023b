//! The clients: threads that each talk to one server and issue random KV operations on the
//! cycle's keys (default, `consistent` and `stale` reads, writes, CAS after a read, deletes,
//! lock acquires and releases with a session of the client's own), recording every invocation
//! and completion in the history. A request that times out, fails
//! to connect or gets a 5xx has an unknown outcome; the client then continues as a new process
//! (the old operation may still take effect), as Jepsen's clients do.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use rand::{Rng, SeedableRng};

use crate::history::{Call, History, Mode, Op, Outcome, Value};

/// A request not answered within this has an unknown outcome.
pub const OP_TIMEOUT: Duration = Duration::from_secs(2);

/// Running clients; [`Workload::stop`] ends them.
pub struct Workload {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Where the clients go and what they touch.
pub struct Target {
    pub urls: Vec<String>,
    pub incarnations: Arc<Vec<AtomicU64>>,
    pub keys: Vec<String>,
    /// The clients' sessions: ID -> the number the history uses.
    pub sessions: Mutex<HashMap<String, usize>>,
}

impl Target {
    /// The number of the session `id` (one no client created: `usize::MAX`, which matches
    /// no operation, so a read that shows it fails the check).
    fn session_number(&self, id: &str) -> usize {
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.get(id).copied().unwrap_or(usize::MAX)
    }
}

impl Workload {
    /// Starts `clients` clients (client `c` talks to server `c % n`), numbering processes from
    /// `processes`.
    pub fn start(
        target: Arc<Target>,
        history: Arc<History>,
        clients: usize,
        processes: Arc<AtomicUsize>,
        seed: u64,
    ) -> Workload {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..clients)
            .map(|c| {
                let (target, history, processes, stop) = (
                    target.clone(),
                    history.clone(),
                    processes.clone(),
                    stop.clone(),
                );
                std::thread::spawn(move || {
                    Client::new(c, target, history, processes, seed).run(&stop)
                })
            })
            .collect();
        Workload { stop, threads }
    }

    /// Stops the clients and waits for their last operations.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

struct Client {
    id: usize,
    server: usize,
    process: usize,
    counter: u64,
    http: reqwest::blocking::Client,
    target: Arc<Target>,
    history: Arc<History>,
    processes: Arc<AtomicUsize>,
    rng: rand::rngs::StdRng,
    /// This client's session (its ID and number), made at its first lock operation.
    session: Option<(String, usize)>,
}

impl Client {
    fn new(
        id: usize,
        target: Arc<Target>,
        history: Arc<History>,
        processes: Arc<AtomicUsize>,
        seed: u64,
    ) -> Client {
        Client {
            id,
            server: id % target.urls.len(),
            process: processes.fetch_add(1, Ordering::AcqRel),
            counter: 0,
            http: reqwest::blocking::Client::builder()
                .timeout(OP_TIMEOUT)
                .build()
                .expect("http client"),
            target,
            history,
            processes,
            rng: rand::rngs::StdRng::seed_from_u64(seed ^ (id as u64).wrapping_mul(0x9e37_79b9)),
            session: None,
        }
    }

    fn run(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Acquire) {
            let key = self.rng.random_range(0..self.target.keys.len());
            match self.rng.random_range(0..100) {
                0..22 => drop(self.read(key, Mode::Default)),
                22..35 => drop(self.read(key, Mode::Consistent)),
                35..48 => drop(self.read(key, Mode::Stale)),
                48..68 => {
                    let v = self.value();
                    self.mutate(key, Call::Write(v));
                }
                68..80 => {
                    if let Outcome::Read(expect, index, _) = self.read(key, Mode::Default) {
                        let new = self.value();
                        self.cas(key, expect, index, new);
                    }
                }
                80..84 => self.mutate(key, Call::Delete),
                84..93 => self.lock(key, true),
                _ => self.lock(key, false),
            }
            std::thread::sleep(Duration::from_millis(self.rng.random_range(0..8)));
        }
    }

    fn value(&mut self) -> Value {
        self.counter += 1;
        ((self.id as u64 + 1) << 32) | self.counter
    }

    fn url(&self, key: usize) -> String {
        format!(
            "{}/v1/kv/{}",
            self.target.urls[self.server], self.target.keys[key]
        )
    }

    fn record(&mut self, key: usize, call: Call, invoked: u64, outcome: Outcome) -> Outcome {
        let completed = self.history.now();
        if outcome == Outcome::Failed {
            // Nothing reached a server: not part of the history. Back off a little, as a
            // client whose server is down would.
            std::thread::sleep(Duration::from_millis(100));
            return outcome;
        }
        let unknown = outcome == Outcome::Unknown;
        self.history.push(Op {
            process: self.process,
            client: self.id,
            server: self.server,
            incarnation: self.target.incarnations[self.server].load(Ordering::Acquire),
            key,
            call,
            outcome: outcome.clone(),
            invoked,
            completed,
        });
        if unknown {
            self.process = self.processes.fetch_add(1, Ordering::AcqRel);
            std::thread::sleep(Duration::from_millis(100));
        }
        outcome
    }

    fn read(&mut self, key: usize, mode: Mode) -> Outcome {
        let query = match mode {
            Mode::Default => "",
            Mode::Consistent => "?consistent",
            Mode::Stale => "?stale",
        };
        let url = format!("{}{query}", self.url(key));
        let invoked = self.history.now();
        let outcome = match self.http.get(url).send() {
            Ok(r) if r.status().as_u16() == 404 => Outcome::Read(None, 0, None),
            Ok(r) if r.status().is_success() => {
                match r.text().ok().and_then(|t| parse_get(&self.target, &t)) {
                    Some((v, idx, holder)) => Outcome::Read(Some(v), idx, holder),
                    None => Outcome::Unknown,
                }
            }
            Err(e) if e.is_connect() => Outcome::Failed,
            _ => Outcome::Unknown,
        };
        self.record(key, Call::Read(mode), invoked, outcome)
    }

    fn mutate(&mut self, key: usize, call: Call) {
        let url = self.url(key);
        let invoked = self.history.now();
        let request = match &call {
            Call::Write(v) => self.http.put(url).body(v.to_string()),
            _ => self.http.delete(url),
        };
        let outcome = answer(request.send());
        self.record(key, call, invoked, outcome);
    }

    fn cas(&mut self, key: usize, expect: Option<Value>, index: u64, new: Value) {
        let cas = if expect.is_some() { index } else { 0 };
        let url = format!("{}?cas={cas}", self.url(key));
        let invoked = self.history.now();
        let outcome = answer(self.http.put(url).body(new.to_string()).send());
        self.record(key, Call::Cas { expect, new }, invoked, outcome);
    }

    /// `?acquire=` (or `?release=`) with this client's session, writing a new value.
    fn lock(&mut self, key: usize, acquire: bool) {
        let Some((id, session)) = self.session() else {
            return;
        };
        let value = self.value();
        let (verb, call) = if acquire {
            ("acquire", Call::Acquire { session, value })
        } else {
            ("release", Call::Release { session, value })
        };
        let url = format!("{}?{verb}={id}", self.url(key));
        let invoked = self.history.now();
        let outcome = answer(self.http.put(url).body(value.to_string()).send());
        self.record(key, call, invoked, outcome);
    }

    /// This client's session, created on its server when it has none: no checks, no TTL and
    /// no lock delay, so nothing but the client ends it. `None` when the create did not
    /// succeed (it is tried again at the next lock operation; a session created by an
    /// unanswered request is never used).
    fn session(&mut self) -> Option<(String, usize)> {
        if self.session.is_none() {
            let url = format!("{}/v1/session/create", self.target.urls[self.server]);
            let body = format!(
                r#"{{"Name":"nemesis-c{}","NodeChecks":[],"LockDelay":"0s"}}"#,
                self.id
            );
            let id = self
                .http
                .put(url)
                .body(body)
                .send()
                .ok()
                .filter(|r| r.status().is_success())
                .and_then(|r| r.json::<serde_json::Value>().ok())
                .and_then(|v| v.get("ID")?.as_str().map(str::to_string))?;
            let mut sessions = self
                .target
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let number = sessions.len() + 1;
            sessions.insert(id.clone(), number);
            self.session = Some((id, number));
        }
        self.session.clone()
    }
}

/// `true`/`false` from a 200 answer; a connection that could not be made failed; anything
/// else is unknown.
fn answer(resp: reqwest::Result<reqwest::blocking::Response>) -> Outcome {
    match resp {
        Err(e) if e.is_connect() => Outcome::Failed,
        Ok(r) if r.status().as_u16() == 200 => match r.text().as_deref().map(str::trim) {
            Ok("true") => Outcome::Done(true),
            Ok("false") => Outcome::Done(false),
            _ => Outcome::Unknown,
        },
        _ => Outcome::Unknown,
    }
}

/// The value, ModifyIndex and lock holder (by number) of a single-key GET's JSON answer.
fn parse_get(target: &Target, body: &str) -> Option<(Value, u64, Option<usize>)> {
    let entries: serde_json::Value = serde_json::from_str(body).ok()?;
    let entry = entries.as_array()?.first()?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(entry.get("Value")?.as_str()?)
        .ok()?;
    let value = std::str::from_utf8(&raw).ok()?.parse().ok()?;
    let holder = entry
        .get("Session")
        .and_then(|s| s.as_str())
        .map(|id| target.session_number(id));
    Some((value, entry.get("ModifyIndex")?.as_u64()?, holder))
}

/// A consistent read that is retried until it succeeds (or `deadline` passes): the last word
/// on a key after the faults are healed. Recorded like any other read.
pub fn final_read(
    target: &Target,
    history: &History,
    key: usize,
    process: usize,
    deadline: std::time::Instant,
) -> bool {
    let http = reqwest::blocking::Client::builder()
        .timeout(OP_TIMEOUT)
        .build()
        .expect("http client");
    let mut server = 0;
    while std::time::Instant::now() < deadline {
        let url = format!(
            "{}/v1/kv/{}?consistent",
            target.urls[server], target.keys[key]
        );
        let invoked = history.now();
        let outcome = match http.get(url).send() {
            Ok(r) if r.status().as_u16() == 404 => Some(Outcome::Read(None, 0, None)),
            Ok(r) if r.status().is_success() => r
                .text()
                .ok()
                .and_then(|t| parse_get(target, &t))
                .map(|(v, i, h)| Outcome::Read(Some(v), i, h)),
            _ => None,
        };
        if let Some(outcome) = outcome {
            history.push(Op {
                process,
                client: usize::MAX,
                server,
                incarnation: target.incarnations[server].load(Ordering::Acquire),
                key,
                call: Call::Read(Mode::Consistent),
                outcome,
                invoked,
                completed: history.now(),
            });
            return true;
        }
        server = (server + 1) % target.urls.len();
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}
