//! The catalog the UI bench looks at: `--services` names with `--instances` instances in all,
//! spread over 100 nodes, each instance with one passing check, registered through
//! `PUT /v1/catalog/register` on 8 connections.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use crate::http::Client;

pub const NODES: usize = 100;

/// The registration of instance `i` (of service `i % services`; the instances of one service
/// on different nodes) with its check in `status`.
pub fn registration(i: usize, services: usize, status: &str) -> String {
    let svc = i % services;
    let node = (svc * 13 + i / services) % NODES;
    json!({
        "Node": format!("node-{node:03}"),
        "Address": format!("10.0.{}.{}", node / 250, node % 250 + 1),
        "Service": {"Service": format!("svc-{svc:04}"), "ID": format!("svc-{svc:04}-{i}"),
            "Port": 8000 + (i % 1000), "Tags": [format!("v{}", i % 3), "bench"]},
        "Check": {"CheckID": format!("check-{i}"), "Name": "health", "Status": status,
            "ServiceID": format!("svc-{svc:04}-{i}"), "Output": "HTTP GET /health: 200 OK"},
    })
    .to_string()
}

/// Registers every instance; returns how long it took.
pub async fn fill(http: SocketAddr, services: usize, instances: usize) -> Result<Duration> {
    let started = Instant::now();
    let workers = 8;
    let mut tasks = Vec::new();
    for w in 0..workers {
        tasks.push(tokio::spawn(async move {
            let mut c = Client::new(http);
            for i in (w..instances).step_by(workers) {
                c.put_ok("/v1/catalog/register", registration(i, services, "passing"))
                    .await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed())
}
