//! A fake clock and in-memory network that drives several [`Core`]s (no sockets), for the
//! deterministic tests in `sim_tests`. Must not import http, raft, client or commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::api::agent::member_status::ALIVE;

use super::core::{Core, Output};
use super::identity::NodeId;
use super::table::MemberEvent;
use super::timing::GossipTiming;

pub(super) fn addr(i: usize) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 20000 + i as u16))
}

pub(super) fn node_id(name: &str, a: SocketAddr, generation: u64, dc: &str) -> NodeId {
    let mut tags = BTreeMap::new();
    tags.insert("dc".to_string(), dc.to_string());
    tags.insert("role".to_string(), "node".to_string());
    NodeId {
        name: name.to_string(),
        addr: a,
        generation,
        tags,
    }
}

pub(super) struct Sim {
    pub(super) now: Instant,
    pub(super) nodes: Vec<Core>,
    pub(super) up: Vec<bool>,
    /// Extra one-way delay for packets to or from a node (a slow, starved node).
    pub(super) delay: Vec<Duration>,
    pub(super) queue: Vec<(Instant, usize, Vec<u8>)>,
    pub(super) events: Vec<Vec<MemberEvent>>,
    pub(super) timing: GossipTiming,
}

impl Sim {
    pub(super) fn new(n: usize, timing: GossipTiming) -> Sim {
        let now = Instant::now();
        let mut s = Sim {
            now,
            nodes: Vec::new(),
            up: Vec::new(),
            delay: Vec::new(),
            queue: Vec::new(),
            events: Vec::new(),
            timing,
        };
        for i in 0..n {
            s.add(node_id(&format!("n{i}"), addr(i), 1, "dc1"));
        }
        s
    }

    pub(super) fn add(&mut self, id: NodeId) -> usize {
        let i = self.nodes.len();
        self.nodes
            .push(Core::new(id, self.timing.clone(), self.now, 42 + i as u64));
        self.up.push(true);
        self.delay.push(Duration::ZERO);
        self.events.push(Vec::new());
        i
    }

    pub(super) fn index(&self, a: SocketAddr) -> Option<usize> {
        self.nodes.iter().position(|c| c.local().addr == a)
    }

    pub(super) fn collect(&mut self, i: usize) {
        let outs = self.nodes[i].take_outputs();
        let evs = self.nodes[i].table.take_events();
        self.events[i].extend(evs);
        if !self.up[i] {
            return;
        }
        for o in outs {
            match o {
                Output::Datagram(a, d) => {
                    if let Some(j) = self.index(a) {
                        let at =
                            self.now + Duration::from_millis(1) + self.delay[i] + self.delay[j];
                        self.queue.push((at, j, d));
                    }
                }
                Output::PushPull(a) => {
                    if let Some(j) = self.index(a) {
                        let _ = self.exchange(i, j, false);
                    }
                }
            }
        }
    }

    pub(super) fn exchange(&mut self, i: usize, j: usize, join: bool) -> Result<(), String> {
        if !self.up[j] {
            return Err(format!("cannot connect to {}", self.nodes[j].local().addr));
        }
        let msg = self.nodes[i].push_pull_msg(join);
        let reply = self.nodes[j].handle_push_pull(self.now, msg);
        let r = self.nodes[i].handle_push_pull_reply(self.now, reply);
        self.collect(i);
        self.collect(j);
        r
    }

    pub(super) fn step(&mut self, limit: Instant) {
        let next_packet = self.queue.iter().map(|(t, _, _)| *t).min();
        let next_timer = (0..self.nodes.len())
            .filter(|&i| self.up[i])
            .filter_map(|i| self.nodes[i].next_deadline())
            .min();
        let next = [next_packet, next_timer, Some(limit)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(limit);
        self.now = next.max(self.now);
        let due: Vec<(Instant, usize, Vec<u8>)>;
        (due, self.queue) = std::mem::take(&mut self.queue)
            .into_iter()
            .partition(|(t, _, _)| *t <= self.now);
        for (_, j, d) in due {
            if self.up[j] {
                self.nodes[j].handle_datagram(self.now, &d);
            }
        }
        for i in 0..self.nodes.len() {
            if self.up[i] {
                self.nodes[i].fire_due(self.now);
            }
            self.collect(i);
        }
    }

    pub(super) fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            self.step(end);
        }
    }

    /// Runs until `pred` holds, up to `max` of virtual time; returns the time it took.
    pub(super) fn run_until(
        &mut self,
        max: Duration,
        pred: impl Fn(&Sim) -> bool,
    ) -> Option<Duration> {
        let start = self.now;
        let end = start + max;
        while self.now < end {
            if pred(self) {
                return Some(self.now - start);
            }
            self.step(end);
        }
        pred(self).then(|| self.now - start)
    }

    pub(super) fn status(&self, observer: usize, name: &str) -> Option<u8> {
        self.nodes[observer]
            .table
            .members()
            .into_iter()
            .find(|m| m.name == name)
            .map(|m| m.status)
    }

    pub(super) fn all_see(&self, name: &str, status: u8) -> bool {
        (0..self.nodes.len())
            .filter(|&i| self.up[i] && self.nodes[i].local().name != name)
            .all(|i| self.status(i, name) == Some(status))
    }

    pub(super) fn join_all(&mut self) {
        for i in 1..self.nodes.len() {
            self.exchange(i, 0, true).unwrap();
        }
        let n = self.nodes.len();
        let ok = self.run_until(Duration::from_secs(10), |s| {
            (0..n).all(|i| {
                let m = s.nodes[i].table.members();
                m.len() == n && m.iter().all(|m| m.status == ALIVE)
            })
        });
        assert!(ok.is_some(), "members did not converge");
    }
}
