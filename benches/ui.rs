//! The web UI's targets (issue 16), in headless Chromium (Debian's chromium through
//! chromium-driver) against the real `sd agent -dev`:
//!
//! * **first render**: the services view of a catalog of `--services` (default 1,000) names and
//!   `--instances` (default 5,000) instances: from the start of navigation to the end of the
//!   first render of the table (the UI's `sd-render` performance mark), over `--runs` fresh
//!   loads (default 5). Also what the page downloaded (UI files, compressed, and the
//!   summary's JSON) and the JavaScript heap after it.
//! * **update after one check flips**: one instance's check goes critical (or back), through
//!   `PUT /v1/catalog/register`; from the moment the bench sends the write to the end of the
//!   render that shows it (the mark's time on the page's clock, `performance.timeOrigin`, the
//!   same system clock as the bench's), over `--flips` flips (default 20).
//! * **requests kept open**: what the page holds open while idle (`<html
//!   data-open-requests>`, kept by the UI's API module), and the requests it starts in 10 s of
//!   idleness (the Resource Timing entries; blocking queries start none).
//!
//! Consul's UI is not run beside it (no Consul binary or npm registry on this machine); the
//! figures stand on their own.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release            # the bench uses target/release/sd, builds nothing
//! cargo bench --bench ui -- [--services N] [--instances N] [--runs N] [--flips N]
//!     [--sd-bin PATH]
//! ```

#[allow(dead_code)]
#[path = "../tests/e2e/common/browser.rs"]
mod browser;
#[path = "ui/catalog.rs"]
mod catalog;
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

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Result};
use serde_json::Value;

use browser::Browser;
use report::{median, num, percentile};
use servers::{SdMode, Server};

const USAGE: &str = "usage: cargo bench --bench ui -- [--services N] [--instances N] \
[--runs N] [--flips N] [--sd-bin PATH] [--data-root DIR]";

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The page's clock (epoch ms) at the end of its latest render, and how many renders so far.
fn last_render(b: &Browser) -> (f64, u64) {
    let v = b.js(
        "const m = performance.getEntriesByName('sd-render'); \
         return [performance.timeOrigin + m[m.length - 1].startTime, \
                 Number(document.documentElement.dataset.renders)];",
        vec![],
    );
    (v[0].as_f64().unwrap_or(0.0), v[1].as_u64().unwrap_or(0))
}

fn main() -> ExitCode {
    let result = (|| -> Result<()> {
        let mut c = cli::Common::new("ui-bench");
        let (mut services, mut instances, mut runs, mut flips) = (1000, 5000, 5, 20);
        let go = cli::parse(USAGE, &mut c, |name, f| {
            match name {
                "--services" => services = cli::parse_count(&f.value()?, name)?,
                "--instances" => instances = cli::parse_count(&f.value()?, name)?,
                "--runs" => runs = cli::parse_count(&f.value()?, name)?,
                "--flips" => flips = cli::parse_count(&f.value()?, name)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if !go {
            return Ok(());
        }
        if instances < services {
            bail!("--instances must be at least --services\n{USAGE}");
        }
        cli::check_binaries(&c.launch, false)?;
        println!("== ui: the services view in headless Chromium ==");
        cli::print_environment("ui", &c.args, &c.launch, c.default_sd_bin);
        let rt = tokio::runtime::Runtime::new()?;
        let mut agent = Server::spawn_sd(&c.launch, SdMode::Dev)?;
        rt.block_on(agent.wait_ready())?;
        let took = rt.block_on(catalog::fill(agent.http, services, instances))?;
        println!(
            "catalog: {services} services, {instances} instances on {} nodes, registered in {:.1} s",
            catalog::NODES,
            took.as_secs_f64()
        );
        let url = format!("http://{}/ui/dc1/services", agent.http);
        let b = Browser::start();

        // First render, over fresh loads.
        let mut firsts = Vec::new();
        let mut page = Value::Null;
        let mut first_load_bytes = None;
        for _ in 0..runs {
            b.goto("about:blank");
            b.goto(&url);
            b.wait_render("services", 0);
            page = b.js(
                "const m = performance.getEntriesByName('sd-render')[0]; \
                 const r = performance.getEntriesByType('resource'); \
                 const ui = r.filter((e) => e.name.includes('/ui/assets/')); \
                 const api = r.filter((e) => e.name.includes('/v1/internal/ui/services')); \
                 const nav = performance.getEntriesByType('navigation')[0]; \
                 return {first: m.startTime, rows: document.querySelectorAll('tbody tr').length, \
                   uiBytes: ui.reduce((n, e) => n + e.transferSize, 0) + nav.transferSize, \
                   apiBytes: api.length ? api[0].encodedBodySize : 0, \
                   heap: performance.memory ? performance.memory.usedJSHeapSize : 0};",
                vec![],
            );
            firsts.push(page["first"].as_f64().unwrap_or(f64::NAN));
            if first_load_bytes.is_none() {
                first_load_bytes = page["uiBytes"].as_f64();
            }
        }
        // The agent's own `consul` service may or may not be in the catalog yet.
        if page["rows"].as_u64().unwrap_or(0) < services as u64 {
            bail!("the view shows {} rows, expected {services}", page["rows"]);
        }
        println!(
            "first render: p50 {} ms, max {} ms over {runs} loads ({} rows)",
            num(median(firsts.iter().copied()), 0),
            num(firsts.iter().copied().fold(0.0, f64::max), 0),
            page["rows"]
        );
        println!(
            "downloaded: UI files {:.1} KB the first time (compressed), {:.1} KB on later loads \
             (ETag revalidations), the summary {:.0} KB; JS heap {:.1} MB",
            first_load_bytes.unwrap_or(0.0) / 1000.0,
            page["uiBytes"].as_f64().unwrap_or(0.0) / 1000.0,
            page["apiBytes"].as_f64().unwrap_or(0.0) / 1000.0,
            page["heap"].as_f64().unwrap_or(0.0) / 1e6
        );

        // Idle: what the page keeps open, and what it starts.
        let before = b.js(
            "return performance.getEntriesByType('resource').length",
            vec![],
        );
        std::thread::sleep(Duration::from_secs(10));
        let after = b.js(
            "return performance.getEntriesByType('resource').length",
            vec![],
        );
        let open = b.js(
            "return document.documentElement.dataset.openRequests",
            vec![],
        );
        println!(
            "idle 10 s: {open} request(s) open, {} started",
            after.as_i64().unwrap_or(0) - before.as_i64().unwrap_or(0)
        );

        // One check flips (to critical, then back to passing: two flips per instance); time to
        // the render that shows it.
        let mut client = http::Client::new(agent.http);
        let mut lat = Vec::new();
        let (mut to_answer, mut to_render) = (Vec::new(), Vec::new());
        for f in 0..flips {
            let i = (f / 2 * 7919) % instances;
            let svc = format!("svc-{:04}", i % services);
            let status = if f % 2 == 0 { "critical" } else { "passing" };
            let (_, renders) = last_render(&b);
            let sent = epoch_ms();
            rt.block_on(client.put_ok(
                "/v1/catalog/register",
                catalog::registration(i, services, status),
            ))?;
            let script = format!(
                "const r = document.querySelector('tr[data-service=\"{svc}\"]'); \
                 return Number(document.documentElement.dataset.renders) > {renders} && r && \
                   r.dataset.status === '{status}';"
            );
            b.wait_until("the flip to show", &script, Duration::from_secs(15));
            let (at, _) = last_render(&b);
            lat.push(at - sent);
            let answered = b.js(
                "const r = performance.getEntriesByType('resource') \
                   .filter((e) => e.name.includes('/v1/internal/ui/services?index=')); \
                 return performance.timeOrigin + r[r.length - 1].responseEnd;",
                vec![],
            );
            let answered = answered.as_f64().unwrap_or(at);
            to_answer.push(answered - sent);
            to_render.push(at - answered);
        }
        println!(
            "update after one check flips: p50 {} ms, p99 {} ms, max {} ms over {flips} flips",
            num(median(lat.iter().copied()), 1),
            num(percentile(lat.iter().copied(), 99.0), 1),
            num(lat.iter().copied().fold(0.0, f64::max), 1)
        );
        println!(
            "  of which: write sent -> the blocking query's answer received p50 {} ms; \
             answer -> rendered p50 {} ms",
            num(median(to_answer.iter().copied()), 1),
            num(median(to_render.iter().copied()), 1)
        );
        println!("agent RSS: {} MiB", agent.rss_kib()? / 1024);
        drop(b);
        Ok(())
    })();
    cli::exit_code("ui", result)
}
