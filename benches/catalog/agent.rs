//! The agent under test and what every part does with it: start it (`-dev`, or a durable
//! single server), build catalog registrations, send writes that must be acknowledged, read
//! `X-Consul-Index`, wait until the agent is idle, and lift the open-files limit that a
//! thousand connections on each side need.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hyper::Method;
use serde_json::json;

use crate::http::Conn;
use crate::servers::{Launch, SdMode, Server};

/// Starts sd on free 127.0.0.1 ports and waits until it has a leader.
pub async fn start(l: &Launch, durable: bool) -> Result<Server> {
    let mode = if durable {
        SdMode::Durable
    } else {
        SdMode::Dev
    };
    let mut s = Server::spawn_sd(l, mode)?;
    s.wait_ready().await?;
    Ok(s)
}

/// The command line the bench starts sd with, with placeholders, for printing.
pub fn command_template(l: &Launch, durable: bool) -> String {
    let mode = if durable {
        "-server -bootstrap -data-dir=DIR -node=bench"
    } else {
        "-dev"
    };
    format!(
        "{} agent {mode} -bind=127.0.0.1 -client=127.0.0.1 -http-port=P -dns-port=-1 \
         -server-port=P -serf-lan-port=P -serf-wan-port=P",
        l.sd_bin.display()
    )
}

/// A `PUT /v1/catalog/register` body: a node, one service instance on it and one check of
/// that instance.
pub fn registration(
    node: &str,
    address: &str,
    service_id: &str,
    service: &str,
    check_id: &str,
    status: &str,
) -> Bytes {
    let body = json!({
        "Node": node,
        "Address": address,
        "Service": {"ID": service_id, "Service": service, "Port": 80},
        "Check": {"CheckID": check_id, "ServiceID": service_id, "Status": status},
    });
    Bytes::from(body.to_string())
}

/// Sends a write that must answer 200 (with `true`, or an empty body as the agent endpoints
/// do); returns when it was acknowledged.
pub async fn put(conn: &mut Conn, path: &str, body: Bytes) -> Result<Instant> {
    let (status, answer) = conn.request(Method::PUT, path, None, body).await?;
    let acked = Instant::now();
    if status != 200 || !matches!(answer.trim_ascii(), b"true" | b"") {
        bail!(
            "PUT {path}: HTTP {status}: {}",
            String::from_utf8_lossy(&answer[..answer.len().min(300)])
        );
    }
    Ok(acked)
}

/// A GET that must answer 200: its `X-Consul-Index` and body.
pub async fn get_indexed(conn: &mut Conn, path: &str) -> Result<(u64, Bytes)> {
    let a = conn
        .send(
            Method::GET,
            path,
            None,
            Bytes::new(),
            crate::http::REQUEST_TIMEOUT,
        )
        .await?;
    if a.status != 200 {
        bail!(
            "GET {path}: HTTP {}: {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
    }
    let index = a
        .header("x-consul-index")
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("GET {path}: no numeric X-Consul-Index"))?;
    Ok((index, a.body))
}

/// Waits until the agent has used at most one clock tick of CPU during `quiet` (it has worked
/// through what was sent to it), polling until `deadline`. False if it never went quiet.
pub async fn wait_idle(s: &Server, quiet: Duration, deadline: Duration) -> Result<bool> {
    let end = Instant::now() + deadline;
    let mut before = s.proc().cpu_ticks()?;
    while Instant::now() < end {
        tokio::time::sleep(quiet).await;
        let now = s.proc().cpu_ticks()?;
        if now - before <= 1 {
            return Ok(true);
        }
        before = now;
    }
    Ok(false)
}

/// Raises this process's soft open-files limit to at least `need` (up to the hard limit);
/// the agent, started afterwards, inherits it. Fails with the fix if the hard limit is lower.
pub fn ensure_open_files(need: u64) -> Result<()> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let cur = getrlimit(Resource::Nofile);
    let soft = cur.current.unwrap_or(u64::MAX);
    let hard = cur.maximum.unwrap_or(u64::MAX);
    if soft >= need {
        return Ok(());
    }
    if hard < need {
        bail!(
            "the open-files limit is {soft} (hard {hard}) but this run needs about {need}: \
             raise it (e.g. `ulimit -n {need}` as root or in limits.conf) or run fewer watchers"
        );
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(need),
            maximum: cur.maximum,
        },
    )
    .context("setrlimit(RLIMIT_NOFILE)")
}

/// Milliseconds between two instants, negative when `b` came before `a`.
pub fn ms_between(a: Instant, b: Instant) -> f64 {
    if b >= a {
        b.duration_since(a).as_secs_f64() * 1e3
    } else {
        -(a.duration_since(b).as_secs_f64() * 1e3)
    }
}
