//! The gossip state machine without I/O: foca plus its timer queue, the member table, leave
//! intents, push/pull merging and local-health awareness. Time comes in as an argument and
//! packets go out as [`Output`]s, so tests drive many of these with a fake clock and network.
//! Must not import http, raft, client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use foca::{
    AccumulatingRuntime, Codec, Foca, Message, NoCustomBroadcast, OwnedNotification, PostcardCodec,
    State, Timer,
};
use rand_foca::rngs::SmallRng;
use rand_foca::seq::SliceRandom;
use rand_foca::SeedableRng;

use super::awareness::Awareness;
use super::coordinates::Rtt;
use super::identity::NodeId;
use super::table::{Status, Table};
use super::timing::GossipTiming;
use super::wire;

type Swim = Foca<NodeId, PostcardCodec, SmallRng, NoCustomBroadcast>;

/// Something the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Datagram(SocketAddr, Vec<u8>),
    /// Start a push/pull exchange with this member.
    PushPull(SocketAddr),
}

#[derive(Debug)]
enum Slot {
    Foca(Timer<NodeId>),
    Housekeeping,
    PushPull,
}

pub struct Core {
    pub(super) swim: Swim,
    pub(super) rt: AccumulatingRuntime<NodeId>,
    timers: BTreeMap<(Instant, u64), Slot>,
    seq: u64,
    pub(crate) table: Table,
    pub(super) awareness: Awareness,
    pub(super) timing: GossipTiming,
    pub(super) out: Vec<Output>,
    pub(super) local: NodeId,
    pub(super) rng: SmallRng,
    pub(super) cluster_size: usize,
    pub(super) last_reconnect: Instant,
    pub(super) gone: bool,
    conflicts: std::collections::BTreeSet<SocketAddr>,
    /// The member whose probe failed last, and when (local-health heuristics).
    last_probe_failure: Option<(String, Instant)>,
    /// User events: their Lamport clock, the ones seen, the ones for the agent.
    pub(super) user_events: super::user_event::UserEvents,
    /// Probe round trips and the network coordinate they build.
    pub(super) rtt: Rtt,
    /// LAN or WAN: who may gossip with this member.
    pub(super) pool: super::Pool,
}

const HOUSEKEEPING: std::time::Duration = std::time::Duration::from_secs(1);

impl Core {
    pub fn new(local: NodeId, timing: GossipTiming, now: Instant, seed: u64) -> Core {
        let swim = Foca::new(
            local.clone(),
            timing.foca_config(1),
            SmallRng::seed_from_u64(seed),
            PostcardCodec,
        );
        let mut core = Core {
            swim,
            rt: AccumulatingRuntime::new(),
            timers: BTreeMap::new(),
            seq: 0,
            table: Table::new(&local, now),
            awareness: Awareness::new(timing.awareness_max_multiplier),
            out: Vec::new(),
            rng: SmallRng::seed_from_u64(seed ^ 0x5eed),
            cluster_size: 1,
            last_reconnect: now,
            gone: false,
            conflicts: Default::default(),
            last_probe_failure: None,
            user_events: Default::default(),
            rtt: Rtt::default(),
            pool: super::Pool::Lan,
            timing,
            local,
        };
        core.schedule(now + HOUSEKEEPING, Slot::Housekeeping);
        let pp = core.timing.push_pull_interval;
        core.schedule(now + pp, Slot::PushPull);
        core
    }

    pub fn local(&self) -> &NodeId {
        &self.local
    }

    pub fn health_score(&self) -> u32 {
        self.awareness.score()
    }

    /// Addresses seen gossiping under this node's name.
    pub fn name_conflicts(&self) -> Vec<SocketAddr> {
        self.conflicts.iter().copied().collect()
    }

    pub fn is_gone(&self) -> bool {
        self.gone
    }

    pub fn take_outputs(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.out)
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.keys().next().map(|(at, _)| *at)
    }

    fn schedule(&mut self, at: Instant, slot: Slot) {
        self.seq += 1;
        self.timers.insert((at, self.seq), slot);
    }

    pub(super) fn alive_addrs(&self) -> Vec<SocketAddr> {
        self.table
            .entries()
            .filter(|e| e.id.name != self.local.name)
            .filter(|e| matches!(e.status, Status::Alive | Status::Leaving))
            .map(|e| e.id.addr)
            .collect()
    }

    /// A datagram arrived on the gossip port.
    pub fn handle_datagram(&mut self, now: Instant, data: &[u8]) {
        if self.gone {
            return;
        }
        match wire::split(data) {
            Ok((wire::KIND_FOCA, body)) => {
                if !self.precheck(body) {
                    return;
                }
                if let Err(e) = self.swim.handle_data(body, &mut self.rt) {
                    tracing::debug!("memberlist: dropped packet: {e}");
                }
                self.drain(now);
            }
            Ok((wire::KIND_COORDINATE, body)) => {
                if let Err(e) = self.rtt.handle(body) {
                    tracing::debug!("serf: dropped coordinate: {e}");
                }
            }
            Ok((wire::KIND_USER_EVENT, body)) => match wire::decode_user_event(body) {
                Ok(event) => self.on_user_event(event),
                Err(e) => tracing::debug!("serf: dropped user event: {e}"),
            },
            Ok((_, body)) => match wire::decode_intent(body) {
                Ok(intent) => self.on_intent(now, &intent),
                Err(e) => tracing::debug!("memberlist: dropped intent: {e}"),
            },
            Err(e) => tracing::debug!("memberlist: dropped datagram of {} bytes: {e}", data.len()),
        }
    }

    /// Looks into a foca packet before foca does: refuses other datacenters, and counts a
    /// suspicion of this node against local health.
    fn precheck(&mut self, body: &[u8]) -> bool {
        let mut buf = body;
        let header = match Codec::<NodeId>::decode_header(&mut PostcardCodec, &mut buf) {
            Ok(h) => h,
            Err(e) => {
                tracing::debug!("memberlist: dropped undecodable packet: {e}");
                return false;
            }
        };
        if let Some(why) = self.local.refuses(&header.src, self.pool) {
            tracing::debug!("memberlist: dropped packet: {why}");
            return false;
        }
        if header.src.name == self.local.name && header.src.addr != self.local.addr {
            self.name_conflict(header.src.addr);
            return false;
        }
        if buf.len() >= 2 && header.message != Message::Broadcast {
            let count = u16::from_be_bytes([buf[0], buf[1]]);
            let mut rest = &buf[2..];
            for _ in 0..count {
                let Ok(m) = Codec::<NodeId>::decode_member(&mut PostcardCodec, &mut rest) else {
                    break;
                };
                if m.id().name == self.local.name
                    && m.id().addr != self.local.addr
                    && m.state() != State::Down
                {
                    self.name_conflict(m.id().addr);
                }
                if m.id() == &self.local && m.state() == State::Suspect {
                    tracing::warn!(
                        "memberlist: Refuting a suspect message (from: {})",
                        header.src.name
                    );
                    self.awareness.apply(1);
                }
            }
        }
        true
    }

    /// Another node gossips under our name: say so once per address (joins are refused
    /// earlier; this catches two nodes that joined through different members at once).
    fn name_conflict(&mut self, other: SocketAddr) {
        if self.conflicts.insert(other) {
            tracing::error!(
                "memberlist: node name conflict: {:?} is used both by {} (this node) and by {}; give each agent a unique -node name",
                self.local.name,
                self.local.addr,
                other
            );
        }
    }

    /// Runs every timer due at `now`.
    pub fn fire_due(&mut self, now: Instant) {
        let mut lag_counted = false;
        while let Some((&(at, seq), _)) = self.timers.iter().next() {
            if at > now {
                break;
            }
            let Some(slot) = self.timers.remove(&(at, seq)) else {
                break;
            };
            if !lag_counted && now.saturating_duration_since(at) > self.timing.lag_threshold {
                lag_counted = true;
                tracing::debug!(
                    "memberlist: timer fired {:?} late, lowering local health",
                    now.saturating_duration_since(at)
                );
                self.awareness.apply(1);
            }
            self.fire(now, slot);
        }
    }

    fn fire(&mut self, now: Instant, slot: Slot) {
        match slot {
            Slot::Foca(t) => {
                if self.gone {
                    return;
                }
                let suspect = match &t {
                    Timer::ChangeSuspectToDown { member_id, .. } => Some(member_id.clone()),
                    _ => None,
                };
                let was_active = suspect
                    .as_ref()
                    .is_some_and(|id| self.swim.iter_members().any(|m| m.id() == id));
                if let Err(e) = self.swim.handle_timer(t, &mut self.rt) {
                    tracing::debug!("memberlist: timer: {e}");
                }
                if let Some(id) = suspect {
                    if was_active && !self.swim.iter_members().any(|m| m.id() == &id) {
                        tracing::info!(
                            "memberlist: Marking {} as failed, suspect timeout reached",
                            id.name
                        );
                    }
                }
                self.drain(now);
            }
            Slot::Housekeeping => {
                self.schedule(now + HOUSEKEEPING, Slot::Housekeeping);
                let reaped = self.table.reap(
                    now,
                    self.timing.reconnect_timeout,
                    self.timing.tombstone_timeout,
                );
                for id in reaped {
                    let _ = self.swim.handle_timer(Timer::RemoveDown(id), &mut self.rt);
                }
                if !self.gone
                    && self.swim.num_members() == 0
                    && now.saturating_duration_since(self.last_reconnect)
                        >= self.timing.reconnect_interval
                {
                    self.last_reconnect = now;
                    self.reconnect();
                }
                self.drain(now);
            }
            Slot::PushPull => {
                let pp = self.timing.push_pull_interval;
                self.schedule(now + pp, Slot::PushPull);
                let mut alive = self.alive_addrs();
                alive.shuffle(&mut self.rng);
                if let (false, Some(addr)) = (self.gone, alive.first()) {
                    self.out.push(Output::PushPull(*addr));
                }
            }
        }
    }

    /// With nobody active, announce to a few members we knew (failed ones included).
    pub(super) fn reconnect(&mut self) {
        let mut known: Vec<NodeId> = self
            .table
            .entries()
            .filter(|e| e.id.name != self.local.name && e.status != Status::Left)
            .map(|e| e.id.clone())
            .collect();
        known.shuffle(&mut self.rng);
        for id in known.into_iter().take(3) {
            tracing::info!("serf: attempting reconnect to {} {}", id.name, id.addr);
            let _ = self.swim.announce(id, &mut self.rt);
        }
    }

    /// Moves everything foca produced into outputs, timers and table changes.
    pub(super) fn drain(&mut self, now: Instant) {
        loop {
            let mut progressed = false;
            // Notifications first: a failed probe reported here already stretches the
            // suspicion timer foca asks for in the same step.
            while let Some(n) = self.rt.to_notify() {
                progressed = true;
                self.notified(now, n);
            }
            while let Some((to, data)) = self.rt.to_send() {
                progressed = true;
                let mut d = Vec::with_capacity(data.len() + 1);
                d.push(wire::KIND_FOCA);
                d.extend_from_slice(&data);
                self.out.push(Output::Datagram(to.addr, d));
            }
            while let Some((after, timer)) = self.rt.to_schedule() {
                progressed = true;
                let scaled = match timer {
                    Timer::ProbeRandomMember(_)
                    | Timer::SendIndirectProbe { .. }
                    | Timer::ChangeSuspectToDown { .. } => after * self.awareness.multiplier(),
                    _ => after,
                };
                self.schedule(now + scaled, Slot::Foca(timer));
            }
            if !progressed {
                break;
            }
        }
        let n = self.swim.num_members() + 1;
        if n != self.cluster_size {
            self.cluster_size = n;
            if let Err(e) = self.swim.set_config(self.timing.foca_config(n)) {
                tracing::debug!("memberlist: config for {n} members refused: {e}");
            }
        }
    }

    fn notified(&mut self, now: Instant, n: OwnedNotification<NodeId>) {
        match n {
            OwnedNotification::MemberUp(id) => self.table.up(&id, now),
            OwnedNotification::MemberDown(id) => {
                self.rtt.forget(&id.name);
                self.table.down(&id, now);
            }
            OwnedNotification::Rename(_, new)
                if self.swim.iter_members().any(|m| m.id() == &new) =>
            {
                self.table.up(&new, now);
            }
            OwnedNotification::Rejoin(new) => {
                tracing::info!(
                    "memberlist: {} was declared down, rejoining with a renewed identity",
                    new.name
                );
                self.local = new.clone();
                self.table.set_local_id(&new, now);
                self.reconnect();
            }
            OwnedNotification::Defunct if !self.gone => {
                tracing::warn!("memberlist: this node is considered down by the cluster");
            }
            OwnedNotification::ProbeFailed(_, id) => {
                tracing::info!(
                    "memberlist: Suspect {} has failed, no acks received",
                    id.name
                );
                // Lifeguard blames a failed probe on the prober only when no nacks came back;
                // foca has no nacks. One member failing its probes is most likely dead, so
                // that alone must not stretch the suspicion timer. Failed probes of two
                // different members in a row point at this node instead.
                let recent = self.timing.probe_interval * 4;
                let blame_self = self.last_probe_failure.as_ref().is_some_and(|(name, at)| {
                    *name != id.name && now.saturating_duration_since(*at) <= recent
                });
                if blame_self {
                    self.awareness.apply(1);
                }
                self.last_probe_failure = Some((id.name.clone(), now));
            }
            OwnedNotification::DataSent(h)
                if h.message == Message::Announce
                    && self
                        .table
                        .get(&h.dst.name)
                        .is_some_and(|e| e.status == Status::Failed) =>
            {
                tracing::info!(
                    "serf: attempting reconnect to {} {}",
                    h.dst.name,
                    h.dst.addr
                );
            }
            OwnedNotification::DataSent(h) => {
                // Pushed before foca's own packet: the coordinate arrives ahead of the ack.
                if let Some(out) = self.rtt.sent(now, &self.local, &h) {
                    self.out.push(out);
                }
            }
            OwnedNotification::DataReceived(h) => {
                if matches!(h.message, Message::Ack(_) | Message::ForwardedAck { .. }) {
                    self.awareness.apply(-1);
                }
                self.rtt.received(now, &h);
            }
            _ => {}
        }
    }
}
