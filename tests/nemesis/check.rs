//! Checking a history. Default and `consistent` reads, writes, CAS and deletes of each key must
//! be linearizable as a register (Wing & Gong's search with Lowe's memoization, from the
//! `todc-utils` crate). An operation with an unknown outcome is given a response after
//! everything else: it may have taken effect at any point after its invocation, or never.
//! `stale` reads are held to their weaker promise: never a value that was never written, and,
//! for one client reading one server (between restarts), never an older write after a newer.

use std::collections::{BTreeMap, HashMap, HashSet};

use todc_utils::linearizability::history::{Action, History as LinHistory};
use todc_utils::linearizability::WGLChecker;
use todc_utils::specifications::Specification;

use crate::history::{Call, Mode, Op, Outcome, Value};

/// A register operation as the checker sees it (the response's form: the result is known).
#[derive(Debug, Clone)]
pub enum RegOp {
    Read(Option<Value>),
    Write(Value),
    Delete,
    /// `ok`: the CAS's answer, `None` when unknown.
    Cas {
        expect: Option<Value>,
        new: Value,
        ok: Option<bool>,
    },
}

/// A Consul KV key as a register of unique values.
pub struct KeySpec;

impl Specification for KeySpec {
    type State = Option<Value>;
    type Operation = RegOp;

    fn init() -> Self::State {
        None
    }

    fn apply(op: &RegOp, state: &Option<Value>) -> (bool, Option<Value>) {
        match op {
            RegOp::Read(v) => (v == state, *state),
            RegOp::Write(v) => (true, Some(*v)),
            RegOp::Delete => (true, None),
            RegOp::Cas { expect, new, ok } => {
                let matches = state == expect;
                match ok {
                    Some(ok) => (*ok == matches, if matches { Some(*new) } else { *state }),
                    None => (true, if matches { Some(*new) } else { *state }),
                }
            }
        }
    }
}

/// The operations of one key the linearizability check covers, as the checker's actions.
fn actions(ops: &[&Op]) -> Vec<(usize, Action<RegOp>)> {
    // (time, order at equal times: calls first, so touching operations count as concurrent).
    let mut events: Vec<(u64, u8, usize, Action<RegOp>)> = Vec::new();
    for op in ops {
        let response = match (&op.call, &op.outcome) {
            // Stale reads promise less: `stale_violations` checks them.
            (Call::Read(Mode::Stale), _) => continue,
            (Call::Read(_), Outcome::Read(v, _)) => RegOp::Read(*v),
            (Call::Read(_), _) => continue,
            (Call::Write(v), _) => RegOp::Write(*v),
            (Call::Delete, _) => RegOp::Delete,
            (Call::Cas { expect, new }, outcome) => RegOp::Cas {
                expect: *expect,
                new: *new,
                ok: match outcome {
                    Outcome::Done(ok) => Some(*ok),
                    _ => None,
                },
            },
        };
        let done = match op.outcome {
            Outcome::Unknown => u64::MAX,
            _ => op.completed,
        };
        events.push((op.invoked, 0, op.process, Action::Call(response.clone())));
        events.push((done, 1, op.process, Action::Response(response)));
    }
    events.sort_by_key(|(t, order, _, _)| (*t, *order));
    events.into_iter().map(|(_, _, p, a)| (p, a)).collect()
}

/// Whether one key's operations are linearizable.
pub fn linearizable(ops: &[&Op]) -> bool {
    let actions = actions(ops);
    if actions.is_empty() {
        return true;
    }
    WGLChecker::<KeySpec>::is_linearizable(LinHistory::from_actions(actions))
}

/// The history as it stood at time `t`: operations invoked by then, those still running
/// turned into unknown outcomes (reads still running dropped). A history whose prefix at `t`
/// is not linearizable is not linearizable either, so the earliest such `t` locates the
/// anomaly.
fn prefix(ops: &[&Op], t: u64) -> Vec<Op> {
    ops.iter()
        .filter(|op| op.invoked <= t)
        .filter_map(|op| {
            let mut op = (*op).clone();
            if op.outcome != Outcome::Unknown && op.completed > t {
                if matches!(op.call, Call::Read(_)) {
                    return None;
                }
                op.outcome = Outcome::Unknown;
            }
            Some(op)
        })
        .collect()
}

/// The earliest completion time at which the history already fails the check (the operation
/// that completes then is part of the anomaly).
pub fn earliest_failure(ops: &[&Op]) -> Option<u64> {
    let mut times: Vec<u64> = ops
        .iter()
        .filter(|op| op.outcome != Outcome::Unknown)
        .map(|op| op.completed)
        .collect();
    times.sort_unstable();
    times.dedup();
    let fails = |t: u64| {
        let p = prefix(ops, t);
        !linearizable(&p.iter().collect::<Vec<_>>())
    };
    let (mut lo, mut hi) = (0usize, times.len());
    if hi == 0 || !fails(times[hi - 1]) {
        return None;
    }
    hi -= 1;
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails(times[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(times[lo])
}

/// Which reads in `ops` break the stale-read promise, described.
pub fn stale_violations(ops: &[&Op]) -> Vec<String> {
    let written: HashSet<Value> = ops
        .iter()
        .filter_map(|op| match op.call {
            Call::Write(v) | Call::Cas { new: v, .. } => Some(v),
            _ => None,
        })
        .collect();
    // Every value's ModifyIndex, from any read that returned it.
    let index_of: HashMap<Value, u64> = ops
        .iter()
        .filter_map(|op| match op.outcome {
            Outcome::Read(Some(v), idx) => Some((v, idx)),
            _ => None,
        })
        .collect();
    let mut bad = Vec::new();
    let mut last: BTreeMap<(usize, usize, u64), (u64, Value)> = BTreeMap::new();
    let mut stale: Vec<&&Op> = ops
        .iter()
        .filter(|op| op.call == Call::Read(Mode::Stale))
        .collect();
    stale.sort_by_key(|op| op.invoked);
    for op in stale {
        let Outcome::Read(Some(v), _) = op.outcome else {
            continue;
        };
        if !written.contains(&v) {
            bad.push(format!(
                "stale read at {:.3}s by c{} returned {v:#x}, which no one wrote",
                op.invoked as f64 / 1e6,
                op.client
            ));
            continue;
        }
        let Some(&idx) = index_of.get(&v) else {
            continue;
        };
        let who = (op.client, op.server, op.incarnation);
        if let Some((prev_idx, prev)) = last.get(&who) {
            if idx < *prev_idx {
                bad.push(format!(
                    "stale read at {:.3}s by c{} from n{} returned {v:#x} (index {idx}) after \
                     {prev:#x} (index {prev_idx}): it went back",
                    op.invoked as f64 / 1e6,
                    op.client,
                    op.server + 1
                ));
            }
        }
        last.insert(who, (idx, v));
    }
    bad
}

/// Self-checks of the checker, run before every harness run: a checker that accepts
/// everything would make the whole run meaningless.
pub fn self_test() {
    let op = |process, call, outcome, invoked, completed| Op {
        process,
        client: process,
        server: 0,
        incarnation: 1,
        key: 0,
        call,
        outcome,
        invoked,
        completed,
    };
    // Sequential: write 1, read 1.
    let good = [
        op(0, Call::Write(1), Outcome::Done(true), 0, 10),
        op(
            1,
            Call::Read(Mode::Default),
            Outcome::Read(Some(1), 5),
            20,
            30,
        ),
    ];
    assert!(
        linearizable(&good.iter().collect::<Vec<_>>()),
        "checker rejects a plain history"
    );
    // A read after a completed write that misses it (a stale default read).
    let stale = [
        op(0, Call::Write(1), Outcome::Done(true), 0, 10),
        op(0, Call::Write(2), Outcome::Done(true), 20, 30),
        op(
            1,
            Call::Read(Mode::Default),
            Outcome::Read(Some(1), 5),
            40,
            50,
        ),
    ];
    assert!(
        !linearizable(&stale.iter().collect::<Vec<_>>()),
        "checker accepts a stale read"
    );
    // An unknown write may show up late, or never.
    let maybe = [
        op(0, Call::Write(7), Outcome::Unknown, 0, 0),
        op(1, Call::Read(Mode::Default), Outcome::Read(None, 0), 10, 20),
        op(
            1,
            Call::Read(Mode::Default),
            Outcome::Read(Some(7), 9),
            30,
            40,
        ),
    ];
    assert!(
        linearizable(&maybe.iter().collect::<Vec<_>>()),
        "checker rejects a late unknown write"
    );
    // A stale read that misses a write is no violation of linearizability (it promises less).
    let stale_ok = [
        op(0, Call::Write(1), Outcome::Done(true), 0, 10),
        op(0, Call::Write(2), Outcome::Done(true), 20, 30),
        op(
            1,
            Call::Read(Mode::Stale),
            Outcome::Read(Some(1), 5),
            40,
            50,
        ),
    ];
    assert!(
        linearizable(&stale_ok.iter().collect::<Vec<_>>()),
        "stale reads are held to linearizability"
    );
    // A lost acknowledged write: acknowledged, then never visible.
    let lost = [
        op(0, Call::Write(3), Outcome::Done(true), 0, 10),
        op(
            1,
            Call::Read(Mode::Consistent),
            Outcome::Read(None, 0),
            20,
            30,
        ),
    ];
    assert!(
        !linearizable(&lost.iter().collect::<Vec<_>>()),
        "checker misses a lost write"
    );
    // A CAS that succeeded although the value had changed.
    let bad_cas = [
        op(0, Call::Write(1), Outcome::Done(true), 0, 10),
        op(0, Call::Write(2), Outcome::Done(true), 20, 30),
        op(
            1,
            Call::Cas {
                expect: Some(1),
                new: 5,
            },
            Outcome::Done(true),
            40,
            50,
        ),
    ];
    assert!(
        !linearizable(&bad_cas.iter().collect::<Vec<_>>()),
        "checker accepts a bad CAS"
    );
    // Stale reads: a phantom value, and a read going back.
    let phantom = [op(
        0,
        Call::Read(Mode::Stale),
        Outcome::Read(Some(99), 4),
        0,
        10,
    )];
    assert_eq!(
        stale_violations(&phantom.iter().collect::<Vec<_>>()).len(),
        1
    );
    let back = [
        op(0, Call::Write(1), Outcome::Done(true), 0, 10),
        op(0, Call::Write(2), Outcome::Done(true), 20, 30),
        op(
            1,
            Call::Read(Mode::Stale),
            Outcome::Read(Some(2), 8),
            40,
            50,
        ),
        op(
            1,
            Call::Read(Mode::Stale),
            Outcome::Read(Some(1), 6),
            60,
            70,
        ),
    ];
    assert_eq!(stale_violations(&back.iter().collect::<Vec<_>>()).len(), 1);
}
