//! Leader failover on 3 servers: a writer keeps sending durable `PUT /v1/kv/<key>` to both
//! followers (a new request to each every [`WRITE_EVERY`], many in flight, so a request held
//! through the election does not hide the first one that gets through), the leader is killed
//! with SIGKILL, and the figure is the time from the kill to the first acknowledged write
//! (200 `true`) among writes sent after the kill. Followers forward writes to the leader over
//! server RPC and hold them while there is none, so that write is the first the new leader
//! commits. The killed server is restarted on its data directory and the cluster left to settle
//! before the next run.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use bytes::Bytes;
use futures::future::join_all;
use hyper::Method;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use crate::http::{Client, Conn};
use crate::sd::{leader, Cluster, SETTLE_DEADLINE};
use crate::servers::Launch;

/// A new write to each follower this often.
pub const WRITE_EVERY: Duration = Duration::from_millis(5);
/// At most this many writes in flight per follower (more are skipped, not queued).
const MAX_IN_FLIGHT: usize = 256;
/// Writes before the kill, so the writer is known to work.
const WARMUP: Duration = Duration::from_secs(1);
/// A write acknowledged this long after the kill is an error.
const FAILOVER_DEADLINE: Duration = Duration::from_secs(30);
const LEADER_POLL: Duration = Duration::from_millis(5);
/// How long after the first acknowledged write the followers may take to name the new leader.
const LEADER_GRACE: Duration = Duration::from_secs(5);
/// Keys cycle over this many.
const KEYS: u64 = 1000;

/// One failover.
pub struct Failover {
    pub old_leader: String,
    /// Kill to the first acknowledged write sent after it.
    pub write_after: f64,
    /// Kill to both surviving servers naming the same new leader (polled every 5 ms).
    pub leader_after: Option<f64>,
    /// Writes that failed (errors or non-`true` answers) during the run.
    pub write_errors: u64,
}

/// (sent, acknowledged) of one successful write.
type Ack = (Instant, Instant);

/// Writers to each target, stopped (every request in flight aborted) on drop.
struct Writer {
    _tasks: JoinSet<()>,
    acks: mpsc::UnboundedReceiver<Ack>,
    errors: Arc<AtomicU64>,
}

impl Writer {
    fn start(targets: &[SocketAddr]) -> Writer {
        let (tx, acks) = mpsc::unbounded_channel();
        let errors = Arc::new(AtomicU64::new(0));
        let mut tasks = JoinSet::new();
        for &t in targets {
            tasks.spawn(pace(t, tx.clone(), errors.clone()));
        }
        Writer {
            _tasks: tasks,
            acks,
            errors,
        }
    }
}

/// Starts a write to `target` every [`WRITE_EVERY`] while fewer than [`MAX_IN_FLIGHT`] are
/// outstanding, until dropped or at the latest once a run's deadlines have passed; keep-alive
/// connections are shared through a pool.
async fn pace(target: SocketAddr, tx: mpsc::UnboundedSender<Ack>, errors: Arc<AtomicU64>) {
    let end = Instant::now() + WARMUP + FAILOVER_DEADLINE + Duration::from_secs(5);
    let pool: Arc<Mutex<Vec<Conn>>> = Arc::default();
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut writes = JoinSet::new();
    let mut tick = tokio::time::interval(WRITE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut n = 0u64;
    while Instant::now() < end {
        tick.tick().await;
        n += 1;
        while writes.try_join_next().is_some() {}
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue;
        };
        let (pool, tx, errors) = (pool.clone(), tx.clone(), errors.clone());
        writes.spawn(async move {
            let sent = Instant::now();
            let conn = pool.lock().ok().and_then(|mut p| p.pop());
            let conn = match conn {
                Some(c) => Ok(c),
                None => Conn::connect(target).await,
            };
            let path = format!("/v1/kv/bench/failover/{}", n % KEYS);
            let answer = match conn {
                Ok(mut c) => {
                    let r = c
                        .request(Method::PUT, &path, None, Bytes::from_static(b"v"))
                        .await;
                    if r.is_ok() {
                        if let Ok(mut p) = pool.lock() {
                            p.push(c);
                        }
                    }
                    r
                }
                Err(e) => Err(e),
            };
            match answer {
                Ok((200, body)) if body.trim_ascii() == b"true" => {
                    let _ = tx.send((sent, Instant::now()));
                }
                _ => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            drop(slot);
        });
    }
}

/// Polls `watchers` until all of them name the same leader, other than `old`; when that
/// answer arrived (None if not by `until`).
async fn new_leader(mut watchers: Vec<Client>, old: String, until: Instant) -> Option<Instant> {
    while Instant::now() < until {
        let named = join_all(watchers.iter_mut().map(leader)).await;
        let named: Vec<Option<String>> = named.into_iter().map(|n| n.ok().flatten()).collect();
        let first = named[0].as_ref().filter(|l| **l != old);
        if first.is_some() && named.iter().all(|n| n.as_ref() == first) {
            return Some(Instant::now());
        }
        tokio::time::sleep(LEADER_POLL).await;
    }
    None
}

/// `runs` failovers on one 3-server cluster.
pub async fn failover(l: &Launch, runs: usize) -> Result<Vec<Failover>> {
    let mut c = Cluster::start(l, 3, 0).await?;
    let mut out = Vec::new();
    for r in 1..=runs {
        let lead = c.wait_settled(SETTLE_DEADLINE).await?;
        let old = c.agents[lead].rpc_addr();
        let followers: Vec<usize> = (0..c.agents.len()).filter(|&i| i != lead).collect();
        let targets: Vec<SocketAddr> = followers.iter().map(|&i| c.agents[i].http()).collect();
        let mut writer = Writer::start(&targets);
        tokio::time::sleep(WARMUP).await;
        let mut before = 0;
        while writer.acks.try_recv().is_ok() {
            before += 1;
        }
        if before == 0 {
            bail!(
                "no write acknowledged in {WARMUP:?} before the kill ({} errors)",
                writer.errors.load(Ordering::Relaxed)
            );
        }
        let errors_before = writer.errors.load(Ordering::Relaxed);
        let killed = c.agents[lead].kill9();
        let watchers: Vec<Client> = followers.iter().map(|&i| c.agents[i].client()).collect();
        let until = killed + FAILOVER_DEADLINE;
        let mut watch = tokio::spawn(new_leader(watchers, old.clone(), until));
        let first_ack = loop {
            tokio::select! {
                ack = writer.acks.recv() => match ack {
                    Some((sent, acked)) if sent >= killed => break acked,
                    Some(_) => {}
                    None => bail!("the writer stopped"),
                },
                _ = tokio::time::sleep_until(until.into()) => {
                    watch.abort();
                    bail!("no write acknowledged within {FAILOVER_DEADLINE:?} of killing the leader {old}");
                }
            }
        };
        // The followers may name the new leader only after it has committed the first write.
        let leader_at = tokio::time::timeout(LEADER_GRACE, &mut watch)
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        watch.abort();
        // A write that completed a moment earlier may still sit in the channel.
        let mut first_ack = first_ack;
        while let Ok((sent, acked)) = writer.acks.try_recv() {
            if sent >= killed && acked < first_ack {
                first_ack = acked;
            }
        }
        let write_errors = writer.errors.load(Ordering::Relaxed) - errors_before;
        drop(writer);
        let f = Failover {
            old_leader: old,
            write_after: first_ack.duration_since(killed).as_secs_f64(),
            leader_after: leader_at.map(|t| t.duration_since(killed).as_secs_f64()),
            write_errors,
        };
        c.restart(lead)?;
        let back = Instant::now();
        c.wait_settled(SETTLE_DEADLINE).await?;
        println!(
            "  run {r}/{runs}: killed leader {}: next acknowledged write after {:.3} s, \
             new leader seen after {}; {} writes failed; cluster settled {:.1} s after the restart",
            f.old_leader,
            f.write_after,
            f.leader_after.map_or("n/a".into(), |s| format!("{s:.3} s")),
            f.write_errors,
            back.elapsed().as_secs_f64()
        );
        out.push(f);
    }
    Ok(out)
}
