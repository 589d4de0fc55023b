//! Check results into the local state, and `DeregisterCriticalServiceAfter`: a service whose
//! check has been critical for longer than the check asks is deregistered with all its checks.
//! The reaper looks every 30 seconds, as Consul's does, so a service goes between the threshold
//! and half a minute after it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::agent::checks::CheckUpdate;
use crate::agent::Agent;
use crate::api::catalog::health;

/// How often critical checks are looked at.
pub const REAP_EVERY: Duration = Duration::from_secs(30);

/// Per check: its threshold and since when it has been critical.
#[derive(Default)]
pub struct CriticalSince {
    entries: Mutex<HashMap<String, (Duration, Option<Instant>)>>,
}

impl CriticalSince {
    /// Sets (or clears, with None) the threshold of check `id`.
    pub fn set(&self, id: &str, after: Option<Duration>) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match after {
            Some(d) => {
                e.insert(id.to_string(), (d, None));
            }
            None => {
                e.remove(id);
            }
        }
    }

    /// Records a status; returns nothing.
    pub fn observe(&self, id: &str, status: &str, now: Instant) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, since)) = e.get_mut(id) {
            *since = match (status == health::CRITICAL, *since) {
                (true, Some(t)) => Some(t),
                (true, None) => Some(now),
                (false, _) => None,
            };
        }
    }

    /// The checks critical for longer than their threshold.
    pub fn due(&self, now: Instant) -> Vec<String> {
        let e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.iter()
            .filter(|(_, (after, since))| since.is_some_and(|t| now.duration_since(t) >= *after))
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// Applies check results to the local state for the agent's lifetime.
pub async fn apply_updates(agent: Arc<Agent>, mut rx: mpsc::Receiver<CheckUpdate>) {
    while let Some(u) = rx.recv().await {
        // Updates of a check removed meanwhile are dropped by update_check.
        if agent
            .local
            .update_check(&u.check_id, u.status.as_str(), &u.output)
        {
            agent
                .critical_since
                .observe(&u.check_id, u.status.as_str(), Instant::now());
        }
    }
}

/// Deregisters services whose checks stayed critical too long.
pub async fn run(agent: Arc<Agent>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for id in agent.critical_since.due(Instant::now()) {
            let Some(check) = agent.local.check(&id) else {
                agent.critical_since.set(&id, None);
                continue;
            };
            if check.service_id.is_empty() {
                continue;
            }
            tracing::info!(
                check = %id,
                service = %check.service_id,
                "agent: Check critical for too long: deregistering service"
            );
            agent.remove_service(&check.service_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_for_long_enough_is_due() {
        let c = CriticalSince::default();
        let t0 = Instant::now();
        c.set("a", Some(Duration::from_secs(60)));
        c.observe("a", "critical", t0);
        assert!(c.due(t0 + Duration::from_secs(59)).is_empty());
        assert_eq!(c.due(t0 + Duration::from_secs(60)), ["a"]);
        c.observe("a", "passing", t0 + Duration::from_secs(61));
        assert!(c.due(t0 + Duration::from_secs(200)).is_empty());
        c.observe("untracked", "critical", t0);
        assert!(c.due(t0 + Duration::from_secs(999)).is_empty());
    }
}
