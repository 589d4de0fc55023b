//! Push/pull on a [`Core`]: the full state sent over TCP, join refusals (datacenter
//! mismatch, duplicate node name) and merging another member's state. Must not import http,
//! raft, client or commands.

use std::time::Instant;

use foca::{Member, State};

use super::core::Core;
use super::identity::NodeId;
use super::table::Status;
use super::wire::{Intent, TcpMsg};

impl Core {
    /// The full state this node sends in a push/pull.
    pub fn push_pull_msg(&self, join: bool) -> TcpMsg {
        let mut state: Vec<Member<NodeId>> = self
            .swim
            .iter_membership_state()
            .filter(|m| m.id().name != self.local.name)
            .cloned()
            .collect();
        state.push(Member::alive(self.local.clone()));
        TcpMsg::PushPull {
            from: self.local.clone(),
            join,
            state,
            intents: self.table.intents(),
        }
    }

    fn refuse(&self, from: &NodeId, join: bool) -> Option<String> {
        if let Some(why) = self.local.refuses(from, self.pool) {
            return Some(why);
        }
        if !join {
            return None;
        }
        let clash = self
            .table
            .get(&from.name)
            .filter(|e| matches!(e.status, Status::Alive | Status::Leaving))
            .filter(|e| e.id.addr != from.addr);
        clash.map(|e| {
            format!(
                "node name conflict: {:?} is already in use by {} and cannot join from {}; give each agent a unique -node name",
                from.name, e.id.addr, from.addr
            )
        })
    }

    /// Server side of a push/pull: answer with our state (or a refusal), then merge theirs.
    pub fn handle_push_pull(&mut self, now: Instant, msg: TcpMsg) -> TcpMsg {
        match msg {
            TcpMsg::PushPull {
                from,
                join,
                state,
                intents,
            } => {
                if let Some(why) = self.refuse(&from, join) {
                    tracing::warn!("memberlist: refused push/pull from {}: {why}", from.addr);
                    return TcpMsg::Refused(why);
                }
                let reply = self.push_pull_msg(false);
                self.merge(now, state, &intents);
                reply
            }
            TcpMsg::Refused(_) => TcpMsg::Refused("unexpected message".into()),
        }
    }

    /// Client side: merge the answer to our push/pull.
    pub fn handle_push_pull_reply(&mut self, now: Instant, msg: TcpMsg) -> Result<(), String> {
        match msg {
            TcpMsg::PushPull {
                from,
                state,
                intents,
                ..
            } => {
                if let Some(why) = self.refuse(&from, false) {
                    return Err(why);
                }
                self.merge(now, state, &intents);
                Ok(())
            }
            TcpMsg::Refused(why) => Err(why),
        }
    }

    /// Merges another node's full state. Like memberlist, a remote "down" about a member we
    /// think active only makes it suspect here: our own probes decide.
    pub fn merge(&mut self, now: Instant, state: Vec<Member<NodeId>>, intents: &[Intent]) {
        if self.gone {
            return;
        }
        for i in intents {
            self.on_intent(now, i);
        }
        let mut updates = Vec::with_capacity(state.len());
        for m in state {
            if m.id().name == self.local.name && m.id() != &self.local {
                continue;
            }
            if m.state() != State::Down {
                updates.push(m);
                continue;
            }
            let known = self
                .swim
                .iter_membership_state()
                .find(|k| k.id().name == m.id().name);
            match known {
                Some(k) if k.state() != State::Down && k.id() == m.id() => {
                    updates.push(Member::new(m.id().clone(), m.incarnation(), State::Suspect));
                }
                Some(_) => {}
                None => {
                    self.table.learn_down(m.id(), now);
                    updates.push(m);
                }
            }
        }
        if let Err(e) = self
            .swim
            .apply_many(updates.into_iter(), true, &mut self.rt)
        {
            tracing::debug!("memberlist: merge: {e}");
        }
        self.drain(now);
    }
}
