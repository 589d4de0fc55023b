//! Two datacenters (issue 18's figures): what a read through another datacenter costs over a
//! local one (`crossdc`), and how long the WAN pool takes to see a killed remote server failed
//! (`wan-detect`), against what Consul's documented WAN timings give.
//!
//! Both start dc1 (3 servers) and dc2 (1 server, `-retry-join-wan` of dc1's first), every agent
//! on its own loopback address with Consul's ports and sd's default (WAN) timings.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use hyper::Method;

use crate::http::Client;
use crate::report::{num, percentile};
use crate::sd::{Cluster, CALL_TIMEOUT, FAILED, SETTLE_DEADLINE};
use crate::servers::Launch;

/// Requests per kind and round; rounds alternate the kinds.
const PER_ROUND: usize = 100;
/// How often dc1's servers are asked for the WAN pool while a failure is awaited.
const DETECT_POLL: Duration = Duration::from_millis(50);
/// What memberlist's `DefaultWANConfig` (Consul's WAN pool) gives for this pool of 4 servers:
/// each member probes the others in turn, one every 5 s, so the dead server is first probed
/// 0-15 s after the kill; that probe fails at the end of its 5 s period; then 30 s of
/// suspicion (6 probe periods; with fewer than 6 members Lifeguard expects no confirmations,
/// so it starts at that minimum). 35-50 s in all.
pub const CONSUL_WAN_RANGE: (f64, f64) = (35.0, 50.0);

/// Latencies (seconds) of each kind of read.
pub struct CrossDc {
    /// dc1's leader reading its own state: no hop.
    pub local: Vec<f64>,
    /// A dc1 follower, forwarding to the leader: one server RPC round trip.
    pub forwarded: Vec<f64>,
    /// dc2's server with `?dc=dc1&stale`: one round trip to a dc1 server, which answers.
    pub remote_stale: Vec<f64>,
    /// dc2's server with `?dc=dc1`: to a dc1 server, then to its leader when it is not one.
    pub remote_default: Vec<f64>,
}

impl CrossDc {
    pub fn p50(v: &[f64]) -> f64 {
        percentile(v.iter().copied(), 50.0)
    }

    /// What one server RPC round trip adds (forwarded - local, p50).
    pub fn hop(&self) -> f64 {
        Self::p50(&self.forwarded) - Self::p50(&self.local)
    }

    /// What going to the other datacenter adds (remote stale - local, p50).
    pub fn remote_added(&self) -> f64 {
        Self::p50(&self.remote_stale) - Self::p50(&self.local)
    }
}

async fn federation(l: &Launch) -> Result<(Cluster, Cluster)> {
    let dc1 = Cluster::start_in(l, 3, 0, "dc1", &[]).await?;
    let seed = format!("-retry-join-wan={}", dc1.agents[0].ip);
    let dc2 = Cluster::start_in(l, 1, 0, "dc2", &[seed]).await?;
    let until = Instant::now() + SETTLE_DEADLINE;
    loop {
        let alive = wan_alive(&mut dc2.agents[0].client()).await.unwrap_or(0);
        if alive == 4 {
            return Ok((dc1, dc2));
        }
        if Instant::now() > until {
            bail!(
                "the WAN pool did not reach 4 alive servers within {SETTLE_DEADLINE:?} ({alive})"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wan_members(c: &mut Client) -> Result<Vec<(String, u64)>> {
    let v = c.get_json("/v1/agent/members?wan=1", CALL_TIMEOUT).await?;
    let list = v.as_array().context("members: not a list")?;
    Ok(list
        .iter()
        .map(|m| {
            (
                m["Name"].as_str().unwrap_or_default().to_string(),
                m["Status"].as_u64().unwrap_or(0),
            )
        })
        .collect())
}

async fn wan_alive(c: &mut Client) -> Result<usize> {
    Ok(wan_members(c)
        .await?
        .iter()
        .filter(|(_, s)| *s == 1)
        .count())
}

/// Times `n` sequential GETs of `path`, each checked to answer 200.
async fn time_gets(c: &mut Client, path: &str, n: usize, out: &mut Vec<f64>) -> Result<()> {
    for _ in 0..n {
        let t = Instant::now();
        let (status, body) = c
            .request(
                Method::GET,
                path,
                bytes::Bytes::new(),
                Duration::from_secs(10),
            )
            .await?;
        out.push(t.elapsed().as_secs_f64());
        if status != 200 {
            bail!(
                "GET {path}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    Ok(())
}

/// `rounds` rounds of [`PER_ROUND`] reads of each kind, interleaved.
pub async fn crossdc(l: &Launch, rounds: usize) -> Result<CrossDc> {
    let (mut dc1, dc2) = federation(l).await?;
    let leader = dc1.wait_settled(SETTLE_DEADLINE).await?;
    let follower = (0..3).find(|&i| i != leader).context("a follower")?;
    let mut c_leader = dc1.agents[leader].client();
    c_leader
        .put_ok("/v1/kv/bench/crossdc", "x".repeat(64))
        .await?;
    let mut c_follower = dc1.agents[follower].client();
    let mut c_dc2 = dc2.agents[0].client();
    let mut r = CrossDc {
        local: Vec::new(),
        forwarded: Vec::new(),
        remote_stale: Vec::new(),
        remote_default: Vec::new(),
    };
    // Warm every connection (HTTP and server RPC) first.
    let path = "/v1/kv/bench/crossdc";
    time_gets(&mut c_dc2, &format!("{path}?dc=dc1"), 20, &mut Vec::new()).await?;
    time_gets(&mut c_follower, path, 20, &mut Vec::new()).await?;
    for _ in 0..rounds {
        time_gets(&mut c_leader, path, PER_ROUND, &mut r.local).await?;
        time_gets(&mut c_follower, path, PER_ROUND, &mut r.forwarded).await?;
        time_gets(
            &mut c_dc2,
            &format!("{path}?dc=dc1&stale"),
            PER_ROUND,
            &mut r.remote_stale,
        )
        .await?;
        time_gets(
            &mut c_dc2,
            &format!("{path}?dc=dc1"),
            PER_ROUND,
            &mut r.remote_default,
        )
        .await?;
    }
    let ms = |v: &[f64]| {
        format!(
            "p50 {} ms, p99 {} ms",
            num(CrossDc::p50(v) * 1e3, 3),
            num(percentile(v.iter().copied(), 99.0) * 1e3, 3)
        )
    };
    println!("  local (dc1 leader)                 {}", ms(&r.local));
    println!("  forwarded (dc1 follower -> leader) {}", ms(&r.forwarded));
    println!(
        "  dc2 -> dc1, ?stale                 {}",
        ms(&r.remote_stale)
    );
    println!(
        "  dc2 -> dc1, default                {}",
        ms(&r.remote_default)
    );
    println!(
        "  one hop adds {} ms; another datacenter adds {} ms ({}x a hop)",
        num(r.hop() * 1e3, 3),
        num(r.remote_added() * 1e3, 3),
        num(r.remote_added() / r.hop(), 2)
    );
    Ok(r)
}

/// Kills dc2's server `kills` times; each time, seconds until all of dc1's servers list it
/// failed in the WAN pool. It is restarted and seen alive again between kills.
pub async fn wan_detect(l: &Launch, kills: usize) -> Result<Vec<f64>> {
    let (dc1, mut dc2) = federation(l).await?;
    let victim = format!("{}.dc2", dc2.agents[0].name);
    let mut out = Vec::new();
    for k in 0..kills {
        let killed = dc2.agents[0].kill9();
        let mut seen = [false; 3];
        let until = killed + Duration::from_secs(120);
        while seen.iter().any(|s| !s) {
            for (i, a) in dc1.agents.iter().enumerate() {
                if !seen[i] {
                    let m = wan_members(&mut a.client()).await.unwrap_or_default();
                    seen[i] = m
                        .iter()
                        .any(|(n, s)| *n == victim && *s == u64::from(FAILED));
                }
            }
            if Instant::now() > until {
                bail!("{victim} not failed everywhere within 120 s");
            }
            tokio::time::sleep(DETECT_POLL).await;
        }
        let took = killed.elapsed().as_secs_f64();
        println!(
            "  kill {}/{kills}: {victim} failed on dc1's 3 servers after {} s",
            k + 1,
            num(took, 1)
        );
        out.push(took);
        dc2.restart(0)?;
        let until = Instant::now() + Duration::from_secs(120);
        while wan_alive(&mut dc1.agents[0].client()).await.unwrap_or(0) < 4 {
            if Instant::now() > until {
                bail!("{victim} not back in the WAN pool within 120 s of its restart");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(out)
}
