//! The load generator: workers that each own one keep-alive connection and send what an [`Ops`]
//! asks for, counting successes and latencies inside a window. The KV workloads give both peers
//! the same workers, keys, values and connection counts; only the request encoding differs
//! (Consul's `/v1/kv` vs etcd's JSON gateway `/v3/kv/*`). Other benches bring their own `Ops`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use hyper::Method;

use crate::http::Conn;
use crate::servers::Peer;

/// Value size of every write (etcd's published benchmark uses 256 B values too).
pub const VALUE_LEN: usize = 256;
/// Puts cycle over this many keys (`k0000000`…: 8-byte keys from a shared counter).
pub const PUT_KEYSPACE: u64 = 100_000;
/// Keys written before a get run, and read round-robin by it.
pub const GET_KEYS: u64 = 1_000;
/// Connections used to preload the get key set (not timed).
const PRELOAD_CONNS: usize = 16;

/// The timed workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Durable put, 1 connection.
    Put1,
    /// Durable put, 64 concurrent connections.
    Put64,
    /// Stale (sd `?stale`) / serializable (etcd) get of existing keys, 50 connections.
    Get50,
}

impl Workload {
    pub const ALL: [Workload; 3] = [Workload::Put1, Workload::Put64, Workload::Get50];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Put1 => "put1",
            Workload::Put64 => "put64",
            Workload::Get50 => "get50",
        }
    }

    pub fn conns(self) -> usize {
        match self {
            Workload::Put1 => 1,
            Workload::Put64 => 64,
            Workload::Get50 => 50,
        }
    }

    pub fn is_put(self) -> bool {
        !matches!(self, Workload::Get50)
    }
}

/// The value written, raw (sd) and base64 (etcd), built once.
pub struct Payload {
    raw: Bytes,
    b64: String,
}

impl Payload {
    pub fn new() -> Payload {
        let raw: Vec<u8> = (0..VALUE_LEN).map(|i| b'a' + (i * 7 % 26) as u8).collect();
        Payload {
            b64: B64.encode(&raw),
            raw: Bytes::from(raw),
        }
    }
}

fn key(n: u64) -> String {
    format!("k{n:07}")
}

/// One request of a workload.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub content_type: Option<&'static str>,
    pub body: Bytes,
}

impl Req {
    /// A GET without a body.
    pub fn get(path: String) -> Req {
        Req {
            method: Method::GET,
            path,
            content_type: None,
            body: Bytes::new(),
        }
    }
}

/// What a load run sends: the `n`-th request (`n` from a counter all workers share) and which
/// answers count as success.
pub trait Ops: Send + Sync + 'static {
    fn request(&self, n: u64) -> Req;
    fn ok(&self, status: u16, body: &[u8]) -> bool;
    /// The ACL token every request carries (`X-Consul-Token`), if any.
    fn token(&self) -> Option<&str> {
        None
    }
}

/// KV put or get of the `n mod keyspace`-th key, on sd (`/v1/kv`) or etcd (its JSON gateway).
struct KvOps {
    peer: Peer,
    put: bool,
    keyspace: u64,
    p: Arc<Payload>,
}

impl Ops for KvOps {
    fn request(&self, n: u64) -> Req {
        let key = key(n % self.keyspace);
        let json = Some("application/json");
        match (self.peer, self.put) {
            (Peer::Sd, true) => Req {
                method: Method::PUT,
                path: format!("/v1/kv/{key}"),
                content_type: None,
                body: self.p.raw.clone(),
            },
            (Peer::Sd, false) => Req::get(format!("/v1/kv/{key}?stale")),
            (Peer::Etcd, true) => Req {
                method: Method::POST,
                path: "/v3/kv/put".to_string(),
                content_type: json,
                body: Bytes::from(format!(
                    r#"{{"key":"{}","value":"{}"}}"#,
                    B64.encode(&key),
                    self.p.b64
                )),
            },
            (Peer::Etcd, false) => Req {
                method: Method::POST,
                path: "/v3/kv/range".to_string(),
                content_type: json,
                body: Bytes::from(format!(
                    r#"{{"key":"{}","serializable":true}}"#,
                    B64.encode(&key)
                )),
            },
        }
    }

    fn ok(&self, status: u16, body: &[u8]) -> bool {
        status == 200
            && match (self.peer, self.put) {
                (Peer::Sd, true) => body.trim_ascii() == b"true",
                (Peer::Sd, false) => body.starts_with(b"["),
                (Peer::Etcd, true) => body.starts_with(b"{\"header\""),
                (Peer::Etcd, false) => body.windows(6).any(|w| w == b"\"kvs\":"),
            }
    }
}

/// Why one operation failed.
enum OpError {
    /// The connection is unusable (reset, timeout, protocol error): reconnect.
    Transport(anyhow::Error),
    /// The server answered, but not with success.
    Bad(String),
}

async fn op(conn: &mut Conn, ops: &impl Ops, n: u64) -> Result<(), OpError> {
    let r = ops.request(n);
    let (status, body) = conn
        .request(r.method, &r.path, r.content_type, r.body)
        .await
        .map_err(OpError::Transport)?;
    if ops.ok(status, &body) {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        Err(OpError::Bad(format!("{}: HTTP {status}: {text}", r.path)))
    }
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct RunStats {
    /// Successful operations completed inside the measured window.
    pub ops: u64,
    /// Failed operations (any phase, warm-up included).
    pub errors: u64,
    pub first_error: Option<String>,
    /// TCP connections opened (the worker count, plus reconnects after errors).
    pub conns_opened: u64,
    pub window: Duration,
    /// Latencies of the counted operations, microseconds, sorted.
    pub lat_us: Vec<u32>,
}

impl RunStats {
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.window.as_secs_f64()
    }

    /// Nearest-rank percentile in milliseconds (NaN if nothing was counted).
    pub fn pct_ms(&self, p: f64) -> f64 {
        if self.lat_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.lat_us.len() as f64).ceil() as usize;
        f64::from(self.lat_us[rank.clamp(1, self.lat_us.len()) - 1]) / 1000.0
    }
}

/// Writes the key set a get run reads. Must succeed completely.
pub async fn preload(addr: SocketAddr, peer: Peer, p: &Arc<Payload>) -> Result<()> {
    let ops = KvOps {
        peer,
        put: true,
        keyspace: GET_KEYS,
        p: p.clone(),
    };
    run_all(addr, PRELOAD_CONNS, GET_KEYS, Arc::new(ops))
        .await
        .map(|_| ())
}

/// Sends requests 0..count over `conns` connections (each worker takes the next number);
/// every one must succeed. Returns the time it took.
pub async fn run_all<O: Ops>(
    addr: SocketAddr,
    conns: usize,
    count: u64,
    ops: Arc<O>,
) -> Result<Duration> {
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let mut conn = Conn::connect(addr).await?;
        conn.set_token(ops.token());
        let (next, ops) = (next.clone(), ops.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return Ok(());
                }
                match op(&mut conn, &*ops, n).await {
                    Ok(()) => {}
                    Err(OpError::Transport(e)) => bail!("request {n}: {e:#}"),
                    Err(OpError::Bad(e)) => bail!("request {n}: {e}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed())
}

/// Runs `w` against `addr`: connects every worker first, then `warmup` (not counted), then
/// counts operations that complete within the next `window`.
pub async fn run(
    addr: SocketAddr,
    peer: Peer,
    w: Workload,
    warmup: Duration,
    window: Duration,
    p: &Arc<Payload>,
) -> Result<RunStats> {
    let ops = KvOps {
        peer,
        put: w.is_put(),
        keyspace: if w.is_put() { PUT_KEYSPACE } else { GET_KEYS },
        p: p.clone(),
    };
    run_ops(addr, w.conns(), warmup, window, Arc::new(ops)).await
}

/// Runs `ops` over `conns` keep-alive connections: connects every worker first, then `warmup`
/// (not counted), then counts operations that complete within the next `window`.
pub async fn run_ops<O: Ops>(
    addr: SocketAddr,
    conns: usize,
    warmup: Duration,
    window: Duration,
    ops: Arc<O>,
) -> Result<RunStats> {
    let mut opened = Vec::with_capacity(conns);
    for _ in 0..conns {
        let mut conn = Conn::connect(addr).await?;
        conn.set_token(ops.token());
        opened.push(conn);
    }
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now() + warmup;
    let end = start + window;
    let mut tasks = Vec::new();
    for conn in opened {
        let (counter, ops) = (counter.clone(), ops.clone());
        tasks.push(tokio::spawn(worker(conn, counter, ops, start, end)));
    }
    let mut total = RunStats {
        window,
        ..RunStats::default()
    };
    for t in tasks {
        let s = t.await?;
        total.ops += s.ops;
        total.errors += s.errors;
        total.conns_opened += s.conns_opened;
        if total.first_error.is_none() {
            total.first_error = s.first_error;
        }
        total.lat_us.extend(s.lat_us);
    }
    total.lat_us.sort_unstable();
    Ok(total)
}

async fn worker<O: Ops>(
    conn: Conn,
    counter: Arc<AtomicU64>,
    ops: Arc<O>,
    start: Instant,
    end: Instant,
) -> RunStats {
    let addr = conn.addr();
    let mut conn = Some(conn);
    let mut s = RunStats {
        conns_opened: 1,
        ..RunStats::default()
    };
    while Instant::now() < end {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match Conn::connect(addr).await {
                Ok(mut c) => {
                    s.conns_opened += 1;
                    c.set_token(ops.token());
                    conn.insert(c)
                }
                Err(e) => {
                    s.errors += 1;
                    s.first_error.get_or_insert_with(|| format!("{e:#}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        let r = op(c, &*ops, n).await;
        let done = Instant::now();
        match r {
            Ok(()) => {
                if done >= start && done <= end {
                    s.ops += 1;
                    let us = done.duration_since(t).as_micros();
                    s.lat_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
            }
            Err(OpError::Bad(e)) => {
                s.errors += 1;
                s.first_error.get_or_insert(e);
            }
            Err(OpError::Transport(e)) => {
                s.errors += 1;
                s.first_error.get_or_insert_with(|| format!("{e:#}"));
                conn = None;
            }
        }
    }
    s
}
