//! What the clients did: every operation's invocation and completion time, its key and result.
//! Outcomes are `Ok` (the server answered it), or `Unknown` (a timeout, a dropped connection or
//! a 5xx: a write may or may not have happened). Rendering a history as a readable timeline for
//! a failure report lives here too.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

/// A value as the workload writes it: unique per write (client << 32 | counter).
pub type Value = u64;

/// Read consistency, as the query string asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Default,
    Consistent,
    Stale,
}

/// What an operation asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Read(Mode),
    Write(Value),
    /// `?cas=` with the index a read of `expect` returned (`None`: the key was absent, cas=0).
    Cas {
        expect: Option<Value>,
        new: Value,
    },
    Delete,
    /// `?acquire=` by the client's session (numbered by the workload), writing `value`.
    Acquire {
        session: usize,
        value: Value,
    },
    /// `?release=` by the client's session, writing `value`.
    Release {
        session: usize,
        value: Value,
    },
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A read: the value (None: 404), its ModifyIndex (0 when absent) and the session holding
    /// its lock (the workload's number for it).
    Read(Option<Value>, u64, Option<usize>),
    /// A write, CAS or delete the server answered: `true`, or `false` for a CAS that failed.
    Done(bool),
    /// No definite answer.
    Unknown,
    /// The request never reached a server (connection refused): it did not happen. Such
    /// operations are not recorded.
    Failed,
}

/// One operation of one client process.
#[derive(Debug, Clone)]
pub struct Op {
    /// A client becomes a new process after an unknown outcome (it may still be pending).
    pub process: usize,
    pub client: usize,
    /// The server the client talks to, and that server's incarnation.
    pub server: usize,
    pub incarnation: u64,
    pub key: usize,
    pub call: Call,
    pub outcome: Outcome,
    /// Microseconds since the history began.
    pub invoked: u64,
    pub completed: u64,
}

/// A shared, append-only history.
pub struct History {
    start: Instant,
    ops: Mutex<Vec<Op>>,
}

impl History {
    pub fn new() -> History {
        History {
            start: Instant::now(),
            ops: Mutex::new(Vec::new()),
        }
    }

    /// Microseconds since the history began.
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_micros() as u64
    }

    pub fn push(&self, op: Op) {
        self.ops.lock().expect("history lock").push(op);
    }

    pub fn take(&self) -> Vec<Op> {
        std::mem::take(&mut *self.ops.lock().expect("history lock"))
    }
}

/// A readable timeline of `ops` (one key's), oldest invocation first, with the nemesis's events
/// (`(time, text)`) interleaved.
pub fn timeline(ops: &[Op], events: &[(u64, String)]) -> String {
    let mut lines: Vec<(u64, String)> = ops
        .iter()
        .map(|op| {
            let done = match op.outcome {
                Outcome::Unknown => "        ?".to_string(),
                _ => format!("{:>9.3}", op.completed as f64 / 1e6),
            };
            let what = match &op.call {
                Call::Read(m) => format!("read {m:?}"),
                Call::Write(v) => format!("write {v:#x}"),
                Call::Cas { expect, new } => format!(
                    "cas {} -> {new:#x}",
                    expect.map_or("absent".into(), |e| format!("{e:#x}"))
                ),
                Call::Delete => "delete".into(),
                Call::Acquire { session, value } => format!("acquire s{session} {value:#x}"),
                Call::Release { session, value } => format!("release s{session} {value:#x}"),
            };
            let result = match &op.outcome {
                Outcome::Read(v, idx, holder) => format!(
                    "= {} (index {idx}{})",
                    v.map_or("absent".into(), |v| format!("{v:#x}")),
                    holder.map_or(String::new(), |s| format!(", locked by s{s}"))
                ),
                Outcome::Done(ok) => format!("= {ok}"),
                Outcome::Unknown => "= unknown".into(),
                Outcome::Failed => "= failed".into(),
            };
            (
                op.invoked,
                format!(
                    "{:>9.3} {done}  p{:<3} c{} n{}#{}  {what} {result}",
                    op.invoked as f64 / 1e6,
                    op.process,
                    op.client,
                    op.server + 1,
                    op.incarnation
                ),
            )
        })
        .collect();
    for (t, text) in events {
        lines.push((
            *t,
            format!("{:>9.3}           -- nemesis: {text}", *t as f64 / 1e6),
        ));
    }
    lines.sort_by_key(|(t, _)| *t);
    let mut out =
        String::from("  invoked  completed  process client server#incarnation  operation\n");
    for (_, l) in lines {
        let _ = writeln!(out, "{l}");
    }
    out
}
