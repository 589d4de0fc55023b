//! `register`: how soon a service registered through the agent API can be discovered, the
//! pattern of client libraries' test suites (register, then read the health endpoint). On one
//! keep-alive connection, `--registrations` times in a row: `PUT /v1/agent/service/register`
//! of a new service, then `GET /v1/health/service/<name>` until it lists the instance. Reported:
//! p50, p99 and max of (listed - register sent) and how many reads it took. Target on `-dev`:
//! < 5 ms (issue 13, defect 5).

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use bytes::Bytes;
use hyper::Method;

use crate::http::Conn;
use crate::report::percentile;
use crate::servers::Launch;

pub async fn register(l: &Launch, durable: bool, runs: usize, n: usize) -> Result<()> {
    for run in 0..runs {
        let agent = crate::agent::start(l, durable).await?;
        let mut c = Conn::connect(agent.http).await?;
        let (mut latency, mut reads) = (Vec::new(), Vec::new());
        for i in 0..n {
            let name = format!("reg-{i}");
            let body = format!(r#"{{"Name":"{name}","Port":{}}}"#, 10_000 + i);
            let sent = Instant::now();
            let (status, text) = c
                .request(
                    Method::PUT,
                    "/v1/agent/service/register",
                    Some("application/json"),
                    Bytes::from(body),
                )
                .await?;
            if status != 200 {
                bail!(
                    "register {name}: {status} {}",
                    String::from_utf8_lossy(&text)
                );
            }
            let path = format!("/v1/health/service/{name}");
            let mut tries = 0u32;
            loop {
                tries += 1;
                let (status, text) = c.request(Method::GET, &path, None, Bytes::new()).await?;
                if status == 200 && text.as_ref() != b"[]" {
                    break;
                }
                if sent.elapsed() > Duration::from_secs(10) {
                    bail!("{name} not listed by {path} after 10 s");
                }
            }
            latency.push(sent.elapsed().as_secs_f64() * 1e3);
            reads.push(f64::from(tries));
        }
        println!(
            "run {}: {n} registrations: listed after p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; reads until listed p50 {:.0}, max {:.0}",
            run + 1,
            percentile(latency.iter().copied(), 50.0),
            percentile(latency.iter().copied(), 99.0),
            percentile(latency.iter().copied(), 100.0),
            percentile(reads.iter().copied(), 50.0),
            percentile(reads.iter().copied(), 100.0),
        );
    }
    Ok(())
}
