//! Leave intents on a [`Core`]: graceful leave in two steps, force-leave (and prune), and
//! flooding intents to other members. Must not import http, raft, client or commands.

use std::time::Instant;

use foca::{Member, State, Timer};
use rand_foca::seq::SliceRandom;

use super::core::{Core, Output};
use super::table::Status;
use super::wire::{self, Intent, IntentKind};
use super::GossipError;

impl Core {
    /// A leave intent arrived (or was made here): apply it, tell foca, pass it on if new.
    pub(super) fn on_intent(&mut self, now: Instant, intent: &Intent) {
        let entry = self.table.get(&intent.name).map(|e| e.id.clone());
        if !self.table.apply_intent(intent, now) {
            return;
        }
        if let Some(id) = entry.filter(|id| id.generation == intent.generation) {
            match intent.kind {
                IntentKind::Left => {
                    if self.swim.iter_members().any(|m| m.id() == &id) {
                        let down = Member::new(id, 0, State::Down);
                        let _ = self
                            .swim
                            .apply_many(std::iter::once(down), true, &mut self.rt);
                    }
                }
                IntentKind::Prune => {
                    let _ = self.swim.handle_timer(Timer::RemoveDown(id), &mut self.rt);
                }
                IntentKind::Leaving => {}
            }
        }
        self.drain(now);
        let mut targets = self.alive_addrs();
        targets.shuffle(&mut self.rng);
        let d = wire::intent_datagram(intent);
        for addr in targets.into_iter().take(self.timing.gossip_nodes.max(1)) {
            self.out.push(Output::Datagram(addr, d.clone()));
        }
    }

    fn broadcast_intent(&mut self, intent: &Intent) {
        let d = wire::intent_datagram(intent);
        for addr in self.alive_addrs() {
            self.out.push(Output::Datagram(addr, d.clone()));
        }
    }

    /// First half of a graceful leave: everyone hears we are leaving.
    pub fn leave_begin(&mut self, now: Instant) {
        self.table.set_local(Status::Leaving, now);
        let intent = Intent {
            name: self.local.name.clone(),
            generation: self.local.generation,
            kind: IntentKind::Leaving,
        };
        self.broadcast_intent(&intent);
    }

    /// Second half: declare ourselves down in foca and say we are gone.
    pub fn leave_finish(&mut self, now: Instant) {
        let intent = Intent {
            name: self.local.name.clone(),
            generation: self.local.generation,
            kind: IntentKind::Left,
        };
        self.broadcast_intent(&intent);
        if let Err(e) = self.swim.leave_cluster(&mut self.rt) {
            tracing::debug!("memberlist: leave: {e}");
        }
        self.drain(now);
        self.table.set_local(Status::Left, now);
        self.gone = true;
    }

    /// `force-leave`: a failed member becomes left; `prune` forgets it.
    pub fn force_leave(
        &mut self,
        now: Instant,
        name: &str,
        prune: bool,
    ) -> Result<(), GossipError> {
        let Some(e) = self.table.get(name).cloned() else {
            return Err(GossipError::UnknownNode(name.to_string()));
        };
        let kind = match (e.status, prune) {
            (Status::Failed | Status::Left, true) => IntentKind::Prune,
            (Status::Failed, false) => IntentKind::Left,
            (Status::Left, false) => return Ok(()),
            (Status::Alive | Status::Leaving, _) => {
                tracing::warn!("serf: force-leave of {name}: it is alive, nothing to do");
                return Ok(());
            }
        };
        tracing::info!("serf: EventMemberForceLeave: {name}");
        let intent = Intent {
            name: name.to_string(),
            generation: e.id.generation,
            kind,
        };
        self.on_intent(now, &intent);
        self.broadcast_intent(&intent);
        Ok(())
    }
}
