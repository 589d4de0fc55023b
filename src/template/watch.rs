//! One watcher task per unique dependency: a blocking-query loop (or a poll, for files and the
//! datacenter list) that reports new data to the runner.
//!
//! consul-template's view semantics: the index returned is passed back (`?index=&wait=`); an
//! index that went backwards restarts from 0; data equal to the last reported is not reported;
//! fetches of one view start at least 100 ms apart; `?stale` is used while `max_stale` allows
//! it, and an answer older than `max_stale` is asked again of the leader. Errors retry with
//! exponential backoff, capped; sd retries forever unless `retry.attempts` is set.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::{Client, QueryOptions};
use crate::template::config::RetryConfig;
use crate::template::dependency::{Dependency, Refresh};

/// The least time between two fetches of one dependency.
const MIN_FETCH_INTERVAL: Duration = Duration::from_millis(100);

/// What a watcher tells the runner.
#[derive(Debug)]
pub(crate) enum Event {
    /// New data (different from the last reported).
    Data(Dependency, Value),
    /// A fetch failed; the watcher retries after `retry_in`.
    Failed {
        dep: Dependency,
        error: String,
        retry_in: Duration,
    },
    /// `retry.attempts` failures in a row: the watcher stopped.
    GaveUp { dep: Dependency, error: String },
}

/// Settings every watcher shares.
#[derive(Debug, Clone)]
pub(crate) struct WatchSettings {
    pub max_stale: Duration,
    pub block_query_wait: Duration,
    pub retry: RetryConfig,
}

/// The running watchers, one per dependency.
pub(crate) struct Watcher {
    client: Client,
    settings: WatchSettings,
    tx: mpsc::UnboundedSender<Event>,
    tasks: HashMap<Dependency, JoinHandle<()>>,
}

impl Watcher {
    pub fn new(client: Client, settings: WatchSettings, tx: mpsc::UnboundedSender<Event>) -> Self {
        Watcher {
            client,
            settings,
            tx,
            tasks: HashMap::new(),
        }
    }

    /// Starts watching `dep` unless it is watched already.
    pub fn watch(&mut self, dep: &Dependency) {
        if self.tasks.contains_key(dep) {
            return;
        }
        tracing::debug!("(watcher) adding {dep}");
        let task = tokio::spawn(view(
            self.client.clone(),
            dep.clone(),
            self.settings.clone(),
            self.tx.clone(),
        ));
        self.tasks.insert(dep.clone(), task);
    }

    /// Stops every watcher whose dependency `keep` rejects; returns those stopped.
    pub fn retain(&mut self, keep: impl Fn(&Dependency) -> bool) -> Vec<Dependency> {
        let gone: Vec<Dependency> = self.tasks.keys().filter(|d| !keep(d)).cloned().collect();
        for d in &gone {
            if let Some(task) = self.tasks.remove(d) {
                task.abort();
            }
        }
        gone
    }

    /// Whether `dep` is watched (data from a watcher stopped since is ignored).
    pub fn is_watching(&self, dep: &Dependency) -> bool {
        self.tasks.contains_key(dep)
    }

    /// How many dependencies are watched.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        for task in self.tasks.values() {
            task.abort();
        }
    }
}

/// The backoff before retry number `failures` (1-based): `backoff * 2^(n-1)`, capped.
fn backoff(retry: &RetryConfig, failures: u32) -> Duration {
    let base = retry.backoff.max(Duration::from_millis(1));
    let exp = base.saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    if retry.max_backoff.is_zero() {
        exp
    } else {
        exp.min(retry.max_backoff)
    }
}

async fn view(
    client: Client,
    dep: Dependency,
    settings: WatchSettings,
    tx: mpsc::UnboundedSender<Event>,
) {
    let mut index = 0u64;
    let mut last: Option<Value> = None;
    let mut failures = 0u32;
    let mut consistent_once = false;
    let mut last_start: Option<Instant> = None;
    loop {
        if let Some(start) = last_start {
            tokio::time::sleep_until(start + MIN_FETCH_INTERVAL).await;
        }
        last_start = Some(Instant::now());
        let stale = !settings.max_stale.is_zero() && !consistent_once;
        let q = QueryOptions {
            index,
            wait: (dep.refresh() == Refresh::Blocking).then_some(settings.block_query_wait),
            stale,
            ..Default::default()
        };
        match dep.fetch(&client, &q).await {
            Ok((data, meta)) => {
                failures = 0;
                if stale && meta.last_contact > settings.max_stale {
                    tracing::debug!(
                        "{dep}: answer {:?} behind the leader, past max_stale; asking the leader",
                        meta.last_contact
                    );
                    consistent_once = true;
                    continue;
                }
                consistent_once = false;
                let unchanged_index = index != 0 && meta.last_index == index;
                index = meta.next_wait_index(index);
                if !unchanged_index && last.as_ref() != Some(&data) {
                    last = Some(data.clone());
                    if tx.send(Event::Data(dep.clone(), data)).is_err() {
                        return;
                    }
                }
                if let Refresh::Poll(every) = dep.refresh() {
                    tokio::time::sleep(every).await;
                }
            }
            Err(e) => {
                failures += 1;
                let error = e.to_string();
                let attempts = settings.retry.attempts;
                if !settings.retry.enabled || (attempts > 0 && failures > attempts) {
                    let _ = tx.send(Event::GaveUp { dep, error });
                    return;
                }
                let retry_in = backoff(&settings.retry, failures);
                let event = Event::Failed {
                    dep: dep.clone(),
                    error,
                    retry_in,
                };
                if tx.send(event).is_err() {
                    return;
                }
                // A fresh start after an error: the agent may be another one now.
                index = 0;
                tokio::time::sleep(retry_in).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let r = RetryConfig::default();
        assert_eq!(backoff(&r, 1), Duration::from_millis(250));
        assert_eq!(backoff(&r, 3), Duration::from_secs(1));
        assert_eq!(backoff(&r, 30), Duration::from_secs(60));
        let uncapped = RetryConfig {
            max_backoff: Duration::ZERO,
            ..r
        };
        assert_eq!(backoff(&uncapped, 9), Duration::from_secs(64));
    }
}
