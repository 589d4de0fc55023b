//! `latency`: one catalog change -> destination renamed into place, and -> command started.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Result};

use crate::http::Client;
use crate::report::percentile;
use crate::servers::Launch;
use crate::setup::{agent, cpu_ns, ms_between, sd_template, wait_for, Landings};

const TEMPLATE: &str =
    "upstream web {\n{{range service \"web\"}}  server {{.Address}}:{{.Port}};\n{{end}}}\n";

/// A catalog registration of an instance of `web` on node `n1`.
fn register(id: &str, port: u16) -> String {
    format!(
        r#"{{"Node":"n1","Address":"127.0.0.2","Service":{{"ID":"{id}","Service":"web","Address":"127.0.0.1","Port":{port}}}}}"#
    )
}

pub async fn run(l: &Launch, changes: usize, interval: Duration) -> Result<()> {
    let agent = agent(l).await?;
    let mut c = Client::new(agent.http);
    for (id, port) in [("web-1", 9001), ("web-2", 9002)] {
        c.put_ok("/v1/catalog/register", register(id, port)).await?;
    }
    let dir = tempfile::tempdir()?;
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir)?;
    let src = dir.path().join("web.ctmpl");
    std::fs::write(&src, TEMPLATE)?;
    let dest = out_dir.join("web.conf");
    let cmd_log = dir.path().join("cmd.log");
    let spec = format!(
        "{}:{}:sh -c 'date +%s%N >> {}'",
        src.display(),
        dest.display(),
        cmd_log.display()
    );
    let landings = Landings::watch(&out_dir)?;
    let sd = sd_template(l, agent.http, &["-template".into(), spec], dir.path())?;
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    // Start once the first render's command has run and nothing else is pending.
    wait_for("the first render", Duration::from_secs(20), || {
        read(&dest).matches("server").count() == 2 && !read(&cmd_log).is_empty()
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let baseline = read(&cmd_log).lines().count();
    let cpu_before = cpu_ns(&sd)?;
    let (mut written, mut started) = (Vec::new(), Vec::new());
    for i in 0..changes {
        let add = i % 2 == 0;
        let sent = SystemTime::now();
        if add {
            c.put_ok("/v1/catalog/register", register("web-3", 9003))
                .await?;
        } else {
            c.put_ok(
                "/v1/catalog/deregister",
                r#"{"Node":"n1","ServiceID":"web-3"}"#.to_string(),
            )
            .await?;
        }
        let want = if add { 3 } else { 2 };
        wait_for("the destination", Duration::from_secs(10), || {
            read(&dest).matches("server").count() == want
        })
        .await?;
        wait_for("the command", Duration::from_secs(10), || {
            read(&cmd_log).lines().count() == baseline + i + 1
        })
        .await?;
        let Some(landed) = landings.first_since(&dest, sent) else {
            bail!("change {i}: the destination changed but no rename into place was seen");
        };
        let last = read(&cmd_log);
        let ns: u64 = last.lines().last().unwrap_or("").trim().parse()?;
        let ran = UNIX_EPOCH + Duration::from_nanos(ns);
        written.push(ms_between(sent, landed));
        started.push(ms_between(sent, ran));
        tokio::time::sleep(interval).await;
    }
    let cpu = (cpu_ns(&sd)? - cpu_before) as f64 / 1e6 / changes as f64;
    let rss = sd.rss_kib()? as f64 / 1024.0;
    let line = |what: &str, v: &[f64], p50_target: f64, p99_target: f64| {
        let (p50, p99, max) = (
            percentile(v.iter().copied(), 50.0),
            percentile(v.iter().copied(), 99.0),
            percentile(v.iter().copied(), 100.0),
        );
        println!(
            "{what:<28} p50 {p50:7.2} ms  p99 {p99:7.2} ms  max {max:7.2} ms   (targets p50 <= {p50_target} ms, p99 <= {p99_target} ms: {})",
            if p50 <= p50_target && p99 <= p99_target { "met" } else { "MISSED" }
        );
    };
    line("change -> file in place", &written, 50.0, 150.0);
    line("change -> command started", &started, 50.0, 150.0);
    println!("sd template: CPU {cpu:.2} ms per change, RSS {rss:.1} MiB after {changes} changes");
    Ok(())
}
