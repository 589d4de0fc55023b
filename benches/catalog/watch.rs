//! Part `watch`: N (default 1,000) blocking queries on one service's health, each on its own
//! connection. A write to another service must wake none of them; a check flip on the watched
//! service must wake all of them, and each wake is timed against the write's acknowledgement.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::agent::{self, ms_between};
use crate::http::Conn;
use crate::process::cpu_ns_of;
use crate::raw;
use crate::report::{median, percentile};
use crate::servers::{Launch, Server};

/// Instances of the watched service `web` (node `nI`, address `10.0.0.I`, check `cI`).
pub const INSTANCES: usize = 10;
/// The blocking queries' `wait`.
const WAIT: &str = "60s";
/// A watcher's request deadline: the wait plus Consul's jitter (wait/16) plus slack.
const WATCH_TIMEOUT: Duration = Duration::from_secs(75);
/// How long the watchers get to return after the flip before the round gives up on them.
const WAKE_DEADLINE: Duration = Duration::from_secs(20);
/// How long the agent must stay quiet (at most one CPU tick) to count as idle.
const QUIET: Duration = Duration::from_millis(300);

/// What one round measured.
pub struct Round {
    pub watchers: usize,
    /// Watchers that returned before the flip was sent (target 0).
    pub early: usize,
    /// Watchers that returned after the flip with an index past the one they waited on.
    pub woken: usize,
    /// The rest: errors, timeouts, or an unchanged index.
    pub missed: usize,
    pub first_error: Option<String>,
    /// Flip sent -> acknowledged, ms.
    pub write_ms: f64,
    /// The same kind of write with no watcher parked (median of a few, before the round), ms.
    pub idle_write_ms: f64,
    /// Each woken watcher's return time minus the flip's acknowledgement, ms (negative when
    /// the answer arrived before the acknowledgement).
    pub wake_ms: Vec<f64>,
    /// Each woken watcher's return time minus the moment the flip was sent, ms.
    pub wake_sent_ms: Vec<f64>,
    /// CPU time from sending the flip until every watcher returned: the agent's and this
    /// bench process's (the watchers' client side), ms.
    pub agent_cpu_ms: f64,
    pub bench_cpu_ms: f64,
    /// Size of one woken watcher's answer, bytes.
    pub answer_bytes: usize,
    /// Agent RSS before the watchers connected and with all of them parked, KiB.
    pub rss_before_kib: u64,
    pub rss_parked_kib: u64,
    /// False if the agent never went quiet after the watchers were sent.
    pub settled: bool,
}

impl Round {
    /// Percentile `p` of wake - ack.
    pub fn pct(&self, p: f64) -> f64 {
        percentile(self.wake_ms.iter().copied(), p)
    }

    /// Percentile `p` of wake - sent.
    pub fn pct_sent(&self, p: f64) -> f64 {
        percentile(self.wake_sent_ms.iter().copied(), p)
    }

    pub fn max(&self) -> f64 {
        self.wake_ms.iter().copied().fold(f64::NAN, f64::max)
    }

    pub fn max_sent(&self) -> f64 {
        self.wake_sent_ms.iter().copied().fold(f64::NAN, f64::max)
    }

    /// Extra resident memory per parked watcher, bytes.
    pub fn rss_per_watcher(&self) -> f64 {
        (self.rss_parked_kib as f64 - self.rss_before_kib as f64) * 1024.0 / self.watchers as f64
    }

    pub fn line(&self, i: usize, runs: usize) -> String {
        let mut s = format!(
            "  round {i}/{runs}: woken {}/{} early {} missed {}\n    \
             wake - ack  p50 {:.2} ms p99 {:.2} ms max {:.2} ms\n    \
             wake - sent min {:.2} ms p50 {:.2} ms p99 {:.2} ms max {:.2} ms\n    \
             write ack {:.2} ms (idle {:.2} ms); CPU sent->all woken: agent {:.1} ms, bench {:.1} ms; \
             answer {} B; RSS {:.1} -> {:.1} MiB ({:.0} B/watcher)",
            self.woken,
            self.watchers,
            self.early,
            self.missed,
            self.pct(50.0),
            self.pct(99.0),
            self.max(),
            self.wake_sent_ms.iter().copied().fold(f64::NAN, f64::min),
            self.pct_sent(50.0),
            self.pct_sent(99.0),
            self.max_sent(),
            self.write_ms,
            self.idle_write_ms,
            self.agent_cpu_ms,
            self.bench_cpu_ms,
            self.answer_bytes,
            self.rss_before_kib as f64 / 1024.0,
            self.rss_parked_kib as f64 / 1024.0,
            self.rss_per_watcher(),
        );
        if !self.settled {
            s += " [agent never went idle after the watchers were sent]";
        }
        if let Some(e) = &self.first_error {
            s += &format!(" [first error: {e}]");
        }
        s
    }
}

/// One watcher's outcome: when its answer was complete, and the answer's status, index and
/// size; and its connection, parked again on the next index until the round ends.
type Outcome = (Instant, Result<(u16, u64, usize)>, TcpStream);
/// Writes timed with no watcher parked, for the idle write latency.
const IDLE_WRITES: usize = 5;

/// Runs `runs` rounds of `watchers` blocking queries on one agent; `other_window` is how long
/// the unrelated write gets to (wrongly) wake them.
pub async fn watch(
    l: &Launch,
    durable: bool,
    runs: usize,
    watchers: usize,
    other_window: Duration,
) -> Result<Vec<Round>> {
    agent::ensure_open_files(2 * watchers as u64 + 512)?;
    let server = agent::start(l, durable).await?;
    rounds(&server, runs, watchers, other_window).await
}

/// The same rounds against the wire-only stand-in of the `floor` part.
pub async fn floor(
    l: &Launch,
    runs: usize,
    watchers: usize,
    other_window: Duration,
) -> Result<Vec<Round>> {
    agent::ensure_open_files(2 * watchers as u64 + 512)?;
    let server = crate::floor::start(l, false).await?;
    rounds(&server, runs, watchers, other_window).await
}

/// Registers the watched service's instances on `server`, then runs the rounds.
async fn rounds(
    server: &Server,
    runs: usize,
    watchers: usize,
    other_window: Duration,
) -> Result<Vec<Round>> {
    let mut conn = Conn::connect(server.http).await?;
    for i in 1..=INSTANCES {
        let body = agent::registration(
            &format!("n{i}"),
            &format!("10.0.0.{i}"),
            &format!("web-{i}"),
            "web",
            &format!("c{i}"),
            "passing",
        );
        agent::put(&mut conn, "/v1/catalog/register", body).await?;
    }
    let mut rounds = Vec::new();
    for r in 1..=runs {
        let round = one_round(server, &mut conn, r, watchers, other_window)
            .await
            .with_context(|| format!("round {r}"))?;
        println!("{}", round.line(r, runs));
        rounds.push(round);
    }
    Ok(rounds)
}

async fn one_round(
    server: &Server,
    conn: &mut Conn,
    round: usize,
    watchers: usize,
    other_window: Duration,
) -> Result<Round> {
    // The write latency with nobody watching: the same registration of an unrelated service.
    let mut idle = Vec::new();
    for k in 0..IDLE_WRITES {
        let body = agent::registration(
            "n1",
            "10.0.0.1",
            &format!("idle-{round}-{k}"),
            "idle",
            &format!("idle-check-{round}-{k}"),
            "passing",
        );
        let t = Instant::now();
        let acked = agent::put(conn, "/v1/catalog/register", body).await?;
        idle.push(ms_between(t, acked));
    }
    let idle_write_ms = median(idle);
    let (index, _) = agent::get_indexed(conn, "/v1/health/service/web").await?;
    let rss_before_kib = server.rss_kib()?;
    let mut conns = Vec::with_capacity(watchers);
    for _ in 0..watchers {
        let c = TcpStream::connect(server.http).await.context("connect")?;
        c.set_nodelay(true)?;
        conns.push(c);
    }
    let path = format!("/v1/health/service/web?index={index}&wait={WAIT}");
    let host = Arc::<str>::from(server.http.to_string());
    let req: Arc<[u8]> = raw::request("GET", &path, &host, b"").into();
    let started = Arc::new(AtomicUsize::new(0));
    let returned = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(watchers);
    for mut c in conns {
        let (req, host) = (req.clone(), host.clone());
        let (started, returned) = (started.clone(), returned.clone());
        tasks.push(tokio::spawn(async move {
            started.fetch_add(1, Ordering::Relaxed);
            let answer = tokio::time::timeout(WATCH_TIMEOUT, raw::exchange(&mut c, &req))
                .await
                .context("request timed out")
                .and_then(|r| r);
            let at = Instant::now();
            returned.fetch_add(1, Ordering::Relaxed);
            let outcome = answer.and_then(|a| {
                let idx = a.index.context("no numeric X-Consul-Index")?;
                Ok((a.status, idx, a.body.len()))
            });
            // As a watch loop does: ask again at once, on the same connection, with the new
            // index (the agent parks it again while it still answers the others).
            if let Ok((_, idx, _)) = &outcome {
                let next = format!("/v1/health/service/web?index={idx}&wait={WAIT}");
                let _ = c.write_all(&raw::request("GET", &next, &host, b"")).await;
            }
            (at, outcome, c)
        }));
    }
    // Every task has run up to its request, then the agent has worked through them all: the
    // watchers are parked.
    let deadline = Instant::now() + Duration::from_secs(30);
    while started.load(Ordering::Relaxed) < watchers {
        if Instant::now() > deadline {
            bail!("the watcher tasks did not start within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let settled = agent::wait_idle(server, QUIET, Duration::from_secs(10)).await?;
    let rss_parked_kib = server.rss_kib()?;

    // Another service changes: nobody watching `web` may return.
    let other = agent::registration(
        "n1",
        "10.0.0.1",
        &format!("other-{round}"),
        "other",
        &format!("other-check-{round}"),
        "passing",
    );
    agent::put(conn, "/v1/catalog/register", other).await?;
    tokio::time::sleep(other_window).await;

    // Now `web` changes: web-1's check flips (critical on odd rounds, passing on even ones).
    let status = if round % 2 == 1 {
        "critical"
    } else {
        "passing"
    };
    let flip = agent::registration("n1", "10.0.0.1", "web-1", "web", "c1", status);
    let flip = raw::request(
        "PUT",
        "/v1/catalog/register",
        &server.http.to_string(),
        &flip,
    );
    let agent_pid = server.proc().pid().context("the agent is not running")?;
    let cpu0 = (cpu_ns_of(agent_pid)?, cpu_ns_of(std::process::id())?);
    let (sent, acked) = write_on_own_thread(server.http, flip)
        .await
        .context("flip thread")??;

    let mut outcomes: Vec<Outcome> = Vec::with_capacity(watchers);
    let mut missed = 0;
    let mut first_error = None;
    let wake_deadline = tokio::time::Instant::now() + WAKE_DEADLINE;
    for t in &mut tasks {
        match tokio::time::timeout_at(wake_deadline, t).await {
            Ok(Ok(o)) => outcomes.push(o),
            Ok(Err(e)) => {
                missed += 1;
                first_error.get_or_insert_with(|| format!("watcher task: {e}"));
            }
            Err(_) => {
                missed += 1;
                first_error.get_or_insert_with(|| {
                    format!("not woken within {WAKE_DEADLINE:?} of the write")
                });
            }
        }
    }
    let cpu1 = (cpu_ns_of(agent_pid)?, cpu_ns_of(std::process::id())?);
    for t in &tasks {
        t.abort();
    }
    let (mut early, mut wake_ms, mut wake_sent_ms) = (0, Vec::new(), Vec::new());
    let mut answer_bytes = 0;
    // The connections close when the round is over, after the CPU was read.
    let mut parked = Vec::with_capacity(outcomes.len());
    for (at, o, c) in outcomes {
        parked.push(c);
        if at < sent {
            early += 1;
            continue;
        }
        match o {
            Ok((200, idx, len)) if idx > index => {
                wake_ms.push(ms_between(acked, at));
                wake_sent_ms.push(ms_between(sent, at));
                answer_bytes = len;
            }
            Ok((status, idx, _)) => {
                missed += 1;
                first_error.get_or_insert_with(|| {
                    format!("HTTP {status} with index {idx} (waited on {index})")
                });
            }
            Err(e) => {
                missed += 1;
                first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    Ok(Round {
        watchers,
        early,
        woken: wake_ms.len(),
        missed,
        first_error,
        write_ms: ms_between(sent, acked),
        idle_write_ms,
        wake_ms,
        wake_sent_ms,
        agent_cpu_ms: cpu1.0.saturating_sub(cpu0.0) as f64 / 1e6,
        bench_cpu_ms: cpu1.1.saturating_sub(cpu0.1) as f64 / 1e6,
        answer_bytes,
        rss_before_kib,
        rss_parked_kib,
        settled,
    })
}

/// Sends the write `req` from a thread and connection of its own, outside the runtime where
/// the watchers read their answers, so the acknowledgement is seen when the agent sends it
/// rather than after the bench's own queue of answers: (sent, acknowledged).
fn write_on_own_thread(
    addr: SocketAddr,
    req: Vec<u8>,
) -> tokio::task::JoinHandle<Result<(Instant, Instant)>> {
    tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let mut c = TcpStream::connect(addr).await.context("connect")?;
            c.set_nodelay(true)?;
            let sent = Instant::now();
            let reply = tokio::time::timeout(WATCH_TIMEOUT, raw::exchange(&mut c, &req))
                .await
                .context("write timed out")??;
            let acked = Instant::now();
            if reply.status != 200 || !matches!(reply.body.trim_ascii(), b"true" | b"") {
                bail!(
                    "PUT: HTTP {}: {}",
                    reply.status,
                    String::from_utf8_lossy(&reply.body)
                );
            }
            Ok((sent, acked))
        })
    })
}
