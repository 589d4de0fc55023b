//! Tombstone reaping. Deleted KV keys leave a tombstone so a prefix's blocking index never goes
//! backwards; once a tombstone is older than [`TOMBSTONE_TTL`] no reasonable blocking query still
//! depends on it, and the leader replicates a command that forgets it. The time is the leader's
//! own clock: the state machine stays deterministic because the command carries only an index.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::raft::RaftNode;
use super::state::Command;
use super::Agent;

/// How long a tombstone is kept (Consul keeps them 15 minutes).
pub const TOMBSTONE_TTL: Duration = Duration::from_secs(15 * 60);
const SAMPLE_EVERY: Duration = Duration::from_secs(30);

/// Remembers which Raft index the state had at which time, to find the newest index that is at
/// least the TTL old.
#[derive(Debug, Default)]
pub struct ReapClock {
    samples: VecDeque<(Instant, u64)>,
}

impl ReapClock {
    /// Records `index` at `now`; returns the newest index observed at least `ttl` ago, if any.
    pub fn observe(&mut self, now: Instant, index: u64, ttl: Duration) -> Option<u64> {
        self.samples.push_back((now, index));
        let mut due = None;
        while let Some(&(at, i)) = self.samples.front() {
            if now.duration_since(at) < ttl {
                break;
            }
            due = Some(i);
            self.samples.pop_front();
        }
        due
    }
}

/// Runs for the agent's lifetime; only the leader issues reap commands.
pub async fn run(agent: Arc<Agent>, raft: Arc<RaftNode>) {
    let mut clock = ReapClock::default();
    let mut tick = tokio::time::interval(SAMPLE_EVERY);
    loop {
        tick.tick().await;
        let index = agent.store.read().index;
        let Some(upto) = clock.observe(Instant::now(), index, TOMBSTONE_TTL) else {
            continue;
        };
        if !raft.is_leader() || !agent.store.read().kv.has_tombstones_upto(upto) {
            continue;
        }
        if let Err(e) = agent.write(Command::KvReapTombstones { index: upto }).await {
            tracing::debug!("tombstone reap at index {upto} not applied: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaps_only_indexes_older_than_ttl() {
        let mut c = ReapClock::default();
        let t0 = Instant::now();
        let ttl = Duration::from_secs(60);
        assert_eq!(c.observe(t0, 5, ttl), None);
        assert_eq!(c.observe(t0 + Duration::from_secs(30), 9, ttl), None);
        assert_eq!(c.observe(t0 + Duration::from_secs(61), 12, ttl), Some(5));
        assert_eq!(c.observe(t0 + Duration::from_secs(200), 20, ttl), Some(12));
    }
}
