//! `sd template`'s targets (issue 10), measured through the real binaries on 127.0.0.1: a
//! `sd agent -dev` and `sd template` rendering into a temporary directory.
//!
//! # What it measures
//!
//! * `latency`: service `web` with two instances (`PUT /v1/catalog/register`: a change is in
//!   the catalog when the write is acknowledged); `sd template` renders
//!   `{{range service "web"}}...` into a file whose command is
//!   `sh -c 'date +%s%N >> cmd.log'`. Each change registers or deregisters a third instance
//!   (alternately, `--interval` apart, default 0.3 s, past consul-template's 100 ms per-view
//!   rate limit so each change is measured on its own). From the moment the bench sends the
//!   write: until the destination is renamed into place (inotify on its directory, time taken
//!   in the event callback), and until the command started (the `date` it runs, so this
//!   includes starting `sh` and `date`). Reported: p50, p99, max over `--changes` (default 200)
//!   changes; targets p50 <= 50 ms, p99 <= 150 ms. Also the CPU time `sd template` used per
//!   change and its RSS.
//! * `fanout`: 50 services x 2 instances and 200 templates (one `-config` file of 200
//!   `template {}` blocks) in the N+1 idiom, `{{range services}}{{range service .Name}}...`.
//!   `sd template` talks to the agent through a counting HTTP proxy inside the bench. Reported:
//!   the requests of the first render (expected 51: `services` and one per service), and per
//!   change (a new instance of one service; `--fanout-changes`, default 10): the requests
//!   answered from the write until 1 s after all 200 files show it (expected: the dependencies
//!   whose index moved, `services` and the changed service, not 200), the time until all 200
//!   files are written, the CPU time per change and the RSS of `sd template`.
//! * `dedup`: `--dedup-instances` (default 20) instances of one N+1 template over 50 services,
//!   first each querying the agent, then with `-dedup`, through the counting proxy. Reported for
//!   both: blocking queries parked at the agent once all have rendered (expected 52 per
//!   instance without `-dedup`; 52 plus one per instance with it), requests per change
//!   (`--fanout-changes` changes), the time until every instance's file shows the change, the
//!   CPU of all instances per change and their summed RSS.
//!
//! consul-template itself is not run beside it: it is a Go program and this machine has no Go
//! module proxy to build it; the figures are compared with the issue's targets.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release            # the bench uses target/release/sd, builds nothing
//! cargo bench --bench template -- [--only latency,fanout,dedup] [--changes N] [--interval S]
//!     [--fanout-changes N] [--dedup-instances N] [--sd-bin PATH]
//! ```
//!
//! A default run takes about 2 minutes. Every process the bench starts is SIGKILLed when it
//! is done with it, on error and on Ctrl-C.

#[path = "common/cli.rs"]
mod cli;
#[path = "template/dedup.rs"]
mod dedup;
#[path = "template/fanout.rs"]
mod fanout;
#[allow(dead_code)]
#[path = "common/http.rs"]
mod http;
#[path = "template/latency.rs"]
mod latency;
#[allow(dead_code)]
#[path = "common/load.rs"]
mod load;
#[allow(dead_code)]
#[path = "common/machine.rs"]
mod machine;
#[allow(dead_code)]
#[path = "common/process.rs"]
mod process;
#[path = "template/proxy.rs"]
mod proxy;
#[allow(dead_code)]
#[path = "common/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "common/servers.rs"]
mod servers;
#[path = "template/setup.rs"]
mod setup;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

const USAGE: &str = "usage: cargo bench --bench template -- [--only latency,fanout,dedup] \
[--changes N] [--interval S] [--fanout-changes N] [--dedup-instances N] [--sd-bin PATH] \
[--data-root DIR]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Latency,
    Fanout,
    Dedup,
}

impl Part {
    const ALL: [Part; 3] = [Part::Latency, Part::Fanout, Part::Dedup];

    fn name(self) -> &'static str {
        match self {
            Part::Latency => "latency",
            Part::Fanout => "fanout",
            Part::Dedup => "dedup",
        }
    }
}

struct Opts {
    parts: Vec<Part>,
    changes: usize,
    interval: Duration,
    fanout_changes: usize,
    dedup_instances: usize,
    c: cli::Common,
}

fn parse_opts() -> Result<Option<Opts>> {
    let mut c = cli::Common::new("template");
    let mut changes = 200;
    let mut interval = Duration::from_millis(300);
    let mut fanout_changes = 10;
    let mut dedup_instances = 20;
    let go = cli::parse(USAGE, &mut c, |name, f| {
        match name {
            "--changes" => changes = cli::parse_count(&f.value()?, "--changes")?,
            "--interval" => interval = cli::parse_secs(&f.value()?, "--interval")?,
            "--fanout-changes" => {
                fanout_changes = cli::parse_count(&f.value()?, "--fanout-changes")?
            }
            "--dedup-instances" => {
                dedup_instances = cli::parse_count(&f.value()?, "--dedup-instances")?
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    if !go {
        return Ok(None);
    }
    let parts = cli::select_parts(c.only.take(), &Part::ALL, Part::name, USAGE)?;
    Ok(Some(Opts {
        parts,
        changes,
        interval,
        fanout_changes,
        dedup_instances,
        c,
    }))
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let Some(o) = parse_opts()? else {
            return Ok(());
        };
        cli::check_binaries(&o.c.launch, false)?;
        println!("== template: sd template's latency and request fan-out on 127.0.0.1 ==");
        cli::print_environment("template", &o.c.args, &o.c.launch, o.c.default_sd_bin);
        println!();
        let l = &o.c.launch;
        let failed =
            cli::run_interruptible(cli::run_parts(&o.parts, Part::name, async |p| match p {
                Part::Latency => {
                    println!(
                        "== latency: {} changes of service web, {:?} apart ==",
                        o.changes, o.interval
                    );
                    latency::run(l, o.changes, o.interval).await
                }
                Part::Fanout => {
                    println!(
                        "== fanout: 200 templates x 50 services (N+1), {} changes ==",
                        o.fanout_changes
                    );
                    fanout::run(l, o.fanout_changes).await
                }
                Part::Dedup => {
                    println!(
                        "== dedup: {} instances of one N+1 template, {} changes ==",
                        o.dedup_instances, o.fanout_changes
                    );
                    dedup::run(l, o.dedup_instances, o.fanout_changes).await
                }
            }))?;
        cli::check_failed(&failed)
    })();
    cli::exit_code("template", result)
}
