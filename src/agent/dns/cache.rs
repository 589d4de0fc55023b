//! The client agent's DNS cache. A client holds no catalog, so the first query for a name
//! fetches it from a server (through the agent's typed catalog calls, which forward), and a task then
//! keeps it fresh with blocking queries on the same path; every later query is answered from
//! memory, never waiting on a server. A name nobody asked for in a while is dropped with its
//! task.
//!
//! Staleness follows `dns_config`: with `allow_stale` a cached value is served while a server
//! confirmed it within `max_stale` (its age counts from the server's last contact with the
//! leader, `X-Consul-LastContact`), and the blocking queries return at least twice per
//! `max_stale` so a healthy cache never ages past it. Without `allow_stale` the cache reads
//! through the leader and serves only while its last refresh succeeded. When the cached value
//! cannot be served, the query asks the leader directly, as Consul's DNS retries a too-stale
//! read as a consistent one; if that fails too, the answer is SERVFAIL.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::view::{NodeView, ServiceView};
use crate::agent::endpoints::{Consistency, EndpointError, QueryMeta, QueryOptions};
use crate::agent::Agent;
use crate::api::catalog::Node;

/// How long a blocking query waits for a change, at most.
const WAIT: Duration = Duration::from_secs(60);
/// ... and at least (a tiny `max_stale` is met by asking the leader at query time).
const MIN_WAIT: Duration = Duration::from_millis(500);
/// How long a blocking query through the leader waits without `allow_stale`.
const STRICT_WAIT: Duration = Duration::from_secs(10);
/// How late a blocking query may return before its value counts as unconfirmed.
const GRACE: Duration = Duration::from_secs(5);
/// A name unused this long stops being refreshed.
const IDLE: Duration = Duration::from_secs(600);
/// How long the first query for a name waits for a server.
const FIRST_FETCH: Duration = Duration::from_secs(5);
/// Names per kind with a refresh task; beyond this, queries fetch without caching.
const MAX_WATCHED: usize = 1024;
/// Retry delays after a failed refresh.
const RETRY_MIN: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(10);

/// Why a cached answer is not available.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("no server answered: {0}")]
    Fetch(String),
    #[error("cached data is older than max_stale")]
    TooStale,
}

/// A kind of cached read: which typed call fetches it (`endpoints::catalog`) and how its
/// answer becomes a view.
pub trait Kind: Send + Sync + Sized + 'static {
    fn fetch<'a>(
        agent: &'a Agent,
        key: &'a str,
        q: &'a QueryOptions,
        only_passing: bool,
    ) -> impl Future<Output = Result<(Self, QueryMeta), EndpointError>> + Send + 'a;
}

impl Kind for ServiceView {
    async fn fetch(
        agent: &Agent,
        key: &str,
        q: &QueryOptions,
        only_passing: bool,
    ) -> Result<(Self, QueryMeta), EndpointError> {
        let (entries, meta) = agent.service_health(key, q).await?;
        Ok((ServiceView::from_entries(&entries, only_passing), meta))
    }
}

/// A node, or none by that name.
pub struct NodeEntry(pub Option<NodeView>);

impl Kind for NodeEntry {
    async fn fetch(
        agent: &Agent,
        key: &str,
        q: &QueryOptions,
        _: bool,
    ) -> Result<(Self, QueryMeta), EndpointError> {
        let (node, meta) = agent.catalog_node(key, q).await?;
        Ok((NodeEntry(node.map(|n| NodeView::from_node(&n.node))), meta))
    }
}

/// Every node (reverse lookups).
pub struct NodeList(pub Vec<Node>);

impl Kind for NodeList {
    async fn fetch(
        agent: &Agent,
        _: &str,
        q: &QueryOptions,
        _: bool,
    ) -> Result<(Self, QueryMeta), EndpointError> {
        let (nodes, meta) = agent.catalog_nodes(q).await?;
        Ok((NodeList(nodes), meta))
    }
}

/// One cached value and its freshness.
struct Slot<T> {
    value: watch::Sender<Option<Fresh<T>>>,
    /// Milliseconds since `Watched::epoch` of the last query.
    last_used: AtomicU64,
}

/// A value, when it was last known current and whether the refresh after that failed.
struct Fresh<T> {
    value: Arc<T>,
    at: Instant,
    failing: bool,
}

impl<T> Clone for Fresh<T> {
    fn clone(&self) -> Self {
        Fresh {
            value: self.value.clone(),
            at: self.at,
            failing: self.failing,
        }
    }
}

/// Cached values of one kind by key, each refreshed by its own task.
pub struct Watched<T: Kind> {
    slots: Mutex<HashMap<String, Arc<Slot<T>>>>,
    epoch: Instant,
}

impl<T: Kind> Default for Watched<T> {
    fn default() -> Self {
        Watched {
            slots: Mutex::new(HashMap::new()),
            epoch: Instant::now(),
        }
    }
}

/// How the cache reads: allow stale reads, how stale, filter warnings.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    pub allow_stale: bool,
    pub max_stale: Duration,
    pub only_passing: bool,
}

impl Reading {
    /// How long a refresh blocks for a change: short enough that a healthy cache is confirmed
    /// well within `max_stale`.
    fn wait(&self) -> Duration {
        if self.allow_stale {
            (self.max_stale / 2).clamp(MIN_WAIT, WAIT)
        } else {
            STRICT_WAIT
        }
    }

    /// Whether a cached value may be served.
    fn serves<T>(&self, f: &Fresh<T>) -> bool {
        let age = f.at.elapsed();
        if self.allow_stale {
            age <= self.max_stale
        } else {
            !f.failing && age <= STRICT_WAIT + GRACE
        }
    }
}

impl<T: Kind> Watched<T> {
    /// The value for `key`: from memory when cached, else fetched once (and watched from then
    /// on, while there is room).
    pub async fn get(
        self: &Arc<Self>,
        agent: &Arc<Agent>,
        key: &str,
        r: Reading,
    ) -> Result<Arc<T>, CacheError> {
        let now = self.epoch.elapsed().as_millis() as u64;
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            match slots.get(key) {
                Some(s) => Some(s.clone()),
                None if slots.len() >= MAX_WATCHED => None,
                None => {
                    let slot = Arc::new(Slot {
                        value: watch::Sender::new(None),
                        last_used: AtomicU64::new(now),
                    });
                    slots.insert(key.to_string(), slot.clone());
                    tokio::spawn(refresh(
                        Arc::downgrade(self),
                        agent.clone(),
                        key.to_string(),
                        slot.clone(),
                        r,
                    ));
                    Some(slot)
                }
            }
        };
        let Some(slot) = slot else {
            let (value, _, _) = fetch::<T>(agent, key, 0, Duration::ZERO, r).await?;
            return Ok(Arc::new(value));
        };
        slot.last_used.store(now, Ordering::Relaxed);
        let mut rx = slot.value.subscribe();
        let current = rx.borrow_and_update().clone();
        let fresh = match current {
            Some(f) => f,
            None => {
                let first = tokio::time::timeout(FIRST_FETCH, rx.wait_for(Option::is_some)).await;
                match first {
                    Ok(Ok(v)) => v.clone().ok_or(CacheError::Fetch("no value".into()))?,
                    _ => return Err(CacheError::Fetch("timed out".into())),
                }
            }
        };
        if r.serves(&fresh) {
            return Ok(fresh.value);
        }
        // Too old to serve: ask the leader now, and keep what it says.
        let strict = Reading {
            allow_stale: false,
            ..r
        };
        let asked = tokio::time::timeout(
            FIRST_FETCH,
            fetch::<T>(agent, key, 0, Duration::ZERO, strict),
        );
        match asked.await {
            Ok(Ok((value, _, at))) => {
                let value = Arc::new(value);
                slot.value.send_replace(Some(Fresh {
                    value: value.clone(),
                    at,
                    failing: false,
                }));
                Ok(value)
            }
            Ok(Err(e)) => {
                tracing::debug!(
                    "dns cache: {key:?} is too stale and the leader did not answer: {e}"
                );
                Err(CacheError::TooStale)
            }
            Err(_) => Err(CacheError::TooStale),
        }
    }

    /// Every value cached now, by key.
    pub fn cached(&self) -> Vec<(String, Arc<T>)> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .iter()
            .filter_map(|(k, s)| Some((k.clone(), s.value.borrow().as_ref()?.value.clone())))
            .collect()
    }

    fn idle(&self, key: &str) -> bool {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let Some(slot) = slots.get(key) else {
            return true;
        };
        let now = self.epoch.elapsed().as_millis() as u64;
        now.saturating_sub(slot.last_used.load(Ordering::Relaxed)) > IDLE.as_millis() as u64
    }

    fn remove(&self, key: &str) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// Keeps one key fresh with blocking queries until it goes idle or the cache is dropped.
async fn refresh<T: Kind>(
    cache: Weak<Watched<T>>,
    agent: Arc<Agent>,
    key: String,
    slot: Arc<Slot<T>>,
    r: Reading,
) {
    let mut index = 0;
    let mut retry = RETRY_MIN;
    loop {
        match fetch::<T>(&agent, &key, index, r.wait(), r).await {
            Ok((value, new_index, at)) => {
                retry = RETRY_MIN;
                // An index going backwards (a restored snapshot) restarts from scratch.
                index = if new_index < index { 0 } else { new_index };
                agent
                    .metrics
                    .incr_counter("consul.dns.cache.fetch_success", &[], 1.0);
                slot.value.send_replace(Some(Fresh {
                    value: Arc::new(value),
                    at,
                    failing: false,
                }));
            }
            Err(e) => {
                tracing::debug!("dns cache: refreshing {key:?} failed: {e}");
                agent
                    .metrics
                    .incr_counter("consul.dns.cache.fetch_error", &[], 1.0);
                slot.value.send_if_modified(|v| match v {
                    Some(f) if !f.failing => {
                        f.failing = true;
                        true
                    }
                    _ => false,
                });
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(RETRY_MAX);
            }
        }
        let Some(cache) = cache.upgrade() else {
            return;
        };
        if cache.idle(&key) {
            cache.remove(&key);
            return;
        }
    }
}

/// One read of `key` (blocking from `index` for up to `wait` when `index` > 0): the value, the
/// index to block on next and when the value was current (the answering server's last
/// contact with the leader before now).
async fn fetch<T: Kind>(
    agent: &Agent,
    key: &str,
    index: u64,
    wait: Duration,
    r: Reading,
) -> Result<(T, u64, Instant), CacheError> {
    let q = QueryOptions {
        consistency: if r.allow_stale {
            Consistency::Stale
        } else {
            Consistency::Default
        },
        min_index: index,
        wait,
        ..QueryOptions::default()
    };
    let (value, meta) = T::fetch(agent, key, &q, r.only_passing)
        .await
        .map_err(|e| CacheError::Fetch(e.to_string()))?;
    let now = Instant::now();
    let at = now
        .checked_sub(Duration::from_millis(meta.last_contact_ms))
        .unwrap_or(now);
    Ok((value, meta.index, at))
}
