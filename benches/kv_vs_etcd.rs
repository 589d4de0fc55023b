//! Durable KV put and stale KV get, `sd` against etcd 3.4, interleaved on the same machine
//! (DESIGN.md §5; method from reference/performance.md §9).
//!
//! # What it measures
//!
//! * `put1`, `put64`: durable put of a 256-byte value, 1 and 64 concurrent connections. sd runs
//!   as `sd agent -server -bootstrap -data-dir=DIR` (Raft log fdatasync'ed before the write is
//!   acknowledged), etcd as a single member (WAL fdatasync'ed by default): the same durability.
//!   sd: `PUT /v1/kv/<key>` (raw body, answer `true`); etcd: `POST /v3/kv/put` on its JSON gateway
//!   (base64 key and value). A serial fdatasync probe of the data directory's disk is printed
//!   before each put run, since this class of VM swings 10x in fsync latency within minutes.
//! * `get50`: stale read of existing keys, 50 connections. 1,000 keys are preloaded (untimed);
//!   sd: `GET /v1/kv/<key>?stale`; etcd: `POST /v3/kv/range` with `"serializable":true`.
//! * With `put1`, two wire-only stand-ins for the agent (`common/stand_in.rs`) run the same
//!   puts in each round: the floor (HTTP, one write and one fdatasync per put, nothing else)
//!   and the relay (the same, handed from task to task as openraft 0.9's core and state machine
//!   hand a lone leader's write). The summary gives sd's rate as a share of each, and theirs as
//!   a share of the serial probe.
//! * `idle`: RSS (VmRSS) of each server after 2 s idle from a fresh start, start-to-ready
//!   (sd: spawn to first non-empty `/v1/status/leader`, both the durable server and `-dev`;
//!   etcd: spawn to `/health` true), and the sd binary size as built and as a `strip`ped copy.
//!
//! Keys are 8 bytes (`k0000000`, from a shared counter; puts cycle over 100,000 keys, gets over
//! the 1,000 preloaded ones). Both peers get exactly the same client code: an in-repo tokio load
//! generator where each worker owns one keep-alive HTTP/1.1 connection (hyper's low-level client,
//! no pool), so N clients are N concurrent connections. Every run starts the server fresh on free
//! 127.0.0.1 ports with a fresh temporary data directory, waits for readiness with a deadline,
//! connects all workers, warms up (default 1 s, not counted), then counts operations completing
//! in the window (default 5 s) and their latencies. Every response is checked; failed operations
//! are counted and a run with any error is shown as such and excluded from the medians.
//!
//! Runs are interleaved per workload: sd, etcd, sd, etcd, … (`--runs` pairs, default 5). The
//! summary gives per workload the median throughput of each peer, the median (and range) of the
//! per-pair sd/etcd throughput ratios, and median p50/p99 latencies.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release                      # the bench uses target/release/sd, builds nothing
//! apt-get install etcd-server                # /usr/bin/etcd (etcd 3.4); do not start its service
//! cargo bench --bench kv_vs_etcd -- [--runs N] [--seconds S] [--warmup S]
//!     [--only put1,put64,get50,idle] [--sd-bin PATH] [--etcd-bin PATH] [--data-root DIR]
//! ```
//!
//! A full default run takes about 4 minutes. Temporary data directories go under
//! `target/kv_vs_etcd/` (a real disk: a tmpfs would make "durable" meaningless; the file system
//! type is printed). The load generator shares the CPUs with the server, as in
//! performance.md's measurements; absolute numbers on a noisy VM are not reproducible, ratios of
//! interleaved runs are what to quote.

// The shared modules serve several benches; this one uses a part of some.
#[allow(dead_code)]
#[path = "common/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "common/http.rs"]
mod http;
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
#[path = "common/stand_in.rs"]
mod stand_in;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use load::{Payload, Workload};
use report::{IdleRound, Run, WorkloadResult};
use servers::{Peer, SdMode, Server};

const USAGE: &str =
    "usage: cargo bench --bench kv_vs_etcd -- [--runs N] [--seconds S] [--warmup S] \
[--only put1,put64,get50,idle] [--sd-bin PATH] [--etcd-bin PATH] [--data-root DIR]";

/// How long a freshly started server sits idle before its RSS is read.
const IDLE_WAIT: Duration = Duration::from_secs(2);
/// Length of the fdatasync probe before each durable-put run.
const FSYNC_PROBE: Duration = Duration::from_millis(500);

struct Opts {
    runs: usize,
    loads: Vec<Workload>,
    idle: bool,
    c: cli::Common,
}

fn parse_opts() -> Result<Option<Opts>> {
    let mut c = cli::Common::new("kv_vs_etcd");
    let mut runs = 5;
    let go = cli::parse(USAGE, &mut c, |name, f| {
        match name {
            "--runs" => runs = cli::parse_count(&f.value()?, "--runs")?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if !go {
        return Ok(None);
    }
    let mut o = Opts {
        runs,
        loads: Workload::ALL.to_vec(),
        idle: true,
        c,
    };
    if let Some(only) = o.c.only.take() {
        o.loads = Vec::new();
        o.idle = false;
        for name in only {
            match name.as_str() {
                "idle" => o.idle = true,
                n => o.loads.push(
                    *Workload::ALL
                        .iter()
                        .find(|w| w.name() == n)
                        .with_context(|| format!("--only: unknown workload {n:?}\n{USAGE}"))?,
                ),
            }
        }
    }
    Ok(Some(o))
}

fn print_header(o: &Opts) {
    let l = &o.c.launch;
    println!("== kv_vs_etcd: sd vs etcd, KV over HTTP on 127.0.0.1 ==");
    cli::print_environment("kv_vs_etcd", &o.c.args, l, o.c.default_sd_bin);
    let [sd_cmd, etcd_cmd] = servers::command_templates(l);
    println!("sd command:   {sd_cmd}");
    println!("etcd command: {etcd_cmd}");
    println!(
        "method: per workload sd, etcd, sd, etcd, ... x{} pairs; fresh server and data dir per run; \
         warm-up {:?}, window {:?}; {} B values, 8 B keys; one keep-alive HTTP/1.1 connection per client",
        o.runs,
        o.c.warmup,
        o.c.window,
        load::VALUE_LEN
    );
    println!();
}

/// Which stand-in a floor run is against.
#[derive(Clone, Copy, PartialEq)]
enum Floor {
    /// Each put written and synced on its connection's task.
    Plain,
    /// Each put through openraft's hand-offs (`stand_in::RELAY`).
    Relay,
}

/// One run of `w` against a fresh `peer`, or (`stand_in`) against a wire-only stand-in, which
/// speaks sd's API.
async fn one_run(
    o: &Opts,
    peer: Peer,
    stand_in: Option<Floor>,
    w: Workload,
    p: &Arc<Payload>,
) -> Result<Run> {
    let fsync = if w.is_put() {
        let root = o.c.launch.data_root.clone();
        Some(tokio::task::spawn_blocking(move || machine::fsync_probe(&root, FSYNC_PROBE)).await??)
    } else {
        None
    };
    let mut server = match (peer, stand_in) {
        (_, Some(floor)) => stand_in::start(&o.c.launch, floor == Floor::Relay).await?,
        (Peer::Sd, None) => Server::spawn_sd(&o.c.launch, SdMode::Durable)?,
        (Peer::Etcd, None) => Server::spawn_etcd(&o.c.launch)?,
    };
    server.wait_ready().await?;
    if !w.is_put() {
        load::preload(server.http, peer, p)
            .await
            .with_context(|| format!("{} preload", peer.name()))?;
    }
    let stats = load::run(server.http, peer, w, o.c.warmup, o.c.window, p).await?;
    server.check_alive()?;
    Ok(Run { stats, fsync })
}

async fn idle_round(o: &Opts) -> Result<IdleRound> {
    let mut sd = Server::spawn_sd(&o.c.launch, SdMode::Durable)?;
    let sd_start = sd.wait_ready().await?;
    tokio::time::sleep(IDLE_WAIT).await;
    let sd_rss_kib = sd.rss_kib()?;
    drop(sd);

    let mut etcd = Server::spawn_etcd(&o.c.launch)?;
    let etcd_start = etcd.wait_ready().await?;
    tokio::time::sleep(IDLE_WAIT).await;
    let etcd_rss_kib = etcd.rss_kib()?;
    drop(etcd);

    let mut dev = Server::spawn_sd(&o.c.launch, SdMode::Dev)?;
    let dev_start = dev.wait_ready().await?;
    drop(dev);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(IdleRound {
        sd_rss_kib,
        etcd_rss_kib,
        sd_start_ms: ms(sd_start),
        sd_dev_start_ms: ms(dev_start),
        etcd_start_ms: ms(etcd_start),
    })
}

/// The median of a stand-in's put1 rate, of sd's as a share of it, and of the stand-in's as
/// a share of the serial `write + fdatasync` probe taken before it; `what` names the stand-in.
fn floor_summary(what: &str, floors: &[(f64, Run)]) -> String {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let clean: Vec<&(f64, Run)> = floors.iter().filter(|(_, f)| f.clean()).collect();
    let rate = median(clean.iter().map(|(_, f)| f.stats.ops_per_sec()).collect());
    let sd_share = median(
        clean
            .iter()
            .map(|(sd, f)| sd / f.stats.ops_per_sec())
            .collect(),
    );
    let disk_share = median(
        clean
            .iter()
            .filter_map(|(_, f)| Some(f.stats.ops_per_sec() / f.fsync?.append))
            .collect(),
    );
    format!(
        "  {what}: median {rate:.0} ops/s; \
         sd = {:.0} % of it; it = {:.0} % of the serial write + fdatasync probe\n",
        sd_share * 100.0,
        disk_share * 100.0
    )
}

async fn bench(o: &Opts) -> Result<()> {
    let payload = Arc::new(Payload::new());
    let mut results = Vec::new();
    for &w in &o.loads {
        println!(
            "== {} ({} connection{}) ==",
            w.name(),
            w.conns(),
            if w.conns() == 1 { "" } else { "s" }
        );
        let mut pairs = Vec::new();
        // One client's puts are also run against the stand-ins: HTTP and one write and one
        // fdatasync per put, nothing else; and the same through openraft's hand-offs.
        let floor = w == Workload::Put1;
        let (mut floors, mut relays) = (Vec::new(), Vec::new());
        for i in 1..=o.runs {
            let sd = one_run(o, Peer::Sd, None, w, &payload).await?;
            println!("{}", report::run_line(Peer::Sd, i, o.runs, &sd));
            let etcd = one_run(o, Peer::Etcd, None, w, &payload).await?;
            println!("{}", report::run_line(Peer::Etcd, i, o.runs, &etcd));
            if floor {
                let f = one_run(o, Peer::Sd, Some(Floor::Plain), w, &payload).await?;
                println!("{}", report::run_line_named("floor", i, o.runs, &f));
                let r = one_run(o, Peer::Sd, Some(Floor::Relay), w, &payload).await?;
                println!("{}", report::run_line_named("relay", i, o.runs, &r));
                floors.push((sd.stats.ops_per_sec(), f));
                relays.push((sd.stats.ops_per_sec(), r));
            }
            pairs.push((sd, etcd));
        }
        if floor {
            let plain = "floor (stand-in: HTTP + write + fdatasync per put)";
            print!("{}", floor_summary(plain, &floors));
            let relay = "relay (the same through openraft's hand-offs: connection, core, \
                         state machine, core, connection)";
            print!("{}", floor_summary(relay, &relays));
        }
        results.push(WorkloadResult { workload: w, pairs });
    }
    let mut idle = Vec::new();
    if o.idle {
        println!("== idle ==");
        for i in 1..=o.runs {
            let r = idle_round(o).await?;
            println!(
                "  run {i}/{}: RSS sd {} KiB, etcd {} KiB; start to ready: sd {:.0} ms, sd -dev {:.0} ms, etcd {:.0} ms",
                o.runs, r.sd_rss_kib, r.etcd_rss_kib, r.sd_start_ms, r.sd_dev_start_ms, r.etcd_start_ms
            );
            idle.push(r);
        }
    }
    println!();
    if !results.is_empty() {
        print!("{}", report::summary(&results, o.runs));
    }
    if o.idle {
        let l = &o.c.launch;
        print!(
            "{}",
            report::idle_summary(
                &idle,
                machine::size_mib(&l.sd_bin)?,
                machine::stripped_size_mib(&l.sd_bin),
                machine::size_mib(&l.etcd_bin)?,
            )
        );
    }
    let errored: usize = results
        .iter()
        .flat_map(|r| r.pairs.iter())
        .map(|(a, b)| usize::from(!a.clean()) + usize::from(!b.clean()))
        .sum();
    if errored > 0 {
        println!("NOTE: {errored} run(s) had errors and are excluded from the medians (see the run lines)");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(stand_in::FLAG) {
        return cli::exit_code("kv floor stand-in", stand_in::serve(&args[2..]));
    }
    let result = (|| -> Result<()> {
        let Some(o) = parse_opts()? else {
            return Ok(());
        };
        cli::check_binaries(&o.c.launch, true)?;
        print_header(&o);
        cli::run_interruptible(bench(&o))?
    })();
    cli::exit_code("kv_vs_etcd", result)
}
