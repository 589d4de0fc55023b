//! `latency`: one container started -> its service in the catalog, and stopped -> gone.
//! Containers start one at a time, each after the previous one is in the catalog.

use std::time::Duration;

use anyhow::{Context, Result};

use crate::process::cpu_ns_of;
use crate::report::percentile;
use crate::setup::{docker, ms_between, wait_for, CatalogWatch, Containers, EngineEvents};
use crate::Rig;

pub async fn run(rig: &Rig, starts: usize) -> Result<()> {
    let service = "bench-latency";
    let c = Containers::create("sdbench-lat", starts, &rig.image, service).await?;
    let events = EngineEvents::follow().await?;
    let watch = CatalogWatch::start(rig.agent, service);
    let pid = rig.rd.pid().context("register-docker exited")?;
    let cpu0 = cpu_ns_of(pid)?;
    let requests0 = rig.proxy.answered();
    let (mut from_event, mut from_cli, mut gone) = (Vec::new(), Vec::new(), Vec::new());
    for name in &c.names {
        let invoked = std::time::SystemTime::now();
        docker(&["start".into(), name.clone()]).await?;
        wait_for(
            &format!("{name} in the catalog"),
            Duration::from_secs(10),
            || watch.appeared_at(name).is_some(),
        )
        .await?;
        let seen = watch.appeared_at(name).context("appeared")?;
        wait_for(
            &format!("the start event of {name}"),
            Duration::from_secs(5),
            || events.at(name, "start").is_some(),
        )
        .await?;
        let started = events.at(name, "start").context("start event")?;
        from_event.push(ms_between(started, seen));
        from_cli.push(ms_between(invoked, seen));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for name in &c.names {
        docker(&["kill".into(), name.clone()]).await?;
        wait_for(
            &format!("{name} out of the catalog"),
            Duration::from_secs(10),
            || watch.left_at(name).is_some(),
        )
        .await?;
        wait_for(
            &format!("the die event of {name}"),
            Duration::from_secs(5),
            || events.at(name, "die").is_some(),
        )
        .await?;
        let died = events.at(name, "die").context("die event")?;
        gone.push(ms_between(died, watch.left_at(name).context("left")?));
    }
    let requests = rig.proxy.answered() - requests0;
    let cpu_ms = (cpu_ns_of(pid)? - cpu0) as f64 / 1e6;
    let row = |what: &str, v: &[f64], target: &str| {
        println!(
            "  {what:<44} p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  {target}",
            percentile(v.iter().copied(), 50.0),
            percentile(v.iter().copied(), 99.0),
            v.iter().copied().fold(f64::MIN, f64::max)
        );
    };
    row(
        "engine start event -> in the catalog",
        &from_event,
        "(target p50 <= 100, p99 <= 300)",
    );
    row(
        "`docker start` invoked -> in the catalog",
        &from_cli,
        "(includes the engine's own start)",
    );
    row("engine die event -> out of the catalog", &gone, "");
    println!(
        "  {starts} starts and kills: {requests} requests to the agent ({:.1} per container), \
         register-docker CPU {:.2} ms per container",
        requests as f64 / starts as f64,
        cpu_ms / starts as f64
    );
    Ok(())
}
