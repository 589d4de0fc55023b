//! The cluster targets of DESIGN.md §5, measured on real `sd` processes on loopback: failure
//! detection, no false positives under CPU load, leader failover, durable put on a 3-server
//! cluster against a 3-member etcd cluster, and idle RSS (method from
//! reference/performance.md §9).
//!
//! # What it measures
//!
//! Every sd agent runs on its own loopback address `127.X.Y.n` (all of 127/8 reaches lo) with
//! Consul's default ports (8300, 8301, 8302, 8500, 8600), like one host of a cluster: servers
//! with `-server -bootstrap-expect=3`, every agent but the first with `-retry-join` of the first
//! (the first joins nobody: after a restart it rejoins the members it knew, from its gossip
//! snapshot), `-retry-interval=1s`, sd's LAN gossip and Raft defaults. Data directories are
//! on the real disk under `target/cluster/`; each cluster gets a fresh `127.X.Y` block.
//!
//! * `detect`: 3 servers + 2 clients. Repeatedly (default 20) SIGKILL one non-leader agent
//!   (rotating over them) and time from the signal until all 4 others list it with
//!   `"Status": 4` in `GET /v1/agent/members` (each polled every 10 ms on a keep-alive
//!   connection); then restart it on its data directory and wait until every agent lists all 5
//!   alive and the servers agree on a leader. p50, p99 (nearest rank: with 20 kills, the
//!   largest), max. Target p50 <= 2 s, p99 <= 3 s.
//! * `soak`: the same 5 agents; one non-leader server (`--soak-agent client`: a client) is
//!   pinned with `taskset -a -p` to the last CPU, and 3 `sh -c 'while :; do :; done'` busy
//!   loops are pinned to that CPU at the same nice level, for `--soak-secs` (default 600).
//!   Every 200 ms every agent's member list is read; any change of any member to failed (4)
//!   counts (target 0). Also reported: the loaded agent's `Stats.serf_lan.health_score` from
//!   `/v1/agent/self` (max, mean), leader changes, and how busy the pinned CPU was.
//! * `failover`: 3 servers. A writer sends `PUT /v1/kv/<key>` to both followers (a new
//!   request to each every 5 ms, up to 256 in flight each; followers forward to the leader
//!   over server RPC); SIGKILL the leader (`/v1/status/leader` names it as `IP:8300`) and time
//!   from the signal to the first acknowledged write (200 `true`) sent after it. The killed
//!   server is restarted on its data directory and the cluster left to settle between runs.
//!   Default 10 runs; p50, max. Target p50 <= 1 s.
//! * `put64`: durable put of a 256-byte value over 64 keep-alive connections, all to the
//!   leader, 3 sd servers against 3 etcd 3.4 members (127.0.0.1, free ports, static
//!   `--initial-cluster`, WAL fdatasync'ed as sd's Raft log is; its JSON gateway
//!   `/v3/kv/put`), with kv_vs_etcd's load generator: fresh cluster per run, warm-up 1 s,
//!   window 5 s, interleaved sd, etcd, sd, etcd, ... (default 5 pairs), medians and the
//!   median ratio. Target sd >= 1.5x etcd.
//! * `crossdc`: two datacenters, dc1 of 3 servers and dc2 of 1 (`cluster/wan.rs`). Sequential
//!   GETs of one key, interleaved in rounds of 100 (default 10 rounds): on dc1's leader (no
//!   hop), on a dc1 follower (one server RPC round trip to the leader), and on dc2's server with
//!   `?dc=dc1&stale` and `?dc=dc1`. Target: another datacenter adds at most one round trip
//!   (remote stale - local <= forwarded - local, p50).
//! * `wan-detect`: the same two datacenters with sd's default WAN timings; kill -9 dc2's server
//!   (default 3 times) and time until all of dc1's servers list it failed in the WAN pool,
//!   beside what Consul's documented WAN timings give for 4 servers (35-50 s: `cluster/wan.rs`).
//! * `rss`: VmRSS of a client agent after it has joined a 3-server cluster, everyone sees
//!   everyone and it idled 5 s; also the servers'. Default 3 fresh clusters. Target client
//!   <= 5 MB, server <= 12 MB.
//!
//! Every loop has a deadline; every process the bench starts (agents, etcd, busy loops) is
//! SIGKILLed when it is done with it, on error, on panic (drop guards) and on Ctrl-C or
//! SIGTERM. All traffic stays on 127.0.0.0/8.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release                      # the bench uses target/release/sd, builds nothing
//! apt-get install etcd-server                # /usr/bin/etcd (etcd 3.4), for put64; do not start its service
//! cargo bench --bench cluster -- [--only detect,soak,failover,put64,rss] [--runs N]
//!     [--soak-secs S] [--soak-agent server|client] [--seconds S] [--warmup S]
//!     [--sd-bin PATH] [--etcd-bin PATH] [--data-root DIR]
//! ```
//!
//! `--runs N` sets the repetitions of every part (default: 20 kills, 10 failovers, 5 put
//! pairs, 3 RSS clusters); `--seconds`/`--warmup` are put64's window and warm-up. A default run
//! takes about 14 minutes on a 2-core VM: detect ~1.5 min, soak 10 min, failover ~0.5 min,
//! put64 ~1.5 min, rss ~0.5 min. A quick look, `--runs 3 --soak-secs 60`, takes about 4 minutes.
//!
//! The load generator, the pollers and all agents share the machine's CPUs (2 on the project's
//! VMs, shared with other work) and disk, whose fsync latency swings several-fold within
//! minutes: quote the put ratio of one interleaved run, and treat timings as this machine's.

#[path = "common/cli.rs"]
mod cli;
#[path = "cluster/etcd.rs"]
mod etcd;
#[path = "cluster/failover.rs"]
mod failover;
// The shared modules serve several benches; this one uses a part of each.
#[allow(dead_code)]
#[path = "common/http.rs"]
mod http;
#[path = "cluster/idle.rs"]
mod idle;
#[allow(dead_code)]
#[path = "common/load.rs"]
mod load;
#[allow(dead_code)]
#[path = "common/machine.rs"]
mod machine;
#[path = "cluster/membership.rs"]
mod membership;
#[allow(dead_code)]
#[path = "common/process.rs"]
mod process;
#[path = "cluster/put64.rs"]
mod put64;
#[allow(dead_code)]
#[path = "common/report.rs"]
mod report;
#[path = "cluster/sd.rs"]
mod sd;
#[allow(dead_code)]
#[path = "common/servers.rs"]
mod servers;
#[path = "cluster/summary.rs"]
mod summary;
#[path = "cluster/wan.rs"]
mod wan;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};

use membership::SoakTarget;
use summary::Results;

const USAGE: &str =
    "usage: cargo bench --bench cluster -- [--only detect,soak,failover,put64,rss,crossdc,wan-detect] \
[--runs N] [--soak-secs S] [--soak-agent server|client] [--seconds S] [--warmup S] \
[--sd-bin PATH] [--etcd-bin PATH] [--data-root DIR]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Detect,
    Soak,
    Failover,
    Put64,
    Rss,
    CrossDc,
    WanDetect,
}

impl Part {
    const ALL: [Part; 7] = [
        Part::Detect,
        Part::Soak,
        Part::Failover,
        Part::Put64,
        Part::Rss,
        Part::CrossDc,
        Part::WanDetect,
    ];

    fn name(self) -> &'static str {
        match self {
            Part::Detect => "detect",
            Part::Soak => "soak",
            Part::Failover => "failover",
            Part::Put64 => "put64",
            Part::Rss => "rss",
            Part::CrossDc => "crossdc",
            Part::WanDetect => "wan-detect",
        }
    }

    /// Repetitions when `--runs` is not given.
    fn default_runs(self) -> usize {
        match self {
            Part::Detect => 20,
            Part::Failover => 10,
            Part::Put64 => 5,
            Part::CrossDc => 10,
            Part::Soak | Part::Rss | Part::WanDetect => 3,
        }
    }
}

struct Opts {
    parts: Vec<Part>,
    runs: Option<usize>,
    soak: Duration,
    soak_target: SoakTarget,
    c: cli::Common,
}

impl Opts {
    fn runs(&self, p: Part) -> usize {
        self.runs.unwrap_or_else(|| p.default_runs())
    }
}

fn parse_opts() -> Result<Option<Opts>> {
    let mut c = cli::Common::new("cluster");
    let mut runs = None;
    let mut soak = Duration::from_secs(600);
    let mut soak_target = SoakTarget::Server;
    let go = cli::parse(USAGE, &mut c, |name, f| {
        match name {
            "--runs" => runs = Some(cli::parse_count(&f.value()?, "--runs")?),
            "--soak-secs" => soak = cli::parse_secs(&f.value()?, "--soak-secs")?,
            "--soak-agent" => {
                soak_target = match f.value()?.as_str() {
                    "server" => SoakTarget::Server,
                    "client" => SoakTarget::Client,
                    v => bail!("--soak-agent: {v:?} is neither server nor client\n{USAGE}"),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if !go {
        return Ok(None);
    }
    if soak.is_zero() {
        bail!("--soak-secs must be > 0");
    }
    let parts = cli::select_parts(c.only.take(), &Part::ALL, Part::name, USAGE)?;
    Ok(Some(Opts {
        parts,
        runs,
        soak,
        soak_target,
        c,
    }))
}

fn print_header(o: &Opts) {
    let l = &o.c.launch;
    println!("== cluster: sd cluster targets on loopback (127.X.Y.n, Consul's default ports) ==");
    cli::print_environment("cluster", &o.c.args, l, o.c.default_sd_bin);
    println!("sd agents:    {}", sd::command_template(l));
    if o.parts.contains(&Part::Put64) {
        println!("etcd members: {}", etcd::command_template(l));
    }
    let parts: Vec<String> = o
        .parts
        .iter()
        .map(|&p| match p {
            Part::Soak => format!("soak {:?}", o.soak),
            Part::Put64 => format!(
                "put64 x{} pairs (warm-up {:?}, window {:?})",
                o.runs(p),
                o.c.warmup,
                o.c.window
            ),
            _ => format!("{} x{}", p.name(), o.runs(p)),
        })
        .collect();
    println!("parts: {}", parts.join(", "));
    println!();
}

/// Runs the parts in order; a part that fails is reported and the next one runs.
async fn bench(o: &Opts) -> Results {
    let mut r = Results::default();
    let failed = cli::run_parts(&o.parts, Part::name, async |p| run_part(o, p, &mut r).await).await;
    r.failed = failed;
    r
}

async fn run_part(o: &Opts, p: Part, r: &mut Results) -> Result<()> {
    let l = &o.c.launch;
    let n = o.runs(p);
    match p {
        Part::Detect => {
            println!("== detect: kill -9 one non-leader of 5 agents, x{n} ==");
            r.detect = Some(membership::detect(l, n).await?);
        }
        Part::Soak => {
            println!("== soak: {:?} with one agent's CPU saturated ==", o.soak);
            r.soak = Some(membership::soak(l, o.soak, o.soak_target).await?);
        }
        Part::Failover => {
            println!("== failover: kill -9 the leader of 3 servers under writes, x{n} ==");
            r.failover = Some(failover::failover(l, n).await?);
        }
        Part::Put64 => {
            println!(
                "== put64: 3 sd servers vs 3 etcd members, 64 connections to the leader, x{n} pairs =="
            );
            let w = put64::put64(l, n, o.c.warmup, o.c.window).await?;
            print!("{}", report::summary(std::slice::from_ref(&w), n));
            r.put64 = Some(w);
        }
        Part::Rss => {
            println!(
                "== rss: a client agent and 3 servers, {:?} idle, x{n} ==",
                idle::IDLE
            );
            r.rss = Some(idle::idle_rss(l, n).await?);
        }
        Part::CrossDc => {
            println!("== crossdc: reads in dc1 and from dc2, {n} rounds of 100 each ==");
            r.crossdc = Some(wan::crossdc(l, n).await?);
        }
        Part::WanDetect => {
            println!("== wan-detect: kill -9 dc2's server, WAN timings, x{n} ==");
            r.wan_detect = Some(wan::wan_detect(l, n).await?);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let Some(o) = parse_opts()? else {
            return Ok(());
        };
        cli::check_binaries(&o.c.launch, o.parts.contains(&Part::Put64))?;
        print_header(&o);
        let results = cli::run_interruptible(bench(&o))?;
        println!(
            "== summary ({} CPUs shared by the agents, the load generator and the pollers; one run) ==",
            machine::nproc()
        );
        print!("{}", results.render());
        cli::check_failed(&results.failed)
    })();
    cli::exit_code("cluster", result)
}
