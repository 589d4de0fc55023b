//! `near`: what `?near=` costs. `--near-nodes` (default 1,000) nodes each with one `web`
//! instance (`PUT /v1/catalog/register`) and a network coordinate (`PUT /v1/coordinate/update`,
//! in slices the leader's batches take), then on one keep-alive connection 500 reads of
//! `GET /v1/health/service/web` sorted from a different node each time (`?near=node-K`) against
//! 500 unsorted reads made just as unique (`?bust=K`, so neither is served from the agent's shared
//! answers). Reported: p50 and p99 of each and the ratio.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use bytes::Bytes;
use hyper::Method;

use crate::http::Conn;
use crate::report::percentile;
use crate::servers::Launch;

pub const READS: usize = 500;
/// Updates per slice: at most what one leader batch period takes (128 x 5).
const SLICE: usize = 500;

pub async fn near(l: &Launch, durable: bool, runs: usize, nodes: usize) -> Result<()> {
    for run in 0..runs {
        let agent = crate::agent::start(l, durable).await?;
        let mut c = Conn::connect(agent.http).await?;
        for i in 0..nodes {
            let body = format!(
                r#"{{"Node":"node-{i}","Address":"10.1.{}.{}","Service":{{"Service":"web","ID":"web-{i}","Port":80}}}}"#,
                i / 250,
                i % 250 + 1
            );
            put(&mut c, "/v1/catalog/register", body).await?;
        }
        for chunk in (0..nodes).collect::<Vec<_>>().chunks(SLICE) {
            for &i in chunk {
                // Nodes on a circle of 20 ms radius: every distance differs.
                let angle = i as f64 * 0.37;
                let body = format!(
                    r#"{{"Node":"node-{i}","Coord":{{"Vec":[{},{},0,0,0,0,0,0],"Error":0.2,"Adjustment":0,"Height":0.0001}}}}"#,
                    0.02 * angle.cos(),
                    0.02 * angle.sin()
                );
                put(&mut c, "/v1/coordinate/update", body).await?;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        wait_for_coordinates(&mut c, nodes).await?;
        let mut plain = Vec::new();
        let mut sorted = Vec::new();
        for k in 0..READS {
            plain.push(read(&mut c, &format!("/v1/health/service/web?bust={k}")).await?);
            let near = format!("/v1/health/service/web?near=node-{}", k % nodes);
            sorted.push(read(&mut c, &near).await?);
        }
        let p = |v: &[f64], q: f64| percentile(v.iter().copied(), q);
        println!(
            "run {}: {nodes} instances: unsorted p50 {:.2} ms p99 {:.2} ms; ?near p50 {:.2} ms p99 {:.2} ms; ratio p50 {:.2}x",
            run + 1,
            p(&plain, 50.0),
            p(&plain, 99.0),
            p(&sorted, 50.0),
            p(&sorted, 99.0),
            p(&sorted, 50.0) / p(&plain, 50.0)
        );
    }
    Ok(())
}

async fn put(c: &mut Conn, path: &str, body: String) -> Result<()> {
    let (status, text) = c
        .request(
            Method::PUT,
            path,
            Some("application/json"),
            Bytes::from(body),
        )
        .await?;
    if status != 200 {
        bail!("{path}: {status} {}", String::from_utf8_lossy(&text));
    }
    Ok(())
}

/// Milliseconds for one whole answer.
async fn read(c: &mut Conn, path: &str) -> Result<f64> {
    let t = Instant::now();
    let (status, text) = c.request(Method::GET, path, None, Bytes::new()).await?;
    if status != 200 || text.len() < 100 {
        bail!("{path}: {status} {}", String::from_utf8_lossy(&text));
    }
    Ok(t.elapsed().as_secs_f64() * 1e3)
}

async fn wait_for_coordinates(c: &mut Conn, nodes: usize) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, text) = c
            .request(Method::GET, "/v1/coordinate/nodes", None, Bytes::new())
            .await?;
        let n = serde_json::from_slice::<Vec<serde_json::Value>>(&text)
            .map(|v| v.len())
            .unwrap_or(0);
        if n >= nodes {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {n} of {nodes} coordinates stored after 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
