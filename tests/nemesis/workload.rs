//! The clients: threads that each talk to one server and issue random KV operations on the
//! cycle's keys (default, `consistent` and `stale` reads, writes, CAS after a read, deletes),
//! recording every invocation and completion in the history. A request that times out, fails
//! to connect or gets a 5xx has an unknown outcome; the client then continues as a new process
//! (the old operation may still take effect), as Jepsen's clients do.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
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
        }
    }

    fn run(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Acquire) {
            let key = self.rng.random_range(0..self.target.keys.len());
            match self.rng.random_range(0..100) {
                0..25 => drop(self.read(key, Mode::Default)),
                25..40 => drop(self.read(key, Mode::Consistent)),
                40..55 => drop(self.read(key, Mode::Stale)),
                55..80 => {
                    let v = self.value();
                    self.mutate(key, Call::Write(v));
                }
                80..95 => {
                    if let Outcome::Read(expect, index) = self.read(key, Mode::Default) {
                        let new = self.value();
                        self.cas(key, expect, index, new);
                    }
                }
                _ => self.mutate(key, Call::Delete),
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
            Ok(r) if r.status().as_u16() == 404 => Outcome::Read(None, 0),
            Ok(r) if r.status().is_success() => match r.text().ok().and_then(|t| parse_get(&t)) {
                Some((v, idx)) => Outcome::Read(Some(v), idx),
                None => Outcome::Unknown,
            },
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

/// The value and ModifyIndex of a single-key GET's JSON answer.
fn parse_get(body: &str) -> Option<(Value, u64)> {
    let entries: serde_json::Value = serde_json::from_str(body).ok()?;
    let entry = entries.as_array()?.first()?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(entry.get("Value")?.as_str()?)
        .ok()?;
    let value = std::str::from_utf8(&raw).ok()?.parse().ok()?;
    Some((value, entry.get("ModifyIndex")?.as_u64()?))
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
            Ok(r) if r.status().as_u16() == 404 => Some(Outcome::Read(None, 0)),
            Ok(r) if r.status().is_success() => r
                .text()
                .ok()
                .and_then(|t| parse_get(&t))
                .map(|(v, i)| Outcome::Read(Some(v), i)),
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
