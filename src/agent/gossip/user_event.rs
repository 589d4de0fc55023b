//! User events on a [`Core`] (serf's user events): fired here or heard from a member, each is
//! delivered to the agent once, stamped with the pool's Lamport time, and passed on: the
//! sender sends it to every live member and each member that hears it first passes it to a
//! few others, so a lost datagram rarely keeps it from anyone. Must not import http, raft,
//! client or commands.

use std::collections::{HashSet, VecDeque};

use rand_foca::seq::SliceRandom;

use super::core::{Core, Output};
use super::wire;
use super::GossipError;
use crate::api::event::{UserEvent, SIZE_LIMIT};

/// How many event IDs are remembered to drop repeats.
const REMEMBERED: usize = 4096;

/// The user-event state of one member.
#[derive(Debug, Default)]
pub struct UserEvents {
    /// The Lamport clock of user events in the pool.
    clock: u64,
    seen: HashSet<String>,
    order: VecDeque<String>,
    /// Events for the agent, taken by the driver.
    pub(super) delivered: Vec<UserEvent>,
}

impl UserEvents {
    /// Records `id`; false when it was seen before.
    fn first_time(&mut self, id: &str) -> bool {
        if !self.seen.insert(id.to_string()) {
            return false;
        }
        self.order.push_back(id.to_string());
        if self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }

    /// The Lamport time of the last event seen or sent.
    pub fn clock(&self) -> u64 {
        self.clock
    }
}

impl Core {
    /// Sends a user event from this member: stamped with the next Lamport time, delivered
    /// here and sent to every live member. Returns it as sent.
    pub fn fire_user_event(&mut self, mut event: UserEvent) -> Result<UserEvent, GossipError> {
        if event.size() > SIZE_LIMIT {
            return Err(GossipError::UserEventTooLarge(SIZE_LIMIT));
        }
        self.user_events.clock += 1;
        event.ltime = self.user_events.clock;
        self.user_events.first_time(&event.id);
        self.user_events.delivered.push(event.clone());
        let d = wire::user_event_datagram(&event);
        for addr in self.alive_addrs() {
            self.out.push(Output::Datagram(addr, d.clone()));
        }
        Ok(event)
    }

    /// A user event arrived: witness its time; the first time, deliver it and pass it on.
    pub(super) fn on_user_event(&mut self, event: UserEvent) {
        let ue = &mut self.user_events;
        ue.clock = ue.clock.max(event.ltime);
        if !ue.first_time(&event.id) {
            return;
        }
        let d = wire::user_event_datagram(&event);
        ue.delivered.push(event);
        let mut targets = self.alive_addrs();
        targets.shuffle(&mut self.rng);
        for addr in targets.into_iter().take(self.timing.gossip_nodes.max(1)) {
            self.out.push(Output::Datagram(addr, d.clone()));
        }
    }
}
