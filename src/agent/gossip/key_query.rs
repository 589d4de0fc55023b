//! Keyring operations across the pool (serf's `_serf_list-keys`, `_serf_install-key`,
//! `_serf_use-key`, `_serf_remove-key` queries): the agent asking sends the operation to
//! every alive member in a datagram, sealed with its primary key, resends to the silent ones
//! until all have answered or the query times out, and sums the answers into Consul's
//! `KeyringResponse`. A member applies the operation to its keyring, saves the keyring file
//! and answers the sender.
//!
//! Only a sealed query changes a keyring: a plain one is answered only by members without
//! encryption (with serf's "encryption not enabled" messages). A query older than
//! [`MAX_AGE`] is ignored, so a recorded one cannot be replayed later. Must not import http,
//! raft, client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::core::Output;
use super::driver::Shared;
use super::keyring::{Channel, Keyring};
use super::table::Status;
use super::wire::{KIND_KEY_QUERY, KIND_KEY_RESPONSE};
use crate::api::keyring::KeyringResponse;

/// How old (by the sender's clock) a query may be when it arrives.
const MAX_AGE: Duration = Duration::from_secs(600);
/// How long to wait for answers before resending to the members still silent.
const RESEND: Duration = Duration::from_millis(400);

/// What to do to every member's keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyOp {
    List,
    Install(String),
    Use(String),
    Remove(String),
}

#[derive(Debug, Serialize, Deserialize)]
struct Query {
    id: u64,
    sent_ms: u64,
    op: KeyOp,
}

/// A member's keys after the operation, the primary first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Answer {
    id: u64,
    node: String,
    result: Result<Vec<String>, String>,
}

/// The summed answers of one operation.
#[derive(Debug, Clone)]
pub struct KeyOutcome {
    pub response: KeyringResponse,
    /// Members that reported an error.
    pub failed: u32,
    /// Members that answered without an error.
    pub succeeded: u32,
}

impl KeyOutcome {
    /// serf's summary when not every member succeeded (`N/M nodes reported failure`).
    pub fn error(&self) -> Option<String> {
        let n = self.response.num_nodes;
        if self.failed > 0 {
            Some(format!("{}/{n} nodes reported failure", self.failed))
        } else if self.succeeded != n {
            Some(format!("{}/{n} nodes reported success", self.succeeded))
        } else {
            None
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs `op` on every alive member (this one included) and sums their answers.
pub(super) async fn run(shared: &Shared, op: KeyOp, timeout: Duration) -> KeyOutcome {
    let id = rand::random::<u64>();
    let (tx, mut rx) = mpsc::unbounded_channel();
    lock(&shared.key_waiters).insert(id, tx);
    let (me, targets) = {
        let core = shared.core();
        let me = core.local().name.clone();
        let targets: BTreeMap<String, SocketAddr> = core
            .table
            .entries()
            .filter(|e| e.id.name != me)
            .filter(|e| matches!(e.status, Status::Alive | Status::Leaving))
            .map(|e| (e.id.name.clone(), e.id.addr))
            .collect();
        (me, targets)
    };
    let mut answers: BTreeMap<String, Result<Vec<String>, String>> = BTreeMap::new();
    answers.insert(me, apply(shared, &op));
    let datagram = query_datagram(
        shared,
        &Query {
            id,
            sent_ms: now_ms(),
            op,
        },
    );
    let deadline = Instant::now() + timeout;
    loop {
        let silent: Vec<SocketAddr> = targets
            .iter()
            .filter(|(name, _)| !answers.contains_key(*name))
            .map(|(_, addr)| *addr)
            .collect();
        if silent.is_empty() || Instant::now() >= deadline {
            break;
        }
        {
            let mut core = shared.core();
            for addr in silent {
                core.out.push(Output::Datagram(addr, datagram.clone()));
            }
        }
        shared.wake.notify_one();
        let round = (Instant::now() + RESEND).min(deadline);
        while answers.len() <= targets.len() {
            let Ok(Some(a)) = tokio::time::timeout_at(round.into(), rx.recv()).await else {
                break;
            };
            if targets.contains_key(&a.node) {
                answers.insert(a.node, a.result);
            }
        }
    }
    lock(&shared.key_waiters).remove(&id);
    sum(shared, &targets, answers)
}

fn sum(
    shared: &Shared,
    targets: &BTreeMap<String, SocketAddr>,
    answers: BTreeMap<String, Result<Vec<String>, String>>,
) -> KeyOutcome {
    let mut r = KeyringResponse {
        wan: shared.cfg.pool == super::Pool::Wan,
        datacenter: shared.cfg.datacenter.clone(),
        num_nodes: (targets.len() + 1) as u32,
        ..Default::default()
    };
    let (mut failed, mut succeeded) = (0, 0);
    for name in targets.keys() {
        if !answers.contains_key(name) {
            r.messages.insert(name.clone(), "no answer".into());
        }
    }
    for (node, result) in answers {
        match result {
            Ok(keys) => {
                succeeded += 1;
                if let Some(primary) = keys.first() {
                    *r.primary_keys.entry(primary.clone()).or_default() += 1;
                }
                for k in keys {
                    *r.keys.entry(k).or_default() += 1;
                }
            }
            Err(message) => {
                failed += 1;
                r.messages.insert(node, message);
            }
        }
    }
    KeyOutcome {
        response: r,
        failed,
        succeeded,
    }
}

/// Applies `op` to this member's keyring and saves the keyring file when it changed.
fn apply(shared: &Shared, op: &KeyOp) -> Result<Vec<String>, String> {
    let mut guard = shared.keyring.write().unwrap_or_else(|p| p.into_inner());
    let Some(ring) = guard.as_mut() else {
        return Err(match op {
            KeyOp::List => "Keyring is empty (encryption not enabled)",
            _ => "No keyring to modify (encryption not enabled)",
        }
        .into());
    };
    let before = ring.keys();
    let changed = match op {
        KeyOp::List => Ok(()),
        KeyOp::Install(k) => ring
            .install(k)
            .map_err(|e| format!("Failed to install key: {e}")),
        KeyOp::Use(k) => ring
            .use_key(k)
            .map_err(|e| format!("Failed to change primary key: {e}")),
        KeyOp::Remove(k) => ring
            .remove(k)
            .map_err(|e| format!("Failed to remove key: {e}")),
    };
    changed?;
    let after = ring.keys();
    if after != before {
        tracing::info!("serf: keyring changed: {} keys installed", after.len());
        if let Some(path) = &shared.cfg.encryption.keyring_file {
            save(ring, path)?;
        }
    }
    Ok(after)
}

fn save(ring: &Keyring, path: &std::path::Path) -> Result<(), String> {
    ring.save(path)
        .map_err(|e| format!("Failed to write keyring file {}: {e}", path.display()))
}

/// Sealed with the primary key whenever there is a keyring (whatever
/// `encrypt_verify_outgoing` says: a plain query changes nothing on an encrypted member).
fn query_datagram(shared: &Shared, q: &Query) -> Vec<u8> {
    let mut d = vec![KIND_KEY_QUERY];
    d.extend(postcard::to_allocvec(q).unwrap_or_default());
    seal(shared, d)
}

fn seal(shared: &Shared, d: Vec<u8>) -> Vec<u8> {
    match shared
        .keyring
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
    {
        Some(ring) => ring.seal(Channel::Datagram, &d),
        None => d,
    }
}

/// A member's side: answers a query from `from`. `sealed` says whether it arrived
/// encrypted (and so was opened with an installed key).
pub(super) fn answer(shared: &Shared, from: SocketAddr, body: &[u8], sealed: bool) {
    let Ok(q) = postcard::from_bytes::<Query>(body) else {
        tracing::debug!("serf: dropped undecodable key query from {from}");
        return;
    };
    if shared.encrypted() && !sealed {
        tracing::warn!("serf: ignored an unencrypted keyring query from {from}");
        return;
    }
    if now_ms().abs_diff(q.sent_ms) > MAX_AGE.as_millis() as u64 {
        tracing::warn!("serf: ignored a keyring query from {from} sent over 10 minutes ago");
        return;
    }
    let result = apply(shared, &q.op);
    let a = Answer {
        id: q.id,
        node: shared.core().local().name.clone(),
        result,
    };
    let mut d = vec![KIND_KEY_RESPONSE];
    d.extend(postcard::to_allocvec(&a).unwrap_or_default());
    let d = shared.seal_if_keyring(Channel::Datagram, d);
    shared.core().out.push(Output::Datagram(from, d));
}

/// The asking side: hands an answer to the operation waiting for it.
pub(super) fn deliver(shared: &Shared, body: &[u8], sealed: bool) {
    let Ok(a) = postcard::from_bytes::<Answer>(body) else {
        return;
    };
    if shared.encrypted() && !sealed {
        return;
    }
    if let Some(tx) = lock(&shared.key_waiters).get(&a.id) {
        let _ = tx.send(a);
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Answers waiting per query id.
pub(super) type Waiters = std::sync::Mutex<BTreeMap<u64, mpsc::UnboundedSender<Answer>>>;
