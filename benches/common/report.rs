//! Per-run lines and the summary table: medians over clean runs, the median of the per-pair
//! sd/etcd throughput ratios (with their range), and a count of runs that had errors.

use crate::load::{RunStats, Workload};
use crate::servers::Peer;

/// One timed run of one peer.
pub struct Run {
    pub stats: RunStats,
    /// Serial fdatasync probes taken just before the run (put workloads).
    pub fsync: Option<crate::machine::FsyncProbe>,
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

impl WorkloadResult {
    /// sd/etcd throughput of every pair where both runs were clean.
    pub fn ratios(&self) -> Vec<f64> {
        self.pairs
            .iter()
            .filter(|(a, b)| a.clean() && b.clean())
            .map(|(a, b)| a.stats.ops_per_sec() / b.stats.ops_per_sec())
            .collect()
    }

    /// `1.23x [1.10-1.40]`: the median ratio and the range of the ratios.
    pub fn ratio_text(&self) -> String {
        let ratios = self.ratios();
        if ratios.is_empty() {
            return "n/a (no clean pair)".to_string();
        }
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{:.2}x [{lo:.2}-{hi:.2}]", median(ratios.iter().copied()))
    }

    /// One peer's clean runs (`sd` true: sd's, else etcd's).
    pub fn clean_runs(&self, sd: bool) -> impl Iterator<Item = &Run> {
        self.pairs
            .iter()
            .map(move |(a, b)| if sd { a } else { b })
            .filter(|x| x.clean())
    }

    /// Median throughput of one peer's clean runs.
    pub fn median_ops(&self, sd: bool) -> f64 {
        median(self.clean_runs(sd).map(|x| x.stats.ops_per_sec()))
    }
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
    run_line_named(peer.name(), i, runs, r)
}

/// [`run_line`] for a server that is not one of the peers (a stand-in).
pub fn run_line_named(name: &str, i: usize, runs: usize, r: &Run) -> String {
    let s = &r.stats;
    let mut line = format!(
        "  run {i}/{runs} {:<4} {:>9.1} ops/s  p50 {:>7.3} ms  p99 {:>7.3} ms  ops {:>7}  conns {:>3}",
        name,
        s.ops_per_sec(),
        s.pct_ms(50.0),
        s.pct_ms(99.0),
        s.ops,
        s.conns_opened,
    );
    if let Some(f) = r.fsync {
        line += &format!(
            "  [fsync probe {:.0}/s p50 {:.2} ms, overwrites {:.0}/s]",
            f.append, f.append_p50, f.overwrite
        );
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

fn sorted_finite(v: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Median of the finite values (NaN if none).
pub fn median(v: impl IntoIterator<Item = f64>) -> f64 {
    let v = sorted_finite(v);
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nearest-rank percentile `p` (0-100) of the finite values (NaN if none).
pub fn percentile(v: impl IntoIterator<Item = f64>, p: f64) -> f64 {
    let v = sorted_finite(v);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// `x` with `prec` decimals, or `n/a` when there is no value (no clean run).
pub fn num(x: f64, prec: usize) -> String {
    if x.is_finite() {
        format!("{x:.prec$}")
    } else {
        "n/a".into()
    }
}

fn goal(w: Workload) -> &'static str {
    match w {
        // DESIGN.md §5 as issue 19 raised it.
        Workload::Put1 => ">=2x",
        Workload::Put64 => ">=2x",
        Workload::Get50 => ">=5x",
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
        let clean = |sd: bool| r.clean_runs(sd);
        let med = |sd: bool, f: &dyn Fn(&RunStats) -> f64| median(clean(sd).map(|x| f(&x.stats)));
        let ratio = r.ratio_text();
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
            num(r.median_ops(true), 0),
            num(r.median_ops(false), 0),
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
    // Text columns left-aligned, numbers right-aligned.
    format!(
        "== summary: medians of {runs} interleaved runs (sd, etcd, sd, etcd, ...); \
         runs with errors excluded ==\n{}",
        table(&rows, &[0, 4, 8])
    )
}

/// `rows` (the first one the header) as aligned columns separated by ` | `: the columns in
/// `left` left-aligned, the others right-aligned.
pub fn table(rows: &[Vec<String>], left: &[usize]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (v, w))| {
                if left.contains(&c) {
                    format!("{v:<w$}")
                } else {
                    format!("{v:>w$}")
                }
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
