//! Gossip failure detection on a 5-agent cluster (3 servers, 2 clients): how long after a
//! `kill -9` every other agent lists the victim as failed (`detect`), and whether a healthy
//! agent is ever listed as failed while one agent competes for a saturated CPU (`soak`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures::future::join_all;

use crate::http::Client;
use crate::machine;
use crate::process::Proc;
use crate::sd::{health_score, leader, members, Cluster, Role, ALIVE, FAILED, SETTLE_DEADLINE};
use crate::servers::Launch;

pub const SERVERS: u8 = 3;
pub const CLIENTS: u8 = 2;
/// How often each observer asks for its member list while waiting for a failure.
const DETECT_POLL: Duration = Duration::from_millis(10);
/// A failure not seen everywhere by then is an error.
const DETECT_DEADLINE: Duration = Duration::from_secs(30);
/// How often every agent's member list is read during the soak.
const SOAK_POLL: Duration = Duration::from_millis(200);
/// Busy-loop processes sharing the loaded agent's CPU.
pub const HOGS: usize = 3;
const PROGRESS_EVERY: Duration = Duration::from_secs(60);

/// One kill: who, and when each observer first listed it as failed (seconds after SIGKILL).
pub struct Detection {
    pub victim: String,
    pub seen_after: Vec<f64>,
    /// From the restart until every agent lists everyone alive again.
    pub back_after: f64,
    /// The observers' `health_score` just after all of them saw the failure.
    pub health: Vec<u32>,
}

impl Detection {
    /// Until the last observer saw it: the figure the targets are about.
    pub fn all(&self) -> f64 {
        self.seen_after.iter().copied().fold(f64::NAN, f64::max)
    }

    pub fn first(&self) -> f64 {
        self.seen_after.iter().copied().fold(f64::NAN, f64::min)
    }
}

/// Kills a non-leader agent `kills` times (rotating over them), measuring detection, then
/// restarts it on its data directory and waits until everyone lists it alive again.
pub async fn detect(l: &Launch, kills: usize) -> Result<Vec<Detection>> {
    let mut c = Cluster::start(l, SERVERS, CLIENTS).await?;
    let mut out = Vec::new();
    for k in 0..kills {
        let leader = c.wait_settled(SETTLE_DEADLINE).await?;
        let candidates: Vec<usize> = (0..c.agents.len()).filter(|&i| i != leader).collect();
        let victim = candidates[k % candidates.len()];
        let name = c.agents[victim].name.clone();
        let mut observers: Vec<Client> = c
            .agents
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != victim)
            .map(|(_, a)| a.client())
            .collect();
        // Open the observers' connections before the kill: the first poll costs no connect.
        for o in &mut observers {
            members(o).await?;
        }
        let killed = c.agents[victim].kill9();
        let until = killed + DETECT_DEADLINE;
        let seen = join_all(
            observers
                .iter_mut()
                .map(|o| first_seen_failed(o, &name, until)),
        )
        .await;
        let mut seen_after = Vec::new();
        for s in seen {
            seen_after.push(s?.duration_since(killed).as_secs_f64());
        }
        let mut health = Vec::new();
        for o in &mut observers {
            health.push(health_score(o).await.ok().flatten().unwrap_or(0));
        }
        c.check_running()?;
        let restarted = Instant::now();
        c.restart(victim)?;
        c.wait_settled(SETTLE_DEADLINE).await?;
        let d = Detection {
            victim: name,
            seen_after,
            back_after: restarted.elapsed().as_secs_f64(),
            health,
        };
        println!(
            "  kill {}/{kills}: {:<9} failed on all {} others after {:.3} s (first {:.3} s); \
             observers' health scores then {:?}; alive everywhere {:.1} s after the restart",
            k + 1,
            d.victim,
            d.seen_after.len(),
            d.all(),
            d.first(),
            d.health,
            d.back_after
        );
        out.push(d);
    }
    Ok(out)
}

/// Polls `c`'s member list until it shows `name` failed; the moment that answer arrived.
async fn first_seen_failed(c: &mut Client, name: &str, until: Instant) -> Result<Instant> {
    loop {
        if let Ok(m) = members(c).await {
            if m.iter().any(|(n, s)| n == name && *s == FAILED) {
                return Ok(Instant::now());
            }
        }
        if Instant::now() > until {
            bail!(
                "{}: {name} not listed as failed within {DETECT_DEADLINE:?}",
                c.addr()
            );
        }
        tokio::time::sleep(DETECT_POLL).await;
    }
}

/// Which agent the soak loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoakTarget {
    /// A server that is not the leader (gossip and Raft both starved).
    Server,
    /// A client agent.
    Client,
}

/// What the soak saw.
pub struct Soak {
    pub loaded: String,
    pub cpu: usize,
    pub secs: f64,
    /// Every observed change of a member to failed: "t=…s observer sees member failed".
    pub to_failed: Vec<String>,
    /// Member list answers (one per agent per poll) and how many requests failed.
    pub polls: u64,
    pub poll_errors: u64,
    /// Entries that were not alive, or lists missing a member.
    pub not_alive: u64,
    /// The loaded agent's `health_score` samples.
    pub health: Vec<u32>,
    pub leader_changes: u32,
    /// Share of the pinned CPU's time that was busy during the soak.
    pub cpu_busy: Option<f64>,
}

/// Pins one agent to the last CPU, saturates that CPU with [`HOGS`] busy loops pinned to it,
/// and reads every agent's member list every 200 ms for `secs`.
pub async fn soak(l: &Launch, dur: Duration, target: SoakTarget) -> Result<Soak> {
    let mut c = Cluster::start(l, SERVERS, CLIENTS).await?;
    let lead = c.wait_settled(SETTLE_DEADLINE).await?;
    let want = match target {
        SoakTarget::Server => Role::Server,
        SoakTarget::Client => Role::Client,
    };
    let loaded = (0..c.agents.len())
        .find(|&i| i != lead && c.agents[i].role == want)
        .context("no agent to load")?;
    let cpu = machine::nproc().saturating_sub(1);
    let pid = c.agents[loaded]
        .proc()?
        .pid()
        .context("loaded agent has no pid")?;
    taskset(&["-a", "-p", "-c", &cpu.to_string(), &pid.to_string()])?;
    let hog_dir = tempfile::tempdir_in(&l.data_root)?;
    let mut hogs = Vec::new();
    for i in 0..HOGS {
        hogs.push(spawn_hog(
            cpu,
            &hog_dir.path().join(format!("hog-{i}.log")),
        )?);
    }
    let name = c.agents[loaded].name.clone();
    println!(
        "  {name} (pid {pid}) and {HOGS} busy loops pinned to CPU {cpu}; polling all {} agents every {SOAK_POLL:?} for {dur:?}",
        c.agents.len()
    );
    let mut clients: Vec<Client> = c.agents.iter().map(|a| a.client()).collect();
    let mut loaded_client = c.agents[loaded].client();
    let watcher = (0..c.agents.len())
        .find(|&i| i != loaded && c.agents[i].role == Role::Server)
        .context("no server to ask for the leader")?;
    let mut leader_client = c.agents[watcher].client();
    let names: Vec<String> = c.agents.iter().map(|a| a.name.clone()).collect();
    let mut s = Soak {
        loaded: name,
        cpu,
        secs: 0.0,
        to_failed: Vec::new(),
        polls: 0,
        poll_errors: 0,
        not_alive: 0,
        health: Vec::new(),
        leader_changes: 0,
        cpu_busy: None,
    };
    let mut last: BTreeMap<(usize, String), u8> = BTreeMap::new();
    let mut last_leader = leader(&mut leader_client).await?;
    let cpu_start = machine::cpu_jiffies(cpu);
    let start = Instant::now();
    let end = start + dur;
    let mut next_progress = start + PROGRESS_EVERY;
    let mut tick = tokio::time::interval(SOAK_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while Instant::now() < end {
        tick.tick().await;
        c.check_running()?;
        for h in &mut hogs {
            h.check_alive()?;
        }
        let t = start.elapsed().as_secs_f64();
        let views = join_all(clients.iter_mut().map(members)).await;
        for (i, view) in views.into_iter().enumerate() {
            s.polls += 1;
            let Ok(view) = view else {
                s.poll_errors += 1;
                continue;
            };
            if view.len() < names.len() {
                s.not_alive += 1;
            }
            for (member, status) in view {
                if status != ALIVE {
                    s.not_alive += 1;
                }
                let before = last.insert((i, member.clone()), status);
                if status == FAILED && before != Some(FAILED) {
                    let line = format!("t={t:.1}s {} sees {member} failed", names[i]);
                    println!("  FALSE POSITIVE: {line}");
                    s.to_failed.push(line);
                }
            }
        }
        match health_score(&mut loaded_client).await {
            Ok(Some(h)) => s.health.push(h),
            Ok(None) => {}
            Err(_) => s.poll_errors += 1,
        }
        match leader(&mut leader_client).await {
            Ok(l) if l != last_leader => {
                println!("  t={t:.1}s leader changed: {last_leader:?} -> {l:?}");
                s.leader_changes += 1;
                last_leader = l;
            }
            Ok(_) => {}
            Err(_) => s.poll_errors += 1,
        }
        if Instant::now() >= next_progress {
            next_progress += PROGRESS_EVERY;
            println!(
                "  t={t:.0}s: {} transitions to failed, health score now {}, max {}",
                s.to_failed.len(),
                s.health.last().map_or("n/a".into(), u32::to_string),
                s.health.iter().max().map_or("n/a".into(), u32::to_string),
            );
        }
    }
    s.secs = start.elapsed().as_secs_f64();
    if let (Some((b0, t0)), Some((b1, t1))) = (cpu_start, machine::cpu_jiffies(cpu)) {
        if t1 > t0 {
            s.cpu_busy = Some((b1 - b0) as f64 / (t1 - t0) as f64);
        }
    }
    Ok(s)
}

fn taskset(args: &[&str]) -> Result<()> {
    let out = Command::new("taskset")
        .args(args)
        .output()
        .context("cannot run taskset (util-linux): apt-get install util-linux")?;
    if !out.status.success() {
        bail!(
            "taskset {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// `taskset -c CPU sh -c 'while :; do :; done'`: a busy loop at the default nice level.
fn spawn_hog(cpu: usize, log: &Path) -> Result<Proc> {
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", &cpu.to_string(), "sh", "-c", "while :; do :; done"]);
    Proc::spawn("busy loop", cmd, log)
}
