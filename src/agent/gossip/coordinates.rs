//! Network coordinates from the probes foca already makes, as Serf takes them from memberlist's
//! pings: a direct probe's round trip (from foca's `Ping` leaving to its `Ack` arriving) feeds
//! this node's [`Vivaldi`] model together with the prober's latest coordinate. Every ack this
//! node sends is preceded by a datagram with its coordinate, so the prober has it when the ack
//! arrives. That datagram is separate from foca's packet: an agent that does not know it drops
//! it as an unknown kind, and its failure detection is unaffected. Indirect probes are not
//! timed (their path is not the direct one). Must not import http, raft, client or commands.

use std::collections::HashMap;
use std::time::Instant;

use foca::{Header, Message, ProbeNumber};
use serde::{Deserialize, Serialize};

use super::core::Output;
use super::identity::NodeId;
use super::vivaldi::Vivaldi;
use super::wire::{self, WireError};
use crate::api::coordinate::Coordinate;

/// What a coordinate datagram carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoordinateMessage {
    /// The sender's node name.
    pub from: String,
    pub coord: Coordinate,
}

/// The model and the probes in flight.
#[derive(Default)]
pub struct Rtt {
    pub vivaldi: Vivaldi,
    /// Direct probes sent and not yet acknowledged, by member name.
    pending: HashMap<String, (ProbeNumber, Instant)>,
    /// The coordinate each member sent last.
    peers: HashMap<String, Coordinate>,
}

impl Rtt {
    /// Foca sent `h` at `now`: times a probe, or puts this node's coordinate ahead of an ack.
    pub fn sent(&mut self, now: Instant, local: &NodeId, h: &Header<NodeId>) -> Option<Output> {
        match h.message {
            Message::Ping(n) => {
                self.pending.insert(h.dst.name.clone(), (n, now));
                None
            }
            Message::Ack(_) => Some(Output::Datagram(h.dst.addr, self.datagram(&local.name))),
            _ => None,
        }
    }

    /// Foca took `h` at `now`: an ack to a timed probe is a sample.
    pub fn received(&mut self, now: Instant, h: &Header<NodeId>) {
        let Message::Ack(n) = h.message else {
            return;
        };
        let name = &h.src.name;
        let Some((probe, at)) = self.pending.get(name).copied() else {
            return;
        };
        if probe != n {
            return;
        }
        self.pending.remove(name);
        let Some(theirs) = self.peers.get(name) else {
            return;
        };
        let rtt = now.saturating_duration_since(at);
        if let Err(e) = self.vivaldi.observe(name, theirs, rtt) {
            tracing::debug!("serf: rejected coordinate from {name}: {e}");
        }
    }

    /// A coordinate datagram arrived.
    pub fn handle(&mut self, body: &[u8]) -> Result<(), WireError> {
        let m: CoordinateMessage = postcard::from_bytes(body)?;
        self.peers.insert(m.from, m.coord);
        Ok(())
    }

    /// Forgets a member that is gone.
    pub fn forget(&mut self, name: &str) {
        self.pending.remove(name);
        self.peers.remove(name);
        self.vivaldi.forget(name);
    }

    /// The coordinate last heard from `name`.
    pub fn peer(&self, name: &str) -> Option<&Coordinate> {
        self.peers.get(name)
    }

    fn datagram(&self, local: &str) -> Vec<u8> {
        let m = CoordinateMessage {
            from: local.to_string(),
            coord: self.vivaldi.coordinate().clone(),
        };
        let mut out = vec![wire::KIND_COORDINATE];
        // Serializing numbers and a string into a Vec cannot fail.
        out.extend(postcard::to_allocvec(&m).unwrap_or_default());
        out
    }
}
