//! The runner's side of `-dedup`: which templates this instance leads, the data followed
//! templates' leaders shared, and what leading or following changes in rendering and watching.

use std::collections::BTreeSet;

use tokio::time::Instant;

use super::Runner;
use crate::template::dedup::{Dedup, Event};
use crate::template::dependency::Dependency;

impl Runner {
    /// Starts the manager when `-dedup` is on (not under `-once`, as consul-template).
    pub(super) fn start_dedup(&mut self, client: crate::client::Client) {
        let Some(cfg) = self.config.dedup.clone() else {
            return;
        };
        if self.config.once {
            tracing::info!("(runner) disabling de-duplication in once mode");
            return;
        }
        self.dedup = Some(Dedup::start(client, cfg));
        self.track();
    }

    /// Stops the manager (its session is destroyed: the keys it held go to other instances).
    pub(super) async fn stop_dedup(&mut self) {
        self.leading.clear();
        self.shared.clear();
        if let Some(d) = self.dedup.take() {
            d.stop().await;
        }
    }

    /// Contends for exactly the templates parsed now (an edited template has a new hash).
    pub(super) fn track(&mut self) {
        if let Some(d) = &mut self.dedup {
            d.track(
                self.templates
                    .iter()
                    .filter(|t| t.compiled.is_some())
                    .map(|t| t.id.as_str()),
            );
        }
    }

    /// Whether this instance queries the agent for template `i`: always without `-dedup`.
    pub(super) fn leads(&self, i: usize) -> bool {
        self.dedup.is_none() || self.leading.contains(&self.templates[i].id)
    }

    /// Whether this instance must watch `dep` for template `i` itself.
    pub(super) fn watches_for(&self, i: usize, dep: &Dependency) -> bool {
        self.leads(i) || !dep.can_share()
    }

    /// Before a follower renders: its leader's data (what this instance does not watch itself).
    pub(super) fn prefill(&self, i: usize) {
        if self.leads(i) {
            return;
        }
        for (dep, value) in self.shared.get(&self.templates[i].id).into_iter().flatten() {
            if !self.watcher.is_watching(dep) {
                self.brain.remember_ref(dep, value);
            }
        }
    }

    /// After a leader rendered with all its data: share what it rendered from.
    pub(super) fn share(&mut self, i: usize) {
        if !self.leads(i) {
            return;
        }
        let Some(d) = &mut self.dedup else { return };
        let t = &self.templates[i];
        let entries: Vec<_> = t
            .deps
            .iter()
            .filter(|dep| dep.can_share())
            .filter_map(|dep| Some((dep.clone(), self.brain.recall(dep)?.json.clone())))
            .collect();
        d.share(&t.id, entries);
    }

    /// Applies what the manager reports.
    pub(super) fn on_dedup(&mut self, ev: Event) {
        let now = Instant::now();
        match ev {
            Event::Leader { id, leading: true } => {
                tracing::info!("(runner) leading template {id}: watching its data");
                self.leading.insert(id.clone());
                self.shared.remove(&id);
                // Data a follower was given may be old: lead from fresh answers only.
                for t in self.templates.iter_mut().filter(|t| t.id == id) {
                    for dep in t.deps.iter().filter(|d| d.can_share()) {
                        if !self.watcher.is_watching(dep) {
                            self.brain.forget(dep);
                        }
                    }
                    t.changed(&self.config, now);
                }
            }
            Event::Leader { id, leading: false } => {
                tracing::info!("(runner) following template {id}: rendering from its leader");
                self.leading.remove(&id);
                if let Some(d) = &mut self.dedup {
                    d.lost(&id);
                }
            }
            Event::Data { id, entries } => {
                if self.leading.contains(&id) {
                    return;
                }
                let mut changed = BTreeSet::new();
                for (dep, value) in &entries {
                    if !self.watcher.is_watching(dep) && self.brain.remember_ref(dep, value) {
                        changed.insert(dep.clone());
                    }
                }
                self.shared.insert(id.clone(), entries);
                for t in &mut self.templates {
                    let blocked = t.id == id && (!t.missing.is_empty() || !t.rendered_once);
                    if blocked || t.deps.iter().any(|d| changed.contains(d)) {
                        t.changed(&self.config, now);
                    }
                }
            }
        }
    }

    /// What a follower blocked on missing data waits for.
    pub(super) fn waits_on_leader(&self, i: usize) -> Option<String> {
        let d = self.dedup.as_ref()?;
        (!self.leads(i)).then(|| d.key(&self.templates[i].id))
    }
}

/// The manager's next event; never without one.
pub(super) async fn event(dedup: &mut Option<Dedup>) -> Event {
    match dedup {
        Some(d) => d.recv().await,
        None => std::future::pending().await,
    }
}
