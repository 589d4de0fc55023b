//! Network coordinates between gossip and the catalog, as Consul moves them: every agent sends
//! its coordinate (`gossip::Gossip::coordinate`) to the servers on an interval that grows with
//! the cluster (`sync_coordinate_interval_min`, at least 15 s, or one cluster-wide update per
//! 1/64 s, plus a random stagger); the leader keeps the latest per node and segment and writes
//! them to Raft every `consul.coordinate.update_period` (5 s; 100 ms under `-dev`) in entries of
//! at most 128, at most 5 entries per period, dropping the rest with a warning.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;

use super::raft::RaftNode;
use super::state::Command;
use super::Agent;
use crate::api::coordinate::{Coordinate, CoordinateEntry};

/// The updates the leader has taken since its last batch.
#[derive(Default)]
pub struct CoordinateUpdates {
    pending: Mutex<HashMap<(String, String), Coordinate>>,
}

impl CoordinateUpdates {
    pub fn add(&self, e: CoordinateEntry) {
        self.lock().insert((e.node, e.segment), e.coord);
    }

    fn take(&self) -> Vec<CoordinateEntry> {
        let mut pending: Vec<CoordinateEntry> = std::mem::take(&mut *self.lock())
            .into_iter()
            .map(|((node, segment), coord)| CoordinateEntry {
                node,
                segment,
                coord,
            })
            .collect();
        pending.sort_by(|a, b| (&a.node, &a.segment).cmp(&(&b.node, &b.segment)));
        pending
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Coordinate>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// On a server: writes the gathered updates every period while it leads.
pub async fn run_batches(agent: Arc<Agent>, raft: Arc<RaftNode>) {
    let cfg = agent.config.coordinates.clone();
    loop {
        tokio::time::sleep(cfg.update_period).await;
        let mut pending = agent.coordinate_updates.take();
        if pending.is_empty() || !raft.is_leader() {
            continue;
        }
        let limit = cfg.update_batch_size * cfg.update_max_batches;
        if pending.len() > limit {
            tracing::warn!(
                "consul.coordinate: Discarded {} coordinate updates",
                pending.len() - limit
            );
            pending.truncate(limit);
        }
        for batch in pending.chunks(cfg.update_batch_size) {
            if let Err(e) = agent
                .write(Command::CoordinateBatchUpdate(batch.to_vec()))
                .await
            {
                tracing::warn!("consul.coordinate: Batch update failed: {e}");
                break;
            }
        }
    }
}

/// On every agent: sends this node's coordinate to the servers, for ever.
pub async fn run_sender(agent: Arc<Agent>) {
    let cfg = agent.config.coordinates.clone();
    loop {
        let members = agent.gossip.members().len();
        let interval = rate_scaled(cfg.sync_rate_target, cfg.sync_interval_min, members);
        let stagger = interval.mul_f64(rand::rng().random::<f64>());
        tokio::time::sleep(interval + stagger).await;
        let entry = CoordinateEntry {
            node: agent.config.node_name.clone(),
            segment: String::new(),
            coord: agent.gossip.coordinate(),
        };
        if let Err(e) = agent.coordinate_update(entry).await {
            tracing::warn!("agent: Coordinate update error: {e}");
        }
    }
}

/// The interval that keeps `n` nodes at `rate` updates per second in all, but never below
/// `min` (Consul's `RateScaledInterval`).
fn rate_scaled(rate: f64, min: Duration, n: usize) -> Duration {
    Duration::try_from_secs_f64(n as f64 / rate)
        .unwrap_or(min)
        .max(min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_grows_with_the_cluster_past_the_minimum() {
        let min = Duration::from_secs(15);
        assert_eq!(rate_scaled(64.0, min, 3), min);
        assert_eq!(rate_scaled(64.0, min, 960), min);
        assert_eq!(rate_scaled(64.0, min, 6400), Duration::from_secs(100));
    }

    #[test]
    fn the_latest_update_per_node_and_segment_wins() {
        let u = CoordinateUpdates::default();
        let at = |node: &str, x: f64| CoordinateEntry {
            node: node.into(),
            segment: String::new(),
            coord: Coordinate {
                vec: vec![x],
                ..Default::default()
            },
        };
        u.add(at("b", 1.0));
        u.add(at("a", 1.0));
        u.add(at("b", 2.0));
        assert_eq!(u.take(), vec![at("a", 1.0), at("b", 2.0)]);
        assert!(u.take().is_empty());
    }
}
