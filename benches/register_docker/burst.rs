//! `burst`: N containers started at once (N `docker start` at the same time): all registered,
//! none missed, none twice; then all killed at once: all deregistered. Reported: the time from
//! the first engine event to the last catalog change, the requests to the agent by path, and
//! register-docker's CPU time and RSS with N containers and with none.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::process::cpu_ns_of;
use crate::setup::{docker_each, ms_between, wait_for, CatalogWatch, Containers, EngineEvents};
use crate::Rig;

fn by_path(paths: &[String]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in paths {
        // `/v1/agent/service/deregister/<id>`, `.../maintenance/<id>` -> without the ID.
        let key = ["/deregister/", "/maintenance/", "/update/"]
            .iter()
            .find_map(|m| p.find(m).map(|i| format!("{}{m}*", &p[..i])))
            .unwrap_or_else(|| p.clone());
        *counts.entry(key).or_default() += 1;
    }
    counts
        .iter()
        .map(|(p, n)| format!("{n} x {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn run(rig: &Rig, n: usize) -> Result<()> {
    let service = "bench-burst";
    let c = Containers::create("sdbench-burst", n, &rig.image, service).await?;
    let events = EngineEvents::follow().await?;
    let watch = CatalogWatch::start(rig.agent, service);
    let pid = rig.rd.pid().context("register-docker exited")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_empty = (rig.rd.rss_kib()?, rig.rd.status_kib("RssAnon")?);

    for (phase, verb, want) in [("start", &["start"][..], n), ("kill", &["kill"][..], 0)] {
        let cpu0 = cpu_ns_of(pid)?;
        let req0 = rig.proxy.answered();
        docker_each(verb, &c.names).await?;
        wait_for(
            &format!("{want} instances in the catalog"),
            Duration::from_secs(60),
            || watch.count() == want,
        )
        .await?;
        // Let anything late (a duplicate, a retry) arrive before counting.
        tokio::time::sleep(Duration::from_secs(2)).await;
        if watch.count() != want {
            bail!(
                "{phase}: {} instances in the catalog, expected {want}",
                watch.count()
            );
        }
        let action = if phase == "start" { "start" } else { "die" };
        let first = c
            .names
            .iter()
            .filter_map(|x| events.at(x, action))
            .min()
            .context("no engine event seen")?;
        let last = c
            .names
            .iter()
            .filter_map(|x| {
                if phase == "start" {
                    watch.appeared_at(x)
                } else {
                    watch.left_at(x)
                }
            })
            .max()
            .context("no catalog change seen")?;
        let lags: Vec<f64> = c
            .names
            .iter()
            .filter_map(|x| {
                let ev = events.at(x, action)?;
                let seen = if phase == "start" {
                    watch.appeared_at(x)
                } else {
                    watch.left_at(x)
                }?;
                Some(ms_between(ev, seen))
            })
            .collect();
        let paths = rig.proxy.paths_since(req0);
        let writes = paths
            .iter()
            .filter(|p| p.contains("/service/register") || p.contains("/service/deregister/"))
            .count();
        println!(
            "  {n} at once, {phase:<5}: first engine event -> last catalog change {:>7.0} ms; \
             each container's {action} event -> catalog p50 {:.0} ms, p99 {:.0} ms; \
             {} requests ({}); {writes} writes for {n} containers{}; CPU {:.0} ms",
            ms_between(first, last),
            crate::report::percentile(lags.iter().copied(), 50.0),
            crate::report::percentile(lags.iter().copied(), 99.0),
            paths.len(),
            by_path(&paths),
            if writes == n {
                " (none missed, none twice)"
            } else {
                " (MISMATCH)"
            },
            (cpu_ns_of(pid)? - cpu0) as f64 / 1e6
        );
        if phase == "start" {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let mib = |k: u64| k as f64 / 1024.0;
            println!(
                "  RSS of sd register-docker: {:.1} MiB idle with none ({:.1} MiB anonymous, the \
                 rest the binary's pages), {:.1} MiB with {n} registered ({:.1} MiB anonymous)",
                mib(idle_empty.0),
                mib(idle_empty.1),
                mib(rig.rd.rss_kib()?),
                mib(rig.rd.status_kib("RssAnon")?)
            );
        }
    }
    Ok(())
}
