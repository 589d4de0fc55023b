//! Locks and semaphores on the KV store, built the way Consul's Go client builds them
//! (`api/lock.go`, `api/semaphore.go`), so `sd lock` and `consul lock` contend with each
//! other correctly on the same prefix:
//!
//! - a lock (one holder) is the key `<prefix>/.lock`, acquired with a session and flagged
//!   [`LOCK_FLAG_VALUE`];
//! - a semaphore (up to `limit` holders) is one contender key `<prefix>/<session>` per
//!   contender, held by its session, plus `<prefix>/.lock` holding
//!   `{"Limit":N,"Holders":{"<session>":true}}`, flagged [`SEMAPHORE_FLAG_VALUE`] and changed
//!   only by check-and-set.
//!
//! Each contender has a session with a 15 s TTL renewed in the background; holding is watched
//! with consistent blocking reads, so a lost lock (session invalidated, key taken) is noticed
//! as soon as the leader applies it.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::api::session::SessionRequest;
use crate::api::KVPair;
use crate::client::{Client, ClientError, QueryMeta, QueryOptions, WriteOptions};

/// The flags of a lock key (Consul's `LockFlagValue`).
pub const LOCK_FLAG_VALUE: u64 = 0x2ddc_cbc0_58a5_0c18;
/// The flags of a semaphore's keys (Consul's `SemaphoreFlagValue`).
pub const SEMAPHORE_FLAG_VALUE: u64 = 0xe0f6_9a2b_aa41_4de0;
/// The key under the prefix that a lock, or a semaphore's holder list, lives in.
pub const LOCK_KEY: &str = ".lock";
/// The TTL of a contender's session (Consul's `DefaultLockSessionTTL`).
pub const SESSION_TTL: Duration = Duration::from_secs(15);
/// How long each blocking read waits (Consul's `DefaultLockWaitTime`).
const WAIT: Duration = Duration::from_secs(15);
/// How long to wait after a refused acquisition of a free key: its lock delay is running
/// (Consul's `DefaultLockRetryTime`).
const RETRY: Duration = Duration::from_secs(5);

/// Why a lock or semaphore could not be used; the words are Consul's.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("Existing key does not match lock use")]
    LockConflict,
    #[error("Existing key does not match semaphore use")]
    SemaphoreConflict,
    #[error("Lock in use")]
    LockInUse,
    #[error("Semaphore in use")]
    SemaphoreInUse,
    #[error("semaphore limit conflict (lock: {lock}, local: {local})")]
    LimitConflict { lock: u32, local: u32 },
    #[error("failed to make contender entry")]
    Contender,
    #[error("failed to read semaphore: {0}")]
    BadSemaphore(String),
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// How to take the lock.
#[derive(Debug, Clone)]
pub struct LockOptions {
    /// The prefix: the lock is `<prefix>/.lock`, a semaphore's contenders live under it.
    pub prefix: String,
    /// 1 for a lock, more for a semaphore.
    pub limit: u32,
    /// The name of the contender's session.
    pub session_name: String,
    /// How many failed reads in a row the holder tolerates before it counts the lock lost.
    pub monitor_retries: u32,
    /// The pause between those reads.
    pub monitor_retry_time: Duration,
    /// Give up acquiring after this long (`None`: wait until stopped).
    pub timeout: Option<Duration>,
}

/// A lock held.
#[derive(Debug)]
pub struct Held {
    /// The session holding it.
    pub session: String,
    /// A fencing token: the lock key's `LockIndex` (a lock) or the holder list's `ModifyIndex`
    /// (a semaphore) when it was taken; it grows with every new holder.
    pub fencing: u64,
    /// Resolves when the lock is lost (or can no longer be watched).
    pub lost: oneshot::Receiver<()>,
}

/// The holder list of a semaphore (`<prefix>/.lock`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SemaphoreLock {
    pub limit: u32,
    pub holders: BTreeMap<String, bool>,
}

/// The background renewal of a contender's session: stopping it destroys the session.
type Renewal = (oneshot::Sender<()>, JoinHandle<Result<(), ClientError>>);

/// One contender for a lock or semaphore.
pub struct Locker {
    client: Client,
    opts: LockOptions,
    session: Option<String>,
    renewal: Option<Renewal>,
    monitor: Option<JoinHandle<()>>,
}

impl Locker {
    pub fn new(client: Client, opts: LockOptions) -> Locker {
        Locker {
            client,
            opts,
            session: None,
            renewal: None,
            monitor: None,
        }
    }

    /// The key holding the lock (or a semaphore's holder list).
    pub fn lock_key(&self) -> String {
        join(&self.opts.prefix, LOCK_KEY)
    }

    /// Waits for the lock (or a semaphore slot). `Ok(None)` when `stop` resolved or the
    /// timeout passed first.
    pub async fn acquire(
        &mut self,
        stop: impl Future<Output = ()>,
    ) -> Result<Option<Held>, LockError> {
        tokio::pin!(stop);
        let session = self.start_session().await?;
        let attempt = async {
            if self.opts.limit <= 1 {
                self.acquire_lock(&session).await
            } else {
                self.acquire_slot(&session).await
            }
        };
        let timeout = async {
            match self.opts.timeout {
                Some(t) => tokio::time::sleep(t).await,
                None => std::future::pending().await,
            }
        };
        let fencing = tokio::select! {
            r = attempt => r?,
            () = &mut stop => return Ok(None),
            () = timeout => return Ok(None),
        };
        let (lost_tx, lost) = oneshot::channel();
        let monitor = Monitor {
            client: self.client.clone(),
            key: self.lock_key(),
            prefix: self.opts.prefix.clone(),
            session: session.clone(),
            semaphore: self.opts.limit > 1,
            retries: self.opts.monitor_retries,
            retry_time: self.opts.monitor_retry_time,
        };
        self.monitor = Some(tokio::spawn(async move {
            monitor.run().await;
            let _ = lost_tx.send(());
        }));
        Ok(Some(Held {
            session,
            fencing,
            lost,
        }))
    }

    /// Gives the lock (or slot) up and destroys the session. Safe to call when not held.
    pub async fn release(&mut self) -> Result<(), LockError> {
        if let Some(m) = self.monitor.take() {
            m.abort();
        }
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let w = WriteOptions::default();
        let kv = self.client.kv();
        let result = if self.opts.limit <= 1 {
            kv.release(&self.lock_key(), b"", LOCK_FLAG_VALUE, &session, &w)
                .await
                .map(drop)
                .map_err(LockError::from)
        } else {
            self.leave_semaphore(&session).await
        };
        // Ending the renewal destroys the session (which would release the lock anyway).
        if let Some((stop, task)) = self.renewal.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        result
    }

    /// Deletes the lock key if nobody uses it any more (Consul's `Destroy`): `LockInUse` or
    /// `SemaphoreInUse` when someone does.
    pub async fn cleanup(&self) -> Result<(), LockError> {
        let kv = self.client.kv();
        let key = self.lock_key();
        let w = WriteOptions::default();
        if self.opts.limit <= 1 {
            let (pair, _) = kv.get(&key, &QueryOptions::default()).await?;
            let Some(pair) = pair else { return Ok(()) };
            if pair.flags != LOCK_FLAG_VALUE {
                return Err(LockError::LockConflict);
            }
            if pair.session.as_deref().is_some_and(|s| !s.is_empty()) {
                return Err(LockError::LockInUse);
            }
            kv.delete_cas(&key, pair.modify_index, &w).await?;
            return Ok(());
        }
        let (pairs, _) = kv.list(&self.opts.prefix, &QueryOptions::default()).await?;
        let Some(lock_pair) = pairs.iter().find(|p| p.key == key) else {
            return Ok(());
        };
        let mut lock = decode_semaphore(lock_pair, self.opts.limit)?;
        prune_dead_holders(&mut lock, &pairs);
        if !lock.holders.is_empty() {
            return Err(LockError::SemaphoreInUse);
        }
        kv.delete_cas(&key, lock_pair.modify_index, &w).await?;
        Ok(())
    }

    async fn start_session(&mut self) -> Result<String, LockError> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
        }
        let req = SessionRequest {
            name: Some(self.opts.session_name.clone()),
            ttl: Some(crate::api::format_duration(SESSION_TTL)),
            ..Default::default()
        };
        let id = self
            .client
            .session()
            .create(&req, &WriteOptions::default())
            .await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let client = self.client.clone();
        let renewed = id.clone();
        let task = tokio::spawn(async move {
            client
                .session()
                .renew_periodic(&renewed, SESSION_TTL, async {
                    let _ = stopped.await;
                })
                .await
        });
        self.renewal = Some((stop, task));
        self.session = Some(id.clone());
        Ok(id)
    }

    /// The lock protocol; returns the lock index once held.
    async fn acquire_lock(&self, session: &str) -> Result<u64, LockError> {
        let kv = self.client.kv();
        let key = self.lock_key();
        let mut index = 0;
        loop {
            let (pair, meta) = kv.get(&key, &blocking(index)).await?;
            if let Some(p) = &pair {
                if p.flags != LOCK_FLAG_VALUE {
                    return Err(LockError::LockConflict);
                }
                match p.session.as_deref() {
                    Some(s) if s == session => return Ok(p.lock_index),
                    Some(s) if !s.is_empty() => {
                        index = meta.last_index;
                        continue;
                    }
                    _ => {}
                }
            }
            let w = WriteOptions::default();
            if kv.acquire(&key, b"", LOCK_FLAG_VALUE, session, &w).await? {
                let (pair, _) = kv.get(&key, &consistent()).await?;
                match pair {
                    Some(p) if p.session.as_deref() == Some(session) => return Ok(p.lock_index),
                    // Lost again at once (the session was invalidated): start over.
                    _ => continue,
                }
            }
            // Refused: someone took it first, or its lock delay runs.
            let (pair, meta) = kv.get(&key, &consistent()).await?;
            if pair.and_then(|p| p.session).is_some_and(|s| !s.is_empty()) {
                index = meta.last_index;
            } else {
                tokio::time::sleep(RETRY).await;
                index = 0;
            }
        }
    }

    /// The semaphore protocol; returns the holder list's index once a slot is ours.
    async fn acquire_slot(&self, session: &str) -> Result<u64, LockError> {
        let kv = self.client.kv();
        let w = WriteOptions::default();
        let contender = join(&self.opts.prefix, session);
        if !kv
            .acquire(&contender, b"", SEMAPHORE_FLAG_VALUE, session, &w)
            .await?
        {
            return Err(LockError::Contender);
        }
        let key = self.lock_key();
        let mut index = 0;
        loop {
            let (pairs, meta) = kv.list(&self.opts.prefix, &blocking(index)).await?;
            let lock_pair = pairs.iter().find(|p| p.key == key);
            let mut lock = match lock_pair {
                Some(p) => decode_semaphore(p, self.opts.limit)?,
                None => SemaphoreLock {
                    limit: self.opts.limit,
                    holders: BTreeMap::new(),
                },
            };
            if lock.limit != self.opts.limit {
                return Err(LockError::LimitConflict {
                    lock: lock.limit,
                    local: self.opts.limit,
                });
            }
            prune_dead_holders(&mut lock, &pairs);
            if lock.holders.contains_key(session) {
                return Ok(lock_pair.map_or(0, |p| p.modify_index));
            }
            if lock.holders.len() >= lock.limit as usize {
                index = meta.last_index;
                continue;
            }
            lock.holders.insert(session.to_string(), true);
            let old_index = lock_pair.map_or(0, |p| p.modify_index);
            let body =
                serde_json::to_vec(&lock).map_err(|e| LockError::BadSemaphore(e.to_string()))?;
            if kv
                .cas(&key, &body, SEMAPHORE_FLAG_VALUE, old_index, &w)
                .await?
            {
                let (pair, _) = kv.get(&key, &consistent()).await?;
                return Ok(pair.map_or(0, |p| p.modify_index));
            }
            index = 0;
        }
    }

    /// Takes this session out of the semaphore's holders and deletes its contender key.
    async fn leave_semaphore(&self, session: &str) -> Result<(), LockError> {
        let kv = self.client.kv();
        let w = WriteOptions::default();
        let key = self.lock_key();
        loop {
            let (pair, _) = kv.get(&key, &consistent()).await?;
            let Some(pair) = pair else { break };
            let mut lock = decode_semaphore(&pair, self.opts.limit)?;
            if lock.holders.remove(session).is_none() {
                break;
            }
            let body =
                serde_json::to_vec(&lock).map_err(|e| LockError::BadSemaphore(e.to_string()))?;
            if kv
                .cas(&key, &body, SEMAPHORE_FLAG_VALUE, pair.modify_index, &w)
                .await?
            {
                break;
            }
        }
        kv.delete(&join(&self.opts.prefix, session), &w).await?;
        Ok(())
    }
}

/// Watches a held lock until it is lost.
struct Monitor {
    client: Client,
    key: String,
    prefix: String,
    session: String,
    semaphore: bool,
    retries: u32,
    retry_time: Duration,
}

impl Monitor {
    async fn run(&self) {
        let kv = self.client.kv();
        let mut index = 0;
        let mut failures = 0;
        loop {
            let held: Result<(bool, QueryMeta), LockError> = if self.semaphore {
                match kv.list(&self.prefix, &blocking(index)).await {
                    Ok((pairs, meta)) => {
                        let lock_pair = pairs.iter().find(|p| p.key == self.key);
                        match lock_pair.map(|p| decode_semaphore(p, 0)) {
                            Some(Ok(mut lock)) => {
                                prune_dead_holders(&mut lock, &pairs);
                                Ok((lock.holders.contains_key(&self.session), meta))
                            }
                            Some(Err(e)) => Err(e),
                            None => Ok((false, meta)),
                        }
                    }
                    Err(e) => Err(e.into()),
                }
            } else {
                kv.get(&self.key, &blocking(index))
                    .await
                    .map(|(pair, meta)| {
                        let mine = pair.and_then(|p| p.session).as_deref() == Some(&self.session);
                        (mine, meta)
                    })
                    .map_err(LockError::from)
            };
            match held {
                Ok((true, meta)) => {
                    failures = 0;
                    index = meta.last_index;
                }
                Ok((false, _)) => return,
                Err(_) if failures < self.retries => {
                    failures += 1;
                    tokio::time::sleep(self.retry_time).await;
                }
                Err(_) => return,
            }
        }
    }
}

/// A consistent blocking read from `index`.
fn blocking(index: u64) -> QueryOptions {
    QueryOptions {
        consistent: true,
        index,
        wait: Some(WAIT),
        ..Default::default()
    }
}

fn consistent() -> QueryOptions {
    QueryOptions {
        consistent: true,
        ..Default::default()
    }
}

/// `prefix/name` without doubled slashes (Go's `path.Join` for these keys).
fn join(prefix: &str, name: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// A semaphore's holder list; an empty value is a fresh list with the local limit.
fn decode_semaphore(pair: &KVPair, local_limit: u32) -> Result<SemaphoreLock, LockError> {
    if pair.flags != SEMAPHORE_FLAG_VALUE {
        return Err(LockError::SemaphoreConflict);
    }
    match pair.value.as_deref() {
        None | Some([]) => Ok(SemaphoreLock {
            limit: local_limit,
            holders: BTreeMap::new(),
        }),
        Some(bytes) => {
            serde_json::from_slice(bytes).map_err(|e| LockError::BadSemaphore(e.to_string()))
        }
    }
}

/// Drops holders whose contender key no longer has a session (invalidated contenders).
fn prune_dead_holders(lock: &mut SemaphoreLock, pairs: &[KVPair]) {
    let alive: std::collections::BTreeSet<&str> = pairs
        .iter()
        .filter_map(|p| p.session.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    lock.holders.retain(|s, _| alive.contains(s.as_str()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_holders() {
        assert_eq!(join("service/web/", LOCK_KEY), "service/web/.lock");
        assert_eq!(join("", LOCK_KEY), ".lock");
        let mut lock: SemaphoreLock =
            serde_json::from_str(r#"{"Limit":2,"Holders":{"a":true,"b":true}}"#).unwrap();
        let pairs = vec![
            KVPair {
                key: "p/a".into(),
                session: Some("a".into()),
                ..Default::default()
            },
            KVPair {
                key: "p/b".into(),
                session: None,
                ..Default::default()
            },
        ];
        prune_dead_holders(&mut lock, &pairs);
        assert_eq!(lock.holders.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(
            serde_json::to_string(&lock).unwrap(),
            r#"{"Limit":2,"Holders":{"a":true}}"#
        );
        let wrong = KVPair {
            flags: LOCK_FLAG_VALUE,
            ..Default::default()
        };
        assert!(matches!(
            decode_semaphore(&wrong, 2),
            Err(LockError::SemaphoreConflict)
        ));
    }
}
