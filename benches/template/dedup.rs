//! `dedup`: many `sd template` instances rendering one template in the N+1 idiom over 50
//! services, without and then with `-dedup`, through the counting proxy: blocking queries
//! parked at the agent, requests per change, the time until every instance's file shows a
//! change, what the agent spends per change (CPU), and what the instances cost together (CPU per
//! change, RSS).

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::http::Client;
use crate::process::Proc;
use crate::proxy::Proxy;
use crate::report::{median, percentile};
use crate::servers::Launch;
use crate::setup::{agent, cpu_ns, sd_template, wait_for};

const SERVICES: usize = 50;
const TEMPLATE: &str =
    "{{range services}}{{range service .Name}}{{.Name}} {{.Address}}:{{.Port}}\\n{{end}}{{end}}";

fn instance(service: usize, id: &str, port: u16) -> String {
    format!(
        r#"{{"Node":"n1","Address":"127.0.0.2","Service":{{"ID":"{id}","Service":"svc-{service:02}","Address":"127.0.0.3","Port":{port}}}}}"#
    )
}

pub async fn run(l: &Launch, instances: usize, changes: usize) -> Result<()> {
    for dedup in [false, true] {
        let mode = if dedup { "-dedup" } else { "plain" };
        println!("-- {instances} instances, {mode} --");
        one_mode(l, instances, changes, dedup).await?;
    }
    Ok(())
}

async fn one_mode(l: &Launch, instances: usize, changes: usize, dedup: bool) -> Result<()> {
    let agent = agent(l).await?;
    let mut c = Client::new(agent.http);
    for s in 0..SERVICES {
        c.put_ok(
            "/v1/catalog/register",
            instance(s, &format!("svc-{s}"), 10_000 + s as u16),
        )
        .await?;
    }
    let proxy = Proxy::start(agent.http).await?;
    let dir = tempfile::tempdir()?;
    let mut procs: Vec<Proc> = Vec::new();
    let mut files = Vec::new();
    for i in 0..instances {
        let idir = dir.path().join(format!("i{i}"));
        std::fs::create_dir_all(&idir)?;
        let out = idir.join("out.conf");
        let conf = idir.join("t.hcl");
        std::fs::write(
            &conf,
            format!(
                "template {{\n  contents = \"{TEMPLATE}\"\n  destination = \"{}\"\n}}\n",
                out.display()
            ),
        )?;
        let mut args = vec![format!("-config={}", conf.display())];
        if dedup {
            args.push("-dedup".into());
        }
        procs.push(sd_template(l, proxy.addr, &args, &idir)?);
        files.push(out);
    }
    // The dev agent's own `consul` service is listed too.
    let base_lines = SERVICES + 1;
    let all_show = |needle: &str, lines: usize| {
        files.iter().all(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.contains(needle) && text.lines().count() == lines
        })
    };
    let started = Instant::now();
    wait_for(
        "every instance's first render",
        Duration::from_secs(60),
        || all_show("svc-49", base_lines),
    )
    .await?;
    let first = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "first render: all {instances} files in {:.0} ms, {} requests answered; blocking queries parked at the agent: {}",
        first.as_secs_f64() * 1e3,
        proxy.answered(),
        proxy.in_flight()
    );
    let cpu = |procs: &[Proc]| -> Result<u64> { procs.iter().map(cpu_ns).sum() };
    let (mut requests, mut written, mut cpu_ms) = (Vec::new(), Vec::new(), Vec::new());
    let mut agent_ms = Vec::new();
    for k in 0..changes {
        let from = proxy.answered();
        let cpu0 = cpu(&procs)?;
        let agent0 = agent.cpu_ns()?;
        let port = 20_000 + k as u16;
        let sent = Instant::now();
        c.put_ok(
            "/v1/catalog/register",
            instance(k % SERVICES, &format!("extra-{k}"), port),
        )
        .await?;
        wait_for(
            "every file to show the change",
            Duration::from_secs(30),
            || all_show(&format!(":{port}\n"), base_lines + k + 1),
        )
        .await?;
        written.push(sent.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(Duration::from_secs(1)).await;
        requests.push(proxy.paths_since(from).len() as f64);
        cpu_ms.push((cpu(&procs)? - cpu0) as f64 / 1e6);
        agent_ms.push((agent.cpu_ns()? - agent0) as f64 / 1e6);
    }
    let rss: u64 = procs.iter().map(Proc::rss_kib).sum::<Result<u64>>()?;
    println!(
        "per change: requests answered median {:.0}; every file written p50 {:.1} ms, max {:.1} ms; CPU median: agent {:.1} ms, all instances {:.1} ms; RSS of all instances {:.1} MiB",
        median(requests.iter().copied()),
        percentile(written.iter().copied(), 50.0),
        percentile(written.iter().copied(), 100.0),
        median(agent_ms.iter().copied()),
        median(cpu_ms.iter().copied()),
        rss as f64 / 1024.0
    );
    Ok(())
}
