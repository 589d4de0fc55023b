//! What ACLs cost: stale KV reads (`get50`, as in `kv_vs_etcd`) against the same sd with ACLs
//! off and with ACLs on, interleaved on the same machine (DESIGN.md §5; issue 14's target:
//! at most 5% of stale-read throughput).
//!
//! # What it measures
//!
//! Each pair starts two fresh durable single servers (`sd agent -server -bootstrap`):
//!
//! * `off`: no ACLs; requests carry no token.
//! * `on`: `acl { enabled = true, default_policy = "deny" }` with an `initial_management`
//!   token; a policy `key_prefix "" { policy = "read" }` and a token linked to it are made
//!   through the API, and every request carries that token in `X-Consul-Token`: each read is
//!   resolved (hash of the secret, cache lookup) and checked (`key:read` on the key).
//!
//! 1,000 keys are preloaded (untimed), then 50 keep-alive connections read them with
//! `GET /v1/kv/<key>?stale` for the window. The summary gives each side's median throughput,
//! the median per-pair `on/off` ratio (the overhead is one minus it) and p50/p99 latencies.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release          # the bench uses target/release/sd, builds nothing
//! cargo bench --bench acl -- [--runs N] [--seconds S] [--warmup S] [--sd-bin PATH]
//! ```
//!
//! A default run (5 pairs) takes about a minute.

#[allow(dead_code)]
#[path = "common/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "common/http.rs"]
mod http;
#[allow(dead_code)]
#[path = "common/load.rs"]
mod load;
#[allow(dead_code)]
#[path = "common/machine.rs"]
mod machine;
#[allow(dead_code)]
#[path = "common/process.rs"]
mod process;
#[allow(dead_code)]
#[path = "common/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "common/servers.rs"]
mod servers;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hyper::Method;

use load::{Ops, Req, RunStats};
use servers::{SdMode, Server};

const USAGE: &str =
    "usage: cargo bench --bench acl -- [--runs N] [--seconds S] [--warmup S] [--sd-bin PATH]";

const MGMT: &str = "3a1f6e2d-9c4b-4d7e-8f10-2b3c4d5e6f70";
const KEYS: u64 = 1_000;
const CONNS: usize = 50;

/// `GET /v1/kv/k<n>?stale` with an optional token; or, for the preload, `PUT` of every key.
struct KvReads {
    put: bool,
    token: Option<String>,
}

impl Ops for KvReads {
    fn request(&self, n: u64) -> Req {
        let key = format!("k{:07}", n % KEYS);
        match self.put {
            true => Req {
                method: Method::PUT,
                path: format!("/v1/kv/{key}"),
                content_type: None,
                body: Bytes::from_static(b"value"),
            },
            false => Req::get(format!("/v1/kv/{key}?stale")),
        }
    }

    fn ok(&self, status: u16, body: &[u8]) -> bool {
        status == 200
            && match self.put {
                true => body.trim_ascii() == b"true",
                false => body.starts_with(b"["),
            }
    }

    fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

/// One HTTP call with the management token; the body of a 200.
async fn admin(addr: SocketAddr, method: Method, path: &str, body: &str) -> Result<String> {
    let mut c = http::Conn::connect(addr).await?;
    c.set_token(Some(MGMT));
    let (status, answer) = c
        .request(method, path, None, Bytes::from(body.to_string()))
        .await?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    if status != 200 {
        bail!("{path}: HTTP {status}: {text}");
    }
    Ok(text)
}

/// A server with ACLs on, and the secret of a token that may read every key.
async fn secured(o: &cli::Common) -> Result<(Server, String)> {
    let conf = servers::temp_in(&o.launch.data_root)?;
    let file = conf.path().join("acl.hcl");
    std::fs::write(
        &file,
        format!(
            "acl {{\n  enabled = true\n  default_policy = \"deny\"\n  tokens {{ initial_management = \"{MGMT}\" }}\n}}\n"
        ),
    )?;
    let mut server = Server::spawn_sd_with(
        &o.launch,
        SdMode::Durable,
        &[format!("-config-file={}", file.display())],
    )?;
    server.wait_ready().await?;
    // The leader makes the management token just after it is elected.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while admin(server.http, Method::GET, "/v1/acl/token/self", "")
        .await
        .is_err()
    {
        if tokio::time::Instant::now() > deadline {
            bail!("the initial management token never appeared");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    admin(
        server.http,
        Method::PUT,
        "/v1/acl/policy",
        r#"{"Name":"kv-read","Rules":"key_prefix \"\" { policy = \"read\" }"}"#,
    )
    .await?;
    let token = admin(
        server.http,
        Method::PUT,
        "/v1/acl/token",
        r#"{"Description":"bench reader","Policies":[{"Name":"kv-read"}]}"#,
    )
    .await?;
    let v: serde_json::Value = serde_json::from_str(&token)?;
    let secret = v["SecretID"].as_str().context("no SecretID")?.to_string();
    drop(conf);
    Ok((server, secret))
}

async fn one_run(o: &cli::Common, acl: bool) -> Result<RunStats> {
    let (mut server, token, admin_token) = if acl {
        let (s, t) = secured(o).await?;
        (s, Some(t), Some(MGMT.to_string()))
    } else {
        let mut s = Server::spawn_sd(&o.launch, SdMode::Durable)?;
        s.wait_ready().await?;
        (s, None, None)
    };
    let preload = KvReads {
        put: true,
        token: admin_token,
    };
    load::run_all(server.http, 16, KEYS, Arc::new(preload)).await?;
    let reads = KvReads { put: false, token };
    let stats = load::run_ops(server.http, CONNS, o.warmup, o.window, Arc::new(reads)).await?;
    server.check_alive()?;
    Ok(stats)
}

fn line(name: &str, i: usize, runs: usize, s: &RunStats) -> String {
    format!(
        "  run {i}/{runs} {name:>3}: {:>9.0} ops/s  p50 {:.3} ms  p99 {:.3} ms  errors {}{}",
        s.ops_per_sec(),
        s.pct_ms(50.0),
        s.pct_ms(99.0),
        s.errors,
        s.first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    )
}

async fn bench(o: &cli::Common, runs: usize) -> Result<()> {
    println!("== get50 (50 connections, stale KV reads): ACLs off vs on ==");
    let mut pairs = Vec::new();
    for i in 1..=runs {
        let off = one_run(o, false).await?;
        println!("{}", line("off", i, runs, &off));
        let on = one_run(o, true).await?;
        println!("{}", line("on", i, runs, &on));
        pairs.push((off, on));
    }
    let clean: Vec<&(RunStats, RunStats)> = pairs
        .iter()
        .filter(|(a, b)| a.errors == 0 && b.errors == 0)
        .collect();
    let ratios: Vec<f64> = clean
        .iter()
        .map(|(off, on)| on.ops_per_sec() / off.ops_per_sec())
        .collect();
    let med = |f: &dyn Fn(&(RunStats, RunStats)) -> f64| report::median(clean.iter().map(|p| f(p)));
    println!();
    println!(
        "median ops/s: off {} on {}; on/off ratio median {} (range {}-{}), overhead {}%; target <= 5%",
        report::num(med(&|p| p.0.ops_per_sec()), 0),
        report::num(med(&|p| p.1.ops_per_sec()), 0),
        report::num(report::median(ratios.iter().copied()), 3),
        report::num(ratios.iter().copied().fold(f64::INFINITY, f64::min), 3),
        report::num(ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max), 3),
        report::num((1.0 - report::median(ratios.iter().copied())) * 100.0, 1),
    );
    println!(
        "median latency ms: off p50 {} p99 {}; on p50 {} p99 {}",
        report::num(med(&|p| p.0.pct_ms(50.0)), 3),
        report::num(med(&|p| p.0.pct_ms(99.0)), 3),
        report::num(med(&|p| p.1.pct_ms(50.0)), 3),
        report::num(med(&|p| p.1.pct_ms(99.0)), 3),
    );
    if clean.len() < pairs.len() {
        println!(
            "NOTE: {} pair(s) had errors and are excluded (see the run lines)",
            pairs.len() - clean.len()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let mut c = cli::Common::new("acl");
        let mut runs = 5;
        let go = cli::parse(USAGE, &mut c, |name, f| {
            match name {
                "--runs" => runs = cli::parse_count(&f.value()?, "--runs")?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if !go {
            return Ok(());
        }
        cli::check_binaries(&c.launch, false)?;
        cli::print_environment("acl", &c.args, &c.launch, c.default_sd_bin);
        cli::run_interruptible(bench(&c, runs))?
    })();
    cli::exit_code("acl", result)
}
