//! Per-run lines and the summary table: medians over clean runs, the median of the per-pair
//! sd/etcd throughput ratios (with their range), and a count of runs that had errors.

use crate::load::{RunStats, Workload};
use crate::servers::Peer;

/// One timed run of one peer.
pub struct Run {
    pub stats: RunStats,
    /// Serial fdatasync probe taken just before the run (put workloads): (syncs/s, p50 ms).
    pub fsync: Option<(f64, f64)>,
}

impl Run {
    pub fn clean(&self) -> bool {
        self.stats.errors == 0 && self.stats.ops > 0
    }
}

/// All runs of one workload, as (sd, etcd) pairs in the order they ran.
pub struct WorkloadResult {
    pub workload: Workload,
    pub pairs: Vec<(Run, Run)>,
}

/// The idle measurements of one round.
pub struct IdleRound {
    pub sd_rss_kib: u64,
    pub etcd_rss_kib: u64,
    pub sd_start_ms: f64,
    pub sd_dev_start_ms: f64,
    pub etcd_start_ms: f64,
}

pub fn run_line(peer: Peer, i: usize, runs: usize, r: &Run) -> String {
    let s = &r.stats;
    let mut line = format!(
        "  run {i}/{runs} {:<4} {:>9.1} ops/s  p50 {:>7.3} ms  p99 {:>7.3} ms  ops {:>7}  conns {:>3}",
        peer.name(),
        s.ops_per_sec(),
        s.pct_ms(50.0),
        s.pct_ms(99.0),
        s.ops,
        s.conns_opened,
    );
    if let Some((rate, p50)) = r.fsync {
        line += &format!("  [fsync probe {rate:.0}/s p50 {p50:.2} ms]");
    }
    if s.errors > 0 || s.ops == 0 {
        line += &format!(
            "  ERRORS {} (excluded; first: {})",
            s.errors,
            s.first_error
                .as_deref()
                .unwrap_or("no successful operation")
        );
    }
    line
}

/// Median of the finite values (NaN if none).
pub fn median(v: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `x` with `prec` decimals, or `n/a` when there is no value (no clean run).
fn num(x: f64, prec: usize) -> String {
    if x.is_finite() {
        format!("{x:.prec$}")
    } else {
        "n/a".into()
    }
}

fn goal(w: Workload) -> &'static str {
    match w {
        Workload::Put1 => ">=1.0x",
        Workload::Put64 => ">=1.5x",
        Workload::Get50 => ">=2x, >=35k/s",
    }
}

pub fn summary(results: &[WorkloadResult], runs: usize) -> String {
    let mut rows: Vec<Vec<String>> = vec![[
        "load",
        "conns",
        "sd ops/s",
        "etcd ops/s",
        "sd/etcd median [range]",
        "sd p50/p99 ms",
        "etcd p50/p99 ms",
        "clean sd/etcd",
        "goal",
    ]
    .map(str::to_string)
    .to_vec()];
    for r in results {
        let clean = |sd: bool| {
            r.pairs
                .iter()
                .map(move |(a, b)| if sd { a } else { b })
                .filter(|x| x.clean())
        };
        let med = |sd: bool, f: &dyn Fn(&RunStats) -> f64| median(clean(sd).map(|x| f(&x.stats)));
        let ratios: Vec<f64> = r
            .pairs
            .iter()
            .filter(|(a, b)| a.clean() && b.clean())
            .map(|(a, b)| a.stats.ops_per_sec() / b.stats.ops_per_sec())
            .collect();
        let ratio = if ratios.is_empty() {
            "n/a (no clean pair)".to_string()
        } else {
            let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{:.2}x [{lo:.2}-{hi:.2}]", median(ratios.iter().copied()))
        };
        let lat = |sd: bool| {
            format!(
                "{} / {}",
                num(med(sd, &|s| s.pct_ms(50.0)), 2),
                num(med(sd, &|s| s.pct_ms(99.0)), 2)
            )
        };
        rows.push(vec![
            r.workload.name().to_string(),
            r.workload.conns().to_string(),
            num(med(true, &|s| s.ops_per_sec()), 0),
            num(med(false, &|s| s.ops_per_sec()), 0),
            ratio,
            lat(true),
            lat(false),
            format!(
                "{}/{} {}/{}",
                clean(true).count(),
                runs,
                clean(false).count(),
                runs
            ),
            goal(r.workload).to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = format!(
        "== summary: medians of {runs} interleaved runs (sd, etcd, sd, etcd, ...); \
         runs with errors excluded ==\n"
    );
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            // Text columns left-aligned, numbers right-aligned.
            .map(|(c, (v, w))| match c {
                0 | 4 | 8 => format!("{v:<w$}"),
                _ => format!("{v:>w$}"),
            })
            .collect();
        out += cells.join(" | ").trim_end();
        out.push('\n');
    }
    out
}

pub fn idle_summary(
    rounds: &[IdleRound],
    sd_bin_mib: f64,
    sd_stripped_mib: Option<f64>,
    etcd_bin_mib: f64,
) -> String {
    let mib = |k: u64| k as f64 / 1024.0;
    let mut out = String::new();
    if !rounds.is_empty() {
        let sd_rss = median(rounds.iter().map(|r| mib(r.sd_rss_kib)));
        let etcd_rss = median(rounds.iter().map(|r| mib(r.etcd_rss_kib)));
        out += &format!(
            "idle RSS after 2 s (median of {}): sd server {sd_rss:.1} MiB, etcd {etcd_rss:.1} MiB \
             (sd/etcd {:.2}x; goal sd <= 20 MiB)\n",
            rounds.len(),
            sd_rss / etcd_rss
        );
        out += &format!(
            "fresh start to ready (median): sd server to leader {:.0} ms, sd -dev to leader {:.0} ms \
             (goal <= 300 ms), etcd to /health {:.0} ms\n",
            median(rounds.iter().map(|r| r.sd_start_ms)),
            median(rounds.iter().map(|r| r.sd_dev_start_ms)),
            median(rounds.iter().map(|r| r.etcd_start_ms)),
        );
    }
    out += &format!(
        "binary size: sd {sd_bin_mib:.1} MiB as built, {} stripped copy (goal <= 20 MiB); etcd {etcd_bin_mib:.1} MiB\n",
        sd_stripped_mib.map_or_else(|| "n/a (no `strip`)".to_string(), |m| format!("{m:.1} MiB"))
    );
    out
}
