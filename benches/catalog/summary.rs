//! The closing table: one row per target with the figure, the goal (DESIGN.md §5 and
//! reference/performance.md §9 where they set one) and whether this run met it.

use crate::checks::ChecksRun;
use crate::report::{median, num, table};
use crate::services::{CatalogRun, Read, LOADS};
use crate::watch::Round;

/// Whatever parts ran.
#[derive(Default)]
pub struct Results {
    pub watch: Option<Vec<Round>>,
    /// The watch rounds against the wire-only stand-in.
    pub floor: Option<Vec<Round>>,
    pub catalog: Option<Vec<CatalogRun>>,
    pub checks: Option<Vec<ChecksRun>>,
    /// Parts that ended with an error: "part: error".
    pub failed: Vec<String>,
}

fn met(ok: Option<bool>) -> String {
    match ok {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "-",
    }
    .to_string()
}

fn row(target: &str, what: String, result: String, goal: &str, ok: Option<bool>) -> Vec<String> {
    vec![target.to_string(), what, result, goal.to_string(), met(ok)]
}

fn ms(x: f64) -> String {
    format!("{} ms", num(x, 2))
}

impl Results {
    pub fn render(&self) -> String {
        let mut rows = vec![["target", "measured", "result", "goal", "met"]
            .map(str::to_string)
            .to_vec()];
        if let Some(w) = &self.watch {
            rows.extend(watch_rows(w));
        }
        if let Some(f) = &self.floor {
            rows.extend(floor_rows(f, self.watch.as_deref()));
        }
        if let Some(c) = &self.catalog {
            rows.extend(catalog_rows(c));
        }
        if let Some(c) = &self.checks {
            rows.extend(checks_rows(c));
        }
        table(&rows, &[0, 1, 2, 3])
    }
}

fn watch_rows(w: &[Round]) -> Vec<Vec<String>> {
    let Some(first) = w.first() else {
        return Vec::new();
    };
    let n = first.watchers;
    let rounds = w.len();
    let med = |f: &dyn Fn(&Round) -> f64| median(w.iter().map(f));
    let worst = |f: &dyn Fn(&Round) -> f64| w.iter().map(f).fold(f64::NAN, f64::max);
    let p99 = med(&|r| r.pct(99.0));
    let p99_sent = med(&|r| r.pct_sent(99.0));
    let idle_write = med(&|r| r.idle_write_ms);
    let early: usize = w.iter().map(|r| r.early).sum();
    let missed: usize = w.iter().map(|r| r.missed).sum();
    vec![
        row(
            "blocking wake-up, vs ack",
            format!("{n} watchers of web, check flip: answer complete - write acked; median of {rounds} rounds"),
            format!(
                "p50 {}, p99 {}, max {} (worst round p99 {}); missed {missed}",
                ms(med(&|r| r.pct(50.0))),
                ms(p99),
                ms(med(&Round::max)),
                ms(worst(&|r| r.pct(99.0))),
            ),
            "p99 <= 10 ms",
            Some(p99 <= 10.0 && missed == 0),
        ),
        row(
            "blocking wake-up, vs send",
            format!(
                "the same, answer complete - write sent (write acked after {} here, {} with no watcher)",
                ms(med(&|r| r.write_ms)),
                ms(idle_write)
            ),
            format!(
                "p50 {}, p99 {}, max {} (worst round p99 {})",
                ms(med(&|r| r.pct_sent(50.0))),
                ms(p99_sent),
                ms(med(&Round::max_sent)),
                ms(worst(&|r| r.pct_sent(99.0))),
            ),
            "p99 <= 10 ms + idle write",
            Some(p99_sent <= 10.0 + idle_write && missed == 0),
        ),
        row(
            "  CPU of one fan-out",
            "CPU time from the flip sent until all answered; answer size".into(),
            format!(
                "agent {}, bench client {}; {} B per answer",
                ms(med(&|r| r.agent_cpu_ms)),
                ms(med(&|r| r.bench_cpu_ms)),
                first.answer_bytes
            ),
            "",
            None,
        ),
        row(
            "no spurious wake-up",
            format!("{n} watchers of web, service other registered on n1, {rounds} rounds"),
            format!("{early} returned early"),
            "0",
            Some(early == 0),
        ),
        row(
            "memory per parked watcher",
            "fresh agent: RSS with all parked - before, / watchers (connection included)".into(),
            format!(
                "{} B (RSS {} -> {} MiB){}",
                num(first.rss_per_watcher(), 0),
                num(first.rss_before_kib as f64 / 1024.0, 1),
                num(first.rss_parked_kib as f64 / 1024.0, 1),
                if rounds > 1 {
                    let later = median(w.iter().skip(1).map(Round::rss_per_watcher));
                    format!("; later rounds {} B", num(later, 0))
                } else {
                    String::new()
                },
            ),
            "<= 4 KB (DESIGN 5)",
            Some(first.rss_per_watcher() <= 4096.0),
        ),
    ]
}

/// The stand-in's figures, and the agent's as a multiple of them when both ran.
fn floor_rows(f: &[Round], agent: Option<&[Round]>) -> Vec<Vec<String>> {
    let Some(first) = f.first() else {
        return Vec::new();
    };
    let med = |w: &[Round], g: &dyn Fn(&Round) -> f64| median(w.iter().map(g));
    let p99_sent = |w: &[Round]| med(w, &|r| r.pct_sent(99.0));
    let cpu = |w: &[Round]| med(w, &|r| r.agent_cpu_ms);
    let agent = agent.filter(|a| !a.is_empty());
    let p99_ratio = agent.map(|a| p99_sent(a) / p99_sent(f));
    let ratio = agent.map_or(String::new(), |a| {
        format!(
            "; the agent {}x the p99, {}x the CPU",
            num(p99_sent(a) / p99_sent(f), 2),
            num(cpu(a) / cpu(f), 2)
        )
    });
    vec![row(
        "  floor: wire-only stand-in",
        format!(
            "the same {} watchers and flip against the stand-in (part floor); median of {} rounds",
            first.watchers,
            f.len()
        ),
        format!(
            "answer - write sent p50 {}, p99 {}; stand-in CPU {}, bench client {}{ratio}",
            ms(med(f, &|r| r.pct_sent(50.0))),
            ms(p99_sent(f)),
            ms(cpu(f)),
            ms(med(f, &|r| r.bench_cpu_ms)),
        ),
        "agent p99 <= 1.2x (DESIGN 5)",
        p99_ratio.map(|r| r <= 1.2),
    )]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A row with a resident set size and its anonymous part, MiB.
fn rss_row(target: &str, what: String, rss_mib: f64, anon_mib: f64) -> Vec<String> {
    let result = format!(
        "{} MiB (anonymous {} MiB)",
        num(rss_mib, 1),
        num(anon_mib, 1)
    );
    row(target, what, result, "", None)
}

fn catalog_rows(c: &[CatalogRun]) -> Vec<Vec<String>> {
    let Some(first) = c.first() else {
        return Vec::new();
    };
    let runs = c.len();
    let med = |f: &dyn Fn(&CatalogRun) -> f64| median(c.iter().map(f));
    let mut rows = vec![row(
        "catalog load",
        format!(
            "{} instances via PUT /v1/catalog/register, 32 connections; median of {runs} agents",
            first.instances
        ),
        format!(
            "{} registrations/s ({} s)",
            num(med(&CatalogRun::load_rate), 0),
            num(med(&|r| r.load_time.as_secs_f64()), 2)
        ),
        "",
        None,
    )];
    for (i, (read, conns)) in LOADS.iter().enumerate() {
        let stat = |f: &dyn Fn(&crate::load::RunStats) -> f64| med(&|r| f(&r.reads[i].2));
        let errors: u64 = c.iter().map(|r| r.reads[i].2.errors).sum();
        let what = match read {
            Read::Services => "GET /v1/catalog/services".to_string(),
            Read::Health => "GET /v1/health/service/<random>?passing".to_string(),
        };
        rows.push(row(
            "  catalog read",
            format!("{what}, {conns} connections"),
            format!(
                "{} req/s, p50 {}, p99 {}{}",
                num(stat(&|s| s.ops_per_sec()), 0),
                ms(stat(&|s| s.pct_ms(50.0))),
                ms(stat(&|s| s.pct_ms(99.0))),
                if errors > 0 {
                    format!("; {errors} errors")
                } else {
                    String::new()
                }
            ),
            "",
            (errors > 0).then_some(false),
        ));
    }
    rows.push(rss_row(
        "  RSS after loading",
        format!("VmRSS with {} instances registered", first.instances),
        med(&|r| mib(r.rss_kib)),
        med(&|r| mib(r.anon_kib)),
    ));
    rows
}

fn checks_rows(c: &[ChecksRun]) -> Vec<Vec<String>> {
    let Some(first) = c.first() else {
        return Vec::new();
    };
    let med = |f: &dyn Fn(&ChecksRun) -> f64| median(c.iter().map(f));
    let core = med(&|r| r.cpu_core * 100.0);
    vec![
        row(
            "HTTP checks CPU",
            format!(
                "{} HTTP checks every {} s, all passing; agent utime+stime over {} s",
                first.checks,
                crate::checks::INTERVAL.as_secs(),
                num(first.window.as_secs_f64(), 0)
            ),
            format!(
                "{}% of one core = {}% of the {}-CPU machine (idle agent {}%); {} probes/s",
                num(core, 2),
                num(core / first.nproc as f64, 2),
                first.nproc,
                num(med(&|r| r.idle_core * 100.0), 2),
                num(med(&|r| r.probes_per_sec), 1)
            ),
            "",
            None,
        ),
        rss_row(
            "  RSS with the checks",
            format!("VmRSS with {} services and HTTP checks", first.checks),
            med(&|r| mib(r.rss_kib)),
            med(&|r| mib(r.anon_kib)),
        ),
    ]
}
