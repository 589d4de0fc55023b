//! The member table as Consul shows it: one entry per node name with its serf status (alive,
//! leaving, left, failed), the leave intents heard, and the events its changes produce. Foca
//! only knows up and down; this table turns that plus the intents into Consul's statuses.
//! Must not import http, raft, client or commands.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::api::agent::member_status;
use crate::api::AgentMember;

use super::identity::NodeId;
use super::wire::{Intent, IntentKind};

/// A member's serf status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Alive,
    Leaving,
    Left,
    Failed,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Alive => member_status::ALIVE,
            Status::Leaving => member_status::LEAVING,
            Status::Left => member_status::LEFT,
            Status::Failed => member_status::FAILED,
        }
    }
}

/// A membership change, with the member as it is after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberEvent {
    Join(AgentMember),
    Update(AgentMember),
    Leave(AgentMember),
    Failed(AgentMember),
    Reap(AgentMember),
}

impl MemberEvent {
    pub fn member(&self) -> &AgentMember {
        match self {
            MemberEvent::Join(m)
            | MemberEvent::Update(m)
            | MemberEvent::Leave(m)
            | MemberEvent::Failed(m)
            | MemberEvent::Reap(m) => m,
        }
    }

    fn word(&self) -> &'static str {
        match self {
            MemberEvent::Join(_) => "EventMemberJoin",
            MemberEvent::Update(_) => "EventMemberUpdate",
            MemberEvent::Leave(_) => "EventMemberLeave",
            MemberEvent::Failed(_) => "EventMemberFailed",
            MemberEvent::Reap(_) => "EventMemberReap",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: NodeId,
    pub status: Status,
    pub since: Instant,
}

/// Every member known, including this node.
#[derive(Debug)]
pub struct Table {
    pub local: String,
    entries: BTreeMap<String, Entry>,
    intents: BTreeMap<String, (Intent, Instant)>,
    events: Vec<MemberEvent>,
    /// Membership changes so far (serf's `member_time`, a logical clock).
    pub changes: u64,
}

pub fn to_member(id: &NodeId, status: Status) -> AgentMember {
    AgentMember {
        name: id.name.clone(),
        addr: id.addr.ip().to_string(),
        port: id.addr.port(),
        tags: id.tags.clone(),
        status: status.code(),
        protocol_min: 1,
        protocol_max: 5,
        protocol_cur: 2,
        delegate_min: 2,
        delegate_max: 5,
        delegate_cur: 4,
    }
}

impl Table {
    pub fn new(local: &NodeId, now: Instant) -> Self {
        let mut t = Table {
            local: local.name.clone(),
            entries: BTreeMap::new(),
            intents: BTreeMap::new(),
            events: Vec::new(),
            changes: 1,
        };
        t.entries.insert(
            local.name.clone(),
            Entry {
                id: local.clone(),
                status: Status::Alive,
                since: now,
            },
        );
        t
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn members(&self) -> Vec<AgentMember> {
        self.entries
            .values()
            .map(|e| to_member(&e.id, e.status))
            .collect()
    }

    /// How many members have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.entries.values().filter(|e| e.status == status).count()
    }

    pub fn take_events(&mut self) -> Vec<MemberEvent> {
        std::mem::take(&mut self.events)
    }

    pub fn intents(&self) -> Vec<Intent> {
        self.intents.values().map(|(i, _)| i.clone()).collect()
    }

    fn emit(&mut self, ev: MemberEvent) {
        let m = ev.member();
        tracing::info!("serf: {}: {} {}", ev.word(), m.name, m.addr);
        self.changes += 1;
        self.events.push(ev);
    }

    fn set(&mut self, id: &NodeId, status: Status, now: Instant) {
        self.entries.insert(
            id.name.clone(),
            Entry {
                id: id.clone(),
                status,
                since: now,
            },
        );
    }

    /// The intent heard for exactly this generation, if any.
    fn intent_for(&self, id: &NodeId) -> Option<IntentKind> {
        self.intents
            .get(&id.name)
            .filter(|(i, _)| i.generation == id.generation)
            .map(|(i, _)| i.kind)
    }

    /// Foca says `id` is up (a join, a rejoin, or a renewed identity).
    pub fn up(&mut self, id: &NodeId, now: Instant) {
        let prev = self.entries.get(&id.name).cloned();
        match prev {
            Some(e) if e.id.generation > id.generation => {}
            Some(e) if e.id == *id && e.status == Status::Alive => {}
            Some(e) if e.status == Status::Alive || e.status == Status::Leaving => {
                self.set(id, Status::Alive, now);
                if e.id.tags != id.tags || e.id.addr != id.addr {
                    self.emit(MemberEvent::Update(to_member(id, Status::Alive)));
                }
            }
            _ => {
                self.set(id, Status::Alive, now);
                self.emit(MemberEvent::Join(to_member(id, Status::Alive)));
            }
        }
    }

    /// Foca says `id` is down: left if it said so, failed otherwise.
    pub fn down(&mut self, id: &NodeId, now: Instant) {
        let Some(e) = self.entries.get(&id.name).cloned() else {
            return;
        };
        if e.id.generation != id.generation || matches!(e.status, Status::Left | Status::Failed) {
            return;
        }
        if self.intent_for(id).is_some() || e.status == Status::Leaving {
            self.set(id, Status::Left, now);
            self.emit(MemberEvent::Leave(to_member(id, Status::Left)));
        } else {
            self.set(id, Status::Failed, now);
            self.emit(MemberEvent::Failed(to_member(id, Status::Failed)));
        }
    }

    /// A down member learned from another node's full state, never seen alive here.
    pub fn learn_down(&mut self, id: &NodeId, now: Instant) {
        if self.entries.contains_key(&id.name) {
            return;
        }
        let status = match self.intent_for(id) {
            Some(_) => Status::Left,
            None => Status::Failed,
        };
        self.set(id, status, now);
    }

    /// Applies a leave intent. Returns whether it was news (and so worth passing on).
    pub fn apply_intent(&mut self, intent: &Intent, now: Instant) -> bool {
        if intent.name == self.local {
            return false;
        }
        if let Some((known, _)) = self.intents.get(&intent.name) {
            if (known.generation, known.kind) >= (intent.generation, intent.kind) {
                return false;
            }
        }
        self.intents
            .insert(intent.name.clone(), (intent.clone(), now));
        let Some(e) = self.entries.get(&intent.name).cloned() else {
            return true;
        };
        if e.id.generation != intent.generation {
            return true;
        }
        match (intent.kind, e.status) {
            (IntentKind::Leaving, Status::Alive) => self.set(&e.id, Status::Leaving, now),
            (IntentKind::Leaving | IntentKind::Left, Status::Failed)
            | (IntentKind::Left, Status::Alive | Status::Leaving) => {
                self.set(&e.id, Status::Left, now);
                self.emit(MemberEvent::Leave(to_member(&e.id, Status::Left)));
            }
            (IntentKind::Prune, _) => {
                self.entries.remove(&intent.name);
                self.emit(MemberEvent::Reap(to_member(&e.id, e.status)));
            }
            _ => {}
        }
        true
    }

    /// Sets this node's own status (leave).
    pub fn set_local(&mut self, status: Status, now: Instant) {
        if let Some(e) = self.entries.get(&self.local).cloned() {
            self.set(&e.id, status, now);
        }
    }

    /// Replaces this node's own identity (after a renewal).
    pub fn set_local_id(&mut self, id: &NodeId, now: Instant) {
        self.set(id, Status::Alive, now);
    }

    /// Drops failed members older than `reconnect` and left ones older than `tombstone`.
    /// Returns the identities dropped so foca can forget them too.
    pub fn reap(&mut self, now: Instant, reconnect: Duration, tombstone: Duration) -> Vec<NodeId> {
        let expired: Vec<Entry> = self
            .entries
            .values()
            .filter(|e| e.id.name != self.local)
            .filter(|e| match e.status {
                Status::Failed => now.saturating_duration_since(e.since) >= reconnect,
                Status::Left => now.saturating_duration_since(e.since) >= tombstone,
                _ => false,
            })
            .cloned()
            .collect();
        for e in &expired {
            self.entries.remove(&e.id.name);
            self.emit(MemberEvent::Reap(to_member(&e.id, e.status)));
        }
        self.intents
            .retain(|_, (_, at)| now.saturating_duration_since(*at) < tombstone);
        expired.into_iter().map(|e| e.id).collect()
    }
}
