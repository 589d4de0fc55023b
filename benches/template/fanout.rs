//! `fanout`: 200 templates over 50 services in the N+1 idiom, through a counting proxy.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::http::Client;
use crate::proxy::Proxy;
use crate::report::{median, percentile};
use crate::servers::Launch;
use crate::setup::{agent, cpu_ns, sd_template, wait_for};

const SERVICES: usize = 50;
const TEMPLATES: usize = 200;

fn instance(node: &str, service: usize, id: &str, port: u16) -> String {
    format!(
        r#"{{"Node":"{node}","Address":"127.0.0.2","Service":{{"ID":"{id}","Service":"svc-{service:02}","Address":"127.0.0.3","Port":{port}}}}}"#
    )
}

pub async fn run(l: &Launch, changes: usize) -> Result<()> {
    let agent = agent(l).await?;
    let mut c = Client::new(agent.http);
    for s in 0..SERVICES {
        for (n, node) in ["n1", "n2"].iter().enumerate() {
            let port = 10_000 + (s * 2 + n) as u16;
            c.put_ok(
                "/v1/catalog/register",
                instance(node, s, &format!("svc-{s}-{n}"), port),
            )
            .await?;
        }
    }
    let proxy = Proxy::start(agent.http).await?;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("out");
    let mut config = String::new();
    for t in 0..TEMPLATES {
        config.push_str(&format!(
            "template {{\n  contents = \"# {t}\\n{{{{range services}}}}{{{{range service .Name}}}}{{{{.Name}}}} {{{{.Address}}}}:{{{{.Port}}}}\\n{{{{end}}}}{{{{end}}}}\"\n  destination = \"{}/t{t}.conf\"\n}}\n",
            out.display()
        ));
    }
    let config_path = dir.path().join("fanout.hcl");
    std::fs::write(&config_path, config)?;
    let started = Instant::now();
    let sd = sd_template(
        l,
        proxy.addr,
        &[format!("-config={}", config_path.display())],
        dir.path(),
    )?;
    let files: Vec<_> = (0..TEMPLATES)
        .map(|t| out.join(format!("t{t}.conf")))
        .collect();
    let all_show = |needle: &str, lines: usize| {
        files.iter().all(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.contains(needle) && text.lines().count() == lines
        })
    };
    // The `consul` service of the dev agent is listed too, with one instance.
    let base_lines = 1 + SERVICES * 2 + 1;
    wait_for(
        "the first render of 200 templates",
        Duration::from_secs(60),
        || all_show("svc-49", base_lines),
    )
    .await?;
    let first = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let first_requests = proxy.answered();
    println!(
        "first render: {TEMPLATES} files in {:.0} ms, {first_requests} requests answered (expected {}: `services` and one `service` per service, the agent's own `consul` included; consul-template watches the same)",
        first.as_secs_f64() * 1e3,
        SERVICES + 2
    );
    let (mut per_change, mut all_written, mut cpu_ms) = (Vec::new(), Vec::new(), Vec::new());
    let mut paths: BTreeSet<String> = BTreeSet::new();
    for k in 0..changes {
        let from = proxy.answered();
        let cpu0 = cpu_ns(&sd)?;
        let port = 20_000 + k as u16;
        let sent = Instant::now();
        c.put_ok(
            "/v1/catalog/register",
            instance("n3", k % SERVICES, &format!("extra-{k}"), port),
        )
        .await?;
        wait_for(
            "all 200 files to show the change",
            Duration::from_secs(30),
            || all_show(&format!(":{port}\n"), base_lines + k + 1),
        )
        .await?;
        all_written.push(sent.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let answered = proxy.paths_since(from);
        per_change.push(answered.len() as f64);
        paths.extend(answered);
        cpu_ms.push((cpu_ns(&sd)? - cpu0) as f64 / 1e6);
    }
    println!(
        "per change: requests answered median {:.0} (max {:.0}) for {TEMPLATES} templates; paths seen: {}",
        median(per_change.iter().copied()),
        percentile(per_change.iter().copied(), 100.0),
        paths.into_iter().collect::<Vec<_>>().join(", ")
    );
    println!(
        "per change: all {TEMPLATES} files written p50 {:.1} ms, max {:.1} ms; sd template CPU median {:.1} ms",
        percentile(all_written.iter().copied(), 50.0),
        percentile(all_written.iter().copied(), 100.0),
        median(cpu_ms.iter().copied())
    );
    println!("sd template RSS: {:.1} MiB", sd.rss_kib()? as f64 / 1024.0);
    Ok(())
}
