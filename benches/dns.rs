//! The DNS target (DESIGN.md §5): A and SRV queries for a 10-instance service answered by a
//! real `sd agent`, driven by Debian's `dnsperf` on the same machine.
//!
//! # What it measures
//!
//! A server (`sd agent -dev`) and a client agent joined to it run on 127.0.0.1 with free ports.
//! Service `web` gets 10 instances (nodes `n1`..`n10`, addresses 10.0.0.1..10, one passing
//! check each, `PUT /v1/catalog/register` on the server). Then, each for `--seconds` (default
//! 10) after a 1 s warm-up:
//!
//! * max qps: `dnsperf -l S -T 1 -c 4 -q 200` with `web.service.consul A`, then `SRV`, against
//!   the server; then `A` against the client agent;
//! * latency at a fixed rate: the same with `-Q 20000 -v`; p50/p99/max are computed from the
//!   per-query latencies `-v` prints (dnsperf itself only gives the mean);
//! * server round trips: the server's count of HTTP requests it served (its own API and those
//!   forwarded by the client, `consul_api_http_count` in its Prometheus metrics) and the
//!   client's `consul_dns_cache_fetch_success`, read before and after the client's runs. A
//!   warm client makes none per query (the blocking query it keeps open may return once).
//!
//! Then the comparison (part `dnsmasq`): Debian's dnsmasq serves the same records from its
//! configuration (ten A records for `web.service.consul`, its SRV records and the nodes' A
//! records), and the same max-qps dnsperf command runs against the server, dnsmasq and two
//! wire-only stand-ins for the server (`dns/floor.rs`: one receive and one send per datagram
//! as the server does, and in batches) by turns, `--runs` rounds for A and for SRV, printing
//! each round and the medians of the ratios.
//!
//! Targets: >= 50,000 qps (A and SRV) on 2 cores, p99 <= 2 ms at 20,000 qps, no server round
//! trip per query, and >= 1.5x dnsmasq (issue 19). dnsperf shares the cores with the agent;
//! the figures are this machine's.
//!
//! # How to run
//!
//! ```sh
//! apt-get install -y dnsperf bind9-dnsutils dnsmasq-base
//! cargo build --release            # the bench uses target/release/sd, builds nothing
//! cargo bench --bench dns -- [--seconds S] [--qps N] [--runs N] [--only sd,dnsmasq] [--sd-bin PATH]
//! ```
//!
//! Every process the bench starts is SIGKILLed when it is done (drop guards), also on error.

#[path = "dns/floor.rs"]
mod floor;
#[allow(dead_code)]
#[path = "common/process.rs"]
mod process;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use process::Proc;

const INSTANCES: usize = 10;

struct Opts {
    sd_bin: PathBuf,
    seconds: u64,
    qps: u64,
    /// Interleaved rounds of the comparison with dnsmasq.
    runs: usize,
    /// Which parts to run: `sd` (the agent alone) and `dnsmasq` (the comparison).
    only: Vec<String>,
}

// A bench reads cargo's environment directly (the library's rule is config::process_env).
#[allow(clippy::disallowed_methods)]
fn opts() -> Result<Opts> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let mut o = Opts {
        sd_bin: target.join("release").join("sd"),
        seconds: 10,
        qps: 20_000,
        runs: 3,
        only: vec!["sd".into(), "dnsmasq".into()],
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .context(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--sd-bin" => o.sd_bin = PathBuf::from(value()?),
            "--seconds" => o.seconds = value()?.parse().context("--seconds")?,
            "--qps" => o.qps = value()?.parse().context("--qps")?,
            "--runs" => {
                o.runs = value()?.parse().context("--runs")?;
                if o.runs == 0 {
                    bail!("--runs must be at least 1");
                }
            }
            "--only" => {
                o.only = value()?.split(',').map(str::to_string).collect();
                if let Some(bad) = o
                    .only
                    .iter()
                    .find(|p| !["sd", "dnsmasq"].contains(&p.as_str()))
                {
                    bail!("unknown part {bad:?}; the parts are sd and dnsmasq");
                }
            }
            other => bail!(
                "unknown option {other}; use [--seconds S] [--qps N] [--runs N] \
                 [--only sd,dnsmasq] [--sd-bin PATH]"
            ),
        }
    }
    Ok(o)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One agent with its ports.
struct Agent {
    proc: Proc,
    http: u16,
    dns: u16,
    serf: u16,
}

fn start_agent(o: &Opts, dir: &Path, name: &str, extra: &[String]) -> Result<Agent> {
    let (http, dns, server, serf, wan) = (
        free_port()?,
        free_port()?,
        free_port()?,
        free_port()?,
        free_port()?,
    );
    let mut cmd = Command::new(&o.sd_bin);
    cmd.arg("agent")
        .arg(format!("-node={name}"))
        .args(["-bind=127.0.0.1", "-client=127.0.0.1", "-log-level=warn"])
        .arg(format!("-http-port={http}"))
        .arg(format!("-dns-port={dns}"))
        .arg(format!("-server-port={server}"))
        .arg(format!("-serf-lan-port={serf}"))
        .arg(format!("-serf-wan-port={wan}"))
        .args(extra)
        .env("TMPDIR", dir);
    let proc = Proc::spawn(name, cmd, &dir.join(format!("{name}.log")))?;
    Ok(Agent {
        proc,
        http,
        dns,
        serf,
    })
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

fn get(port: u16, path: &str) -> Result<String> {
    let r = client()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .send()?;
    if !r.status().is_success() {
        bail!("GET {path}: {}", r.status());
    }
    Ok(r.text()?)
}

fn put(port: u16, path: &str, body: String) -> Result<()> {
    let r = client()
        .put(format!("http://127.0.0.1:{port}{path}"))
        .body(body)
        .send()?;
    if !r.status().is_success() {
        bail!(
            "PUT {path}: {}: {}",
            r.status(),
            r.text().unwrap_or_default()
        );
    }
    Ok(())
}

/// Polls `cond` every 50 ms for up to 30 s while `proc` lives.
fn wait_for(what: &str, proc: &mut Proc, mut cond: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        proc.check_alive()?;
        if Instant::now() > deadline {
            bail!("timed out waiting for {what}\n{}", proc.describe());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// How many answers `dig +short` gets for `web.service.consul` from this agent.
fn answers(dns: u16) -> usize {
    Command::new("dig")
        .args(["@127.0.0.1", "-p", &dns.to_string(), "+short", "+tcp"])
        .arg("web.service.consul")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
        .unwrap_or(0)
}

/// The sum of the Prometheus samples whose line starts with `prefix`.
fn metric(http: u16, prefix: &str) -> f64 {
    get(http, "/v1/agent/metrics?format=prometheus")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// One dnsperf run's figures.
struct Run {
    qps: f64,
    lost: String,
    /// p50, p99, max in ms, from `-v` output.
    latency: Option<(f64, f64, f64)>,
}

fn dnsperf(dir: &Path, dns: u16, rtype: &str, seconds: u64, rate: Option<u64>) -> Result<Run> {
    let file = dir.join(format!("queries-{rtype}.txt"));
    std::fs::write(&file, format!("web.service.consul {rtype}\n"))?;
    let mut cmd = Command::new("dnsperf");
    cmd.args([
        "-s",
        "127.0.0.1",
        "-p",
        &dns.to_string(),
        "-T",
        "1",
        "-c",
        "4",
    ])
    .args(["-q", "200", "-l", &seconds.to_string()])
    .arg("-d")
    .arg(&file);
    if let Some(q) = rate {
        cmd.args(["-Q", &q.to_string(), "-v"]);
    }
    let out = cmd
        .output()
        .context("run dnsperf (apt-get install -y dnsperf)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    let qps: f64 = field("Queries per second:")
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no qps in dnsperf output:\n{text}"))?;
    let lost = field("Queries lost:").unwrap_or_default();
    let mut lat: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with("> "))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|s| s * 1000.0)
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    let latency = (!lat.is_empty()).then(|| (pct(0.50), pct(0.99), pct(1.0)));
    Ok(Run { qps, lost, latency })
}

fn report(what: &str, r: &Run) {
    match r.latency {
        Some((p50, p99, max)) => println!(
            "{what:<34} {:>9.0} qps  p50 {p50:.3} ms  p99 {p99:.3} ms  max {max:.3} ms  lost {}",
            r.qps, r.lost
        ),
        None => println!("{what:<34} {:>9.0} qps  lost {}", r.qps, r.lost),
    }
}

fn run() -> Result<()> {
    let o = opts()?;
    if !o.sd_bin.exists() {
        bail!(
            "{} is missing: run `cargo build --release` first",
            o.sd_bin.display()
        );
    }
    if Command::new("dnsperf").arg("-h").output().is_err() {
        bail!("dnsperf is missing: apt-get install -y dnsperf");
    }
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    println!(
        "sd: {}  cores: {}  load: {}",
        o.sd_bin.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let mut server = start_agent(&o, dir, "bench-server", &["-dev".to_string()])?;
    let (http, dns) = (server.http, server.dns);
    wait_for("the server's leader", &mut server.proc, || {
        get(http, "/v1/status/leader").is_ok_and(|b| b.trim().len() > 2)
    })?;
    for i in 1..=INSTANCES {
        let reg = serde_json::json!({
            "Node": format!("n{i}"), "Address": format!("10.0.0.{i}"),
            "Service": {"ID": "web", "Service": "web", "Port": 8080},
            "Check": {"CheckID": "web-check", "ServiceID": "web", "Name": "web", "Status": "passing"}
        });
        put(server.http, "/v1/catalog/register", reg.to_string())?;
    }
    wait_for("10 answers from the server", &mut server.proc, || {
        answers(dns) == INSTANCES
    })?;
    if o.only.iter().any(|p| p == "sd") {
        part_sd(&o, dir, &mut server)?;
    }
    if o.only.iter().any(|p| p == "dnsmasq") {
        part_dnsmasq(&o, dir, &mut server)?;
    }
    server.proc.check_alive()
}

/// The agent alone: max qps and latency at a fixed rate of the server and of a client agent,
/// and the server round trips the client agent's answers cost.
fn part_sd(o: &Opts, dir: &Path, server: &mut Agent) -> Result<()> {
    let client_dir = dir.join("client-data");
    let mut client = start_agent(
        o,
        dir,
        "bench-client",
        &[
            format!("-data-dir={}", client_dir.display()),
            format!("-join=127.0.0.1:{}", server.serf),
        ],
    )?;
    let client_dns = client.dns;
    wait_for("10 answers from the client agent", &mut client.proc, || {
        answers(client_dns) == INSTANCES
    })?;

    let s = o.seconds;
    println!("\nservice web, {INSTANCES} instances; dnsperf -T 1 -c 4 -q 200 -l {s}; UDP");
    for rtype in ["A", "SRV"] {
        dnsperf(dir, server.dns, rtype, 1, None)?;
        report(
            &format!("server {rtype}, max"),
            &dnsperf(dir, server.dns, rtype, s, None)?,
        );
        report(
            &format!("server {rtype}, -Q {}", o.qps),
            &dnsperf(dir, server.dns, rtype, s, Some(o.qps))?,
        );
    }
    let http_before = metric(server.http, "consul_api_http_count");
    let fetch_before = metric(client.http, "consul_dns_cache_fetch_success");
    let mut sent = 0.0;
    for (label, rate) in [("max", None), ("-Q", Some(o.qps))] {
        let r = dnsperf(dir, client.dns, "A", s, rate)?;
        sent += r.qps * s as f64;
        let label = match rate {
            Some(q) => format!("client agent A, {label} {q}"),
            None => format!("client agent A, {label}"),
        };
        report(&label, &r);
    }
    let http_after = metric(server.http, "consul_api_http_count");
    let fetch_after = metric(client.http, "consul_dns_cache_fetch_success");
    println!(
        "\nclient agent: ~{sent:.0} queries answered; server HTTP requests served meanwhile: {} \
         (consul_api_http_count {http_before} -> {http_after}); client cache fetches: {} \
         ({fetch_before} -> {fetch_after})",
        http_after - http_before,
        fetch_after - fetch_before
    );
    client.proc.check_alive()
}

/// dnsmasq (Debian's `dnsmasq-base`) serving the same records from its configuration: the ten
/// A records of `web.service.consul`, and its SRV records with the nodes' A records, as the
/// agent answers them (TTL 0: dnsmasq's default for local data, Consul's for services).
fn start_dnsmasq(dir: &Path) -> Result<(Proc, u16)> {
    let port = free_port()?;
    let mut hosts = String::new();
    let mut cmd = Command::new("dnsmasq");
    cmd.args([
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--pid-file=",
    ])
    .args(["--no-resolv", "--no-hosts", "--no-poll", "--user=root"])
    .args(["--listen-address=127.0.0.1", "--bind-interfaces"])
    .arg(format!("--port={port}"))
    .arg("--log-facility=-");
    for i in 1..=INSTANCES {
        hosts.push_str(&format!("10.0.0.{i} web.service.consul\n"));
        cmd.arg(format!("--host-record=n{i}.node.dc1.consul,10.0.0.{i}"));
        cmd.arg(format!(
            "--srv-host=web.service.consul,n{i}.node.dc1.consul,8080,1,1"
        ));
    }
    let file = dir.join("dnsmasq.hosts");
    std::fs::write(&file, hosts)?;
    cmd.arg(format!("--addn-hosts={}", file.display()));
    let proc = Proc::spawn("dnsmasq", cmd, &dir.join("dnsmasq.log"))
        .context("start dnsmasq (apt-get install -y dnsmasq-base)")?;
    Ok((proc, port))
}

/// A wire-only stand-in (`floor`, batched or not per `flag`), answering with the server's own
/// replies to the two questions the bench asks.
fn start_floor(dir: &Path, server_dns: u16, flag: &str) -> Result<(Proc, u16)> {
    let mut files = Vec::new();
    for (rtype, code) in [("A", 1), ("SRV", 33)] {
        let reply = floor::capture(server_dns, &floor::query(7, "web.service.consul", code))?;
        let file = dir.join(format!("reply-{rtype}.bin"));
        std::fs::write(&file, reply)?;
        files.push(file);
    }
    let port = free_port()?;
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.arg(flag).arg(port.to_string()).args(&files);
    let mut proc = Proc::spawn(flag, cmd, &dir.join(format!("stand-in{flag}.log")))?;
    wait_for("the stand-in's answer", &mut proc, || {
        floor::capture(port, &floor::query(9, "web.service.consul", 1)).is_ok()
    })?;
    Ok((proc, port))
}

/// The agent's server against dnsmasq with the same records and the same dnsperf command, run
/// by turns (`--runs` rounds of A, then SRV), so that both see the same machine.
fn part_dnsmasq(o: &Opts, dir: &Path, server: &mut Agent) -> Result<()> {
    if Command::new("dnsmasq").arg("--version").output().is_err() {
        bail!("dnsmasq is missing: apt-get install -y dnsmasq-base (or --only sd)");
    }
    let (mut dnsmasq, port) = start_dnsmasq(dir)?;
    wait_for("10 answers from dnsmasq", &mut dnsmasq, || {
        answers(port) == INSTANCES
    })?;
    let (mut stand_in, floor_port) = start_floor(dir, server.dns, floor::FLAG)?;
    let (mut batched, batched_port) = start_floor(dir, server.dns, floor::FLAG_BATCHED)?;
    let servers = [
        ("sd", server.dns),
        ("dnsmasq", port),
        ("stand-in", floor_port),
        ("batched", batched_port),
    ];
    let s = o.seconds;
    println!(
        "\nagainst dnsmasq and the wire-only stand-ins (batched: recvmmsg/sendmmsg), same records, \
         same dnsperf -T 1 -c 4 -q 200 -l {s}, {} rounds by turns",
        o.runs
    );
    for rtype in ["A", "SRV"] {
        for (_, port) in servers {
            dnsperf(dir, port, rtype, 1, None)?;
        }
        // Per server, its qps in each round.
        let mut qps = vec![Vec::new(); servers.len()];
        for round in 1..=o.runs {
            let mut line = format!("{rtype:<4} round {round}:");
            for (i, (name, port)) in servers.iter().enumerate() {
                let r = dnsperf(dir, *port, rtype, s, None)?;
                line += &format!(" {name} {:.0} (lost {})", r.qps, r.lost);
                qps[i].push(r.qps);
            }
            println!("{line}");
        }
        let ratios = |a: usize, b: usize| -> Vec<f64> {
            qps[a].iter().zip(&qps[b]).map(|(x, y)| x / y).collect()
        };
        for (what, mut ratios) in [
            ("sd / dnsmasq", ratios(0, 1)),
            ("stand-in / dnsmasq", ratios(2, 1)),
            ("batched / dnsmasq", ratios(3, 1)),
            ("sd / stand-in", ratios(0, 2)),
        ] {
            ratios.sort_by(f64::total_cmp);
            println!(
                "{rtype:<4} {what:<18} median {:.2}x [{:.2}-{:.2}]",
                ratios[ratios.len() / 2],
                ratios[0],
                ratios[ratios.len() - 1]
            );
        }
    }
    batched.check_alive()?;
    stand_in.check_alive()?;
    server.proc.check_alive()?;
    dnsmasq.check_alive()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((flag, rest)) if flag == floor::FLAG => floor::serve(rest, false),
        Some((flag, rest)) if flag == floor::FLAG_BATCHED => floor::serve(rest, true),
        _ => run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dns bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
