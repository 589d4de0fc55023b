//! The user events this agent keeps (Consul's event buffer): the last 256 events that reached
//! it through gossip and whose filters match it (the node name, and a local service's name
//! and tags), for `/v1/event/list` and its blocking queries.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::Agent;
use crate::api::catalog::AgentService;
use crate::api::event::{index_of, UserEvent};

/// How many events are kept, the newest (Consul keeps 256 too).
pub const KEPT: usize = 256;
/// The highest event version this agent understands.
const MAX_VERSION: u32 = 1;

/// The events kept, oldest first, and a watch that moves with each new one.
pub struct EventBuffer {
    events: Mutex<VecDeque<UserEvent>>,
    changed: watch::Sender<u64>,
}

impl Default for EventBuffer {
    fn default() -> Self {
        EventBuffer {
            events: Mutex::new(VecDeque::with_capacity(KEPT)),
            changed: watch::channel(0).0,
        }
    }
}

impl EventBuffer {
    fn push(&self, event: UserEvent) {
        let index = index_of(&event.id);
        {
            let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
            if events.len() == KEPT {
                events.pop_front();
            }
            events.push_back(event);
        }
        self.changed.send_replace(index);
    }

    /// The events kept (named `name`, when not empty), oldest first, and the list's index:
    /// that of the newest event kept, 0 when there is none.
    pub fn list(&self, name: &str) -> (Vec<UserEvent>, u64) {
        let events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let index = events.back().map_or(0, |e| index_of(&e.id));
        let list = events
            .iter()
            .filter(|e| name.is_empty() || e.name == name)
            .cloned()
            .collect();
        (list, index)
    }

    /// Moves when an event is added.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

/// Why an event cannot be fired; the words are Consul's.
pub fn validate(event: &UserEvent) -> Result<(), String> {
    if event.name.is_empty() {
        return Err("User event missing name".into());
    }
    if !event.tag_filter.is_empty() && event.service_filter.is_empty() {
        return Err("Cannot provide tag filter without service filter".into());
    }
    for (what, re) in [
        ("node", &event.node_filter),
        ("service", &event.service_filter),
        ("tag", &event.tag_filter),
    ] {
        if !re.is_empty() {
            crate::api::regexp::compile(re).map_err(|e| format!("Invalid {what} filter: {e}"))?;
        }
    }
    Ok(())
}

/// Whether an event is for this agent: its node filter matches the node name, and its
/// service filter a local service's name (with the tag filter, one of that service's tags).
pub fn is_for(event: &UserEvent, node: &str, services: &[AgentService]) -> bool {
    if event.version > MAX_VERSION {
        tracing::warn!(
            "agent: Event version {} may have unsupported features ({})",
            event.version,
            event.name
        );
        return false;
    }
    let matches =
        |re: &str, text: &str| crate::api::regexp::compile(re).is_ok_and(|r| r.is_match(text));
    if !event.node_filter.is_empty() && !matches(&event.node_filter, node) {
        return false;
    }
    if event.service_filter.is_empty() {
        return true;
    }
    services.iter().any(|s| {
        matches(&event.service_filter, &s.service)
            && (event.tag_filter.is_empty() || s.tags.iter().any(|t| matches(&event.tag_filter, t)))
    })
}

/// Keeps the events gossip delivers that are for this agent; runs for the agent's lifetime.
pub async fn run(agent: Arc<Agent>) {
    let mut rx = agent.gossip.subscribe_user_events();
    loop {
        let event = match rx.recv().await {
            Ok(e) => std::sync::Arc::unwrap_or_clone(e),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!("agent: {n} user events were dropped: the agent fell behind");
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let services: Vec<AgentService> = agent.local.services().into_values().collect();
        if !is_for(&event, &agent.config.node_name, &services) {
            continue;
        }
        tracing::debug!(name = %event.name, id = %event.id, "agent: new event");
        agent.events.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(node: &str, service: &str, tag: &str) -> UserEvent {
        UserEvent {
            id: "00000000-0000-0000-0000-000000000001".into(),
            name: "deploy".into(),
            node_filter: node.into(),
            service_filter: service.into(),
            tag_filter: tag.into(),
            version: 1,
            ..Default::default()
        }
    }

    #[test]
    fn filters_match_node_service_and_tag() {
        let web = AgentService {
            id: "web-1".into(),
            service: "web".into(),
            tags: vec!["v2".into()],
            ..Default::default()
        };
        let svcs = [web];
        assert!(is_for(&event("", "", ""), "n1", &svcs));
        assert!(is_for(&event("^n", "", ""), "n1", &svcs));
        assert!(!is_for(&event("^m", "", ""), "n1", &svcs));
        assert!(is_for(&event("", "^web$", ""), "n1", &svcs));
        assert!(!is_for(&event("", "^db$", ""), "n1", &svcs));
        assert!(is_for(&event("", "web", "v2"), "n1", &svcs));
        assert!(!is_for(&event("", "web", "v1"), "n1", &svcs));
        assert_eq!(
            validate(&event("", "", "v1")).unwrap_err(),
            "Cannot provide tag filter without service filter"
        );
        assert!(validate(&event("(", "", ""))
            .unwrap_err()
            .starts_with("Invalid node filter"));
    }

    #[test]
    fn the_buffer_keeps_the_newest() {
        let b = EventBuffer::default();
        for i in 0..300u32 {
            let mut e = event("", "", "");
            e.id = format!("00000000-0000-0000-0000-{i:012}");
            e.name = if i % 2 == 0 { "even" } else { "odd" }.into();
            b.push(e);
        }
        let (all, index) = b.list("");
        assert_eq!(all.len(), KEPT);
        assert_eq!(all[0].id, "00000000-0000-0000-0000-000000000044");
        assert_eq!(index, index_of("00000000-0000-0000-0000-000000000299"));
        assert_eq!(b.list("odd").0.len(), KEPT / 2);
    }
}
