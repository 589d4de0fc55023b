//! Session TTLs, kept by the leader as Consul's are. A session with a TTL must be renewed
//! (`PUT /v1/session/renew/:id`, answered by the leader) within twice its TTL (Consul's
//! grace); when that passes, the leader replicates its invalidation. The timers live only in
//! the leader's memory: a new leader starts every session's timer afresh from its own clock
//! when it takes over, and a server that loses leadership drops them all.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::raft::RaftNode;
use super::state::Command;
use super::Agent;
use crate::api::parse_duration;
use crate::api::session::SessionEntry;

/// How many TTLs a session may go without a renewal (Consul's `SessionTTLMultiplier`).
pub const TTL_MULTIPLIER: u32 = 2;

/// How soon an invalidation that could not be written is tried again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// The TTL a session asked for, if it has one.
pub fn ttl_of(session: &SessionEntry) -> Option<Duration> {
    if session.ttl.is_empty() {
        return None;
    }
    parse_duration(&session.ttl).ok().filter(|d| !d.is_zero())
}

/// The deadlines of the sessions with a TTL (on the leader only).
#[derive(Default)]
pub struct SessionTimers {
    inner: Mutex<Deadlines>,
    changed: Notify,
}

#[derive(Default)]
struct Deadlines {
    by_id: HashMap<String, Instant>,
    queue: BTreeSet<(Instant, String)>,
}

impl Deadlines {
    fn set(&mut self, id: &str, at: Instant) {
        if let Some(old) = self.by_id.insert(id.to_string(), at) {
            self.queue.remove(&(old, id.to_string()));
        }
        self.queue.insert((at, id.to_string()));
    }

    fn remove(&mut self, id: &str) {
        if let Some(old) = self.by_id.remove(id) {
            self.queue.remove(&(old, id.to_string()));
        }
    }
}

impl SessionTimers {
    /// Starts `session`'s timer over (created or renewed): it runs out after twice its TTL.
    /// A session without a TTL has no timer.
    pub fn reset(&self, session: &SessionEntry) {
        self.reset_from(session, Instant::now());
    }

    fn reset_from(&self, session: &SessionEntry, now: Instant) {
        let Some(ttl) = ttl_of(session) else {
            return;
        };
        self.lock().set(&session.id, now + ttl * TTL_MULTIPLIER);
        self.changed.notify_one();
    }

    /// Forgets a session's timer (it was destroyed).
    pub fn clear(&self, id: &str) {
        self.lock().remove(id);
    }

    /// How many sessions have a running timer.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn clear_all(&self) {
        let mut d = self.lock();
        d.by_id.clear();
        d.queue.clear();
    }

    /// The sessions whose time ran out by `now` (their timers are removed), and when the next
    /// one runs out.
    fn expired(&self, now: Instant) -> (Vec<String>, Option<Instant>) {
        let mut d = self.lock();
        let mut due = Vec::new();
        while let Some((at, id)) = d.queue.first().cloned() {
            if at > now {
                return (due, Some(at));
            }
            d.queue.pop_first();
            d.by_id.remove(&id);
            due.push(id);
        }
        (due, None)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Deadlines> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs on every server for the agent's lifetime; only the leader keeps timers.
pub async fn run(agent: Arc<Agent>, raft: Arc<RaftNode>) {
    let timers = &agent.session_timers;
    let mut leadership = raft.leadership();
    let mut leading = false;
    let mut next: Option<Instant> = None;
    loop {
        let sleep = async {
            match next {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep => {}
            () = timers.changed.notified() => {}
            changed = leadership.changed(leading) => {
                if changed.is_none() {
                    return;
                }
            }
        }
        let leader_now = raft.is_leader();
        if leader_now != leading {
            leading = leader_now;
            timers.clear_all();
            if leading {
                // Every session gets its full time again from this leader's clock.
                let sessions: Vec<SessionEntry> =
                    agent.store.read().sessions.list().cloned().collect();
                for s in &sessions {
                    timers.reset(s);
                }
            }
        }
        if !leading {
            next = None;
            continue;
        }
        let (due, upcoming) = timers.expired(Instant::now());
        next = upcoming;
        for id in due {
            if !agent.store.read().sessions.contains(&id) {
                continue;
            }
            tracing::debug!(session = %id, "session TTL expired, invalidating");
            if let Err(e) = agent
                .write(Command::SessionDestroy { id: id.clone() })
                .await
            {
                tracing::warn!(session = %id, "invalidating an expired session failed, retrying: {e}");
                let retry = Instant::now() + RETRY_AFTER;
                timers.lock().set(&id, retry);
                next = Some(next.map_or(retry, |n| n.min(retry)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, ttl: &str) -> SessionEntry {
        SessionEntry {
            id: id.into(),
            ttl: ttl.into(),
            ..Default::default()
        }
    }

    #[test]
    fn timers_run_out_after_twice_the_ttl() {
        let t = SessionTimers::default();
        let start = Instant::now();
        t.reset_from(&session("a", "10s"), start);
        t.reset_from(&session("b", "20s"), start);
        t.reset_from(&session("none", ""), start);
        assert_eq!(t.len(), 2);
        let (due, next) = t.expired(start + Duration::from_secs(19));
        assert!(due.is_empty());
        assert_eq!(next, Some(start + Duration::from_secs(20)));
        // A renewal moves the deadline.
        t.reset_from(&session("a", "10s"), start + Duration::from_secs(5));
        let (due, _) = t.expired(start + Duration::from_secs(24));
        assert!(due.is_empty());
        let (due, next) = t.expired(start + Duration::from_secs(25));
        assert_eq!(due, vec!["a".to_string()]);
        assert_eq!(next, Some(start + Duration::from_secs(40)));
        t.clear("b");
        assert!(t.is_empty());
    }
}
