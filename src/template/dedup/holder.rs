//! One template's holder: a blocking read of the template's key that serves as lock monitor
//! (leader) and data watch (follower) at once.
//!
//! - Nobody holds the key: acquire it with the session (value `__NO_DATA__`, Consul's lock flag
//!   value); on success this instance leads.
//! - This session holds it: lead; write shared data with `?acquire=` as it comes.
//! - Another session holds it: follow; decode each new value and hand it to the runner.
//!
//! Leadership ends when the key is no longer this session's, when the session changes, or
//! after 3 failed reads in a row (consul-template's monitor retries).

use std::time::Duration;

use tokio::sync::mpsc;

use super::{data, Command, Context, Event};
use crate::api::KVPair;
use crate::client::lock::LOCK_FLAG_VALUE;
use crate::client::{QueryOptions, WriteOptions};

/// Failed reads a leader tolerates before it counts its lock lost.
const MONITOR_RETRIES: u32 = 3;
/// The pause after an acquisition the agent refused (the key's lock delay is running).
const ACQUIRE_RETRY: Duration = Duration::from_secs(1);
/// The longest pause between failed reads or writes.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

struct State {
    ctx: Context,
    id: String,
    key: String,
    /// The session this instance holds the key with, while it leads.
    leading: Option<String>,
}

impl State {
    fn lead(&mut self, session: String) {
        tracing::info!("(dedup) acquired lock {:?}", self.key);
        self.leading = Some(session);
        let _ = self.ctx.events.send(Event::Leader {
            id: self.id.clone(),
            leading: true,
        });
    }

    fn lose(&mut self) {
        if self.leading.take().is_some() {
            tracing::warn!("(dedup) lost lock ownership {:?}", self.key);
            let _ = self.ctx.events.send(Event::Leader {
                id: self.id.clone(),
                leading: false,
            });
        }
    }
}

fn backoff(failures: u32) -> Duration {
    (Duration::from_millis(250) * 2u32.saturating_pow(failures.min(8))).min(MAX_BACKOFF)
}

/// Contends for, leads or follows template `id` until told to stop.
pub async fn hold(ctx: Context, id: String, mut commands: mpsc::UnboundedReceiver<Command>) {
    let key = data::data_key(&ctx.config.prefix, &id);
    tracing::info!("(dedup) starting watch for template hash {id}");
    let mut session_rx = ctx.session.clone();
    let mut st = State {
        ctx,
        id,
        key,
        leading: None,
    };
    let mut index = 0u64;
    let mut pending: Option<Vec<u8>> = None;
    let mut seen: Option<Vec<u8>> = None;
    let mut failures = 0u32;
    let mut consistent_once = false;
    let client = st.ctx.client.clone();
    let w = WriteOptions::default();
    loop {
        let session = session_rx.borrow_and_update().clone();
        if st.leading.is_some() && st.leading != session {
            st.lose();
            index = 0;
        }
        if let (Some(holder), Some(value)) = (&st.leading, &pending) {
            match client
                .kv()
                .acquire(&st.key, value, LOCK_FLAG_VALUE, holder, &w)
                .await
            {
                Ok(true) => {
                    tracing::info!("(dedup) updated de-duplicate data {:?}", st.key);
                    pending = None;
                }
                Ok(false) => {
                    st.lose();
                    pending = None;
                    index = 0;
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!("(dedup) failed to write {:?}: {e}", st.key);
                    tokio::select! {
                        _ = tokio::time::sleep(backoff(failures)) => {}
                        cmd = commands.recv() => match cmd {
                            Some(Command::Share(value)) => pending = Some(value),
                            Some(Command::Stop) | None => {
                                stop(&st, &client).await;
                                return;
                            }
                        },
                    }
                    continue;
                }
            }
        }
        let Some(session) = session else {
            // No session: nothing to contend with; wait for one.
            tokio::select! {
                _ = session_rx.changed() => continue,
                cmd = commands.recv() => match cmd {
                    Some(Command::Share(_)) => continue,
                    Some(Command::Stop) | None => return,
                },
            }
        };
        let leader = st.leading.is_some();
        let stale = !leader && !st.ctx.config.max_stale.is_zero() && !consistent_once;
        let q = QueryOptions {
            index,
            wait: Some(st.ctx.config.block_query_wait),
            stale,
            consistent: leader,
            ..QueryOptions::default()
        };
        let kv = client.kv();
        let read = tokio::select! {
            r = kv.get(&st.key, &q) => r,
            _ = session_rx.changed() => continue,
            cmd = commands.recv() => match cmd {
                Some(Command::Share(value)) => {
                    if leader {
                        pending = Some(value);
                    }
                    continue;
                }
                Some(Command::Stop) | None => {
                    stop(&st, &client).await;
                    return;
                }
            },
        };
        let (pair, meta) = match read {
            Ok(read) => read,
            Err(e) => {
                failures += 1;
                tracing::warn!("(dedup) failed to read {:?}: {e}", st.key);
                if failures >= MONITOR_RETRIES {
                    st.lose();
                }
                index = 0;
                tokio::time::sleep(backoff(failures)).await;
                continue;
            }
        };
        failures = 0;
        if stale && meta.last_contact > st.ctx.config.max_stale {
            consistent_once = true;
            continue;
        }
        consistent_once = false;
        index = meta.next_wait_index(index);
        let holder = pair.as_ref().and_then(|p| p.session.clone());
        match (&st.leading, holder) {
            (Some(ours), Some(h)) if *ours == h => {}
            (Some(_), _) => {
                st.lose();
                seen = None;
                index = 0;
            }
            (None, None) => {
                match client
                    .kv()
                    .acquire(&st.key, data::NO_DATA, LOCK_FLAG_VALUE, &session, &w)
                    .await
                {
                    Ok(true) => {
                        seen = None;
                        st.lead(session);
                    }
                    Ok(false) => tokio::time::sleep(ACQUIRE_RETRY).await,
                    Err(e) => {
                        tracing::warn!("(dedup) failed to acquire lock {:?}: {e}", st.key);
                        tokio::time::sleep(backoff(1)).await;
                    }
                }
                index = 0;
            }
            (None, Some(_)) => follow(&st, pair, &mut seen),
        }
    }
}

/// A follower's read: hands new data to the runner.
fn follow(st: &State, pair: Option<KVPair>, seen: &mut Option<Vec<u8>>) {
    let Some(pair) = pair else { return };
    let value = pair.value.unwrap_or_default();
    if seen.as_ref() == Some(&value) {
        return;
    }
    *seen = Some(value.clone());
    if pair.flags != LOCK_FLAG_VALUE || value == data::NO_DATA {
        return;
    }
    match data::decode(&value) {
        Ok(entries) => {
            tracing::info!(
                "(dedup) loading {} dependencies from {:?}",
                entries.len(),
                st.key
            );
            let _ = st.ctx.events.send(Event::Data {
                id: st.id.clone(),
                entries,
            });
        }
        Err(e) => tracing::warn!("(dedup) cannot use {:?}: {e}", st.key),
    }
}

/// The template is gone: a held key is deleted so nobody waits on it.
async fn stop(st: &State, client: &crate::client::Client) {
    if st.leading.is_some() {
        if let Err(e) = client.kv().delete(&st.key, &WriteOptions::default()).await {
            tracing::warn!("(dedup) failed to delete {:?}: {e}", st.key);
        }
    }
}
