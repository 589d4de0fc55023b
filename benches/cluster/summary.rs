//! The closing table: one row per target with the figure, the goal from DESIGN.md §5 and
//! whether this run met it.

use crate::failover::Failover;
use crate::idle::IdleRss;
use crate::membership::{Detection, Soak, HOGS};
use crate::report::{median, num, percentile, table, WorkloadResult};
use crate::wan::{CrossDc, CONSUL_WAN_RANGE};

/// Whatever parts ran.
#[derive(Default)]
pub struct Results {
    pub detect: Option<Vec<Detection>>,
    pub soak: Option<Soak>,
    pub failover: Option<Vec<Failover>>,
    pub put64: Option<WorkloadResult>,
    pub rss: Option<Vec<IdleRss>>,
    pub crossdc: Option<CrossDc>,
    pub wan_detect: Option<Vec<f64>>,
    /// Parts that ended with an error: "part: error".
    pub failed: Vec<String>,
}

fn secs(x: f64) -> String {
    format!("{} s", num(x, 2))
}

/// The largest value (NaN if none).
fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NAN, f64::max)
}

fn met(ok: bool) -> String {
    if ok { "yes" } else { "NO" }.to_string()
}

fn row(target: &str, what: String, result: String, goal: &str, ok: bool) -> Vec<String> {
    vec![target.to_string(), what, result, goal.to_string(), met(ok)]
}

/// Decimal megabytes (10^6 bytes), as the goals are written.
fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// `9.5 MB (9.1 MiB)`.
fn mb_text(mb: f64) -> String {
    format!("{} MB ({} MiB)", num(mb, 1), num(mb * 1e6 / 1_048_576.0, 1))
}

impl Results {
    pub fn render(&self) -> String {
        let mut rows = vec![["target", "measured", "result", "goal", "met"]
            .map(str::to_string)
            .to_vec()];
        if let Some(d) = &self.detect {
            let all: Vec<f64> = d.iter().map(Detection::all).collect();
            let first: Vec<f64> = d.iter().map(Detection::first).collect();
            let (p50, p99) = (percentile(all.clone(), 50.0), percentile(all.clone(), 99.0));
            rows.push(row(
                "failure detection",
                format!("kill -9 -> Status 4 on all 4 others, n={}", d.len()),
                format!(
                    "p50 {}, p99 {}, max {} (first observer p50 {})",
                    secs(p50),
                    secs(p99),
                    secs(max(&all)),
                    secs(percentile(first, 50.0))
                ),
                "p50 <= 2 s, p99 <= 3 s",
                p50 <= 2.0 && p99 <= 3.0,
            ));
        }
        if let Some(s) = &self.soak {
            let busy = s
                .cpu_busy
                .map_or("n/a".into(), |b| format!("{:.0}%", b * 100.0));
            let hmax = s.health.iter().max().map_or("n/a".into(), u32::to_string);
            let hmean = if s.health.is_empty() {
                f64::NAN
            } else {
                s.health.iter().map(|&h| f64::from(h)).sum::<f64>() / s.health.len() as f64
            };
            rows.push(row(
                "no false positives",
                format!(
                    "transitions to failed, {:.0} s, {} + {HOGS} busy loops on CPU {} ({busy} busy)",
                    s.secs, s.loaded, s.cpu
                ),
                format!(
                    "{} (health score max {hmax}, mean {}; {} leader changes; {} of {} polls failed)",
                    s.to_failed.len(),
                    num(hmean, 2),
                    s.leader_changes,
                    s.poll_errors,
                    s.polls
                ),
                "0",
                s.to_failed.is_empty(),
            ));
        }
        if let Some(f) = &self.failover {
            let w: Vec<f64> = f.iter().map(|x| x.write_after).collect();
            let l: Vec<f64> = f.iter().filter_map(|x| x.leader_after).collect();
            let p50 = percentile(w.clone(), 50.0);
            rows.push(row(
                "leader failover",
                format!(
                    "kill -9 leader of 3 -> next acknowledged write, n={}",
                    f.len()
                ),
                format!(
                    "p50 {}, max {} (new leader named p50 {})",
                    secs(p50),
                    secs(max(&w)),
                    secs(percentile(l, 50.0))
                ),
                "p50 <= 1 s",
                p50 <= 1.0,
            ));
        }
        if let Some(p) = &self.put64 {
            let ratio = median(p.ratios());
            rows.push(row(
                "durable put, 64 clients",
                format!(
                    "3 sd servers vs 3 etcd members, all load on the leader, {} pairs",
                    p.pairs.len()
                ),
                format!(
                    "sd {} ops/s, etcd {} ops/s, sd/etcd {}",
                    num(p.median_ops(true), 0),
                    num(p.median_ops(false), 0),
                    p.ratio_text()
                ),
                ">= 2x etcd (issue 19)",
                ratio >= 2.0,
            ));
        }
        if let Some(r) = &self.rss {
            let client = median(r.iter().map(|x| mb(x.client_kib)));
            let servers: Vec<f64> = r
                .iter()
                .flat_map(|x| x.servers_kib.iter().map(|&k| mb(k)))
                .collect();
            let server = median(servers.iter().copied());
            rows.push(row(
                "idle RSS, client agent",
                format!("VmRSS after joining 3 servers + 5 s idle, n={}", r.len()),
                format!(
                    "{} median: {} anonymous, {} file-backed (the binary's pages)",
                    mb_text(client),
                    mb_text(median(r.iter().map(|x| mb(x.client_anon_kib)))),
                    mb_text(median(r.iter().map(|x| mb(x.client_file_kib)))),
                ),
                "<= 5 MB",
                client <= 5.0,
            ));
            rows.push(row(
                "idle RSS, server",
                format!("the same clusters' 3 servers, n={}", servers.len()),
                format!("{} median, max {}", mb_text(server), mb_text(max(&servers))),
                "<= 12 MB",
                server <= 12.0,
            ));
        }
        if let Some(c) = &self.crossdc {
            let ms = |x: f64| format!("{} ms", num(x * 1e3, 3));
            rows.push(row(
                "cross-datacenter read",
                format!("dc2 -> dc1 ?stale vs dc1 leader, n={}", c.local.len()),
                format!(
                    "adds {} p50 (local {}, remote {}); one hop adds {}",
                    ms(c.remote_added()),
                    ms(CrossDc::p50(&c.local)),
                    ms(CrossDc::p50(&c.remote_stale)),
                    ms(c.hop())
                ),
                "<= one round trip",
                c.remote_added() <= c.hop(),
            ));
        }
        if let Some(d) = &self.wan_detect {
            let (lo, hi) = CONSUL_WAN_RANGE;
            rows.push(row(
                "WAN failure detection",
                format!("kill -9 dc2's server -> failed on dc1's 3, n={}", d.len()),
                format!(
                    "p50 {}, max {}",
                    secs(median(d.iter().copied())),
                    secs(max(d))
                ),
                &format!("Consul's WAN model: {lo}-{hi} s"),
                max(d) <= hi,
            ));
        }
        let mut out = table(&rows, &[0, 1, 2, 3, 4]);
        for f in &self.failed {
            out += &format!("FAILED {f}\n");
        }
        out
    }
}
