//! Issue 12's figures, on real `sd` processes on loopback (no Consul binary on this machine:
//! the figures stand on their own):
//!
//! * `handoff`: lock hand-off on one durable server (`-server -bootstrap`, Raft log
//!   fdatasync'ed). Two sessions take turns on one key: the waiter is parked in a blocking
//!   `GET /v1/kv/<key>?index=`; the clock starts when the holder sends `?release=` and stops
//!   when the waiter's `?acquire=` answers `true` (release write, wake-up, acquire write).
//!   `--runs` hand-offs (default 200): p50, p99. Goal p50 <= 5 ms.
//! * `renew`: `--sessions` sessions (default 10,000) with a 10 s TTL on one durable server,
//!   each renewed every 5 s (half its TTL, as clients do) over 32 connections for
//!   `--seconds` (default 30): the server's CPU (share of one core, from /proc) and RSS before
//!   the sessions, after creating them and after the renewals.
//! * `events`: 5 agents (a server and 4 clients joined to it); an event fired at the first,
//!   each agent watched by a blocking `GET /v1/event/list?index=`; time from the fire until
//!   the last of the 5 has it. `--runs` events (default 20): p50, p99.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release      # the bench uses target/release/sd, builds nothing
//! cargo bench --bench coordination -- [--only handoff,renew,events] [--runs N]
//!     [--sessions N] [--seconds S] [--sd-bin PATH] [--data-root DIR]
//! ```

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
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hyper::Method;

use http::Conn;
use report::{num, percentile};
use servers::{free_port, SdMode, Server};

const USAGE: &str = "usage: cargo bench --bench coordination -- [--only handoff,renew,events] \
[--runs N] [--sessions N] [--seconds S] [--sd-bin PATH] [--data-root DIR]";

#[derive(Clone, Copy, Debug)]
enum Part {
    Handoff,
    Renew,
    Events,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Handoff => "handoff",
            Part::Renew => "renew",
            Part::Events => "events",
        }
    }
}

async fn call(c: &mut Conn, method: Method, path: &str, body: &str) -> Result<(u16, String)> {
    let (status, body) = c
        .request(method, path, None, Bytes::from(body.to_string()))
        .await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

async fn create_session(c: &mut Conn, body: &str) -> Result<String> {
    let (status, text) = call(c, Method::PUT, "/v1/session/create", body).await?;
    if status != 200 {
        bail!("session create: {status} {text}");
    }
    let v: serde_json::Value = serde_json::from_str(&text)?;
    Ok(v["ID"].as_str().context("no ID")?.to_string())
}

/// The index the key's blocking read answers with now.
async fn key_index(c: &mut Conn, key: &str) -> Result<u64> {
    let a = c
        .send(
            Method::GET,
            &format!("/v1/kv/{key}"),
            None,
            Bytes::new(),
            http::REQUEST_TIMEOUT,
        )
        .await?;
    a.header("X-Consul-Index")
        .and_then(|v| v.parse().ok())
        .context("no X-Consul-Index")
}

async fn handoff(http: SocketAddr, runs: usize) -> Result<()> {
    let mut a = Conn::connect(http).await?;
    let b = Conn::connect(http).await?;
    let body = r#"{"LockDelay":"0s","Checks":[]}"#;
    let (sa, sb) = (
        create_session(&mut a, body).await?,
        create_session(&mut a, body).await?,
    );
    let key = "bench/leader";
    let (ok, _) = call(
        &mut a,
        Method::PUT,
        &format!("/v1/kv/{key}?acquire={sa}"),
        "a",
    )
    .await?;
    if ok != 200 {
        bail!("first acquire failed");
    }
    let (mut holder, mut waiter) = ((a, sa), (b, sb));
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let index = key_index(&mut waiter.0, key).await?;
        let (mut wconn, wsession) = waiter;
        let wait = tokio::spawn(async move {
            let r = wconn
                .send(
                    Method::GET,
                    &format!("/v1/kv/{key}?index={index}&wait=30s"),
                    None,
                    Bytes::new(),
                    Duration::from_secs(40),
                )
                .await;
            r.map(|_| wconn)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let start = Instant::now();
        let (s, t) = call(
            &mut holder.0,
            Method::PUT,
            &format!("/v1/kv/{key}?release={}", holder.1),
            "",
        )
        .await?;
        if s != 200 || t.trim() != "true" {
            bail!("release: {s} {t}");
        }
        let mut wconn = wait.await??;
        let (s, t) = call(
            &mut wconn,
            Method::PUT,
            &format!("/v1/kv/{key}?acquire={wsession}"),
            "",
        )
        .await?;
        if s != 200 || t.trim() != "true" {
            bail!("acquire after release: {s} {t}");
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        waiter = holder;
        holder = (wconn, wsession);
    }
    println!(
        "handoff: {runs} hand-offs on one durable server: p50 {} ms, p99 {} ms (goal p50 <= 5 ms)",
        num(percentile(times.iter().copied(), 50.0), 2),
        num(percentile(times.iter().copied(), 99.0), 2)
    );
    Ok(())
}

async fn renew(server: &Server, sessions: usize, seconds: u64) -> Result<()> {
    const CONNS: usize = 32;
    let rss0 = server.rss_kib()?;
    let mut ids = Vec::with_capacity(sessions);
    let created = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONNS {
        let http = server.http;
        let n = sessions / CONNS + usize::from(w < sessions % CONNS);
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::connect(http).await?;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(create_session(&mut c, r#"{"TTL":"10s","Checks":[]}"#).await?);
            }
            anyhow::Ok(out)
        }));
    }
    for t in tasks {
        ids.extend(t.await??);
    }
    let took = created.elapsed();
    let rss1 = server.rss_kib()?;
    let pid = server.proc().pid().context("no pid")?;
    let cpu0 = process::cpu_ns_of(pid)?;
    let start = Instant::now();
    let window = Duration::from_secs(seconds);
    let chunks: Vec<Vec<String>> = ids
        .chunks(ids.len().div_ceil(CONNS))
        .map(<[String]>::to_vec)
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let http = server.http;
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::connect(http).await?;
            let mut renewed = 0u64;
            // Every session once per 5 s, spread over the period.
            let pace = Duration::from_secs(5) / u32::try_from(chunk.len().max(1)).unwrap_or(1);
            let mut next = tokio::time::Instant::now();
            while start.elapsed() < window {
                for id in &chunk {
                    next += pace;
                    tokio::time::sleep_until(next).await;
                    let (s, t) =
                        call(&mut c, Method::PUT, &format!("/v1/session/renew/{id}"), "").await?;
                    if s != 200 {
                        bail!("renew {id}: {s} {t}");
                    }
                    renewed += 1;
                    if start.elapsed() >= window {
                        break;
                    }
                }
            }
            anyhow::Ok(renewed)
        }));
    }
    let mut renewed = 0;
    for t in tasks {
        renewed += t.await??;
    }
    let elapsed = start.elapsed();
    let cpu = (process::cpu_ns_of(pid)? - cpu0) as f64 / elapsed.as_nanos() as f64;
    let rss2 = server.rss_kib()?;
    println!(
        "renew: {sessions} sessions (created in {} s, {}/s); {renewed} renewals in {} s ({}/s): \
         server CPU {}% of one core; RSS {} MiB before, {} MiB with the sessions ({} B each), \
         {} MiB after the renewals",
        num(took.as_secs_f64(), 1),
        num(sessions as f64 / took.as_secs_f64(), 0),
        num(elapsed.as_secs_f64(), 1),
        num(renewed as f64 / elapsed.as_secs_f64(), 0),
        num(cpu * 100.0, 1),
        num(rss0 as f64 / 1024.0, 1),
        num(rss1 as f64 / 1024.0, 1),
        num(
            (rss1.saturating_sub(rss0) * 1024) as f64 / sessions as f64,
            0
        ),
        num(rss2 as f64 / 1024.0, 1),
    );
    Ok(())
}

/// One agent of the events part: its process and HTTP address.
struct Agent {
    _proc: process::Proc,
    http: SocketAddr,
}

fn spawn_agent(
    l: &servers::Launch,
    dir: &std::path::Path,
    n: usize,
    join: Option<u16>,
) -> Result<(Agent, u16)> {
    let http_port = free_port()?;
    let serf = free_port()?;
    let data = dir.join(format!("a{n}"));
    std::fs::create_dir_all(&data)?;
    let mut cmd = process::clean_env(Command::new(&l.sd_bin));
    cmd.args([
        "agent".to_string(),
        format!("-node=agent{n}"),
        format!("-data-dir={}", data.display()),
        "-bind=127.0.0.1".into(),
        "-client=127.0.0.1".into(),
        format!("-http-port={http_port}"),
        "-dns-port=-1".into(),
        format!("-server-port={}", free_port()?),
        format!("-serf-lan-port={serf}"),
        format!("-serf-wan-port={}", free_port()?),
    ]);
    match join {
        None => {
            cmd.args(["-server", "-bootstrap"]);
        }
        Some(port) => {
            cmd.arg(format!("-join=127.0.0.1:{port}"));
        }
    }
    let proc = process::Proc::spawn(&format!("agent {n}"), cmd, &dir.join(format!("a{n}.log")))?;
    Ok((
        Agent {
            _proc: proc,
            http: SocketAddr::from(([127, 0, 0, 1], http_port)),
        },
        serf,
    ))
}

async fn events(l: &servers::Launch, runs: usize) -> Result<()> {
    let dir = servers::temp_in(&l.data_root)?;
    let (first, serf) = spawn_agent(l, dir.path(), 0, None)?;
    // The clients join it at start: it must be listening first.
    let up = Instant::now() + Duration::from_secs(30);
    while !matches!(
        http::get(first.http, "/v1/status/leader").await,
        Ok((200, _))
    ) {
        if Instant::now() > up {
            bail!("the server did not start within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut agents = vec![first];
    for n in 1..5 {
        agents.push(spawn_agent(l, dir.path(), n, Some(serf))?.0);
    }
    // Everyone up and in one pool.
    let deadline = Instant::now() + Duration::from_secs(30);
    for a in &agents {
        loop {
            if let Ok((200, body)) = http::get(a.http, "/v1/agent/members").await {
                if serde_json::from_str::<Vec<serde_json::Value>>(&body).map_or(0, |m| m.len()) == 5
                {
                    break;
                }
            }
            if Instant::now() > deadline {
                bail!("the 5 agents did not all join within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let mut times = Vec::with_capacity(runs);
    let mut fire = Conn::connect(agents[0].http).await?;
    for i in 0..runs {
        let mut waits = Vec::new();
        for a in &agents {
            let mut c = Conn::connect(a.http).await?;
            let index = c
                .send(
                    Method::GET,
                    "/v1/event/list?name=bench",
                    None,
                    Bytes::new(),
                    http::REQUEST_TIMEOUT,
                )
                .await?
                .header("X-Consul-Index")
                .and_then(|v| v.parse::<u64>().ok())
                .context("no index")?;
            waits.push(tokio::spawn(async move {
                c.send(
                    Method::GET,
                    &format!("/v1/event/list?name=bench&index={index}&wait=20s"),
                    None,
                    Bytes::new(),
                    Duration::from_secs(30),
                )
                .await?;
                anyhow::Ok(Instant::now())
            }));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let start = Instant::now();
        let (s, t) = call(
            &mut fire,
            Method::PUT,
            "/v1/event/fire/bench",
            &format!("run {i}"),
        )
        .await?;
        if s != 200 {
            bail!("fire: {s} {t}");
        }
        let mut last = start;
        for w in waits {
            last = last.max(w.await??);
        }
        times.push(last.duration_since(start).as_secs_f64() * 1000.0);
    }
    println!(
        "events: {runs} events fired at one of 5 agents, until all 5 had it: p50 {} ms, p99 {} ms",
        num(percentile(times.iter().copied(), 50.0), 2),
        num(percentile(times.iter().copied(), 99.0), 2)
    );
    Ok(())
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let mut c = cli::Common::new("coordination-bench");
        let (mut runs, mut sessions, mut seconds) = (None, 10_000, 30u64);
        let go = cli::parse(USAGE, &mut c, |name, f| {
            match name {
                "--runs" => runs = Some(cli::parse_count(&f.value()?, name)?),
                "--sessions" => sessions = cli::parse_count(&f.value()?, name)?,
                "--seconds" => seconds = cli::parse_secs(&f.value()?, name)?.as_secs().max(1),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if !go {
            return Ok(());
        }
        cli::check_binaries(&c.launch, false)?;
        println!("== coordination: locks, sessions, events ==");
        cli::print_environment("coordination", &c.args, &c.launch, c.default_sd_bin);
        let parts = cli::select_parts(
            c.only.clone(),
            &[Part::Handoff, Part::Renew, Part::Events],
            Part::name,
            USAGE,
        )?;
        let rt = tokio::runtime::Runtime::new()?;
        let launch = c.launch.clone();
        rt.block_on(async move {
            for part in parts {
                match part {
                    Part::Handoff | Part::Renew => {
                        let mut s = Server::spawn_sd(&launch, SdMode::Durable)?;
                        s.wait_ready().await?;
                        // The node's own catalog entry first (sessions need it).
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        if matches!(part, Part::Handoff) {
                            handoff(s.http, runs.unwrap_or(200)).await?;
                        } else {
                            renew(&s, sessions, seconds).await?;
                        }
                    }
                    Part::Events => events(&launch, runs.unwrap_or(20)).await?,
                }
            }
            anyhow::Ok(())
        })
    })();
    cli::exit_code("coordination", result)
}
