//! The catalog and health targets, measured on a real `sd agent` on 127.0.0.1 (DESIGN.md §5,
//! reference/performance.md §9 G6/G7).
//!
//! # What it measures
//!
//! The agent is `sd agent -dev` (in-memory Raft log and state, Consul's dev mode: a single
//! server that is its own leader), started fresh on free 127.0.0.1 ports; `--durable` runs
//! `sd agent -server -bootstrap -data-dir=DIR` instead (Raft log fdatasync'ed before a write is
//! acknowledged, data under `target/catalog/`). Which one ran is printed with the results.
//!
//! * `watch`: service `web` with 10 instances (nodes `n1`..`n10`, one passing check each,
//!   `PUT /v1/catalog/register`). Each round reads `X-Consul-Index` from
//!   `GET /v1/health/service/web`, opens 1,000 (`--watchers`) keep-alive connections and sends
//!   `GET /v1/health/service/web?index=<idx>&wait=60s` on each, waits until the agent is idle
//!   (the queries are parked), and reads its RSS. Then it registers another service, `other`,
//!   on node `n1` and waits 1 s (`--other-secs`): any watcher that returns before the next write
//!   is an early (spurious) wake-up, target 0. Then it flips web-1's check (critical, then
//!   passing the next round) and notes when that write was acknowledged; each watcher's wake
//!   time is when its whole answer (status 200, an index past `<idx>`) has arrived. Reported:
//!   p50/p99/max of (wake - ack), negative when the answer beat the acknowledgement. Target
//!   p99 <= 10 ms. Also the RSS the parked watchers add, per watcher (perf.md G6: <= 2 KB).
//!   Default 5 rounds on one agent; the summary gives medians of the per-round figures.
//!
//! Every loop has a deadline; every process the bench starts is SIGKILLed when it is done
//! with it, on error, on panic (drop guards) and on Ctrl-C or SIGTERM. All traffic stays on
//! 127.0.0.0/8.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release            # the bench uses target/release/sd, builds nothing
//! cargo bench --bench catalog -- [--only watch] [--runs N] [--watchers N] [--other-secs S]
//!     [--durable] [--sd-bin PATH] [--data-root DIR]
//! ```
//!
//! `--runs N` sets the rounds of every part. A default run takes about half a minute on a
//! 2-core VM. The bench's client tasks share the CPUs with the agent: the wake times include the
//! client reading 1,000 answers on the same cores.

#[path = "catalog/agent.rs"]
mod agent;
#[path = "catalog/checks.rs"]
mod checks;
#[path = "common/cli.rs"]
mod cli;
// The shared modules serve several benches; this one uses a part of each.
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
#[path = "catalog/services.rs"]
mod services;
#[path = "catalog/summary.rs"]
mod summary;
#[path = "catalog/watch.rs"]
mod watch;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};

use summary::Results;

const USAGE: &str = "usage: cargo bench --bench catalog -- [--only watch,catalog,checks] \
[--runs N] [--durable] [--watchers N] [--other-secs S] [--services N] [--seconds S] [--warmup S] \
[--checks N] [--checks-secs S] [--sd-bin PATH] [--data-root DIR]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Watch,
    Catalog,
    Checks,
}

impl Part {
    const ALL: [Part; 3] = [Part::Watch, Part::Catalog, Part::Checks];

    fn name(self) -> &'static str {
        match self {
            Part::Watch => "watch",
            Part::Catalog => "catalog",
            Part::Checks => "checks",
        }
    }

    /// Repetitions when `--runs` is not given.
    fn default_runs(self) -> usize {
        match self {
            Part::Watch => 5,
            Part::Catalog => 3,
            Part::Checks => 1,
        }
    }
}

struct Opts {
    parts: Vec<Part>,
    runs: Option<usize>,
    durable: bool,
    watchers: usize,
    other_window: Duration,
    services: u64,
    checks: u64,
    checks_window: Duration,
    c: cli::Common,
}

impl Opts {
    fn runs(&self, p: Part) -> usize {
        self.runs.unwrap_or_else(|| p.default_runs())
    }
}

fn parse_opts() -> Result<Option<Opts>> {
    let mut c = cli::Common::new("catalog");
    let mut runs = None;
    let mut durable = false;
    let mut watchers = 1000;
    let mut other_window = Duration::from_secs(1);
    let mut services = 1000;
    let mut checks = 1000;
    let mut checks_window = Duration::from_secs(60);
    let go = cli::parse(USAGE, &mut c, |name, f| {
        match name {
            "--runs" => runs = Some(cli::parse_count(&f.value()?, "--runs")?),
            "--durable" => durable = true,
            "--watchers" => watchers = cli::parse_count(&f.value()?, "--watchers")?,
            "--other-secs" => other_window = cli::parse_secs(&f.value()?, "--other-secs")?,
            "--services" => services = cli::parse_count(&f.value()?, "--services")? as u64,
            "--checks" => checks = cli::parse_count(&f.value()?, "--checks")? as u64,
            "--checks-secs" => checks_window = cli::parse_secs(&f.value()?, "--checks-secs")?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if !go {
        return Ok(None);
    }
    if checks_window.is_zero() {
        bail!("--checks-secs must be > 0");
    }
    let mut parts = Part::ALL.to_vec();
    if let Some(only) = c.only.take() {
        parts = Vec::new();
        for n in only {
            match Part::ALL.iter().find(|p| p.name() == n) {
                Some(p) => parts.push(*p),
                None => bail!("--only: unknown part {n:?}\n{USAGE}"),
            }
        }
    }
    Ok(Some(Opts {
        parts,
        runs,
        durable,
        watchers,
        other_window,
        services,
        checks,
        checks_window,
        c,
    }))
}

fn mode(o: &Opts) -> &'static str {
    if o.durable {
        "durable single server (-server -bootstrap -data-dir)"
    } else {
        "-dev (in-memory)"
    }
}

fn print_header(o: &Opts) {
    let l = &o.c.launch;
    println!("== catalog: sd catalog and health targets on 127.0.0.1 ==");
    cli::print_environment("catalog", &o.c.args, l, o.c.default_sd_bin);
    println!(
        "sd agent ({}): {}",
        mode(o),
        agent::command_template(l, o.durable)
    );
    let parts: Vec<String> = o
        .parts
        .iter()
        .map(|&p| match p {
            Part::Watch => format!(
                "watch x{} rounds ({} watchers, {:?} after the unrelated write)",
                o.runs(p),
                o.watchers,
                o.other_window
            ),
            Part::Catalog => format!(
                "catalog x{} ({} services x {} instances; warm-up {:?}, window {:?} per read load)",
                o.runs(p),
                o.services,
                services::NODES,
                o.c.warmup,
                o.c.window
            ),
            Part::Checks => format!(
                "checks x{} ({} HTTP checks every {:?}; CPU window {:?})",
                o.runs(p),
                o.checks,
                checks::INTERVAL,
                o.checks_window
            ),
        })
        .collect();
    println!("parts: {}", parts.join(", "));
    println!();
}

/// Runs the parts in order; a part that fails is reported and the next one runs.
async fn bench(o: &Opts) -> Results {
    let mut r = Results::default();
    for &p in &o.parts {
        if let Err(e) = run_part(o, p, &mut r).await {
            println!("ERROR in {}: {e:#}", p.name());
            r.failed.push(format!("{}: {e:#}", p.name()));
        }
        println!();
    }
    r
}

async fn run_part(o: &Opts, p: Part, r: &mut Results) -> Result<()> {
    let l = &o.c.launch;
    let n = o.runs(p);
    match p {
        Part::Watch => {
            println!(
                "== watch: {} blocking queries on web's health, x{n} rounds ==",
                o.watchers
            );
            r.watch = Some(watch::watch(l, o.durable, n, o.watchers, o.other_window).await?);
        }
        Part::Catalog => {
            println!(
                "== catalog: {} services x {} instances, then reads, x{n} fresh agents ==",
                o.services,
                services::NODES
            );
            r.catalog =
                Some(services::catalog(l, o.durable, n, o.services, o.c.warmup, o.c.window).await?);
        }
        Part::Checks => {
            println!(
                "== checks: {} HTTP checks every {:?}, agent CPU over {:?}, x{n} ==",
                o.checks,
                checks::INTERVAL,
                o.checks_window
            );
            r.checks = Some(checks::checks(l, o.durable, n, o.checks, o.checks_window).await?);
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so the bench future is dropped and every process killed.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return "SIGINT";
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let Some(o) = parse_opts()? else {
            return Ok(());
        };
        cli::check_binaries(&o.c.launch, false)?;
        print_header(&o);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let results = rt.block_on(async {
            tokio::select! {
                r = bench(&o) => Ok(r),
                s = interrupted() => bail!("interrupted by {s}; every process started was killed"),
            }
        })?;
        println!(
            "== summary: sd {}; {} CPUs shared by the agent and the bench's clients ==",
            mode(&o),
            machine::nproc()
        );
        print!("{}", results.render());
        if !results.failed.is_empty() {
            bail!(
                "{} part(s) failed:\n{}",
                results.failed.len(),
                results.failed.join("\n")
            );
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalog: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
