//! Reads with Consul's consistency modes and blocking queries. [`gate`] decides whether this
//! agent may answer (leader, confirmed leader, or anyone for stale reads); [`query`] parks a
//! read on the exact key or prefix it covers until the result's index passes the query's index
//! or its wait ends.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use super::{Consistency, EndpointError, QueryMeta, QueryOptions};
use crate::agent::state::{Tables, WatchKey};
use crate::agent::Agent;

/// How long a new leader's default-mode read waits for the leader's first commit.
const CATCH_UP_WAIT: Duration = Duration::from_secs(2);

/// Checks that this agent may serve a read in the requested mode.
pub async fn gate(agent: &Agent, consistency: Consistency) -> Result<(), EndpointError> {
    match consistency {
        Consistency::Stale => Ok(()),
        Consistency::Default => {
            let raft = agent.raft()?;
            // A leader that has not yet applied an entry of its term may lack writes its
            // predecessor acknowledged: wait for it (an election's first commit) rather than
            // answer from the past.
            if raft.is_leader() && raft.wait_caught_up_as_leader(CATCH_UP_WAIT).await {
                Ok(())
            } else {
                Err(EndpointError::NoLeader)
            }
        }
        Consistency::Consistent => agent
            .raft()?
            .ensure_linearizable()
            .await
            .map_err(|_| EndpointError::NoLeader),
    }
}

/// Runs `read` against the state, blocking per `opts` until what `watch` covers changes past
/// `opts.min_index`. `read` returns the result and the index it reflects.
///
/// Not an `async fn`: one keeps a second copy of each argument beside the one it moved in, for
/// as long as the query is parked. This future holds each once.
#[allow(clippy::manual_async_fn)] // see above: an `async fn` would hold its arguments twice
pub fn query<'a, T: 'a>(
    agent: &'a Agent,
    opts: &'a QueryOptions,
    watch: WatchKey,
    mut read: impl FnMut(&Tables) -> (T, u64) + 'a,
) -> impl Future<Output = Result<(T, QueryMeta), EndpointError>> + 'a {
    async move {
        // Boxed so a parked query does not carry the space of Raft's linearizable-read future.
        Box::pin(gate(agent, opts.consistency)).await?;
        let deadline = (opts.min_index > 0).then(|| Instant::now() + opts.wait + jitter(opts.wait));
        loop {
            let mut changed = agent.store.watch(watch.clone());
            let (value, index) = read(&agent.store.read());
            let done = match deadline {
                None => true,
                Some(d) => index > opts.min_index || Instant::now() >= d,
            };
            if done {
                return Ok((value, agent.query_meta(index, opts.consistency)));
            }
            drop(value);
            if let Some(d) = deadline {
                wait(&mut changed, d).await;
            }
        }
    }
}

/// Parks until `changed` moves or `deadline` passes.
pub async fn wait(changed: &mut tokio::sync::watch::Receiver<u64>, deadline: Instant) {
    tokio::select! {
        _ = changed.changed() => {}
        _ = tokio::time::sleep_until(deadline) => {}
    }
}

/// Up to `wait / 16` of random extra wait, so watchers of one key don't return in lockstep.
pub fn jitter(wait: Duration) -> Duration {
    let max = wait.as_millis() as u64 / 16;
    if max == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::rng().random_range(0..=max))
}
