//! Part `checks`: 1,000 services registered on the agent itself, each with an HTTP check every
//! 10 s against a tiny backend inside the bench; once all are passing, the agent's CPU time
//! over a window (user + system ticks from /proc/PID/stat) and its RSS.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hyper::Method;
use serde_json::json;

use crate::agent;
use crate::http::Conn;
use crate::load::{self, Ops, Req};
use crate::machine;
use crate::servers::{Launch, Server};

/// The checks' interval.
pub const INTERVAL: Duration = Duration::from_secs(10);
/// Connections that register the services.
const REGISTER_CONNS: usize = 16;
/// After every check passes in the catalog: time for anti-entropy and the first results to
/// settle before the window starts.
const SETTLE: Duration = Duration::from_secs(5);
/// The idle agent's CPU is measured this long (at most the window) before registering.
const BASELINE: Duration = Duration::from_secs(10);

/// `PUT /v1/agent/service/register` of `svc-N` with an HTTP check on the backend.
struct Register {
    backend: SocketAddr,
}

impl Ops for Register {
    fn request(&self, n: u64) -> Req {
        let port = self.backend.port();
        let body = json!({
            "Name": format!("svc-{n}"),
            "Port": port,
            "Check": {
                "HTTP": format!("http://{}/health", self.backend),
                "Interval": format!("{}s", INTERVAL.as_secs()),
            },
        });
        Req {
            method: Method::PUT,
            path: "/v1/agent/service/register".into(),
            content_type: None,
            body: Bytes::from(body.to_string()),
        }
    }

    fn ok(&self, status: u16, _body: &[u8]) -> bool {
        status == 200
    }
}

/// What one run measured.
pub struct ChecksRun {
    pub checks: u64,
    pub window: Duration,
    /// The agent's CPU over the window, as a fraction of one core.
    pub cpu_core: f64,
    /// The idle agent's, before registering.
    pub idle_core: f64,
    pub nproc: usize,
    /// Check requests the backend answered per second during the window.
    pub probes_per_sec: f64,
    pub rss_kib: u64,
    pub anon_kib: u64,
    /// Time from the first registration until every check passed in the catalog.
    pub to_passing: Duration,
}

impl ChecksRun {
    pub fn line(&self, i: usize, runs: usize) -> String {
        format!(
            "  run {i}/{runs}: {} checks all passing in the catalog {:.1} s after registering; \
             over {:?}: agent CPU {:.2}% of one core ({:.2}% of {} CPUs; idle before: {:.2}%), \
             backend {:.1} probes/s (expected {:.1}); RSS {:.1} MiB (anonymous {:.1} MiB)",
            self.checks,
            self.to_passing.as_secs_f64(),
            self.window,
            self.cpu_core * 100.0,
            self.cpu_core * 100.0 / self.nproc as f64,
            self.nproc,
            self.idle_core * 100.0,
            self.probes_per_sec,
            self.checks as f64 / INTERVAL.as_secs_f64(),
            self.rss_kib as f64 / 1024.0,
            self.anon_kib as f64 / 1024.0,
        )
    }
}

pub async fn checks(
    l: &Launch,
    durable: bool,
    runs: usize,
    count: u64,
    window: Duration,
) -> Result<Vec<ChecksRun>> {
    agent::ensure_open_files(count + 1024)?;
    let mut out = Vec::new();
    for i in 1..=runs {
        let r = one_run(l, durable, count, window)
            .await
            .with_context(|| format!("run {i}"))?;
        println!("{}", r.line(i, runs));
        out.push(r);
    }
    Ok(out)
}

/// An HTTP server on 127.0.0.1 answering `GET /health` with 200, counting requests; it stops
/// when dropped.
struct Backend {
    addr: SocketAddr,
    hits: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Backend {
    async fn start() -> Result<Backend> {
        use axum::routing::get;
        let hits = Arc::new(AtomicU64::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/health",
            get(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                async { "ok" }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Backend { addr, hits, task })
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// CPU ticks of the agent over `d`, as a fraction of one core.
async fn cpu_over(server: &Server, d: Duration) -> Result<f64> {
    let tck = machine::clock_ticks_per_sec() as f64;
    let (t0, c0) = (Instant::now(), server.proc().cpu_ticks()?);
    tokio::time::sleep(d).await;
    let (t1, c1) = (Instant::now(), server.proc().cpu_ticks()?);
    Ok((c1 - c0) as f64 / tck / (t1 - t0).as_secs_f64())
}

async fn one_run(l: &Launch, durable: bool, count: u64, window: Duration) -> Result<ChecksRun> {
    let backend = Backend::start().await?;
    let mut server = agent::start(l, durable).await?;
    let idle_core = cpu_over(&server, BASELINE.min(window)).await?;
    let registered_at = Instant::now();
    let ops = Arc::new(Register {
        backend: backend.addr,
    });
    load::run_all(server.http, REGISTER_CONNS, count, ops)
        .await
        .context("registering")?;
    let mut conn = Conn::connect(server.http).await?;
    let deadline = registered_at + 2 * INTERVAL + Duration::from_secs(60);
    loop {
        let passing = passing_in_catalog(&mut conn).await?;
        if passing == count {
            break;
        }
        server.check_alive()?;
        if Instant::now() > deadline {
            bail!(
                "{passing} of {count} checks passing in the catalog {:?} after registering",
                registered_at.elapsed()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let to_passing = registered_at.elapsed();
    tokio::time::sleep(SETTLE).await;

    let hits0 = backend.hits.load(Ordering::Relaxed);
    let started = Instant::now();
    let cpu_core = cpu_over(&server, window).await?;
    let probes_per_sec =
        (backend.hits.load(Ordering::Relaxed) - hits0) as f64 / started.elapsed().as_secs_f64();
    let rss_kib = server.rss_kib()?;
    let anon_kib = server.proc().status_kib("RssAnon")?;
    server.check_alive()?;
    let still = passing_in_catalog(&mut conn).await?;
    if still != count {
        bail!("after the window only {still} of {count} checks were passing");
    }
    Ok(ChecksRun {
        checks: count,
        window,
        cpu_core,
        idle_core,
        nproc: machine::nproc(),
        probes_per_sec,
        rss_kib,
        anon_kib,
        to_passing,
    })
}

/// Passing checks of our services (`svc-*`) in the catalog (`/v1/health/state/passing`).
async fn passing_in_catalog(conn: &mut Conn) -> Result<u64> {
    let path = "/v1/health/state/passing";
    let (status, body) = conn.request(Method::GET, path, None, Bytes::new()).await?;
    if status != 200 {
        bail!("GET {path}: HTTP {status}");
    }
    let checks: Vec<serde_json::Value> =
        serde_json::from_slice(&body).with_context(|| format!("{path}: not a JSON array"))?;
    Ok(checks
        .iter()
        .filter(|c| {
            c.get("ServiceName")
                .and_then(|v| v.as_str())
                .is_some_and(|s| s.starts_with("svc-"))
        })
        .count() as u64)
}
