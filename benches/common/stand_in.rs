//! A stand-in for the agent that does only the wire work, to show what the machine itself
//! allows (the `floor` parts of the catalog and kv_vs_etcd benches). It is the bench binary run
//! again as a child process (`--floor-server PORT DIR`): the same Tokio multi-thread runtime as
//! the agent, one task per connection, requests split on `\r\n\r\n` with no HTTP library, and
//! each answered with one write of a ready-made response with the agent's headers. It serves:
//!
//! * `GET /v1/status/leader`, so that it is ready as an agent is;
//! * for the catalog's watch rounds, `PUT /v1/catalog/register` and blocking
//!   `GET /v1/health/service/web`, answered with a body the size of the agent's answer for 10
//!   instances of `web` with one check each (5,862 bytes). It keeps no catalog: a registration
//!   of service `web` bumps the index its watchers wait on, any other only the global one;
//! * for kv_vs_etcd's durable puts, `PUT /v1/kv/<key>`: the body written to a file in DIR (over
//!   zeros written at start, as sd's log does) and `fdatasync`ed before the answer (`true`), one
//!   write and one sync per put, in turn, as a log with no Raft, no batching and no state
//!   machine would do.
//!
//! With [`RELAY`] after the directory, a put crosses the tasks that a lone Raft leader built on
//! openraft 0.9 must cross, and does nothing else there: the connection's task hands it to a
//! "core" task, which writes and syncs it on its own task (as sd's lone server does,
//! `src/agent/raft/wal/io.rs`) and hands it to a "state machine" task, which hands it back to
//! the core, which answers the connection's task. Four hand-offs, as in openraft's
//! `RaftCore` and its state-machine worker, with no engine, no batching and no apply.
//!
//! The gap between the agent's figures and the stand-in's is what HTTP routing, the catalog or
//! Raft cost; the stand-in's are what loopback TCP, the scheduler, the disk and the bench's own
//! client cost on these cores.

use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::servers::{free_port, temp_in, Launch, Server};

/// The flag that turns this binary into the stand-in.
pub const FLAG: &str = "--floor-server";
/// The argument after the directory that sends puts through the relay of tasks.
pub const RELAY: &str = "relay";
/// Size of the agent's answer for 10 instances of `web` with one check each.
const BODY_BYTES: usize = 5862;
/// Zeroed bytes at the start of the put log (a 5 s window of puts fits).
const LOG_ZEROS: usize = 64 * 1024 * 1024;
/// Longest wait a watcher may ask for.
const MAX_WAIT: Duration = Duration::from_secs(600);

/// Starts the stand-in on a free port (its log file in a temporary directory under the data
/// root), its puts through the relay of tasks if `relay`, and waits until it answers.
pub async fn start(l: &Launch, relay: bool) -> Result<Server> {
    let tmp = temp_in(&l.data_root)?;
    let port = free_port()?;
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.args([FLAG, &port.to_string()]).arg(tmp.path());
    if relay {
        cmd.arg(RELAY);
    }
    let mut s = Server::spawn_stand_in(cmd, port, tmp)?;
    s.wait_ready().await?;
    Ok(s)
}

/// Runs the stand-in on 127.0.0.1:`port` until killed; `args` are the port, the directory
/// of its log file and, optionally, [`RELAY`].
pub fn serve(args: &[String]) -> Result<()> {
    let (port, dir, relay) = match args {
        [port, dir] => (port, dir, false),
        [port, dir, r] if r == RELAY => (port, dir, true),
        _ => bail!("{FLAG} PORT DIR [{RELAY}]"),
    };
    let port: u16 = port.parse().with_context(|| format!("{FLAG} PORT"))?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(Path::new(dir).join("stand-in.log"))
        .with_context(|| format!("{dir}/stand-in.log"))?;
    // Zeroed ahead, as sd's log is (`src/agent/raft/wal/space.rs`): a put's sync is then a
    // data sync, with no size change to commit. Past the zeros, puts append.
    log.write_all_at(&vec![0; LOG_ZEROS], 0)?;
    log.sync_all()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let state = Arc::new(State {
            index: AtomicU64::new(1),
            web: watch::Sender::new(1),
            body: body(),
            log: std::sync::Mutex::new((log, 0)),
            relay: std::sync::OnceLock::new(),
        });
        if relay {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(core(state.clone(), rx));
            let _ = state.relay.set(tx);
        }
        loop {
            let (s, _) = listener.accept().await?;
            let state = state.clone();
            tokio::spawn(async move {
                let _ = connection(s, &state).await;
            });
        }
    })
}

struct State {
    /// The index of the last write.
    index: AtomicU64,
    /// The index of the last write to service `web`.
    web: watch::Sender<u64>,
    body: Vec<u8>,
    /// Where durable puts go, and the offset of the next one.
    log: std::sync::Mutex<(std::fs::File, u64)>,
    /// With [`RELAY`]: the "core" task that puts are handed to.
    relay: std::sync::OnceLock<mpsc::UnboundedSender<Put>>,
}

/// A put handed to the relay's core, and where its index goes back.
struct Put {
    body: Vec<u8>,
    reply: oneshot::Sender<u64>,
}

/// Writes and syncs `body` at the end of the log; returns the new index.
fn write_put(state: &State, body: &[u8]) -> Result<u64> {
    let index = state.index.fetch_add(1, Ordering::AcqRel) + 1;
    let mut log = state.log.lock().unwrap_or_else(|p| p.into_inner());
    let (file, at) = &mut *log;
    file.write_all_at(body, *at)?;
    file.sync_data()?;
    *at += body.len() as u64;
    Ok(index)
}

/// The relay's "core": writes and syncs each put on its own task, hands it to the "state
/// machine" task and, when that hands it back, answers the connection's task. It waits on both
/// channels at once, as openraft's core waits on its clients and its workers.
async fn core(state: Arc<State>, mut puts: mpsc::UnboundedReceiver<Put>) {
    let (to_sm, from_core) = mpsc::unbounded_channel();
    let (to_core, mut applied) = mpsc::unbounded_channel();
    tokio::spawn(state_machine(from_core, to_core));
    loop {
        tokio::select! {
            Some(put) = puts.recv() => {
                let index = match write_put(&state, &put.body) {
                    Ok(index) => index,
                    Err(e) => {
                        // The connection sees the core stop; the cause goes to the log.
                        eprintln!("the relay's core: {e:#}");
                        return;
                    }
                };
                let _ = to_sm.send((index, put.reply));
            }
            Some((index, reply)) = applied.recv() => {
                let _ = reply.send(index);
            }
            else => return,
        }
    }
}

/// The relay's "state machine": hands each put straight back to the core.
async fn state_machine(
    mut from_core: mpsc::UnboundedReceiver<(u64, oneshot::Sender<u64>)>,
    to_core: mpsc::UnboundedSender<(u64, oneshot::Sender<u64>)>,
) {
    while let Some(applied) = from_core.recv().await {
        if to_core.send(applied).is_err() {
            return;
        }
    }
}

/// A JSON array of `BODY_BYTES` bytes.
fn body() -> Vec<u8> {
    let mut b = b"[\"".to_vec();
    b.resize(BODY_BYTES - 2, b'x');
    b.extend_from_slice(b"\"]");
    b
}

/// One request: method, path with query, body.
struct Request {
    method: String,
    target: String,
    body: Vec<u8>,
}

async fn connection(mut s: TcpStream, state: &State) -> Result<()> {
    s.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        let Some(req) = read_request(&mut s, &mut buf).await? else {
            return Ok(());
        };
        let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
        match (req.method.as_str(), path) {
            ("GET", "/v1/status/leader") => {
                let index = state.index.load(Ordering::Acquire);
                respond(&mut s, index, b"\"127.0.0.1:8300\"").await?;
            }
            ("PUT", "/v1/catalog/register") => {
                let index = state.index.fetch_add(1, Ordering::AcqRel) + 1;
                respond(&mut s, index, b"true").await?;
                // Acknowledged first, then the watchers, as the agent does.
                if registers_web(&req.body) {
                    state.web.send_replace(index);
                }
            }
            ("PUT", p) if p.starts_with("/v1/kv/") => {
                // Written and synced on this task's thread, or handed through the relay of
                // tasks; one connection puts in turn.
                let index = match state.relay.get() {
                    None => write_put(state, &req.body)?,
                    Some(core) => {
                        let (reply, answer) = oneshot::channel();
                        let put = Put {
                            body: req.body,
                            reply,
                        };
                        core.send(put).ok().context("the relay's core stopped")?;
                        answer.await.context("the relay's core stopped")?
                    }
                };
                respond(&mut s, index, b"true").await?;
            }
            ("GET", "/v1/health/service/web") => {
                let (min, wait) = blocking(query)?;
                let mut rx = state.web.subscribe();
                if min > 0 && *rx.borrow_and_update() <= min {
                    let _ = tokio::time::timeout(wait, rx.changed()).await;
                }
                let index = *rx.borrow();
                respond(&mut s, index, &state.body).await?;
            }
            _ => bail!("the stand-in does not serve {} {}", req.method, req.target),
        }
    }
}

/// Whether a catalog registration is of service `web`.
fn registers_web(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .is_ok_and(|v| v["Service"]["Service"] == "web")
}

/// `index` and `wait` of a blocking query.
fn blocking(query: &str) -> Result<(u64, Duration)> {
    let (mut min, mut wait) = (0, MAX_WAIT);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("index", v)) => min = v.parse().context("index")?,
            Some(("wait", v)) => {
                let secs = v.strip_suffix('s').context("wait in seconds")?;
                wait = Duration::from_secs(secs.parse().context("wait")?).min(MAX_WAIT);
            }
            _ => {}
        }
    }
    Ok((min, wait))
}

/// Writes a 200 answer with the agent's headers in one write.
async fn respond(s: &mut TcpStream, index: u64, body: &[u8]) -> Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-consul-index: {index}\r\n\
         x-consul-knownleader: true\r\nx-consul-lastcontact: 0\r\n\
         x-consul-effective-consistency: leader\r\ncontent-length: {}\r\n\
         date: Mon, 30 Nov 2026 08:00:00 GMT\r\n\r\n",
        body.len()
    );
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body);
    s.write_all(&out).await?;
    Ok(())
}

/// Reads the next request from `s` (`buf` keeps what arrived past it); `None` at a clean end.
async fn read_request(s: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Request>> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).context("request head")?;
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap_or_default().split(' ');
            let method = first.next().unwrap_or_default().to_string();
            let target = first.next().unwrap_or_default().to_string();
            let length = lines
                .filter_map(|l| l.split_once(':'))
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.trim().parse::<usize>())
                .transpose()
                .context("content-length")?
                .unwrap_or(0);
            let total = end + 4 + length;
            while buf.len() < total {
                if s.read_buf(buf).await? == 0 {
                    bail!("connection closed inside a request body");
                }
            }
            let body = buf[end + 4..total].to_vec();
            buf.drain(..total);
            return Ok(Some(Request {
                method,
                target,
                body,
            }));
        }
        if s.read_buf(buf).await? == 0 {
            return Ok(None);
        }
    }
}
