//! The fault-injection harness (issue 15): 3 and 5 `sd` servers in network namespaces,
//! concurrent clients doing KV reads (default, `consistent`, `stale`), writes, CAS and deletes on
//! a few keys while a nemesis kills (-9), pauses (SIGSTOP) and partitions servers; every
//! operation's invocation and completion is recorded and each key's history checked for
//! linearizability (`check.rs`). Then whole-cluster kill -9 restarts: every acknowledged write
//! must be there. A failing history is saved with a readable timeline.
//!
//! ```sh
//! cargo test --test nemesis                      # the short run (.ci/run runs it)
//! cargo test --release --test nemesis -- --cycles 500 --servers 3,5 --restarts 100
//! ```
//!
//! Options: `--cycles N` (fault cycles per cluster size; default: one per schedule),
//! `--servers 3,5`, `--restarts N` (whole-cluster restarts on 3 servers; default 3),
//! `--clients N` (default 6), `--keys N` (per cycle, default 3), `--seed N`, `--out DIR`
//! (failing histories; default `target/nemesis`). Needs root, `ip` and `nft`, like the
//! partition tests. Exits non-zero if any history fails its check or an acknowledged write is
//! lost.

#[allow(dead_code)]
#[path = "../e2e/common/netns.rs"]
mod netns;

mod check;
mod history;
mod lab;
mod nemesis;
mod restarts;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;

use history::{History, Op};
use lab::Lab;
use nemesis::Schedule;
use workload::{Target, Workload};

/// Options from the command line.
struct Opts {
    cycles: Option<usize>,
    servers: Vec<u8>,
    restarts: usize,
    clients: usize,
    keys: usize,
    seed: u64,
    out: PathBuf,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        cycles: None,
        servers: vec![3, 5],
        restarts: 3,
        clients: 6,
        keys: 3,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs()),
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/nemesis"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{arg} {v}: {e}"));
        match arg.as_str() {
            "--cycles" => o.cycles = Some(number(value()?)? as usize),
            "--restarts" => o.restarts = number(value()?)? as usize,
            "--clients" => o.clients = number(value()?)?.max(1) as usize,
            "--keys" => o.keys = number(value()?)?.max(1) as usize,
            "--seed" => o.seed = number(value()?)?,
            "--out" => o.out = PathBuf::from(value()?),
            "--servers" => {
                o.servers = value()?
                    .split(',')
                    .map(|s| match s.trim().parse::<u8>() {
                        Ok(n @ (3 | 5)) => Ok(n),
                        _ => Err(format!("--servers takes 3 and/or 5, not {s:?}")),
                    })
                    .collect::<Result<_, _>>()?
            }
            // What `cargo test` passes to every test binary.
            "--nocapture" | "--quiet" | "-q" | "--test-threads" => {}
            other if other.starts_with("--test-threads=") => {}
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(o)
}

/// Totals over a run.
#[derive(Default)]
struct Totals {
    cycles: usize,
    ops: usize,
    unknown: usize,
    histories: usize,
    /// Lock acquires granted, and reads that saw a holder: the lock workload did something.
    acquired: usize,
    held_reads: usize,
    failed: Vec<String>,
    failovers_ms: Vec<u64>,
    failover_misses: usize,
    check_ms: u128,
}

fn main() -> ExitCode {
    let opts = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("nemesis: {e}");
            return ExitCode::from(2);
        }
    };
    netns::require_prerequisites();
    check::self_test();
    println!(
        "nemesis: seed {} (rerun with --seed {})",
        opts.seed, opts.seed
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(opts.seed);
    let mut totals = Totals::default();
    for &n in &opts.servers {
        run_cycles(&opts, n, &mut rng, &mut totals);
    }
    let lost = restarts::run(opts.restarts, opts.seed, &mut rng);
    report(&totals, &lost, opts.restarts);
    // A workload whose locks were never granted or seen checked nothing about them.
    let locks_exercised = totals.cycles == 0 || (totals.acquired > 0 && totals.held_reads > 0);
    if !locks_exercised {
        println!(
            "nemesis: FAILED: no lock was granted and seen held: the lock workload checked nothing"
        );
    }
    if totals.failed.is_empty() && lost.lost == 0 && totals.failover_misses == 0 && locks_exercised
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_cycles(opts: &Opts, n: u8, rng: &mut rand::rngs::StdRng, totals: &mut Totals) {
    let schedules = Schedule::for_servers(usize::from(n));
    let cycles = opts.cycles.unwrap_or(schedules.len());
    let mut lab = Lab::start(n);
    let processes = Arc::new(AtomicUsize::new(0));
    println!("nemesis: {n} servers, {cycles} cycles");
    for cycle in 0..cycles {
        let schedule = schedules[cycle % schedules.len()];
        let target = Arc::new(Target {
            urls: lab.servers.iter().map(|s| s.url()).collect(),
            incarnations: lab.incarnations.clone(),
            keys: (0..opts.keys)
                .map(|k| format!("nemesis/n{n}/c{cycle}/k{k}"))
                .collect(),
            sessions: Default::default(),
        });
        let history = Arc::new(History::new());
        let mut events = Vec::new();
        let work = Workload::start(
            target.clone(),
            history.clone(),
            opts.clients,
            processes.clone(),
            rand::Rng::random(rng),
        );
        std::thread::sleep(Duration::from_millis(500));
        let leader = lab.leader();
        let injected = Instant::now();
        let what = schedule.inject(&mut lab, leader, rng);
        events.push((history.now(), what.clone()));
        if schedule.removes_leader() {
            match wait_new_leader(&lab, leader, Duration::from_secs(15)) {
                Some(ms) => totals.failovers_ms.push(ms),
                None => {
                    totals.failover_misses += 1;
                    println!("  cycle {cycle}: no new leader within 15 s after {what}");
                }
            }
        }
        let fault = Duration::from_millis(2000);
        if let Some(rest) = fault.checked_sub(injected.elapsed()) {
            std::thread::sleep(rest);
        }
        lab.heal_all();
        events.push((history.now(), "heal".to_string()));
        std::thread::sleep(Duration::from_millis(1500));
        work.stop();
        // The last word on each key, once everything is healed.
        let deadline = Instant::now() + Duration::from_secs(30);
        for key in 0..opts.keys {
            let p = processes.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            if !workload::final_read(&target, &history, key, p, deadline) {
                totals.failed.push(format!(
                    "n{n} cycle {cycle}: no consistent read of key {key} after healing"
                ));
            }
        }
        let ops = history.take();
        let checked = Instant::now();
        check_cycle(opts, n, cycle, schedule, &ops, &events, totals, &lab);
        println!(
            "  cycle {cycle:>3} {:<18} {:>5} ops  checked in {:>5} ms  ({})",
            schedule.name(),
            ops.len(),
            checked.elapsed().as_millis(),
            events.first().map_or("", |e| e.1.as_str())
        );
        totals.cycles += 1;
    }
}

/// Waits until a majority names a leader other than `old`; milliseconds, or None on timeout.
fn wait_new_leader(lab: &Lab, old: Option<usize>, timeout: Duration) -> Option<u64> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        match lab.leader() {
            Some(l) if Some(l) != old => return Some(start.elapsed().as_millis() as u64),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn check_cycle(
    opts: &Opts,
    n: u8,
    cycle: usize,
    schedule: Schedule,
    ops: &[Op],
    events: &[(u64, String)],
    totals: &mut Totals,
    lab: &Lab,
) {
    totals.ops += ops.len();
    totals.unknown += ops
        .iter()
        .filter(|o| o.outcome == history::Outcome::Unknown)
        .count();
    totals.acquired += ops
        .iter()
        .filter(|o| {
            matches!(o.call, history::Call::Acquire { .. })
                && o.outcome == history::Outcome::Done(true)
        })
        .count();
    totals.held_reads += ops
        .iter()
        .filter(|o| matches!(o.outcome, history::Outcome::Read(_, _, Some(_))))
        .count();
    let started = Instant::now();
    for key in 0..opts.keys {
        let of_key: Vec<&Op> = ops.iter().filter(|o| o.key == key).collect();
        totals.histories += 1;
        let mut problems = Vec::new();
        if !check::linearizable(&of_key) {
            problems.push(match check::earliest_failure(&of_key) {
                Some(t) => format!(
                    "not linearizable (already by {:.6} s: see the operations completing then)",
                    t as f64 / 1e6
                ),
                None => "not linearizable".to_string(),
            });
        }
        problems.extend(check::stale_violations(&of_key));
        if problems.is_empty() {
            continue;
        }
        let _ = std::fs::create_dir_all(&opts.out);
        let file = opts
            .out
            .join(format!("seed{}-n{n}-cycle{cycle}-key{key}.txt", opts.seed));
        let report = format!(
            "{} servers, cycle {cycle} ({}), key {key}: {}\n\n{}\n\nserver logs:\n{}",
            n,
            schedule.name(),
            problems.join("; "),
            history::timeline(
                &of_key.iter().map(|o| (*o).clone()).collect::<Vec<_>>(),
                events
            ),
            lab.logs()
        );
        let _ = std::fs::write(&file, report);
        let line = format!(
            "n{n} cycle {cycle} ({}) key {key}: {} — {}",
            schedule.name(),
            problems.join("; "),
            file.display()
        );
        println!("  FAIL {line}");
        totals.failed.push(line);
    }
    totals.check_ms += started.elapsed().as_millis();
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(t: &Totals, lost: &restarts::Outcome, restarts: usize) {
    let mut f = t.failovers_ms.clone();
    f.sort_unstable();
    println!(
        "nemesis: {} cycles, {} operations ({} unknown outcomes), {} key histories checked in {} ms: {} failed",
        t.cycles,
        t.ops,
        t.unknown,
        t.histories,
        t.check_ms,
        t.failed.len()
    );
    println!(
        "nemesis: {} lock acquires granted, {} reads saw a lock held",
        t.acquired, t.held_reads
    );
    println!(
        "nemesis: leader re-elected after {} leader faults: p50 {} ms, p99 {} ms, max {} ms; {} without a new leader in 15 s",
        f.len(),
        percentile(&f, 0.5),
        percentile(&f, 0.99),
        f.last().copied().unwrap_or(0),
        t.failover_misses
    );
    println!(
        "nemesis: {restarts} whole-cluster kill -9 restarts: {} acknowledged writes, {} lost; leader after restart p50 {} ms, max {} ms",
        lost.acked,
        lost.lost,
        lost.leader_ms_p50,
        lost.leader_ms_max
    );
    for line in &t.failed {
        println!("FAILED: {line}");
    }
}
