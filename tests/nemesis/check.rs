//! Checking a history. Default and `consistent` reads, writes, CAS, deletes and lock acquires
//! and releases of each key must be linearizable as a register with a lock holder (Wing & Gong's search with Lowe's memoization, from the
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
    /// The value and the lock's holder a read saw.
    Read(Option<Value>, Option<usize>),
    Write(Value),
    Delete,
    /// `ok`: the CAS's answer, `None` when unknown.
    Cas {
        expect: Option<Value>,
        new: Value,
        ok: Option<bool>,
    },
    /// `ok`: whether the lock was taken, `None` when unknown.
    Acquire {
        session: usize,
        value: Value,
        ok: Option<bool>,
    },
    Release {
        session: usize,
        value: Value,
        ok: Option<bool>,
    },
}

/// A key's value and the session holding its lock.
pub type KeyState = (Option<Value>, Option<usize>);

/// A Consul KV key as a register of unique values with a lock, as Consul's state store keeps
/// it: a plain write or CAS keeps the holder, a delete drops the key and its lock, an acquire
/// succeeds when nobody or the same session holds the lock, a release only for the holder;
/// both write their value when they succeed. (Lock delays only follow an invalidated
/// session, and the workload's sessions have no checks and no TTL.)
pub struct KeySpec;

impl Specification for KeySpec {
    type State = KeyState;
    type Operation = RegOp;

    fn init() -> Self::State {
        (None, None)
    }

    fn apply(op: &RegOp, state: &KeyState) -> (bool, KeyState) {
        let (value, holder) = *state;
        // What happens when the operation's condition holds or not, against what it answered.
        let conditional = |holds: bool, ok: &Option<bool>, then: KeyState| {
            let next = if holds { then } else { *state };
            (ok.is_none_or(|ok| ok == holds), next)
        };
        match op {
            RegOp::Read(v, h) => (*v == value && *h == holder, *state),
            RegOp::Write(v) => (true, (Some(*v), holder)),
            RegOp::Delete => (true, (None, None)),
            RegOp::Cas { expect, new, ok } => {
                conditional(value == *expect, ok, (Some(*new), holder))
            }
            RegOp::Acquire {
                session,
                value: v,
                ok,
            } => conditional(
                holder.is_none_or(|h| h == *session),
                ok,
                (Some(*v), Some(*session)),
            ),
            RegOp::Release {
                session,
                value: v,
                ok,
            } => conditional(holder == Some(*session), ok, (Some(*v), None)),
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
            (Call::Read(_), Outcome::Read(v, _, h)) => RegOp::Read(*v, *h),
            (Call::Read(_), _) => continue,
            (Call::Write(v), _) => RegOp::Write(*v),
            (Call::Delete, _) => RegOp::Delete,
            (Call::Cas { expect, new }, outcome) => RegOp::Cas {
                expect: *expect,
                new: *new,
                ok: answered(outcome),
            },
            (Call::Acquire { session, value }, outcome) => RegOp::Acquire {
                session: *session,
                value: *value,
                ok: answered(outcome),
            },
            (Call::Release { session, value }, outcome) => RegOp::Release {
                session: *session,
                value: *value,
                ok: answered(outcome),
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

/// A conditional operation's answer, `None` when unknown.
fn answered(outcome: &Outcome) -> Option<bool> {
    match outcome {
        Outcome::Done(ok) => Some(*ok),
        _ => None,
    }
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
            Call::Write(v)
            | Call::Cas { new: v, .. }
            | Call::Acquire { value: v, .. }
            | Call::Release { value: v, .. } => Some(v),
            _ => None,
        })
        .collect();
    // Every value's ModifyIndex, from any read that returned it.
    let index_of: HashMap<Value, u64> = ops
        .iter()
        .filter_map(|op| match op.outcome {
            Outcome::Read(Some(v), idx, _) => Some((v, idx)),
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
        let Outcome::Read(Some(v), _, _) = op.outcome else {
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
            Outcome::Read(Some(1), 5, None),
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
            Outcome::Read(Some(1), 5, None),
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
        op(
            1,
            Call::Read(Mode::Default),
            Outcome::Read(None, 0, None),
            10,
            20,
        ),
        op(
            1,
            Call::Read(Mode::Default),
            Outcome::Read(Some(7), 9, None),
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
            Outcome::Read(Some(1), 5, None),
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
            Outcome::Read(None, 0, None),
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
        Outcome::Read(Some(99), 4, None),
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
            Outcome::Read(Some(2), 8, None),
            40,
            50,
        ),
        op(
            1,
            Call::Read(Mode::Stale),
            Outcome::Read(Some(1), 6, None),
            60,
            70,
        ),
    ];
    assert_eq!(stale_violations(&back.iter().collect::<Vec<_>>()).len(), 1);
    // Locks: a handover through a release holds; two holders at once, a release by a session
    // that does not hold the lock, and a lock that a read does not see are rejected.
    let acquire = |session, value| Call::Acquire { session, value };
    let release = |session, value| Call::Release { session, value };
    let read = |v, h| Outcome::Read(Some(v), 0, h);
    let handover = [
        op(0, acquire(1, 10), Outcome::Done(true), 0, 10),
        op(1, acquire(2, 11), Outcome::Done(false), 20, 30),
        op(1, Call::Read(Mode::Default), read(10, Some(1)), 40, 50),
        op(0, release(1, 12), Outcome::Done(true), 60, 70),
        op(1, acquire(2, 13), Outcome::Done(true), 80, 90),
        op(1, Call::Write(14), Outcome::Done(true), 100, 110),
        op(0, Call::Read(Mode::Consistent), read(14, Some(2)), 120, 130),
    ];
    assert!(
        linearizable(&handover.iter().collect::<Vec<_>>()),
        "checker rejects a lock handed over"
    );
    let rejected = [
        (
            "two holders",
            vec![
                op(0, acquire(1, 10), Outcome::Done(true), 0, 10),
                op(1, acquire(2, 11), Outcome::Done(true), 20, 30),
            ],
        ),
        (
            "a release by another session",
            vec![
                op(0, acquire(1, 10), Outcome::Done(true), 0, 10),
                op(1, release(2, 11), Outcome::Done(true), 20, 30),
            ],
        ),
        (
            "a lock a read does not see",
            vec![
                op(0, acquire(1, 10), Outcome::Done(true), 0, 10),
                op(1, Call::Read(Mode::Default), read(10, None), 20, 30),
            ],
        ),
    ];
    for (what, history) in rejected {
        assert!(
            !linearizable(&history.iter().collect::<Vec<_>>()),
            "checker accepts {what}"
        );
    }
}
