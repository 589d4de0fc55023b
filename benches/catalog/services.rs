//! Part `catalog`: 1,000 services x 10 instances registered through `/v1/catalog/register`,
//! then read under load: `GET /v1/catalog/services` and `GET /v1/health/service/<name>?passing`
//! of random names, each with 8 and 50 connections; the agent's RSS after loading.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use hyper::Method;
use rand::Rng;

use crate::agent;
use crate::http::Conn;
use crate::load::{self, Ops, Req, RunStats};
use crate::servers::Launch;

/// Nodes every service has one instance on (`node-0`..`node-9`, `10.1.0.1`..).
pub const NODES: u64 = 10;
/// Connections that register the instances.
const REGISTER_CONNS: usize = 32;

/// Registers instance `n`: service `svc-{n / NODES}` on node `node-{n % NODES}`, with a
/// passing check.
struct Register;

impl Ops for Register {
    fn request(&self, n: u64) -> Req {
        let (svc, node) = (n / NODES, n % NODES);
        let name = format!("svc-{svc}");
        Req {
            method: Method::PUT,
            path: "/v1/catalog/register".into(),
            content_type: None,
            body: agent::registration(
                &format!("node-{node}"),
                &format!("10.1.0.{}", node + 1),
                &name,
                &name,
                &format!("check-{name}"),
                "passing",
            ),
        }
    }

    fn ok(&self, status: u16, body: &[u8]) -> bool {
        status == 200 && body.trim_ascii() == b"true"
    }
}

/// The read workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// `GET /v1/catalog/services`: every name and its tags.
    Services,
    /// `GET /v1/health/service/svc-<random>?passing`: 10 instances with their checks.
    Health,
}

impl Read {
    pub fn path(self) -> &'static str {
        match self {
            Read::Services => "/v1/catalog/services",
            Read::Health => "/v1/health/service/<name>?passing",
        }
    }
}

struct ReadOps {
    read: Read,
    services: u64,
}

impl Ops for ReadOps {
    fn request(&self, _n: u64) -> Req {
        match self.read {
            Read::Services => Req::get("/v1/catalog/services".into()),
            Read::Health => {
                let svc = rand::rng().random_range(0..self.services);
                Req::get(format!("/v1/health/service/svc-{svc}?passing"))
            }
        }
    }

    fn ok(&self, status: u16, body: &[u8]) -> bool {
        let open = match self.read {
            Read::Services => b'{',
            Read::Health => b'[',
        };
        status == 200 && body.first() == Some(&open) && body.len() > 2
    }
}

/// The read runs of one agent, in this order.
pub const LOADS: [(Read, usize); 4] = [
    (Read::Services, 8),
    (Read::Services, 50),
    (Read::Health, 8),
    (Read::Health, 50),
];

/// What one fresh agent measured.
pub struct CatalogRun {
    pub instances: u64,
    pub load_time: Duration,
    /// VmRSS and its anonymous part right after loading, KiB.
    pub rss_kib: u64,
    pub anon_kib: u64,
    /// One per [`LOADS`] entry.
    pub reads: Vec<(Read, usize, RunStats)>,
}

impl CatalogRun {
    pub fn load_rate(&self) -> f64 {
        self.instances as f64 / self.load_time.as_secs_f64()
    }
}

/// Runs `runs` fresh agents, each loaded with `services` x [`NODES`] instances.
pub async fn catalog(
    l: &Launch,
    durable: bool,
    runs: usize,
    services: u64,
    warmup: Duration,
    window: Duration,
) -> Result<Vec<CatalogRun>> {
    agent::ensure_open_files(1024)?;
    let mut out = Vec::new();
    for i in 1..=runs {
        let r = one_run(l, durable, services, warmup, window)
            .await
            .with_context(|| format!("run {i}"))?;
        println!(
            "  run {i}/{runs}: registered {} instances in {:.2} s ({:.0}/s, {REGISTER_CONNS} connections); \
             RSS {:.1} MiB (anonymous {:.1} MiB)",
            r.instances,
            r.load_time.as_secs_f64(),
            r.load_rate(),
            r.rss_kib as f64 / 1024.0,
            r.anon_kib as f64 / 1024.0,
        );
        for (read, conns, s) in &r.reads {
            println!("{}", read_line(*read, *conns, s));
        }
        out.push(r);
    }
    Ok(out)
}

pub fn read_line(read: Read, conns: usize, s: &RunStats) -> String {
    let mut line = format!(
        "    {:<36} {conns:>2} conns: {:>8.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms",
        read.path(),
        s.ops_per_sec(),
        s.pct_ms(50.0),
        s.pct_ms(99.0),
    );
    if s.errors > 0 {
        line += &format!(
            "  ERRORS {} (first: {})",
            s.errors,
            s.first_error.as_deref().unwrap_or("?")
        );
    }
    line
}

async fn one_run(
    l: &Launch,
    durable: bool,
    services: u64,
    warmup: Duration,
    window: Duration,
) -> Result<CatalogRun> {
    let mut server = agent::start(l, durable).await?;
    let instances = services * NODES;
    let load_time = load::run_all(server.http, REGISTER_CONNS, instances, Arc::new(Register))
        .await
        .context("registering")?;
    verify(&mut Conn::connect(server.http).await?, services).await?;
    let rss_kib = server.rss_kib()?;
    let anon_kib = server.proc().status_kib("RssAnon")?;
    let mut reads = Vec::new();
    for (read, conns) in LOADS {
        let ops = Arc::new(ReadOps { read, services });
        let s = load::run_ops(server.http, conns, warmup, window, ops).await?;
        server.check_alive()?;
        reads.push((read, conns, s));
    }
    Ok(CatalogRun {
        instances,
        load_time,
        rss_kib,
        anon_kib,
        reads,
    })
}

/// The catalog lists every service (besides `consul`) and one has its 10 passing instances.
async fn verify(conn: &mut Conn, services: u64) -> Result<()> {
    let (_, body) = agent::get_indexed(conn, "/v1/catalog/services").await?;
    let names: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&body).context("/v1/catalog/services: not a JSON object")?;
    let ours = names.keys().filter(|k| k.starts_with("svc-")).count() as u64;
    if ours != services {
        bail!("/v1/catalog/services lists {ours} of the {services} services registered");
    }
    let last = services - 1;
    let path = format!("/v1/health/service/svc-{last}?passing");
    let (_, body) = agent::get_indexed(conn, &path).await?;
    let entries: Vec<serde_json::Value> =
        serde_json::from_slice(&body).with_context(|| format!("{path}: not a JSON array"))?;
    if entries.len() as u64 != NODES {
        bail!(
            "{path}: {} passing instances, expected {NODES}",
            entries.len()
        );
    }
    Ok(())
}
